//! Real hubs linked to the city's service on a real PostgreSQL: the event log arrives
//! exactly once across a SIGKILL of the service, bookings are pulled and checked in at the
//! kiosk (with the service down, too), walk-ins leave the seats of live bookings, and two
//! service processes on one database act as one.

use antre_central::testing::{central_toml, TestCentral, TestDb};
use antre_client::{Client, RequestError, Update};
use antre_core::proto::{ErrorReply, Request, Ticket};
use antre_hub::testing::{device_settings, sample_config, TestClock, TestHub};
use chrono::TimeZone;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::BufRead;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "batu-sync-token-0123456789";

/// `h:m` on `day` of November 2026 in Batu.
fn batu(day: u32, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Nothing here should take this long; it turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(20);

/// The sample hall, KTP's daily quota `quota`, no limit on a kiosk's pace, linked to the
/// service at `url`.
fn linked_hall(quota: u32, url: &str) -> String {
    let hall = sample_config()
        .replace("daily_quota = 150", &format!("daily_quota = {quota}"))
        .replace("kiosk_tickets_per_minute = 20", "");
    format!("{hall}\n[central]\nurl = \"{url}\"\nhall = \"batu\"\ntoken = \"{TOKEN}\"\npull_every_secs = 1\n")
}

/// A hall device on the real client library.
struct Device {
    client: Client,
    _updates: tokio::sync::mpsc::UnboundedReceiver<Update>,
}

impl Device {
    fn of(hub: &TestHub, config: &str, id: &str) -> Device {
        let (client, updates) = Client::start(device_settings(config, hub, id));
        Device {
            client,
            _updates: updates,
        }
    }

    async fn send(&self, request: Request) -> Result<Option<Ticket>, ErrorReply> {
        match self.client.request(request).await {
            Ok(ok) => Ok(ok.ticket),
            Err(RequestError::Refused(e)) => Err(e),
            Err(e) => panic!("{e}"),
        }
    }

    /// Issues a ticket that must be issued; its code.
    async fn issue(&self, service: &str) -> String {
        self.try_issue(service)
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    async fn try_issue(&self, service: &str) -> Result<String, ErrorReply> {
        let t = self
            .send(Request::IssueTicket {
                service: service.into(),
                services: vec![],
                priority: None,
            })
            .await?;
        Ok(t.expect("a ticket").code)
    }

    async fn check_in(&self, code: &str) -> Result<Ticket, ErrorReply> {
        Ok(self
            .send(Request::CheckIn {
                booking: code.to_owned(),
                priority: None,
            })
            .await?
            .expect("a ticket"))
    }
}

/// The error code of a refusal; panics on success.
fn refused<T: std::fmt::Debug>(r: Result<T, ErrorReply>) -> (&'static str, String) {
    let e = r.expect_err("refused");
    (e.code.as_str(), e.message)
}

/// Waits until `check` holds (it is asked again every 20 ms), or fails the test.
async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut check: impl FnMut() -> F,
) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `antre-central serve` as a process of its own.
struct CentralProcess {
    child: Child,
    addr: SocketAddr,
}

impl CentralProcess {
    /// Starts it on `listen` and waits for its "serving" line.
    fn spawn(config: &std::path::Path, listen: SocketAddr) -> CentralProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_antre-central"))
            .args(["serve", "--config"])
            .arg(config)
            .args(["--listen", &listen.to_string()])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("antre-central starts");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("antre-central said it serves before it ended")
                .unwrap();
            if let Some(rest) = line
                .split("addr=")
                .nth(1)
                .filter(|_| line.contains("serving"))
            {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        };
        // Keep reading its log, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        CentralProcess { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGTERM, as systemd stops it; how it ended.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().expect("reaped")
    }

    fn sigkill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for CentralProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A central.toml on `db` in `dir`.
fn config_file(dir: &tempfile::TempDir, db: &TestDb, per_session: u32) -> std::path::PathBuf {
    let text = central_toml(
        &[("batu", "MPP Among Warga", TOKEN)],
        "dukcapil-ktp",
        per_session,
    )
    .replace("postgres://set-by-the-test", &db.url);
    let path = dir.path().join("central.toml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn stored_to(db: &tokio_postgres::Client) -> i64 {
    db.query_opt("SELECT stored_to FROM hall_logs WHERE hall = 'batu'", &[])
        .await
        .unwrap()
        .map_or(0, |r| r.get(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_across_a_sigkill_and_the_hall_never_waits() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, &db, 10);
    let central = CentralProcess::spawn(&config, SocketAddr::from(([127, 0, 0, 1], 0)));
    let addr = central.addr;
    let hall = linked_hall(1000, &central.url());
    let hub = TestHub::start(&hall).await;
    let kiosk = Device::of(&hub, &hall, "kiosk-1");
    let pg = db.connect().await;

    for _ in 0..30 {
        kiosk.issue("dukcapil-ktp").await;
    }
    let committed = hub.hub.committed_seq();
    eventually("the first 30 tickets are in the city's log", || {
        let pg = &pg;
        async move { stored_to(pg).await == committed as i64 }
    })
    .await;

    // The service dies mid-day; the hall goes on issuing, every ticket at once.
    central.sigkill();
    for _ in 0..40 {
        kiosk.issue("dukcapil-ktp").await;
    }
    assert_eq!(
        stored_to(&pg).await,
        committed as i64,
        "nothing stored while it was down"
    );
    let central = CentralProcess::spawn(&config, addr);
    for _ in 0..10 {
        kiosk.issue("dukcapil-kk").await;
    }
    let committed = hub.hub.committed_seq();
    eventually("the hub caught up after the restart", || {
        let pg = &pg;
        async move { stored_to(pg).await == committed as i64 }
    })
    .await;

    // Exactly once, in order, without a gap, and the same events as the hall's own log.
    let rows = pg
        .query(
            "SELECT seq, kind, body FROM events WHERE hall = 'batu' ORDER BY seq",
            &[],
        )
        .await
        .unwrap();
    let seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(seqs, (1..=committed as i64).collect::<Vec<_>>());
    let ours = hub
        .hub
        .read(|dao| dao.events_after(0, 100_000))
        .await
        .unwrap();
    assert_eq!(ours.len(), rows.len());
    for ((seq, line), row) in ours.iter().zip(&rows) {
        let mine: Value = serde_json::from_str(line).unwrap();
        let theirs: Value = row.get(2);
        assert_eq!(mine["seq"], *seq);
        assert_eq!(theirs["seq"], mine["seq"]);
        assert_eq!(theirs["kind"], mine["kind"]);
        assert_eq!(theirs["ticket"]["code"], mine["ticket"]["code"]);
        assert!(
            theirs["ticket"].get("key").is_none(),
            "no ticket key leaves the hall"
        );
    }
    let issued = rows
        .iter()
        .filter(|r| r.get::<_, &str>(1) == "ticket_issued")
        .count();
    assert_eq!(issued, 80);
    drop(central);
    hub.stop().await;
}

async fn book(url: &str, date: &str, session: &str, phone: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{url}/api/v1/bookings"))
        .json(
            &json!({"hall": "batu", "service": "dukcapil-ktp", "date": date, "session": session,
                      "name": "Siti Aminah", "phone": phone}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the hub keeps `code`.
async fn pulled(hub: &TestHub, code: &str) {
    eventually(&format!("{code} pulled"), || {
        let code = code.to_owned();
        async move {
            hub.hub
                .read(move |dao| dao.booking(&code))
                .await
                .unwrap()
                .is_some()
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_is_pulled_and_checked_in_once_even_with_the_city_down() {
    // Thursday 26 November, 09:00.
    let clock = TestClock::at(batu(26, 9, 0));
    let db = TestDb::new().await;
    let cfg = central_toml(&[("batu", "MPP Among Warga", TOKEN)], "dukcapil-ktp", 10);
    let central = TestCentral::start(&db, &cfg, clock.clock(), None).await;
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let hall = linked_hall(100, &central.url);
    let hub = TestHub::start_in(&hall, dir, clock.clone(), None).await;

    let now = book(&central.url, "2026-11-26", "08:00-10:00", "081234567890").await;
    let scanned = book(&central.url, "2026-11-26", "08:00-10:00", "081111111111").await;
    let later = book(&central.url, "2026-11-26", "13:00-15:00", "082222222222").await;
    let tomorrow = book(&central.url, "2026-11-27", "08:00-10:00", "081234567890").await;
    for code in [&now, &scanned, &later, &tomorrow] {
        pulled(&hub, code).await;
    }
    // The city's service goes away; what was pulled is checked in all the same.
    central.stop().await;

    let kiosk = Device::of(&hub, &hall, "kiosk-1");
    let t = kiosk.check_in(&now.to_lowercase()).await.unwrap();
    assert_eq!(t.code, "A-001");
    assert_eq!(t.service.as_str(), "dukcapil-ktp");
    assert_eq!(t.booking.as_deref(), Some(now.as_str()));
    assert!(t.key.unwrap().len() >= 16);
    let (code, why) = refused(kiosk.check_in(&now).await);
    assert_eq!(code, "booking_used");
    assert!(why.contains("A-001"), "{why}");
    // The QR code's text as a scanner types it.
    let t = kiosk
        .check_in(&format!("ANTRE-BOOKING:{scanned}"))
        .await
        .unwrap();
    assert_eq!(t.code, "A-002");
    let (code, why) = refused(kiosk.check_in(&later).await);
    assert_eq!(code, "booking_expired");
    assert!(why.contains("12:30"), "{why}");
    assert_eq!(
        refused(kiosk.check_in(&tomorrow).await).0,
        "booking_other_day"
    );
    assert_eq!(
        refused(kiosk.check_in("BK-7KQ4MXA").await).0,
        "unknown_booking"
    );
    assert_eq!(refused(kiosk.check_in("A-001").await).0, "unknown_booking");
    // A display may not check in.
    let display = Device::of(&hub, &hall, "display-1");
    assert_eq!(refused(display.check_in(&later).await).0, "forbidden");

    // Neither the name nor the whole phone number is in the hall's log or its database.
    let log = hub.hub.read(|dao| dao.events_after(0, 1000)).await.unwrap();
    for (_, line) in &log {
        assert!(
            !line.contains("Siti") && !line.contains("4567890"),
            "{line}"
        );
    }
    let kept = hub
        .hub
        .read(move |dao| dao.booking(&now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.phone, "0812*****890");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walk_ins_leave_the_seats_of_live_bookings_until_their_session_ends() {
    let clock = TestClock::at(batu(26, 9, 0));
    let db = TestDb::new().await;
    let cfg = central_toml(&[("batu", "MPP Among Warga", TOKEN)], "dukcapil-ktp", 10);
    let central = TestCentral::start(&db, &cfg, clock.clock(), None).await;
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    // A quota of 3 tickets of KTP a day; two are booked for 10:00-12:00.
    let hall = linked_hall(3, &central.url);
    let hub = TestHub::start_in(&hall, dir, clock.clone(), None).await;
    let a = book(&central.url, "2026-11-26", "10:00-12:00", "081234567890").await;
    let b = book(&central.url, "2026-11-26", "10:00-12:00", "081111111111").await;
    pulled(&hub, &a).await;
    pulled(&hub, &b).await;

    let kiosk = Device::of(&hub, &hall, "kiosk-1");
    assert_eq!(kiosk.issue("dukcapil-ktp").await, "A-001");
    // 1 issued + 2 held = the quota.
    assert_eq!(
        refused(kiosk.try_issue("dukcapil-ktp").await).0,
        "quota_exhausted"
    );
    // The kiosk's figures count as the hub does (its tile says the quota is used up), and a
    // device connecting now is told the service is not open.
    let ktp = |c: &Client| c.with_view(|v| v.figures("dukcapil-ktp").map(|f| (f.issued, f.held)));
    eventually("the kiosk has the figures of A-001", || async {
        ktp(&kiosk.client) == Some((1, 2))
    })
    .await;
    let late = Device::of(&hub, &hall, "kiosk-2");
    eventually("the late kiosk is welcomed", || async {
        late.client.with_view(|v| v.hall.is_some())
    })
    .await;
    let open = late.client.with_view(|v| {
        let hall = v.hall.as_ref().unwrap();
        hall.services
            .iter()
            .find(|s| s.id.as_str() == "dukcapil-ktp")
            .unwrap()
            .open
    });
    assert!(!open, "the welcome must count the held seats");
    assert_eq!(ktp(&late.client), Some((1, 2)));
    clock.set(batu(26, 9, 40));
    assert_eq!(kiosk.check_in(&a).await.unwrap().code, "A-002");
    assert_eq!(
        refused(kiosk.try_issue("dukcapil-ktp").await).0,
        "quota_exhausted"
    );
    // The session ends: the unused booking expires and its seat goes back to walk-ins.
    clock.set(batu(26, 12, 0));
    assert_eq!(refused(kiosk.check_in(&b).await).0, "booking_expired");
    assert_eq!(kiosk.issue("dukcapil-ktp").await, "A-003");
    eventually(
        "the kiosk has the figures of A-003, no seat held",
        || async { ktp(&kiosk.client) == Some((3, 0)) },
    )
    .await;
    assert_eq!(
        refused(kiosk.try_issue("dukcapil-ktp").await).0,
        "quota_exhausted"
    );
    central.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_are_one_service() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, &db, 5);
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let (one, two) = (
        CentralProcess::spawn(&config, any),
        CentralProcess::spawn(&config, any),
    );
    let urls = [one.url(), two.url()];
    let date = {
        // The next Monday from today: always bookable (not a holiday in the test config).
        use chrono::Datelike;
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .date_naive();
        let ahead = 7 - i64::from(today.weekday().num_days_from_monday());
        (today + chrono::Duration::days(ahead)).to_string()
    };

    // 20 citizens at once for 5 seats, half through each process.
    let tries = (0..20).map(|i| {
        let url = urls[i % 2].clone();
        let date = date.clone();
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{url}/api/v1/bookings"))
                .json(
                    &json!({"hall": "batu", "service": "dukcapil-ktp", "date": date,
                              "session": "08:00-10:00", "name": "Warga",
                              "phone": format!("0812000000{i:02}")}),
                )
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    let mut created = 0;
    let mut full = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => full += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, full), (5, 15));
    for url in &urls {
        let seats: Value = reqwest::get(format!(
            "{url}/api/v1/seats?hall=batu&service=dukcapil-ktp&date={date}"
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        assert_eq!(seats[0]["free"], 0, "{url}");
    }

    // The same push sent through both at once (a hub's retry landing elsewhere): stored once.
    let events: Vec<Value> = (1..=50)
        .map(|seq| json!({"type": "event", "seq": seq, "at": "2026-11-27T09:00:00.000+07:00", "kind": "ticket_issued"}))
        .collect();
    let body = json!({"hall": "batu", "epoch": "e1", "events": events});
    let pushes = urls.iter().flat_map(|u| [u.clone(), u.clone()]).map(|url| {
        let body = body.clone();
        tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(format!("{url}/sync/v1/events"))
                .bearer_auth(TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()["stored_to"]
                .as_i64()
                .unwrap()
        })
    });
    for p in pushes {
        assert_eq!(p.await.unwrap(), 50);
    }
    let pg = db.connect().await;
    let n: i64 = pg
        .query_one(
            "SELECT COUNT(*) FROM events WHERE hall = 'batu' AND epoch = 'e1'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 50);
    // Stopped as systemd stops it: cleanly, at once.
    assert!(one.terminate().success());
    assert!(two.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_continues_the_log_or_stores_nothing() {
    let db = TestDb::new().await;
    let clock = TestClock::at(batu(26, 9, 0));
    let cfg = central_toml(
        &[
            ("batu", "MPP Among Warga", TOKEN),
            ("pujon", "MPP Mini Pujon", "pujon-sync-token-0123456789"),
        ],
        "dukcapil-ktp",
        5,
    );
    let c = TestCentral::start(&db, &cfg, clock.clock(), None).await;
    let push = |token: &'static str, hall: &'static str, seqs: std::ops::RangeInclusive<i64>| {
        let url = c.url.clone();
        async move {
            let events: Vec<Value> = seqs
                .map(|seq| json!({"type": "event", "seq": seq, "at": "2026-11-26T09:00:00.000+07:00",
                                  "kind": "ticket_issued", "ticket": {"code": format!("A-{seq:03}"), "key": "secret-key-0123456789"}}))
                .collect();
            let r = reqwest::Client::new()
                .post(format!("{url}/sync/v1/events"))
                .bearer_auth(token)
                .json(&json!({"hall": hall, "epoch": "e1", "events": events}))
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = push(TOKEN, "batu", 1..=3).await;
    assert_eq!((s, v), (StatusCode::OK, json!({"stored_to": 3})));
    // A gap: nothing stored, the hub hears where to go on from.
    assert_eq!(push(TOKEN, "batu", 5..=6).await.1, json!({"stored_to": 3}));
    // Overlapping what it has: the rest is stored.
    assert_eq!(push(TOKEN, "batu", 2..=6).await.1, json!({"stored_to": 6}));
    // Another hall's token for this hall; no token at all.
    let (s, v) = push("pujon-sync-token-0123456789", "batu", 7..=7).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, _) = push("wrong-token-0123456789", "batu", 7..=7).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let pg = db.connect().await;
    let rows = pg
        .query("SELECT seq, body FROM events ORDER BY seq", &[])
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    for r in &rows {
        let body: Value = r.get(1);
        assert!(body["ticket"].get("key").is_none(), "{body}");
        assert!(body.get("type").is_none());
    }
    c.stop().await;
}

/// A hall of the sample config named `name`, linked as `hall` with `token` to `url`.
fn city_hall(name: &str, hall: &str, token: &str, url: &str) -> String {
    let config = sample_config()
        .replace(
            "name = \"MPP Among Warga Kota Batu\"",
            &format!("name = \"{name}\""),
        )
        .replace("kiosk_tickets_per_minute = 20", "");
    format!("{config}\n[central]\nurl = \"{url}\"\nhall = \"{hall}\"\ntoken = \"{token}\"\npull_every_secs = 1\n")
}

/// A counter's whole turn: call the next ticket, serve it, finish it.
async fn serve_next(counter: &Device, id: &str) {
    for r in [
        Request::CallNext { counter: id.into() },
        Request::StartServing { counter: id.into() },
        Request::Finish { counter: id.into() },
    ] {
        counter.send(r).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
}

/// Calls the next ticket, starts serving it, runs `meanwhile` (the clock moving on), then
/// finishes it.
async fn serve_for(counter: &Device, id: &str, meanwhile: impl FnOnce()) {
    for r in [
        Request::CallNext { counter: id.into() },
        Request::StartServing { counter: id.into() },
    ] {
        counter.send(r).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
    meanwhile();
    counter
        .send(Request::Finish { counter: id.into() })
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
}

/// Calls the next ticket and marks it not present.
async fn absent_next(counter: &Device, id: &str) {
    for r in [
        Request::CallNext { counter: id.into() },
        Request::NoShow { counter: id.into() },
    ] {
        counter.send(r).await.unwrap_or_else(|e| panic!("{e:?}"));
    }
}

async fn rate(kiosk: &Device, ticket: &str, answers: [i64; 9]) {
    kiosk
        .send(Request::Survey {
            ticket: ticket.into(),
            answers: answers.to_vec(),
            key: None,
        })
        .await
        .unwrap_or_else(|e| panic!("{ticket}: {e:?}"));
}

/// The hall's report (`antre-hub report`) of the hub's day.
fn hall_report(hub: &TestHub, config: &str) -> antre_hub::report::Report {
    let cfg = antre_hub::config::Config::parse(config).unwrap();
    let conn = antre_hub::report::open(&hub.db).unwrap();
    let day = batu(27, 9, 0)
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    antre_hub::report::Report::read(&conn, &cfg, day, day).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citys_report_over_two_processes_is_each_halls_own_report() {
    const JUNREJO: &str = "junrejo-sync-token-0123456789";
    const REPORTER: &str = "city-report-token-0123456789";
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        format!(
            "report_token_sha256 = \"{}\"\n{}",
            hex_sha256(REPORTER),
            central_toml(
                &[
                    ("batu", "MPP Among Warga", TOKEN),
                    ("junrejo", "MPP Mini Junrejo", JUNREJO)
                ],
                "dukcapil-ktp",
                5,
            )
            .replace("postgres://set-by-the-test", &db.url)
        ),
    )
    .unwrap();
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let (one, two) = (
        CentralProcess::spawn(&config, any),
        CentralProcess::spawn(&config, any),
    );
    // Three bookings for Batu's Friday, made before it: one is checked in, one is never
    // used (its session is long over by the report), one was cancelled.
    let pg = db.connect().await;
    for (code, phone, cancelled) in [
        ("BK-7KQ4M9A", "081200000001", false),
        ("BK-3HJ9TQW", "081200000002", false),
        ("BK-4MNPQRT", "081200000003", true),
    ] {
        pg.execute(
            "INSERT INTO bookings (code, hall, service, day, session, name, phone, cancelled_at)
             VALUES ($1, 'batu', 'dukcapil-ktp', '2026-11-27', '08:00-10:00', 'Warga', $2,
                     CASE WHEN $3 THEN now() END)",
            &[&code, &phone, &cancelled],
        )
        .await
        .unwrap();
    }

    // Batu pushes to the first process, Junrejo to the second; both at 09:00 on Friday 27
    // November (the test hubs' clock).
    let batu_cfg = city_hall("MPP Among Warga Kota Batu", "batu", TOKEN, &one.url());
    let junrejo_cfg = city_hall("MPP Mini Junrejo", "junrejo", JUNREJO, &two.url());
    let a = TestHub::start(&batu_cfg).await;
    let b = TestHub::start(&junrejo_cfg).await;
    let dev = |hub: &TestHub, cfg: &str, id: &str| Device::of(hub, cfg, id);
    let (kiosk, survey, admin) = (
        dev(&a, &batu_cfg, "kiosk-1"),
        dev(&a, &batu_cfg, "survey-1"),
        dev(&a, &batu_cfg, "admin"),
    );
    let (c1, c2, c5) = (
        dev(&a, &batu_cfg, "counter-1"),
        dev(&a, &batu_cfg, "counter-2"),
        dev(&a, &batu_cfg, "counter-5"),
    );
    for (c, id) in [(&c1, "1"), (&c2, "2"), (&c5, "5")] {
        c.send(Request::OpenCounter {
            counter: id.into(),
            officer: format!("Petugas {id}"),
        })
        .await
        .unwrap();
    }
    // KTP: three walk-ins, a visit of KTP then KK, a checked-in booking, one given up.
    let ktp: Vec<String> = [
        kiosk.issue("dukcapil-ktp").await,
        kiosk.issue("dukcapil-ktp").await,
        kiosk.issue("dukcapil-ktp").await,
    ]
    .into();
    let visit = kiosk
        .send(Request::IssueTicket {
            service: "dukcapil-ktp".into(),
            services: vec!["dukcapil-ktp".into(), "dukcapil-kk".into()],
            priority: None,
        })
        .await
        .unwrap()
        .unwrap()
        .code;
    pulled(&a, "BK-7KQ4M9A").await;
    let booked = kiosk.check_in("BK-7KQ4M9A").await.unwrap().code;
    let given_up = kiosk.issue("dukcapil-ktp").await;
    admin
        .send(Request::CancelTicket {
            ticket: given_up,
            key: None,
        })
        .await
        .unwrap();
    let bpjs = kiosk.issue("bpjs-kes-peserta").await;
    // All issued at 09:00. Loket 1 serves KTP in order, the clock moving on between:
    // served (called 09:02, served 4 min), not present (called 09:06), served (called
    // 09:07, 5 min), the visit's KTP (called 09:12, 3 min; on to KK at 09:15), the booking
    // (called 09:16, 6 min).
    let min = |m: u64| std::time::Duration::from_secs(m * 60);
    let clock = &a.clock;
    for (before, serving) in [
        (2, Some(4)),
        (0, None),
        (1, Some(5)),
        (0, Some(3)),
        (1, Some(6)),
    ] {
        clock.advance(min(before));
        match serving {
            Some(m) => serve_for(&c1, "1", || clock.advance(min(m))).await,
            None => absent_next(&c1, "1").await,
        }
    }
    // The visit's KK at Loket 2: called 09:25, served 2 min; BPJS at Loket 5: called 09:27,
    // served 8 min.
    clock.advance(min(3));
    serve_for(&c2, "2", || clock.advance(min(2))).await;
    serve_for(&c5, "5", || clock.advance(min(8))).await;
    rate(&survey, &ktp[0], [4, 4, 4, 3, 4, 4, 4, 4, 4]).await;
    rate(&survey, &ktp[2], [3, 3, 3, 3, 3, 3, 3, 3, 2]).await;
    rate(&survey, &bpjs, [2, 3, 4, 4, 4, 4, 4, 4, 4]).await;
    rate(&survey, &visit, [4, 4, 4, 4, 4, 4, 4, 4, 4]).await;
    assert_ne!(booked, visit);

    // Junrejo: two KTP tickets, one served and rated low.
    let (jk, jc, js) = (
        dev(&b, &junrejo_cfg, "kiosk-1"),
        dev(&b, &junrejo_cfg, "counter-1"),
        dev(&b, &junrejo_cfg, "survey-1"),
    );
    jc.send(Request::OpenCounter {
        counter: "1".into(),
        officer: "Rina".into(),
    })
    .await
    .unwrap();
    let first = jk.issue("dukcapil-ktp").await;
    jk.issue("dukcapil-ktp").await;
    serve_next(&jc, "1").await;
    rate(&js, &first, [1, 2, 3, 4, 1, 2, 3, 4, 1]).await;

    // Both logs at the city's, whole.
    for (hub, hall) in [(&a, "batu"), (&b, "junrejo")] {
        let ours = hub.hub.committed_seq() as i64;
        eventually(&format!("{hall}'s log stored"), || {
            let pg = &pg;
            async move {
                pg.query_opt("SELECT stored_to FROM hall_logs WHERE hall = $1", &[&hall])
                    .await
                    .unwrap()
                    .is_some_and(|r| r.get::<_, i64>(0) == ours)
            }
        })
        .await;
    }

    let get = |url: String, token: &'static str| async move {
        reqwest::Client::new()
            .get(format!("{url}/api/v1/report?from=2026-11-27&to=2026-11-27"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        get(one.url(), TOKEN).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let city: Value = get(one.url(), REPORTER).await.json().await.unwrap();
    let again: Value = get(two.url(), REPORTER).await.json().await.unwrap();
    assert_eq!(city, again, "either process gives the same report");

    // Each hall's figures are its own report's, field by field.
    for (i, (hub, cfg)) in [(&a, &batu_cfg), (&b, &junrejo_cfg)]
        .into_iter()
        .enumerate()
    {
        let own = serde_json::to_value(hall_report(hub, cfg)).unwrap();
        let h = &city["halls"][i];
        assert_eq!(h["hall"], own["hall"]);
        for f in [
            "issued",
            "served",
            "no_show",
            "cancelled",
            "unfinished",
            "wait_avg_min",
            "surveys",
        ] {
            assert_eq!(
                h["totals"][f], own["totals"][f],
                "{} totals.{f}",
                own["hall"]
            );
        }
        let rows = |v: &Value| -> Vec<Value> {
            v["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    json!([
                        s["service"],
                        s["agency"],
                        s["name"],
                        s["issued"],
                        s["served"],
                        s["no_show"],
                        s["cancelled"],
                        s["transferred_out"],
                        s["wait_avg_min"],
                        s["wait_p90_min"],
                        s["service_avg_min"]
                    ])
                })
                .collect()
        };
        assert_eq!(rows(h), rows(&own), "{} services", own["hall"]);
        for f in [
            "ikm",
            "ikm_by_agency",
            "ikm_by_service",
            "hours",
            "wait_distribution",
        ] {
            assert_eq!(h[f], own[f], "{} {f}", own["hall"]);
        }
        // The bookings the hall pulled and checked in, as the city counts them.
        let own_bookings = own.get("bookings").cloned().unwrap_or(json!([]));
        assert_eq!(
            h["bookings"]["services"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            own_bookings.as_array().cloned().unwrap(),
            "{} bookings",
            own["hall"]
        );
    }
    // Worked by hand. Batu: 6 KTP (one of them the visit, one the booking) and 1 BPJS
    // issued; served 4 KTP, the visit's KK and the BPJS; 1 not present, 1 given up.
    let batu = &city["halls"][0];
    // Waits (minutes): KTP 2, 6, 7, 12, 16 (43 in all), KK 10 (from 09:15 to 09:25), BPJS
    // 27: 80 over 7 calls.
    assert_eq!(
        batu["totals"],
        json!({"issued": 7, "served": 6, "no_show": 1, "cancelled": 1, "unfinished": 0,
               "wait_avg_min": 80.0 / 7.0, "surveys": 4})
    );
    let ktp_row = &batu["services"][0];
    assert_eq!(ktp_row["service"], "dukcapil-ktp");
    assert_eq!(ktp_row["wait_avg_min"], 8.6); // 43 ÷ 5
    assert_eq!(ktp_row["wait_p90_min"], 16.0); // ⌈0.9 × 5⌉ = the 5th
    assert_eq!(ktp_row["service_avg_min"], 4.5); // (4 + 5 + 3 + 6) ÷ 4
                                                 // Issued at 9, served between 9:06 and 9:35: all in the hour of 9.
    assert_eq!(
        batu["hours"],
        json!([{"hour": 9, "arrivals": 7, "served": 6}])
    );
    // Dukcapil waited 2 | 6, 7 | 12, 10 | 16 (classes <5, <10, <15, <20); BPJS 27 (<30).
    assert_eq!(
        batu["wait_distribution"],
        json!([{"agency": "dukcapil", "counts": [1, 2, 2, 1, 0, 0, 0, 0]},
               {"agency": "bpjs-kesehatan", "counts": [0, 0, 0, 0, 1, 0, 0, 0]}])
    );
    // The IKM: the answers' sums 13+14+15+14+15+15+15+15+14 = 130 from 4 respondents:
    // 25 × 130 ÷ 36 = 90.277… → "90,27", A.
    assert_eq!(batu["ikm"]["value_display"], "90,27");
    assert_eq!(batu["ikm"]["category"], "A");
    // The city: Junrejo adds 21 from one respondent: 25 × 151 ÷ 45 = 83.88… → "83,88", B.
    assert_eq!(city["ikm"]["respondents"], 5);
    assert_eq!(city["ikm"]["value_display"], "83,88");
    assert_eq!(city["ikm"]["category"], "B");
    assert_eq!(city["totals"]["issued"], 9);
    // Bookings: 2 made (1 used, 1 expired: Friday's session is over by today), 1 cancelled.
    assert_eq!(
        batu["bookings"],
        json!({"made": 2, "used": 1, "expired": 1, "cancelled": 1,
               "services": [{"service": "dukcapil-ktp", "made": 2, "used": 1, "expired": 1, "cancelled": 1}]})
    );
    assert_eq!(city["halls"][1]["bookings"]["made"], 0);
    // No phone number in the report, and none in what the halls sent.
    let text = city.to_string();
    assert!(!text.contains("0812"), "{text}");
    let leaked: i64 = pg
        .query_one(
            "SELECT COUNT(*) FROM events WHERE body::text LIKE '%0812%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(leaked, 0);

    // The same as a page with charts.
    let page = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/report?from=2026-11-27&to=2026-11-27&format=html",
            one.url()
        ))
        .bearer_auth(REPORTER)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("MPP Mini Junrejo") && page.contains("90,27") && page.contains("<svg"));
    if let Some(dir) = std::env::var_os("ANTRE_SCREENSHOTS") {
        std::fs::write(
            std::path::Path::new(&dir).join("central-report.html"),
            &page,
        )
        .unwrap();
    }
    a.stop().await;
    b.stop().await;
}

fn hex_sha256(token: &str) -> String {
    hex::encode(antre_central::config::sha256(token))
}
