//! `antre-kiosk pair`: the real binary exchanges a pairing code made on a real hub for the
//! kiosk's token, keeps it in its TOML file for its owner only, and the token then opens the
//! hub; the same code a second time is refused in words.

use antre_hub::hall::catalogue::list;
use antre_hub::testing::{sample_config, TestHub};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::test]
async fn the_kiosk_pairs_with_a_code_and_its_token_opens_the_hub() {
    let hub = TestHub::start(&sample_config()).await;
    // What the console's "add a device" does: the device, then its code.
    let code = "KODE23PASANG";
    hub.change_catalogue(|table| {
        let mut t = toml::Table::new();
        t.insert("id".into(), "kiosk-9".into());
        t.insert("role".into(), "kiosk".into());
        t.insert("token_sha256".into(), "00".repeat(32).into());
        list(table, "devices").push(toml::Value::Table(t));
    })
    .await;
    let made = hub
        .hub
        .run(move |hall, now| {
            let expires = now + chrono::Duration::minutes(15);
            (
                hall.add_pairing(now, "kiosk-9", code, expires).is_ok(),
                (vec![], vec![]),
            )
        })
        .await;
    assert_eq!(made, Some(true));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kiosk.toml");
    std::fs::write(&file, "printer = \"file:/tmp/antre-pair-test.bin\"\n").unwrap();
    let run = {
        let (hub_addr, file) = (hub.addr.to_string(), file.clone());
        move || {
            Command::new(env!("CARGO_BIN_EXE_antre-kiosk"))
                .args(["pair", "--hub", &hub_addr, "--code", code, "--config"])
                .arg(&file)
                .output()
                .unwrap()
        }
    };
    let out = tokio::task::spawn_blocking(run.clone()).await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("paired as kiosk-9"), "{said}");

    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the token file is its owner's only");
    let saved: toml::Table = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["device"].as_str(), Some("kiosk-9"));
    assert_eq!(
        saved["printer"].as_str(),
        Some("file:/tmp/antre-pair-test.bin")
    );
    let token = saved["token"].as_str().unwrap().to_owned();

    // The token says hello.
    let s = tokio::net::TcpStream::connect(hub.addr).await.unwrap();
    let (r, mut w) = s.into_split();
    let hello =
        serde_json::json!({"type":"hello","protocol":1,"device":"kiosk-9","token":token,"since":0});
    w.write_all(format!("{hello}\n").as_bytes()).await.unwrap();
    let mut line = String::new();
    BufReader::new(r).read_line(&mut line).await.unwrap();
    let welcome: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(welcome["type"], "welcome", "{line}");

    // The code is used up: a second pairing is refused, in words, and changes nothing.
    let out = tokio::task::spawn_blocking(run).await.unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refused the code (unauthorized)"), "{err}");
    hub.stop().await;
}
