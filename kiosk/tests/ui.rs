//! The kiosk through Slint's testing backend (software renderer, real pixels) against a real
//! hub on loopback and the real printer emulator: the visitor's whole way by accessible
//! labels, priority, a closed service, a used-up quota, the printer out of paper before and
//! after issuing, offline and back, a tap that survives a dropped connection. Screenshots of
//! each screen go to `$ANTRE_SCREENSHOTS` when set.

mod common;

use antre_client::Client;
use antre_core::proto::{PrinterStatus, Request};
use antre_hub::testing::{device_settings, jakarta, sample_config, TestHub};
use antre_kiosk::app::{KioskApp, KioskOptions, Screen};
use antre_kiosk::printer::{Printer, PrinterSpec};
use antre_kiosk::ticket::Paper;
use common::screen::{adapter, press, screenshot, settle, shown, text_of};
use common::PATIENCE;
use common::{qr_codes, Emupos};
use slint::{ComponentHandle, Model as _};
use std::rc::Rc;
use std::time::Duration;

fn tickets_in_db(hub: &TestHub) -> i64 {
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    db.query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
        .unwrap()
}

fn unmet_in_db(hub: &TestHub) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let mut s = db
        .prepare("SELECT service, reason FROM unmet_demand ORDER BY id")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Taps an agency, then a service, up to the priority question.
fn to_priority(app: &KioskApp, agency: &str, service: &str) {
    press(app, agency);
    app.refresh();
    assert_eq!(app.screen(), Screen::Services);
    press(app, service);
    app.refresh();
    assert_eq!(app.screen(), Screen::Priority);
}

