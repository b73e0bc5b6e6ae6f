//! One device's connection: handshake, then requests and events until either side ends.

use super::admission::Place;
use super::displays::{Failure, Joined, Sink};
use super::{EventLine, Hub};
use crate::config::Device;
use antre_client::lines::{LineReader, Read};
use antre_core::proto::{
    parse_client_line, ClientLine, ErrorCode, ErrorReply, OkReply, Request, Role, ServerMessage,
    MAX_LINE, PROTOCOL_VERSION,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{watch, Semaphore};

/// A peer that does not take our bytes for this long is gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a connection ended (for the log).
type End = &'static str;

struct Out {
    w: BufWriter<OwnedWriteHalf>,
    /// A display's, once its welcome is out: every byte goes out through it, after the
    /// events the writer wrote or queued there.
    direct: Option<Arc<Sink>>,
}

impl Out {
    async fn send(&mut self, line: &str) -> Result<(), End> {
        if let Some(sink) = &self.direct {
            sink.queue(line.as_bytes());
            return Ok(());
        }
        self.w
            .write_all(line.as_bytes())
            .await
            .map_err(|_| "write failed")
    }

    async fn flush(&mut self) -> Result<(), End> {
        let done = match &self.direct {
            Some(sink) => {
                let sink = Arc::clone(sink);
                tokio::time::timeout(WRITE_TIMEOUT, sink.drain(self.w.get_ref().as_ref())).await
            }
            None => tokio::time::timeout(WRITE_TIMEOUT, self.w.flush()).await,
        };
        match done {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err("write failed"),
            Err(_) => Err("the device stopped reading"),
        }
    }

    async fn send_now(&mut self, msg: &ServerMessage) -> Result<(), End> {
        self.send(&msg.to_line()).await?;
        self.flush().await
    }

    /// Sends an error and ends the connection.
    async fn fail(&mut self, code: ErrorCode, message: &str) -> End {
        let _ = self
            .send_now(&ServerMessage::Error(ErrorReply::new(None, code, message)))
            .await;
        let _ = self.w.shutdown().await;
        code.as_str()
    }
}

/// How long a refusal may take to write before the socket is simply closed.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// A device on the LAN whose link is cut is noticed by the hub too (besides the device's
/// own pings): TCP keepalive probes after this much silence, a few seconds apart, and
/// unacknowledged data gives up after [`USER_TIMEOUT`].
const KEEPALIVE_IDLE: Duration = Duration::from_secs(5);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);
const KEEPALIVE_PROBES: u32 = 3;
const USER_TIMEOUT: Duration = Duration::from_secs(12);

fn tune(stream: &TcpStream, send_buffer: usize) {
    let _ = stream.set_nodelay(true);
    let sock = socket2::SockRef::from(stream);
    // Bounded: a device that stops reading holds at most this much in the kernel, then its
    // events back up in the broadcast until it is dropped as too slow.
    let _ = sock.set_send_buffer_size(send_buffer);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_PROBES);
    let _ = sock.set_tcp_keepalive(&keepalive);
    let _ = sock.set_tcp_user_timeout(Some(USER_TIMEOUT));
}

