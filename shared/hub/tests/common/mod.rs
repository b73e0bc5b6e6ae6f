//! Test helpers: a hall config, a hub on loopback over a real SQLite file with a clock the
//! test moves, and a raw line client.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// A small hall: Dukcapil (prefix A, two services, quota and hours on KTP), BPJS (B),
/// counters 1 and 2 serving Dukcapil, counter 3 serving BPJS.
pub const HALL: &str = r#"
[hall]
name = "MPP Uji"
timezone = "Asia/Jakarta"
max_priority_in_row = 2
EXTRA_HALL

[[agencies]]
id = "dukcapil"
name = "Dukcapil"

[[agencies]]
id = "bpjs"
name = "BPJS Kesehatan"

[[services]]
id = "ktp"
agency = "dukcapil"
name = "KTP Elektronik"
prefix = "A"
daily_quota = QUOTA
hours = "08:00-15:00"

[[services]]
id = "kk"
agency = "dukcapil"
name = "Kartu Keluarga"
prefix = "A"

[[services]]
id = "bpjs"
agency = "bpjs"
name = "Peserta BPJS"
prefix = "B"

[[counters]]
id = "1"
name = "Loket 1"
services = ["ktp", "kk"]

[[counters]]
id = "2"
name = "Loket 2"
services = ["ktp", "kk"]

[[counters]]
id = "3"
name = "Loket 3"
services = ["bpjs"]

[[devices]]
id = "kiosk-1"
role = "kiosk"
token = "kiosk-1-token-0123456789"

[[devices]]
id = "kiosk-2"
role = "kiosk"
token = "kiosk-2-token-0123456789"

[[devices]]
id = "counter-1"
role = "counter"
token = "counter-1-token-0123456789"
counter = "1"

[[devices]]
id = "counter-2"
role = "counter"
token = "counter-2-token-0123456789"
counter = "2"

[[devices]]
id = "counter-3"
role = "counter"
token = "counter-3-token-0123456789"
counter = "3"

[[devices]]
id = "display-1"
role = "display"
token = "display-1-token-0123456789"

[[devices]]
id = "admin"
role = "admin"
token = "admin-token-0123456789"
"#;

pub fn hall_config(quota: u32, extra_hall: &str) -> String {
    HALL.replace("QUOTA", &quota.to_string())
        .replace("EXTRA_HALL", extra_hall)
}

pub fn token(device: &str) -> String {
    format!("{device}-token-0123456789")
}

#[allow(unused_imports)] // each test file uses its own part
pub use antre_hub::testing::{jakarta, TestClock, TestHub};

/// Raw connections to a [`TestHub`].
#[allow(async_fn_in_trait)]
pub trait Connect {
    async fn connect(&self, device: &str) -> Raw;
    async fn connect_since(&self, device: &str, since: u64) -> (Raw, Value);
}

impl Connect for TestHub {
    async fn connect(&self, device: &str) -> Raw {
        self.connect_since(device, 0).await.0
    }

    /// Connects as `device`, says hello with `since`, returns the connection and welcome.
    async fn connect_since(&self, device: &str, since: u64) -> (Raw, Value) {
        let mut c = Raw::connect(self.addr).await;
        c.send(&json!({"type":"hello","protocol":1,"device":device,"token":token(device),"since":since}))
            .await;
        let w = c.recv().await;
        assert_eq!(w["type"], "welcome", "{w}");
        (c, w)
    }
}

/// A raw protocol connection: JSON lines in and out.
pub struct Raw {
    pub r: BufReader<OwnedReadHalf>,
    pub w: OwnedWriteHalf,
    next_id: u64,
    /// Events seen while waiting for replies.
    pub events: Vec<Value>,
}

/// Nothing in these tests should take this long; it turns a hang into a failure.
pub const PATIENCE: Duration = Duration::from_secs(20);

impl Raw {
    pub async fn connect(addr: SocketAddr) -> Raw {
        Raw::from_stream(TcpStream::connect(addr).await.unwrap())
    }

    pub fn from_stream(s: TcpStream) -> Raw {
        let (r, w) = s.into_split();
        Raw {
            r: BufReader::new(r),
            w,
            next_id: 0,
            events: vec![],
        }
    }

    pub async fn send(&mut self, v: &Value) {
        self.send_raw(format!("{v}\n").as_bytes()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).await.unwrap();
    }

    /// The next line, parsed; panics on EOF.
    pub async fn recv(&mut self) -> Value {
        self.try_recv()
            .await
            .expect("the hub closed the connection")
    }

