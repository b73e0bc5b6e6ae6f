//! `antre-bench-web`: a thousand phones following their tickets on one hub.
//!
//! ```text
//! cargo build --release -p antre-shared && ./target/release/antre-bench-web [--phones 1000 --calls 100]
//! ```
//! Starts `antre-hub serve` (found next to this program) on loopback over a temp database,
//! issues one ticket per phone, opens one live stream (SSE, `GET /api/v1/tickets/{code}/events`)
//! per ticket, and prints the hub's RSS and CPU with all streams open and idle, then while
//! counters call: the time from sending `call_next` to the called phone's event, and to the
//! moment every waiting phone has received its new position.

mod bench;

use bench::{ms2 as ms, pct, token, usage, Conn};
use clap::Parser;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const COUNTERS: usize = 10;

#[derive(Parser)]
#[command(about = "Phones following their tickets over SSE: the hub's memory, CPU and latency")]
struct Args {
    #[arg(long, default_value_t = 1000)]
    phones: usize,
    /// Calls measured.
    #[arg(long, default_value_t = 100)]
    calls: usize,
    /// Seconds of idle measured with every stream open.
    #[arg(long, default_value_t = 10)]
    idle_secs: u64,
}

fn config() -> String {
    let mut c = String::from(
        "[hall]\nname = \"Bench hall\"\nclient_buffer_events = 8192\nhttp_requests_per_minute = 1000000\n\
         http_max_streams = 20000\nhttp_streams_per_client = 20000\nhttp_max_connections = 20000\nhttp_connections_per_client = 20000\n\n\
         [[agencies]]\nid = \"a\"\nname = \"A\"\n\n\
         [[services]]\nid = \"s\"\nagency = \"a\"\nname = \"S\"\nprefix = \"A\"\n\n\
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

/// What a phone saw: its index, when, and the ticket's status.
struct Seen {
    phone: usize,
    at: Instant,
    called: bool,
}

/// One phone: a live stream for `code`; every ticket event is reported.
async fn phone(
    web: SocketAddr,
    index: usize,
    code: String,
    tx: mpsc::UnboundedSender<Seen>,
) -> anyhow::Result<()> {
    let mut s = TcpStream::connect(web).await?;
    s.write_all(
        format!("GET /api/v1/tickets/{code}/events HTTP/1.1\r\nHost: hall\r\nAccept: text/event-stream\r\n\r\n")
            .as_bytes(),
    )
    .await?;
    let mut lines = BufReader::new(s).lines();
    let status = lines.next_line().await?.unwrap_or_default();
    anyhow::ensure!(status.contains(" 200 "), "{code}: {status}");
    while let Some(line) = lines.next_line().await? {
        if let Some(data) = line.strip_prefix("data: ") {
            let t: Value = serde_json::from_str(data)?;
            let _ = tx.send(Seen {
                phone: index,
                at: Instant::now(),
                called: t["status"] == "called",
            });
        }
    }
    Ok(())
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
    let (mut child, proto, web) = start_hub(&hub_bin, dir.path()).await?;
    let pid = child.id().unwrap_or(0);
    let (_, rss_start) = usage(pid);

    // One ticket per phone.
    let mut kiosk = Conn::open(proto, "kiosk").await?;
    let mut codes = Vec::with_capacity(args.phones);
    for _ in 0..args.phones {
        let r = kiosk
            .req(json!({"type":"issue_ticket","service":"s","priority":null}))
            .await?;
        codes.push(r["ticket"]["code"].as_str().unwrap_or_default().to_owned());
    }
    let mut counters = Vec::new();
    for i in 0..COUNTERS {
        let mut c = Conn::open(proto, &format!("counter-{i}")).await?;
        c.req(json!({"type":"open_counter","counter":i.to_string(),"officer":"Bench"}))
            .await?;
        counters.push(c);
    }

    // The phones connect; each gets its ticket at once.
    let (tx, mut rx) = mpsc::unbounded_channel::<Seen>();
    let opened = Instant::now();
    for (i, code) in codes.iter().enumerate() {
        let (tx, code) = (tx.clone(), code.clone());
        tokio::spawn(async move {
            if let Err(e) = phone(web, i, code, tx).await {
                eprintln!("phone {i}: {e}");
            }
        });
    }
    drop(tx);
    let mut first = HashSet::new();
    while first.len() < args.phones {
        let s = rx
            .recv()
            .await
            .ok_or_else(|| anyhow::anyhow!("phones ended"))?;
        first.insert(s.phone);
    }
    let all_open = opened.elapsed();

    // Idle, every stream open.
    let (cpu0, rss_open) = usage(pid);
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    let (cpu1, _) = usage(pid);
    while rx.try_recv().is_ok() {}

    // Calls: time to the called phone, and to the last waiting phone's update.
    let mut to_called = Vec::new();
    let mut to_all = Vec::new();
    let cpu_calls0 = usage(pid).0;
    let calls = args.calls.min(args.phones);
    for k in 0..calls {
        let c = k % COUNTERS;
        let sent = Instant::now();
        let r = counters[c]
            .req(json!({"type":"call_next","counter":c.to_string()}))
            .await?;
        let code = r["ticket"]["code"].as_str().unwrap_or_default().to_owned();
        let called_phone = codes.iter().position(|x| *x == code).unwrap_or(usize::MAX);
        // Phones still waiting after this call.
        let waiting: HashSet<usize> = (k + 1..args.phones).collect();
        let mut updated = HashSet::new();
        let mut called_at = None;
        let mut last_update = sent;
        while called_at.is_none() || updated.len() < waiting.len() {
            let s = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await?
                .ok_or_else(|| anyhow::anyhow!("phones ended"))?;
            if s.phone == called_phone && s.called {
                called_at = Some(s.at);
            } else if waiting.contains(&s.phone) && s.at >= sent && updated.insert(s.phone) {
                last_update = last_update.max(s.at);
            }
        }
        to_called.push(called_at.unwrap_or(sent) - sent);
        to_all.push(last_update - sent);
        // Serve and finish, so the next call closes nothing; let those updates pass.
        for t in ["start_serving", "finish"] {
            counters[c]
                .req(json!({"type":t,"counter":c.to_string()}))
                .await?;
        }
        settle(&mut rx).await;
    }
    let cpu_calls1 = usage(pid).0;
    let (_, rss_end) = usage(pid);
    to_called.sort();
    to_all.sort();

    println!(
        "{} phones following their tickets (SSE) on one hub, loopback",
        args.phones
    );
    println!(
        "  all streams open and sent their first event in {}",
        ms(all_open)
    );
    println!(
        "  hub RSS: {:.1} MiB at start, {:.1} MiB with {} streams open, {:.1} MiB after {} calls",
        rss_start as f64 / 1024.0,
        rss_open as f64 / 1024.0,
        args.phones,
        rss_end as f64 / 1024.0,
        calls
    );
    println!(
        "  hub CPU idle with all streams open: {:.2} % of one core over {} s",
        100.0 * (cpu1 - cpu0) / args.idle_secs as f64,
        args.idle_secs
    );
    println!(
        "  hub CPU per call (the call, serving and finishing, each sent to every phone): {:.1} ms",
        1000.0 * (cpu_calls1 - cpu_calls0) / calls as f64
    );
    println!(
        "  call_next sent → the called phone's event: p50 {}, p95 {}, max {}",
        ms(pct(&to_called, 0.5)),
        ms(pct(&to_called, 0.95)),
        ms(*to_called.last().unwrap_or(&Duration::ZERO))
    );
    println!(
        "  call_next sent → every waiting phone has its new position: p50 {}, p95 {}, max {}",
        ms(pct(&to_all, 0.5)),
        ms(pct(&to_all, 0.95)),
        ms(*to_all.last().unwrap_or(&Duration::ZERO))
    );
    let _ = child.kill().await;
    Ok(())
}

/// Lets the updates of the previous steps pass: until nothing arrives for 200 ms.
async fn settle(rx: &mut mpsc::UnboundedReceiver<Seen>) {
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {}
}

async fn start_hub(
    bin: &Path,
    dir: &Path,
) -> anyhow::Result<(tokio::process::Child, SocketAddr, SocketAddr)> {
    let mut child = tokio::process::Command::new(bin)
        // Hubs of tests and benchmarks run side by side: none takes the console's port.
        .env("ANTRE_CONSOLE", "off")
        .args(["serve", "--config"])
        .arg(dir.join("hall.toml"))
        .arg("--db")
        .arg(dir.join("bench.db"))
        .args(["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .env("ANTRE_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let (mut proto, mut web) = (None, None);
    while proto.is_none() || web.is_none() {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| anyhow::anyhow!("the hub did not start"))?;
        if let Some(a) = line.strip_prefix("listening on ") {
            proto = Some(a.trim().parse()?);
        } else if let Some(a) = line.strip_prefix("web pages on http://") {
            web = Some(a.trim().parse()?);
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, proto.expect("set"), web.expect("set")))
}
