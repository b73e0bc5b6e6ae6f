//! Abuse limits for the web pages: requests per client address per minute (a fixed window),
//! live streams per address, and live streams in all. A phone following its ticket makes a
//! handful of requests; a script hammering the hub gets `429` and everyone else is served.

use super::Web;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const WINDOW: Duration = Duration::from_secs(60);

pub struct Limits {
    per_minute: u32,
    /// Live streams one address may hold (a phone has one or two; a TV one).
    streams_per_client: usize,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    streams: Arc<Semaphore>,
    streams_by_client: Mutex<HashMap<IpAddr, usize>>,
}

/// A live stream's place; the count goes down when it is dropped.
pub struct StreamSlot {
    _permit: OwnedSemaphorePermit,
    client: IpAddr,
    limits: Arc<Limits>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut by = self.limits.streams_by_client.lock().expect("limits lock");
        if let Some(n) = by.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                by.remove(&self.client);
            }
        }
    }
}

/// Why a request was turned away.
pub enum Refused {
    TooMany,
    Full,
}

impl Limits {
    pub fn new(per_minute: u32, max_streams: usize, streams_per_client: usize) -> Limits {
        Limits {
            per_minute,
            streams_per_client,
            windows: Mutex::new(HashMap::new()),
            streams: Arc::new(Semaphore::new(max_streams)),
            streams_by_client: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `client`; false once it is over the limit for this minute.
    fn allow(&self, client: IpAddr, now: Instant) -> bool {
        let mut w = self.windows.lock().expect("limits lock");
        if w.len() > 10_000 {
            // Forget addresses whose window is over, so the map stays small.
            w.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = w.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }

    /// A place for a live stream from `client`.
    pub fn stream(self: &Arc<Self>, client: IpAddr) -> Result<StreamSlot, Refused> {
        {
            let by = self.streams_by_client.lock().expect("limits lock");
            if by.get(&client).copied().unwrap_or(0) >= self.streams_per_client {
                return Err(Refused::TooMany);
            }
        }
        let permit = Arc::clone(&self.streams)
            .try_acquire_owned()
            .map_err(|_| Refused::Full)?;
        *self
            .streams_by_client
            .lock()
            .expect("limits lock")
            .entry(client)
            .or_insert(0) += 1;
        Ok(StreamSlot {
            _permit: permit,
            client,
            limits: Arc::clone(self),
        })
    }
}

/// The per-address request limit, for every route.
pub async fn per_client(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    if !web.limits.allow(peer.ip(), Instant::now()) {
        tracing::info!(client = %peer.ip(), path = %request.uri().path(), "rate limited");
        return super::error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Terlalu banyak permintaan dari perangkat ini. Tunggu satu menit lalu coba lagi. \
             (Too many requests from this device; wait a minute.)",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_of_requests_per_client() {
        let l = Limits::new(3, 10, 2);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t = Instant::now();
        assert!(l.allow(a, t) && l.allow(a, t) && l.allow(a, t));
        assert!(!l.allow(a, t), "the fourth in a minute");
        assert!(l.allow(b, t), "another phone is not affected");
        assert!(l.allow(a, t + WINDOW), "a new minute");
    }

    #[test]
    fn streams_per_client_and_in_all() {
        let l = Arc::new(Limits::new(100, 3, 2));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let slots: Vec<_> = (0..2).map(|_| l.stream(a).ok().unwrap()).collect();
        assert!(matches!(l.stream(a), Err(Refused::TooMany)));
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let one = l.stream(b).ok().unwrap();
        let c: IpAddr = "10.0.0.3".parse().unwrap();
        assert!(matches!(l.stream(c), Err(Refused::Full)));
        drop(one);
        assert!(l.stream(c).is_ok());
        drop(slots);
        assert!(l.stream(a).is_ok());
    }
}
