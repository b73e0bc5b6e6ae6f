//! The hall protocol against a real hub: real TCP on loopback, a real SQLite file.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn config() -> String {
    hall_config(150, "")
}

#[tokio::test]
async fn welcome_has_the_contract_fields_and_a_snapshot() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    admin.issue("ktp", None).await;
    let (_, w) = hub.connect_since("display-1", 0).await;
    assert_eq!(w["protocol"], 1);
    assert_eq!(w["device"], "display-1");
    assert_eq!(w["role"], "display");
    assert_eq!(w["zone"], Value::Null);
    assert_eq!(w["hall"]["name"], "MPP Uji");
    assert_eq!(w["hall"]["day"], "2026-11-27");
    let ktp = &w["hall"]["services"][0];
    assert_eq!(ktp["id"], "ktp");
    assert_eq!(ktp["daily_quota"], 150);
    assert_eq!(ktp["hours"], "08:00-15:00");
    assert_eq!(ktp["open"], true);
    assert_eq!(w["hall"]["services"][2]["daily_quota"], Value::Null);
    assert_eq!(w["hall"]["counters"][0]["services"], json!(["ktp", "kk"]));
    let t = &w["snapshot"]["tickets"][0];
    assert_eq!(t["code"], "A-001");
    assert_eq!(t["status"], "waiting");
    assert_eq!(t["issued_at"], "2026-11-27T09:00:00.000+07:00");
    assert_eq!(w["snapshot"]["counters"].as_array().unwrap().len(), 3);
    assert_eq!(
        w["snapshot"]["counters"][0],
        json!({"id":"1","open":false,"officer":null,"current":null,"paused":null})
    );
    // day_started, ticket_issued
    assert_eq!(w["seq"], 2);
    hub.stop().await;
}

#[tokio::test]
async fn a_ticket_goes_through_its_whole_life() {
    let hub = TestHub::start(&config()).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut counter = hub.connect("counter-1").await;
    let mut display = hub.connect("display-1").await;

    let r = kiosk
        .ok(json!({"type":"issue_ticket","service":"ktp","priority":null}))
        .await;
    let t = &r["ticket"];
    assert_eq!(t["code"], "A-001");
    assert_eq!(t["number"], 1);
    assert_eq!(t["day"], "2026-11-27");
    assert_eq!(t["ahead"], 0);
    assert_eq!(t["estimated_wait_min"], 0);
    assert_eq!(t["recalls"], 0);
    assert_eq!(t["called_at"], Value::Null);

    counter
        .err(json!({"type":"call_next","counter":"1"}), "counter_closed")
        .await;
    let r = counter
        .ok(json!({"type":"open_counter","counter":"1","officer":"Sri"}))
        .await;
    assert_eq!(
        r["counter"],
        json!({"id":"1","open":true,"officer":"Sri","current":null,"paused":null})
    );
    counter
        .err(json!({"type":"recall","counter":"1"}), "no_current_ticket")
        .await;

    hub.clock.advance(Duration::from_secs(65));
    let r = counter.ok(json!({"type":"call_next","counter":"1"})).await;
    assert_eq!(r["ticket"]["status"], "called");
    assert_eq!(r["ticket"]["counter"], "1");
    assert_eq!(r["ticket"]["called_at"], "2026-11-27T09:01:05.000+07:00");
    let r = counter.ok(json!({"type":"recall","counter":"1"})).await;
    assert_eq!(r["ticket"]["recalls"], 1);
    counter
        .ok(json!({"type":"start_serving","counter":"1"}))
        .await;
    counter
        .err(json!({"type":"recall","counter":"1"}), "wrong_state")
        .await;
    counter
        .err(json!({"type":"no_show","counter":"1"}), "wrong_state")
        .await;
    let r = counter.ok(json!({"type":"finish","counter":"1"})).await;
    assert_eq!(r["ticket"]["status"], "done");
    counter
        .err(json!({"type":"finish","counter":"1"}), "no_current_ticket")
        .await;
    counter
        .err(json!({"type":"call_next","counter":"1"}), "queue_empty")
        .await;

    // The display heard every change, in order, with consecutive seqs.
    let kinds = [
        "ticket_issued",
        "counter_opened",
        "ticket_called",
        "ticket_recalled",
        "serving_started",
        "ticket_finished",
    ];
    let mut seq = 0;
    for kind in kinds {
        let e = display.event().await;
        assert_eq!(e["kind"], kind, "{e}");
        if seq > 0 {
            assert_eq!(e["seq"].as_u64().unwrap(), seq + 1);
        }
        seq = e["seq"].as_u64().unwrap();
    }
    hub.stop().await;
}

