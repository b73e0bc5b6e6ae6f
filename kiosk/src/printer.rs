//! The ticket printer: where it is (`--printer SPEC`), whether it can print now (DLE EOT
//! real-time status), and sending a job. Everything here blocks; the app calls it off the UI
//! thread. One [`Printer`] serialises its users, so a status check never interleaves with a job.

use antre_core::proto::PrinterStatus;
use escpos::driver::{Driver, FileDriver, NativeUsbDriver, NetworkDriver, SerialPortDriver};
use escpos::utils::{RealTimeStatusRequest, RealTimeStatusResponse};
use std::fmt;
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// How long a network printer may take to accept a connection or answer a status request.
/// (A serial printer's answer is waited for 5 s: the escpos serial driver fixes that.)
const NETWORK_TIMEOUT: Duration = Duration::from_secs(2);

/// Where the printer is, as given on the command line or in the kiosk's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterSpec {
    /// Append each job to a file (a printer device node such as `/dev/usb/lp0`, or a plain
    /// file for trying the kiosk without a printer). A file cannot report its status.
    File(PathBuf),
    /// A serial port, e.g. `/dev/ttyUSB0`, at `baud` (default 9600, the TM-T20's default).
    Serial { path: String, baud: u32 },
    /// A network printer, raw TCP (port 9100).
    Tcp { host: String, port: u16 },
    /// A USB printer by vendor and product id (hex).
    Usb { vid: u16, pid: u16 },
    /// No printer: every ticket is given on the screen, for the visitor's phone (`none`).
    None,
}

impl FromStr for PrinterSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!(
                "printer {s:?}: {why}; use file:PATH, serial:DEVICE[@BAUD], tcp:HOST:PORT or usb:VID:PID"
            )
        };
        if s == "none" {
            return Ok(PrinterSpec::None);
        }
        let (kind, rest) = s.split_once(':').ok_or_else(|| bad("no kind"))?;
        if rest.is_empty() {
            return Err(bad("nothing after the kind"));
        }
        match kind {
            "file" => Ok(PrinterSpec::File(rest.into())),
            "serial" => {
                let (path, baud) = match rest.rsplit_once('@') {
                    Some((p, b)) => (
                        p,
                        b.parse()
                            .map_err(|_| bad("the baud rate is not a number"))?,
                    ),
                    None => (rest, 9600),
                };
                Ok(PrinterSpec::Serial {
                    path: path.into(),
                    baud,
                })
            }
            "tcp" => {
                let (host, port) = rest
                    .rsplit_once(':')
                    .ok_or_else(|| bad("a network printer needs HOST:PORT (usually port 9100)"))?;
                let port = port.parse().map_err(|_| bad("the port is not a number"))?;
                Ok(PrinterSpec::Tcp {
                    host: host.trim_start_matches('[').trim_end_matches(']').into(),
                    port,
                })
            }
            "usb" => {
                let (v, p) = rest
                    .split_once(':')
                    .ok_or_else(|| bad("USB needs VID:PID"))?;
                let hex = |x: &str| {
                    u16::from_str_radix(x.trim_start_matches("0x"), 16)
                        .map_err(|_| bad("VID and PID are hexadecimal, e.g. usb:04b8:0e28"))
                };
                Ok(PrinterSpec::Usb {
                    vid: hex(v)?,
                    pid: hex(p)?,
                })
            }
            _ => Err(bad("unknown kind")),
        }
    }
}

impl fmt::Display for PrinterSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrinterSpec::File(p) => write!(f, "file:{}", p.display()),
            PrinterSpec::Serial { path, baud } => write!(f, "serial:{path}@{baud}"),
            PrinterSpec::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            PrinterSpec::Usb { vid, pid } => write!(f, "usb:{vid:04x}:{pid:04x}"),
            PrinterSpec::None => write!(f, "none"),
        }
    }
}

/// Why a ticket could not be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintError {
    /// What the printer said, or [`PrinterStatus::NoAnswer`] when it could not be reached.
    pub status: PrinterStatus,
    /// The technical detail, in English, for the log and the technician.
    pub detail: String,
}

impl fmt::Display for PrintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", status_words(self.status), self.detail)
    }
}

impl std::error::Error for PrintError {}

