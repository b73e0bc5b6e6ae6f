//! `antre-bench`: how fast is the hub, against the physical floor of a durable write.
//!
//! ```text
//! cargo run --release -p antre-hub --bin antre-bench [-- --calls 500 --issues 1000]
//! ```
//! Starts a hub (this same binary, as a child process, so its memory is measured alone) on
//! loopback over a temp database, connects 32 counters, 50 displays and 18 kiosks, and
//! prints: call → every display latency, on the protocol port and on the web display feed
//! (50 SSE clients), issue_ticket round trip and throughput, the hub's RSS, and the size of
//! the database's WAL after the run and after the hall has been idle (`--issues 4000 --calls
//! 1000` makes 10,000 requests).
//!
//! Every figure stands beside its floor, measured in the same run by the same client code:
//! a bare SQLite WAL `synchronous=FULL` commit on the same disk, followed by a plain
//! one-thread fan-out of the line to the same number of sockets (no runtime, no tasks, no
//! JSON). That is what a durable call cannot beat on this machine.

mod bench;

use antre_core::clock::system_clock;
use antre_hub::config::Config;
use antre_hub::server::{self, Hub};
use bench::{token, Conn};
use clap::Parser;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

const COUNTERS: usize = 32;
const DISPLAYS: usize = 50;
const KIOSKS: usize = 18;
/// The web displays' token (one device, many browsers).
const WEB_TOKEN: &str = "bench-web-display-token-0123";

#[derive(Parser)]
#[command(about = "Measure the hub against a bare durable SQLite commit")]
struct Args {
    /// Calls measured (each one waits for all displays).
    #[arg(long, default_value_t = 500)]
    calls: usize,
    /// issue_ticket round trips measured on one connection.
    #[arg(long, default_value_t = 1000)]
    issues: usize,
    /// Bare commits measured.
    #[arg(long, default_value_t = 1000)]
    commits: usize,
    /// Where the databases go (default: a temp dir). Use the disk the hall will use.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Display connections (the goal is stated for 50).
    #[arg(long, default_value_t = DISPLAYS)]
    displays: usize,
    /// Internal: run as the hub child.
    #[arg(long, hide = true)]
    serve_child: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(dir) = &args.serve_child {
        // The hub's own runtime, as `antre-hub serve` runs it.
        return server::runtime()?.block_on(serve_child(dir));
    }
    let rt = tokio::runtime::Runtime::new()?;
    let tmp = tempfile::Builder::new()
        .prefix("antre-bench")
        .tempdir_in(args.dir.clone().unwrap_or_else(std::env::temp_dir))?;
    std::fs::write(tmp.path().join("hall.toml"), bench_config(args.displays))?;
    rt.block_on(bench(&args, tmp.path()))
}

fn bench_config(displays: usize) -> String {
    let mut c = String::from("[hall]\nname = \"Bench hall\"\nclient_buffer_events = 8192\nhttp_listen = \"127.0.0.1:0\"\nhttp_streams_per_client = 1000\nhttp_max_streams = 1000\nhttp_requests_per_minute = 100000\nhttp_max_connections = 20000\nhttp_connections_per_client = 20000\n\n[[agencies]]\nid = \"a\"\nname = \"A\"\n\n");
    for i in 0..COUNTERS {
        let _ = write!(
            c,
            "[[services]]\nid = \"s{i}\"\nagency = \"a\"\nname = \"S{i}\"\nprefix = \"A\"\n\n"
        );
        let _ = write!(
            c,
            "[[counters]]\nid = \"{i}\"\nname = \"Loket {i}\"\nservices = [\"s{i}\"]\n\n"
        );
        let _ = write!(c, "[[devices]]\nid = \"counter-{i}\"\nrole = \"counter\"\ntoken = \"{}\"\ncounter = \"{i}\"\n\n", token(&format!("counter-{i}")));
    }
    for i in 0..displays {
        let _ = write!(
            c,
            "[[devices]]\nid = \"display-{i}\"\nrole = \"display\"\ntoken = \"{}\"\n\n",
            token(&format!("display-{i}"))
        );
    }
    for i in 0..KIOSKS {
        let _ = write!(
            c,
            "[[devices]]\nid = \"kiosk-{i}\"\nrole = \"kiosk\"\ntoken = \"{}\"\n\n",
            token(&format!("kiosk-{i}"))
        );
    }
    let _ = write!(
        c,
        "[[devices]]\nid = \"web-display\"\nrole = \"display\"\ntoken = \"{WEB_TOKEN}\"\n\n"
    );
    c
}