#[tokio::test]
async fn calling_order_priority_at_most_two_in_a_row_then_longest_wait() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    // Normal A-001, A-002 (kk), then priority A-003..A-006; a BPJS ticket is not ours.
    admin.issue("ktp", None).await;
    hub.clock.advance(Duration::from_secs(1));
    admin.issue("kk", None).await;
    admin.issue("bpjs", Some("lansia")).await;
    for p in ["lansia", "disabilitas", "ibu_hamil", "lansia"] {
        hub.clock.advance(Duration::from_secs(1));
        admin.issue("ktp", Some(p)).await;
    }
    admin.open("1", "Sri").await;
    let mut order = vec![];
    for _ in 0..6 {
        order.push(admin.call_next("1").await);
    }
    assert_eq!(
        order,
        ["A-003", "A-004", "A-001", "A-005", "A-006", "A-002"]
    );
    admin
        .err(json!({"type":"call_next","counter":"1"}), "queue_empty")
        .await;
    hub.stop().await;
}

#[tokio::test]
async fn call_next_closes_the_current_ticket_as_the_contract_says() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    for _ in 0..3 {
        admin.issue("ktp", None).await;
    }
    admin.open("1", "Sri").await;
    admin.call_next("1").await; // A-001 called, never came
    admin.call_next("1").await; // no_show
    admin
        .ok(json!({"type":"start_serving","counter":"1"}))
        .await;
    admin.call_next("1").await; // done
    let r = admin
        .ok(json!({"type":"close_counter","counter":"1"}))
        .await; // no_show
    assert_eq!(
        r["counter"],
        json!({"id":"1","open":false,"officer":null,"current":null,"paused":null})
    );
    let (_, w) = hub.connect_since("display-1", 0).await;
    let status: Vec<_> = w["snapshot"]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].clone())
        .collect();
    assert_eq!(status, [json!("no_show"), json!("done"), json!("no_show")]);
    // With the queue empty, call_next leaves the current ticket as it was.
    admin.open("1", "Sri").await;
    admin.issue("ktp", None).await;
    admin.call_next("1").await;
    admin
        .err(json!({"type":"call_next","counter":"1"}), "queue_empty")
        .await;
    let (_, w) = hub.connect_since("display-1", 0).await;
    assert_eq!(w["snapshot"]["counters"][0]["current"]["code"], "A-004");
    assert_eq!(w["snapshot"]["counters"][0]["current"]["status"], "called");
    hub.stop().await;
}

#[tokio::test]
async fn call_ticket_and_transfer_keep_code_and_waiting_time() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    let mut bpjs = hub.connect("counter-3").await;
    let a1 = admin.issue("ktp", None).await; // 09:00
    hub.clock.advance(Duration::from_secs(60));
    admin.issue("bpjs", None).await; // B-001, 09:01
    admin.issue("ktp", None).await;
    admin.open("1", "Sri").await;
    bpjs.open("3", "Budi").await;

    admin
        .err(
            json!({"type":"call_ticket","counter":"1","ticket":"A-099"}),
            "unknown_ticket",
        )
        .await;
    let r = admin
        .ok(json!({"type":"call_ticket","counter":"1","ticket":"a-2"}))
        .await;
    assert_eq!(r["ticket"]["code"], "A-002");
    admin
        .err(
            json!({"type":"call_ticket","counter":"1","ticket":"A-002"}),
            "not_waiting",
        )
        .await;
    admin.call_next("1").await; // A-001; A-002 -> no_show
    admin
        .err(
            json!({"type":"transfer","counter":"1","to_service":"nope"}),
            "unknown_service",
        )
        .await;
    let r = admin
        .ok(json!({"type":"transfer","counter":"1","to_service":"bpjs"}))
        .await;
    let t = &r["ticket"];
    assert_eq!(t["code"], a1);
    assert_eq!(t["service"], "bpjs");
    assert_eq!(t["status"], "waiting");
    assert_eq!(t["issued_at"], "2026-11-27T09:00:00.000+07:00");
    assert_eq!(t["counter"], Value::Null);
    // It waited since 09:00, longer than B-001 (09:01): it is called first at BPJS.
    assert_eq!(t["ahead"], 0);
    assert_eq!(bpjs.call_next("3").await, "A-001");
    assert_eq!(bpjs.call_next("3").await, "B-001");
    hub.stop().await;
}