/// A printer status in words, English then Indonesian, for the technician's terminal.
pub fn status_words(s: PrinterStatus) -> &'static str {
    match s {
        PrinterStatus::Ok => "the printer is ready (printer siap)",
        PrinterStatus::PaperNearEnd => {
            "the paper is nearly used up: load a new roll soon (kertas hampir habis)"
        }
        PrinterStatus::PaperOut => "the printer is out of paper (kertas habis)",
        PrinterStatus::CoverOpen => "the printer's cover is open (penutup printer terbuka)",
        PrinterStatus::Offline => "the printer is offline or in error (printer offline)",
        PrinterStatus::NoAnswer => "the printer does not answer (printer tidak menjawab)",
    }
}

/// A printer status in Indonesian, for the screen and the hub.
pub fn status_indonesian(s: PrinterStatus) -> &'static str {
    match s {
        PrinterStatus::Ok => "Printer siap",
        PrinterStatus::PaperNearEnd => "Kertas printer hampir habis",
        PrinterStatus::PaperOut => "Kertas printer habis",
        PrinterStatus::CoverOpen => "Penutup printer terbuka",
        PrinterStatus::Offline => "Printer sedang offline",
        PrinterStatus::NoAnswer => "Printer tidak menjawab (kabel atau daya)",
    }
}

/// The kiosk's printer. Cheap to share behind an `Arc`.
pub struct Printer {
    spec: PrinterSpec,
    lock: Mutex<()>,
}

impl Printer {
    pub fn new(spec: PrinterSpec) -> Self {
        Printer {
            spec,
            lock: Mutex::new(()),
        }
    }

    pub fn spec(&self) -> &PrinterSpec {
        &self.spec
    }

    /// Whether there is a printer at all (`none`: tickets on the screen only).
    pub fn exists(&self) -> bool {
        self.spec != PrinterSpec::None
    }

    /// Asks the printer whether it can print now. Never fails: a printer that cannot be
    /// reached is [`PrinterStatus::NoAnswer`], with the reason.
    pub fn check(&self) -> (PrinterStatus, String) {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        match self.open() {
            Ok(driver) => status_of(driver.as_ref(), &self.spec),
            Err(e) => (PrinterStatus::NoAnswer, e),
        }
    }

    /// Checks the printer, then sends `job` if it can print. Returns the status it had (which
    /// may be [`PrinterStatus::PaperNearEnd`]: printed, but staff should bring paper).
    ///
    /// # Errors
    /// The printer cannot print (paper, cover, offline), cannot be reached, or the job could
    /// not be written. Nothing was printed, or not all of it.
    pub fn print(&self, job: &[u8]) -> Result<PrinterStatus, PrintError> {
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let driver = self.open().map_err(|detail| PrintError {
            status: PrinterStatus::NoAnswer,
            detail,
        })?;
        let (status, detail) = status_of(driver.as_ref(), &self.spec);
        if !status.can_print() {
            return Err(PrintError { status, detail });
        }
        driver
            .write(job)
            .and_then(|()| driver.flush())
            .map_err(|e| PrintError {
                status: PrinterStatus::NoAnswer,
                detail: format!("writing the job to {}: {e}", self.spec),
            })?;
        Ok(status)
    }

    fn open(&self) -> Result<Box<dyn Driver>, String> {
        let failed = |e: &dyn fmt::Display| format!("cannot open {}: {e}", self.spec);
        Ok(match &self.spec {
            PrinterSpec::File(path) => {
                let mut options = std::fs::OpenOptions::new();
                options.append(true).create(true);
                Box::new(FileDriver::open_with_options(path, &options).map_err(|e| failed(&e))?)
            }
            PrinterSpec::Serial { path, baud } => Box::new(
                SerialPortDriver::open(path, *baud, Some(NETWORK_TIMEOUT))
                    .map_err(|e| failed(&e))?,
            ),
            PrinterSpec::Tcp { host, port } => {
                // The escpos driver takes an IP address when given a timeout: resolve first.
                let addr = (host.as_str(), *port)
                    .to_socket_addrs()
                    .map_err(|e| failed(&e))?
                    .next()
                    .ok_or_else(|| failed(&"the host name has no address"))?;
                Box::new(
                    NetworkDriver::open(&addr.ip().to_string(), *port, Some(NETWORK_TIMEOUT))
                        .map_err(|e| failed(&e))?,
                )
            }
            PrinterSpec::Usb { vid, pid } => {
                Box::new(NativeUsbDriver::open(*vid, *pid).map_err(|e| failed(&e))?)
            }
            PrinterSpec::None => return Err("this kiosk has no printer".into()),
        })
    }
}

