//! The places for connections that have not said `hello` yet.
//!
//! Anyone on the network can open a socket to the device port, so these places are few and
//! apart from the devices' own (`max_connections`). When they are full, the connection that
//! has waited longest is closed to make room, and one address can hold only a few: a flood
//! of idle sockets, however fast it reopens them, keeps nobody out, because a real device
//! says `hello` within milliseconds of connecting and so is never the oldest.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

pub(super) struct Admission {
    per_client: usize,
    total: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Oldest first.
    waiting: VecDeque<Waiting>,
}

struct Waiting {
    id: u64,
    peer: IpAddr,
    /// Dropped to close the connection.
    _evict: oneshot::Sender<()>,
}

/// A connection's place until its `hello`; dropping it frees the place.
pub(super) struct Place {
    id: u64,
    admission: Arc<Admission>,
    /// Resolves when the place was given to a newer connection.
    pub evicted: oneshot::Receiver<()>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut s = self.admission.state.lock().expect("admission lock");
        if let Some(i) = s.waiting.iter().position(|w| w.id == self.id) {
            s.waiting.remove(i);
        }
    }
}

impl Admission {
    pub(super) fn new(total: usize, per_client: usize) -> Arc<Admission> {
        Arc::new(Admission {
            per_client: per_client.max(1),
            total: total.max(1),
            state: Mutex::new(State::default()),
        })
    }

    /// A place for a new connection from `peer`, closing the oldest waiting connection of
    /// that address (or, when all places are taken, of anyone) to make room. Returns the
    /// place and whether someone was closed for it.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> (Place, bool) {
        let mut s = self.state.lock().expect("admission lock");
        let from_peer = s.waiting.iter().filter(|w| w.peer == peer).count();
        let evict = if from_peer >= self.per_client {
            s.waiting.iter().position(|w| w.peer == peer)
        } else if s.waiting.len() >= self.total {
            Some(0)
        } else {
            None
        };
        // Dropping the entry's sender closes that connection.
        let evicted = evict.and_then(|i| s.waiting.remove(i)).is_some();
        let (tx, rx) = oneshot::channel();
        let id = s.next_id;
        s.next_id += 1;
        s.waiting.push_back(Waiting {
            id,
            peer,
            _evict: tx,
        });
        drop(s);
        (
            Place {
                id,
                admission: Arc::clone(self),
                evicted: rx,
            },
            evicted,
        )
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.state.lock().expect("admission lock").waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn one_address_holds_only_its_share_and_its_oldest_goes_first() {
        let a = Admission::new(4, 2);
        let (mut first, out) = a.admit(ip(1));
        assert!(!out);
        let (mut second, _) = a.admit(ip(1));
        let (_third, out) = a.admit(ip(1));
        assert!(out, "the third from one address closes its first");
        assert!(first.evicted.try_recv().is_err(), "first is closed");
        assert_eq!(
            second.evicted.try_recv(),
            Err(oneshot::error::TryRecvError::Empty)
        );
        assert_eq!(a.waiting(), 2);
    }

    #[test]
    fn when_full_the_longest_waiting_makes_room_and_leaving_frees_a_place() {
        let a = Admission::new(3, 3);
        let (mut p1, _) = a.admit(ip(1));
        let (p2, _) = a.admit(ip(2));
        let (mut p3, _) = a.admit(ip(3));
        drop(p2);
        assert_eq!(a.waiting(), 2);
        let (_p4, out) = a.admit(ip(4));
        assert!(!out, "a place was free");
        let (_p5, out) = a.admit(ip(5));
        assert!(out);
        assert!(p1.evicted.try_recv().is_err(), "the oldest, p1, made room");
        assert_eq!(
            p3.evicted.try_recv(),
            Err(oneshot::error::TryRecvError::Empty)
        );
        assert_eq!(a.waiting(), 3);
    }
}
