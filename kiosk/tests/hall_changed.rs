//! The kiosk applies a change of the hall made in the console without restarting: a
//! service renamed shows under its new name, and a holiday closes every service with its
//! reason in words, Indonesian and English (Slint's testing backend, a real hub).

mod common;

use antre_hub::hall::catalogue::{entries, list};
use antre_hub::testing::{sample_config, TestHub};
use antre_kiosk::printer::{Printer, PrinterSpec};
use common::screen::{adapter, kiosk_app, press, screenshot, settle, shown};
use slint::Model as _;

#[test]
fn a_renamed_service_and_a_holiday_reach_the_kiosk_live() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let app = kiosk_app(
        &rt,
        &config,
        &hub,
        "kiosk-1",
        Printer::new(PrinterSpec::None),
        None,
        antre_kiosk::app::Mode::Tickets,
    );

    press(&app, "Dinas Kependudukan dan Pencatatan Sipil");
    assert!(shown(&app, "KTP Elektronik"));
    rt.block_on(hub.change_catalogue(|t| {
        for s in entries(t, "services") {
            if s.get("id").and_then(|v| v.as_str()) == Some("dukcapil-ktp") {
                s.insert("name".into(), "KTP-el (Baru)".into());
            }
        }
    }));
    settle(&app, "the new name on the screen", |a| {
        shown(a, "KTP-el (Baru)")
    });
    assert!(!shown(&app, "KTP Elektronik"));

    let day = rt.block_on(hub.hub.welcome(0)).unwrap().hall.day;
    rt.block_on(hub.change_catalogue(move |t| {
        let mut h = toml::Table::new();
        h.insert("date".into(), day.into());
        h.insert("reason".into(), "Cuti bersama Natal".into());
        list(t, "holidays").push(toml::Value::Table(h));
    }));
    let said = "Hari ini libur: Cuti bersama Natal. Tidak ada pengambilan tiket.";
    settle(&app, "the holiday's reason on every service", |a| {
        let services = adapter(a).get_services();
        services.row_count() > 0 && services.iter().all(|s| !s.open && s.reason == said)
    });
    screenshot(&app, "kiosk-holiday");
    // In English, the same reason in the visitor's language.
    press(&app, "English");
    settle(&app, "the reason in English", |a| {
        adapter(a).get_services().iter().all(|s| {
            s.reason == "Closed today, a holiday: Cuti bersama Natal. No tickets are issued."
        })
    });
    rt.block_on(hub.stop());
}
