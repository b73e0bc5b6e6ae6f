//! "Saya sudah booking" on the kiosk, through Slint's testing backend against a real hub on
//! loopback and the real printer emulator: bookings the hub pulled from the city's service
//! (put into its store the way the pull does, so no city's service need be running: the
//! hall checks in with the internet down), typed on the keypad and scanned as a QR scanner
//! types, the priority question, the printed ticket, and each refusal in words: a second
//! check-in, too early, another day, an unknown code, something that is no code at all.
//! Screenshots go to `$ANTRE_SCREENSHOTS` when set.

mod common;

use antre_core::proto::sync::HallBooking;
use antre_hub::testing::{sample_config, TestHub};
use antre_kiosk::app::{KioskApp, Mode, Screen};
use antre_kiosk::printer::{Printer, PrinterSpec};
use common::screen::{adapter, kiosk_app, press, screenshot, settle, shown, text_of};
use common::Emupos;
use slint::platform::WindowEvent;
use slint::Model as _;

/// The sample hall taking bookings: its `[central]` names a city's service that is not
/// there (nothing listens on port 9), as on a morning the internet is down.
fn config() -> String {
    format!(
        "{}\n[central]\nurl = \"http://127.0.0.1:9\"\nhall = \"among-warga\"\ntoken = \"hall-sync-token-for-tests-0123456789\"\n",
        sample_config()
    )
}

fn booking(code: &str, service: &str, date: &str, session: &str) -> HallBooking {
    HallBooking {
        code: code.into(),
        service: service.into(),
        date: date.into(),
        session: session.into(),
        name: "Siti Aminah".into(),
        phone: "0812*****890".into(),
        status: "booked".into(),
    }
}

/// Types `text` as a QR scanner does: a keyboard, key by key.
fn scan(app: &KioskApp, text: &str) {
    for c in text.chars() {
        let t: slint::SharedString = c.to_string().into();
        let w = slint::ComponentHandle::window(&app.window);
        w.dispatch_event(WindowEvent::KeyPressed { text: t.clone() });
        w.dispatch_event(WindowEvent::KeyReleased { text: t });
    }
    app.refresh();
}

/// Taps "Saya sudah booking", then each character of `code` on the keypad.
fn tap_code(app: &KioskApp, code: &str) {
    press(app, "Saya sudah booking");
    app.refresh();
    assert_eq!(app.screen(), Screen::BookingCode);
    for c in code.chars() {
        press(app, &c.to_string());
    }
    app.refresh();
}

