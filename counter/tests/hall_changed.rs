//! The counter terminal applies a change of the hall made in the console without
//! restarting: its counter renamed (Slint's testing backend, a real hub).

use antre_counter::app::CounterApp;
use antre_hub::hall::catalogue::entries;
use antre_hub::testing::{device_settings, sample_config, TestHub};
use antre_ui::CounterAdapter;
use slint::ComponentHandle;
use std::time::Duration;

#[test]
fn a_renamed_counter_shows_its_new_name_at_once() {
    antre_ui::use_testing_backend();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = sample_config();
    let hub = rt.block_on(TestHub::start(&config));
    let (client, updates) = {
        let _g = rt.enter();
        antre_client::Client::start(device_settings(&config, &hub, "counter-2"))
    };
    let app = CounterApp::new(client, updates, rt.handle().clone()).unwrap();
    app.set_clock(hub.clock.clock());
    let name = |a: &CounterApp| {
        a.window
            .global::<CounterAdapter>()
            .get_counter_name()
            .to_string()
    };
    assert!(app.pump_until(Duration::from_secs(30), |a| name(a) == "Loket 2"));

    rt.block_on(hub.change_catalogue(|table| {
        for c in entries(table, "counters") {
            if c.get("id").and_then(|v| v.as_str()) == Some("2") {
                c.insert("name".into(), "Loket 2 — Prioritas".into());
            }
        }
    }));
    assert!(
        app.pump_until(Duration::from_secs(30), |a| name(a)
            == "Loket 2 — Prioritas"),
        "the counter's name: {:?}",
        name(&app)
    );
    rt.block_on(hub.stop());
}
