//! What an installed hall relies on besides the queue: the nightly backup (an online copy
//! while the hub serves, checked, 14 days kept) and the record of which devices were
//! connected, which `antre-hub doctor` reads. A real hub over a real SQLite file; the copy and
//! the record are read back with plain SQL.

mod common;

use antre_hub::testing::TestHub;
use chrono::NaiveDate;
use common::{hall_config, Connect};
use std::process::Command;

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_backup_made_while_the_hub_serves_holds_every_ticket_and_fourteen_days_are_kept() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    for _ in 0..5 {
        kiosk.issue("ktp", None).await;
    }
    // The real command, as the backup unit runs it, while the hub keeps serving.
    let backups = hub.dir.path().join("backups");
    let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        .args(["backup", "--keep-days", "14", "--db"])
        .arg(&hub.db)
        .arg("--backups")
        .arg(&backups)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let today = chrono::Local::now().date_naive();
    let copy = backups.join(format!("antre-{}.db", today.format("%Y-%m-%d")));
    assert!(said.contains(&copy.display().to_string()), "{said}");
    assert_eq!(count(&copy, "SELECT count(*) FROM tickets"), 5);
    assert_eq!(
        count(&copy, "PRAGMA user_version"),
        count(&hub.db, "PRAGMA user_version")
    );
    // The hub went on: a sixth ticket is in the live database, not in the copy.
    kiosk.issue("ktp", None).await;
    assert_eq!(count(&hub.db, "SELECT count(*) FROM tickets"), 6);
    assert_eq!(count(&copy, "SELECT count(*) FROM tickets"), 5);

    // Fourteen days kept: the night of 1 December 2026 keeps 18 November to 1 December,
    // so of twenty older copies (1 to 20 November) the 18th, 19th and 20th stay; a file of
    // the admin's own is not touched.
    let nightly = hub.dir.path().join("nightly");
    std::fs::create_dir_all(&nightly).unwrap();
    for d in 1..=20 {
        std::fs::write(nightly.join(format!("antre-2026-11-{d:02}.db")), b"old").unwrap();
    }
    std::fs::write(nightly.join("notes.txt"), b"keep me").unwrap();
    let made = antre_hub::store::backup::backup(
        &hub.db,
        &nightly,
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        14,
    )
    .unwrap();
    assert_eq!(made.removed.len(), 17);
    let mut left: Vec<String> = std::fs::read_dir(&nightly)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "antre-2026-11-18.db",
            "antre-2026-11-19.db",
            "antre-2026-11-20.db",
            "antre-2026-12-01.db",
            "notes.txt"
        ]
    );
    assert_eq!(
        count(
            &nightly.join("antre-2026-12-01.db"),
            "SELECT count(*) FROM tickets"
        ),
        6
    );
    hub.stop().await;
}

#[tokio::test]
async fn the_hub_writes_down_when_each_device_was_last_connected() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    let at_hello = hub.clock.clock()().timestamp_millis();
    let kiosk = hub.connect("kiosk-1").await;
    let display = hub.connect("display-1").await;
    // The display leaves at 09:05 by the hub's clock; the kiosk stays.
    hub.clock.advance(std::time::Duration::from_secs(5 * 60));
    let left_at = hub.clock.clock()().timestamp_millis();
    drop(display);
    let gone = hub.hub.watch_presence();
    let mut gone = gone;
    while hub
        .hub
        .presence(&antre_core::domain::DeviceId::from("display-1"))
        .connections
        > 0
    {
        gone.changed().await.unwrap();
    }
    hub.clock.advance(std::time::Duration::from_secs(10 * 60));
    let saved_at = hub.clock.clock()().timestamp_millis();
    hub.hub.save_presence().await;

    let conn = rusqlite::Connection::open(&hub.db).unwrap();
    let mut q = conn
        .prepare("SELECT device, last_ms FROM device_seen ORDER BY device")
        .unwrap();
    let rows: Vec<(String, i64)> = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(left_at > at_hello);
    assert_eq!(
        rows,
        vec![
            ("display-1".to_owned(), left_at),
            ("kiosk-1".to_owned(), saved_at)
        ],
        "online: the time it was written down; offline: the time it left"
    );
    drop(kiosk);
    hub.stop().await;
}

/// `antre-hub doctor` on `config` and `db`, backups in `backups`: (passed, what it printed).
fn doctor(
    config: &std::path::Path,
    db: &std::path::Path,
    backups: &std::path::Path,
) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        .args([
            "doctor",
            "--hub-user",
            &antre_hub::store::user_name(),
            "--config",
        ])
        .arg(config)
        .arg("--db")
        .arg(db)
        .arg("--backups")
        .arg(backups)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

// Multi-threaded: the doctor's process waits for the hub's answers, which this runtime gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_checks_a_running_hall_and_names_what_is_wrong() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let console = hub.start_console().await;
    let kiosk = hub.connect("kiosk-1").await;
    hub.hub.save_presence().await;
    // Kept past the hub's stop, for the damaged copy below.
    let keep = std::sync::Arc::clone(&hub.dir);
    let (dir, db) = (keep.path().to_owned(), hub.db.clone());
    // The config as the doctor reads it: the addresses this hub really listens on.
    let config = dir.join("hall.toml");
    std::fs::write(
        &config,
        hall_config(
            100,
            &format!(
                "listen = \"{}\"\nhttp_listen = \"{web}\"\nconsole_listen = \"{console}\"",
                hub.addr
            ),
        ),
    )
    .unwrap();
    let backups = dir.join("backups");
    antre_hub::store::backup::backup(&hub.db, &backups, chrono::Local::now().date_naive(), 14)
        .unwrap();

    let (passed, said) = doctor(&config, &hub.db, &backups);
    assert!(passed, "{said}");
    for line in [
        format!("ok       listener  devices on {}: the hub answers", hub.addr),
        format!("ok       listener  web pages on {web}: the hub answers"),
        format!("ok       listener  console on {console}: the hub answers"),
        "ok       config    MPP Uji: 2 agencies, ".to_owned(),
        // The test clock stands at 09:00 in Jakarta on 2026-11-27, days before now.
        "warning  devices   0 of 7 devices connected in the last hour; not: kiosk-1 (last 2026-11-27 09:00), kiosk-2 (never)".to_owned(),
        "0 problem(s), 1 warning(s)".to_owned(),
    ] {
        assert!(said.contains(&line), "no {line:?} in:\n{said}");
    }

    // The nightly backup stopped three days ago.
    let (_, newest) = antre_hub::store::backup::list(&backups)
        .unwrap()
        .pop()
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&newest)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 86_400))
        .unwrap();
    let (passed, said) = doctor(&config, &hub.db, &backups);
    assert!(!passed, "{said}");
    assert!(
        said.contains("3 days ago): the nightly backup has stopped"),
        "{said}"
    );
    drop(kiosk);
    hub.stop().await;

    // A damaged file: pages in the middle overwritten.
    let damaged = dir.join("damaged.db");
    std::fs::copy(&db, &damaged).unwrap();
    let mut bytes = std::fs::read(&damaged).unwrap();
    assert!(bytes.len() > 4 * 4096, "a database of several pages");
    bytes[2 * 4096..4 * 4096].fill(0xA5);
    std::fs::write(&damaged, bytes).unwrap();
    let (passed, said) = doctor(&config, &damaged, &backups);
    assert!(!passed, "{said}");
    assert!(
        said.contains("PROBLEM  database") && said.contains("is damaged"),
        "{said}"
    );
}