fn booking_of_ticket(hub: &TestHub, code: &str) -> Option<String> {
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    db.query_row(
        "SELECT booking FROM tickets WHERE prefix || '-' || printf('%03d', number) = ?1",
        [code],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_booking_is_checked_in_at_the_kiosk_once_and_refused_in_words_otherwise() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = config();
    // Friday 27 November 2026, 09:00 in Batu (the test hub's clock).
    let hub = rt.block_on(TestHub::start(&config));
    let saved = rt
        .block_on(hub.hub.run(|hall, now| {
            let saved = hall.save_bookings(
                now,
                &[
                    booking("BK-7KQ4M9A", "dukcapil-ktp", "2026-11-27", "08:00-10:00"),
                    booking("BK-3HJ9TQW", "dukcapil-kk", "2026-11-27", "13:00-15:00"),
                    booking("BK-4MNPQRT", "dukcapil-ktp", "2026-11-28", "08:00-10:00"),
                ],
            );
            (saved, (vec![], vec![]))
        }))
        .unwrap()
        .unwrap();
    assert_eq!(saved, 3);
    let printer = Emupos::start();
    let app = kiosk_app(
        &rt,
        &config,
        &hub,
        "kiosk-1",
        Printer::new(PrinterSpec::Tcp {
            host: "127.0.0.1".into(),
            port: printer.tcp.port(),
        }),
        None,
        Mode::Tickets,
    );
    settle(&app, "the hall takes bookings", |a| {
        adapter(a).get_bookings()
    });
    screenshot(&app, "kiosk-start-bookings-portrait");

    // 1. Typed on the keypad: the BK- is there already; "Lanjut" waits for all 7.
    tap_code(&app, "7KQ4M9");
    assert_eq!(text_of(&app, "booking-input"), "BK-7KQ4M9");
    assert!(!adapter(&app).get_booking_ready());
    press(&app, "A");
    app.refresh();
    assert_eq!(text_of(&app, "booking-input"), "BK-7KQ4M9A");
    assert!(adapter(&app).get_booking_ready());
    // The keypad holds the codes' 26 characters, no 0, 1, 2, 5 or 8 to mistake.
    let keys: Vec<String> = adapter(&app)
        .get_booking_keys()
        .iter()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(keys.concat(), "34679ABCDEFGHJKMNPQRTUVWXY");
    screenshot(&app, "kiosk-booking-code-portrait");
    press(&app, "Lanjut ›");
    app.refresh();
    assert_eq!(app.screen(), Screen::BookingPriority);
    assert_eq!(text_of(&app, "booking-code"), "BK-7KQ4M9A");
    screenshot(&app, "kiosk-booking-priority-portrait");
    press(&app, "Lansia");
    settle(&app, "the booking's ticket is printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    // The first ticket of KTP Elektronik (prefix A), for the booking, with its priority.
    assert_eq!(app.ticket(), Some(("A-001".into(), false)));
    assert_eq!(adapter(&app).get_ticket_service(), "KTP Elektronik");
    assert_eq!(adapter(&app).get_ticket_priority(), "Prioritas: Lansia");
    let receipt = printer.next_receipt();
    assert!(receipt.text.contains("A-001"), "{}", receipt.text);
    assert!(
        receipt.text.contains("Booking BK-7KQ4M9A"),
        "{}",
        receipt.text
    );
    assert!(
        receipt.text.contains("PRIORITAS: LANSIA"),
        "{}",
        receipt.text
    );
    if let Ok(dir) = std::env::var("ANTRE_SCREENSHOTS") {
        std::fs::copy(
            &receipt.png,
            std::path::Path::new(&dir).join("ticket-booking.png"),
        )
        .unwrap();
    }
    assert_eq!(
        booking_of_ticket(&hub, "A-001").as_deref(),
        Some("BK-7KQ4M9A")
    );
    press(&app, "Selesai");
    app.refresh();
    assert_eq!(app.screen(), Screen::Start);

    // 2. The same booking again, from a QR scanner: used already, said in words.
    press(&app, "Saya sudah booking");
    app.refresh();
    scan(&app, "ANTRE-BOOKING:BK-7KQ4M9A\n");
    assert_eq!(app.screen(), Screen::BookingPriority);
    press(&app, "Umum");
    settle(&app, "the second check-in refused", |a| {
        a.screen() == Screen::Refused
    });
    assert_eq!(
        app.message(),
        (
            "Booking sudah dipakai".into(),
            "Tiket untuk booking BK-7KQ4M9A sudah diambil. Satu booking untuk satu tiket; bila \
             Anda belum menerimanya, tanyakan kepada petugas."
                .into()
        )
    );
    screenshot(&app, "kiosk-booking-used-portrait");
    press(&app, "Kembali ke awal");
    app.refresh();

    // 3. The afternoon's booking at 09:00: good only from 12:30.
    tap_code(&app, "3HJ9TQW");
    press(&app, "Lanjut ›");
    app.refresh();
    press(&app, "Umum");
    settle(&app, "too early", |a| a.screen() == Screen::Refused);
    assert_eq!(app.message().0, "Di luar waktu booking");
    assert!(
        app.message().1.starts_with(
            "Booking BK-3HJ9TQW berlaku mulai 30 menit sebelum sesinya sampai sesinya selesai."
        ),
        "{:?}",
        app.message()
    );
    press(&app, "Kembali ke awal");
    app.refresh();

    // 4. Tomorrow's booking.
    tap_code(&app, "4MNPQRT");
    press(&app, "Lanjut ›");
    app.refresh();
    press(&app, "Umum");
    settle(&app, "another day", |a| a.screen() == Screen::Refused);
    assert_eq!(app.message().0, "Booking bukan untuk hari ini");
    press(&app, "Kembali ke awal");
    app.refresh();

    // 5. A code with a typing error: back on the keypad with the code kept to correct.
    tap_code(&app, "7KQ4M9B");
    press(&app, "Lanjut ›");
    app.refresh();
    press(&app, "Umum");
    settle(&app, "unknown: back to the keypad", |a| {
        a.screen() == Screen::BookingCode && !a.busy()
    });
    assert_eq!(text_of(&app, "booking-input"), "BK-7KQ4M9B");
    assert_eq!(
        text_of(&app, "booking-error"),
        "Booking BK-7KQ4M9B tidak ada untuk hari ini di sini. Periksa lagi kodenya, atau \
         tanyakan kepada petugas."
    );
    screenshot(&app, "kiosk-booking-unknown-portrait");

    // 6. A ticket's QR scanned here is no booking code: said at once, nothing sent.
    press(&app, "‹ Kembali");
    app.refresh();
    assert_eq!(app.screen(), Screen::Start);
    press(&app, "Saya sudah booking");
    app.refresh();
    scan(&app, "ANTRE:2026-11-27:A-001\n");
    assert_eq!(app.screen(), Screen::BookingCode);
    assert_eq!(
        text_of(&app, "booking-error"),
        "Kode booking tidak dikenali. Kodenya BK- lalu 7 huruf dan angka, misalnya BK-7KQ4M9A."
    );
    assert_eq!(text_of(&app, "booking-input"), "", "a bad scan is cleared");

    // In English, one tap away.
    press(&app, "English");
    app.refresh();
    assert!(shown(&app, "booking-input"));
    screenshot(&app, "kiosk-booking-code-english-portrait");
    // Only the one booking became a ticket.
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_hall_without_bookings_offers_none() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let printer = Printer::new(PrinterSpec::File(hub.dir.path().join("kiosk.bin")));
    let app = kiosk_app(&rt, &config, &hub, "kiosk-1", printer, None, Mode::Tickets);
    assert!(!adapter(&app).get_bookings());
    assert!(!shown(&app, "Saya sudah booking"));
    // Even asked for, the screen does not open.
    adapter(&app).invoke_start_booking();
    app.refresh();
    assert_eq!(app.screen(), Screen::Start);
}
