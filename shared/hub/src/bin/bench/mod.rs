//! What the benchmarks share: a protocol connection to the hub (newline-delimited JSON).

use serde_json::{json, Value};
use std::net::SocketAddr;
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
}
