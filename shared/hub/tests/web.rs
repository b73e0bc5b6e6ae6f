//! The hall's web pages over real HTTP on loopback: the ticket's JSON and its SSE stream
//! following the queue, the survey and aspirations from a phone, the web display's feed
//! with its token, and clear errors for bad codes, bad tokens and floods.

mod common;
mod webcommon;

use common::{hall_config, jakarta, Connect, TestHub};
use serde_json::json;
use std::net::IpAddr;
use webcommon::Http;

#[tokio::test]
async fn a_phone_follows_its_ticket() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let http = Http::new(web);
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut c2 = hub.connect("counter-2").await;
    c1.open("1", "Sri").await;
    c2.open("2", "Budi").await;

    // Three KTP visitors; the third follows her ticket.
    kiosk.issue("ktp", None).await;
    kiosk.issue("kk", None).await;
    let issued = kiosk
        .ok(json!({"type":"issue_ticket","service":"ktp","priority":null}))
        .await;
    let code = issued["ticket"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "A-003");

    let r = http.get("/api/v1/tickets/A-003").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("application/json"));
    let t = r.json();
    assert_eq!(t["code"], "A-003");
    assert_eq!(t["status"], "waiting");
    assert_eq!(t["service"], "ktp");
    assert_eq!(t["service_name"], "KTP Elektronik");
    // The same figures the hub gave at issue (its SQL), computed here from the live view.
    assert_eq!(t["ahead"], issued["ticket"]["ahead"]);
    assert_eq!(
        t["estimated_wait_min"],
        issued["ticket"]["estimated_wait_min"]
    );
    assert_eq!(
        t["ahead"], 1,
        "A-001 is KTP too; A-002 is KK, another queue"
    );
    assert_eq!(
        t["serving_now"],
        json!([
            {"counter":"1","name":"Loket 1","ticket":null},
            {"counter":"2","name":"Loket 2","ticket":null}
        ])
    );
    // Forgiving codes: a-3 is A-003.
    assert_eq!(
        http.get("/api/v1/tickets/a-3").await.json()["code"],
        "A-003"
    );

    let mut events = http
        .sse("/api/v1/tickets/A-003/events", &[])
        .await
        .ok()
        .unwrap();
    let first = events.next().await;
    assert_eq!(first.event, "ticket");
    assert_eq!(first.json()["ahead"], 1);

    // Counter 1 calls A-001: one fewer ahead, and counter 1 now serves A-001.
    assert_eq!(c1.call_next("1").await, "A-001");
    let e = events.next_of("ticket").await.json();
    assert_eq!(e["ahead"], 0);
    assert_eq!(e["serving_now"][0]["ticket"], "A-001");
    // Counter 2 calls A-002 (KK): A-003's position is unchanged, but what is served is.
    assert_eq!(c2.call_next("2").await, "A-002");
    let e = events.next_of("ticket").await.json();
    assert_eq!(e["ahead"], 0);
    assert_eq!(e["serving_now"][1]["ticket"], "A-002");
    // Counter 1 calls again: A-001 (called, never served) is closed first, then A-003 is
    // called to Loket 1; the phone may see the moment in between, then the call.
    assert_eq!(c1.call_next("1").await, "A-003");
    let mut e = events.next_of("ticket").await.json();
    for _ in 0..3 {
        if e["status"] == "called" {
            break;
        }
        assert_eq!(e["status"], "waiting", "{e}");
        e = events.next_of("ticket").await.json();
    }
    assert_eq!(e["status"], "called");
    assert_eq!(e["counter"], "1");
    assert_eq!(e["counter_name"], "Loket 1");
    assert!(e["ahead"].is_null(), "no position once called: {e}");
    // A recall is sent too (the phone buzzes again).
    c1.ok(json!({"type":"recall","counter":"1"})).await;
    let e = events.next_of("ticket").await.json();
    assert_eq!(e["recalls"], 1);
    hub.stop().await;
}

