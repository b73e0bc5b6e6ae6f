//! What the real `antre-hub serve` refuses at start, in words, instead of failing every
//! request later: a database it cannot write, a database another hub is using, and public
//! sample tokens on a network address.

mod common;

use common::*;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// The uid and gid of `nobody`, when this test runs as root.
const NOBODY: u32 = 65534;
const NOGROUP: u32 = 65534;

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// `antre-hub serve` on `db`, as `nobody` when we are root (root may write anything);
/// returns (exit success, stderr).
fn serve_once(config: &Path, db: &Path, as_nobody: bool) -> (bool, String) {
    let hub = env!("CARGO_BIN_EXE_antre-hub");
    let mut cmd = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid",
            &NOBODY.to_string(),
            "--regid",
            &NOGROUP.to_string(),
            "--clear-groups",
            hub,
        ]);
        c
    } else {
        Command::new(hub)
    };
    // Hubs of tests run side by side: none takes the console's port.
    cmd.env("ANTRE_CONSOLE", "off");
    let out = cmd
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--http",
            "off",
            "--config",
        ])
        .arg(config)
        .arg("--db")
        .arg(db)
        .output()
        .expect("the hub runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The test hall with kiosk-1 still on a public sample token.
fn with_sample_token() -> String {
    let samples = hall_config(100, "").replace(
        "token = \"kiosk-1-token-0123456789\"",
        "token = \"SAMPLE-kiosk-1-change-me\"",
    );
    assert!(samples.contains("SAMPLE-kiosk-1"));
    samples
}

#[test]
fn a_database_the_hub_cannot_write_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, hall_config(100, "")).unwrap();
    // A real database of a hall, made by the hub's own store.
    let db = dir.path().join("antre.db");
    drop(antre_hub::store::Store::open(&db).unwrap());
    let root = is_root();
    // The folder is the hub user's, so SQLite could make its -wal file; the database
    // itself is not: SQLite then opens it read-only without a word.
    let user = if root {
        std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOGROUP)).unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        "nobody".to_owned()
    } else {
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        antre_hub::store::user_name()
    };
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, err) = serve_once(&config, &db, root);
    assert!(!ok, "the hub must not start: {err}");
    let words = format!("the database {} is read-only for user {user}", db.display());
    assert!(err.contains(&words), "{err}");
    assert!(!err.contains("serving"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_hub_on_a_database_in_use_is_refused_and_the_first_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, hall_config(100, "")).unwrap();
    let db = dir.path().join("antre.db");
    let first =
        HubProcess::start(&config, &db, &["--listen", "127.0.0.1:0", "--http", "off"]).await;

    let (ok, err) = serve_once(&config, &db, false);
    assert!(!ok);
    assert!(
        err.contains(&format!("another hub is using {}", db.display())),
        "{err}"
    );

    // The first is untouched: a kiosk is welcomed and issues.
    let mut kiosk = Raw::connect(first.addr).await;
    kiosk
        .send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":0}))
        .await;
    assert_eq!(kiosk.recv().await["type"], "welcome");
    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs"}))
        .await;
    assert_eq!(r["ticket"]["code"], "B-001");
}

#[test]
fn sample_tokens_are_refused_on_a_network_address_and_accepted_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, with_sample_token()).unwrap();
    let db = dir.path().join("antre.db");
    let serve = |listen: &str, http: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
            // Hubs of tests and benchmarks run side by side: none takes the console's port.
            .env("ANTRE_CONSOLE", "off")
            .args(["serve", "--listen", listen, "--http", http, "--config"])
            .arg(&config)
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = serve("0.0.0.0:0", "off");
    assert!(!ok);
    assert!(
        err.contains(
            "refusing to serve on 0.0.0.0:0: these devices still have public SAMPLE- tokens"
        ),
        "{err}"
    );
    assert!(err.contains("kiosk-1"), "{err}");
    // The web pages' address counts too.
    let (ok, err) = serve("127.0.0.1:0", "0.0.0.0:0");
    assert!(!ok);
    assert!(err.contains("refusing to serve on 0.0.0.0:0"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_tokens_work_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, with_sample_token()).unwrap();
    let hub = HubProcess::start(
        &config,
        &dir.path().join("antre.db"),
        &["--listen", "127.0.0.1:0", "--http", "off"],
    )
    .await;
    let mut kiosk = Raw::connect(hub.addr).await;
    kiosk
        .send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":"SAMPLE-kiosk-1-change-me","since":0}))
        .await;
    assert_eq!(kiosk.recv().await["type"], "welcome");
}
