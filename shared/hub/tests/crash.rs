//! The real `antre-hub` binary, killed with SIGKILL mid-stream and restarted: every
//! acknowledged ticket is there, numbering continues with no reuse, and a retried request
//! id gets its first reply.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use tokio::process::Child;

/// Starts the hub binary and waits for the line that says where it listens.
async fn start_hub(config: &Path, db: &Path) -> (Child, SocketAddr) {
    let hub = HubProcess::start(config, db, &["--listen", "127.0.0.1:0", "--http", "off"]).await;
    (hub.child, hub.addr)
}

/// The service each device issues for in the crash test.
fn service_of(device: &str) -> &'static str {
    match device {
        "kiosk-1" => "ktp",
        "kiosk-2" => "kk",
        _ => "bpjs",
    }
}

async fn hello(addr: SocketAddr, device: &str) -> (Raw, Value) {
    let mut c = Raw::connect(addr).await;
    c.send(&json!({"type":"hello","protocol":1,"device":device,"token":token(device),"since":0}))
        .await;
    let w = c.recv().await;
    (c, w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_stream_loses_no_acknowledged_ticket_and_reuses_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    // No hours: this test runs at any time of day.
    std::fs::write(
        &config,
        hall_config(100_000, "").replace("hours = \"08:00-15:00\"\n", ""),
    )
    .unwrap();
    let db = dir.path().join("antre.db");
    let (mut hub, addr) = start_hub(&config, &db).await;

    // Three devices issue tickets as fast as the hub answers, pipelining a few requests each.
    // The hub is killed while they are at it.
    let acked: std::sync::Arc<tokio::sync::Mutex<Vec<(String, String, String)>>> =
        Default::default();
    let enough = std::sync::Arc::new(tokio::sync::Notify::new());
    let mut tasks = vec![];
    for (device, service) in [("kiosk-1", "ktp"), ("kiosk-2", "kk"), ("admin", "bpjs")] {
        let acked = acked.clone();
        let enough = enough.clone();
        tasks.push(tokio::spawn(async move {
            let (mut c, _) = hello(addr, device).await;
            let mut sent: Vec<String> = vec![];
            for i in 0.. {
                let id = format!("{device}-{i}");
                let line = format!(
                    "{}\n",
                    json!({"type":"issue_ticket","id":id,"service":service,"priority":null})
                );
                if tokio::io::AsyncWriteExt::write_all(&mut c.w, line.as_bytes())
                    .await
                    .is_err()
                {
                    break;
                }
                sent.push(id);
                if sent.len() < 4 {
                    continue; // keep a few in flight
                }
                match c.try_recv().await {
                    Some(r) if r["type"] == "ok" => {
                        let id = r["id"].as_str().unwrap().to_owned();
                        sent.retain(|s| *s != id);
                        let mut a = acked.lock().await;
                        a.push((
                            device.to_owned(),
                            id,
                            r["ticket"]["code"].as_str().unwrap().to_owned(),
                        ));
                        if a.len() >= 150 {
                            enough.notify_one();
                        }
                    }
                    Some(r) if r["type"] == "event" => {}
                    Some(r) => panic!("unexpected {r}"),
                    None => break,
                }
            }
            sent // the requests that were sent and never answered
        }));
    }
    // Kill once enough tickets have been acknowledged, while requests are in flight.
    enough.notified().await;
    hub.start_kill().unwrap(); // SIGKILL
    hub.wait().await.unwrap();
    let mut unanswered: HashMap<String, Vec<String>> = HashMap::new();
    for (t, device) in tasks.into_iter().zip(["kiosk-1", "kiosk-2", "admin"]) {
        unanswered.insert(device.to_owned(), t.await.unwrap());
    }
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 150);

    let (_hub2, addr) = start_hub(&config, &db).await;
    // Every acknowledged ticket is there.
    let (_, w) = hello(addr, "display-1").await;
    let tickets: BTreeMap<String, Value> = w["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["code"].as_str().unwrap().to_owned(), t.clone()))
        .collect();
    for (_, _, code) in &acked {
        assert!(tickets.contains_key(code), "acknowledged {code} was lost");
    }
    // Numbers per prefix are 1..n with no gap and no repeat (codes are map keys).
    for prefix in ["A", "B"] {
        let n = tickets.keys().filter(|c| c.starts_with(prefix)).count();
        for i in 1..=n {
            assert!(
                tickets.contains_key(&format!("{prefix}-{i:03}")),
                "{prefix}-{i:03} missing"
            );
        }
    }
    // A retried acknowledged id gets its first reply.
    for (device, id, code) in acked.iter().step_by(37) {
        let (mut c, _) = hello(addr, device).await;
        let service = service_of(device);
        let r = c
            .req_id(json!({"type":"issue_ticket","id":id,"service":service,"priority":null}))
            .await;
        assert_eq!(r["ticket"]["code"], code.as_str(), "retry of {id}");
    }
    // Unanswered requests retried with their ids: each executes once, numbering continues.
    let mut new_codes = vec![];
    for (device, ids) in &unanswered {
        let (mut c, _) = hello(addr, device).await;
        let service = service_of(device);
        for id in ids {
            let req = json!({"type":"issue_ticket","id":id,"service":service,"priority":null});
            let first = c.req_id(req.clone()).await;
            assert_eq!(first["type"], "ok", "{first}");
            assert_eq!(c.req_id(req).await, first, "second retry of {id}");
            new_codes.push(first["ticket"]["code"].as_str().unwrap().to_owned());
        }
    }
    let (_, w) = hello(addr, "display-1").await;
    let after: Vec<String> = w["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect();
    let unique: std::collections::HashSet<_> = after.iter().collect();
    assert_eq!(unique.len(), after.len(), "a number was given twice");
    for prefix in ["A", "B"] {
        let n = after.iter().filter(|c| c.starts_with(prefix)).count();
        for i in 1..=n {
            assert!(
                after.contains(&format!("{prefix}-{i:03}")),
                "{prefix}-{i:03} missing after restart"
            );
        }
    }
    // A fresh ticket continues the numbering.
    let (mut k, _) = hello(addr, "kiosk-1").await;
    let next = k.issue("ktp", None).await;
    let a_count = after.iter().filter(|c| c.starts_with('A')).count();
    assert_eq!(next, format!("A-{:03}", a_count + 1));
}

#[tokio::test]
async fn sigterm_stops_the_hub_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(
        &config,
        hall_config(100, "").replace("hours = \"08:00-15:00\"\n", ""),
    )
    .unwrap();
    let db = dir.path().join("antre.db");
    let (mut hub, addr) = start_hub(&config, &db).await;
    let (mut kiosk, _) = hello(addr, "kiosk-1").await;
    kiosk.issue("ktp", None).await;
    assert!(
        dir.path().join("antre.db-wal").exists(),
        "the hub runs in WAL mode"
    );

    let pid = hub.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    // The device's connection is closed (after the events it had not read), and the hub
    // exits 0.
    while let Some(line) = kiosk.try_recv().await {
        assert_eq!(line["type"], "event", "{line}");
    }
    let status = tokio::time::timeout(PATIENCE, hub.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    // Closed cleanly: SQLite checkpointed and removed the WAL when the last connection closed.
    assert!(
        !dir.path().join("antre.db-wal").exists(),
        "the database was not closed cleanly"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}
