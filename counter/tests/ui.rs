//! The counter terminal through Slint's testing backend against a real hub on loopback:
//! buttons found by their accessible labels, function keys, disabled states, offline and
//! back. Screenshots of each screen go to `$ANTRE_SCREENSHOTS` when set (the README says how).

use antre_client::{Client, ClientConfig};
use antre_core::proto::Request;
use antre_counter::app::CounterApp;
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_ui::CounterAdapter;
use i_slint_backend_testing::ElementHandle;
use slint::platform::{Key, WindowEvent};
use slint::ComponentHandle;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);

/// The device's settings, with its sample token read from the config.
fn device(hub: &TestHub, id: &str) -> ClientConfig {
    device_settings(&sample_config(), hub, id)
}

fn press(app: &CounterApp, label: &str) {
    let found: Vec<_> = ElementHandle::find_by_accessible_label(&app.window, label).collect();
    assert!(!found.is_empty(), "no element labelled {label:?}");
    found[0].invoke_accessible_default_action();
}

fn key(app: &CounterApp, k: Key) {
    let text: slint::SharedString = k.into();
    app.window
        .window()
        .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    app.window
        .window()
        .dispatch_event(WindowEvent::KeyReleased { text });
}

fn adapter(app: &CounterApp) -> CounterAdapter<'_> {
    app.window.global::<CounterAdapter>()
}

/// Waits until the last request is answered and `cond` holds.
fn settle(app: &CounterApp, what: &str, cond: impl Fn(&CounterApp) -> bool) {
    assert!(
        app.pump_until(PATIENCE, |a| !a.busy() && cond(a)),
        "timed out waiting for: {what}"
    );
}

fn current(app: &CounterApp) -> String {
    adapter(app).get_current_code().to_string()
}

fn screenshot(app: &CounterApp, name: &str) {
    app.refresh();
    let shot = app.window.window().take_snapshot().expect("snapshot");
    let (w, h) = (shot.width(), shot.height());
    assert!(w >= 1366 && h >= 768, "{w}x{h}");
    // Not blank: the top bar's blue and the page's grey are both there.
    let px = shot.as_slice();
    assert!(
        px.iter().any(|p| p.r == 0x0b && p.g == 0x5c && p.b == 0xab),
        "no top bar in {name}"
    );
    let path = antre_ui::screenshot_dir().join(format!("{name}.png"));
    antre_ui::save_png(app.window.window(), &path).unwrap();
}