#[tokio::test]
async fn a_retried_request_id_gets_its_first_reply_and_is_not_executed_again() {
    let hub = TestHub::start(&config()).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let req = json!({"type":"issue_ticket","id":"tap-1","service":"ktp","priority":null});
    let first = kiosk.req_id(req.clone()).await;
    // Even on another connection, and with a different body, the id is this device's.
    let mut again = hub.connect("kiosk-1").await;
    let second = again.req_id(req.clone()).await;
    assert_eq!(first, second);
    let other = again
        .req_id(json!({"type":"issue_ticket","id":"tap-1","service":"bpjs","priority":null}))
        .await;
    assert_eq!(first, other);
    // Errors are remembered too.
    let mut counter = hub.connect("counter-1").await;
    let call = json!({"type":"call_next","id":"c1","counter":"1"});
    assert_eq!(counter.req_id(call.clone()).await["code"], "counter_closed");
    counter.open("1", "Sri").await;
    assert_eq!(counter.req_id(call).await["code"], "counter_closed");
    // Another device may use the same id.
    let mut kiosk2 = hub.connect("kiosk-2").await;
    assert_eq!(kiosk2.req_id(req).await["ticket"]["code"], "A-002");
    hub.stop().await;
}

#[tokio::test]
async fn resume_sends_exactly_the_missed_events_in_order() {
    let hub = TestHub::start(&config()).await;
    let (display, w) = hub.connect_since("display-1", 0).await;
    let seen = w["seq"].as_u64().unwrap();
    drop(display);
    let mut admin = hub.connect("admin").await;
    admin.issue("ktp", None).await;
    admin.open("1", "Sri").await;
    admin.call_next("1").await;
    let (mut display, w) = hub.connect_since("display-1", seen).await;
    assert_eq!(w["snapshot"], Value::Null);
    assert_eq!(w["seq"].as_u64().unwrap(), seen + 3);
    let kinds: Vec<Value> = [
        display.event().await,
        display.event().await,
        display.event().await,
    ]
    .iter()
    .enumerate()
    .map(|(i, e)| {
        assert_eq!(e["seq"].as_u64().unwrap(), seen + 1 + i as u64);
        e["kind"].clone()
    })
    .collect();
    assert_eq!(
        kinds,
        [
            json!("ticket_issued"),
            json!("counter_opened"),
            json!("ticket_called")
        ]
    );
    // And then live, no gap.
    admin.ok(json!({"type":"recall","counter":"1"})).await;
    let e = display.event().await;
    assert_eq!(
        (e["seq"].as_u64().unwrap(), e["kind"].clone()),
        (seen + 4, json!("ticket_recalled"))
    );

    // A since from the future, or one the hub cannot resume from: a snapshot.
    let (_, w) = hub.connect_since("display-1", 9999).await;
    assert!(w["snapshot"]["tickets"].is_array());
    hub.stop().await;
}

