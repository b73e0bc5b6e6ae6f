//! `antre-counter --hub ADDR --device ID --token SECRET`: the counter terminal.

use antre_counter::app::CounterApp;
use antre_shared::client::Client;
use antre_shared::settings::DeviceArgs;
use clap::Parser;
use slint::ComponentHandle;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "antre-counter",
    version,
    about = "Antre counter terminal (loket)"
)]
struct Cli {
    #[command(flatten)]
    device: DeviceArgs,
    /// Start maximized (the counter PC's normal mode).
    #[arg(long)]
    maximized: bool,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANTRE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let settings = cli.device.resolve()?;
    // The network lives on its own runtime thread; the UI thread runs Slint's event loop.
    let rt = tokio::runtime::Runtime::new()?;
    let (client, updates) = {
        let _guard = rt.enter();
        Client::start(settings)
    };
    let app = CounterApp::new(client, updates, rt.handle().clone())?;
    if cli.maximized {
        app.window.window().set_maximized(true);
    }
    // The clock and the "how long" figures tick once a second.
    let timer = slint::Timer::default();
    let weak = std::rc::Rc::downgrade(&app);
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_secs(1),
        move || {
            if let Some(app) = weak.upgrade() {
                app.pump();
            }
        },
    );
    app.window.run()?;
    Ok(())
}
