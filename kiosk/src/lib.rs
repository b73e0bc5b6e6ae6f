//! The ticket kiosk: the first thing every visitor touches.
//!
//! - [`printer`]: where the printer is, whether it can print (DLE EOT), sending a job.
//! - [`ticket`]: the printed ticket as ESC/POS bytes.
//! - [`model`]: what the screens say, from the hall view (pure).
//! - [`app`]: the Slint window and the visitor's way through it.
//! - [`flow`]: the ticket's choice, the survey, the aspiration and the printer watch, each a
//!   state with pure steps.
//! - [`words`]: the texts put together in Rust, translated as the screens are.
//! - [`settings`]: flags, environment and the kiosk's TOML file.

pub mod app;
pub mod flow;
pub mod model;
pub mod printer;
pub mod settings;
pub mod ticket;
pub mod words;

use antre_client::Client;
use slint::ComponentHandle;

/// Runs the kiosk until its window closes.
///
/// # Errors
/// The settings are incomplete, or the window cannot be created.
pub fn run(args: &settings::KioskArgs) -> anyhow::Result<()> {
    let connection = args.device.resolve()?;
    let (spec, options) = args.resolve()?;
    tracing::info!(printer = %spec, hub = %connection.hub, "starting the kiosk");
    // The network lives on its own runtime; the UI thread runs Slint's event loop.
    let rt = tokio::runtime::Runtime::new()?;
    let (client, updates) = {
        let _guard = rt.enter();
        Client::start(connection)
    };
    let app = app::KioskApp::new(
        client,
        updates,
        rt.handle().clone(),
        printer::Printer::new(spec),
        options,
    )?;
    if !args.windowed {
        app.window.window().set_fullscreen(true);
    }
    // The clock, the idle return and the printer check tick once a second.
    antre_ui::inbox::run_pumping(&app, &app.window)?;
    Ok(())
}
