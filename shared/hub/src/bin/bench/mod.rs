//! What the benchmarks share: a protocol connection to the hub (newline-delimited JSON), a
//! child process's CPU and memory, percentiles.
// Each benchmark binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// A device's token in the benchmarks' halls (each device has its own, as the hub requires).
pub fn token(device: &str) -> String {
    format!("bench-token-{device}-0123456789")
}

pub struct Conn {
    pub r: BufReader<OwnedReadHalf>,
    pub w: OwnedWriteHalf,
}

impl Conn {
    /// Connects as `device` and waits for the welcome.
    pub async fn open(addr: SocketAddr, device: &str) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        let (r, w) = s.into_split();
        let mut c = Conn {
            r: BufReader::new(r),
            w,
        };
        c.send(
            &json!({"type":"hello","protocol":1,"device":device,"token":token(device),"since":0}),
        )
        .await?;
        let w = c.recv().await?;
        anyhow::ensure!(w["type"] == "welcome", "not welcomed: {w}");
        Ok(c)
    }

    pub async fn send(&mut self, v: &Value) -> anyhow::Result<()> {
        self.w.write_all(format!("{v}\n").as_bytes()).await?;
        Ok(())
    }

    pub async fn recv(&mut self) -> anyhow::Result<Value> {
        let mut line = String::new();
        anyhow::ensure!(self.r.read_line(&mut line).await? > 0, "closed");
        Ok(serde_json::from_str(&line)?)
    }

    /// A request by id, events skipped; anything but `ok` is an error.
    pub async fn req(&mut self, mut v: Value) -> anyhow::Result<Value> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = format!(
            "b{}",
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        v["id"] = json!(id);
        self.send(&v).await?;
        loop {
            let m = self.recv().await?;
            if m["id"] == json!(id) {
                anyhow::ensure!(m["type"] == "ok", "refused: {m}");
                return Ok(m);
            }
        }
    }
}

/// (user + system CPU seconds, RSS in KiB) of a process, from `/proc`.
pub fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name; 100 Hz.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

/// The `p` quantile of `sorted` (nearest rank).
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals.
pub fn ms2(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
