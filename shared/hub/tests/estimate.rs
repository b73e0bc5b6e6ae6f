//! The estimate that learns from the day, through the protocol: a busy counter's rest, the
//! service time the day shows, a counter shared by two services, a ticket's range, and the
//! fast training clock of `antre-hub serve --time-scale`. Expected figures are worked out by
//! hand in the comments (no service here has a standard time: 5 minutes until the day shows
//! its own; an officer's gap between visitors is 15 s until seen).

mod common;

use common::{hall_config, Connect, HubProcess};
use serde_json::json;
use std::time::Duration;

fn config() -> String {
    hall_config(150, "")
}

#[tokio::test]
async fn a_busy_counter_and_the_service_time_the_day_shows() {
    let hub = antre_hub::testing::TestHub::start(&config()).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut counter = hub.connect("counter-3").await;
    counter.open("3", "Sri").await;

    // B-001 is called at 09:00 and served; two minutes on, B-002 comes.
    kiosk.issue("bpjs", None).await;
    counter.call_next("3").await;
    counter
        .ok(json!({"type":"start_serving","counter":"3"}))
        .await;
    hub.clock.advance(Duration::from_secs(120));
    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs","priority":null}))
        .await;
    // Nobody ahead, but the counter is busy: 300 s − 120 s done + 15 s gap = 195 s ≈ 3 min.
    assert_eq!(r["ticket"]["ahead"], 0);
    assert_eq!(r["ticket"]["estimated_wait_min"], 3, "{r}");
    assert_eq!(r["ticket"]["estimated_wait_range"], serde_json::Value::Null);

    // A priority ticket now comes before B-002: the same 3 minutes.
    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs","priority":"lansia"}))
        .await;
    assert_eq!(r["ticket"]["estimated_wait_min"], 3, "{r}");
    hub.stop().await;
}

#[tokio::test]
async fn a_fast_clock_is_for_loopback_and_samples_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, config_text()).unwrap();
    // On loopback it runs: a minute of real time would be an hour of the hall's.
    let mut hub = HubProcess::start(
        &config,
        &dir.path().join("a.db"),
        &[
            "--listen",
            "127.0.0.1:0",
            "--http",
            "off",
            "--time-scale",
            "60",
            "--time-start",
            "2026-12-01T08:00:00+07:00",
        ],
    )
    .await;
    let mut kiosk = common::Raw::connect(hub.addr).await;
    kiosk
        .send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":common::token("kiosk-1")}))
        .await;
    let w = kiosk.recv().await;
    assert_eq!(w["hall"]["day"], "2026-12-01", "{w}");
    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs","priority":null}))
        .await;
    let first =
        chrono::DateTime::parse_from_rfc3339(r["ticket"]["issued_at"].as_str().unwrap()).unwrap();
    // Issued just after 08:00 of the day the clock was started at.
    assert_eq!(first.format("%Y-%m-%d %H").to_string(), "2026-12-01 08");
    let real = std::time::Instant::now();
    // Until the hall's clock has moved a minute: a real second at 60×.
    let second = loop {
        let r = kiosk
            .ok(json!({"type":"issue_ticket","service":"bpjs","priority":null}))
            .await;
        let t = chrono::DateTime::parse_from_rfc3339(r["ticket"]["issued_at"].as_str().unwrap())
            .unwrap();
        if (t - first).num_seconds() >= 60 {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let real = real.elapsed().as_secs_f64();
    let hall = (second - first).num_milliseconds() as f64 / 1000.0;
    assert!(real < 5.0, "a hall minute took {real} s of real time");
    assert!(hall >= 60.0);
    hub.child.kill().await.unwrap();

    // Listening beyond loopback with real tokens: refused, in words.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        // Hubs of tests and benchmarks run side by side: none takes the console's port.
        .env("ANTRE_CONSOLE", "off")
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("b.db"))
        .args([
            "--listen",
            "0.0.0.0:0",
            "--http",
            "off",
            "--time-scale",
            "60",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing --time-scale on 0.0.0.0:0") && err.contains("kiosk-1"),
        "{err}"
    );
    // A scale that makes no sense.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        // Hubs of tests and benchmarks run side by side: none takes the console's port.
        .env("ANTRE_CONSOLE", "off")
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("c.db"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--http",
            "off",
            "--time-scale",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--time-scale 0: give a number from 1 to 10000"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config_text() -> String {
    // Without hours: the clock starts before the hall opens otherwise.
    config().replace("hours = \"08:00-15:00\"\n", "")
}
