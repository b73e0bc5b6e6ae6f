//! "Tiket di ponsel": a kiosk with no printer gives every ticket on the screen, its page's
//! QR code to scan, for a minute at least. Through Slint's testing backend against a real
//! hub; the QR code is read back from the screen's own pixels by `zbarimg`.

mod common;

use antre_hub::testing::{sample_config, TestHub};
use antre_kiosk::app::Screen;
use antre_kiosk::printer::{Printer, PrinterSpec};
use common::qr_codes;
use common::screen::{kiosk_app, press, screenshot, settle, shown, text_of};
use std::time::Duration;

const PAGES: &str = "http://192.168.1.10:8080";

#[test]
fn a_kiosk_without_a_printer_gives_the_ticket_to_the_phone() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    // As `antre-kiosk` starts without `--printer`.
    let app = kiosk_app(
        &rt,
        &config,
        &hub,
        "kiosk-1",
        Printer::new(PrinterSpec::None),
        Some(PAGES),
        antre_kiosk::app::Mode::Tickets,
    );

    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    app.refresh();
    press(&app, "KTP Elektronik");
    app.refresh();
    press(&app, "Umum");
    settle(&app, "the ticket on the screen", |a| {
        a.screen() == Screen::Ticket && a.phone_ticket()
    });
    assert_eq!(app.ticket().map(|t| t.0).as_deref(), Some("A-001"));
    assert_eq!(
        text_of(&app, "print-note"),
        "Tiket di ponsel: pindai kode di samping"
    );
    assert!(shown(&app, "Foto atau pindai kode ini"));
    assert!(!shown(&app, "Cetak ulang"), "nothing to print again");

    // The code on the screen opens the ticket's page with its key, as the hub stored it.
    let key: String = rusqlite::Connection::open(&hub.db)
        .unwrap()
        .query_row(
            "SELECT key FROM tickets WHERE prefix = 'A' AND number = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let png = screenshot(&app, "kiosk-phone-ticket-portrait");
    assert_eq!(
        qr_codes(&png),
        [format!("{PAGES}/t/A-001?k={key}")],
        "zbarimg read the screen"
    );

    // It stays a minute at least (the kiosk's idle time is 30 s), then the next visitor.
    hub.clock.advance(Duration::from_secs(45));
    app.pump();
    assert_eq!(app.screen(), Screen::Ticket, "still there after 45 s");
    hub.clock.advance(Duration::from_secs(20));
    app.pump();
    assert_eq!(app.screen(), Screen::Start, "gone after 65 s");
    rt.block_on(hub.stop());
}
