//! The wall displays' sockets, the protocol's and the web's, written by the writer thread
//! itself.
//!
//! A call is seen in the hall when the last display has it. The writer commits, then writes
//! the change's lines to every display socket in turn, as the benchmark's floor does: no
//! hand-off to the runtime thread, no task woken per display. The writes never block: what
//! a socket does not take at once waits in its [`Sink`]'s backlog, and the display's own
//! connection task writes it out when the socket can take it (and writes its replies through
//! the same backlog, so every byte goes out in order). A display that falls
//! `client_buffer_events` behind is dropped as too slow, as every other connection is, and
//! so is one whose backlog would pass [`MIN_BACKLOG`] or its send buffer's size, whichever is
//! more: a stalled display holds up that much, not thousands of events.
//!
//! A web display's feed (`GET /api/v1/display/events`) is the same, framed as HTTP/1.1
//! chunks of SSE frames ([`Framing::Sse`]): once the page's head and welcome are out, the
//! writer writes each change to the socket as one chunk, and the HTTP connection's own
//! writes go through the same backlog after it (`web::feed`).

use super::EventLine;
use crate::config::Config;
use antre_core::proto::ErrorCode;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::net::TcpStream;
use tokio::sync::Notify;

/// The least backlog a display may have, in bytes, however small its send buffer.
pub(super) const MIN_BACKLOG: usize = 64 * 1024;

/// Why a display's sink stopped taking events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// It fell `client_buffer_events` behind: it gets `too_slow` after what it has.
    TooSlow,
    /// An event would have skipped a `seq` (cannot happen while the writer is the only source).
    Gap,
    /// The socket failed.
    Write,
}

impl Failure {
    /// The error the display hears before the close, if it can hear one.
    pub(super) fn error(self) -> Option<(ErrorCode, &'static str)> {
        match self {
            Failure::TooSlow => Some((
                ErrorCode::TooSlow,
                "this connection fell too far behind; reconnect and resume",
            )),
            Failure::Gap | Failure::Write => None,
        }
    }

    /// For the log.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Failure::TooSlow => "too slow",
            Failure::Gap => "event gap",
            Failure::Write => "write failed",
        }
    }
}

/// How a sink's bytes are framed on its socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// The protocol's lines, as they are.
    Lines,
    /// A web display's feed: each change (or held event) one HTTP/1.1 chunk of SSE frames.
    Sse,
}

impl Framing {
    /// A change's bytes on the wire. For [`Framing::Sse`], makes each event's frames first
    /// (once for every feed, kept in [`EventLine::sse`]).
    fn change(self, change: &[Arc<EventLine>], cfg: &Config) -> Vec<u8> {
        match self {
            Framing::Lines => change.iter().flat_map(|e| e.line.bytes()).collect(),
            Framing::Sse => http_chunk(change.iter().map(|e| &e.sse_frames(cfg)[..])),
        }
    }

    /// One event's bytes on the wire, after [`Framing::change`] has framed it.
    fn event(self, e: &EventLine) -> Vec<u8> {
        match self {
            Framing::Lines => e.line.as_bytes().to_vec(),
            Framing::Sse => http_chunk(std::iter::once(
                &e.sse.get().expect(
                    "every event a feed holds went through Displays::send, which frames it",
                )[..],
            )),
        }
    }
}

