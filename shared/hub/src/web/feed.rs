//! A web connection's socket, which the writer thread may write a display feed to itself.
//!
//! Every web connection is served through a [`FeedIo`]: until a request of it becomes a
//! display feed (`GET /api/v1/display/events`), reads and writes go straight to the socket.
//! Once it does, the connection's [`Tap`] holds the feed's sink, and:
//!
//! - everything hyper writes goes through the sink, in order after what the writer wrote or
//!   queued there, whole (hyper's writes are never split, so the writer's chunks fall
//!   between them, never inside);
//! - when hyper has written the response's head and the welcome out to the socket (its next
//!   flush after the feed asked for it, [`Tap::open_after_flush`]), the sink opens: the
//!   events held since the welcome was read follow, and from then on the writer writes each
//!   change to the socket itself as one HTTP chunk, as it writes the protocol's displays.
//!
//! A call reaches a browser on the wall as soon as it reaches a protocol display: no hand-off
//! to the runtime thread, no task woken per feed.

use crate::server::displays::{Joined, Sink};
use crate::server::Hub;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// One web connection's socket, and its display feed once it has one. A request's
/// extensions carry it, so the feed's handler finds its own connection.
pub(crate) struct Tap {
    tcp: TcpStream,
    state: Mutex<TapState>,
}

#[derive(Default)]
struct TapState {
    /// The feed's sink: set, every byte of the connection goes through it.
    sink: Option<Arc<Sink>>,
    /// Opens the sink at this `seq` on hyper's next flush (its welcome is out then).
    open_at: Option<u64>,
}

impl Tap {
    pub(crate) fn new(tcp: TcpStream) -> Arc<Tap> {
        Arc::new(Tap {
            tcp,
            state: Mutex::default(),
        })
    }

    fn state(&self) -> MutexGuard<'_, TapState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The connection's socket.
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.tcp
    }

    /// Makes this connection a display feed: joins the hub's feeds (holding events until
    /// [`Tap::open_after_flush`]), and from now on every byte of the connection goes out
    /// through the feed's sink. `None`: this connection already was one (a browser does not
    /// ask for a second feed on one connection).
    ///
    /// # Errors
    /// The socket cannot be given a second descriptor.
    pub(crate) fn feed(&self, hub: &Hub) -> io::Result<Option<Joined>> {
        let mut s = self.state();
        if s.sink.is_some() {
            return Ok(None);
        }
        let joined = hub.join_feed(&self.tcp)?;
        s.sink = Some(Arc::clone(&joined.sink));
        Ok(Some(joined))
    }

    /// The welcome, up to `seq`, is in hyper's hands: the sink opens once hyper has
    /// written it out.
    pub(crate) fn open_after_flush(&self, seq: u64) {
        self.state().open_at = Some(seq);
    }
}

/// A web connection's socket as hyper reads and writes it ([`Tap`]).
pub(crate) struct FeedIo(pub(crate) Arc<Tap>);

impl AsyncRead for FeedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let tcp = &self.0.tcp;
        loop {
            ready!(tcp.poll_read_ready(cx))?;
            // At most 64 KiB zeroed per read, however large hyper's buffer has grown.
            let room = buf.remaining().min(64 * 1024);
            match tcp.try_read(buf.initialize_unfilled_to(room)) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for FeedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let sink = self.0.state().sink.clone();
        if let Some(sink) = sink {
            // All of it, after what the writer wrote: the flush waits until it is out.
            sink.write_through(bytes);
            return Poll::Ready(Ok(bytes.len()));
        }
        let tcp = &self.0.tcp;
        loop {
            ready!(tcp.poll_write_ready(cx))?;
            match tcp.try_write(bytes) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let (sink, open_at) = {
            let mut s = self.0.state();
            (s.sink.clone(), s.open_at.take())
        };
        let Some(sink) = sink else {
            return Poll::Ready(Ok(()));
        };
        // hyper flushes only with its own buffer empty: the head and the welcome are in
        // the socket or the backlog now, so the held events go after them.
        if let Some(seq) = open_at {
            sink.open(seq);
        }
        sink.poll_drain(&self.0.tcp, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_flush(cx))?;
        let _ = socket2::SockRef::from(&self.0.tcp).shutdown(std::net::Shutdown::Write);
        Poll::Ready(Ok(()))
    }
}
