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

/// The web display's feed, as a display device opens it.
const FEED: &str = "/api/v1/display/events?token=display-1-token-0123456789";

/// Browsers on the wall that open their feed while tickets are issued: each gets its
/// welcome, then every event after it once, in order, in well-formed chunks (the hub's
/// writer writes them into the same sockets hyper writes the welcome to).
#[tokio::test]
async fn web_displays_joining_while_tickets_are_issued_miss_none_and_repeat_none() {
    let extra = "http_streams_per_client = 64\nhttp_requests_per_minute = 10000";
    let mut hub = TestHub::start(&hall_config(5000, extra)).await;
    let http = Http::new(hub.start_web().await);
    let mut admin = hub.connect("admin").await;
    const ISSUES: u64 = 300;
    let issuing = tokio::spawn(async move {
        for _ in 0..ISSUES {
            admin.issue("kk", None).await;
        }
    });
    let mut joined = vec![];
    for _ in 0..20 {
        let mut feed = http.sse(FEED, &[]).await.ok().unwrap();
        let welcome = feed.next().await;
        assert_eq!(welcome.event, "welcome");
        let from = welcome.json()["seq"].as_u64().unwrap();
        joined.push((feed, from + 1));
    }
    issuing.await.unwrap();
    // The hall's last seq: a fresh feed's welcome says it.
    let last = http.sse(FEED, &[]).await.ok().unwrap().next().await.json()["seq"]
        .as_u64()
        .unwrap();
    assert!(last >= ISSUES, "{last}");
    for (mut feed, mut next) in joined {
        while next <= last {
            let e = feed.next().await;
            assert_eq!(e.event, "event");
            assert_eq!(e.id, Some(next.to_string()));
            assert_eq!(e.json()["seq"], next, "{}", e.data);
            assert_eq!(e.json()["kind"], "ticket_issued");
            next += 1;
        }
    }
    hub.stop().await;
}

/// A browser on the wall that stops reading is cut off once its unsent bytes pass the limit,
/// and one beside it gets every event on time; what the stalled one did get is whole events
/// in order, and reconnecting with Last-Event-ID it gets exactly what it missed.
#[tokio::test]
async fn a_web_display_that_stops_reading_is_cut_off_and_resumes() {
    let mut hub = TestHub::start(&hall_config(5000, "client_send_buffer_bytes = 4096")).await;
    let web = hub.start_web().await;
    let http = Http::new(web);
    // A browser with a tiny receive window that reads nothing after its request.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(web).await.unwrap();
    let request = format!("GET {FEED} HTTP/1.1\r\nHost: hall\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut stalled, request.as_bytes())
        .await
        .unwrap();

    // A healthy one beside it, reading as it goes.
    let mut healthy = http.sse(FEED, &[]).await.ok().unwrap();
    let first = healthy.next().await.json()["seq"].as_u64().unwrap() + 1;
    const ISSUES: u64 = 400;
    let reading = tokio::spawn(async move {
        for i in 0..ISSUES {
            assert_eq!(healthy.next().await.id, Some((first + i).to_string()));
        }
    });
    let mut admin = hub.connect("admin").await;
    for _ in 0..ISSUES {
        admin.issue("kk", None).await;
    }
    reading.await.unwrap();

    // The stalled one was cut off: reading all it was sent ends in a close (keep-alive
    // comments would keep a stream that was not cut off open for good).
    let mut got = vec![];
    tokio::time::timeout(
        common::PATIENCE,
        tokio::io::AsyncReadExt::read_to_end(&mut stalled, &mut got),
    )
    .await
    .expect("the stalled web display is cut off")
    .ok();
    // What it got: a head, then chunks, the last of them maybe cut short; no closing chunk.
    let sse = feed_text(&got);
    // Whole events, each the one after the last.
    let mut ids = sse
        .split("\n\n")
        .filter_map(|frame| frame.lines().find_map(|l| l.strip_prefix("id: ")))
        .map(|id| id.parse::<u64>().unwrap());
    let welcome = ids.next().expect("the welcome");
    let mut last = welcome;
    for id in ids {
        assert_eq!(id, last + 1);
        last = id;
    }
    assert!(
        last < welcome + ISSUES,
        "cut off before the end: {last} of {}",
        welcome + ISSUES
    );

    // Back, with the last event it has: exactly what it missed, from the next one on.
    let mut again = http
        .sse(FEED, &[("last-event-id", &last.to_string())])
        .await
        .ok()
        .unwrap();
    for next in last + 1..welcome + ISSUES {
        let e = again.next().await;
        assert_eq!(e.event, "event");
        assert_eq!(e.id, Some(next.to_string()));
    }
    hub.stop().await;
}

/// The SSE text of a display feed's raw bytes: checks the head (200, chunked), then joins
/// its chunks, each well formed, up to the end or a last chunk not all there yet. A closing
/// (empty) chunk fails it: a feed never ends by itself.
fn feed_text(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).into_owned();
    let Some((head, mut body)) = text.split_once("\r\n\r\n") else {
        return String::new();
    };
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    let mut sse = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size, 16).expect("a chunk size");
        assert_ne!(size, 0, "a feed has no closing chunk");
        if rest.len() < size + 2 {
            break; // not all there (yet)
        }
        assert_eq!(&rest[size..size + 2], "\r\n");
        sse.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    sse
}

