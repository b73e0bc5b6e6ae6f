//! The visitor's day on the hub (PROTOCOL.md, "Additions of 2026-12"): counter pauses and
//! cancelled tickets, over real TCP on loopback and real HTTP.

mod common;
mod webcommon;

use common::*;
use serde_json::{json, Value};
use webcommon::Http;

/// The report of the test hall's day (2026-11-27), read from the hub's file.
fn report_of_the_day(hub: &TestHub) -> antre_hub::report::Report {
    let cfg = antre_hub::config::Config::parse(&hall_config(100, "")).unwrap();
    let conn = antre_hub::report::open(&hub.db).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    antre_hub::report::Report::read(&conn, &cfg, day, day).unwrap()
}

/// The next event of `kind` on `c`, skipping others.
async fn event_of(c: &mut Raw, kind: &str) -> Value {
    loop {
        let e = c.event().await;
        if e["kind"] == kind {
            return e;
        }
    }
}

#[tokio::test]
async fn a_counter_pauses_only_without_a_ticket_and_calls_nobody_while_paused() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut c2 = hub.connect("counter-2").await;
    let mut display = hub.connect("display-1").await;
    c1.open("1", "Sri").await;
    let a1 = kiosk.issue("ktp", None).await;
    let a2 = kiosk.issue("ktp", None).await;
    assert_eq!(c1.call_next("1").await, a1);

    // With a current ticket: wrong_state, and the officer is told which.
    let r = c1
        .err(
            json!({"type":"pause_counter","counter":"1","reason":"salat","until":"12:30"}),
            "wrong_state",
        )
        .await;
    assert!(r["message"].as_str().unwrap().contains("A-001"), "{r}");
    c1.ok(json!({"type":"finish","counter":"1"})).await;

    // Bad end times and other counters' devices are refused.
    c1.err(
        json!({"type":"pause_counter","counter":"1","reason":"salat","until":"25:00"}),
        "invalid_request",
    )
    .await;
    c1.err(
        json!({"type":"pause_counter","counter":"1","reason":"tidur"}),
        "invalid_request",
    )
    .await;
    c2.err(
        json!({"type":"pause_counter","counter":"1","reason":"salat"}),
        "forbidden",
    )
    .await;
    kiosk
        .err(
            json!({"type":"pause_counter","counter":"1","reason":"salat"}),
            "forbidden",
        )
        .await;

    // Paused for the prayer, until 12:30.
    hub.clock.set(jakarta(11, 40));
    let r = c1
        .ok(json!({"type":"pause_counter","counter":"1","reason":"salat","until":"12:30"}))
        .await;
    assert_eq!(
        r["counter"]["paused"],
        json!({"reason":"salat","until":"12:30","since":"2026-11-27T11:40:00.000+07:00"})
    );
    let e = event_of(&mut display, "counter_paused").await;
    assert_eq!(e["counter"], "1");
    assert_eq!(e["state"]["paused"]["reason"], "salat");
    assert_eq!(e["state"]["open"], true);
    // The only open counter for KTP is paused: a new ticket's estimate knows it.
    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"ktp"}))
        .await;
    assert_eq!(r["ticket"]["counters_open"], 0, "{r}");
    let r = c1
        .err(json!({"type":"call_next","counter":"1"}), "counter_paused")
        .await;
    assert!(
        r["message"].as_str().unwrap().contains("Salat s.d. 12:30"),
        "{r}"
    );
    // A device connecting now sees the pause in its snapshot.
    let (_late, welcome) = hub.connect_since("display-1", 0).await;
    let counter1 = welcome["snapshot"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1")
        .unwrap()
        .clone();
    assert_eq!(counter1["paused"]["until"], "12:30");
    let counter2 = welcome["snapshot"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "2")
        .unwrap()
        .clone();
    assert_eq!(counter2["paused"], Value::Null);

    // Back: resumed, and calling goes on with the next in line.
    hub.clock.set(jakarta(12, 25));
    let r = c1.ok(json!({"type":"resume_counter","counter":"1"})).await;
    assert_eq!(r["counter"]["paused"], Value::Null);
    let e = event_of(&mut display, "counter_resumed").await;
    assert_eq!(e["state"]["paused"], Value::Null);
    // A second press changes nothing.
    c1.ok(json!({"type":"resume_counter","counter":"1"})).await;
    assert_eq!(c1.call_next("1").await, a2);

    // The pauses are stored for the reports: 45 minutes of salat.
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let (reason, until, minutes): (String, String, i64) = db
        .query_row(
            "SELECT reason, until, (end_ms - start_ms) / 60000 FROM counter_pauses",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (reason.as_str(), until.as_str(), minutes),
        ("salat", "12:30", 45)
    );
    // And the report says so, per counter and reason.
    let r = report_of_the_day(&hub);
    assert_eq!(
        serde_json::to_value(&r.pauses).unwrap(),
        json!([{"counter":"1","name":"Loket 1","reason":"salat","pauses":1,"minutes":45.0}])
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_visitor_cancels_with_the_key_and_everyone_behind_moves_up() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let http = Http::new(hub.start_web().await);
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut admin = hub.connect("admin").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut keys = vec![];
    for _ in 0..4 {
        let r = kiosk
            .ok(json!({"type":"issue_ticket","service":"ktp"}))
            .await;
        keys.push(r["ticket"]["key"].as_str().unwrap().to_owned());
    }
    c1.open("1", "Sri").await;
    // A-003 has two ahead of it.
    let before = http.get("/api/v1/tickets/A-003").await.json();
    assert_eq!(before["ahead"], 2, "{before}");

    // A-002's visitor gives up, from the phone. Without its key, or with A-001's: 403.
    let path = "/api/v1/tickets/A-002/cancel";
    let r = http.post(path, "{}").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (403, json!("wrong_key"))
    );
    let r = http
        .post(path, &format!(r#"{{"key":"{}"}}"#, keys[0]))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (403, json!("wrong_key"))
    );
    let still = http.get("/api/v1/tickets/A-002").await.json();
    assert_eq!(still["status"], "waiting");
    let r = http
        .post(path, &format!(r#"{{"key":"{}"}}"#, keys[1]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let gone = http.get("/api/v1/tickets/A-002").await.json();
    assert_eq!(gone["status"], "cancelled", "{gone}");
    // A-003 moved up at once.
    let after = http.get("/api/v1/tickets/A-003").await.json();
    assert_eq!(after["ahead"], 1, "{after}");

    // It is never called: A-001, then A-003.
    assert_eq!(c1.call_next("1").await, "A-001");
    assert_eq!(c1.call_next("1").await, "A-003");
    // A called ticket can no longer be cancelled.
    let r = http
        .post(
            "/api/v1/tickets/A-003/cancel",
            &format!(r#"{{"key":"{}"}}"#, keys[2]),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (409, json!("not_waiting"))
    );

    // An admin cancels A-004 for its visitor; a kiosk may not.
    kiosk
        .err(
            json!({"type":"cancel_ticket","ticket":"A-004"}),
            "forbidden",
        )
        .await;
    let r = admin
        .ok(json!({"type":"cancel_ticket","ticket":"A-004"}))
        .await;
    assert_eq!(r["ticket"]["status"], "cancelled");
    assert!(r["ticket"].get("key").is_none(), "{r}");
    c1.err(json!({"type":"call_next","counter":"1"}), "queue_empty")
        .await;

    // A client written from the first contract sees only the statuses it knows: the
    // snapshot leaves the cancelled tickets out (and their event has a kind it skips).
    let (_old, welcome) = hub.connect_since("display-1", 0).await;
    let statuses: Vec<&str> = welcome["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    // A-001 was called and passed over by the next call (not present), A-003 is called.
    assert_eq!(statuses, ["no_show", "called"], "{welcome}");
    // The report counts the two cancelled tickets apart from the one not present.
    let r = report_of_the_day(&hub);
    assert_eq!(
        (r.totals.issued, r.totals.no_show, r.totals.cancelled),
        (4, 1, 2)
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_visit_goes_on_to_its_next_service_in_the_order_it_finished() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut c3 = hub.connect("counter-3").await;
    let mut display = hub.connect("display-1").await;
    c1.open("1", "Sri").await;
    c3.open("3", "Budi").await;

    // 09:00 a visit for a KTP, then BPJS: one ticket, numbered by its first service.
    let r = kiosk
        .ok(json!({"type":"issue_ticket","services":["ktp","bpjs"]}))
        .await;
    let t = &r["ticket"];
    assert_eq!(t["code"], "A-001");
    assert_eq!(t["service"], "ktp");
    assert_eq!(t["visit"], json!(["ktp", "bpjs"]));
    assert_eq!(t["step"], 0);
    assert_eq!(t["queued_at"], "2026-11-27T09:00:00.000+07:00");
    // 09:01 someone for BPJS only: before the visit's turn there.
    hub.clock.set(jakarta(9, 1));
    assert_eq!(kiosk.issue("bpjs", None).await, "B-001");

    // 09:10 Loket 1 calls the visit, 09:20 finishes the KTP: it waits for BPJS from 09:20.
    hub.clock.set(jakarta(9, 10));
    assert_eq!(c1.call_next("1").await, "A-001");
    hub.clock.set(jakarta(9, 20));
    let r = c1.ok(json!({"type":"finish","counter":"1"})).await;
    let t = &r["ticket"];
    assert_eq!(
        (&t["status"], &t["service"], &t["step"], &t["queued_at"]),
        (
            &json!("waiting"),
            &json!("bpjs"),
            &json!(1),
            &json!("2026-11-27T09:20:00.000+07:00")
        ),
        "{r}"
    );
    // B-001 came before it finished: one ahead.
    assert_eq!(t["ahead"], 1, "{r}");
    let e = event_of(&mut display, "ticket_requeued").await;
    assert_eq!(e["ticket"]["code"], "A-001");
    assert_eq!(e["counter"], "1");
    // Loket 1 is free again.
    let state = c1.ok(json!({"type":"ping"})).await;
    assert_eq!(state["type"], "ok");
    let (_, w) = hub.connect_since("display-1", 0).await;
    assert_eq!(w["snapshot"]["counters"][0]["current"], Value::Null);

    // 09:25 another BPJS visitor, after the finish: behind the visit.
    hub.clock.set(jakarta(9, 25));
    assert_eq!(kiosk.issue("bpjs", None).await, "B-002");
    assert_eq!(c3.call_next("3").await, "B-001");
    assert_eq!(c3.call_next("3").await, "A-001");
    assert_eq!(c3.call_next("3").await, "B-002");
    // A-001 was called and passed over by the next call at BPJS: not present, the end of
    // the visit (its last service).
    let (_, w) = hub.connect_since("display-1", 0).await;
    let a1 = w["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "A-001")
        .unwrap()
        .clone();
    assert_eq!(
        (a1["status"].clone(), a1["step"].clone()),
        (json!("no_show"), json!(1))
    );
    // The report counts A-001's wait at BPJS from 09:20, when it joined that queue: B-001
    // waited 24 min (09:01-09:25), A-001 5 (09:20-09:25), B-002 none; 29 / 3 = 9.67 min.
    let r = report_of_the_day(&hub);
    let bpjs = r.services.iter().find(|s| s.service == "bpjs").unwrap();
    assert!(
        (bpjs.wait_avg_min - 29.0 / 3.0).abs() < 0.01,
        "{}",
        bpjs.wait_avg_min
    );
    // The visit's KTP step is served and counted, though the ticket moved on: issued for
    // KTP, waited 10 min there (09:00–09:10), served by Sri at Loket 1. BPJS issued B-001
    // and B-002 (A-001 was issued for KTP).
    let ktp = r.services.iter().find(|s| s.service == "ktp").unwrap();
    assert_eq!((ktp.issued, ktp.served), (1, 1));
    assert!(
        (ktp.wait_avg_min - 10.0).abs() < 0.01,
        "{}",
        ktp.wait_avg_min
    );
    assert_eq!((bpjs.issued, bpjs.served), (2, 0));
    assert_eq!((r.totals.issued, r.totals.served), (3, 1));
    let sri = r.officers.iter().find(|o| o.officer == "Sri").unwrap();
    assert_eq!((sri.counter.as_str(), sri.served), ("1", 1));
    hub.stop().await;
}

#[tokio::test]
async fn the_last_service_of_a_visit_finishes_it_and_not_present_ends_it() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut c3 = hub.connect("counter-3").await;
    c1.open("1", "Sri").await;
    c3.open("3", "Budi").await;
    kiosk
        .ok(json!({"type":"issue_ticket","services":["bpjs","kk"]}))
        .await;
    kiosk
        .ok(json!({"type":"issue_ticket","services":["bpjs","ktp"]}))
        .await;
    // B-001: BPJS, then KK at Loket 1, where it is finished for good.
    assert_eq!(c3.call_next("3").await, "B-001");
    c3.ok(json!({"type":"finish","counter":"3"})).await;
    assert_eq!(c1.call_next("1").await, "B-001");
    let r = c1.ok(json!({"type":"finish","counter":"1"})).await;
    assert_eq!(r["ticket"]["status"], "done");
    assert_eq!(r["ticket"]["step"], 1);
    // B-002 does not come to BPJS: not present ends the visit; KTP never calls it.
    assert_eq!(c3.call_next("3").await, "B-002");
    let r = c3.ok(json!({"type":"no_show","counter":"3"})).await;
    assert_eq!(r["ticket"]["status"], "no_show");
    c1.err(json!({"type":"call_next","counter":"1"}), "queue_empty")
        .await;
    hub.stop().await;
}

#[tokio::test]
async fn every_service_of_a_visit_is_checked_and_counted_at_issue() {
    // KTP has a quota of 1.
    let hub = TestHub::start(&hall_config(1, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    // KK then KTP: KTP's one ticket goes to this visit.
    let r = kiosk
        .ok(json!({"type":"issue_ticket","services":["kk","ktp"]}))
        .await;
    assert_eq!(r["ticket"]["code"], "A-001");
    // BPJS then KTP: KTP refuses, the error names it, and nothing is issued.
    let r = kiosk
        .err(
            json!({"type":"issue_ticket","services":["bpjs","ktp"]}),
            "quota_exhausted",
        )
        .await;
    assert_eq!(r["service"], "ktp", "{r}");
    assert_eq!(kiosk.issue("bpjs", None).await, "B-001");
    // KTP alone: its quota went to the visit.
    kiosk
        .err(
            json!({"type":"issue_ticket","service":"ktp"}),
            "quota_exhausted",
        )
        .await;
    // Bad visits are refused in words.
    for (visit, code) in [
        (json!(["kk", "kk"]), "invalid_request"),
        (json!(["kk", "bpjs", "kk"]), "invalid_request"),
        (
            json!(["kk", "bpjs", "ktp", "kk", "bpjs"]),
            "invalid_request",
        ),
        (json!([]), "invalid_request"),
    ] {
        kiosk
            .err(json!({"type":"issue_ticket","services":visit}), code)
            .await;
    }
    let r = kiosk
        .err(
            json!({"type":"issue_ticket","services":["bpjs","paspor"]}),
            "unknown_service",
        )
        .await;
    assert_eq!(r["service"], "paspor");
    // The refusals of KTP are unmet demand of KTP.
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let unmet: Vec<(String, String)> = db
        .prepare("SELECT service, reason FROM unmet_demand ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        unmet,
        [
            ("ktp".to_owned(), "quota_exhausted".to_owned()),
            ("ktp".to_owned(), "quota_exhausted".to_owned())
        ]
    );
    hub.stop().await;
}
