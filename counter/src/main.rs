//! `antre-counter --hub ADDR --device ID --token SECRET`: the counter terminal.
//! `antre-counter pair --hub ADDR --code CODE --config FILE`: pairs it (its token in FILE).
//! Without settings (no `--config`, `--device` or `--token`, and no
//! `~/.config/antre/counter.toml`), it opens its setup screen first and writes that file.

use antre_client::settings::DeviceArgs;
use antre_client::Client;
use antre_counter::app::CounterApp;
use clap::Parser;
use slint::ComponentHandle;

#[derive(Parser)]
#[command(
    name = "antre-counter",
    version,
    about = "Antre counter terminal (loket)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    device: DeviceArgs,
    /// Start maximized (the counter PC's normal mode).
    #[arg(long)]
    maximized: bool,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Pair this counter terminal with the hub: the code from the console is exchanged for
    /// its token, kept in --config (mode 0600) with the hub and the device id.
    Pair(antre_client::pairing::PairArgs),
}

fn main() -> anyhow::Result<()> {
    antre_client::init_logging();
    let mut cli = Cli::parse();
    if let Some(Command::Pair(args)) = &cli.command {
        return antre_client::pairing::pair_command(args);
    }
    if !antre_ui::setup::settings_or_setup(
        &mut cli.device,
        "counter",
        "Loket · Counter terminal",
        false,
    )? {
        return Ok(());
    }
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
    antre_ui::inbox::run_pumping(&app, &app.window)?;
    Ok(())
}
