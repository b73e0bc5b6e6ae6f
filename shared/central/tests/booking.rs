//! The citizens' side of the city's service against a real PostgreSQL over real HTTP:
//! booking, its refusals in words, seats, cancelling; and the schema's migrations when
//! several processes start at once.

use antre_central::testing::{central_toml, TestCentral, TestDb};
use antre_hub::testing::{jakarta, TestClock};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TOKEN: &str = "batu-sync-token-0123456789";

async fn central(per_session: u32, clock: &TestClock) -> (TestDb, TestCentral) {
    let db = TestDb::new().await;
    let cfg = central_toml(&[("batu", "MPP Among Warga", TOKEN)], "ktp", per_session);
    let c = TestCentral::start(&db, &cfg, clock.clock(), None).await;
    (db, c)
}

async fn book(c: &TestCentral, body: Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/bookings", c.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

fn booking(date: &str, session: &str, phone: &str) -> Value {
    json!({"hall": "batu", "service": "ktp", "date": date, "session": session,
           "name": "Siti Aminah", "phone": phone})
}

async fn get(c: &TestCentral, path: &str) -> Value {
    let r = reqwest::get(format!("{}{path}", c.url)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_books_a_session_and_its_seats_run_out() {
    // Friday 2026-11-27, 09:00 in Batu.
    let clock = TestClock::at(jakarta(9, 0));
    let (_db, c) = central(2, &clock).await;

    let halls = get(&c, "/api/v1/halls").await;
    assert_eq!(halls[0]["id"], "batu");
    let dates: Vec<&str> = halls[0]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    // Today to 14 days ahead, weekends left out: 27 Nov, then 30 Nov – 4 Dec, 7 – 11 Dec.
    assert_eq!(dates.len(), 11, "{dates:?}");
    assert_eq!(dates[0], "2026-11-27");
    assert!(!dates.contains(&"2026-11-28"), "a Saturday");
    assert_eq!(dates[10], "2026-12-11");

    let (status, first) = book(&c, booking("2026-11-30", "10:00-12:00", "0812-3456-7890")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let code = first["code"].as_str().unwrap();
    assert_eq!(
        antre_core::domain::booking::parse_code(code).as_deref(),
        Some(code),
        "a code of the alphabet: {code}"
    );
    assert_eq!(first["session"], "10:00-12:00");

    // The same phone (written another way) again for that service and day.
    let (status, again) = book(
        &c,
        booking("2026-11-30", "13:00-15:00", "+62 812 3456 7890"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"], "already_booked");

    let (status, _) = book(&c, booking("2026-11-30", "10:00-12:00", "081111111111")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, full) = book(&c, booking("2026-11-30", "10:00-12:00", "082222222222")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(full["error"], "session_full");
    assert!(full["message"].as_str().unwrap().contains("full"));

    let seats = get(&c, "/api/v1/seats?hall=batu&service=ktp&date=2026-11-30").await;
    assert_eq!(
        seats,
        json!([
            {"session": "08:00-10:00", "free": 2, "per_session": 2, "open": true},
            {"session": "10:00-12:00", "free": 0, "per_session": 2, "open": true},
            {"session": "13:00-15:00", "free": 2, "per_session": 2, "open": true},
        ])
    );

    // Cancelling: a wrong phone is an unknown booking; the right one frees the seat.
    let http = reqwest::Client::new();
    let cancel = |phone: &'static str| {
        http.delete(format!("{}/api/v1/bookings/{code}", c.url))
            .json(&json!({"phone": phone}))
            .send()
    };
    let wrong = cancel("089999999999").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "unknown_booking"
    );
    let right = cancel("081234567890").await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    let seats = get(&c, "/api/v1/seats?hall=batu&service=ktp&date=2026-11-30").await;
    assert_eq!(seats[1]["free"], 1);
    // Cancelled, the phone may book that day again.
    let (status, _) = book(&c, booking("2026-11-30", "10:00-12:00", "081234567890")).await;
    assert_eq!(status, StatusCode::CREATED);
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookings_are_refused_in_words() {
    let clock = TestClock::at(jakarta(10, 30));
    let (_db, c) = central(5, &clock).await;
    let cases = [
        (
            booking("2026-11-28", "08:00-10:00", "081234567890"),
            422,
            "date_not_bookable",
        ), // Saturday
        (
            booking("2026-12-25", "08:00-10:00", "081234567890"),
            422,
            "date_not_bookable",
        ), // holiday
        (
            booking("2026-12-14", "08:00-10:00", "081234567890"),
            422,
            "date_not_bookable",
        ), // 17 days
        (
            booking("2026-11-26", "08:00-10:00", "081234567890"),
            422,
            "date_not_bookable",
        ), // past
        (
            booking("2026-11-27", "08:00-10:00", "081234567890"),
            422,
            "session_over",
        ), // today, ended
        (
            booking("2026-11-30", "09:00-11:00", "081234567890"),
            400,
            "invalid_request",
        ), // no such session
        (
            booking("2026-11-30", "08:00-10:00", "0341 123456"),
            400,
            "invalid_request",
        ), // a landline
        (
            json!({"hall": "malang", "service": "ktp", "date": "2026-11-30", "session": "08:00-10:00",
                "name": "A", "phone": "081234567890"}),
            404,
            "unknown_hall",
        ),
        (
            json!({"hall": "batu", "service": "samsat", "date": "2026-11-30", "session": "08:00-10:00",
                "name": "A", "phone": "081234567890"}),
            404,
            "unknown_service",
        ),
        (
            json!({"hall": "batu", "service": "ktp", "date": "2026-11-30", "session": "08:00-10:00",
                "name": "  ", "phone": "081234567890"}),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, code) in cases {
        let (got, reply) = book(&c, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body} → {reply}");
        assert_eq!(reply["error"], code, "{body}");
        assert!(!reply["message"].as_str().unwrap().is_empty());
    }
    // Today's later session is still open.
    let (got, _) = book(&c, booking("2026-11-27", "13:00-15:00", "081234567890")).await;
    assert_eq!(got, StatusCode::CREATED);
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_booking_page_and_its_qr_code_are_served() {
    let clock = TestClock::at(jakarta(9, 0));
    let (_db, c) = central(5, &clock).await;
    let page = reqwest::get(format!("{}/", c.url)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="id">"#));
    assert!(html.contains("Saya sudah booking"));
    let qr = reqwest::get(format!("{}/api/v1/bookings/BK-7KQ4MXA/qr.svg", c.url))
        .await
        .unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().starts_with("<svg"));
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_at_once_apply_each_migration_once() {
    let db = TestDb::new().await;
    let runs = (0..4).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move {
            let pool = antre_central::db::pool(&url, 1).unwrap();
            antre_central::db::migrate(&pool).await.unwrap()
        })
    });
    let mut applied = vec![];
    for r in runs {
        applied.extend(r.await.unwrap());
    }
    applied.sort_unstable();
    let all: Vec<usize> = (1..=antre_central::db::MIGRATIONS.len()).collect();
    assert_eq!(applied, all, "each version applied by exactly one of them");
    let rows = db
        .connect()
        .await
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), all.len());
}