#[tokio::test]
async fn a_new_day_restarts_numbering_and_closes_counters() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    admin.issue("ktp", None).await;
    admin.issue("kk", None).await;
    admin.open("1", "Sri").await;
    let (mut display, w) = hub.connect_since("display-1", 0).await;
    let yesterday_seq = w["seq"].as_u64().unwrap();

    hub.clock.set(jakarta(9, 0) + chrono::Duration::days(1));
    hub.hub.tick();
    let e = display.event().await;
    assert_eq!(e["kind"], "day_started");
    assert_eq!(e["day"], "2026-11-28");
    // Numbers restart at 1, per prefix.
    assert_eq!(admin.issue("kk", None).await, "A-001");
    // Yesterday's open counter is closed today.
    admin
        .err(json!({"type":"call_next","counter":"1"}), "counter_closed")
        .await;
    // Yesterday's seq cannot be resumed: a snapshot of today.
    let (_, w) = hub.connect_since("display-1", yesterday_seq).await;
    assert_eq!(w["hall"]["day"], "2026-11-28");
    assert_eq!(w["snapshot"]["tickets"].as_array().unwrap().len(), 1);
    hub.stop().await;
}

#[tokio::test]
async fn quota_and_hours_refuse_and_record_unmet_demand() {
    let hub = TestHub::start(&hall_config(2, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk.issue("ktp", None).await;
    kiosk.issue("ktp", Some("lansia")).await;
    let r = kiosk
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "quota_exhausted",
        )
        .await;
    assert!(r["message"].as_str().unwrap().contains("quota of 2"), "{r}");
    // A transfer into a service does not count against its quota; another service is fine.
    kiosk.issue("kk", None).await;
    hub.clock.set(jakarta(15, 0));
    let r = kiosk
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "service_closed",
        )
        .await;
    assert!(
        r["message"].as_str().unwrap().contains("08:00-15:00"),
        "{r}"
    );
    hub.clock.set(jakarta(7, 59));
    kiosk
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "service_closed",
        )
        .await;
    let (_, w) = hub.connect_since("display-1", 0).await;
    assert_eq!(w["hall"]["services"][0]["open"], false);
    assert_eq!(w["hall"]["services"][1]["open"], true);

    let conn = rusqlite::Connection::open(&hub.db).unwrap();
    let unmet: Vec<(String, String, String)> = conn
        .prepare("SELECT service, reason, device FROM unmet_demand ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expect = |reason: &str| ("ktp".to_owned(), reason.to_owned(), "kiosk-1".to_owned());
    assert_eq!(
        unmet,
        vec![
            expect("quota_exhausted"),
            expect("service_closed"),
            expect("service_closed")
        ]
    );
    hub.stop().await;
}

#[tokio::test]
async fn kiosk_rate_limit_when_configured() {
    let hub = TestHub::start(&hall_config(150, "kiosk_tickets_per_minute = 3")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    for _ in 0..3 {
        kiosk.issue("kk", None).await;
    }
    kiosk
        .err(
            json!({"type":"issue_ticket","service":"kk","priority":null}),
            "rate_limited",
        )
        .await;
    // Another kiosk is not affected; a minute later this one may issue again.
    hub.connect("kiosk-2").await.issue("kk", None).await;
    hub.clock.advance(Duration::from_secs(61));
    kiosk.issue("kk", None).await;
    hub.stop().await;
}

#[tokio::test]
async fn survey_and_aspiration_rules() {
    let hub = TestHub::start(&config()).await;
    let mut admin = hub.connect("admin").await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let code = admin.issue("ktp", None).await;
    let answers = json!([4, 3, 4, 4, 3, 4, 4, 3, 2]);
    kiosk
        .err(
            json!({"type":"survey","ticket":code,"answers":answers}),
            "not_served",
        )
        .await;
    kiosk
        .err(
            json!({"type":"survey","ticket":"A-404","answers":answers}),
            "unknown_ticket",
        )
        .await;
    admin.open("1", "Sri").await;
    admin.call_next("1").await;
    admin.ok(json!({"type":"finish","counter":"1"})).await;
    kiosk
        .ok(json!({"type":"survey","ticket":code,"answers":answers}))
        .await;
    kiosk
        .err(
            json!({"type":"survey","ticket":code,"answers":answers}),
            "already_rated",
        )
        .await;
    kiosk
        .err(
            json!({"type":"survey","ticket":code,"answers":[1,2,3,4,5,1,1,1,1]}),
            "invalid_request",
        )
        .await;
    kiosk
        .ok(json!({"type":"aspiration","kind":"missing_service","text":"Layanan paspor"}))
        .await;
    kiosk
        .err(
            json!({"type":"aspiration","kind":"missing_service","text":""}),
            "invalid_request",
        )
        .await;
    kiosk
        .err(
            json!({"type":"aspiration","kind":"praise","text":"bagus"}),
            "invalid_request",
        )
        .await;
    let conn = rusqlite::Connection::open(&hub.db).unwrap();
    let row: (String, i64, i64) = conn
        .query_row("SELECT service, u1, u9 FROM surveys", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(row, ("ktp".into(), 4, 2));
    hub.stop().await;
}

#[tokio::test]
async fn roles_and_counters_are_enforced() {
    let hub = TestHub::start(&config()).await;
    let mut display = hub.connect("display-1").await;
    display
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "forbidden",
        )
        .await;
    display.ok(json!({"type":"ping"})).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk
        .err(
            json!({"type":"open_counter","counter":"1","officer":"Calo"}),
            "forbidden",
        )
        .await;
    let mut counter = hub.connect("counter-1").await;
    counter
        .err(
            json!({"type":"open_counter","counter":"2","officer":"Sri"}),
            "forbidden",
        )
        .await;
    counter
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "forbidden",
        )
        .await;
    counter
        .ok(json!({"type":"open_counter","counter":"1","officer":"Sri"}))
        .await;
    let mut admin = hub.connect("admin").await;
    admin
        .err(
            json!({"type":"open_counter","counter":"9","officer":"Sri"}),
            "unknown_counter",
        )
        .await;
    admin
        .err(
            json!({"type":"issue_ticket","service":"paspor","priority":null}),
            "unknown_service",
        )
        .await;
    admin
        .ok(json!({"type":"open_counter","counter":"2","officer":"Admin"}))
        .await;
    hub.stop().await;
}

