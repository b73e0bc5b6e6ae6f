//! `antre-central-bench`: the city's service under load, as real processes on a real
//! PostgreSQL, figures printed.
//!
//! 1. Events: 20 hubs push a day each (2,000 tickets × 6 events) at once, in batches of
//!    1,000 as a hub does, into one `antre-central` process: events stored per second.
//! 2. Booking: 200 clients book at once, one booking after another, for some seconds, against
//!    one process, then split over two processes on the same database: p50/p99 latency,
//!    bookings per second, and what the second process adds.
//! 3. The same with each process on a CPU budget of its own (a cgroup's CPU quota,
//!    `ANTRE_BENCH_CPU_BUDGET` cores each, 0.2 unless set), as if each ran on a small machine
//!    of its own: on one machine the first process already leaves no CPU for a second, so
//!    only a budget shows whether a second process adds what the first does or whether they
//!    wait on each other in the database. Skipped, saying so, where the cgroup's CPU
//!    controller cannot be written (it needs root).
//!
//! ```text
//! ANTRE_TEST_PG=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p antre-central --bin antre-central-bench
//! ```
//! It makes a database of its own in that cluster and drops it at the end. `antre-central`
//! is the binary beside this one (built by the same command).

use antre_central::testing::{central_toml, TestDb};
use chrono::{Datelike, Duration as Days, Weekday};
use serde_json::{json, Value};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HALLS: usize = 20;
const TICKETS_PER_HALL: usize = 2_000;
const EVENTS_PER_TICKET: usize = 6;
const BATCH: usize = 1_000;
const CLIENTS: usize = 200;
const BOOKING_SECS: u64 = 10;

