//! The real ESC/POS printer emulator (PyPI `emupos`, an Epson TM-T20III over TCP and a serial
//! pty) run for a test, and what it printed. `.ci/run` installs it; `EMUPOS` may name the
//! executable, else the pyenv Python 3.13 one is used.

#![allow(dead_code)] // each test file uses its own part

pub mod screen;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Nothing the emulator does should take this long; it turns a hang into a failure.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn emupos_exe() -> PathBuf {
    if let Some(p) = std::env::var_os("EMUPOS") {
        return p.into();
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let p = PathBuf::from(home).join(".pyenv/versions/3.13.0/bin/emupos");
    assert!(
        p.exists(),
        "the printer emulator is not installed: run `~/.pyenv/versions/3.13.0/bin/python -m pip install emupos==0.4.0` \
         (or set EMUPOS to its executable)"
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One completed print job as the emulator rendered it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub id: String,
    pub text: String,
    pub png: PathBuf,
    /// What ended the job: `cut`, `idle-timeout`, `connection-closed`.
    pub boundary: String,
}

pub struct Emupos {
    child: Child,
    pub tcp: SocketAddr,
    /// The serial pty's stable link (`$TMPDIR/emupos/front`).
    pub serial: PathBuf,
    api: String,
    pub dir: tempfile::TempDir,
    lines: mpsc::Receiver<String>,
}

impl Emupos {
    /// Starts a TM-T20III on a free TCP port and a serial pty, and waits until it is ready.
    pub fn start() -> Emupos {
        let dir = tempfile::tempdir().unwrap();
        let (tcp_port, api_port) = (free_port(), free_port());
        let yaml = dir.path().join("emupos.yaml");
        std::fs::write(
            &yaml,
            format!(
                "schema: 1\napi: {{ host: 127.0.0.1, port: {api_port} }}\ndevices:\n  - id: front\n    type: printer\n    \
                 profile: epson-tm-t20iii\n    connections:\n      - tcp: {{ port: {tcp_port} }}\n      - serial: {{ pty: true }}\n    \
                 receipts_dir: {}\n",
                dir.path().join("receipts").display()
            ),
        )
        .unwrap();
        let mut child = Command::new(emupos_exe())
            .args(["run", "--config"])
            .arg(&yaml)
            .env("TMPDIR", dir.path())
            .env("COLUMNS", "200")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("emupos starts");
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let e = Emupos {
            child,
            tcp: SocketAddr::from(([127, 0, 0, 1], tcp_port)),
            serial: dir.path().join("emupos").join("front"),
            api: format!("http://127.0.0.1:{api_port}"),
            dir,
            lines,
        };
        e.wait_for("control API");
        assert!(
            e.serial.exists(),
            "the serial pty link {}",
            e.serial.display()
        );
        e
    }

    /// The next line of the emulator's event log that contains `pat`.
    pub fn wait_for(&self, pat: &str) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(pat) => return line,
                Ok(_) => {}
                Err(_) => panic!("the emulator never said {pat:?}"),
            }
        }
    }

    /// Waits for the next completed job and returns it.
    pub fn next_receipt(&self) -> Receipt {
        let line = self.wait_for("printer.job.completed");
        let id = line
            .rsplit(' ')
            .next()
            .expect("the line ends in the receipt id")
            .to_owned();
        self.receipt(&id)
    }

    pub fn receipt(&self, id: &str) -> Receipt {
        let base = self.dir.path().join("receipts").join(id);
        let meta: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(base.with_extension("json")).expect("receipt json"),
        )
        .unwrap();
        Receipt {
            id: id.to_owned(),
            text: std::fs::read_to_string(base.with_extension("txt")).expect("receipt text"),
            png: base.with_extension("png"),
            boundary: meta["boundary"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// How many jobs the emulator has completed.
    pub fn receipt_count(&self) -> usize {
        std::fs::read_dir(self.dir.path().join("receipts"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Sets or clears a fault: `paper-out`, `paper-near-end`, `cover-open`, `offline`.
    pub fn fault(&self, fault: &str, on: bool) {
        let status = Command::new(emupos_exe())
            .args([
                "--api",
                &self.api,
                "fault",
                if on { "set" } else { "clear" },
                "front",
                fault,
            ])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "emupos fault {fault}");
        self.wait_for("printer.status.changed");
    }
}

impl Drop for Emupos {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes the QR codes in a PNG with `zbarimg`.
pub fn qr_codes(png: &Path) -> Vec<String> {
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png)
        .stderr(Stdio::null())
        .output()
        .expect("zbarimg is installed (apt zbar-tools)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
