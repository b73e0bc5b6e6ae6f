//! One estimate: what the kiosk's service tile says before a visitor taps equals what the hub
//! says for the ticket issued at that moment, with 0, 1 and 3 counters open, and with none
//! open both say so in words instead of "segera dipanggil".
//!
//! The figures are worked out by hand from the sample hall and the forecast's rules: KTP
//! Elektronik has a standard time of 10 minutes (600 s) and no ticket has closed yet, so a
//! visit is taken at 600 s (the hall's pace is 1 while nothing is seen), an officer's gap at
//! 15 s, the spread of one visit at 0.5; counters 1, 2 and 25 serve it (1 and 2 serve KK
//! too, where nobody waits). Priority tickets to come are at the prior share of 0.1 over at
//! least half an hour: the first would come hours after the waits here.

use antre_client::{Client, Update};
use antre_core::domain::estimate::{self, NO_COUNTER_OPEN};
use antre_core::proto::{Request, Ticket};
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_kiosk::model;
use chrono::NaiveTime;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const PATIENCE: Duration = Duration::from_secs(10);

/// Applies updates until the view has every event the hub committed.
async fn caught_up(client: &Client, updates: &mut UnboundedReceiver<Update>, hub: &TestHub) {
    let target = hub.hub.committed_seq();
    while client.with_view(|v| v.seq) < target || !client.is_online() {
        tokio::time::timeout(PATIENCE, updates.recv())
            .await
            .expect("the kiosk hears the hub in time")
            .expect("the client runs");
    }
}

/// The KTP tile's estimate, as the kiosk shows it.
fn tile(kiosk: &Client) -> String {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    kiosk.with_view(|v| {
        let ktp = model::services(v, "dukcapil", &[], nine, false, &antre_kiosk::words::Names)
            .into_iter()
            .find(|s| s.id == "dukcapil-ktp")
            .expect("the KTP tile");
        ktp.estimate
    })
}

async fn issue(kiosk: &Client) -> Ticket {
    kiosk
        .request(Request::IssueTicket {
            services: vec![],
            service: "dukcapil-ktp".into(),
            priority: None,
        })
        .await
        .expect("a ticket")
        .ticket
        .expect("the ticket in the reply")
}

async fn open(admin: &Client, counter: &str) {
    admin
        .request(Request::OpenCounter {
            counter: counter.into(),
            officer: "Sri".into(),
        })
        .await
        .expect("the counter opens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tile_and_the_ticket_give_the_hubs_one_estimate() {
    let config = sample_config();
    let hub = TestHub::start(&config).await;
    let (kiosk, mut updates) = Client::start(device_settings(&config, &hub, "kiosk-1"));
    let (admin, _admin_updates) = Client::start(device_settings(&config, &hub, "admin"));

    // No counter open: nobody can promise a wait, and both places say so.
    caught_up(&kiosk, &mut updates, &hub).await;
    assert_eq!(tile(&kiosk), NO_COUNTER_OPEN);
    for expected_ahead in 0..3 {
        let before = tile(&kiosk);
        let t = issue(&kiosk).await;
        let e = t.estimate().expect("the hub's estimate at issue");
        assert_eq!((e.ahead, e.counters_open), (expected_ahead, 0));
        assert_eq!(estimate::describe(&e, false).1, before);
        assert_ne!(
            estimate::describe(&e, false).1,
            "Anda akan segera dipanggil"
        );
        caught_up(&kiosk, &mut updates, &hub).await;
    }

    // One counter open, three waiting: it calls them at 0, 615 and 1230 s, the new ticket at
    // 1845 s = 30.75 min → 31. Three visits before it at one counter: a spread of
    // 0.1 + 0.5 ÷ √3 = 0.389, so 31 × 0.611 = 18.9 → 20 and 31 × 1.389 = 43.1 → 45.
    open(&admin, "1").await;
    caught_up(&kiosk, &mut updates, &hub).await;
    assert_eq!(tile(&kiosk), "Perkiraan tunggu: sekitar 20–45 menit");
    let t = issue(&kiosk).await;
    assert_eq!(
        (t.ahead, t.estimated_wait_min, t.counters_open),
        (Some(3), Some(31), Some(1))
    );
    assert_eq!(t.estimated_wait_range, Some([20, 45]));
    assert_eq!(
        estimate::describe(&t.estimate().unwrap(), false).1,
        "Perkiraan tunggu: sekitar 20–45 menit"
    );
    caught_up(&kiosk, &mut updates, &hub).await;

    // Three counters open, four waiting: they call three at 0 s, counter 1 the fourth at
    // 615 s, and counter 2, free at 615 s with nobody left, the new ticket: 10.25 → 10 min.
    // Visits before it: 2 + 1 + 1 over 3 counters = 1.33: a spread of 0.1 + 0.5 ÷ √1.33 =
    // 0.533, so 10 × 0.467 = 4.7 → 5 and 10 × 1.533 = 15.3 → 15.
    open(&admin, "2").await;
    open(&admin, "25").await;
    caught_up(&kiosk, &mut updates, &hub).await;
    assert_eq!(tile(&kiosk), "Perkiraan tunggu: sekitar 5–15 menit");
    let figures = kiosk.with_view(|v| v.figures("dukcapil-ktp").cloned().unwrap());
    assert_eq!((figures.waiting, figures.issued), (4, 4));
    let t = issue(&kiosk).await;
    assert_eq!(
        (t.ahead, t.estimated_wait_min, t.counters_open),
        (Some(4), Some(10), Some(3))
    );
    assert_eq!(t.estimated_wait_range, Some([5, 15]));
    caught_up(&kiosk, &mut updates, &hub).await;
    // The kiosk's figures after the issue are the hub's: five issued against the quota.
    let figures = kiosk.with_view(|v| v.figures("dukcapil-ktp").cloned().unwrap());
    assert_eq!((figures.waiting, figures.issued, figures.ahead), (5, 5, 5));
    // Five waiting: counters 1 and 2 take two each, counter 25 one; at 615 s counter 25 has
    // nobody left: the new ticket at 10 min again, 5 visits before it over 3 counters: a
    // spread of 0.1 + 0.5 ÷ √1.67 = 0.487 → 5.1 → 5 and 14.9 → 15.
    assert_eq!(tile(&kiosk), "Perkiraan tunggu: sekitar 5–15 menit");

    drop((kiosk, admin));
    hub.stop().await;
}
