//! The kiosk's window in Slint's testing backend: elements found by their accessible labels,
//! the app pumped until a condition holds, screenshots from the test's own pixels.

use antre_kiosk::app::KioskApp;
use antre_ui::KioskAdapter;
use i_slint_backend_testing::ElementHandle;
use slint::ComponentHandle;

/// Invokes the first element labelled `label` (a tap), then refreshes the screen.
pub fn press(app: &KioskApp, label: &str) {
    let found: Vec<_> = ElementHandle::find_by_accessible_label(&app.window, label).collect();
    assert!(!found.is_empty(), "no element labelled {label:?}");
    found[0].invoke_accessible_default_action();
    app.refresh();
}

pub fn shown(app: &KioskApp, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(&app.window, label)
        .next()
        .is_some()
}

/// The accessible value of the element labelled `label`, or "".
pub fn text_of(app: &KioskApp, label: &str) -> String {
    ElementHandle::find_by_accessible_label(&app.window, label)
        .next()
        .and_then(|e| e.accessible_value())
        .unwrap_or_default()
        .to_string()
}

pub fn adapter(app: &KioskApp) -> KioskAdapter<'_> {
    app.window.global::<KioskAdapter>()
}

/// Pumps the app until `cond` holds; fails the test after [`super::PATIENCE`].
pub fn settle(app: &KioskApp, what: &str, cond: impl Fn(&KioskApp) -> bool) {
    assert!(
        app.pump_until(super::PATIENCE, cond),
        "timed out waiting for: {what}"
    );
}

/// Saves the window as `{name}.png` in the screenshot folder and returns its path.
pub fn screenshot(app: &KioskApp, name: &str) -> std::path::PathBuf {
    app.refresh();
    let path = antre_ui::screenshot_dir().join(format!("{name}.png"));
    antre_ui::save_png(app.window.window(), &path).unwrap();
    path
}

/// A kiosk app as `antre-kiosk` starts it, for `device` of `hub`, with `printer` and the
/// usual options (80 mm paper, 30 s idle) in `mode`, at 1080×1920, welcomed.
pub fn kiosk_app(
    rt: &tokio::runtime::Runtime,
    config: &str,
    hub: &antre_hub::testing::TestHub,
    device: &str,
    printer: antre_kiosk::printer::Printer,
    public_url: Option<&str>,
    mode: antre_kiosk::app::Mode,
) -> std::rc::Rc<KioskApp> {
    let settings = antre_hub::testing::device_settings(config, hub, device);
    kiosk_app_from(rt, settings, hub, printer, public_url, mode)
}

/// The same, from the settings the app resolved.
pub fn kiosk_app_from(
    rt: &tokio::runtime::Runtime,
    settings: antre_client::ClientConfig,
    hub: &antre_hub::testing::TestHub,
    printer: antre_kiosk::printer::Printer,
    public_url: Option<&str>,
    mode: antre_kiosk::app::Mode,
) -> std::rc::Rc<KioskApp> {
    use slint::{ComponentHandle, Model as _};
    let (client, updates) = {
        let _g = rt.enter();
        antre_client::Client::start(settings)
    };
    let app = KioskApp::new(
        client,
        updates,
        rt.handle().clone(),
        printer,
        antre_kiosk::app::KioskOptions {
            paper: antre_kiosk::ticket::Paper::Mm80,
            idle: std::time::Duration::from_secs(30),
            public_url: public_url.map(str::to_owned),
            mode,
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
    app
}
