//! The ruang aspirasi on the kiosk, through Slint's testing backend against a real hub on
//! loopback: the IKM survey by keypad and by a QR scanner that types, its refusals (unknown,
//! not served, already rated), aspirations typed on the on-screen keyboard, the SP4N-LAPOR!
//! QR code with complaints, and a kiosk in survey mode. What the hub stored is read back
//! from its SQLite file. Screenshots go to `$ANTRE_SCREENSHOTS` when set.

mod common;

use antre_client::Client;
use antre_core::proto::Request;
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_kiosk::app::{KioskApp, Mode, Screen, LAPOR_URL};
use antre_kiosk::printer::{Printer, PrinterSpec};
use common::qr_codes;
use common::screen::{adapter, kiosk_app, press, screenshot, settle, text_of};
use slint::platform::WindowEvent;
use slint::{ComponentHandle, Model as _};
use std::rc::Rc;
use std::time::Duration;

/// Types `text` as a keyboard (or a QR scanner, which is one) would.
fn type_keys(app: &KioskApp, text: &str) {
    for c in text.chars() {
        let t: slint::SharedString = c.to_string().into();
        app.window
            .window()
            .dispatch_event(WindowEvent::KeyPressed { text: t.clone() });
        app.window
            .window()
            .dispatch_event(WindowEvent::KeyReleased { text: t });
    }
    app.refresh();
}

/// Types `text` on the on-screen keyboard, a key at a time (capitals with shift).
fn tap_keyboard(app: &KioskApp, text: &str) {
    for c in text.chars() {
        if c == ' ' {
            press(app, "spasi");
        } else if c.is_uppercase() {
            if !adapter(app).get_shift() {
                press(app, "shift");
            }
            press(app, &c.to_lowercase().to_string());
        } else {
            press(app, &c.to_string());
        }
    }
}

fn kiosk(
    rt: &tokio::runtime::Runtime,
    config: &str,
    hub: &TestHub,
    id: &str,
    mode: Mode,
) -> Rc<KioskApp> {
    let printer = Printer::new(PrinterSpec::File(hub.dir.path().join(format!("{id}.bin"))));
    kiosk_app(rt, config, hub, id, printer, None, mode)
}

