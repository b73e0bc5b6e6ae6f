//! The wall display through Slint's testing backend against a real hub: a call arrives →
//! the latest call, the history and the counter grid show it, the waiting counts follow;
//! a zone display shows only its zone; offline keeps the last state and says so.

use antre_client::Client;
use antre_core::domain::CounterId;
use antre_core::proto::Request;
use antre_display::app::DisplayApp;
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_ui::DisplayAdapter;
use i_slint_backend_testing::ElementHandle;
use slint::{ComponentHandle, Model as _};
use std::rc::Rc;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

fn adapter(app: &DisplayApp) -> DisplayAdapter<'_> {
    app.window.global::<DisplayAdapter>()
}

fn value(app: &DisplayApp, label: &str) -> Option<String> {
    ElementHandle::find_by_accessible_label(&app.window, label)
        .next()
        .and_then(|e| e.accessible_value())
        .map(|v| v.to_string())
}

fn settle(app: &DisplayApp, what: &str, cond: impl Fn(&DisplayApp) -> bool) {
    assert!(
        app.pump_until(PATIENCE, cond),
        "timed out waiting for: {what}"
    );
}

/// The call panel's and the history's (width, height, x), in logical pixels.
fn panels(app: &DisplayApp) -> Vec<(f32, f32, f32)> {
    app.refresh();
    ["call-panel", "history-panel"]
        .iter()
        .map(|label| {
            let e = i_slint_backend_testing::ElementHandle::find_by_accessible_label(
                &app.window,
                label,
            )
            .next()
            .unwrap_or_else(|| panic!("no {label}"));
            let (size, at) = (e.size(), e.absolute_position());
            (size.width, size.height, at.x)
        })
        .collect()
}

fn screenshot(app: &DisplayApp, name: &str) {
    app.refresh();
    let path = antre_ui::screenshot_dir().join(format!("{name}.png"));
    antre_ui::save_png(app.window.window(), &path).unwrap();
}