#[tokio::test]
async fn bad_input_gets_its_code_and_the_hub_keeps_serving_others() {
    let hub = TestHub::start(&config()).await;
    let mut bystander = hub.connect("kiosk-2").await;

    // Malformed JSON: invalid_request, the connection stays open.
    let mut c = hub.connect("kiosk-1").await;
    c.send_raw(b"{this is not json\n").await;
    let r = c.recv().await;
    assert_eq!(
        (r["type"].clone(), r["code"].clone()),
        (json!("error"), json!("invalid_request"))
    );
    c.send_raw(b"{\"type\":\"launch\",\"id\":\"x1\"}\n").await;
    let r = c.recv().await;
    assert_eq!(
        (r["code"].clone(), r["id"].clone()),
        (json!("invalid_request"), json!("x1"))
    );
    c.send_raw(b"[1,2,3]\n").await;
    assert_eq!(c.recv().await["code"], "invalid_request");
    c.ok(json!({"type":"ping"})).await;

    // A 100 KB line: too_large, and that connection is closed.
    let mut big = format!(
        "{{\"type\":\"aspiration\",\"id\":\"big\",\"kind\":\"suggestion\",\"text\":\"{}\"}}\n",
        "x".repeat(100_000)
    )
    .into_bytes();
    c.send_raw(&big).await;
    let r = c.recv().await;
    assert_eq!(r["code"], "too_large");
    assert!(
        c.try_recv().await.is_none(),
        "the connection must be closed"
    );
    // Exactly 65,536 bytes is still a line.
    let mut c = hub.connect("kiosk-1").await;
    let head = "{\"type\":\"ping\",\"id\":\"edge\",\"pad\":\"";
    let pad = 65_536 - head.len() - 2;
    big = format!("{head}{}\"}}\n", "y".repeat(pad)).into_bytes();
    assert_eq!(big.len(), 65_537);
    c.send_raw(&big).await;
    assert_eq!(c.recv().await["type"], "ok");

    // Wrong token; unknown device; anything before hello; another protocol.
    for hello in [
        json!({"type":"hello","protocol":1,"device":"kiosk-1","token":"kiosk-1-token-0123456780","since":0}),
        json!({"type":"hello","protocol":1,"device":"nobody","token":"kiosk-1-token-0123456789","since":0}),
        json!({"type":"issue_ticket","id":"sneaky","service":"ktp","priority":null}),
        json!({"type":"hello","protocol":2,"device":"kiosk-1","token":"kiosk-1-token-0123456789","since":0}),
    ] {
        let mut c = Raw::connect(hub.addr).await;
        c.send(&hello).await;
        let r = c.recv().await;
        let code = if hello["protocol"] == 2 {
            "unsupported_protocol"
        } else {
            "unauthorized"
        };
        assert_eq!(r["code"], code, "{hello} -> {r}");
        assert!(c.try_recv().await.is_none(), "closed after {hello}");
    }
    let mut c = Raw::connect(hub.addr).await;
    c.send_raw(b"garbage\n").await;
    assert_eq!(c.recv().await["code"], "unauthorized");

    // Through all that, everyone else was served.
    assert_eq!(bystander.issue("ktp", None).await, "A-001");
    hub.stop().await;
}

