//! The WAL through a busy hour and the pause after it, on a real hub and a real SQLite file:
//! once the `-wal` file passes its limit (16 MiB, `journal_size_limit`), the hub makes it
//! start over at the top of the file and keeps the file, so the commits after that write
//! over blocks the disk already has (no growing file to record at every `fsync`); it is
//! never emptied while requests keep coming, never grows far past the limit, and is emptied
//! once the hall pauses.

mod common;

use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};

/// `journal_size_limit`, worked by hand from the README (Benchmarks, the WAL): 16 MiB.
const LIMIT: u64 = 16 * 1024 * 1024;

fn wal_of(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_wal_starts_over_in_its_own_blocks_and_an_idle_one_is_emptied() {
    let hub = TestHub::start(&hall_config(100_000, "")).await;
    let wal = wal_of(&hub.db);
    let mut kiosk = hub.connect("kiosk-1").await;

    // Issue tickets without a pause, noting the WAL file's size after each `ok`.
    // Phases: growing to past the limit, then each start-over cuts it to the limit exactly.
    let mut sizes: Vec<u64> = vec![];
    let mut starts_over = 0;
    let mut after_first_start = 0;
    for i in 0..5_000 {
        let r = kiosk
            .req_id(json!({"type":"issue_ticket","id":format!("w{i}"),"service":"ktp"}))
            .await;
        assert_eq!(r["type"], "ok", "{r}");
        let now = size(&wal);
        let before = sizes.last().copied().unwrap_or(0);
        if before > LIMIT && now == LIMIT {
            starts_over += 1;
        }
        if starts_over > 0 {
            after_first_start += 1;
            // Busy: never emptied, never far past the limit (the hub looks every 100 ms).
            assert!(
                now >= LIMIT,
                "request {i}: the WAL shrank to {now} bytes while requests kept coming"
            );
        }
        assert!(
            now <= 2 * LIMIT,
            "request {i}: the WAL grew to {now} bytes, twice its limit"
        );
        sizes.push(now);
        if starts_over == 2 {
            break;
        }
    }
    assert_eq!(
        starts_over,
        2,
        "the WAL never started over twice in {} requests (largest {} bytes)",
        sizes.len(),
        sizes.iter().max().unwrap()
    );
    // Between the two start-overs the file grew only past the limit, once per cycle: the
    // commits in between wrote over the blocks it had.
    assert!(after_first_start > 100, "{after_first_start}");

    // Once more past the limit, and then nothing: the file is left larger than the limit,
    // with everything in it copied back, and the pause must still empty it.
    for i in 0..5_000 {
        if size(&wal) > LIMIT {
            break;
        }
        assert!(i < 4_999, "the WAL never passed its limit again");
        let n = sizes.len();
        let r = kiosk
            .req_id(json!({"type":"issue_ticket","id":format!("w{n}"),"service":"ktp"}))
            .await;
        assert_eq!(r["type"], "ok", "{r}");
        sizes.push(size(&wal));
    }

    // The hall pauses: within two checkpoint periods (5 s each) the file is emptied.
    let pause = std::time::Instant::now();
    while size(&wal) > 0 {
        assert!(
            pause.elapsed() < std::time::Duration::from_secs(30),
            "the WAL still holds {} bytes after 30 s idle",
            size(&wal)
        );
        // Nothing to await: the checkpointer acts on a timer, and its outcome is a file size.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // And nothing was lost: the next ticket continues the numbering.
    let next = kiosk.issue("ktp", None).await;
    assert!(next.ends_with(&format!("{}", sizes.len() + 1)), "{next}");
}