    /// The next line, or `None` when the hub closed the connection.
    pub async fn try_recv(&mut self) -> Option<Value> {
        let mut line = String::new();
        let n = tokio::time::timeout(PATIENCE, self.r.read_line(&mut line))
            .await
            .expect("the hub did not answer in time")
            .ok()?;
        if n == 0 {
            return None;
        }
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {e}: {line}")))
    }

    /// The next line that is not an event (events are kept in `self.events`).
    pub async fn reply(&mut self) -> Value {
        loop {
            let v = self.recv().await;
            if v["type"] == "event" {
                self.events.push(v);
            } else {
                return v;
            }
        }
    }

    /// The next event (from `self.events` first).
    pub async fn event(&mut self) -> Value {
        if !self.events.is_empty() {
            return self.events.remove(0);
        }
        let v = self.recv().await;
        assert_eq!(v["type"], "event", "{v}");
        v
    }

    /// Sends a request with a fresh id and returns the reply.
    pub async fn req(&mut self, mut v: Value) -> Value {
        self.next_id += 1;
        v["id"] = json!(format!("r{}", self.next_id));
        self.req_id(v).await
    }

    /// Sends a request as given (with its own id) and returns the reply.
    pub async fn req_id(&mut self, v: Value) -> Value {
        self.send(&v).await;
        let r = self.reply().await;
        assert_eq!(r["id"], v["id"], "reply to another request: {r}");
        r
    }

    /// Sends a request that must succeed; returns the reply.
    pub async fn ok(&mut self, v: Value) -> Value {
        let r = self.req(v.clone()).await;
        assert_eq!(r["type"], "ok", "{v} -> {r}");
        r
    }

    /// Sends a request that must fail with `code`; returns the reply.
    pub async fn err(&mut self, v: Value, code: &str) -> Value {
        let r = self.req(v.clone()).await;
        assert_eq!(r["type"], "error", "{v} -> {r}");
        assert_eq!(r["code"], code, "{v} -> {r}");
        r
    }

    /// Issues a ticket (as a kiosk or admin); returns its code.
    pub async fn issue(&mut self, service: &str, priority: Option<&str>) -> String {
        let r = self
            .ok(json!({"type":"issue_ticket","service":service,"priority":priority}))
            .await;
        r["ticket"]["code"].as_str().unwrap().to_owned()
    }

    /// Opens a counter.
    pub async fn open(&mut self, counter: &str, officer: &str) {
        self.ok(json!({"type":"open_counter","counter":counter,"officer":officer}))
            .await;
    }

    /// Calls next at a counter; returns the called code.
    pub async fn call_next(&mut self, counter: &str) -> String {
        let r = self.ok(json!({"type":"call_next","counter":counter})).await;
        r["ticket"]["code"].as_str().unwrap().to_owned()
    }
}

/// The real `antre-hub serve` in its own process, on loopback.
pub struct HubProcess {
    pub child: tokio::process::Child,
    pub addr: SocketAddr,
    /// Where the web pages are, when they were asked for.
    pub web: Option<SocketAddr>,
    /// The rest of its stdout.
    pub out: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl HubProcess {
    /// Starts the hub binary with `args` after `serve --config C --db D` and waits for the
    /// lines that say where it listens (`listening on`, then `web pages on` unless the
    /// args say `--http off`).
    pub async fn start(
        config: &std::path::Path,
        db: &std::path::Path,
        args: &[&str],
    ) -> HubProcess {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_antre-hub"))
            // Hubs of tests and benchmarks run side by side: none takes the console's port.
            .env("ANTRE_CONSOLE", "off")
            .args(["serve", "--config"])
            .arg(config)
            .arg("--db")
            .arg(db)
            .args(args)
            .env("ANTRE_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("antre-hub starts");
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        async fn next(
            out: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
        ) -> String {
            tokio::time::timeout(PATIENCE, out.next_line())
                .await
                .expect("the hub said where it listens in time")
                .unwrap()
                .expect("a line")
        }
        let line = next(&mut out).await;
        let addr = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("not the listening line: {line}"))
            .parse()
            .unwrap();
        let web = if args.windows(2).any(|w| w == ["--http", "off"]) {
            None
        } else {
            let line = next(&mut out).await;
            Some(
                line.strip_prefix("web pages on http://")
                    .unwrap_or_else(|| panic!("not the web line: {line}"))
                    .parse()
                    .unwrap(),
            )
        };
        HubProcess {
            child,
            addr,
            web,
            out,
        }
    }
}

/// A TCP connection to `to` from the loopback address `from` (127.x.y.z), as if from
/// another machine.
pub async fn connect_from(from: std::net::Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let s = tokio::net::TcpSocket::new_v4()?;
    s.bind(SocketAddr::from((from, 0)))?;
    s.connect(to).await
}
