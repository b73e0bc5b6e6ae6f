//! `antre-bench-console`: the hall's console with the hall busy.
//!
//! ```text
//! cargo build --release -p antre-hub --bins && ./target/release/antre-bench-console [--pages 10 --calls 200]
//! ```
//! Starts `antre-hub serve` (found next to this program) on loopback over a temp database
//! with 25 counters, issues 1,000 waiting tickets, opens 25 counters, logs ten console pages
//! in and opens their live streams (`GET /console/api/v1/events`); each page reads the hall
//! again (`GET /console/api/v1/hall`) 100 ms after events arrive, as the console's page
//! does. Prints the hub's CPU with the pages open and idle, and while counters call: the
//! time from sending `call_next` until each page has the call, and the hub's CPU per call.

mod bench;

use bench::{ms2 as ms, pct, token, usage, Conn};

fn cpu(pid: u32) -> f64 {
    usage(pid).0
}
use clap::Parser;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const COUNTERS: usize = 25;
const WAITING: usize = 1000;
const PASSWORD: &str = "bench-password-123";

#[derive(Parser)]
#[command(
    about = "Console pages on a busy hall: the latency of events to the pages, the hub's CPU"
)]
struct Args {
    #[arg(long, default_value_t = 10)]
    pages: usize,
    /// Calls measured.
    #[arg(long, default_value_t = 200)]
    calls: usize,
    /// Seconds of idle measured with every page open.
    #[arg(long, default_value_t = 10)]
    idle_secs: u64,
}

fn config() -> String {
    let mut c = String::from(
        "[hall]\nname = \"Bench hall\"\nclient_buffer_events = 8192\n\n\
         [[agencies]]\nid = \"a\"\nname = \"A\"\n\n\
         [[services]]\nid = \"s\"\nagency = \"a\"\nname = \"S\"\nprefix = \"A\"\nmax_wait_min = 30\n\n\
         [[devices]]\nid = \"kiosk\"\nrole = \"kiosk\"\n",
    );
    let _ = writeln!(c, "token = \"{}\"\n", token("kiosk"));
    for i in 0..COUNTERS {
        let _ = write!(
            c,
            "[[counters]]\nid = \"{i}\"\nname = \"Loket {i}\"\nservices = [\"s\"]\n\n\
             [[devices]]\nid = \"counter-{i}\"\nrole = \"counter\"\ntoken = \"{}\"\ncounter = \"{i}\"\n\n",
            token(&format!("counter-{i}"))
        );
    }
    c
}

