//! The wall display applies a change of the hall made in the console without restarting:
//! new running text along its bottom line (Slint's testing backend, a real hub).

use antre_display::app::DisplayApp;
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_ui::DisplayAdapter;
use slint::ComponentHandle;
use std::time::Duration;

#[test]
fn new_running_text_reaches_the_wall_live() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let (client, updates) = {
        let _g = rt.enter();
        antre_client::Client::start(device_settings(&config, &hub, "display-1"))
    };
    let app = DisplayApp::new(client, updates, rt.handle(), None).unwrap();
    app.set_clock(hub.clock.clock());
    let text = |a: &DisplayApp| {
        a.window
            .global::<DisplayAdapter>()
            .get_running_text()
            .to_string()
    };
    assert!(app.pump_until(Duration::from_secs(30), |a| !a
        .window
        .global::<DisplayAdapter>()
        .get_hall_name()
        .is_empty()));

    // One line of running text, as the console's PUT /running_text sets it.
    rt.block_on(hub.change_catalogue(|table| {
        table.insert(
            "running_text".into(),
            toml::Value::Array(vec!["Layanan Samsat pindah ke lantai 2".into()]),
        );
    }));
    assert!(
        app.pump_until(Duration::from_secs(30), |a| text(a)
            == "Layanan Samsat pindah ke lantai 2"),
        "the running text on the wall: {:?}",
        text(&app)
    );
    rt.block_on(hub.stop());
}