#[tokio::test]
async fn a_device_that_stops_reading_is_dropped_and_others_are_not_held_up() {
    stalled_display_is_cut_off("client_buffer_events = 16\nclient_send_buffer_bytes = 4096").await;
}

/// 400 events of ~700 bytes (280 KB) are far fewer than the 4,096 a connection may fall
/// behind, but a display's backlog holds at most 64 KiB (its send buffer being smaller): a
/// display that stops reading holds up that much, not thousands of events.
#[tokio::test]
async fn a_display_that_stops_reading_is_dropped_when_its_backlog_is_full() {
    stalled_display_is_cut_off("client_send_buffer_bytes = 4096").await;
}

/// A display with a tiny receive window stops reading while 400 tickets are issued: a
/// healthy display beside it gets all 400 in order, and the stalled one, once it reads what
/// it was sent, ends in `too_slow` and a close.
async fn stalled_display_is_cut_off(limits: &str) {
    let hub = TestHub::start(&hall_config(5000, limits)).await;
    // A display with a tiny receive window that never reads.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(hub.addr).await.unwrap();
    let (r, mut w) = stream.into_split();
    let hello = json!({"type":"hello","protocol":1,"device":"display-1","token":token("display-1"),"since":0});
    tokio::io::AsyncWriteExt::write_all(&mut w, format!("{hello}\n").as_bytes())
        .await
        .unwrap();

    // A healthy display, reading as it goes.
    let mut display = hub.connect("display-1").await;
    let healthy = tokio::spawn(async move {
        let first = display.event().await["seq"].as_u64().unwrap();
        for i in 1..400 {
            assert_eq!(display.event().await["seq"].as_u64().unwrap(), first + i);
        }
    });
    let mut admin = hub.connect("admin").await;
    for _ in 0..400 {
        admin.issue("kk", None).await;
    }
    // The healthy display got all 400, in order.
    healthy.await.unwrap();
    // The stalled one was cut off: reading what it has ends in too_slow and a close.
    let mut slow = tokio::io::BufReader::new(r);
    let mut last = String::new();
    loop {
        let mut line = String::new();
        match tokio::time::timeout(
            PATIENCE,
            tokio::io::AsyncBufReadExt::read_line(&mut slow, &mut line),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(_)) => last = line,
            Err(_) => panic!("the stalled display was never dropped"),
        }
    }
    let last: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(last["code"], "too_slow", "{last}");
    hub.stop().await;
}

