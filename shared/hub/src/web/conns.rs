//! Places for the web pages' connections: a bounded number per client address and in all.
//! A connection over either limit is answered `503` at once and closed, before it costs a
//! task or a buffer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;

pub(super) struct Places {
    total: usize,
    per_client: usize,
    taken: Mutex<Taken>,
}

#[derive(Default)]
struct Taken {
    all: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// A connection's place; dropping it frees the place.
pub(super) struct Place {
    client: IpAddr,
    places: Arc<Places>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut t = self.places.taken.lock().expect("places lock");
        t.all -= 1;
        if let Some(n) = t.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                t.by_client.remove(&self.client);
            }
        }
    }
}

impl Places {
    pub(super) fn new(total: usize, per_client: usize) -> Arc<Places> {
        Arc::new(Places {
            total,
            per_client,
            taken: Mutex::new(Taken::default()),
        })
    }

    /// A place for a connection from `client`, or `None` when it or the hub is at its limit.
    pub(super) fn take(self: &Arc<Self>, client: IpAddr) -> Option<Place> {
        let mut t = self.taken.lock().expect("places lock");
        let mine = t.by_client.get(&client).copied().unwrap_or(0);
        if t.all >= self.total || mine >= self.per_client {
            return None;
        }
        t.all += 1;
        *t.by_client.entry(client).or_insert(0) += 1;
        Some(Place {
            client,
            places: Arc::clone(self),
        })
    }
}

/// Answers a connection over the limits with a short `503` (if the socket takes it at once)
/// and closes it.
pub(super) fn turn_away(tcp: &TcpStream) {
    const BODY: &str = "Terlalu banyak sambungan dari alamat ini. Coba lagi sebentar lagi. / Too many connections from this address; try again shortly.\n";
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let _ = tcp.try_write(reply.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client_and_in_all_and_frees_on_drop() {
        let p = Places::new(3, 2);
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let a1 = p.take(a).unwrap();
        let _a2 = p.take(a).unwrap();
        assert!(p.take(a).is_none(), "a third from one address");
        let _b1 = p.take(b).unwrap();
        assert!(p.take(b).is_none(), "three in all");
        drop(a1);
        assert!(p.take(b).is_some(), "a's place is free again");
    }
}
