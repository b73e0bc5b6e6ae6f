//! A pulled cable, for real: the wall display (the real `antre-display` binary, a real window
//! under Xvfb) runs in its own network namespace, joined to the hub by a veth pair. The link
//! is cut (`ip link set … down`) for longer than the dead-link limit while the counter keeps
//! calling: the display says it is offline within about ten seconds, and once the link is
//! back it shows the latest call within 3 s.
//!
//! Needs root (network namespaces), `ip` (iproute2) and `Xvfb`, as CI has.

use antre_client::Client;
use antre_core::proto::Request;
use antre_hub::testing::{device_settings, jakarta, sample_config, TestClock, TestHub};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio::time::Instant;

const PATIENCE: Duration = Duration::from_secs(30);
/// The client library's promise: a dead link is noticed within about ten seconds.
const OFFLINE_WITHIN: Duration = Duration::from_secs(11);
/// And the device is current again within three seconds of the link returning.
const CURRENT_WITHIN: Duration = Duration::from_secs(3);
/// How long the cable stays out: well past the dead-link limit.
const CUT_FOR: Duration = Duration::from_secs(20);

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap_or_else(|e| {
        panic!("this test needs `ip` (iproute2) and root for network namespaces: {e}")
    });
    assert!(
        out.status.success(),
        "ip {}: {} (this test needs root for network namespaces)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A network namespace with one end of a veth pair; the other end stays here. Removed on
/// drop, also when the test fails.
struct Link {
    ns: String,
    host_if: String,
    host_ip: Ipv4Addr,
}

impl Link {
    fn new() -> Link {
        let n = std::process::id() % 100_000;
        let (ns, host_if, dev_if) = (
            format!("antre-link-{n}"),
            format!("alh{n}"),
            format!("ald{n}"),
        );
        let net = (n % 250) as u8;
        let host_ip = Ipv4Addr::new(10, 231, net, 1);
        let dev_ip = Ipv4Addr::new(10, 231, net, 2);
        // Leftovers of an earlier run with this pid, if any.
        let _ = Command::new("ip").args(["netns", "del", &ns]).output();
        let _ = Command::new("ip").args(["link", "del", &host_if]).output();
        ip(&["netns", "add", &ns]);
        let link = Link {
            ns,
            host_if,
            host_ip,
        };
        ip(&[
            "link",
            "add",
            &link.host_if,
            "type",
            "veth",
            "peer",
            "name",
            &dev_if,
        ]);
        ip(&["link", "set", &dev_if, "netns", &link.ns]);
        ip(&[
            "addr",
            "add",
            &format!("{host_ip}/30"),
            "dev",
            &link.host_if,
        ]);
        ip(&["link", "set", &link.host_if, "up"]);
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &link.ns, "ip"];
            all.extend_from_slice(args);
            ip(&all);
        };
        inside(&["addr", "add", &format!("{dev_ip}/30"), "dev", &dev_if]);
        inside(&["link", "set", &dev_if, "up"]);
        inside(&["link", "set", "lo", "up"]);
        link
    }

    fn set(&self, up: bool) {
        ip(&["link", "set", &self.host_if, if up { "up" } else { "down" }]);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_if])
            .output();
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
    }
}

/// An X server of its own; the display number is the one Xvfb chose.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "1920x1080x24",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("this test needs Xvfb (apt install xvfb)");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let n: u32 = line
            .trim()
            .parse()
            .expect("Xvfb printed its display number");
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A line the display printed, and when it was read.
struct Said {
    at: Instant,
    text: String,
}

/// Waits for a line containing `needle`; returns when it was read.
async fn heard(
    lines: &mut mpsc::UnboundedReceiver<Said>,
    needle: &str,
    within: Duration,
) -> Instant {
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, lines.recv()).await {
            Ok(Some(l)) if l.text.contains(needle) => return l.at,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the display exited before saying {needle:?}"),
            Err(_) => panic!("the display did not say {needle:?} within {within:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_cable_is_shown_within_seconds_and_heals_within_three() {
    let link = Link::new();
    let x = Xvfb::start();
    let config = sample_config();
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let hub = TestHub::start_in(
        &config,
        dir,
        TestClock::at(jakarta(9, 0)),
        Some(SocketAddr::from((link.host_ip, 0))),
    )
    .await;
    let (admin, _updates) = Client::start(device_settings(&config, &hub, "admin"));
    admin
        .request(Request::OpenCounter {
            counter: "1".into(),
            officer: "Sri".into(),
        })
        .await
        .unwrap();
    for _ in 0..3 {
        admin
            .request(Request::IssueTicket {
                services: vec![],
                service: "dukcapil-ktp".into(),
                priority: None,
            })
            .await
            .unwrap();
    }
    let call = || async {
        admin
            .request(Request::CallNext {
                counter: "1".into(),
            })
            .await
            .unwrap()
            .ticket
            .unwrap()
            .code
    };

    // The display, in its namespace: its stdout says which call each frame shows
    // (`--measure`), its log says when it goes offline and online.
    let display = device_settings(&config, &hub, "display-1");
    let mut child = tokio::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &link.ns,
            env!("CARGO_BIN_EXE_antre-display"),
        ])
        .args(["--hub", &hub.addr.to_string(), "--device", "display-1"])
        .args(["--windowed", "--mute", "--measure"])
        .env("ANTRE_TOKEN", &display.token)
        .env("DISPLAY", &x.display)
        .env("ANTRE_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (tx, mut lines) = mpsc::unbounded_channel();
    let out = BufReader::new(child.stdout.take().unwrap());
    let err = BufReader::new(child.stderr.take().unwrap());
    for mut reader in [
        Box::new(out) as Box<dyn tokio::io::AsyncBufRead + Unpin + Send>,
        Box::new(err),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut text = String::new();
            while reader.read_line(&mut text).await.unwrap_or(0) > 0 {
                let _ = tx.send(Said {
                    at: Instant::now(),
                    text: std::mem::take(&mut text),
                });
            }
        });
    }
    drop(tx);

    heard(&mut lines, "online", PATIENCE).await;
    let first = call().await;
    assert_eq!(first, "A-001");
    heard(&mut lines, "frame A-001", PATIENCE).await;

    // The cable is pulled. The counter goes on calling.
    link.set(false);
    let cut = Instant::now();
    assert_eq!(call().await, "A-002");
    let offline = heard(
        &mut lines,
        "offline",
        OFFLINE_WITHIN + Duration::from_secs(5),
    )
    .await;
    assert!(
        offline - cut <= OFFLINE_WITHIN,
        "offline only {:?} into the cut",
        offline - cut
    );
    tokio::time::sleep_until(cut + CUT_FOR - Duration::from_secs(5)).await;
    assert_eq!(call().await, "A-003");
    tokio::time::sleep_until(cut + CUT_FOR).await;

    // Back: the latest call is on the wall within 3 s.
    link.set(true);
    let back = Instant::now();
    let shown = heard(&mut lines, "frame A-003", PATIENCE).await;
    assert!(
        shown - back <= CURRENT_WITHIN,
        "the latest call was shown {:?} after the link returned",
        shown - back
    );
    eprintln!(
        "offline {:?} into the cut; the latest call shown {:?} after the link returned",
        offline - cut,
        shown - back
    );
    let _ = child.kill().await;
    hub.stop().await;
}