#[test]
fn an_officers_day_through_buttons_and_function_keys() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let (admin, _admin_updates) = {
        let _g = rt.enter();
        Client::start(device(&hub, "admin"))
    };
    let issue = |service: &str, priority| {
        let r = rt
            .block_on(admin.request(Request::IssueTicket {
                services: vec![],
                service: service.into(),
                priority,
            }))
            .unwrap();
        r.ticket.unwrap().code
    };

    let (client, updates) = {
        let _g = rt.enter();
        Client::start(device(&hub, "counter-2"))
    };
    let app: Rc<CounterApp> = CounterApp::new(client, updates, rt.handle().clone()).unwrap();
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1366, 768));
    app.set_clock(hub.clock.clock());
    settle(&app, "welcome", |a| adapter(a).get_known());
    assert_eq!(adapter(&app).get_counter_name(), "Loket 2");
    assert!(!adapter(&app).get_open());
    screenshot(&app, "counter-closed");

    // Open the counter with the officer's name.
    let name: Vec<_> =
        ElementHandle::find_by_accessible_label(&app.window, "Nama petugas").collect();
    assert!(!name.is_empty(), "the officer's name field");
    name[0].set_accessible_value("Sri Wahyuni");
    press(&app, "Buka loket");
    settle(&app, "open", |a| adapter(a).get_open());
    assert_eq!(adapter(&app).get_officer(), "Sri Wahyuni");
    // Nothing waits: no call, nothing to act on.
    assert!(!adapter(&app).get_can_call_next());
    assert!(!adapter(&app).get_can_recall() && !adapter(&app).get_can_finish());

    // Three visitors: KTP, KK, and a priority one.
    let a1 = issue("dukcapil-ktp", None);
    let a2 = issue("dukcapil-kk", None);
    let a3 = issue("dukcapil-ktp", Some(antre_core::domain::Priority::Lansia));
    settle(&app, "three waiting", |a| {
        adapter(a).get_waiting().row_count() == 3
    });
    use slint::Model as _;
    let first_row = adapter(&app).get_waiting().row_data(0).unwrap();
    assert_eq!(first_row.code, a1.as_str());
    assert!(adapter(&app).get_can_call_next());

    // F1 calls next: the priority ticket first, a few minutes after they came.
    hub.clock.advance(Duration::from_secs(7 * 60 + 12));
    key(&app, Key::F1);
    settle(&app, "called A3", |a| current(a) == a3);
    assert_eq!(adapter(&app).get_current_state(), "Dipanggil");
    assert_eq!(
        adapter(&app).get_message(),
        format!("{a3} dipanggil").as_str()
    );
    hub.clock.advance(Duration::from_secs(45));
    assert!(
        adapter(&app).get_can_recall()
            && adapter(&app).get_can_start()
            && adapter(&app).get_can_no_show()
    );
    screenshot(&app, "counter-called");

    // Recall by button, start by F3, finish by button.
    press(&app, "Panggil ulang");
    settle(&app, "recalled", |a| adapter(a).get_current_recalls() == 1);
    key(&app, Key::F3);
    settle(&app, "serving", |a| {
        adapter(a).get_current_state() == "Sedang dilayani"
    });
    hub.clock.advance(Duration::from_secs(4 * 60 + 5));
    assert!(!adapter(&app).get_can_recall(), "no recall while serving");
    assert!(!adapter(&app).get_can_no_show(), "no no-show while serving");
    screenshot(&app, "counter-serving");
    press(&app, "Selesai");
    settle(&app, "finished", |a| !adapter(a).get_has_current());
    assert_eq!(adapter(&app).get_served(), 1);
    // Called 4 min 50 s before finishing: about 5 minutes.
    assert_eq!(adapter(&app).get_average(), "5 mnt");

    // A disabled button does nothing: no ticket, so no recall.
    press(&app, "Panggil ulang");
    assert!(!app.busy(), "a disabled button sent a request");

    // Call a specific ticket: pick A2 in the list, then F7.
    let rows: Vec<_> = ElementHandle::find_by_accessible_label(&app.window, &a2).collect();
    assert!(!rows.is_empty(), "the waiting row of {a2}");
    rows[0].invoke_accessible_default_action();
    app.refresh();
    assert_eq!(adapter(&app).get_selected_code(), a2.as_str());
    assert!(adapter(&app).get_can_call_ticket());
    key(&app, Key::F7);
    settle(&app, "called A2", |a| current(a) == a2);

    // Not present: F5. Then call next (A1) and transfer it to BPJS.
    key(&app, Key::F5);
    settle(&app, "no-show", |a| !adapter(a).get_has_current());
    assert_eq!(adapter(&app).get_no_show_count(), 1);
    press(&app, "Panggil berikutnya");
    settle(&app, "called A1", |a| current(a) == a1);
    key(&app, Key::F6);
    assert!(
        adapter(&app).get_transfer_open(),
        "F6 opens the transfer choice"
    );
    screenshot(&app, "counter-transfer");
    press(&app, "Pendaftaran dan Perubahan Data Peserta");
    settle(&app, "transferred", |a| !adapter(a).get_has_current());
    let t = app.model();
    assert!(t.waiting.is_empty(), "A1 now waits for BPJS, not here");

    // The queue is empty: F1 is disabled, and forcing it gets words, not a crash.
    assert!(!adapter(&app).get_can_call_next());

    // Offline: the banner shows and every action is disabled; back online by itself.
    let a4 = issue("dukcapil-kk", None);
    settle(&app, "A4 waiting", |a| {
        adapter(a).get_waiting().row_count() == 1
    });
    let (dir, addr, clock) = (Arc::clone(&hub.dir), hub.addr, hub.clock.clone());
    rt.block_on(hub.stop());
    settle(&app, "offline", |a| !adapter(a).get_online());
    assert!(!adapter(&app).get_can_call_next() && !adapter(&app).get_can_close());
    screenshot(&app, "counter-offline");
    let hub = rt.block_on(TestHub::start_in(&config, dir, clock, Some(addr)));
    settle(&app, "online again", |a| {
        adapter(a).get_online() && adapter(a).get_can_call_next()
    });
    key(&app, Key::F1);
    settle(&app, "called A4 after the outage", |a| current(a) == a4);

    // Two officers want the same visitor: this counter picks A5 in its list, but loket 1 calls
    // it first. The hub refuses this counter's F7, and the officer reads why in Indonesian.
    let a5 = issue("dukcapil-ktp", None);
    settle(&app, "A5 waiting", |a| {
        adapter(a).get_waiting().row_count() == 1
    });
    let rows: Vec<_> = ElementHandle::find_by_accessible_label(&app.window, &a5).collect();
    rows[0].invoke_accessible_default_action();
    let open1 = Request::OpenCounter {
        counter: "1".into(),
        officer: "Rina".into(),
    };
    rt.block_on(admin.request(open1)).unwrap();
    let call1 = Request::CallTicket {
        counter: "1".into(),
        ticket: a5.clone(),
    };
    rt.block_on(admin.request(call1)).unwrap();
    key(&app, Key::F7); // the screen has not caught up yet: the button is still enabled
    settle(&app, "refused", |a| adapter(a).get_message_is_error());
    assert_eq!(
        adapter(&app).get_message(),
        "Nomor itu sudah tidak menunggu."
    );
    screenshot(&app, "counter-refused");
    assert_eq!(current(&app), a4, "the refusal changed nothing here");

    // Another officer closed this counter meanwhile: the screen follows.
    rt.block_on(admin.request(Request::CloseCounter {
        counter: "2".into(),
    }))
    .unwrap();
    settle(&app, "closed by admin", |a| !adapter(a).get_open());

    // A kiosk runs out of paper: every counter tells staff, until it is fixed.
    let (kiosk, _kiosk_updates) = {
        let _g = rt.enter();
        Client::start(device(&hub, "kiosk-1"))
    };
    let report = |printer| {
        rt.block_on(kiosk.request(Request::DeviceStatus {
            printer,
            message: Some("Kertas printer habis".into()),
        }))
        .unwrap()
    };
    report(antre_core::proto::PrinterStatus::PaperOut);
    settle(&app, "the printer notice", |a| {
        !adapter(a).get_notice().is_empty()
    });
    assert_eq!(
        adapter(&app).get_notice(),
        "⚠ Anjungan kiosk-1: Kertas printer habis — mohon dicek petugas"
    );
    screenshot(&app, "counter-printer-notice");
    report(antre_core::proto::PrinterStatus::Ok);
    settle(&app, "the notice goes", |a| {
        adapter(a).get_notice().is_empty()
    });
    rt.block_on(hub.stop());
}