async fn serve_child(dir: &Path) -> anyhow::Result<()> {
    let cfg = Arc::new(Config::load(&dir.join("hall.toml"))?);
    let hub = Hub::start(cfg, &dir.join("antre.db"), system_clock())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let web = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    println!("web on {}", web.local_addr()?);
    tokio::spawn(antre_hub::web::serve(
        web,
        Arc::clone(&hub),
        std::future::pending::<()>(),
    ));
    server::run(listener, hub, std::future::pending::<()>()).await?;
    Ok(())
}

/// The request this bench times.
trait Timed {
    async fn req(&mut self, v: Value) -> anyhow::Result<Value>;
}

impl Timed for Conn {
    /// Sends a request and returns its reply, skipping events unparsed (the hub writes
    /// `type` first), so the figure is the hub's and not this bench's JSON reader.
    async fn req(&mut self, v: Value) -> anyhow::Result<Value> {
        self.send(&v).await?;
        let mut line = String::new();
        loop {
            line.clear();
            anyhow::ensure!(self.r.read_line(&mut line).await? > 0, "closed");
            if !line.starts_with("{\"type\":\"event\"") {
                let m: Value = serde_json::from_str(&line)?;
                anyhow::ensure!(m["type"] == "ok", "{v} -> {m}");
                return Ok(m);
            }
        }
    }
}

/// A counter or kiosk as the apps are: it reads every line the hub sends as it comes (the
/// client library does), so its events never pile up in the kernel and hold its replies
/// behind a full window. Replies reach [`Timed::req`] through a channel.
struct Live {
    w: tokio::net::tcp::OwnedWriteHalf,
    replies: mpsc::UnboundedReceiver<String>,
}