/// `parts` end to end as one HTTP/1.1 chunk: the size in hex, CRLF, the bytes, CRLF.
fn http_chunk<'a>(parts: impl Iterator<Item = &'a [u8]> + Clone) -> Vec<u8> {
    let len: usize = parts.clone().map(<[u8]>::len).sum();
    let mut out = format!("{len:X}\r\n").into_bytes();
    out.reserve(len + 2);
    for p in parts {
        out.extend_from_slice(p);
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[derive(Default)]
struct State {
    /// Until the welcome is out: the events committed since the sink was made.
    held: Option<Vec<Arc<EventLine>>>,
    /// Bytes the socket has not taken yet, in order.
    backlog: Vec<u8>,
    /// Events queued while the backlog was not empty.
    behind: usize,
    /// The `seq` of the last event queued or written.
    last: u64,
    failed: Option<Failure>,
    /// The connection is gone: nothing more is written.
    closed: bool,
}

/// One display connection's way out.
pub(crate) struct Sink {
    /// The connection's socket (a second descriptor of it, so it stays open while the writer
    /// holds the sink); non-blocking, like the connection's own.
    socket: std::net::TcpStream,
    state: Mutex<State>,
    /// Wakes the connection task: there is a backlog to write, or the sink failed.
    pub(crate) wake: Notify,
    /// Events a display may fall behind.
    limit: usize,
    /// Bytes its backlog may hold: a display that stops reading holds up at most this
    /// (beside the kernel's send buffer), not `limit` events each.
    max_backlog: usize,
    framing: Framing,
}

impl Sink {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `bytes` now if nothing is waiting before them and the socket takes them; what
    /// it does not take goes to the backlog.
    fn write_or_queue(&self, s: &mut State, bytes: &[u8]) {
        if s.backlog.is_empty() {
            match (&self.socket).write(bytes) {
                Ok(n) if n == bytes.len() => return,
                Ok(n) => s.backlog.extend_from_slice(&bytes[n..]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    s.backlog.extend_from_slice(bytes);
                }
                Err(_) => {
                    s.failed = Some(Failure::Write);
                    self.wake.notify_one();
                    return;
                }
            }
        } else {
            s.backlog.extend_from_slice(bytes);
        }
        self.wake.notify_one();
    }

    /// The writer's part: one committed change, `joined` being its lines end to end.
    fn push(&self, change: &[Arc<EventLine>], joined: &[u8]) {
        let mut s = self.state();
        if s.closed || s.failed.is_some() {
            return;
        }
        if let Some(held) = &mut s.held {
            if held.len() + change.len() > self.limit {
                s.held = None;
                s.failed = Some(Failure::TooSlow);
                self.wake.notify_one();
            } else {
                held.extend(change.iter().cloned());
            }
            return;
        }
        if !s.backlog.is_empty() {
            s.behind += change.len();
            if s.behind > self.limit || s.backlog.len() + joined.len() > self.max_backlog {
                s.failed = Some(Failure::TooSlow);
                self.wake.notify_one();
                return;
            }
        }
        if change[0].seq == s.last + 1 {
            s.last = change[change.len() - 1].seq;
            self.write_or_queue(&mut s, joined);
        } else {
            self.queue_lines(&mut s, change);
        }
    }

    /// Queues the lines after `last` one by one; a gap fails the sink.
    fn queue_lines(&self, s: &mut State, lines: &[Arc<EventLine>]) {
        for e in lines {
            match e.follows(s.last) {
                Ok(false) => {}
                Ok(true) => {
                    s.last = e.seq;
                    self.write_or_queue(s, &self.framing.event(e));
                }
                Err(()) => {
                    s.failed = Some(Failure::Gap);
                    self.wake.notify_one();
                    return;
                }
            }
        }
    }

    /// The welcome is out, up to `seq`: the events held since then follow it, and the
    /// writer writes from now on.
    pub(crate) fn open(&self, seq: u64) {
        let mut s = self.state();
        s.last = seq;
        if let Some(held) = s.held.take() {
            self.queue_lines(&mut s, &held);
        }
    }

    /// Queues the connection's own line (a reply) after everything before it.
    pub(super) fn queue(&self, line: &[u8]) {
        let mut s = self.state();
        s.backlog.extend_from_slice(line);
    }

    /// The connection's own bytes, in order after everything before them: written now if
    /// nothing waits and the socket takes them, else kept in the backlog (a web feed's
    /// HTTP connection writes through here, so the writer's chunks never split its own).
    pub(crate) fn write_through(&self, bytes: &[u8]) {
        let mut s = self.state();
        self.write_or_queue(&mut s, bytes);
    }

    /// No more events: the connection ends (a web feed's closing chunk may follow).
    pub(crate) fn close(&self) {
        self.state().closed = true;
    }

    /// Why the sink stopped, if it did.
    pub(crate) fn failed(&self) -> Option<Failure> {
        self.state().failed
    }

    /// Writes the backlog out through the connection's own socket, waiting until it can.
    ///
    /// # Errors
    /// The socket failed.
    pub(crate) async fn drain(&self, tcp: &TcpStream) -> std::io::Result<()> {
        std::future::poll_fn(|cx| self.poll_drain(tcp, cx)).await
    }

    /// [`Sink::drain`] as a poll: ready when the backlog is out.
    ///
    /// # Errors
    /// The socket failed.
    pub(crate) fn poll_drain(
        &self,
        tcp: &TcpStream,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        loop {
            {
                let mut s = self.state();
                if s.failed == Some(Failure::Write) {
                    return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
                }
                while !s.backlog.is_empty() {
                    // Through tokio's socket: a `WouldBlock` here clears its readiness, so
                    // the wait below sleeps until the socket can take more.
                    match tcp.try_write(&s.backlog) {
                        Ok(n) => {
                            s.backlog.drain(..n);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
                if s.backlog.is_empty() {
                    s.behind = 0;
                    return Poll::Ready(Ok(()));
                }
            }
            std::task::ready!(tcp.poll_write_ready(cx))?;
        }
    }
}

/// Every display connection's sink, of one framing.
pub(crate) struct Displays {
    sinks: Mutex<Vec<Arc<Sink>>>,
    framing: Framing,
}

impl Displays {
    pub(super) fn new(framing: Framing) -> Displays {
        Displays {
            sinks: Mutex::default(),
            framing,
        }
    }

    fn sinks(&self) -> MutexGuard<'_, Vec<Arc<Sink>>> {
        self.sinks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new display connection's sink, holding events until [`Sink::open`]. Made before
    /// the welcome is read, so nothing committed after the read is missed.
    ///
    /// # Errors
    /// The socket cannot be given a second descriptor.
    pub(super) fn join(
        self: &Arc<Self>,
        tcp: &TcpStream,
        limit: usize,
        max_backlog: usize,
    ) -> std::io::Result<Joined> {
        let socket: std::net::TcpStream = socket2::SockRef::from(tcp).try_clone()?.into();
        let sink = Arc::new(Sink {
            socket,
            state: Mutex::new(State {
                held: Some(vec![]),
                ..State::default()
            }),
            wake: Notify::new(),
            limit,
            max_backlog,
            framing: self.framing,
        });
        self.sinks().push(Arc::clone(&sink));
        Ok(Joined {
            displays: Arc::clone(self),
            sink,
        })
    }

    /// The writer's part: writes one committed change to every display.
    /// `cfg`: the config the change was made by (a web feed's words name its counters).
    pub(super) fn send(&self, change: &[Arc<EventLine>], cfg: &Config) {
        if change.is_empty() {
            return;
        }
        let sinks = self.sinks().clone();
        if sinks.is_empty() {
            return;
        }
        let joined = self.framing.change(change, cfg);
        for sink in &sinks {
            sink.push(change, &joined);
        }
    }
}

/// A display connection's place among the displays; leaves it when dropped.
pub(crate) struct Joined {
    displays: Arc<Displays>,
    pub(crate) sink: Arc<Sink>,
}

impl Drop for Joined {
    fn drop(&mut self) {
        self.sink.state().closed = true;
        self.displays
            .sinks()
            .retain(|s| !Arc::ptr_eq(s, &self.sink));
    }
}