#[test]
fn calls_reach_the_wall_in_its_zone_and_survive_going_offline() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let mut hub = rt.block_on(TestHub::start(&config));
    let (admin, _u) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "admin"))
    };
    let req = |r: Request| rt.block_on(admin.request(r)).unwrap();
    let issue = |service: &str| {
        req(Request::IssueTicket {
            services: vec![],
            service: service.into(),
            priority: None,
        })
        .ticket
        .unwrap()
        .code
    };
    let open = |counter: &str, officer: &str| {
        req(Request::OpenCounter {
            counter: CounterId::from(counter),
            officer: officer.into(),
        });
    };
    let call_next = |counter: &str| {
        req(Request::CallNext {
            counter: CounterId::from(counter),
        })
        .ticket
        .unwrap()
        .code
    };

    let start = |device: &str| {
        let (client, updates) = {
            let _g = rt.enter();
            Client::start(device_settings(&config, &hub, device))
        };
        let app = DisplayApp::new(client, updates, rt.handle(), None).unwrap();
        app.window
            .window()
            .set_size(slint::PhysicalSize::new(1920, 1080));
        app.set_clock(hub.clock.clock());
        app
    };
    let wall: Rc<DisplayApp> = start("display-1");
    let zone: Rc<DisplayApp> = start("display-dukcapil");
    settle(&wall, "welcome", |a| {
        adapter(a).get_waiting().row_count() == 15
    });
    settle(&zone, "welcome", |a| {
        adapter(a).get_waiting().row_count() == 1
    });
    assert_eq!(adapter(&wall).get_hall_name(), "MPP Among Warga Kota Batu");
    assert_eq!(adapter(&wall).get_date_text(), "Jumat, 27 November 2026");
    assert!(!adapter(&wall).get_has_latest());
    assert!(
        adapter(&wall)
            .get_running_text()
            .starts_with("Selamat datang")
            || !adapter(&wall).get_running_text().is_empty()
    );

    // A morning: visitors for Dukcapil and BPJS; two counters open.
    let a1 = issue("dukcapil-ktp");
    let a2 = issue("dukcapil-ktp");
    let b1 = issue("bpjs-kes-peserta");
    open("1", "Sri");
    open("5", "Budi");
    settle(&wall, "three waiting, two counters", |a| {
        adapter(a).get_counters().row_count() == 2
            && adapter(a).get_waiting().row_data(0).unwrap().waiting == 2
    });
    screenshot(&wall, "display-idle");
    let panels_before = panels(&wall);
    // At 1920 wide: 20 + 20 of padding and 24 between, 1856 left: 60 % and 40 %.
    assert!(
        (panels_before[0].0 - 1113.6).abs() < 0.01,
        "{panels_before:?}"
    );
    assert!(
        (panels_before[1].0 - 742.4).abs() < 0.01,
        "{panels_before:?}"
    );

    // A call: at once the latest, large; the counter's cell shows it; the wall flashes.
    let flashes = adapter(&wall).get_flash_seq();
    assert_eq!(call_next("1"), a1);
    settle(&wall, "the call shows and flashes", |a| {
        value(a, "latest-code").as_deref() == Some(a1.as_str())
            && adapter(a).get_flash_seq() > flashes
    });
    assert_eq!(value(&wall, "latest-counter").as_deref(), Some("Loket 1"));
    // The first call does not move the panels.
    assert_eq!(panels(&wall), panels_before);
    assert_eq!(
        value(&wall, "counter-Loket 1").as_deref(),
        Some(a1.as_str())
    );
    assert_eq!(adapter(&wall).get_flash_seq(), flashes + 1);
    assert_eq!(adapter(&wall).get_waiting().row_data(0).unwrap().waiting, 1);

    assert_eq!(call_next("5"), b1);
    settle(&wall, "the second call", |a| {
        value(a, "latest-code").as_deref() == Some(b1.as_str())
    });
    assert_eq!(
        value(&wall, "history-0").as_deref(),
        Some(format!("{a1} Loket 1").as_str())
    );
    screenshot(&wall, "display-call");

    // A recall brings A-001 back on top, flashing again, shown once.
    req(Request::Recall {
        counter: CounterId::from("1"),
    });
    // The view shows the recall as soon as the client applied it; the flash follows when
    // the app has handled the event: wait for both.
    settle(&wall, "the recall and its flash", |a| {
        value(a, "latest-code").as_deref() == Some(a1.as_str())
            && adapter(a).get_latest_recall()
            && adapter(a).get_flash_seq() >= flashes + 3
    });
    assert_eq!(adapter(&wall).get_flash_seq(), flashes + 3);
    assert_eq!(
        value(&wall, "history-0").as_deref(),
        Some(format!("{b1} Loket 5").as_str())
    );
    assert_eq!(wall.calls().iter().filter(|c| c.code == a1).count(), 1);

    // Loket 5 finishes and goes to the Friday prayer until 12:30: its tile says so.
    req(Request::Finish {
        counter: CounterId::from("5"),
    });
    req(Request::PauseCounter {
        counter: CounterId::from("5"),
        reason: antre_core::domain::counter::PauseReason::Salat,
        until: Some("12:30".into()),
    });
    settle(&wall, "the pause shows", |a| {
        value(a, "counter-Loket 5").as_deref() == Some("Salat s.d. 12:30")
    });
    screenshot(&wall, "display-paused");
    req(Request::ResumeCounter {
        counter: CounterId::from("5"),
    });
    settle(&wall, "back from the pause", |a| {
        value(a, "counter-Loket 5").as_deref() == Some("")
    });

    // The Dukcapil zone display saw the Dukcapil calls, never the BPJS one.
    settle(&zone, "the zone's calls", |a| a.calls().len() == 1);
    assert_eq!(zone.calls()[0].code, a1);
    assert_eq!(adapter(&zone).get_counters().row_count(), 1);
    screenshot(&zone, "display-zone-dukcapil");

    // Offline: a small indicator; the last state stays; it catches up by itself.
    let (dir, addr, clock) = (hub.dir.clone(), hub.addr, hub.clock.clone());
    rt.block_on(hub.stop());
    settle(&wall, "offline", |a| !adapter(a).get_online());
    assert!(value(&wall, "offline")
        .unwrap()
        .starts_with("Terputus dari server sejak 09:00"));
    assert_eq!(value(&wall, "latest-code").as_deref(), Some(a1.as_str()));
    screenshot(&wall, "display-offline");
    hub = rt.block_on(TestHub::start_in(&config, dir, clock, Some(addr)));
    // A call made while the wall reconnects is there once it is back.
    let (admin2, _u2) = {
        let _g = rt.enter();
        Client::start(device_settings(&config, &hub, "admin"))
    };
    let called = rt
        .block_on(admin2.request(Request::CallNext {
            counter: CounterId::from("1"),
        }))
        .unwrap()
        .ticket
        .unwrap()
        .code;
    assert_eq!(called, a2);
    settle(&wall, "back and caught up", |a| {
        adapter(a).get_online() && value(a, "latest-code").as_deref() == Some(a2.as_str())
    });
    assert!(value(&wall, "offline").is_none());
    rt.block_on(hub.stop());
}
