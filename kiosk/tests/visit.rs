//! A visit of several errands on one ticket, at the kiosk: "Tambah layanan lain?", the same
//! service not twice, at most four, one taken off again; the visit on the ticket screen and
//! on paper (the real printer emulator, its QR code read by `zbarimg`), as the hub stored it;
//! and a visit one of whose services is refused, named, with nothing issued.
//! Through Slint's testing backend against a real hub on loopback.

mod common;

use antre_core::proto::Request;
use antre_hub::testing::{sample_config, TestHub};
use antre_kiosk::app::Screen;
use antre_kiosk::printer::{Printer, PrinterSpec};
use common::screen::{adapter, kiosk_app, press, screenshot, settle, shown, text_of};
use common::{qr_codes, Emupos};
use i_slint_backend_testing::ElementHandle;
use slint::{ComponentHandle as _, Model as _};

const PAGES: &str = "http://192.168.1.10:8080";

/// What the visit panel lists, in order.
fn visit_lines(app: &antre_kiosk::app::KioskApp) -> Vec<String> {
    ElementHandle::find_by_accessible_label(&app.window, "visit-line")
        .filter_map(|e| e.accessible_value())
        .map(|v| v.to_string())
        .collect()
}

fn ticket_lines(app: &antre_kiosk::app::KioskApp) -> Vec<String> {
    ElementHandle::find_by_accessible_label(&app.window, "ticket-visit-line")
        .filter_map(|e| e.accessible_value())
        .map(|v| v.to_string())
        .collect()
}

/// From the priority screen: "Tambah layanan lain?", an agency, one of its services.
fn add(app: &antre_kiosk::app::KioskApp, agency: &str, service: &str) {
    press(app, "+ Tambah layanan lain?");
    assert_eq!(app.screen(), Screen::Start);
    press(app, agency);
    assert_eq!(app.screen(), Screen::Services);
    press(app, service);
    assert_eq!(app.screen(), Screen::Priority, "{service} added");
}

#[test]
fn one_ticket_for_several_errands() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
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
        Some(PAGES),
        antre_kiosk::app::Mode::Tickets,
    );

    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    press(&app, "KTP Elektronik");
    assert_eq!(app.screen(), Screen::Priority);
    // KTP is served at Loket 1, 2 and 25 in the sample hall.
    assert_eq!(visit_lines(&app), ["1. KTP Elektronik — Loket 1–2, 25"]);
    assert!(
        !shown(&app, "Hapus 1. KTP Elektronik — Loket 1–2, 25"),
        "one service stays"
    );
    screenshot(&app, "kiosk-visit-one-portrait");

    // Adding: the agencies again, with a way back and without the aspiration buttons.
    press(&app, "+ Tambah layanan lain?");
    assert_eq!(app.screen(), Screen::Start);
    assert!(adapter(&app).get_adding());
    assert!(!shown(&app, "Beri penilaian"));
    screenshot(&app, "kiosk-visit-add-portrait");
    press(&app, "‹ Kembali");
    assert_eq!(app.screen(), Screen::Priority);
    assert_eq!(visit_lines(&app).len(), 1, "nothing added by going back");

    add(
        &app,
        "BPJS Kesehatan",
        "Pendaftaran dan Perubahan Data Peserta",
    );
    assert_eq!(
        visit_lines(&app),
        [
            "1. KTP Elektronik — Loket 1–2, 25",
            "2. Pendaftaran dan Perubahan Data Peserta — Loket 5–6",
        ]
    );

    // The same service not twice: its card says so, and a tap adds nothing.
    press(&app, "+ Tambah layanan lain?");
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    let ktp = adapter(&app).get_services().row_data(0).unwrap();
    assert_eq!(ktp.name, "KTP Elektronik");
    assert!(!ktp.open);
    assert_eq!(ktp.reason, "Sudah ada di tiket Anda.");
    press(&app, "KTP Elektronik");
    assert_eq!(app.screen(), Screen::Services, "KTP is not added twice");
    // Another service of the same agency is fine.
    press(&app, "Kartu Keluarga");
    assert_eq!(app.screen(), Screen::Priority);
    assert_eq!(visit_lines(&app).len(), 3);
    assert_eq!(visit_lines(&app)[2], "3. Kartu Keluarga — Loket 2–3, 25");

    // Taken off again: the others move up and are numbered anew.
    press(
        &app,
        "Hapus 2. Pendaftaran dan Perubahan Data Peserta — Loket 5–6",
    );
    assert_eq!(
        visit_lines(&app),
        [
            "1. KTP Elektronik — Loket 1–2, 25",
            "2. Kartu Keluarga — Loket 2–3, 25",
        ]
    );
    add(&app, "Samsat Kota Batu", "Pajak Kendaraan Tahunan");
    add(
        &app,
        "BPJS Kesehatan",
        "Pendaftaran dan Perubahan Data Peserta",
    );
    // Four is the most: the button says so and does nothing.
    assert!(adapter(&app).get_visit_full());
    assert!(shown(&app, "Sudah 4 layanan (paling banyak)"));
    assert!(!shown(&app, "+ Tambah layanan lain?"));
    let four = [
        "1. KTP Elektronik — Loket 1–2, 25",
        "2. Kartu Keluarga — Loket 2–3, 25",
        "3. Pajak Kendaraan Tahunan — Loket 8–9",
        "4. Pendaftaran dan Perubahan Data Peserta — Loket 5–6",
    ];
    assert_eq!(visit_lines(&app), four);
    screenshot(&app, "kiosk-visit-four-portrait");
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1920, 1080));
    screenshot(&app, "kiosk-visit-four-landscape");
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));

    press(&app, "Umum");
    settle(&app, "the ticket is printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    assert_eq!(app.ticket(), Some(("A-001".into(), false)));
    assert_eq!(ticket_lines(&app), four);
    assert_eq!(text_of(&app, "print-note"), "Silakan ambil tiket Anda");
    screenshot(&app, "kiosk-visit-ticket-portrait");

    // The hub holds the visit in that order, at its first step.
    let (visit, step, key): (String, i64, String) = rusqlite::Connection::open(&hub.db)
        .unwrap()
        .query_row(
            "SELECT visit, step, key FROM tickets WHERE prefix = 'A' AND number = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        visit,
        "dukcapil-ktp,dukcapil-kk,samsat-pkb,bpjs-kes-peserta"
    );
    assert_eq!(step, 0);

    // On paper: one ticket for the four, in order, and the page's QR code with the key.
    let receipt = printer.next_receipt();
    let text = &receipt.text;
    assert!(text.contains("Satu tiket untuk 4 layanan"), "{text}");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} on paper: {text}"))
    };
    assert!(at("1. KTP Elektronik - Loket 1-2, 25") < at("2. Kartu Keluarga - Loket 2-3, 25"));
    assert!(at("2. Kartu Keluarga") < at("3. Pajak Kendaraan Tahunan - Loket 8-9"));
    assert!(at("3. Pajak Kendaraan") < at("4. Pendaftaran dan Perubahan"));
    assert_eq!(
        qr_codes(&receipt.png),
        [format!("{PAGES}/t/A-001?k={key}")],
        "zbarimg read the paper"
    );
    std::fs::copy(
        &receipt.png,
        antre_ui::screenshot_dir().join("kiosk-visit-printed-ticket.png"),
    )
    .unwrap();

    // The next visitor starts afresh.
    press(&app, "Selesai");
    assert_eq!(app.screen(), Screen::Start);
    press(&app, "Badan Pendapatan Daerah");
    press(&app, "PBB-P2 (Pajak Bumi dan Bangunan)");
    assert_eq!(
        visit_lines(&app),
        ["1. PBB-P2 (Pajak Bumi dan Bangunan) — Loket 10–11"]
    );
    rt.block_on(hub.stop());
}

