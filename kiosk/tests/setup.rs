//! A kiosk started with no settings shows its first-run setup screen (Slint's testing backend,
//! a real hub): a wrong pairing code and a missing address are refused in words and write
//! nothing; the right code writes the settings file for its owner only, and the next start
//! resolves that file and is welcomed by the hub. The same without the console: a device id
//! and token, tried on the hub before they are saved.

mod common;

use antre_client::settings::DeviceArgs;
use antre_hub::hall::catalogue::list;
use antre_hub::testing::{sample_config, TestHub};
use antre_kiosk::printer::{Printer, PrinterSpec};
use antre_ui::setup::Setup;
use antre_ui::SetupAdapter;
use common::screen::kiosk_app_from;
use common::PATIENCE;
use i_slint_backend_testing::ElementHandle;
use slint::ComponentHandle;
use std::os::unix::fs::PermissionsExt;

/// Types into the text field labelled `label` (not the label's own text above it).
fn type_into(setup: &Setup, label: &str, text: &str) {
    let field = ElementHandle::find_by_accessible_label(&setup.window, label)
        .find(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::TextInput))
        .unwrap_or_else(|| panic!("no field labelled {label:?}"));
    field.set_accessible_value(text);
}

fn press(setup: &Setup, label: &str) {
    let button = ElementHandle::find_by_accessible_label(&setup.window, label)
        .next()
        .unwrap_or_else(|| panic!("no button labelled {label:?}"));
    button.invoke_accessible_default_action();
}

/// Presses the button and waits until the hub's answer is on the screen.
fn submit(setup: &Setup, button: &str) -> String {
    press(setup, button);
    assert!(
        setup.pump_until(PATIENCE, |s| !s.window.global::<SetupAdapter>().get_busy()),
        "the setup screen still waits for the hub"
    );
    setup
        .window
        .global::<SetupAdapter>()
        .get_status()
        .to_string()
}

fn shot(setup: &Setup, name: &str) {
    let path = antre_ui::screenshot_dir().join(format!("{name}.png"));
    antre_ui::save_png(setup.window.window(), &path).unwrap();
}

#[test]
fn a_kiosk_without_settings_is_set_up_on_its_screen_and_starts_from_them() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    // What the console's "add a device" does: the device, then its code.
    let code = "K7QM2XPA9D";
    rt.block_on(hub.change_catalogue(|table| {
        let mut t = toml::Table::new();
        t.insert("id".into(), "kiosk-9".into());
        t.insert("role".into(), "kiosk".into());
        t.insert("token_sha256".into(), "00".repeat(32).into());
        list(table, "devices").push(toml::Value::Table(t));
    }));
    let made = rt.block_on(hub.hub.run(move |hall, now| {
        let expires = now + chrono::Duration::minutes(15);
        (
            hall.add_pairing(now, "kiosk-9", code, expires).is_ok(),
            (vec![], vec![]),
        )
    }));
    assert_eq!(made, Some(true));

    // No flags, no file: the setup screen, for the file it will write.
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("antre/kiosk.toml");
    let mut args = DeviceArgs {
        config: Some(path.clone()),
        ..Default::default()
    };
    args.locate("kiosk");
    assert_eq!(args.needs_setup(), Some(path.as_path()));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let setup = Setup::new("Anjungan · Ticket kiosk", &path, None).unwrap();
    setup
        .window
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    shot(&setup, "setup-kiosk");

    // Nothing typed: said at once, nothing sent.
    let said = submit(&setup, "Pasangkan · Pair");
    assert!(said.starts_with("Isi alamat hub"), "{said}");

    // A wrong code: the hub's refusal in words; no file.
    type_into(&setup, "Alamat hub", &hub.addr.to_string());
    type_into(&setup, "Kode pemasangan", "SALAH-KODE");
    let said = submit(&setup, "Pasangkan · Pair");
    assert!(said.starts_with("Kode pemasangan ditolak"), "{said}");
    assert!(setup.window.global::<SetupAdapter>().get_status_is_error());
    assert!(!path.exists(), "nothing is written for a refused code");
    shot(&setup, "setup-kiosk-refused");

    // A hub that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = closed.local_addr().unwrap().to_string();
    drop(closed);
    type_into(&setup, "Alamat hub", &nowhere);
    let said = submit(&setup, "Pasangkan · Pair");
    assert!(
        said.starts_with(&format!("Hub di {nowhere} tidak dapat dihubungi")),
        "{said}"
    );

    // The right code.
    type_into(&setup, "Alamat hub", &hub.addr.to_string());
    type_into(&setup, "Kode pemasangan", code);
    let said = submit(&setup, "Pasangkan · Pair");
    assert_eq!(said, "Terhubung sebagai kiosk-9. · Connected as kiosk-9.");
    assert!(setup.saved());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the settings hold the token: its owner's only");
    drop(setup);

    // The next start: the file is there, so no setup, and it opens the hub.
    let mut next = DeviceArgs {
        config: Some(path.clone()),
        ..Default::default()
    };
    next.locate("kiosk");
    assert_eq!(next.needs_setup(), None);
    let settings = next.resolve().unwrap();
    assert_eq!(settings.device.as_str(), "kiosk-9");
    assert_eq!(settings.hub, hub.addr.to_string());
    // kiosk_app_from waits for the welcome: all 15 agencies on the screen.
    let app = kiosk_app_from(
        &rt,
        settings,
        &hub,
        Printer::new(PrinterSpec::None),
        None,
        antre_kiosk::app::Mode::Tickets,
    );
    drop(app);
    rt.block_on(hub.stop());
}

#[test]
fn without_the_console_a_device_id_and_token_are_tried_before_they_are_saved() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("counter.toml");
    let setup = Setup::new(
        "Loket · Counter terminal",
        &path,
        Some(&hub.addr.to_string()),
    )
    .unwrap();
    // A counter PC's screen.
    setup
        .window
        .window()
        .set_size(slint::PhysicalSize::new(1280, 800));
    press(&setup, "Pakai id perangkat dan token");
    type_into(&setup, "Id perangkat", "counter-3");
    type_into(&setup, "Token", "not-the-token-of-counter-3");
    let said = submit(&setup, "Simpan · Save");
    assert!(said.starts_with("Id perangkat atau token salah"), "{said}");
    assert!(!path.exists());
    shot(&setup, "setup-counter-token");

    // The sample config's token for counter-3 (a test hub on loopback accepts it).
    let token = antre_hub::testing::device_settings(&config, &hub, "counter-3").token;
    type_into(&setup, "Token", &token);
    let said = submit(&setup, "Simpan · Save");
    assert_eq!(
        said,
        "Terhubung sebagai counter-3. · Connected as counter-3."
    );
    let saved: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["device"].as_str(), Some("counter-3"));
    assert_eq!(saved["token"].as_str(), Some(token.as_str()));
    assert_eq!(saved["hub"].as_str(), Some(hub.addr.to_string().as_str()));
    rt.block_on(hub.stop());
}