/// Reads `tcp` into `raw` until `seen(raw)` satisfies `done`; returns that.
async fn read_until_seen(
    tcp: &mut tokio::net::TcpStream,
    raw: &mut Vec<u8>,
    seen: impl Fn(&[u8]) -> String,
    done: impl Fn(&str) -> bool,
) -> String {
    loop {
        let text = seen(raw);
        if done(&text) {
            return text;
        }
        let mut buf = [0u8; 8192];
        let n = tokio::time::timeout(
            common::PATIENCE,
            tokio::io::AsyncReadExt::read(tcp, &mut buf),
        )
        .await
        .expect("more of the answer in time")
        .unwrap();
        assert_ne!(n, 0, "closed before it was all there: {text}");
        raw.extend_from_slice(&buf[..n]);
    }
}

/// Reads a display feed's socket until its SSE text satisfies `done`; returns that text.
async fn read_feed_until(
    tcp: &mut tokio::net::TcpStream,
    raw: &mut Vec<u8>,
    done: impl Fn(&str) -> bool,
) -> String {
    read_until_seen(tcp, raw, feed_text, done).await
}

/// A wall display's feed left idle keeps its connection: a comment 15 s after it opened,
/// and the events after it in their place.
#[tokio::test]
async fn an_idle_web_display_feed_gets_a_comment_every_15_s_and_events_after_it() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let started = std::time::Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(web).await.unwrap();
    let request = format!("GET {FEED} HTTP/1.1\r\nHost: hall\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut tcp, request.as_bytes())
        .await
        .unwrap();
    let mut raw = vec![];
    let text = read_feed_until(&mut tcp, &mut raw, |t| t.ends_with("\n\n")).await;
    assert!(text.starts_with("event: welcome\nid: "), "{text}");
    let seq: u64 = text["event: welcome\nid: ".len()..]
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // A visitor takes a ticket, then nothing happens in the hall: a comment comes, 15 s
    // after the feed opened.
    kiosk.issue("ktp", None).await;
    let first = format!("event: event\nid: {}\n", seq + 1);
    read_feed_until(&mut tcp, &mut raw, |t| {
        t.contains(&first) && t.ends_with("\n\n")
    })
    .await;
    read_feed_until(&mut tcp, &mut raw, |t| t.ends_with("\n\n:\n\n")).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(15));
    // Then another: its event follows the comment, the next seq.
    kiosk.issue("ktp", None).await;
    let next = format!(":\n\nevent: event\nid: {}\ndata: ", seq + 2);
    let text = read_feed_until(&mut tcp, &mut raw, |t| {
        t.contains(&next) && t.ends_with("\n\n")
    })
    .await;
    assert!(text.contains("\"kind\":\"ticket_issued\""), "{text}");
    hub.stop().await;
}

/// Reads `tcp` until `raw` holds `end`; returns all of it as text.
async fn read_until(tcp: &mut tokio::net::TcpStream, raw: &mut Vec<u8>, end: &str) -> String {
    let text = |raw: &[u8]| String::from_utf8_lossy(raw).into_owned();
    read_until_seen(tcp, raw, text, |t| t.contains(end)).await
}

/// The web display's feed is a GET over HTTP/1.1, since the hub writes its chunks itself: a
/// HEAD gets the head alone and its connection serves the next request as usual, and an
/// HTTP/1.0 client is told in words.
#[tokio::test]
async fn a_web_display_feed_is_a_get_over_http_1_1() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk.issue("ktp", None).await;

    let mut tcp = tokio::net::TcpStream::connect(web).await.unwrap();
    let head = format!("HEAD {FEED} HTTP/1.1\r\nHost: hall\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut tcp, head.as_bytes())
        .await
        .unwrap();
    let mut raw = vec![];
    let text = read_until(&mut tcp, &mut raw, "\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("content-type: text/event-stream"),
        "{text}"
    );
    // The hall goes on; the same connection asks for a ticket and gets just that.
    kiosk.issue("ktp", None).await;
    let get = "GET /api/v1/tickets/A-002 HTTP/1.1\r\nHost: hall\r\nConnection: close\r\n\r\n";
    tokio::io::AsyncWriteExt::write_all(&mut tcp, get.as_bytes())
        .await
        .unwrap();
    tokio::time::timeout(
        common::PATIENCE,
        tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut raw),
    )
    .await
    .expect("the connection closes after the ticket")
    .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (_, next) = text.split_once("\r\n\r\n").unwrap();
    assert!(next.starts_with("HTTP/1.1 200"), "{text}");
    assert!(next.contains("\"code\":\"A-002\""), "{text}");
    assert!(!text.contains("event: "), "{text}");

    // HTTP/1.0 has no chunks: a clear answer instead of a feed.
    let mut old = tokio::net::TcpStream::connect(web).await.unwrap();
    let get = format!("GET {FEED} HTTP/1.0\r\nHost: hall\r\n\r\n");
    tokio::io::AsyncWriteExt::write_all(&mut old, get.as_bytes())
        .await
        .unwrap();
    let mut raw = vec![];
    let text = read_until(&mut old, &mut raw, "}").await;
    assert!(text.contains(" 505 "), "{text}");
    assert!(text.contains("\"error\":\"http_version\""), "{text}");
    assert!(text.contains("membutuhkan HTTP/1.1"), "{text}");
    hub.stop().await;
}