#[test]
fn a_visit_with_a_refused_service_gets_no_ticket_and_names_it() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The health office's permits: one ticket a day, and it is taken below.
    let config = sample_config().replace(
        "prefix = \"R\"\ndaily_quota = 30",
        "prefix = \"R\"\ndaily_quota = 1",
    );
    assert!(config.contains("daily_quota = 1\n"));
    let hub = rt.block_on(TestHub::start(&config));
    let app = kiosk_app(
        &rt,
        &config,
        &hub,
        "kiosk-1",
        Printer::new(PrinterSpec::None),
        Some(PAGES),
        antre_kiosk::app::Mode::Tickets,
    );
    // KTP, then the permits, with the permit's one ticket still free...
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    press(&app, "KTP Elektronik");
    add(&app, "Dinas Kesehatan", "Izin Tenaga Kesehatan (SIP/SIK)");
    assert_eq!(visit_lines(&app).len(), 2);
    // ...which the other kiosk takes while this visitor decides.
    let (other, _updates) = {
        let _g = rt.enter();
        antre_client::Client::start(antre_hub::testing::device_settings(
            &config, &hub, "kiosk-2",
        ))
    };
    let taken = rt
        .block_on(other.request(Request::IssueTicket {
            service: antre_core::domain::ServiceId::new("dinkes-sik"),
            priority: None,
            services: vec![],
        }))
        .unwrap();
    assert_eq!(taken.ticket.unwrap().code, "R-001");
    press(&app, "Umum");
    settle(&app, "refused", |a| a.screen() == Screen::Refused);
    let (title, detail) = app.message();
    assert_eq!(title, "Maaf, tiket tidak dapat diambil");
    assert!(
        detail.starts_with(
            "Izin Tenaga Kesehatan (SIP/SIK): Kuota hari ini sudah habis. Silakan datang lagi besok."
        ),
        "{detail}"
    );
    screenshot(&app, "kiosk-visit-refused-portrait");
    // Nothing issued for the visit: not even its KTP.
    let tickets: Vec<String> = {
        let db = rusqlite::Connection::open(&hub.db).unwrap();
        let mut q = db
            .prepare("SELECT prefix || '-' || number FROM tickets ORDER BY id")
            .unwrap();
        q.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(tickets, ["R-1"]);

    // Now the card says so when the next visitor tries to add it.
    press(&app, "Kembali ke awal");
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    press(&app, "KTP Elektronik");
    press(&app, "+ Tambah layanan lain?");
    press(&app, "Dinas Kesehatan");
    let permit = adapter(&app).get_services().row_data(0).unwrap();
    assert!(!permit.open);
    assert_eq!(
        permit.reason,
        "Kuota hari ini sudah habis. Silakan datang lagi besok."
    );
    press(&app, "Izin Tenaga Kesehatan (SIP/SIK)");
    assert_eq!(
        app.screen(),
        Screen::Services,
        "a full service is not added"
    );
    rt.block_on(hub.stop());
}
