//! A full disk while the hall is open, for real: the hub's database on a small tmpfs that a
//! filler file then fills. Writes are answered `internal` (HTTP 503), nothing half-done is
//! kept, reads go on for everyone, and once space is back the same request goes through.
//!
//! Needs root (to mount the tmpfs), as CI has.

mod common;
mod webcommon;

use common::*;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use webcommon::Http;

/// A tmpfs of `size` mounted on a folder; unmounted on drop, also when the test fails.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(on: &Path, size: &str) -> Tmpfs {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(on)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "this test needs root to mount a tmpfs: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(on.to_owned())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

/// Writes a file until the disk is full; returns it.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    while f.write_all(&chunk).is_ok() {}
    // What is left is less than a chunk: fill that too, byte by byte.
    while f.write_all(&[0]).is_ok() {}
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_internal_and_the_hub_keeps_serving_reads() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let _disk = Tmpfs::mount(dir.path(), "8m");
    let mut hub = TestHub::start_in(
        &hall_config(100, ""),
        Arc::clone(&dir),
        TestClock::at(jakarta(9, 0)),
        None,
    )
    .await;
    let http = Http::new(hub.start_web().await);
    let mut kiosk = hub.connect("kiosk-1").await;
    assert_eq!(kiosk.issue("bpjs", None).await, "B-001");

    let filler = fill(dir.path());
    // Issue until the database needs space it cannot get (the WAL may still have room for
    // a few): that one is refused as `internal`, and nothing else is.
    let mut issued = 1;
    let failed = loop {
        let id = format!("full-{issued}");
        let r = kiosk
            .req_id(json!({"type":"issue_ticket","id":id,"service":"bpjs"}))
            .await;
        if r["type"] == "ok" {
            issued += 1;
            assert!(issued < 2000, "the disk never filled");
            continue;
        }
        assert_eq!(r["code"], "internal", "{r}");
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .contains("send the same request again"),
            "{r}"
        );
        break id;
    };

    // Reads go on: a display connects and gets the day, a phone reads its ticket.
    let (_display, welcome) = hub.connect_since("display-1", 0).await;
    let waiting = welcome["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "waiting")
        .count();
    assert_eq!(waiting, issued, "{welcome}");
    let page = http.get("/api/v1/tickets/B-001").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // A phone's write is 503 with words.
    let r = http
        .post(
            "/api/v1/aspirations",
            r#"{"kind":"suggestion","text":"Tambah kursi"}"#,
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["error"], "internal");

    // Space again: the same request goes through, with the next number (the refused one
    // kept nothing).
    std::fs::remove_file(filler).unwrap();
    let r = kiosk
        .req_id(json!({"type":"issue_ticket","id":failed,"service":"bpjs"}))
        .await;
    assert_eq!(r["type"], "ok", "{r}");
    assert_eq!(r["ticket"]["code"], format!("B-{:03}", issued + 1), "{r}");
    hub.stop().await;
}