/// The page's live figures follow the hub's rules: for every ticket, right after issue, the
/// same `ahead` and estimate as the hub's own reply (its SQL), priorities included.
#[tokio::test]
async fn live_figures_equal_the_hubs_at_issue() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let http = Http::new(hub.start_web().await);
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    c1.open("1", "Sri").await;
    // Some history for the median: two served in 4 and 8 minutes.
    for minutes in [4, 8] {
        kiosk.issue("ktp", None).await;
        c1.call_next("1").await;
        c1.ok(json!({"type":"start_serving","counter":"1"})).await;
        hub.clock
            .advance(std::time::Duration::from_secs(minutes * 60));
        c1.ok(json!({"type":"finish","counter":"1"})).await;
    }
    let priorities = [
        None,
        Some("lansia"),
        None,
        None,
        Some("ibu_hamil"),
        Some("disabilitas"),
        None,
    ];
    for (i, p) in priorities.iter().enumerate() {
        hub.clock.advance(std::time::Duration::from_secs(30));
        let service = if i == 3 { "kk" } else { "ktp" };
        let issued = kiosk
            .ok(json!({"type":"issue_ticket","service":service,"priority":p}))
            .await;
        let code = issued["ticket"]["code"].as_str().unwrap();
        let live = http.get(&format!("/api/v1/tickets/{code}")).await.json();
        assert_eq!(live["ahead"], issued["ticket"]["ahead"], "{code}");
        assert_eq!(
            live["estimated_wait_min"], issued["ticket"]["estimated_wait_min"],
            "{code}"
        );
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_counter_open_the_phone_says_so_in_words() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let http = Http::new(web);
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk.issue("ktp", None).await;
    kiosk.issue("ktp", None).await;

    // KTP has no standard time: 300 s a visitor. Counters 1 and 2 serve it; both closed.
    let t = http.get("/api/v1/tickets/A-002").await.json();
    assert_eq!(
        (t["ahead"].as_u64(), t["counters_open"].as_u64()),
        (Some(1), Some(0))
    );
    // The protocol's minutes stay filled (a guess with both counters: 1 × 300 ÷ 2 = 2.5 → 3)…
    assert_eq!(t["estimated_wait_min"], 3);
    // …and the page says why there is no real figure yet, never "segera dipanggil".
    assert_eq!(
        t["wait_text"],
        "Loket belum dibuka — perkiraan dihitung saat loket buka"
    );

    // One counter opens: 1 ahead × 300 s ÷ 1 = 5 min.
    let mut display = hub.connect("display-1").await;
    let mut c1 = hub.connect("counter-1").await;
    c1.open("1", "Sri").await;
    let t = http.get("/api/v1/tickets/A-002").await.json();
    assert_eq!(t["counters_open"], 1);
    assert_eq!(t["estimated_wait_min"], 5);
    assert_eq!(t["wait_text"], "Perkiraan tunggu: ±5 menit");
    // The phone's figure comes from the forecast of each ticket, which devices are not sent:
    // the opening's figures reach a display without `waits`. A new ticket: 2 ahead, each
    // 300 s plus the officer's 15 s between visits, 630 s ≈ 11 min; range 0.1 + 0.5/√2 of
    // it, 6.0–16.0 to the nearest 5: 5–15.
    let opened = display.event().await;
    assert_eq!(opened["kind"], "counter_opened");
    let ktp = opened["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["service"] == "ktp")
        .unwrap()
        .clone();
    assert_eq!(ktp["estimated_wait_min"], 11, "{ktp}");
    assert_eq!(ktp["estimated_wait_range"], json!([5, 15]), "{ktp}");
    assert!(ktp.get("waits").is_none(), "{ktp}");
    hub.stop().await;
}

#[tokio::test]
async fn bad_codes_and_unknown_pages_are_clear_errors() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let http = Http::new(hub.start_web().await);
    let r = http.get("/api/v1/tickets/ZZ").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
    let r = http.get("/api/v1/tickets/A-999").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "unknown_ticket");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Tiket A-999 tidak ditemukan untuk hari ini."));
    let r = http.get("/api/v1/tickets/A-999/events").await;
    assert_eq!(r.status, 404);
    let r = http.get("/t/A-999").await;
    assert_eq!(r.status, 404);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.body.contains("Tiket A-999 tidak ditemukan"), "{}", r.body);
    let r = http.get("/t/%3Cscript%3E").await;
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("<script>"), "escaped: {}", r.body);
    assert_eq!(http.get("/nowhere").await.status, 404);
    let r = http.get("/").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Pantau antrean Anda"));
    hub.stop().await;
}

