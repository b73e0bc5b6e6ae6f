//! The kiosk's settings: the hub connection every app has, plus the printer, the paper, the
//! idle time. Flags and environment win over the device's TOML file.

use crate::app::{KioskOptions, Mode};
use crate::printer::PrinterSpec;
use crate::ticket::Paper;
use antre_client::settings::DeviceArgs;
use std::time::Duration;

/// Seconds without a touch before the kiosk goes back to its start screen.
const DEFAULT_IDLE_SECS: u64 = 30;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct KioskArgs {
    #[command(flatten)]
    pub device: DeviceArgs,
    /// The ticket printer: file:PATH, serial:DEVICE[@BAUD], tcp:HOST:PORT or usb:VID:PID
    /// (file key `printer`).
    #[arg(long, env = "ANTRE_PRINTER")]
    pub printer: Option<PrinterSpec>,
    /// Paper width in mm, 58 or 80 (file key `paper`; default 80).
    #[arg(long, env = "ANTRE_PAPER")]
    pub paper: Option<Paper>,
    /// Seconds without a touch before going back to the start screen (file key `idle_secs`;
    /// default 30).
    #[arg(long, env = "ANTRE_IDLE_SECS")]
    pub idle_secs: Option<u64>,
    /// Base URL of the hall's live ticket pages, put in the ticket's QR code (file key
    /// `public_url`).
    #[arg(long, env = "ANTRE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// `tickets` (default), or `survey` for a survey tablet at the exit: only the IKM survey
    /// and aspirations, no printer (file key `mode`).
    #[arg(long, env = "ANTRE_KIOSK_MODE", value_enum)]
    pub mode: Option<Mode>,
    /// A window instead of full screen (for trying it out).
    #[arg(long)]
    pub windowed: bool,
}

impl KioskArgs {
    /// The printer and the kiosk's options, flags over file.
    ///
    /// # Errors
    /// No printer is given, or a value in the file is of the wrong kind; the message says
    /// which and how to fix it.
    pub fn resolve(&self) -> anyhow::Result<(PrinterSpec, KioskOptions)> {
        let file = self.device.file_settings()?;
        let text = |key: &str| -> anyhow::Result<Option<String>> {
            match file.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(toml::Value::Integer(i)) => Ok(Some(i.to_string())),
                Some(v) => anyhow::bail!("`{key}` in the kiosk's config must be text, not {v}"),
            }
        };
        let mode = match self.mode {
            Some(m) => m,
            None => {
                match text("mode")?.as_deref() {
                    None | Some("tickets") => Mode::Tickets,
                    Some("survey") => Mode::Survey,
                    Some(other) => {
                        anyhow::bail!("`mode` in the kiosk's config is \"tickets\" or \"survey\", not {other:?}")
                    }
                }
            }
        };
        let printer = match &self.printer {
            Some(p) => p.clone(),
            // A survey tablet prints nothing.
            None if mode == Mode::Survey && text("printer")?.is_none() => {
                PrinterSpec::File("/dev/null".into())
            }
            // No printer: every ticket is shown on the screen for the visitor's phone.
            None => match text("printer")? {
                Some(p) => p.parse().map_err(|e: String| anyhow::anyhow!(e))?,
                None => {
                    tracing::warn!(
                        "no printer given (--printer SPEC, ANTRE_PRINTER or `printer` in --config): \
                         tickets are shown on the screen for the visitor's phone"
                    );
                    PrinterSpec::None
                }
            },
        };
        let paper = match self.paper {
            Some(p) => p,
            None => text("paper")?
                .map(|p| p.parse().map_err(|e: String| anyhow::anyhow!(e)))
                .transpose()?
                .unwrap_or(Paper::Mm80),
        };
        let idle_secs = match self.idle_secs {
            Some(s) => s,
            None => text("idle_secs")?
                .map(|s| s.parse::<u64>())
                .transpose()
                .map_err(|_| anyhow::anyhow!("`idle_secs` must be a whole number of seconds"))?
                .unwrap_or(DEFAULT_IDLE_SECS),
        };
        let public_url = self.public_url.clone().or(text("public_url")?);
        Ok((
            printer,
            KioskOptions {
                paper,
                idle: Duration::from_secs(idle_secs.max(5)),
                public_url,
                mode,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(
            &path,
            "device = \"kiosk-1\"\ntoken = \"t0123456789abcdef\"\nprinter = \"serial:/dev/ttyS0@19200\"\npaper = 58\nidle_secs = 45\n",
        )
        .unwrap();
        let mut args = KioskArgs {
            device: DeviceArgs {
                config: Some(path.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        let (p, o) = args.resolve().unwrap();
        assert_eq!(p.to_string(), "serial:/dev/ttyS0@19200");
        assert_eq!(o.paper, Paper::Mm58);
        assert_eq!(o.idle, Duration::from_secs(45));
        args.printer = Some("tcp:10.0.0.9:9100".parse().unwrap());
        assert_eq!(args.resolve().unwrap().0.to_string(), "tcp:10.0.0.9:9100");

        // No printer at all: the kiosk runs, and gives its tickets on the screen.
        std::fs::write(&path, "device = \"kiosk-1\"\n").unwrap();
        args.printer = None;
        assert_eq!(args.resolve().unwrap().0, PrinterSpec::None);
        assert_eq!("none".parse::<PrinterSpec>().unwrap(), PrinterSpec::None);
    }
}