fn surveys_in_db(hub: &TestHub) -> Vec<(String, Vec<i64>)> {
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let mut s = db
        .prepare(
            "SELECT t.prefix || '-' || printf('%03d', t.number), s.u1, s.u2, s.u3, s.u4, s.u5, \
             s.u6, s.u7, s.u8, s.u9 FROM surveys s JOIN tickets t ON t.id = s.ticket ORDER BY s.at_ms, t.id",
        )
        .unwrap();
    s.query_map([], |r| {
        Ok((
            r.get(0)?,
            (1..=9).map(|i| r.get(i)).collect::<Result<Vec<i64>, _>>()?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn aspirations_in_db(hub: &TestHub) -> Vec<(String, String, String)> {
    let db = rusqlite::Connection::open(&hub.db).unwrap();
    let mut s = db
        .prepare("SELECT kind, text, device FROM aspirations ORDER BY id")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn surveys_and_aspirations_at_the_kiosk() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The hall publishes its web pages: printed tickets carry the ticket page's address.
    let config = sample_config().replace(
        "# public_url = \"http://192.168.1.10:8080\"",
        "public_url = \"http://192.168.1.10:8080\"",
    );
    assert!(config.contains("\npublic_url = "));
    let hub = rt.block_on(TestHub::start(&config));

    // Three Dukcapil visitors: A-001 and A-002 are served at counter 1, A-003 still waits.
    let (desk, _u1) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "counter-1"))
    };
    let (other_kiosk, _u2) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "kiosk-2"))
    };
    rt.block_on(async {
        for _ in 0..3 {
            other_kiosk
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
        for _ in 0..2 {
            for r in [
                Request::CallNext {
                    counter: "1".into(),
                },
                Request::StartServing {
                    counter: "1".into(),
                },
                Request::Finish {
                    counter: "1".into(),
                },
            ] {
                desk.request(r).await.unwrap();
            }
        }
    });

    let app = kiosk(&rt, &config, &hub, "kiosk-1", Mode::Tickets);

    // 0. A ticket from this kiosk: its QR code holds the live ticket page (`public_url`).
    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    press(&app, "KTP Elektronik");
    press(&app, "Umum");
    settle(&app, "printed", |a| {
        a.screen() == Screen::Ticket && !a.printing()
    });
    assert_eq!(app.ticket(), Some(("A-004".into(), false)));
    let printed = std::fs::read(hub.dir.path().join("kiosk-1.bin")).unwrap();
    // The page and the ticket's key, as the hub stored it (read from its file).
    let key: String = rusqlite::Connection::open(&hub.db)
        .unwrap()
        .query_row(
            "SELECT key FROM tickets WHERE prefix = 'A' AND number = 4",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(key.len(), 22, "{key}");
    let url = format!("http://192.168.1.10:8080/t/A-004?k={key}");
    assert!(
        printed.windows(url.len()).any(|w| w == url.as_bytes()),
        "the QR data is the ticket page with its key"
    );
    press(&app, "Selesai");

    // 1. The survey from the start screen, by the keypad.
    press(&app, "Beri penilaian");
    assert_eq!(app.screen(), Screen::SurveyCode);
    // The keypad has the hall's letters.
    let prefixes: Vec<String> = adapter(&app)
        .get_prefixes()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(prefixes.contains(&"A".to_owned()) && prefixes.contains(&"B".to_owned()));
    // A code that does not exist today.
    for k in ["A", "9", "9"] {
        press(&app, k);
    }
    assert_eq!(text_of(&app, "code-input"), "A99");
    press(&app, "Lanjut ›");
    assert_eq!(app.screen(), Screen::SurveyCode);
    assert_eq!(
        text_of(&app, "code-error"),
        "Tiket A-099 tidak ada hari ini. Periksa lagi nomor pada tiket Anda."
    );
    // Corrected with delete: A-003, which still waits.
    press(&app, "Hapus");
    press(&app, "Hapus");
    press(&app, "3");
    press(&app, "Lanjut ›");
    assert!(
        text_of(&app, "code-error").starts_with("Tiket A-003 belum selesai dilayani."),
        "{}",
        text_of(&app, "code-error")
    );
    screenshot(&app, "kiosk-survey-code-portrait");
    press(&app, "Hapus");
    press(&app, "1");
    press(&app, "Lanjut ›");
    assert_eq!(app.screen(), Screen::SurveyQuestion);
    assert_eq!(app.survey_progress(), (0, Some("A-001".into())));
    assert_eq!(
        text_of(&app, "question"),
        "Apakah persyaratan layanan sesuai dengan yang diminta?"
    );
    screenshot(&app, "kiosk-survey-question-portrait");
    // Nine answers; the visitor goes back once to change the third.
    let picks = ["Sangat sesuai", "Mudah", "Kurang cepat"];
    for p in picks {
        press(&app, p);
    }
    assert_eq!(text_of(&app, "question-number"), "4");
    press(&app, "‹ Kembali");
    assert_eq!(text_of(&app, "question-number"), "3");
    assert_eq!(
        adapter(&app).get_chosen(),
        1,
        "the earlier answer is marked"
    );
    press(&app, "Cepat");
    for p in [
        "Gratis",
        "Sesuai",
        "Kompeten",
        "Sangat sopan dan ramah",
        "Baik",
    ] {
        press(&app, p);
    }
    assert_eq!(
        text_of(&app, "question"),
        "Apakah ada tempat pengaduan dan saran, dan apakah ditangani?"
    );
    press(&app, "Dikelola dengan baik");
    settle(&app, "thanks", |a| a.screen() == Screen::Thanks);
    assert_eq!(app.message().0, "Terima kasih!");
    screenshot(&app, "kiosk-survey-thanks-portrait");
    assert_eq!(
        surveys_in_db(&hub),
        vec![("A-001".into(), vec![4, 3, 3, 4, 3, 3, 4, 3, 4])]
    );

    // 2. The same ticket again, from a QR scanner typing its text and Enter: the hub refuses.
    press(&app, "Kembali ke awal");
    press(&app, "Beri penilaian");
    type_keys(&app, "ANTRE:2026-11-26:A-002\n");
    assert!(
        text_of(&app, "code-error").contains("bukan tiket hari ini"),
        "{}",
        text_of(&app, "code-error")
    );
    assert_eq!(text_of(&app, "code-input"), "", "a scan starts afresh");
    type_keys(&app, "ANTRE:2026-11-27:A-001\n");
    assert_eq!(app.screen(), Screen::SurveyQuestion);
    for _ in 0..9 {
        press(
            &app,
            &adapter(&app).get_answer_labels().row_data(0).unwrap(),
        );
    }
    settle(&app, "refused", |a| a.screen() == Screen::Refused);
    assert_eq!(text_of(&app, "message-title"), "Tiket ini sudah dinilai");
    assert_eq!(surveys_in_db(&hub).len(), 1, "nothing stored twice");

    // 3. An aspiration: a missing service, typed on the on-screen keyboard.
    press(&app, "Kembali ke awal");
    press(&app, "Sampaikan aspirasi");
    assert_eq!(app.screen(), Screen::AspirationKind);
    screenshot(&app, "kiosk-aspiration-kind-portrait");
    press(&app, "Layanan yang belum tersedia");
    assert_eq!(app.screen(), Screen::AspirationText);
    assert!(adapter(&app).get_shift(), "a capital to begin with");
    tap_keyboard(&app, "Layanan paspor");
    press(&app, "Hapus");
    press(&app, "r");
    press(&app, ",");
    press(&app, "Hapus");
    assert_eq!(text_of(&app, "typed-text"), "Layanan paspor");
    assert_eq!(text_of(&app, "aspiration-status"), "14 / 2000 huruf");
    screenshot(&app, "kiosk-aspiration-text-portrait");
    press(&app, "Kirim");
    settle(&app, "thanks", |a| a.screen() == Screen::Thanks);

    // 4. A complaint shows the national channel's QR code; a physical keyboard types too.
    press(&app, "Kembali ke awal");
    press(&app, "Sampaikan aspirasi");
    press(&app, "Pengaduan");
    type_keys(&app, "antrean BPJS lama");
    assert_eq!(text_of(&app, "typed-text"), "Antrean BPJS lama");
    let shot = screenshot(&app, "kiosk-aspiration-complaint-portrait");
    assert_eq!(qr_codes(&shot), vec![LAPOR_URL.to_owned()]);
    press(&app, "Kirim");
    settle(&app, "thanks", |a| a.screen() == Screen::Thanks);
    assert!(app.message().1.contains("SP4N-LAPOR!"));
    assert_eq!(
        aspirations_in_db(&hub),
        vec![
            (
                "missing_service".into(),
                "Layanan paspor".into(),
                "kiosk-1".into()
            ),
            (
                "complaint".into(),
                "Antrean BPJS lama".into(),
                "kiosk-1".into()
            ),
        ]
    );

    // 5. Idle in the middle of a survey: back to the start, nothing sent.
    press(&app, "Kembali ke awal");
    press(&app, "Beri penilaian");
    type_keys(&app, "A2\n");
    press(&app, "Sangat sesuai");
    hub.clock.advance(Duration::from_secs(31));
    app.pump();
    assert_eq!(app.screen(), Screen::Start);
    assert_eq!(surveys_in_db(&hub).len(), 1);

    // 6. English, for a visitor who asks.
    press(&app, "English");
    press(&app, "Rate our service");
    type_keys(&app, "A2\n");
    assert_eq!(
        text_of(&app, "question"),
        "Did the requirements match what was asked of you?"
    );
    screenshot(&app, "kiosk-survey-question-english");
    press(&app, "‹ Back");
    press(&app, "‹ Back");
    press(&app, "Bahasa Indonesia");

    // 7. A survey tablet at the exit: no tiles, only the ruang aspirasi; A-002 rated there.
    let tablet = kiosk(&rt, &config, &hub, "survey-1", Mode::Survey);
    tablet
        .window
        .window()
        .set_size(slint::PhysicalSize::new(1920, 1080));
    assert!(adapter(&tablet).get_survey_mode());
    screenshot(&tablet, "kiosk-survey-mode-landscape");
    assert_eq!(
        tablet.printer_checks(),
        0,
        "a survey tablet has no printer to ask"
    );
    press(&tablet, "Beri penilaian");
    screenshot(&tablet, "kiosk-survey-code-landscape");
    type_keys(&tablet, "a-2\n");
    assert_eq!(tablet.survey_progress(), (0, Some("A-002".into())));
    screenshot(&tablet, "kiosk-survey-question-landscape");
    // The third answer of each element (worst to best), whatever its words: all 3s.
    for _ in 0..9 {
        let third = adapter(&tablet).get_answer_labels().row_data(2).unwrap();
        press(&tablet, &third);
    }
    settle(&tablet, "thanks", |a| a.screen() == Screen::Thanks);
    assert_eq!(surveys_in_db(&hub).len(), 2);
    assert_eq!(surveys_in_db(&hub)[1], ("A-002".into(), vec![3; 9]));
    rt.block_on(hub.stop());
}