/// Asks the printer (DLE EOT 1, 2 and 4) and reads its answers into one status.
fn status_of(driver: &dyn Driver, spec: &PrinterSpec) -> (PrinterStatus, String) {
    if matches!(spec, PrinterSpec::File(_)) {
        return (
            PrinterStatus::Ok,
            "a file cannot report paper or cover".into(),
        );
    }
    let ask = |request: RealTimeStatusRequest| -> Result<_, String> {
        let (n, _) = request.into();
        // DLE EOT n is three bytes for n = 1..4 (the escpos helper adds a fourth, which a
        // printer would take as print data).
        driver
            .write(&[0x10, 0x04, n])
            .and_then(|()| driver.flush())
            .map_err(|e| format!("asking for status: {e}"))?;
        let mut byte = [0u8; 1];
        match driver.read(&mut byte) {
            Ok(1) => RealTimeStatusResponse::parse(request, byte[0])
                .map_err(|e| format!("status byte {:#04x}: {e}", byte[0])),
            Ok(_) => Err("the connection closed without a status".into()),
            Err(e) => Err(format!("no status answer: {e}")),
        }
    };
    let is = |m: &std::collections::HashMap<RealTimeStatusResponse, bool>,
              k: RealTimeStatusResponse| m.get(&k).copied().unwrap_or(false);
    let printer = match ask(RealTimeStatusRequest::Printer) {
        Ok(m) => m,
        Err(e) => return (PrinterStatus::NoAnswer, e),
    };
    let paper = match ask(RealTimeStatusRequest::RollPaperSensor) {
        Ok(m) => m,
        Err(e) => return (PrinterStatus::NoAnswer, e),
    };
    if !is(
        &paper,
        RealTimeStatusResponse::RollPaperEndSensorPaperPresent,
    ) {
        return (
            PrinterStatus::PaperOut,
            "roll paper end sensor: no paper".into(),
        );
    }
    if !is(&printer, RealTimeStatusResponse::Online) {
        let cause = match ask(RealTimeStatusRequest::OfflineCause) {
            Ok(m) => m,
            Err(e) => return (PrinterStatus::NoAnswer, e),
        };
        if !is(&cause, RealTimeStatusResponse::CoverClosed) {
            return (PrinterStatus::CoverOpen, "offline cause: cover open".into());
        }
        if is(&cause, RealTimeStatusResponse::PrintingStopsDueToPaperEnd) {
            return (PrinterStatus::PaperOut, "offline cause: paper end".into());
        }
        return (PrinterStatus::Offline, "the printer reports offline".into());
    }
    if !is(
        &paper,
        RealTimeStatusResponse::RollPaperNearEndSensorPaperAdequate,
    ) {
        return (
            PrinterStatus::PaperNearEnd,
            "roll paper near-end sensor".into(),
        );
    }
    (PrinterStatus::Ok, "online, paper present".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_print_back() {
        for (text, spec) in [
            (
                "file:var/tickets.bin",
                PrinterSpec::File("var/tickets.bin".into()),
            ),
            (
                "serial:/dev/ttyUSB0",
                PrinterSpec::Serial {
                    path: "/dev/ttyUSB0".into(),
                    baud: 9600,
                },
            ),
            (
                "serial:/dev/ttyS0@115200",
                PrinterSpec::Serial {
                    path: "/dev/ttyS0".into(),
                    baud: 115_200,
                },
            ),
            (
                "tcp:192.168.1.50:9100",
                PrinterSpec::Tcp {
                    host: "192.168.1.50".into(),
                    port: 9100,
                },
            ),
            (
                "usb:04b8:0e28",
                PrinterSpec::Usb {
                    vid: 0x04b8,
                    pid: 0x0e28,
                },
            ),
        ] {
            assert_eq!(text.parse::<PrinterSpec>().unwrap(), spec, "{text}");
        }
        assert_eq!(
            "serial:/dev/ttyS0@115200"
                .parse::<PrinterSpec>()
                .unwrap()
                .to_string(),
            "serial:/dev/ttyS0@115200"
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, words) in [
            ("lpt1", "no kind"),
            ("tcp:printer", "HOST:PORT"),
            ("tcp:printer:x", "port is not a number"),
            ("serial:/dev/ttyS0@fast", "baud"),
            ("usb:epson", "VID:PID"),
            ("usb:zz:01", "hexadecimal"),
            ("bluetooth:aa", "unknown kind"),
            ("file:", "nothing after"),
        ] {
            let e = text.parse::<PrinterSpec>().unwrap_err();
            assert!(e.contains(words), "{text}: {e}");
        }
    }
}
