//! The booking page in a real headless Chromium (Debian's `chromium` through `chromedriver`)
//! against the city's service on a real PostgreSQL: a citizen on a phone-sized screen books
//! a session with free seats, gets the code and a QR code that reads back as
//! `ANTRE-BOOKING:<code>`, and sees the session full afterwards; the page passes
//! Lighthouse's accessibility audit. Screenshots go to `$ANTRE_SCREENSHOTS` when set.

#[path = "../../hub/tests/common/chromium.rs"]
mod chromium;

use antre_central::testing::{central_toml, TestCentral, TestDb};
use antre_hub::testing::{jakarta, TestClock};
use chromium::{
    browser, chromedriver, click, lighthouse_accessibility, shot, text, type_into, until,
};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_books_on_a_phone_and_the_page_passes_lighthouse() {
    // Friday 27 November 2026, 09:00 in Batu: today's first session (08:00-10:00) still
    // takes bookings; two seats in each session, one taken already.
    let clock = TestClock::at(jakarta(9, 0));
    let db = TestDb::new().await;
    let cfg = central_toml(
        &[(
            "batu",
            "MPP Among Warga Kota Batu",
            "batu-sync-token-0123456789",
        )],
        "dukcapil-ktp",
        2,
    );
    let c = TestCentral::start(&db, &cfg, clock.clock(), None).await;
    let first = reqwest::Client::new()
        .post(format!("{}/api/v1/bookings", c.url))
        .json(
            &json!({"hall": "batu", "service": "dukcapil-ktp", "date": "2026-11-27",
                      "session": "08:00-10:00", "name": "Budi", "phone": "081100002222"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);

    let driver = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&driver, profile.path(), (412, 915)).await;
    b.goto(&format!("{}/", c.url)).await.unwrap();
    until(
        &b,
        "the sessions of today",
        "document.querySelectorAll('input[name=session]').length === 3",
    )
    .await;
    // Today as people say it, and the seats left.
    let date = b
        .execute(
            "return document.getElementById('date').selectedOptions[0].textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(date, json!("Jumat, 27 November 2026"));
    assert!(
        text(&b, "slots")
            .await
            .contains("08:00–10:00 · sisa 1 dari 2"),
        "{}",
        text(&b, "slots").await
    );
    click(&b, "input[name=session][value='08:00-10:00']").await;
    type_into(&b, "name", "Siti Aminah").await;
    type_into(&b, "phone", "0812-3456-7890").await;
    shot(&b, "central-booking-form").await;
    click(&b, "#book button[type=submit]").await;
    until(
        &b,
        "the code and its QR",
        "!document.getElementById('done').hidden && document.getElementById('qr').complete \
         && document.getElementById('qr').naturalWidth > 0",
    )
    .await;
    let code = text(&b, "code").await;
    assert!(
        antre_core::domain::booking::parse_code(&code).as_deref() == Some(code.as_str()),
        "{code:?} is a booking code"
    );
    assert_eq!(
        text(&b, "when").await,
        "KTP Elektronik · Jumat, 27 November 2026 · sesi 08:00–10:00"
    );
    // Stored, not cancelled, the phone as typed written the one way.
    let stored = db
        .connect()
        .await
        .query_one(
            "SELECT name, phone, session, cancelled_at IS NULL FROM bookings WHERE code = $1",
            &[&code],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            stored.get::<_, String>(0),
            stored.get::<_, String>(1),
            stored.get::<_, String>(2),
            stored.get::<_, bool>(3)
        ),
        (
            "Siti Aminah".into(),
            "081234567890".into(),
            "08:00-10:00".into(),
            true
        )
    );
    // The QR on the screen is what the kiosk's scanner reads.
    let png = profile.path().join("booked.png");
    std::fs::write(&png, b.screenshot().await.unwrap()).unwrap();
    let read = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .expect("zbarimg is installed (apt zbar-tools)");
    assert_eq!(
        String::from_utf8_lossy(&read.stdout).trim(),
        format!("ANTRE-BOOKING:{code}")
    );
    shot(&b, "central-booked").await;

    // Booking another: the session the two took is full now.
    click(&b, "#again").await;
    until(
        &b,
        "the first session full",
        "document.querySelector('input[value=\"08:00-10:00\"]') \
         && document.querySelector('input[value=\"08:00-10:00\"]').disabled",
    )
    .await;
    assert!(text(&b, "slots").await.contains("08:00–10:00 · penuh"));
    b.close().await.unwrap();

    // Lighthouse, away from the runtime the service answers on.
    let url = format!("{}/", c.url);
    let (score, failing) =
        tokio::task::spawn_blocking(move || lighthouse_accessibility(&url, None, (412, 915)))
            .await
            .unwrap();
    assert!(
        score >= 0.95 && failing.is_empty(),
        "the booking page: {score}, {failing:?}"
    );
    c.stop().await;
}