pub(super) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    hub: Arc<Hub>,
    mut stop: watch::Receiver<bool>,
    mut place: Place,
    slots: Arc<Semaphore>,
) {
    let net = hub.config().hall.net.clone();
    tune(&stream, net.client_send_buffer_bytes);
    let (r, w) = stream.into_split();
    let mut lines = LineReader::new(r, MAX_LINE);
    let mut out = Out {
        w: BufWriter::with_capacity(64 * 1024, w),
        direct: None,
    };

    let hello_timeout = Duration::from_secs(net.hello_timeout_secs);
    let first = tokio::select! {
        r = tokio::time::timeout(hello_timeout, lines.next()) => r,
        _ = stop.changed() => return,
        _ = &mut place.evicted => {
            let _ = tokio::time::timeout(REFUSAL_TIMEOUT, out.fail(
                ErrorCode::Busy,
                "too many connections are waiting to say hello; this one waited longest: try again",
            )).await;
            return;
        }
    };
    let device = match first {
        Err(_) => {
            let _ = tokio::time::timeout(
                REFUSAL_TIMEOUT,
                out.fail(ErrorCode::Unauthorized, "no hello in time"),
            )
            .await;
            tracing::debug!(%peer, "closed: no hello in time");
            return;
        }
        Ok(Err(_)) | Ok(Ok(Read::Eof)) => return,
        Ok(Ok(Read::TooLarge)) => {
            out.fail(ErrorCode::TooLarge, "the line is longer than 65536 bytes")
                .await;
            return;
        }
        Ok(Ok(Read::Line(bytes))) => match handshake(&hub, &bytes) {
            Ok(Handshake::Hello(d, since)) => (d, since),
            Ok(Handshake::Pair(code)) => {
                let line = match hub.pair(peer.ip(), code).await {
                    Ok(paired) => {
                        tracing::info!(%peer, device = %paired.device, "paired");
                        ServerMessage::Paired(paired).to_line()
                    }
                    Err((code, message)) => {
                        tracing::info!(%peer, code = code.as_str(), "pairing refused: {message}");
                        ServerMessage::Error(ErrorReply::new(None, code, message)).to_line()
                    }
                };
                let _ = tokio::time::timeout(REFUSAL_TIMEOUT, async {
                    let _ = out.send(&line).await;
                    let _ = out.flush().await;
                    let _ = out.w.shutdown().await;
                })
                .await;
                return;
            }
            Err((code, message)) => {
                tracing::info!(%peer, code = code.as_str(), "handshake refused: {message}");
                let _ = tokio::time::timeout(REFUSAL_TIMEOUT, out.fail(code, &message)).await;
                return;
            }
        },
    };
    let (device, since) = device;
    // Said hello: a device's place from now on, and the waiting place is free.
    drop(place);
    let Ok(_slot) = slots.try_acquire_owned() else {
        tracing::warn!(%peer, device = %device.id, "connection refused: the hub is at its connection limit");
        let _ = tokio::time::timeout(
            REFUSAL_TIMEOUT,
            out.fail(
                ErrorCode::Busy,
                "the hub is at its connection limit; try again shortly",
            ),
        )
        .await;
        return;
    };
    tracing::info!(%peer, device = %device.id, role = device.role.as_str(), since, "connected");
    hub.seen(&device.id, true);
    let why = session(&hub, &device, since, &mut lines, &mut out, &mut stop).await;
    hub.seen(&device.id, false);
    let _ = out.w.shutdown().await;
    tracing::info!(%peer, device = %device.id, "disconnected: {why}");
}

/// What a connection's first line asks for.
enum Handshake {
    /// A device's `hello`, checked: the device and the `seq` it resumes from.
    Hello(Device, u64),
    /// A new device's pairing code, to check.
    Pair(String),
}

/// Reads the `hello` (the protocol version, then the device and its token), or a `pair`.
fn handshake(hub: &Hub, line: &[u8]) -> Result<Handshake, (ErrorCode, String)> {
    let hello = match parse_client_line(line) {
        Ok(ClientLine::Hello(h)) => h,
        Ok(ClientLine::Pair(p)) if p.protocol == PROTOCOL_VERSION => {
            return Ok(Handshake::Pair(p.code))
        }
        Ok(ClientLine::Pair(_)) => {
            return Err((
                ErrorCode::UnsupportedProtocol,
                "this hub speaks protocol 1".into(),
            ))
        }
        // A hello that does not parse says what is wrong with it ("bad hello: since …").
        Err(e) if e.message.starts_with("bad hello") => {
            return Err((ErrorCode::InvalidRequest, e.message))
        }
        _ => {
            return Err((
                ErrorCode::Unauthorized,
                "the first line must be a hello".into(),
            ))
        }
    };
    if hello.protocol != PROTOCOL_VERSION {
        return Err((
            ErrorCode::UnsupportedProtocol,
            "this hub speaks protocol 1".into(),
        ));
    }
    match hub.config().device(hello.device.as_str()) {
        Some(d) if d.token_matches(&hello.token) => Ok(Handshake::Hello(d.clone(), hello.since)),
        _ => Err((
            ErrorCode::Unauthorized,
            "unknown device or wrong token".into(),
        )),
    }
}

