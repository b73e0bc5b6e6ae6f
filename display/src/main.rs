//! `antre-display --hub ADDR --device ID --token SECRET`: the wall display and its voice.
//! `antre-display announce --ticket A-012 --counter "Loket 3" [--text]`: one call, for the
//! technician testing the speakers.
//! Without settings (no `--config`, `--device` or `--token`, and no
//! `~/.config/antre/display.toml`), it opens its setup screen first and writes that file.

use antre_client::settings::DeviceArgs;
use antre_client::Client;
use antre_core::clock::system_clock;
use antre_display::app::DisplayApp;
use antre_display::voice::{self, Announcer, Call, QuietHours, Speech, VoiceConfig};
use clap::{Args, Parser, Subcommand};
use slint::ComponentHandle;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "antre-display",
    version,
    about = "Antre wall display (layar antrean)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    voice: VoiceArgs,
    /// A window instead of full screen (for trying it out).
    #[arg(long)]
    windowed: bool,
    /// Print, for each call, the time from the hub's event to the frame that shows it.
    #[arg(long)]
    measure: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Speak one call (chime and voice) and exit.
    Announce {
        /// The ticket code, e.g. A-012.
        #[arg(long)]
        ticket: String,
        /// The counter's name, e.g. "Loket 3".
        #[arg(long)]
        counter: String,
        /// Only print the words it would speak, on one line.
        #[arg(long)]
        text: bool,
    },
    /// Pair this display with the hub: the code from the console is exchanged for its token,
    /// kept in --config (mode 0600) with the hub and the device id.
    Pair(antre_client::pairing::PairArgs),
}

#[derive(Args, Default)]
struct VoiceArgs {
    /// espeak (default, Indonesian), espeak:VOICE, clips:FOLDER (one WAV per word), or off
    /// (chime only). File key `voice`.
    #[arg(long, env = "ANTRE_VOICE", global = true)]
    voice: Option<Speech>,
    /// A WAV file played before each call (default: a built-in chime). File key `chime`.
    #[arg(long, env = "ANTRE_CHIME", global = true)]
    chime: Option<PathBuf>,
    /// Volume in percent, 0-100 (default 100). File key `volume`.
    #[arg(long, env = "ANTRE_VOLUME", global = true)]
    volume: Option<u8>,
    /// Silent hours, e.g. "Fri 11:30-13:00"; repeat for more. File key `quiet_hours`.
    #[arg(long = "quiet", global = true)]
    quiet: Vec<QuietHours>,
    /// The ALSA device (`aplay -L` lists them; default: the default device). File key
    /// `audio_device`.
    #[arg(long, env = "ANTRE_AUDIO_DEVICE", global = true)]
    audio_device: Option<String>,
    /// No sound at all.
    #[arg(long, global = true)]
    mute: bool,
}

impl VoiceArgs {
    /// Flags over the device file's keys.
    fn resolve(&self, file: &toml::Table) -> anyhow::Result<Option<VoiceConfig>> {
        if self.mute || file.get("mute").and_then(toml::Value::as_bool) == Some(true) {
            return Ok(None);
        }
        let text = |k: &str| file.get(k).and_then(toml::Value::as_str).map(str::to_owned);
        let mut cfg = VoiceConfig::default();
        if let Some(v) = self.voice.clone() {
            cfg.speech = v;
        } else if let Some(v) = text("voice") {
            cfg.speech = v.parse().map_err(|e: String| anyhow::anyhow!(e))?;
        }
        cfg.chime = self.chime.clone().or(text("chime").map(PathBuf::from));
        let volume = match self.volume {
            Some(v) => i64::from(v),
            None => file
                .get("volume")
                .and_then(toml::Value::as_integer)
                .unwrap_or(100),
        };
        anyhow::ensure!(
            (0..=100).contains(&volume),
            "volume must be 0 to 100, got {volume}"
        );
        cfg.volume = volume as f32 / 100.0;
        cfg.quiet = self.quiet.clone();
        if let Some(list) = file.get("quiet_hours").and_then(toml::Value::as_array) {
            for q in list {
                let q = q.as_str().unwrap_or_default();
                cfg.quiet
                    .push(q.parse().map_err(|e: String| anyhow::anyhow!(e))?);
            }
        }
        cfg.device = self.audio_device.clone().or(text("audio_device"));
        Ok(Some(cfg))
    }
}

fn main() -> ExitCode {
    antre_client::init_logging();
    let mut cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Announce {
            ticket,
            counter,
            text,
        }) => announce(&cli, ticket, counter, *text),
        Some(Command::Pair(args)) => antre_client::pairing::pair_command(args),
        None => Ok(()),
    }
    .and_then(|()| match cli.command {
        Some(_) => Ok(()),
        None => run(&mut cli),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antre-display: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn announce(cli: &Cli, ticket: &str, counter: &str, text_only: bool) -> anyhow::Result<()> {
    let code: antre_core::domain::TicketCode = ticket
        .parse()
        .map_err(|_| anyhow::anyhow!("{ticket:?} is not a ticket code like A-012"))?;
    let call = Call {
        code: code.to_string(),
        counter: counter.to_owned(),
        recall: false,
    };
    if text_only {
        println!("{}", call.text());
        return Ok(());
    }
    let file = cli.device.file_settings()?;
    let Some(cfg) = cli.voice.resolve(&file)? else {
        anyhow::bail!("muted: nothing to play");
    };
    if let Speech::Clips(dir) = &cfg.speech {
        let missing = voice::missing_clips(dir, &call);
        if !missing.is_empty() {
            eprintln!(
                "missing clips in {}: {} (espeak-ng speaks this call instead)",
                dir.display(),
                missing.join(", ")
            );
        }
    }
    let chime = match &cfg.chime {
        Some(p) => voice::read_wav(&std::fs::read(p)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => voice::builtin_chime(),
    };
    let samples = voice::render(&call, &cfg, &chime);
    voice::play(&samples, cfg.device.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "announced {} ({:.1} s): {}",
        call.code,
        samples.len() as f32 / voice::RATE as f32,
        call.text()
    );
    Ok(())
}

fn run(cli: &mut Cli) -> anyhow::Result<()> {
    if !antre_ui::setup::settings_or_setup(
        &mut cli.device,
        "display",
        "Layar · Wall display",
        !cli.windowed,
    )? {
        return Ok(());
    }
    let settings = cli.device.resolve()?;
    let file = cli.device.file_settings()?;
    let voice = cli.voice.resolve(&file)?;
    let rt = tokio::runtime::Runtime::new()?;
    let (client, updates) = {
        let _guard = rt.enter();
        Client::start(settings)
    };
    let announcer = voice.map(|mut v| {
        // Quiet hours follow the hall's clock; the zone comes with the welcome, so the
        // default (the sample hall's) is used until then.
        v.timezone = chrono_tz::Asia::Jakarta;
        Announcer::start(v, system_clock())
    });
    let app = DisplayApp::new(client, updates, rt.handle(), announcer)?;
    if cli.measure {
        app.measure_frames();
    }
    if !cli.windowed {
        app.window.window().set_fullscreen(true);
    }
    // The clock ticks once a second; nothing else redraws an unchanged screen.
    antre_ui::inbox::run_pumping(&app, &app.window)?;
    Ok(())
}