#[tokio::test]
async fn displays_joining_while_tickets_are_issued_miss_none_and_repeat_none() {
    let hub = TestHub::start(&hall_config(5000, "")).await;
    // A kiosk issues 300 tickets, one event each, while displays come and go.
    let mut admin = hub.connect("admin").await;
    const ISSUES: u64 = 300;
    let issuing = tokio::spawn(async move {
        for _ in 0..ISSUES {
            admin.issue("kk", None).await;
        }
        admin
    });
    let mut joined = vec![];
    for round in 0..20 {
        let (mut display, welcome) = hub.connect_since("display-1", 0).await;
        let from = welcome["seq"].as_u64().unwrap();
        // Some with a request of their own in between: the reply comes whole, among the
        // events, and the events around it stay in order.
        if round % 2 == 0 {
            let r = display.req(json!({"type":"ping"})).await;
            assert_eq!(r["type"], "ok", "{r}");
        }
        let first = display.event().await;
        assert_eq!(
            first["seq"].as_u64().unwrap(),
            from + 1,
            "round {round}: {first}"
        );
        joined.push((display, from + 2));
    }
    let mut admin = issuing.await.unwrap();
    let end = admin.ok(json!({"type":"ping"})).await;
    assert_eq!(end["type"], "ok");
    // The hall's last seq: a fresh display's welcome says it.
    let (_, welcome) = hub.connect_since("display-1", 0).await;
    let last = welcome["seq"].as_u64().unwrap();
    assert!(last >= ISSUES, "{welcome}");
    // Every display that joined has every event after its welcome, once, in order.
    for (mut display, mut next) in joined {
        while next <= last {
            let e = display.event().await;
            assert_eq!(e["seq"].as_u64().unwrap(), next, "{e}");
            next += 1;
        }
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_hello_timeout() {
    let hub = TestHub::start(&hall_config(150, "hello_timeout_secs = 1")).await;
    let mut c = Raw::connect(hub.addr).await;
    let r = c.recv().await;
    assert_eq!(r["code"], "unauthorized");
    assert!(c.try_recv().await.is_none());
    hub.stop().await;
}

#[tokio::test]
async fn a_hello_that_does_not_parse_says_what_is_wrong() {
    let hub = TestHub::start(&hall_config(150, "")).await;
    let mut c = Raw::connect(hub.addr).await;
    c.send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":-5}))
        .await;
    let r = c.recv().await;
    assert_eq!(r["code"], "invalid_request", "{r}");
    let m = r["message"].as_str().unwrap();
    assert!(m.starts_with("bad hello:") && m.contains("-5"), "{m}");
    assert!(c.try_recv().await.is_none());
    hub.stop().await;
}

#[tokio::test]
async fn connections_over_the_cap_are_refused_with_busy() {
    let hub = TestHub::start(&hall_config(150, "max_connections = 2")).await;
    let _a = hub.connect("kiosk-1").await;
    let _b = hub.connect("kiosk-2").await;
    // Connecting costs no device's place; saying hello over the cap is refused.
    let mut c = Raw::connect(hub.addr).await;
    c.send(
        &json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":0}),
    )
    .await;
    assert_eq!(c.recv().await["code"], "busy");
    assert!(c.try_recv().await.is_none());
    drop(_a);
    // The slot frees when the first connection's task ends; retry until then.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let mut c = Raw::connect(hub.addr).await;
        c.send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":0})).await;
        if c.recv().await["type"] == "welcome" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slot never freed"
        );
        tokio::task::yield_now().await;
    }
    hub.stop().await;
}

#[tokio::test]
async fn a_kiosk_printer_problem_reaches_everyone_once_and_is_in_the_snapshot() {
    let hub = TestHub::start(&config()).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut counter = hub.connect("counter-1").await;
    kiosk
        .ok(json!({"type":"device_status","printer":"paper_out","message":"Kertas habis"}))
        .await;
    let e = counter.event().await;
    assert_eq!(e["kind"], "device_status");
    assert_eq!(e["device"], "kiosk-1");
    assert_eq!(e["printer"], "paper_out");
    assert_eq!(e["message"], "Kertas habis");

    // The same state again is stored but not broadcast; the next change is.
    kiosk
        .ok(json!({"type":"device_status","printer":"paper_out","message":"Kertas habis"}))
        .await;
    kiosk
        .ok(json!({"type":"device_status","printer":"paper_near_end"}))
        .await;
    let e = counter.event().await;
    assert_eq!(e["printer"], "paper_near_end");
    assert_eq!(e.get("message"), None);

    let (_, w) = hub.connect_since("display-1", 0).await;
    assert_eq!(w["snapshot"]["devices"][0]["device"], "kiosk-1");
    assert_eq!(w["snapshot"]["devices"][0]["printer"], "paper_near_end");

    // Only kiosks (and admin) report; an unknown state is invalid.
    counter
        .err(json!({"type":"device_status","printer":"ok"}), "forbidden")
        .await;
    kiosk
        .err(
            json!({"type":"device_status","printer":"on_fire"}),
            "invalid_request",
        )
        .await;
    hub.stop().await;
}