async fn session(
    hub: &Hub,
    device: &Device,
    since: u64,
    lines: &mut LineReader<tokio::net::tcp::OwnedReadHalf>,
    out: &mut Out,
    stop: &mut watch::Receiver<bool>,
) -> End {
    // Subscribe before reading, so every event committed after the read reaches us;
    // those already in the read are skipped by seq. A display's events are written by the
    // writer itself, once its welcome is out.
    let (mut events, display) = if device.role == Role::Display {
        match hub.join_display(out.w.get_ref()) {
            Ok(joined) => (None, Some(joined)),
            Err(e) => {
                tracing::error!(error = %e, "cannot give a display's socket to the writer");
                return "socket failed";
            }
        }
    } else {
        (Some(hub.subscribe()), None)
    };
    let data = match hub.welcome(since).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the welcome");
            return out
                .fail(
                    ErrorCode::Busy,
                    "the hub cannot read its database; try again shortly",
                )
                .await;
        }
    };
    let mut last = data.seq;
    let mut catalogue = hub.watch_config();
    let (welcome, resume) = data.into_welcome(device);
    if let Err(e) = out
        .send(&ServerMessage::Welcome(welcome.for_devices()).to_line())
        .await
    {
        return e;
    }
    for e in resume {
        if let Err(e) = out.send(&ServerMessage::Event(e).to_line()).await {
            return e;
        }
    }
    if let Err(e) = out.flush().await {
        return e;
    }
    if let Some(joined) = &display {
        joined.sink.open(last);
        out.direct = Some(Arc::clone(&joined.sink));
        if let Err(e) = out.flush().await {
            return e;
        }
    }

    loop {
        tokio::select! {
            _ = stop.changed() => return "the hub is shutting down",
            Ok(()) = catalogue.changed() => {
                // Removed, or paired again with a new token: this connection's token is
                // no longer the device's.
                let still = catalogue
                    .borrow_and_update()
                    .device(device.id.as_str())
                    .is_some_and(|d| d.same_token(device) && d.role == device.role);
                if !still {
                    tracing::info!(device = %device.id, "revoked: closing its connection");
                    return out.fail(ErrorCode::Unauthorized, "revoked").await;
                }
            }
            read = lines.next() => {
                let bytes = match read {
                    Ok(Read::Line(b)) => b,
                    Ok(Read::TooLarge) => return out.fail(ErrorCode::TooLarge, "the line is longer than 65536 bytes").await,
                    Ok(Read::Eof) => return "closed by the device",
                    Err(_) => return "read failed",
                };
                let reply = answer(hub, device, &bytes).await;
                if let Err(e) = out.send_now(&reply).await {
                    return e;
                }
            }
            failure = display_wake(display.as_ref()) => {
                if let Some(failure) = failure {
                    tracing::warn!(device = %device.id, "dropping a display: {}", failure.reason());
                    return match failure.error() {
                        Some((code, message)) => out.fail(code, message).await,
                        None => failure.reason(),
                    };
                }
                if let Err(e) = out.flush().await {
                    return e;
                }
            }
            ev = next_event(events.as_mut()) => {
                let mut ev = ev;
                // Drain what is already queued, then flush once: one write for a burst.
                loop {
                    match ev {
                        Ok(e) => {
                            if let Err(why) = forward(out, &e, &mut last).await {
                                return why;
                            }
                        }
                        Err(RecvError::Lagged(n)) => {
                            tracing::warn!(device = %device.id, missed = n, "dropping a device that fell behind");
                            return out.fail(ErrorCode::TooSlow, "this connection fell too far behind; reconnect and resume").await;
                        }
                        Err(RecvError::Closed) => return "the hub is shutting down",
                    }
                    let Some(events) = events.as_mut() else { break };
                    ev = match events.try_recv() {
                        Ok(e) => Ok(e),
                        Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Closed) => Err(RecvError::Closed),
                    };
                }
                if let Err(e) = out.flush().await {
                    return e;
                }
            }
        }
    }
}

/// The next broadcast event; never, for a display (the writer writes its events).
async fn next_event(
    events: Option<&mut tokio::sync::broadcast::Receiver<Arc<EventLine>>>,
) -> Result<Arc<EventLine>, RecvError> {
    match events {
        Some(events) => events.recv().await,
        None => std::future::pending().await,
    }
}

/// A display's sink has a backlog to write, or failed (why); never, for anyone else.
async fn display_wake(display: Option<&Joined>) -> Option<Failure> {
    match display {
        Some(joined) => {
            joined.sink.wake.notified().await;
            joined.sink.failed()
        }
        None => std::future::pending().await,
    }
}

async fn forward(out: &mut Out, e: &EventLine, last: &mut u64) -> Result<(), End> {
    if e.follows(*last).map_err(|()| "event gap")? {
        out.send(&e.line).await?;
        *last = e.seq;
    }
    Ok(())
}

/// The reply to one line after the handshake.
async fn answer(hub: &Hub, device: &Device, line: &[u8]) -> ServerMessage {
    match parse_client_line(line) {
        Ok(ClientLine::Hello(_) | ClientLine::Pair(_)) => ServerMessage::Error(ErrorReply::new(
            None,
            ErrorCode::InvalidRequest,
            "hello was already said on this connection",
        )),
        // A ping changes nothing and is answered at once, without the database.
        Ok(ClientLine::Request {
            id,
            request: Request::Ping,
        }) => ServerMessage::Ok(OkReply {
            id,
            ticket: None,
            counter: None,
        }),
        Ok(ClientLine::Request { id, request }) => hub.execute(device, &id, Ok(request)).await,
        // A bad request with a readable id is remembered like any other.
        Err(e) => match e
            .id
            .clone()
            .filter(|id| (1..=antre_core::proto::MAX_ID_CHARS).contains(&id.chars().count()))
        {
            Some(id) => hub.execute(device, &id, Err(e)).await,
            None => ServerMessage::Error(e),
        },
    }
}