/// One plain HTTP/1.1 exchange on a new connection: the status line and the body.
async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> anyhow::Result<(String, String)> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(
        format!(
            "{method} {path} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n{headers}\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await?;
    let mut all = String::new();
    s.read_to_string(&mut all).await?;
    let (head, body) = all.split_once("\r\n\r\n").unwrap_or((&all, ""));
    Ok((head.to_owned(), body.to_owned()))
}

/// A console page: logs in, follows the live stream, reads the hall 100 ms after events;
/// reports when each call reached it.
async fn page(
    console: SocketAddr,
    index: usize,
    tx: mpsc::UnboundedSender<(usize, String, Instant)>,
) -> anyhow::Result<()> {
    let login = json!({"user": "bench", "password": PASSWORD}).to_string();
    let (head, _) = http(console, "POST", "/console/api/v1/login", "", &login).await?;
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("page {index}: no session: {head}"))?
        .to_owned();
    let cookie_header = format!("Cookie: {cookie}\r\n");
    let mut s = TcpStream::connect(console).await?;
    s.write_all(format!("GET /console/api/v1/events HTTP/1.1\r\nHost: hub\r\n{cookie_header}Accept: text/event-stream\r\n\r\n").as_bytes())
        .await?;
    let mut lines = BufReader::new(s).lines();
    let status = lines.next_line().await?.unwrap_or_default();
    anyhow::ensure!(status.contains(" 200 "), "page {index}: {status}");
    let _ = tx.send((index, String::new(), Instant::now())); // open
    let mut reading = false;
    let (read_tx, mut read_done) = mpsc::unbounded_channel::<()>();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Some(line) = line? else { return Ok(()) };
                let Some(data) = line.strip_prefix("data: ") else { continue };
                if let Ok(e) = serde_json::from_str::<Value>(data) {
                    if e["kind"] == "ticket_called" {
                        let code = e["ticket"]["code"].as_str().unwrap_or_default().to_owned();
                        let _ = tx.send((index, code, Instant::now()));
                    }
                }
                if !reading {
                    reading = true;
                    let (h, done) = (cookie_header.clone(), read_tx.clone());
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let _ = http(console, "GET", "/console/api/v1/hall", &h, "").await;
                        let _ = done.send(());
                    });
                }
            }
            Some(()) = read_done.recv() => reading = false,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("hall.toml"), config())?;
    let hub_bin = std::env::current_exe()?
        .parent()
        .map(|p| p.join("antre-hub"))
        .filter(|p| p.exists())
        .ok_or_else(|| anyhow::anyhow!("antre-hub is not built next to this program"))?;
    add_user(&hub_bin, dir.path()).await?;
    let (mut child, proto, console) = start_hub(&hub_bin, dir.path()).await?;
    let pid = child.id().unwrap_or(0);

    let mut kiosk = Conn::open(proto, "kiosk").await?;
    for _ in 0..WAITING + args.calls {
        kiosk
            .req(json!({"type":"issue_ticket","service":"s","priority":null}))
            .await?;
    }
    let mut counters = Vec::new();
    for i in 0..COUNTERS {
        let mut c = Conn::open(proto, &format!("counter-{i}")).await?;
        c.req(json!({"type":"open_counter","counter":i.to_string(),"officer":"Bench"}))
            .await?;
        counters.push(c);
    }
    // The counters' own connections read every line, as the app does.
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..args.pages {
        let tx = tx.clone();
        tokio::spawn(async move {
            if let Err(e) = page(console, i, tx).await {
                eprintln!("{e}");
            }
        });
    }
    drop(tx);
    let mut open = 0;
    while open < args.pages {
        let (_, code, _) = rx
            .recv()
            .await
            .ok_or_else(|| anyhow::anyhow!("the pages ended"))?;
        if code.is_empty() {
            open += 1;
        }
    }

    let idle0 = cpu(pid);
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    let idle = cpu(pid) - idle0;

    let mut latencies = Vec::with_capacity(args.calls * args.pages);
    let calls0 = cpu(pid);
    for k in 0..args.calls {
        let c = k % COUNTERS;
        let sent = Instant::now();
        let r = counters[c]
            .req(json!({"type":"call_next","counter":c.to_string()}))
            .await?;
        let code = r["ticket"]["code"].as_str().unwrap_or_default().to_owned();
        let mut seen = 0;
        while seen < args.pages {
            let (_, got, at) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await?
                .ok_or_else(|| anyhow::anyhow!("the pages ended"))?;
            if got == code {
                latencies.push(at - sent);
                seen += 1;
            }
        }
        // A steady hall: a call every 20 ms, as a busy morning never reaches.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let per_call = (cpu(pid) - calls0) / args.calls as f64;
    latencies.sort();
    println!(
        "the console with the hall busy: {COUNTERS} counters open, {WAITING}+ waiting, {} pages open (each reads the hall again 100 ms after events), loopback",
        args.pages
    );
    println!(
        "  hub CPU idle with {} pages open: {:.2} % of one core over {} s",
        args.pages,
        100.0 * idle / args.idle_secs as f64,
        args.idle_secs
    );
    println!(
        "  hub CPU per call, with every page reading the hall after it: {:.1} ms",
        per_call * 1000.0
    );
    println!(
        "  call_next sent → the call on every page's stream: p50 {}, p99 {}, max {} ({} samples)",
        ms(pct(&latencies, 0.5)),
        ms(pct(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
        latencies.len()
    );
    let _ = child.kill().await;
    Ok(())
}

async fn add_user(bin: &Path, dir: &Path) -> anyhow::Result<()> {
    let mut child = tokio::process::Command::new(bin)
        .args(["user", "add", "bench", "--role", "admin", "--db"])
        .arg(dir.join("bench.db"))
        .arg("--config")
        .arg(dir.join("hall.toml"))
        .env("ANTRE_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .await?;
    anyhow::ensure!(child.wait().await?.success(), "antre-hub user add failed");
    Ok(())
}

async fn start_hub(
    bin: &Path,
    dir: &Path,
) -> anyhow::Result<(tokio::process::Child, SocketAddr, SocketAddr)> {
    let mut child = tokio::process::Command::new(bin)
        .args(["serve", "--config"])
        .arg(dir.join("hall.toml"))
        .arg("--db")
        .arg(dir.join("bench.db"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--http",
            "off",
            "--console",
            "127.0.0.1:0",
        ])
        .env("ANTRE_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let (mut proto, mut console) = (None, None);
    while proto.is_none() || console.is_none() {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| anyhow::anyhow!("the hub did not start"))?;
        if let Some(a) = line.strip_prefix("listening on ") {
            proto = Some(a.trim().parse()?);
        } else if let Some(a) = line.strip_prefix("console on http://") {
            console = Some(a.trim().trim_end_matches("/console").parse()?);
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, proto.expect("set"), console.expect("set")))
}