#[test]
fn refusals_are_shown_in_indonesian() {
    use antre_core::proto::ErrorCode;
    use antre_counter::model::error_text;
    assert_eq!(
        error_text(Some(ErrorCode::QueueEmpty)),
        "Antrean kosong: belum ada pengunjung yang menunggu."
    );
    assert!(error_text(Some(ErrorCode::CounterClosed)).contains("Loket belum dibuka"));
}

/// Loket 1's terminal against `hub`, opened by Sri Wahyuni through its name field, at
/// 1366×768; and an admin device's client beside it.
fn loket_1_opened(rt: &tokio::runtime::Runtime, hub: &TestHub) -> (Rc<CounterApp>, Client) {
    let _g = rt.enter();
    let (admin, _) = Client::start(device(hub, "admin"));
    let (client, updates) = Client::start(device(hub, "counter-1"));
    let app: Rc<CounterApp> = CounterApp::new(client, updates, rt.handle().clone()).unwrap();
    app.window
        .window()
        .set_size(slint::PhysicalSize::new(1366, 768));
    app.set_clock(hub.clock.clock());
    settle(&app, "welcome", |a| adapter(a).get_known());
    let name: Vec<_> =
        ElementHandle::find_by_accessible_label(&app.window, "Nama petugas").collect();
    name[0].set_accessible_value("Sri Wahyuni");
    press(&app, "Buka loket");
    settle(&app, "open", |a| adapter(a).get_open());
    (app, admin)
}