impl Live {
    fn new(c: Conn) -> Live {
        let Conn { mut r, w } = c;
        let (tx, replies) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut line = String::new();
            loop {
                line.clear();
                match r.read_line(&mut line).await {
                    Ok(0) | Err(_) => break,
                    // Events skipped unparsed (the hub writes `type` first).
                    Ok(_) if line.starts_with("{\"type\":\"event\"") => {}
                    Ok(_) => {
                        if tx.send(std::mem::take(&mut line)).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Live { w, replies }
    }
}

impl Timed for Live {
    async fn req(&mut self, v: Value) -> anyhow::Result<Value> {
        tokio::io::AsyncWriteExt::write_all(&mut self.w, format!("{v}\n").as_bytes()).await?;
        let line = self
            .replies
            .recv()
            .await
            .ok_or_else(|| anyhow::anyhow!("closed"))?;
        let m: Value = serde_json::from_str(&line)?;
        anyhow::ensure!(m["type"] == "ok", "{v} -> {m}");
        Ok(m)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn summary(samples: &mut [Duration]) -> (Duration, Duration, Duration) {
    samples.sort();
    (
        percentile(samples, 0.5),
        percentile(samples, 0.99),
        *samples.last().unwrap(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// The floor: one row in its own `BEGIN IMMEDIATE` transaction, WAL, synchronous=FULL.
fn bare_commits(dir: &Path, n: usize) -> anyhow::Result<Vec<Duration>> {
    let conn = rusqlite::Connection::open(dir.join("bare.db"))?;
    conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        conn.execute("INSERT INTO t (body) VALUES (?1)", [format!("row {i}")])?;
        conn.execute_batch("COMMIT")?;
        out.push(t.elapsed());
    }
    Ok(out)
}

/// The store alone, in this process: what one request costs inside its transaction,
/// without the network and the hub's threads. (issue, call) samples.
fn store_only(dir: &Path, n: usize) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    use antre_core::proto::Request;
    let cfg = Arc::new(Config::load(&dir.join("hall.toml"))?);
    let mut hall = antre_hub::hall::Hall::open(&dir.join("store-only.db"), Arc::clone(&cfg))?;
    let kiosk = cfg.device("kiosk-0").expect("bench kiosk").clone();
    let counter = cfg.device("counter-0").expect("bench counter").clone();
    let now = chrono::Utc::now;
    let (mut issue, mut call) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let service = antre_core::domain::ServiceId::new(format!("s{}", i % COUNTERS));
        let t = Instant::now();
        hall.execute(
            now(),
            &kiosk,
            &format!("i{i}"),
            Ok(&Request::IssueTicket {
                services: vec![],
                service,
                priority: None,
            }),
        );
        issue.push(t.elapsed());
    }
    // Every counter open, as in the hall run: the forecast plays all of them.
    for c in 0..COUNTERS {
        let device = cfg.device(&format!("counter-{c}")).expect("bench counter");
        let open = Request::OpenCounter {
            counter: c.to_string().as_str().into(),
            officer: "Bench".into(),
        };
        hall.execute(now(), device, &format!("open-{c}"), Ok(&open));
    }
    for i in 0..n / COUNTERS {
        let t = Instant::now();
        hall.execute(
            now(),
            &counter,
            &format!("c{i}"),
            Ok(&Request::CallNext {
                counter: "0".into(),
            }),
        );
        call.push(t.elapsed());
    }
    Ok((issue, call))
}

fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

async fn bench(args: &Args, dir: &Path) -> anyhow::Result<()> {
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--serve-child")
        .arg(dir)
        .env("ANTRE_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().unwrap_or(0);
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = out.next_line().await?.unwrap_or_default();
    let addr: SocketAddr = line
        .strip_prefix("listening on ")
        .unwrap_or_default()
        .parse()?;
    let line = out.next_line().await?.unwrap_or_default();
    let web: SocketAddr = line.strip_prefix("web on ").unwrap_or_default().parse()?;
    let idle_rss = rss_kib(pid);

    // 100 connections: 50 displays, 32 counters, 18 kiosks.
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    // Bytes the first display received during the calls: the floor sends as much.
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut protocol_displays = vec![];
    for i in 0..args.displays {
        let d = Conn::open(addr, &format!("display-{i}")).await?;
        let tx = seen_tx.clone();
        let received = (i == 0).then(|| Arc::clone(&received));
        // A display here only notes when a call arrives and where: the time is taken
        // before any parsing, so the figure is the hub's, not this bench's JSON reader.
        protocol_displays.push(tokio::spawn(async move {
            // Move the whole connection in: dropping its write half would close it.
            let mut d = d;
            let mut line = String::new();
            loop {
                line.clear();
                match d.r.read_line(&mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Some(r) = &received {
                            r.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
                let at = Instant::now();
                if line.contains("\"kind\":\"ticket_called\"") {
                    let counter = line
                        .rsplit("\"counter\":\"")
                        .next()
                        .and_then(|s| s.split('"').next())
                        .unwrap_or("");
                    let _ = tx.send((counter.to_owned(), at));
                }
            }
        }));
    }
    let mut counters = vec![];
    for i in 0..COUNTERS {
        let mut c = Conn::open(addr, &format!("counter-{i}")).await?;
        c.req(json!({"type":"open_counter","id":"open","counter":i.to_string(),"officer":format!("Petugas {i}")})).await?;
        counters.push(Live::new(c));
    }
    let mut kiosks = vec![];
    for i in 0..KIOSKS {
        kiosks.push(Live::new(Conn::open(addr, &format!("kiosk-{i}")).await?));
    }
    let rss_100 = rss_kib(pid);
    // The WAL's largest size during the run, looked at every 50 ms.
    let wal = dir.join("antre.db-wal");
    let wal_peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = {
        let (wal, peak) = (wal.clone(), Arc::clone(&wal_peak));
        tokio::spawn(async move {
            loop {
                let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
                peak.fetch_max(size, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };

    // issue_ticket round trips on one connection.
    let mut issue = Vec::with_capacity(args.issues);
    let started = Instant::now();
    for i in 0..args.issues {
        let t = Instant::now();
        kiosks[0].req(json!({"type":"issue_ticket","id":format!("i{i}"),"service":format!("s{}", i % COUNTERS),"priority":null})).await?;
        issue.push(t.elapsed());
    }
    let sequential_rate = args.issues as f64 / started.elapsed().as_secs_f64();
    // Throughput with every kiosk at once.
    let started = Instant::now();
    let per = args.issues / KIOSKS;
    let mut tasks = vec![];
    for (k, mut kiosk) in kiosks.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            for i in 0..per {
                kiosk.req(json!({"type":"issue_ticket","id":format!("p{k}-{i}"),"service":format!("s{}", i % COUNTERS),"priority":null})).await?;
            }
            anyhow::Ok(kiosk)
        }));
    }
    for t in tasks {
        t.await??;
    }
    let parallel_rate = (per * KIOSKS) as f64 / started.elapsed().as_secs_f64();
    // Drain the display notices of nothing: issues are not calls.

    // Calls: one at a time, each until every display has it.
    received.store(0, std::sync::atomic::Ordering::Relaxed);
    let (mut call_to_display, mut call_rtt) =
        calls(&mut counters, &mut seen_rx, args.calls, args.displays, "c").await?;
    let end_rss = rss_kib(pid);
    let bytes_per_call = received.load(std::sync::atomic::Ordering::Relaxed) / args.calls.max(1);

    // The web display feed: the protocol's displays hang up, 50 browsers' streams instead.
    for d in protocol_displays {
        d.abort();
    }
    let (sse_tx, mut sse_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let mut sse_displays = vec![];
    for _ in 0..args.displays {
        sse_displays.push(sse_display(web, sse_tx.clone()).await?);
    }
    let (mut call_to_sse, _) =
        calls(&mut counters, &mut sse_rx, args.calls, args.displays, "w").await?;
    // The WAL after every request of the run, the web displays still connected, and once
    // the hall has been idle long enough for the hub's idle checkpoint.
    let requests = COUNTERS + args.issues + per * KIOSKS + 2 * args.calls;
    sampler.abort();
    let wal_peak = wal_peak.load(std::sync::atomic::Ordering::Relaxed);
    let wal_size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let wal_busy = wal_size();
    let idle_from = Instant::now();
    while wal_size() > 0 && idle_from.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (wal_idle, idle_for) = (wal_size(), idle_from.elapsed());
    for d in sse_displays {
        d.abort();
    }

    let mut floor = floor(dir, args.displays, args.calls, bytes_per_call).await?;
    let mut bare = bare_commits(dir, args.commits)?;
    let (mut store_issue, mut store_call) = store_only(dir, args.issues)?;

    let (b50, b99, bmax) = summary(&mut bare);
    if call_to_display.is_empty() {
        call_to_display.push(Duration::ZERO); // no displays: nothing to measure
    }
    // How long each call's fan-out took, from the first display that had it to the last:
    // the part of a call the disk does not move.
    let per = args.displays.max(1);
    let (mut c_spread, mut w_spread, mut f_spread) = (
        spreads(&call_to_display, per),
        spreads(&call_to_sse, per),
        spreads(&floor, per),
    );
    let (c50, c99, cmax) = summary(&mut call_to_display);
    if call_to_sse.is_empty() {
        call_to_sse.push(Duration::ZERO);
    }
    if floor.is_empty() {
        floor.push(Duration::ZERO);
    }
    let (w50, w99, wmax) = summary(&mut call_to_sse);
    let (f50, f99, fmax) = summary(&mut floor);
    let (r50, r99, _) = summary(&mut call_rtt);
    let (i50, i99, imax) = summary(&mut issue);
    let (si50, si99, _) = summary(&mut store_issue);
    let (sc50, sc99, _) = summary(&mut store_call);
    println!("antre-bench: {COUNTERS} counters, {} displays, {KIOSKS} kiosks on loopback; database in {}", args.displays, dir.display());
    println!();
    println!(
        "bare SQLite commit (WAL, synchronous=FULL), {} commits: p50 {}  p99 {}  max {}",
        args.commits,
        ms(b50),
        ms(b99),
        ms(bmax)
    );
    println!(
        "call -> every display, {} calls x {} displays: p50 {}  p99 {}  max {}",
        args.calls,
        args.displays,
        ms(c50),
        ms(c99),
        ms(cmax)
    );
    println!(
        "call -> every web display (SSE), {} calls x {} streams: p50 {}  p99 {}  max {}",
        args.calls,
        args.displays,
        ms(w50),
        ms(w99),
        ms(wmax)
    );
    println!(
        "floor: bare commit + fan-out of {bytes_per_call} bytes (a call's events) to {} sockets: p50 {}  p99 {}  max {}",
        args.displays,
        ms(f50),
        ms(f99),
        ms(fmax)
    );
    let (cs50, _, _) = summary(&mut c_spread);
    let (ws50, _, _) = summary(&mut w_spread);
    let (fs50, _, _) = summary(&mut f_spread);
    println!(
        "fan-out, first display to last, p50: protocol {}  SSE {}  floor {}",
        ms(cs50),
        ms(ws50),
        ms(fs50)
    );
    println!(
        "call_next round trip:                p50 {}  p99 {}",
        ms(r50),
        ms(r99)
    );
    println!(
        "issue_ticket round trip, {} issues:  p50 {}  p99 {}  max {}",
        args.issues,
        ms(i50),
        ms(i99),
        ms(imax)
    );
    println!("issue_ticket throughput: {sequential_rate:.0}/s on one connection, {parallel_rate:.0}/s with {KIOSKS} kiosks at once");
    println!();
    println!(
        "store alone (in process, same disk): issue p50 {}  p99 {}; call p50 {}  p99 {}",
        ms(si50),
        ms(si99),
        ms(sc50),
        ms(sc99)
    );
    println!();
    let goal = |name: &str, got: Duration, floor: Duration, limit: f64| {
        let ratio = got.as_secs_f64() / floor.as_secs_f64();
        let verdict = if ratio <= limit { "met" } else { "NOT met" };
        println!("goal {name:<44} <= {limit}x floor: {ratio:.2}x  {verdict}");
    };
    goal("call -> display p50", c50, f50, 1.5);
    goal("call -> display p99", c99, f99, 2.0);
    goal("call -> web display (SSE) p50", w50, f50, 1.5);
    goal("call -> web display (SSE) p99", w99, f99, 2.0);
    // issue_ticket's floor: a commit and the fan-out of its event, as measured together
    // (no more than commit p99 + fan-out p99).
    goal("issue_ticket p99", i99, f99, 2.0);
    println!();
    let show = |r: Option<(u64, u64)>| {
        r.map(|(rss, hwm)| {
            format!(
                "{:.1} MiB (peak {:.1} MiB)",
                rss as f64 / 1024.0,
                hwm as f64 / 1024.0
            )
        })
        .unwrap_or_else(|| "n/a".into())
    };
    println!(
        "hub RSS: idle {}; with 100 connections {}; after the run {}",
        show(idle_rss),
        show(rss_100),
        show(end_rss)
    );
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "WAL: {:.1} MiB after {requests} requests (displays and web displays connected; at most {:.1} MiB during them); {:.1} MiB after {:.1} s idle",
        mib(wal_busy),
        mib(wal_peak),
        mib(wal_idle),
        idle_for.as_secs_f64()
    );
    let _ = child.start_kill();
    Ok(())
}

/// Each call's spread: the last of its `per` arrivals less the first (`all` holds `per` a
/// call, call after call).
fn spreads(all: &[Duration], per: usize) -> Vec<Duration> {
    let mut out: Vec<Duration> = all
        .chunks(per)
        .map(|c| {
            let (lo, hi) = c
                .iter()
                .fold((Duration::MAX, Duration::ZERO), |(lo, hi), d| {
                    (lo.min(*d), hi.max(*d))
                });
            hi.saturating_sub(lo)
        })
        .collect();
    if out.is_empty() {
        out.push(Duration::ZERO);
    }
    out
}

/// `calls` calls, one at a time, each until all `displays` have reported it on `seen`:
/// (call → each display, each call's round trip). Ids are `{prefix}{i}`.
async fn calls(
    counters: &mut [Live],
    seen: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    calls: usize,
    displays: usize,
    prefix: &str,
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    let mut to_display = Vec::with_capacity(calls * displays.max(1));
    let mut rtt = Vec::with_capacity(calls);
    for i in 0..calls {
        let c = i % COUNTERS;
        let t0 = Instant::now();
        counters[c]
            .req(json!({"type":"call_next","id":format!("{prefix}{i}"),"counter":c.to_string()}))
            .await?;
        rtt.push(t0.elapsed());
        for _ in 0..displays {
            let (counter, at) = seen
                .recv()
                .await
                .ok_or_else(|| anyhow::anyhow!("the displays are gone"))?;
            anyhow::ensure!(
                counter == c.to_string(),
                "a display saw a call at {counter}, expected {c}"
            );
            to_display.push(at - t0);
        }
    }
    Ok((to_display, rtt))
}

/// The floor of a durable call: a server thread that reads a request line, commits one row
/// (WAL, synchronous=FULL, `BEGIN IMMEDIATE`), writes one event line to each of `displays`
/// sockets in turn, then answers. Returns its address; it serves one caller and stops when
/// the caller hangs up.
fn floor_server(dir: &Path, displays: usize, bytes: usize) -> anyhow::Result<SocketAddr> {
    use std::io::{BufRead, Write};
    let conn = rusqlite::Connection::open(dir.join("floor.db"))?;
    conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || -> anyhow::Result<()> {
        let mut sockets = vec![];
        for _ in 0..displays {
            let (s, _) = listener.accept()?;
            s.set_nodelay(true)?;
            sockets.push(s);
        }
        let (caller, _) = listener.accept()?;
        caller.set_nodelay(true)?;
        let mut answer = caller.try_clone()?;
        let mut lines = std::io::BufReader::new(caller);
        let mut line = String::new();
        while lines.read_line(&mut line)? > 0 {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            conn.execute("INSERT INTO t (body) VALUES (?1)", [line.as_str()])?;
            conn.execute_batch("COMMIT")?;
            // As many bytes as a display got from the hub for one call.
            let mut event = format!(
                "{{\"type\":\"event\",\"kind\":\"ticket_called\",\"counter\":\"0\",\"body\":{},\"pad\":\"",
                line.trim_end()
            );
            let pad = bytes.saturating_sub(event.len() + 3);
            event.extend(std::iter::repeat_n('x', pad));
            event.push_str("\"}\n");
            for s in &mut sockets {
                s.write_all(event.as_bytes())?;
            }
            answer.write_all(b"{\"type\":\"ok\"}\n")?;
            line.clear();
        }
        Ok(())
    });
    Ok(addr)
}

/// Call → every display through the floor server, measured as the hub's calls are.
async fn floor(
    dir: &Path,
    displays: usize,
    calls: usize,
    bytes: usize,
) -> anyhow::Result<Vec<Duration>> {
    let addr = floor_server(dir, displays, bytes)?;
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Instant>();
    for _ in 0..displays {
        let s = tokio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        let tx = seen_tx.clone();
        tokio::spawn(async move {
            let mut r = BufReader::new(s);
            let mut line = String::new();
            while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                let at = Instant::now();
                if line.contains("\"kind\":\"ticket_called\"") {
                    let _ = tx.send(at);
                }
                line.clear();
            }
        });
    }
    let s = tokio::net::TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    let mut out = Vec::with_capacity(calls * displays);
    let mut answer = String::new();
    for i in 0..calls {
        let t0 = Instant::now();
        tokio::io::AsyncWriteExt::write_all(
            &mut w,
            format!("{{\"type\":\"call_next\",\"id\":\"c{i}\",\"counter\":\"0\"}}\n").as_bytes(),
        )
        .await?;
        answer.clear();
        r.read_line(&mut answer).await?;
        for _ in 0..displays {
            let at = seen_rx
                .recv()
                .await
                .ok_or_else(|| anyhow::anyhow!("floor gone"))?;
            out.push(at - t0);
        }
    }
    Ok(out)
}

/// A web display: `GET /api/v1/display/events` over plain HTTP/1.1, noting when each call
/// arrives (the line `event: event` whose data is a `ticket_called`), before any parsing.
async fn sse_display(
    web: SocketAddr,
    tx: mpsc::UnboundedSender<(String, Instant)>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(web).await?;
    s.set_nodelay(true)?;
    s.write_all(
        format!(
            "GET /api/v1/display/events?token={WEB_TOKEN} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut r = BufReader::new(s);
    // Up to the welcome: the stream is live from then on.
    let mut line = String::new();
    loop {
        line.clear();
        anyhow::ensure!(r.read_line(&mut line).await? > 0, "the web feed closed");
        if line.starts_with("event: welcome") {
            break;
        }
    }
    Ok(tokio::spawn(async move {
        let mut line = String::new();
        while r.read_line(&mut line).await.unwrap_or(0) > 0 {
            let at = Instant::now();
            if line.starts_with("data: {") && line.contains("\"kind\":\"ticket_called\"") {
                let counter = line
                    .rsplit("\"counter\":\"")
                    .next()
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("");
                let _ = tx.send((counter.to_owned(), at));
            }
            line.clear();
        }
    }))
}
