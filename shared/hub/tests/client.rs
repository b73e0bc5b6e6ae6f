//! The client library against a real hub: its view follows the hall, it rides out a hub
//! restart, resumes from its last seq, and sends an unanswered request once.

mod common;

use antre_client::{Client, ClientConfig, Status, Update};
use antre_core::proto::Request;
use common::*;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

fn client(hub: &TestHub, device: &str) -> (Client, UnboundedReceiver<Update>) {
    Client::start(ClientConfig {
        hub: hub.addr.to_string(),
        device: device.into(),
        token: token(device),
    })
}

async fn next_update(rx: &mut UnboundedReceiver<Update>) -> Update {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("an update in time")
        .expect("client running")
}

/// The view's tickets and counters equal a fresh snapshot from the hub.
async fn assert_view_matches_hub(c: &Client, hub: &TestHub) {
    let (_, w) = hub.connect_since("display-1", 0).await;
    let snap: antre_core::proto::Snapshot = serde_json::from_value(w["snapshot"].clone()).unwrap();
    let (tickets, mut counters) = c.with_view(|v| v.state());
    let mut expected = snap.counters.clone();
    counters.sort_by(|a, b| a.id.cmp(&b.id));
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(tickets, snap.tickets);
    assert_eq!(counters, expected);
    assert_eq!(c.with_view(|v| v.seq), w["seq"].as_u64().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_follows_the_hall_through_a_hub_restart() {
    let config = hall_config(150, "");
    let hub = TestHub::start(&config).await;
    let (counter, mut updates) = client(&hub, "counter-1");
    assert_eq!(
        next_update(&mut updates).await,
        Update::Online { fresh: true }
    );
    assert!(counter.is_online());
    assert_eq!(
        counter.with_view(|v| v.hall.as_ref().unwrap().name.clone()),
        "MPP Uji"
    );

    let (kiosk, mut kiosk_updates) = client(&hub, "kiosk-1");
    next_update(&mut kiosk_updates).await;
    let ok = kiosk
        .request(Request::IssueTicket {
            services: vec![],
            service: "ktp".into(),
            priority: None,
        })
        .await
        .unwrap();
    assert_eq!(ok.ticket.unwrap().code, "A-001");
    counter
        .request(Request::OpenCounter {
            counter: "1".into(),
            officer: "Sri".into(),
        })
        .await
        .unwrap();
    let called = counter
        .request(Request::CallNext {
            counter: "1".into(),
        })
        .await
        .unwrap();
    assert_eq!(called.ticket.unwrap().code, "A-001");
    // Refusals come back as errors with their code.
    let err = counter
        .request(Request::CallNext {
            counter: "2".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(antre_core::proto::ErrorCode::Forbidden));

    // The events of all that reach the counter's view.
    loop {
        if let Update::Event(e) = next_update(&mut updates).await {
            if e.kind == antre_core::proto::EventKind::TicketCalled {
                break;
            }
        }
    }
    assert_view_matches_hub(&counter, &hub).await;

    // The hub goes away: the client says so.
    let dir = Arc::clone(&hub.dir);
    let (addr, clock) = (hub.addr, hub.clock.clone());
    hub.stop().await;
    match next_update(&mut updates).await {
        Update::Offline(reason) => assert!(!reason.is_empty()),
        u => panic!("expected offline, got {u:?}"),
    }
    assert!(matches!(counter.status(), Status::Offline(_)));

    // A request made while offline waits, and is sent once the hub is back.
    let pending = {
        let kiosk = kiosk.clone();
        tokio::spawn(async move {
            kiosk
                .request(Request::IssueTicket {
                    services: vec![],
                    service: "kk".into(),
                    priority: None,
                })
                .await
        })
    };
    let hub = TestHub::start_in(&config, dir, clock, Some(addr)).await;
    let ticket = tokio::time::timeout(PATIENCE, pending)
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .ticket
        .unwrap();
    assert_eq!(ticket.code, "A-002");
    // The counter resumed (no snapshot) and caught up.
    loop {
        match next_update(&mut updates).await {
            Update::Online { fresh } => assert!(!fresh, "it should resume, not reload"),
            Update::Event(e) if e.ticket.as_ref().is_some_and(|t| t.code == "A-002") => break,
            _ => {}
        }
    }
    assert_view_matches_hub(&counter, &hub).await;
    hub.stop().await;
}

#[tokio::test]
async fn a_refused_device_is_offline_with_the_reason() {
    let hub = TestHub::start(&hall_config(150, "")).await;
    let (c, mut updates) = Client::start(ClientConfig {
        hub: hub.addr.to_string(),
        device: "kiosk-1".into(),
        token: "wrong-token-wrong-token".into(),
    });
    match next_update(&mut updates).await {
        Update::Offline(reason) => assert!(reason.contains("unauthorized"), "{reason}"),
        u => panic!("{u:?}"),
    }
    assert!(!c.is_online());
    hub.stop().await;
}