#[tokio::test]
async fn the_survey_and_aspirations_from_a_phone() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let http = Http::new(hub.start_web().await);
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c3 = hub.connect("counter-3").await;
    c3.open("3", "Dewi").await;
    let issued = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs"}))
        .await;
    let code = issued["ticket"]["code"].as_str().unwrap().to_owned();
    // The key is in the issuing reply, and only there (PROTOCOL.md, "Ticket keys").
    let key = issued["ticket"]["key"].as_str().unwrap().to_owned();
    assert!(
        key.len() >= 16
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{key}"
    );
    let page = http.get(&format!("/api/v1/tickets/{code}")).await;
    assert!(!page.body.contains(&key), "the ticket's JSON has no key");
    let path = format!("/api/v1/tickets/{code}/survey");
    let with_key = |k: &str| format!(r#"{{"answers":[4,4,3,4,3,4,4,3,4],"key":"{k}"}}"#);
    let answers = with_key(&key);
    let answers = answers.as_str();

    // Not served yet.
    let r = http.post(&path, answers).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "not_served");
    c3.call_next("3").await;
    c3.ok(json!({"type":"start_serving","counter":"3"})).await;
    c3.ok(json!({"type":"finish","counter":"3"})).await;

    // Bad bodies.
    let r = http
        .post(&path, &format!(r#"{{"answers":[4,4,4],"key":"{key}"}}"#))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
    let r = http
        .post(
            &path,
            &format!(r#"{{"answers":[5,4,4,4,4,4,4,4,4],"key":"{key}"}}"#),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = http.post(&path, "not json").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");

    // Without the key, or with another: 403, and nothing is used up.
    let r = http.post(&path, r#"{"answers":[4,4,3,4,3,4,4,3,4]}"#).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["error"], "wrong_key");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Kode pada tiket tidak cocok"));
    let last = if key.ends_with('x') { 'y' } else { 'x' };
    let wrong = format!("{}{last}", &key[..key.len() - 1]);
    let r = http.post(&path, &with_key(&wrong)).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["error"], "wrong_key");
    let r = http.post(&path, &with_key("")).await;
    assert_eq!(r.status, 403);

    // With its key: once, then already rated.
    let r = http.post(&path, answers).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = http.post(&path, answers).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "already_rated");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Tiket ini sudah pernah dinilai."));

    let r = http
        .post(
            "/api/v1/aspirations",
            r#"{"kind":"missing_service","text":"Layanan paspor"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = http
        .post("/api/v1/aspirations", r#"{"kind":"gossip","text":"x"}"#)
        .await;
    assert_eq!(r.status, 400);
    let long = format!(r#"{{"kind":"suggestion","text":"{}"}}"#, "a".repeat(2001));
    let r = http.post("/api/v1/aspirations", &long).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");

    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let (device, u3): (String, i64) = db
        .query_row("SELECT device, u3 FROM surveys", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((device.as_str(), u3), ("web", 3));
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM aspirations WHERE device = 'web'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    hub.stop().await;
}

#[tokio::test]
async fn the_web_display_feed_needs_a_display_token() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let http = Http::new(hub.start_web().await);
    let r = http.sse("/api/v1/display/events", &[]).await.err().unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "unauthorized");
    let r = http
        .sse("/api/v1/display/events?token=wrong-token-0123456789", &[])
        .await
        .err()
        .unwrap();
    assert_eq!(r.status, 401);
    let r = http
        .sse(
            "/api/v1/display/events",
            &[("authorization", "Bearer kiosk-1-token-0123456789")],
        )
        .await
        .err()
        .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"], "forbidden");

    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    c1.open("1", "Sri").await;
    kiosk.issue("ktp", None).await;
    let mut feed = http
        .sse(
            "/api/v1/display/events?token=display-1-token-0123456789",
            &[],
        )
        .await
        .ok()
        .unwrap();
    let welcome = feed.next().await;
    assert_eq!(welcome.event, "welcome");
    let w = welcome.json();
    assert_eq!(w["role"], "display");
    assert_eq!(w["hall"]["name"], "MPP Uji");
    assert_eq!(w["snapshot"]["tickets"][0]["code"], "A-001");
    let seq = w["seq"].as_u64().unwrap();

    hub.clock.set(jakarta(9, 5));
    c1.call_next("1").await;
    let e = feed.next().await;
    assert_eq!(e.event, "event");
    assert_eq!(e.id, Some((seq + 1).to_string()));
    assert_eq!(e.json()["kind"], "ticket_called");
    assert_eq!(e.json()["ticket"]["code"], "A-001");
    let say = feed.next().await;
    assert_eq!(say.event, "say");
    // The domain's words for the call (tested in the domain against its own table).
    assert_eq!(
        say.json()["text"],
        antre_core::domain::words::call_text("A", 1, "Loket 1")
    );
    assert_eq!(say.json()["counter_name"], "Loket 1");

    // A browser that reconnects with Last-Event-ID gets only what it missed.
    kiosk.issue("ktp", None).await;
    let mut again = http
        .sse(
            "/api/v1/display/events",
            &[
                // The scheme in any case (RFC 9110).
                ("authorization", "bearer display-1-token-0123456789"),
                ("last-event-id", &(seq + 1).to_string()),
            ],
        )
        .await
        .ok()
        .unwrap();
    let missed = again.next().await;
    assert_eq!(missed.event, "event");
    assert_eq!(missed.json()["kind"], "ticket_issued");
    assert_eq!(missed.json()["ticket"]["code"], "A-002");
    hub.stop().await;
}

#[tokio::test]
async fn a_flood_from_one_address_leaves_the_others_served() {
    let extra = "http_requests_per_minute = 20\nhttp_streams_per_client = 2";
    let mut hub = TestHub::start(&hall_config(100, extra)).await;
    let web = hub.start_web().await;
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk.issue("ktp", None).await;
    let flood = Http::new(web);
    let mut statuses = vec![];
    for _ in 0..30 {
        statuses.push(flood.get("/api/v1/tickets/A-001").await.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10);
    let r = flood.get("/api/v1/tickets/A-001").await;
    assert_eq!(r.json()["error"], "too_many_requests");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("Terlalu banyak permintaan dari perangkat ini."));
    // Another phone (another address on the hall's network) is served as usual.
    let other = Http::from(web, Some("127.0.0.2".parse::<IpAddr>().unwrap()));
    assert_eq!(other.get("/api/v1/tickets/A-001").await.status, 200);
    // Live streams per address: two, then a clear refusal.
    let third = Http::from(web, Some("127.0.0.3".parse::<IpAddr>().unwrap()));
    let _a = third
        .sse("/api/v1/tickets/A-001/events", &[])
        .await
        .ok()
        .unwrap();
    let _b = third
        .sse("/api/v1/tickets/A-001/events", &[])
        .await
        .ok()
        .unwrap();
    let r = third
        .sse("/api/v1/tickets/A-001/events", &[])
        .await
        .err()
        .unwrap();
    assert_eq!(r.status, 429);
    // And the hub's own protocol is untouched by all this.
    kiosk.issue("ktp", None).await;
    hub.stop().await;
}
