//! `antre-kiosk --hub ADDR --device ID --token SECRET [--printer SPEC]`: the ticket kiosk
//! (without a printer, every ticket is given on the screen for the visitor's phone).
//! `antre-kiosk print-test --printer SPEC`: a sample ticket, for the technician.
//! `antre-kiosk pair --hub ADDR --code CODE --config FILE`: pairs the kiosk (its token in FILE).
//! Without settings (no `--config`, `--device` or `--token`, and no
//! `~/.config/antre/kiosk.toml`), it opens its setup screen first and writes that file.

use antre_kiosk::printer::{status_words, Printer, PrinterSpec};
use antre_kiosk::settings::KioskArgs;
use antre_kiosk::ticket::{qr_payload, ticket_bytes, Paper, TicketPaper};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "antre-kiosk", version, about = "Antre ticket kiosk (anjungan)")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    kiosk: KioskArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Print a sample ticket and exit: 0 when it printed, 1 with the reason when not.
    PrintTest {
        /// file:PATH, serial:DEVICE[@BAUD], tcp:HOST:PORT or usb:VID:PID
        #[arg(long, env = "ANTRE_PRINTER")]
        printer: PrinterSpec,
        /// Paper width in mm: 58 or 80.
        #[arg(long, default_value = "80")]
        paper: Paper,
    },
    /// Pair this kiosk with the hub: the code from the console is exchanged for the kiosk's
    /// token, kept in --config (mode 0600) with the hub and the device id.
    Pair(antre_client::pairing::PairArgs),
}

fn main() -> ExitCode {
    antre_client::init_logging();
    let mut cli = Cli::parse();
    let result = match cli.command {
        Some(Command::PrintTest { printer, paper }) => print_test(printer, paper),
        Some(Command::Pair(args)) => antre_client::pairing::pair_command(&args),
        None => match antre_ui::setup::settings_or_setup(
            &mut cli.kiosk.device,
            "kiosk",
            "Anjungan · Ticket kiosk",
            !cli.kiosk.windowed,
        ) {
            Ok(true) => antre_kiosk::run(&cli.kiosk),
            Ok(false) => Ok(()),
            Err(e) => Err(e.into()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antre-kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_test(spec: PrinterSpec, paper: Paper) -> anyhow::Result<()> {
    let printer = Printer::new(spec.clone());
    let sample = TicketPaper {
        hall: "ANTRE - CETAK UJI / PRINT TEST".into(),
        agency: "Dinas Kependudukan dan Pencatatan Sipil".into(),
        service: "KTP Elektronik".into(),
        code: "A-001".into(),
        priority: None,
        issued: chrono::Local::now().format("%d-%m-%Y  %H:%M").to_string(),
        estimate: None,
        visit: vec![],
        qr: qr_payload(
            None,
            &chrono::Local::now().format("%Y-%m-%d").to_string(),
            "A-001",
            None,
        ),
        booking: None,
    };
    let job = ticket_bytes(&sample, paper);
    match printer.print(&job) {
        Ok(status) => {
            println!(
                "printed a sample ticket ({} bytes) on {spec}: {}",
                job.len(),
                status_words(status)
            );
            Ok(())
        }
        Err(e) => anyhow::bail!("nothing printed on {spec}: {e}"),
    }
}
