//! The web pages in a real headless Chromium (Debian's `chromium`, driven through
//! `chromedriver` by WebDriver) against a real hub: the phone's ticket page shows its
//! position, changes live as the tickets ahead are called, shows the call (and asks the phone
//! to vibrate), recovers by itself after the hub went away, and its survey lands in the
//! report; the web display takes its token once and shows and says a call.
//! Screenshots go to `$ANTRE_SCREENSHOTS` when set.

use antre_client::Client;
use antre_core::domain::counter::PauseReason;
use antre_core::proto::Request;
use antre_hub::config::Config;
use antre_hub::report::{self, Report};
use antre_hub::testing::{device_settings, jakarta, sample_config, TestHub};
use fantoccini::{Client as Browser, Locator};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

#[path = "common/chromium.rs"]
mod chromium;
use chromium::{browser, chromedriver, lighthouse_accessibility, shot, text, until, PATIENCE};

/// Types `token` into the web display's token form and sends it.
async fn enter_token(tv: &Browser, token: &str) {
    let field = tv.find(Locator::Id("token")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(token).await.unwrap();
    tv.find(Locator::Css("#token-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Loket 1 finishes its ticket and pauses for `reason` until `until`.
async fn finish_and_pause(desk: &Client, reason: PauseReason, until: &str) {
    desk.request(Request::Finish {
        counter: "1".into(),
    })
    .await
    .unwrap();
    desk.request(Request::PauseCounter {
        counter: "1".into(),
        reason,
        until: Some(until.into()),
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_and_the_web_display_in_chromium() {
    let config = sample_config();
    let mut hub = TestHub::start(&config).await;
    let web = hub.start_web().await;
    let base = format!("http://{web}");
    let (kiosk, _k) = Client::start(device_settings(&config, &hub, "kiosk-1"));
    let (desk, _d) = Client::start(device_settings(&config, &hub, "counter-1"));
    let issue = |kiosk: Client| async move {
        kiosk
            .request(Request::IssueTicket {
                services: vec![],
                service: "dukcapil-ktp".into(),
                priority: None,
            })
            .await
            .unwrap()
            .ticket
            .map(|t| (t.code, t.key.unwrap()))
            .unwrap()
    };
    let mut keys = vec![];
    for _ in 0..3 {
        keys.push(issue(kiosk.clone()).await);
    }
    // The printed QR's address: the page and the ticket's key.
    let (_, key) = keys.pop().unwrap();
    desk.request(Request::OpenCounter {
        counter: "1".into(),
        officer: "Sri".into(),
    })
    .await
    .unwrap();

    let driver = chromedriver();
    let profiles = tempfile::tempdir().unwrap();

    // A phone follows A-003.
    let phone = browser(&driver, &profiles.path().join("phone"), (390, 844)).await;
    phone
        .goto(&format!("{base}/t/A-003?k={key}"))
        .await
        .unwrap();
    until(
        &phone,
        "position 2",
        "document.getElementById('ahead').textContent === '2'",
    )
    .await;
    assert_eq!(text(&phone, "code").await, "A-003");
    assert_eq!(text(&phone, "service").await, "KTP Elektronik");
    assert_eq!(text(&phone, "status").await, "Menunggu giliran");
    // Record what the page asks of the phone's vibration motor.
    phone
        .execute(
            "window.__buzz = []; navigator.vibrate = (p) => { window.__buzz.push(p); return true; };",
            vec![],
        )
        .await
        .unwrap();
    shot(&phone, "phone-waiting").await;

    // The tickets ahead are called: the page follows without reloading.
    let call = |desk: Client| async move {
        desk.request(Request::CallNext {
            counter: "1".into(),
        })
        .await
        .unwrap()
        .ticket
        .unwrap()
        .code
    };
    assert_eq!(call(desk.clone()).await, "A-001");
    until(
        &phone,
        "position 1",
        "document.getElementById('ahead').textContent === '1'",
    )
    .await;
    until(
        &phone,
        "Loket 1 serving A-001",
        "document.getElementById('serving').textContent.includes('A-001')",
    )
    .await;
    assert_eq!(call(desk.clone()).await, "A-002");
    until(
        &phone,
        "position 0",
        "document.getElementById('ahead').textContent === '0'",
    )
    .await;
    assert_eq!(call(desk.clone()).await, "A-003");
    until(
        &phone,
        "the call",
        "!document.getElementById('called').hidden",
    )
    .await;
    assert_eq!(text(&phone, "called-text").await, "Silakan menuju Loket 1");
    assert_eq!(
        phone
            .execute("return window.__buzz.length;", vec![])
            .await
            .unwrap(),
        json!(1)
    );
    assert!(phone
        .title()
        .await
        .unwrap()
        .starts_with("▶ Loket 1 — A-003"));
    shot(&phone, "phone-called").await;

    // The hub goes away (a restart, the Wi-Fi): the page says so, and comes back by itself.
    let dir = hub.dir.clone();
    let clock = hub.clock.clone();
    let addr: SocketAddr = hub.addr;
    hub.stop().await;
    until(
        &phone,
        "the page notices",
        "document.getElementById('conn').textContent.startsWith('Terputus')",
    )
    .await;
    let mut hub = TestHub::start_in(&config, dir, clock, Some(addr)).await;
    hub.start_web_on(web).await;
    // Meanwhile A-003 is served and finished (the desk's client reconnects by itself).
    desk.request(Request::StartServing {
        counter: "1".into(),
    })
    .await
    .unwrap();
    desk.request(Request::Finish {
        counter: "1".into(),
    })
    .await
    .unwrap();
    until(
        &phone,
        "back, with the ticket served",
        "document.getElementById('conn').textContent === '● Terhubung' && \
         !document.getElementById('survey').hidden",
    )
    .await;
    assert_eq!(
        text(&phone, "status").await,
        "Selesai dilayani. Terima kasih!"
    );

    // The survey from the phone: the best answer everywhere but U4 (cheap, not free).
    for (i, e) in antre_core::domain::ikm::SURVEY.iter().enumerate() {
        let value = if i == 3 { 3 } else { 4 };
        phone
            .find(Locator::XPath(&format!(
                "//input[@name='{}' and @value='{value}']/..",
                e.code
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    phone
        .execute(
            "document.getElementById('survey').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    shot(&phone, "phone-survey").await;
    phone
        .find(Locator::Id("survey-send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &phone,
        "thanks",
        "document.getElementById('survey-result').textContent.startsWith('Terima kasih!')",
    )
    .await;
    let cfg = Config::parse(&config).unwrap();
    let conn = report::open(&hub.db).unwrap();
    let day = jakarta(9, 0).date_naive();
    let r = Report::read(&conn, &cfg, day, day).unwrap();
    assert_eq!(r.ikm.respondents, 1);
    assert_eq!(r.ikm.nrr, vec![4.0, 4.0, 4.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0]);
    assert_eq!(r.ikm_by_service[0].service, "dukcapil-ktp");
    phone.close().await.unwrap();

    // The web display on a TV: the token once, then the wall; a call is shown and said.
    let tv = browser(&driver, &profiles.path().join("tv"), (1920, 1080)).await;
    tv.goto(&format!("{base}/display")).await.unwrap();
    until(
        &tv,
        "the token form",
        "!document.getElementById('token-form').hidden",
    )
    .await;
    enter_token(&tv, "wrong-token-1234567890").await;
    until(
        &tv,
        "a wrong token is refused",
        "document.getElementById('token-error').textContent.includes('Token salah')",
    )
    .await;
    enter_token(&tv, &device_settings(&config, &hub, "display-1").token).await;
    until(
        &tv,
        "the wall with the last call",
        "document.getElementById('latest-code').textContent === 'A-003'",
    )
    .await;
    tv.execute(
        "window.__said = []; speechSynthesis.speak = (u) => window.__said.push(u.text);",
        vec![],
    )
    .await
    .unwrap();
    issue(kiosk.clone()).await;
    assert_eq!(call(desk.clone()).await, "A-004");
    until(
        &tv,
        "the new call",
        "document.getElementById('latest-code').textContent === 'A-004'",
    )
    .await;
    assert_eq!(text(&tv, "latest-counter").await, "Loket 1");
    until(&tv, "the call is said", "window.__said.length === 1").await;
    let said = tv
        .execute("return window.__said[0];", vec![])
        .await
        .unwrap();
    assert_eq!(
        said,
        json!(antre_core::domain::words::call_text("A", 4, "Loket 1"))
    );
    assert!(text(&tv, "history").await.contains("A-003"));
    shot(&tv, "web-display").await;
    // Loket 1 takes a break until 13:00: its tile says so, as on the Slint display.
    finish_and_pause(&desk, PauseReason::Istirahat, "13:00").await;
    until(
        &tv,
        "the paused tile",
        "[...document.querySelectorAll('#counters .counter.paused')].some(d => \
         d.textContent === 'Loket 1 · Istirahats.d. 13:00')",
    )
    .await;
    shot(&tv, "web-display-paused").await;
    // Kept in the browser: a reload goes straight to the wall.
    tv.refresh().await.unwrap();
    until(
        &tv,
        "the wall again",
        "!document.getElementById('wall').hidden && \
         document.getElementById('latest-code').textContent === 'A-004'",
    )
    .await;
    tv.close().await.unwrap();
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_on_the_phone_shows_its_steps_and_its_visitor_can_cancel() {
    let config = sample_config();
    let mut hub = TestHub::start(&config).await;
    let base = format!("http://{}", hub.start_web().await);
    let (kiosk, _k) = Client::start(device_settings(&config, &hub, "kiosk-1"));
    let issued = kiosk
        .request(Request::IssueTicket {
            service: "".into(),
            priority: None,
            services: vec!["dukcapil-ktp".into(), "bpjs-kes-peserta".into()],
        })
        .await
        .unwrap()
        .ticket
        .unwrap();
    assert_eq!(issued.code, "A-001");
    let key = issued.key.unwrap();

    let driver = chromedriver();
    let profiles = tempfile::tempdir().unwrap();
    let phone = browser(&driver, &profiles.path().join("phone"), (390, 844)).await;
    phone
        .goto(&format!("{base}/t/A-001?k={key}"))
        .await
        .unwrap();
    until(
        &phone,
        "the visit's two steps",
        "document.querySelectorAll('#steps li').length === 2 && !document.getElementById('steps').hidden",
    )
    .await;
    assert_eq!(
        phone
            .execute(
                "return [...document.querySelectorAll('#steps li')].map(l => l.className + ': ' + l.textContent);",
                vec![],
            )
            .await
            .unwrap(),
        json!([
            "step current: KTP Elektronik — sekarang",
            "step next: Pendaftaran dan Perubahan Data Peserta"
        ])
    );
    until(
        &phone,
        "the cancel button for the key's holder",
        "!document.getElementById('cancel').hidden",
    )
    .await;
    shot(&phone, "phone-visit").await;

    // The visitor gives up: asked once, then the place is freed.
    phone
        .find(Locator::Id("cancel-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let asked = phone.get_alert_text().await.unwrap();
    assert!(asked.starts_with("Batalkan antrean A-001?"), "{asked}");
    phone.accept_alert().await.unwrap();
    until(
        &phone,
        "cancelled",
        "document.getElementById('status').textContent === 'Antrean dibatalkan. Terima kasih.' \
         && document.getElementById('cancel').hidden",
    )
    .await;
    shot(&phone, "phone-cancelled").await;
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let status: String = db
        .query_row("SELECT status FROM tickets WHERE number = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(status, "cancelled");

    // Without its key, the page shows the ticket but offers no cancel.
    let other = browser(&driver, &profiles.path().join("other"), (390, 844)).await;
    other.goto(&format!("{base}/t/A-001")).await.unwrap();
    until(
        &other,
        "the page",
        "document.getElementById('status').textContent !== ''",
    )
    .await;
    assert!(other
        .execute("return document.getElementById('cancel').hidden;", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap());
    phone.close().await.unwrap();
    other.close().await.unwrap();
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_says_when_the_turn_is_near_and_when_every_counter_pauses() {
    // The hall's threshold: two people ahead.
    let config = sample_config().replacen("[hall]\n", "[hall]\nnotify_ahead = 2\n", 1);
    let mut hub = TestHub::start(&config).await;
    let base = format!("http://{}", hub.start_web().await);
    let (kiosk, _k) = Client::start(device_settings(&config, &hub, "kiosk-1"));
    let (desk, _d) = Client::start(device_settings(&config, &hub, "counter-1"));
    let mut last = None;
    for _ in 0..4 {
        last = kiosk
            .request(Request::IssueTicket {
                service: "dukcapil-ktp".into(),
                priority: None,
                services: vec![],
            })
            .await
            .unwrap()
            .ticket;
    }
    let t = last.unwrap();
    assert_eq!(t.code, "A-004");
    desk.request(Request::OpenCounter {
        counter: "1".into(),
        officer: "Sri".into(),
    })
    .await
    .unwrap();
    let driver = chromedriver();
    let profiles = tempfile::tempdir().unwrap();
    let phone = browser(&driver, &profiles.path().join("phone"), (390, 844)).await;
    phone
        .goto(&format!("{base}/t/A-004?k={}", t.key.unwrap()))
        .await
        .unwrap();
    until(
        &phone,
        "three ahead",
        "document.getElementById('ahead').textContent === '3'",
    )
    .await;
    assert!(phone
        .execute("return document.getElementById('soon').hidden;", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap());
    phone
        .execute(
            "window.__buzz = []; navigator.vibrate = (p) => { window.__buzz.push(p); return true; };",
            vec![],
        )
        .await
        .unwrap();
    let call = || async {
        desk.request(Request::CallNext {
            counter: "1".into(),
        })
        .await
        .unwrap()
    };
    // Two ahead: the threshold. Once, then not again at one ahead.
    call().await;
    until(
        &phone,
        "almost your turn",
        "document.getElementById('ahead').textContent === '2' && !document.getElementById('soon').hidden",
    )
    .await;
    call().await;
    until(
        &phone,
        "one ahead",
        "document.getElementById('ahead').textContent === '1'",
    )
    .await;
    assert_eq!(
        phone
            .execute("return window.__buzz;", vec![])
            .await
            .unwrap(),
        json!([300])
    );
    shot(&phone, "phone-soon").await;

    // Loket 1, the only one open for KTP, goes to the prayer: the page says so.
    finish_and_pause(&desk, PauseReason::Salat, "12:30").await;
    until(
        &phone,
        "every counter paused",
        "document.getElementById('paused-text').textContent === \
         'Semua loket layanan ini sedang jeda: Loket 1 Salat s.d. 12:30.'",
    )
    .await;
    shot(&phone, "phone-paused").await;
    desk.request(Request::ResumeCounter {
        counter: "1".into(),
    })
    .await
    .unwrap();
    until(
        &phone,
        "resumed",
        "document.getElementById('paused-text').hidden",
    )
    .await;
    phone.close().await.unwrap();
    hub.stop().await;
}

/// The wall's areas as the browser lays them out: (left, top, width, height) of each.
const WALL_RECTS: &str =
    "return ['header', '#latest', '.history', '.counters', '.waiting', 'footer']\
     .map(s => { const r = document.querySelector(s).getBoundingClientRect(); \
                 return [r.left, r.top, r.width, r.height]; });";

/// The web display for everyone in the hall: Lighthouse's accessibility audit passes (the
/// wall as a TV shows it, set up with `/display#token=…`), and calls move nothing on it: the
/// areas keep their boxes and the layout shift the browser itself measures stays ≤ 0.10.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_display_passes_lighthouse_and_holds_still_on_a_call() {
    let config = sample_config();
    let mut hub = TestHub::start(&config).await;
    let web = hub.start_web().await;
    let base = format!("http://{web}");
    let (kiosk, _k) = Client::start(device_settings(&config, &hub, "kiosk-1"));
    let (desk, _d) = Client::start(device_settings(&config, &hub, "counter-1"));
    for _ in 0..4 {
        kiosk
            .request(Request::IssueTicket {
                services: vec![],
                service: "dukcapil-ktp".into(),
                priority: None,
            })
            .await
            .unwrap();
    }
    desk.request(Request::OpenCounter {
        counter: "1".into(),
        officer: "Sri".into(),
    })
    .await
    .unwrap();
    let token = device_settings(&config, &hub, "display-1").token;
    let wall = format!("{base}/display#token={token}");

    // Lighthouse, the accessibility category, on the wall at a TV's size.
    let (score, failing) = lighthouse_accessibility(&wall, None, (1920, 1080));
    assert_eq!(score, 1.0, "failing audits: {failing:?}");
    assert!(failing.is_empty(), "{failing:?}");
    let profiles = tempfile::tempdir().unwrap();

    // The wall in Chromium: set up from the address, then calls.
    let driver = chromedriver();
    let tv = browser(&driver, &profiles.path().join("tv"), (1920, 1080)).await;
    tv.goto(&wall).await.unwrap();
    until(
        &tv,
        "the wall, set up from the address",
        "!document.getElementById('wall').hidden && document.querySelectorAll('#counters .counter').length > 0",
    )
    .await;
    // The token is kept and gone from the address.
    assert_eq!(
        tv.execute("return location.hash;", vec![]).await.unwrap(),
        json!("")
    );
    let before = tv.execute(WALL_RECTS, vec![]).await.unwrap();
    tv.execute(
        "window.__shift = 0; new PerformanceObserver((list) => list.getEntries()\
           .forEach((e) => { if (!e.hadRecentInput) window.__shift += e.value; }))\
           .observe({ type: 'layout-shift' });",
        vec![],
    )
    .await
    .unwrap();
    for n in 1..=3 {
        desk.request(Request::CallNext {
            counter: "1".into(),
        })
        .await
        .unwrap();
        until(
            &tv,
            "the call on the wall",
            &format!("document.getElementById('latest-code').textContent === 'A-00{n}'"),
        )
        .await;
        if n == 1 {
            shot(&tv, "web-display-first-call").await;
        }
        assert_eq!(
            tv.execute(WALL_RECTS, vec![]).await.unwrap(),
            before,
            "call {n} moved the wall"
        );
        desk.request(Request::Finish {
            counter: "1".into(),
        })
        .await
        .unwrap();
    }
    let shift = tv
        .execute("return window.__shift;", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(shift <= 0.10, "layout shift {shift}");
    tv.close().await.unwrap();
    hub.stop().await;
}

/// The `antre-kiosk` binary beside this test's (cargo builds it for the kiosk's own tests
/// in `cargo test --workspace`); built here when this test runs alone.
fn antre_kiosk_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("antre-kiosk");
    if !bin.exists() {
        let built = Command::new(env!("CARGO"))
            .args(["build", "-p", "antre-kiosk", "--bin", "antre-kiosk"])
            .status()
            .unwrap();
        assert!(built.success(), "cargo builds antre-kiosk");
    }
    bin
}

/// The sample hall with its console, the console user `ani` (an admin, password
/// `rahasia-aula-123`), and Loket 1's terminal connected.
async fn console_hall() -> (
    String,
    TestHub,
    SocketAddr,
    (
        Client,
        tokio::sync::mpsc::UnboundedReceiver<antre_client::Update>,
    ),
) {
    let config = sample_config();
    let mut hub = TestHub::start(&config).await;
    let console = hub.start_console().await;
    let cfg = Config::parse(&config).unwrap();
    antre_hub::console::users::add(
        &hub.db,
        &cfg,
        "test",
        "ani",
        antre_hub::console::auth::Role::Admin,
        None,
        "rahasia-aula-123",
    )
    .unwrap();
    let desk = Client::start(device_settings(&config, &hub, "counter-1"));
    (config, hub, console, desk)
}

/// The next event of `kind` a device's client applied.
async fn until_event(
    updates: &mut tokio::sync::mpsc::UnboundedReceiver<antre_client::Update>,
    kind: antre_core::proto::EventKind,
) -> antre_core::proto::Event {
    loop {
        let u = tokio::time::timeout(PATIENCE, updates.recv())
            .await
            .expect("the event arrives in time")
            .expect("the client runs");
        if let antre_client::Update::Event(e) = u {
            if e.kind == kind {
                return *e;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_in_chromium_runs_the_hall_live() {
    use antre_core::proto::EventKind;
    let (config, hub, console, (desk, _desk_updates)) = console_hall().await;
    let (_wall, mut wall_updates) = Client::start(device_settings(&config, &hub, "display-1"));
    let (_kiosk, mut kiosk_updates) = Client::start(device_settings(&config, &hub, "kiosk-1"));

    let driver = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&driver, profile.path(), (1280, 1000)).await;
    b.goto(&format!("http://{console}/console")).await.unwrap();
    until(&b, "the login form", "document.getElementById('user')").await;
    shot(&b, "console-login").await;
    b.find(Locator::Id("user"))
        .await
        .unwrap()
        .send_keys("ani")
        .await
        .unwrap();
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("salah-sekali-123")
        .await
        .unwrap();
    b.find(Locator::Css("#login-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &b,
        "the wrong password is said",
        "document.getElementById('login-message').textContent.includes('salah')",
    )
    .await;
    b.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("rahasia-aula-123")
        .await
        .unwrap();
    b.find(Locator::Css("#login-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &b,
        "the counters",
        "document.querySelector('[data-counter=\"1\"]')",
    )
    .await;

    // The officer opens Loket 1 at the counter: the console shows it without a reload.
    desk.request(Request::OpenCounter {
        counter: "1".into(),
        officer: "Sri".into(),
    })
    .await
    .unwrap();
    until(
        &b,
        "Loket 1 open live",
        "document.querySelector('[data-counter=\"1\"]').classList.contains('open')",
    )
    .await;

    // Paused from the console with a reason: the wall display hears it.
    b.execute(
        "const c = document.querySelector('[data-counter=\"1\"]'); c.querySelector('select').value = 'salat'; [...c.querySelectorAll('button')].find(x => x.textContent === 'Jeda').click();",
        vec![],
    )
    .await
    .unwrap();
    let paused = until_event(&mut wall_updates, EventKind::CounterPaused).await;
    let state = paused.state.expect("the pause's state");
    assert_eq!(state.paused.expect("paused").reason, PauseReason::Salat);
    until(
        &b,
        "the pause shown",
        "document.querySelector('[data-counter=\"1\"]').classList.contains('paused')",
    )
    .await;

    // A service renamed in the page: the connected kiosk gets hall_changed with the name.
    b.execute(
        "const r = document.querySelector('[data-service=\"dukcapil-ktp\"]'); const i = r.querySelector('input'); i.value = 'KTP Elektronik (baru)'; r.querySelector('button').click();",
        vec![],
    )
    .await
    .unwrap();
    let changed = until_event(&mut kiosk_updates, EventKind::HallChanged).await;
    let hall = changed.hall.expect("the hall");
    let ktp = hall
        .services
        .iter()
        .find(|s| s.id.as_str() == "dukcapil-ktp")
        .unwrap();
    assert_eq!(ktp.name, "KTP Elektronik (baru)");
    until(
        &b,
        "saved",
        "document.getElementById('service-message').textContent.includes('Tersimpan')",
    )
    .await;
    shot(&b, "console-hall").await;

    // A device added from the page shows its pairing code.
    b.find(Locator::Id("dev-id"))
        .await
        .unwrap()
        .send_keys("kiosk-9")
        .await
        .unwrap();
    b.find(Locator::Css("#device-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &b,
        "the pairing code",
        "document.getElementById('pairing-code').textContent.length >= 8",
    )
    .await;
    shot(&b, "console-devices").await;
    let code = text(&b, "pairing-code").await;

    // The technician pairs the kiosk with the real `antre-kiosk pair`.
    let profile_dir = tempfile::tempdir().unwrap();
    let file = profile_dir.path().join("kiosk.toml");
    let (kiosk_bin, hub_addr, path) = (antre_kiosk_binary(), hub.addr.to_string(), file.clone());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(kiosk_bin)
            .args(["pair", "--hub", &hub_addr, "--code", &code, "--config"])
            .arg(&path)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved: toml::Table = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let token = saved["token"].as_str().unwrap().to_owned();
    let (paired, mut paired_updates) = Client::start(antre_client::ClientConfig {
        hub: hub.addr.to_string(),
        device: "kiosk-9".into(),
        token,
    });
    loop {
        let u = tokio::time::timeout(PATIENCE, paired_updates.recv())
            .await
            .unwrap()
            .unwrap();
        if matches!(u, antre_client::Update::Online { .. }) {
            break;
        }
    }
    until(&b, "kiosk-9 online", "[...document.querySelectorAll('[data-device=\"kiosk-9\"] td')].some(td => td.classList.contains('online'))").await;

    // Revoked from the page: the kiosk is cut off at once.
    b.find(Locator::Css("[data-device=\"kiosk-9\"] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.accept_alert().await.unwrap();
    loop {
        let u = tokio::time::timeout(PATIENCE, paired_updates.recv())
            .await
            .unwrap()
            .unwrap();
        if let antre_client::Update::Offline(why) = u {
            assert!(why.contains("revoked"), "{why}");
            break;
        }
    }
    until(
        &b,
        "kiosk-9 gone from the list",
        "!document.querySelector('[data-device=\"kiosk-9\"]')",
    )
    .await;
    drop(paired);

    // Today's report in the page, with its charts.
    b.execute(
        "document.getElementById('report-h').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    b.find(Locator::Css("#report-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &b,
        "the report in the page",
        "(() => { const f = document.getElementById('report'); return !f.hidden && f.contentDocument && f.contentDocument.querySelector('svg'); })()",
    )
    .await;
    shot(&b, "console-report").await;
    b.execute(
        "document.getElementById('cset-h').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    until(
        &b,
        "the counter setup",
        "document.querySelector('[data-counter-setup]')",
    )
    .await;
    shot(&b, "console-setup").await;

    // In English with one tap.
    b.find(Locator::Id("lang"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &b,
        "English",
        "document.getElementById('counters-h').textContent === 'Counters'",
    )
    .await;
    b.close().await.unwrap();
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_passes_lighthouse_logged_out_and_in() {
    let (_config, hub, console, (desk, _desk_updates)) = console_hall().await;
    desk.request(Request::OpenCounter {
        counter: "1".into(),
        officer: "Sri".into(),
    })
    .await
    .unwrap();
    let page = format!("http://{console}/console");

    // Away from the runtime the hub serves on: Lighthouse waits for its answers.
    let url = page.clone();
    let (score, failing) =
        tokio::task::spawn_blocking(move || lighthouse_accessibility(&url, None, (1280, 900)))
            .await
            .unwrap();
    assert!(
        score >= 0.95 && failing.is_empty(),
        "the login page: {score}, {failing:?}"
    );

    // Logged in: the hall with its counters, figures, devices, services and report form.
    let login = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["-s", "-i", "-H", "content-type: application/json", "-d"])
            .arg(json!({"user": "ani", "password": "rahasia-aula-123"}).to_string())
            .arg(format!("http://{console}/console/api/v1/login"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let head = String::from_utf8_lossy(&login.stdout).into_owned();
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("a session cookie: {head}"))
        .to_owned();
    let headers = json!({ "Cookie": cookie }).to_string();
    let (score, failing) = tokio::task::spawn_blocking(move || {
        lighthouse_accessibility(&page, Some(&headers), (1280, 900))
    })
    .await
    .unwrap();
    assert!(
        score >= 0.95 && failing.is_empty(),
        "the logged-in console: {score}, {failing:?}"
    );
    hub.stop().await;
}