#[test]
fn a_visitors_way_through_the_kiosk() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The sample hall, with the health office's permit quota cut to one for the test.
    let config = sample_config().replace(
        "prefix = \"R\"\ndaily_quota = 30",
        "prefix = \"R\"\ndaily_quota = 1",
    );
    assert!(config.contains("daily_quota = 1\n"));
    let mut hub = rt.block_on(TestHub::start(&config));
    let printer = Emupos::start();
    let (admin, mut admin_updates) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "admin"))
    };

    let (client, updates) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "kiosk-1"))
    };
    let app: Rc<KioskApp> = KioskApp::new(
        client,
        updates,
        rt.handle().clone(),
        Printer::new(PrinterSpec::Tcp {
            host: "127.0.0.1".into(),
            port: printer.tcp.port(),
        }),
        KioskOptions {
            paper: Paper::Mm80,
            idle: Duration::from_secs(30),
            public_url: None,
            mode: antre_kiosk::app::Mode::Tickets,
        },
    )
    .unwrap();
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    app.set_clock(hub.clock.clock());
    settle(&app, "welcome", |a| {
        adapter(a).get_agencies().row_count() == 15
    });
    assert_eq!(adapter(&app).get_hall_name(), "MPP Among Warga Kota Batu");
    assert_eq!(adapter(&app).get_date_text(), "Jumat, 27 November 2026");
    assert_eq!(adapter(&app).get_clock_text(), "09:00");
    // The idle kiosk checks its printer and tells the hub it is fine.
    settle(&app, "printer reported", |a| {
        a.reported() == Some(PrinterStatus::Ok)
    });
    screenshot(&app, "kiosk-start-portrait");

    // 1. The whole way: agency, service (with what to bring), priority, the printed ticket.
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    app.refresh();
    assert_eq!(app.screen(), Screen::Services);
    let ktp = adapter(&app).get_services().row_data(0).unwrap();
    assert_eq!(ktp.name, "KTP Elektronik");
    assert!(ktp.open);
    assert!(ktp.requirements.starts_with("Yang perlu dibawa: KK asli"));
    assert_eq!(ktp.standard, "Standar layanan 10 menit");
    assert_eq!(ktp.waiting, "0 orang menunggu");
    screenshot(&app, "kiosk-services-portrait");
    press(&app, "‹ Kembali");
    app.refresh();
    assert_eq!(app.screen(), Screen::Start);

    to_priority(
        &app,
        "Dinas Kependudukan dan Pencatatan Sipil",
        "KTP Elektronik",
    );
    screenshot(&app, "kiosk-priority-portrait");
    press(&app, "Lansia");
    settle(&app, "the ticket is printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    assert_eq!(app.ticket(), Some(("A-001".into(), false)));
    assert_eq!(text_of(&app, "print-note"), "Silakan ambil tiket Anda");
    assert_eq!(adapter(&app).get_ticket_priority(), "Prioritas: Lansia");
    assert_eq!(
        adapter(&app).get_ticket_ahead(),
        "Tidak ada yang di depan Anda"
    );
    let receipt = printer.next_receipt();
    assert!(receipt.text.contains("A-001"), "{}", receipt.text);
    assert!(
        receipt.text.contains("PRIORITAS: LANSIA"),
        "{}",
        receipt.text
    );
    assert!(receipt.text.contains("KTP Elektronik"), "{}", receipt.text);
    assert_eq!(qr_codes(&receipt.png), vec!["ANTRE:2026-11-27:A-001"]);
    std::fs::copy(
        &receipt.png,
        antre_ui::screenshot_dir().join("kiosk-printed-ticket.png"),
    )
    .unwrap();
    screenshot(&app, "kiosk-ticket-portrait");
    let issued = rt
        .block_on(admin.request(Request::CallTicket {
            counter: "1".into(),
            ticket: "A-001".into(),
        }))
        .map(|_| ());
    assert!(
        issued.is_err(),
        "counter 1 is closed: the ticket stays waiting"
    );

    // Back to the start after the idle time, without a touch.
    hub.clock.advance(Duration::from_secs(29));
    app.pump();
    assert_eq!(app.screen(), Screen::Ticket);
    hub.clock.advance(Duration::from_secs(2));
    app.pump();
    assert_eq!(app.screen(), Screen::Start);

    // 2. A second visitor, in English, no priority: one person ahead now.
    press(&app, "English");
    app.refresh();
    assert_eq!(adapter(&app).get_date_text(), "Friday, 27 November 2026");
    to_priority(
        &app,
        "Dinas Kependudukan dan Pencatatan Sipil",
        "KTP Elektronik",
    );
    press(&app, "General");
    settle(&app, "printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    assert_eq!(app.ticket(), Some(("A-002".into(), false)));
    assert_eq!(adapter(&app).get_ticket_ahead(), "Ahead of you: 1");
    assert_eq!(text_of(&app, "print-note"), "Please take your ticket");
    printer.next_receipt();
    press(&app, "Done");
    app.refresh();
    assert_eq!(app.screen(), Screen::Start);
    press(&app, "Bahasa Indonesia");
    app.refresh();
    assert!(!adapter(&app).get_english());

    // 3. A used-up quota: the card says so; trying it is refused and recorded.
    rt.block_on(admin.request(Request::IssueTicket {
        services: vec![],
        service: "dinkes-sik".into(),
        priority: None,
    }))
    .unwrap();
    settle(&app, "the quota shows", |a| {
        adapter(a).get_agencies().row_data(1).unwrap().note == "Tutup"
    });
    press(&app, "Dinas Kesehatan");
    app.refresh();
    let sik = adapter(&app).get_services().row_data(0).unwrap();
    assert!(!sik.open);
    assert_eq!(
        sik.reason,
        "Kuota hari ini sudah habis. Silakan datang lagi besok."
    );
    screenshot(&app, "kiosk-quota-portrait");
    let before = tickets_in_db(&hub);
    press(&app, sik.name.as_str());
    settle(&app, "refused", |a| a.screen() == Screen::Refused);
    assert_eq!(
        text_of(&app, "message-title"),
        "Maaf, tiket tidak dapat diambil"
    );
    assert!(text_of(&app, "message-detail").contains("Kuota hari ini sudah habis"));
    assert_eq!(tickets_in_db(&hub), before, "no ticket");
    assert_eq!(
        unmet_in_db(&hub).last().unwrap(),
        &("dinkes-sik".to_owned(), "quota_exhausted".to_owned())
    );
    press(&app, "Kembali ke awal");
    app.refresh();

    // 4. Outside the issuing hours: when it opens again, and the demand is recorded.
    hub.clock.set(jakarta(14, 45));
    app.pump();
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    app.refresh();
    let akta = adapter(&app).get_services().row_data(2).unwrap();
    assert_eq!(akta.name, "Akta Kelahiran dan Kematian");
    assert!(!akta.open);
    assert_eq!(
        akta.reason,
        "Sudah tutup hari ini. Buka lagi besok pukul 08:00."
    );
    screenshot(&app, "kiosk-closed-portrait");
    press(&app, akta.name.as_str());
    settle(&app, "refused", |a| a.screen() == Screen::Refused);
    assert!(text_of(&app, "message-detail").contains("Buka lagi besok pukul 08:00"));
    assert_eq!(
        unmet_in_db(&hub).last().unwrap(),
        &("dukcapil-akta".to_owned(), "service_closed".to_owned())
    );
    press(&app, "Kembali ke awal");
    hub.clock.set(jakarta(10, 0));
    app.pump();

    // 5. No paper: nobody is turned away. The ticket is given on the screen for the
    //    visitor's phone, the hub hears of the printer.
    printer.fault("paper-out", true);
    let before = tickets_in_db(&hub);
    to_priority(
        &app,
        "Badan Pendapatan Daerah",
        "PBB-P2 (Pajak Bumi dan Bangunan)",
    );
    press(&app, "Umum");
    settle(&app, "the ticket on the screen", |a| {
        a.screen() == Screen::Ticket && a.phone_ticket()
    });
    assert_eq!(app.ticket().map(|t| t.0).as_deref(), Some("E-001"));
    assert_eq!(
        text_of(&app, "print-note"),
        "Printer sedang bermasalah — ambil tiket di ponsel Anda"
    );
    assert!(shown(&app, "Foto atau pindai kode ini"));
    assert_eq!(tickets_in_db(&hub), before + 1, "the ticket was issued");
    // Without a `public_url` the code holds the ticket's short text (a survey kiosk reads
    // it); zbarimg reads it back from the screen.
    let png = screenshot(&app, "kiosk-printer-problem-portrait");
    assert_eq!(qr_codes(&png), ["ANTRE:2026-11-27:E-001"]);
    settle(&app, "the hub was told", |a| {
        a.reported() == Some(PrinterStatus::PaperOut)
    });
    // Staff devices see it: the admin's view receives the event.
    let seen = |admin: &Client| admin.with_view(|v| v.devices.get("kiosk-1").map(|d| d.printer));
    rt.block_on(async {
        tokio::time::timeout(PATIENCE, async {
            while seen(&admin) != Some(PrinterStatus::PaperOut) {
                admin_updates.recv().await.expect("the admin client runs");
            }
        })
        .await
        .expect("the admin saw the printer problem");
    });
    printer.fault("paper-out", false);
    press(&app, "Selesai");
    app.refresh();

    // 6. The paper runs out after the ticket was issued: the number stays on screen, large,
    //    with "Cetak ulang", which prints it once paper is back.
    to_priority(
        &app,
        "Badan Pendapatan Daerah",
        "PBB-P2 (Pajak Bumi dan Bangunan)",
    );
    let checks = app.printer_checks();
    press(&app, "Umum");
    settle(&app, "the check before issuing", |a| {
        a.printer_checks() > checks
    });
    printer.fault("paper-out", true);
    settle(&app, "issued, not printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    let (code, failed) = app.ticket().unwrap();
    assert!(failed, "printing must have failed");
    assert_eq!(code, "E-002");
    assert!(text_of(&app, "print-note").starts_with("Tiket gagal dicetak (Kertas printer habis)"));
    assert!(shown(&app, "Cetak ulang"));
    screenshot(&app, "kiosk-print-failed-portrait");
    // Idle time is doubled for a visitor who must note the number.
    hub.clock.advance(Duration::from_secs(45));
    app.pump();
    assert_eq!(app.screen(), Screen::Ticket);
    printer.fault("paper-out", false);
    press(&app, "Cetak ulang");
    settle(&app, "reprinted", |a| !a.printing());
    assert_eq!(app.ticket(), Some(("E-002".into(), false)));
    assert!(printer.next_receipt().text.contains("E-002"));
    press(&app, "Selesai");
    app.refresh();

    // 7. Offline: a calm strip, tiles disabled; back by itself.
    let (dir, addr, clock) = (hub.dir.clone(), hub.addr, hub.clock.clone());
    rt.block_on(hub.stop());
    settle(&app, "offline", |a| !adapter(a).get_online());
    assert!(shown(&app, "offline"));
    assert!(!adapter(&app).get_agencies().row_data(0).unwrap().enabled);
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    app.refresh();
    assert_eq!(app.screen(), Screen::Start, "a disabled tile does nothing");
    screenshot(&app, "kiosk-offline-portrait");
    hub = rt.block_on(TestHub::start_in(
        &config,
        dir.clone(),
        clock.clone(),
        Some(addr),
    ));
    settle(&app, "online again", |a| adapter(a).get_online());
    assert!(!shown(&app, "offline"));

    // 8. The connection drops between the tap and the reply: one ticket, once back.
    to_priority(
        &app,
        "Dinas Kependudukan dan Pencatatan Sipil",
        "KTP Elektronik",
    );
    let before = tickets_in_db(&hub);
    rt.block_on(hub.stop());
    settle(&app, "offline", |a| !adapter(a).get_online());
    press(&app, "Umum");
    settle(&app, "waiting for the hub", |a| {
        a.screen() == Screen::Wait && a.printer_checks() > 0 && !a.checking()
    });
    app.refresh();
    assert!(text_of(&app, "wait-text").starts_with("Koneksi terputus"));
    hub = rt.block_on(TestHub::start_in(&config, dir, clock, Some(addr)));
    settle(&app, "the ticket after reconnecting", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    assert_eq!(app.ticket(), Some(("A-003".into(), false)));
    assert_eq!(tickets_in_db(&hub), before + 1, "exactly one ticket");
    printer.next_receipt();
    press(&app, "Selesai");

    // 9. Landscape, 1920x1080: the same screens laid out wide.
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1920, 1080));
    app.refresh();
    screenshot(&app, "kiosk-start-landscape");
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    app.refresh();
    screenshot(&app, "kiosk-services-landscape");
    press(&app, "KTP Elektronik");
    app.refresh();
    screenshot(&app, "kiosk-priority-landscape");
    press(&app, "Lansia");
    settle(&app, "printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    screenshot(&app, "kiosk-ticket-landscape");

    rt.block_on(hub.stop());
}