fn token(i: usize) -> String {
    format!("bench-hall-sync-token-{i:02}-0123456789")
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// An `antre-central serve` process.
struct Central {
    child: Child,
    url: String,
    budget: Option<Budget>,
}

impl Central {
    async fn spawn(config: &std::path::Path) -> Central {
        Central::spawn_within(config, None).await
    }

    /// A process held to `budget`'s CPU, with every thread it starts.
    async fn spawn_within(config: &std::path::Path, budget: Option<Budget>) -> Central {
        let exe = std::env::current_exe()
            .expect("this binary's path")
            .with_file_name("antre-central");
        let addr = free_addr();
        let mut command = Command::new(&exe);
        command
            .args(["serve", "--config"])
            .arg(config)
            .arg("--listen")
            .arg(addr.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        if let Some(budget) = &budget {
            // A process's pid written to `cgroup.procs` moves all its threads, and those it
            // starts later are born there.
            let procs = budget.dir.join("cgroup.procs");
            std::fs::write(&procs, child.id().to_string())
                .unwrap_or_else(|e| panic!("cannot write to {}: {e}", procs.display()));
        }
        let url = format!("http://{addr}");
        let http = reqwest::Client::new();
        let start = Instant::now();
        while http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .map_or(true, |r| !r.status().is_success())
        {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "antre-central did not come up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Central { child, url, budget }
    }
}

/// A cgroup holding the processes put in it to `cores` of CPU time (cgroup v1's
/// `cpu.cfs_quota_us`, or v2's `cpu.max`), over a 10 ms period so that a throttled request
/// waits at most that long. Removed when dropped (once its process is gone).
struct Budget {
    dir: std::path::PathBuf,
    cores: f64,
}

impl Budget {
    const PERIOD_US: u64 = 10_000;

    fn new(name: &str, cores: f64) -> Result<Budget, String> {
        let quota = (cores * Budget::PERIOD_US as f64).round() as u64;
        let v1 = std::path::Path::new("/sys/fs/cgroup/cpu");
        let v2 = std::path::Path::new("/sys/fs/cgroup");
        let (dir, files) = if v1.join("cpu.cfs_quota_us").exists() {
            let dir = v1.join(name);
            let files = vec![
                ("cpu.cfs_period_us", Budget::PERIOD_US.to_string()),
                ("cpu.cfs_quota_us", quota.to_string()),
            ];
            (dir, files)
        } else {
            let dir = v2.join(name);
            let files = vec![("cpu.max", format!("{quota} {}", Budget::PERIOD_US))];
            (dir, files)
        };
        std::fs::create_dir(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let budget = Budget { dir, cores };
        for (file, value) in files {
            let path = budget.dir.join(file);
            std::fs::write(&path, &value)
                .map_err(|e| format!("cannot write {value} to {}: {e}", path.display()))?;
        }
        Ok(budget)
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

impl Central {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// CPU time (clock ticks) so far: the whole machine's busy time, the `antre-central`
/// processes', and this benchmark's own (its 200 clients); what is left is PostgreSQL's
/// (and the little else the machine runs).
struct Cpu {
    total: u64,
    machine: u64,
    central: u64,
    clients: u64,
}

impl Cpu {
    fn ticks_of(stat: &str) -> u64 {
        // After the command's ")": fields 14 and 15 (utime, stime) are the 12th and 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<u64> = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|x| x.parse().ok())
            .collect();
        f.iter().sum()
    }

    fn now(central: &[u32]) -> Cpu {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let line = read("/proc/stat");
        let cpu: Vec<u64> = line
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
        let busy = cpu
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 3 && *i != 4)
            .map(|(_, v)| v)
            .sum();
        Cpu {
            total: cpu.iter().sum(),
            machine: busy,
            central: central
                .iter()
                .map(|pid| Cpu::ticks_of(&read(&format!("/proc/{pid}/stat"))))
                .sum(),
            clients: Cpu::ticks_of(&read("/proc/self/stat")),
        }
    }

    fn print_since(&self, before: &Cpu) {
        let machine = self.machine.saturating_sub(before.machine).max(1) as f64;
        let central = self.central.saturating_sub(before.central) as f64;
        let clients = self.clients.saturating_sub(before.clients) as f64;
        let share = |x: f64| 100.0 * x / machine;
        let total = self.total.saturating_sub(before.total).max(1) as f64;
        println!(
            "  the machine busy {:.0} % of the time; of that: antre-central {:.0} %, the 200 clients {:.0} %, PostgreSQL and the rest {:.0} %",
            100.0 * machine / total,
            share(central),
            share(clients),
            share((machine - central - clients).max(0.0))
        );
    }
}

impl Drop for Central {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The cgroup can go only once its process has.
        drop(self.budget.take());
    }
}

/// A hall's day as a hub logs it: per ticket issued, called, recalled, serving started,
/// finished, and a counter's event, with the figures a hub puts on the last event of a
/// change.
fn day_of_events() -> Vec<Value> {
    let mut events = Vec::with_capacity(TICKETS_PER_HALL * EVENTS_PER_TICKET);
    for n in 1..=TICKETS_PER_HALL {
        let code = format!("A-{n:03}");
        let ticket = |status: &str| {
            json!({"code": code, "service": "dukcapil-ktp", "number": n, "day": "2026-12-03",
                   "priority": null, "status": status, "issued_at": "2026-12-03T08:00:00.000+07:00",
                   "called_at": null, "counter": "loket-1", "recalls": 0})
        };
        let figures = json!([{"service": "dukcapil-ktp", "waiting": 12, "issued": n, "counters_open": 4,
                              "service_secs": 300.0, "ahead": 12, "estimated_wait_min": 15}]);
        for (kind, status) in [
            ("ticket_issued", "waiting"),
            ("ticket_called", "called"),
            ("ticket_recalled", "called"),
            ("serving_started", "serving"),
            ("ticket_finished", "done"),
        ] {
            events.push(
                json!({"seq": events.len() + 1, "at": "2026-12-03T09:00:00.000+07:00",
                               "kind": kind, "ticket": ticket(status), "figures": figures}),
            );
        }
        events.push(
            json!({"seq": events.len() + 1, "at": "2026-12-03T09:00:01.000+07:00",
                           "kind": "counter_opened", "counter": format!("loket-{}", n % 25 + 1)}),
        );
    }
    events
}

/// Pushes hall `h`'s day in batches, each after the last was stored; the number stored.
async fn push_day(http: reqwest::Client, url: String, h: usize, events: Vec<Value>) -> i64 {
    let hall = format!("hall-{h:02}");
    let mut stored = 0;
    for batch in events.chunks(BATCH) {
        let body = json!({"hall": hall, "epoch": format!("bench-epoch-{h}"), "events": batch});
        let reply = http
            .post(format!("{url}/sync/v1/events"))
            .bearer_auth(token(h))
            .json(&body)
            .send()
            .await
            .expect("the push is answered");
        assert!(reply.status().is_success(), "push: {}", reply.status());
        stored = reply.json::<Value>().await.expect("json")["stored_to"]
            .as_i64()
            .expect("stored_to");
    }
    stored
}

/// The next `n` days the halls take bookings on (not today, not a weekend).
fn bookable_days(n: usize) -> Vec<String> {
    let mut day = chrono::Local::now().date_naive();
    let mut out = vec![];
    while out.len() < n {
        day += Days::days(1);
        // The test halls' holiday, 25 December, is not bookable either.
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let christmas = day.month() == 12 && day.day() == 25;
        if !weekend && !christmas {
            out.push(day.to_string());
        }
    }
    out
}

struct Load {
    latencies: Vec<Duration>,
    ok: usize,
    refused: usize,
    secs: f64,
}

/// `CLIENTS` clients booking for `BOOKING_SECS`, client `c` on `urls[c % urls.len()]`;
/// `round` keeps every phone number new.
async fn book_load(urls: &[String], round: usize) -> Load {
    let days = bookable_days(5);
    let stop = Instant::now() + Duration::from_secs(BOOKING_SECS);
    let started = Instant::now();
    let mut tasks = vec![];
    for c in 0..CLIENTS {
        let url = urls[c % urls.len()].clone();
        let days = days.clone();
        tasks.push(tokio::spawn(async move {
            // One connection per client, as 200 phones would have.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("a client");
            let (mut lat, mut ok, mut refused) = (vec![], 0, 0);
            let mut i = 0usize;
            while Instant::now() < stop {
                // 0812 and 8 digits: round, client, count.
                let phone = format!("0812{round:01}{c:03}{:04}", i % 10_000);
                let session = ["08:00-10:00", "10:00-12:00", "13:00-15:00"][i % 3];
                let body = json!({
                    "hall": format!("hall-{:02}", (c + i) % HALLS),
                    "service": "dukcapil-ktp",
                    "date": days[i % days.len()],
                    "session": session,
                    "name": "Warga Uji",
                    "phone": phone,
                });
                let t = Instant::now();
                let reply = http
                    .post(format!("{url}/api/v1/bookings"))
                    .json(&body)
                    .send()
                    .await
                    .expect("the booking is answered");
                let status = reply.status();
                let _ = reply.bytes().await;
                lat.push(t.elapsed());
                if status.as_u16() == 201 {
                    ok += 1;
                } else {
                    refused += 1;
                }
                i += 1;
            }
            (lat, ok, refused)
        }));
    }
    let mut load = Load {
        latencies: vec![],
        ok: 0,
        refused: 0,
        secs: 0.0,
    };
    for t in tasks {
        let (lat, ok, refused) = t.await.expect("a client finished");
        load.latencies.extend(lat);
        load.ok += ok;
        load.refused += refused;
    }
    load.secs = started.elapsed().as_secs_f64();
    load.latencies.sort();
    load
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn print_load(what: &str, l: &Load) -> f64 {
    let per_sec = l.ok as f64 / l.secs;
    println!(
        "booking, {what}: {} booked, {} refused in {:.1} s = {per_sec:.0} bookings/s; p50 {:.1} ms, p99 {:.1} ms",
        l.ok,
        l.refused,
        l.secs,
        pct(&l.latencies, 0.50),
        pct(&l.latencies, 0.99),
    );
    per_sec
}

#[tokio::main]
async fn main() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let halls: Vec<(String, String, String)> = (0..HALLS)
        .map(|h| (format!("hall-{h:02}"), format!("MPP {h:02}"), token(h)))
        .collect();
    let refs: Vec<(&str, &str, &str)> = halls
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    // Seats enough that no session fills: the figures are of booking, not of refusing.
    let toml = central_toml(&refs, "dukcapil-ktp", 1_000_000)
        .replace(
            "database_url = \"postgres://set-by-the-test\"",
            &format!("database_url = \"{}\"", db.url),
        )
        .replace("pool_size = 8", "pool_size = 16");
    let config = dir.path().join("central.toml");
    std::fs::write(&config, toml).expect("write central.toml");
    println!(
        "machine: {} cores; PostgreSQL and the clients on the same machine",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let a = Central::spawn(&config).await;

    // 1. Twenty hubs catching up on a day at once.
    let days: Vec<Vec<Value>> = (0..HALLS).map(|_| day_of_events()).collect();
    let total: usize = days.iter().map(Vec::len).sum();
    let http = reqwest::Client::new();
    let t = Instant::now();
    let pushes: Vec<_> = days
        .into_iter()
        .enumerate()
        .map(|(h, events)| tokio::spawn(push_day(http.clone(), a.url.clone(), h, events)))
        .collect();
    let mut stored = 0;
    for p in pushes {
        stored += p.await.expect("a hub finished");
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(stored as usize, total, "every event stored");
    println!(
        "events: {HALLS} hubs pushed {total} events ({BATCH} a push) into one process in {secs:.2} s = {:.0} events/s",
        total as f64 / secs
    );

    // 2. Booking: one process, then two; where the machine's CPU went meanwhile.
    let before = Cpu::now(&[a.pid()]);
    let one = book_load(std::slice::from_ref(&a.url), 1).await;
    let one_rate = print_load("200 clients, 1 process", &one);
    Cpu::now(&[a.pid()]).print_since(&before);
    let b = Central::spawn(&config).await;
    let before = Cpu::now(&[a.pid(), b.pid()]);
    let two = book_load(&[a.url.clone(), b.url.clone()], 2).await;
    let two_rate = print_load("200 clients, 2 processes", &two);
    Cpu::now(&[a.pid(), b.pid()]).print_since(&before);
    println!(
        "second process adds {:.2}x of the first's booking throughput",
        (two_rate - one_rate) / one_rate
    );
    drop((a, b));

    // 3. Each process on a budget of its own.
    let cores = std::env::var("ANTRE_BENCH_CPU_BUDGET")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|c| *c > 0.0)
        .unwrap_or(0.2);
    let budget = |n: usize| Budget::new(&format!("antre-bench-{}-{n}", std::process::id()), cores);
    match budget(1) {
        Err(e) => println!("CPU budgets: skipped, {e}"),
        Ok(first) => {
            let cores = first.cores;
            let a = Central::spawn_within(&config, Some(first)).await;
            let before = Cpu::now(&[a.pid()]);
            let one = book_load(std::slice::from_ref(&a.url), 3).await;
            let one_rate = print_load(&format!("200 clients, 1 process of {cores} CPU"), &one);
            Cpu::now(&[a.pid()]).print_since(&before);
            let second = budget(2).expect("a second cgroup beside the first");
            let b = Central::spawn_within(&config, Some(second)).await;
            let before = Cpu::now(&[a.pid(), b.pid()]);
            let two = book_load(&[a.url.clone(), b.url.clone()], 4).await;
            let two_rate = print_load(
                &format!("200 clients, 2 processes of {cores} CPU each"),
                &two,
            );
            Cpu::now(&[a.pid(), b.pid()]).print_since(&before);
            println!(
                "on budgets, the second process adds {:.2}x of the first's booking throughput",
                (two_rate - one_rate) / one_rate
            );
        }
    }
    drop_database(&db).await;
}

/// Drops the bench's database (its processes are gone).
async fn drop_database(db: &TestDb) {
    let Ok(admin) = std::env::var(antre_central::testing::PG_VAR) else {
        return;
    };
    if let Ok((client, conn)) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
        tokio::spawn(conn);
        if let Err(e) = client
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", db.name))
            .await
        {
            eprintln!("the bench's database {} stays: {e}", db.name);
        }
    }
}