#[test]
fn a_pause_for_prayer_by_f8_and_back_by_the_button() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt.block_on(TestHub::start(&sample_config()));
    let (app, admin) = loket_1_opened(&rt, &hub);
    rt.block_on(admin.request(Request::IssueTicket {
        services: vec![],
        service: "dukcapil-ktp".into(),
        priority: None,
    }))
    .unwrap();
    settle(&app, "one waiting", |a| adapter(a).get_can_call_next());

    // With a visitor at the counter there is no pause: the button says why.
    key(&app, Key::F1);
    settle(&app, "called", |a| current(a) == "A-001");
    assert!(!adapter(&app).get_can_pause());
    assert!(
        ElementHandle::find_by_accessible_label(&app.window, "Jeda (selesaikan nomor dulu)")
            .next()
            .is_some()
    );
    key(&app, Key::F8);
    assert!(
        !adapter(&app).get_pause_open(),
        "F8 does nothing with a current ticket"
    );
    press(&app, "Selesai");
    settle(&app, "finished", |a| !adapter(a).get_has_current());

    // F8 opens the reasons; a wrong time is refused in words, then Salat until 12:30.
    key(&app, Key::F8);
    assert!(adapter(&app).get_pause_open());
    let until: Vec<_> =
        ElementHandle::find_by_accessible_label(&app.window, "Sampai jam").collect();
    until[0].set_accessible_value("jam 1");
    press(&app, "Salat");
    assert_eq!(
        adapter(&app).get_message(),
        "Jam \"jam 1\" tidak dikenali: tulis seperti 13:00, atau kosongkan."
    );
    assert!(adapter(&app).get_message_is_error());
    until[0].set_accessible_value("12:30");
    press(&app, "Salat");
    settle(&app, "paused", |a| adapter(a).get_paused_text() != "");
    assert!(!adapter(&app).get_pause_open());
    assert_eq!(adapter(&app).get_paused_text(), "Salat s.d. 12:30");
    assert_eq!(
        ElementHandle::find_by_accessible_label(&app.window, "Jeda")
            .next()
            .and_then(|e| e.accessible_value())
            .map(|v| v.to_string()),
        Some("Salat s.d. 12:30".into())
    );
    // The hub has it, and nobody is called meanwhile.
    let paused = hub.hub.config().counter("1").map(|c| c.name.clone());
    assert_eq!(paused.as_deref(), Some("Loket 1"));
    rt.block_on(admin.request(Request::IssueTicket {
        services: vec![],
        service: "dukcapil-ktp".into(),
        priority: None,
    }))
    .unwrap();
    settle(&app, "a visitor waits", |a| {
        use slint::Model as _;
        adapter(a).get_waiting().row_count() == 1
    });
    assert!(!adapter(&app).get_can_call_next(), "no calls while paused");
    let refused = rt.block_on(admin.request(Request::CallNext {
        counter: "1".into(),
    }));
    assert_eq!(
        refused.unwrap_err().code(),
        Some(antre_core::proto::ErrorCode::CounterPaused)
    );
    screenshot(&app, "counter-paused");

    // Back by the button; calling works again.
    press(&app, "Lanjutkan");
    settle(&app, "resumed", |a| adapter(a).get_paused_text() == "");
    assert!(adapter(&app).get_can_call_next());
    key(&app, Key::F1);
    settle(&app, "called A-002", |a| current(a) == "A-002");
}

#[test]
fn a_visit_shows_its_step_and_the_officer_learns_where_the_visitor_goes_next() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt.block_on(TestHub::start(&sample_config()));
    let (app, admin) = loket_1_opened(&rt, &hub);
    // A KTP, then BPJS Kesehatan's registration (served at Loket 5 and 6, as the config says).
    rt.block_on(admin.request(Request::IssueTicket {
        services: vec!["dukcapil-ktp".into(), "bpjs-kes-peserta".into()],
        service: "".into(),
        priority: None,
    }))
    .unwrap();
    settle(&app, "one waiting", |a| adapter(a).get_can_call_next());
    key(&app, Key::F1);
    settle(&app, "called", |a| current(a) == "A-001");
    assert_eq!(
        adapter(&app).get_current_step(),
        "Langkah 1 dari 2 — berikutnya Pendaftaran dan Perubahan Data Peserta"
    );
    screenshot(&app, "counter-visit-step");
    key(&app, Key::F4);
    settle(&app, "finished here", |a| !adapter(a).get_has_current());
    assert_eq!(
        adapter(&app).get_message(),
        "A-001 selesai di sini — berikutnya ke Pendaftaran dan Perubahan Data Peserta (Loket 5–6)"
    );
    screenshot(&app, "counter-visit-next");
}
