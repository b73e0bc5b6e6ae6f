//! The devices' side of the hall protocol.
//!
//! [`Client::start`] connects to the hub in the background and keeps at it: hello, apply the
//! snapshot or the missed events into a [`HallView`], reconnect with backoff and jitter,
//! resume from the last `seq`, and send again every request not yet answered, with the same
//! id, so a request is executed once however often the network drops. The app reads the
//! view, sends requests, and hears [`Update`]s, which say plainly whether it is online.
//!
//! - [`view`]: the local view of the hall, fed by the snapshot and the events.
//! - [`lines`]: reading newline-delimited lines of bounded length, cancel-safe (the hub
//!   reads its devices with it too).
//! - [`settings`]: how an app is told its hub, device and token.

pub mod lines;
pub mod pairing;
pub mod settings;
pub mod view;

use crate::lines::{LineReader, Read};
use antre_core::domain::DeviceId;
use antre_core::proto::{
    ErrorCode, ErrorReply, Event, Hello, OkReply, Request, RequestLine, ServerMessage,
    PROTOCOL_VERSION,
};
use rand::Rng;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
pub use view::{Applied, HallView, RecentCall};

/// The largest line a client accepts: a busy day's snapshot is far above the hub's limit
/// for requests.
const MAX_SERVER_LINE: usize = 64 * 1024 * 1024;
/// A hub on the hall's LAN answers a connect within milliseconds; a connect that hangs this
/// long has lost its SYN (a pulled cable) and is tried again rather than waited on.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const WELCOME_TIMEOUT: Duration = Duration::from_secs(15);
/// After this much silence the client pings (the hub answers at once, without its
/// database); after [`DEAD_AFTER`] without a line, the link is dead: a pulled cable shows as
/// offline within about ten seconds.
const PING_EVERY: Duration = Duration::from_secs(3);
const DEAD_AFTER: Duration = Duration::from_secs(9);
/// Reconnect attempts back off from this to [`MAX_BACKOFF`] apart, with jitter: a device is
/// current again within about two seconds of its cable returning, and 50 displays retrying
/// together are a trickle for the hub.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Where and who to connect as.
#[derive(Clone)]
pub struct ClientConfig {
    /// The hub, `host:port`.
    pub hub: String,
    pub device: DeviceId,
    pub token: String,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("hub", &self.hub)
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

/// Whether the device is talking to the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Connecting for the first time.
    Connecting,
    /// Welcomed, and the view is current.
    Online,
    /// Not connected; retrying. The reason, in words, for the technician.
    Offline(String),
}

/// What the app hears, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// Welcomed. `fresh`: the view was rebuilt from a snapshot (first connection, a new day,
    /// or too long away); otherwise it resumed and the missed events follow as `Event`s.
    Online { fresh: bool },
    /// The connection is lost; the client is retrying.
    Offline(String),
    /// An event, already applied to the view.
    Event(Box<Event>),
}

/// Why a request got no `ok`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// The hub answered with an error.
    #[error("{}: {}", .0.code.as_str(), .0.message)]
    Refused(ErrorReply),
    /// The client was stopped before an answer came.
    #[error("the client stopped")]
    Stopped,
}

impl RequestError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            RequestError::Refused(e) => Some(e.code),
            RequestError::Stopped => None,
        }
    }
}

struct Pending {
    line: RequestLine,
    reply: oneshot::Sender<Result<OkReply, RequestError>>,
}

/// A handle to the background connection. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    requests: mpsc::UnboundedSender<Pending>,
    view: Arc<Mutex<HallView>>,
    status: watch::Receiver<Status>,
    ids: Arc<IdGen>,
}

/// Request ids unique for this device across restarts: a random run prefix and a counter.
struct IdGen {
    run: String,
    next: std::sync::atomic::AtomicU64,
}

impl IdGen {
    fn new() -> Self {
        IdGen {
            run: format!("{:08x}", rand::thread_rng().gen::<u32>()),
            next: 1.into(),
        }
    }
    fn next(&self) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{n}", self.run)
    }
}

impl Client {
    /// Starts connecting in the background on the current tokio runtime. Returns the handle
    /// and the stream of updates; the client stops when every handle is dropped.
    pub fn start(cfg: ClientConfig) -> (Client, mpsc::UnboundedReceiver<Update>) {
        let (req_tx, req_rx) = mpsc::unbounded_channel();
        let (upd_tx, upd_rx) = mpsc::unbounded_channel();
        let (status_tx, status_rx) = watch::channel(Status::Connecting);
        let view = Arc::new(Mutex::new(HallView::default()));
        let conn = Connection {
            cfg,
            view: Arc::clone(&view),
            updates: upd_tx,
            status: status_tx,
            requests: req_rx,
            unanswered: VecDeque::new(),
        };
        tokio::spawn(conn.run());
        (
            Client {
                requests: req_tx,
                view,
                status: status_rx,
                ids: Arc::new(IdGen::new()),
            },
            upd_rx,
        )
    }

    /// Sends a request with a fresh id and waits for its reply, however long the hub is
    /// away: while offline, it waits to be sent.
    ///
    /// # Errors
    /// The hub refused it, or the client stopped.
    pub async fn request(&self, request: Request) -> Result<OkReply, RequestError> {
        self.request_with_id(self.ids.next(), request).await
    }

    /// A fresh request id, for callers that keep the id to send the same request again.
    pub fn new_id(&self) -> String {
        self.ids.next()
    }

    /// Sends a request with the given id. The hub executes an id once per device and day;
    /// the same id again gets the first reply.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub async fn request_with_id(
        &self,
        id: String,
        request: Request,
    ) -> Result<OkReply, RequestError> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(Pending {
                line: RequestLine { id, request },
                reply: tx,
            })
            .map_err(|_| RequestError::Stopped)?;
        rx.await.unwrap_or(Err(RequestError::Stopped))
    }

    /// Reads the view. A std mutex: nothing awaits while it is held.
    pub fn with_view<T>(&self, f: impl FnOnce(&HallView) -> T) -> T {
        f(&self.view.lock().expect("view lock"))
    }

    pub fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    pub fn is_online(&self) -> bool {
        matches!(*self.status.borrow(), Status::Online)
    }

    /// Waits until the status satisfies `f`.
    pub async fn wait_for_status(&mut self, f: impl Fn(&Status) -> bool) {
        let _ = self.status.wait_for(|s| f(s)).await;
    }
}

struct Connection {
    cfg: ClientConfig,
    view: Arc<Mutex<HallView>>,
    updates: mpsc::UnboundedSender<Update>,
    status: watch::Sender<Status>,
    requests: mpsc::UnboundedReceiver<Pending>,
    /// Sent (or to be sent) and not answered, in order.
    unanswered: VecDeque<Pending>,
}

enum Ended {
    /// Every handle is gone.
    Stopped,
    /// The connection failed; retry.
    Lost(String),
}

impl Connection {
    async fn run(mut self) {
        let mut backoff = FIRST_BACKOFF;
        loop {
            match self.session().await {
                Ended::Stopped => break,
                Ended::Lost(reason) => {
                    let was_online = matches!(*self.status.borrow(), Status::Online);
                    if was_online {
                        backoff = FIRST_BACKOFF;
                    }
                    tracing::info!(device = %self.cfg.device, "offline: {reason}");
                    let status = Status::Offline(reason.clone());
                    if *self.status.borrow() != status {
                        let _ = self.status.send(status);
                        let _ = self.updates.send(Update::Offline(reason));
                    }
                }
            }
            // Jitter: a hall of devices that lost the hub together does not return together.
            let wait = backoff.mul_f64(rand::thread_rng().gen_range(0.5..1.0));
            if self.idle_wait(wait).await {
                break;
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        for p in self.unanswered.drain(..) {
            let _ = p.reply.send(Err(RequestError::Stopped));
        }
    }

    /// Waits `d` while offline, queueing new requests; true when every handle is gone.
    async fn idle_wait(&mut self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return false,
                p = self.requests.recv() => match p {
                    Some(p) => self.unanswered.push_back(p),
                    None => return true,
                },
            }
        }
    }

    async fn session(&mut self) -> Ended {
        let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&self.cfg.hub))
            .await
        {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                return Ended::Lost(format!("cannot reach the hub at {}: {e}", self.cfg.hub))
            }
            Err(_) => return Ended::Lost(format!("the hub at {} does not answer", self.cfg.hub)),
        };
        let _ = stream.set_nodelay(true);
        let (r, mut w) = stream.into_split();
        let mut lines = LineReader::new(r, MAX_SERVER_LINE);
        let since = self.view.lock().expect("view lock").seq;
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            device: self.cfg.device.clone(),
            token: self.cfg.token.clone(),
            since,
        };
        if w.write_all(hello.to_line().as_bytes()).await.is_err() {
            return Ended::Lost("the hub closed the connection".into());
        }

        let welcome = match tokio::time::timeout(WELCOME_TIMEOUT, lines.next()).await {
            Ok(Ok(Read::Line(b))) => match serde_json::from_slice::<ServerMessage>(&b) {
                Ok(ServerMessage::Welcome(w)) => w,
                Ok(ServerMessage::Error(e)) => {
                    return Ended::Lost(format!(
                        "the hub refused this device ({}): {}",
                        e.code.as_str(),
                        e.message
                    ))
                }
                _ => return Ended::Lost("the hub sent something other than a welcome".into()),
            },
            Ok(_) => return Ended::Lost("the hub closed the connection".into()),
            Err(_) => return Ended::Lost("the hub did not welcome this device in time".into()),
        };
        let fresh = welcome.snapshot.is_some();
        self.view.lock().expect("view lock").apply_welcome(&welcome);
        let _ = self.status.send(Status::Online);
        let _ = self.updates.send(Update::Online { fresh });
        tracing::info!(device = %self.cfg.device, seq = welcome.seq, fresh, "online");

        // Everything unanswered goes again, in order, with the same ids; what nobody waits
        // for any more is dropped (a kiosk that gave up must not issue a ticket later).
        self.unanswered.retain(|p| !p.reply.is_closed());
        let mut out = String::new();
        for p in &self.unanswered {
            out.push_str(&p.line.to_line());
        }
        if !out.is_empty() && w.write_all(out.as_bytes()).await.is_err() {
            return Ended::Lost("the hub closed the connection".into());
        }

        let mut last_heard = Instant::now();
        let mut last_ping = last_heard;
        let mut pings = 0u64;
        loop {
            // Quiet for PING_EVERY: ping. Nothing heard for DEAD_AFTER: the link is dead.
            let wake = last_heard.max(last_ping) + PING_EVERY;
            tokio::select! {
                read = lines.next() => {
                    let bytes = match read {
                        Ok(Read::Line(b)) => b,
                        Ok(Read::TooLarge) => return Ended::Lost("the hub sent a line too large to read".into()),
                        Ok(Read::Eof) | Err(_) => return Ended::Lost("the hub closed the connection".into()),
                    };
                    last_heard = Instant::now();
                    match serde_json::from_slice::<ServerMessage>(&bytes) {
                        Ok(ServerMessage::Event(e)) => {
                            let applied = self.view.lock().expect("view lock").apply(&e);
                            match applied {
                                Applied::Ok => { let _ = self.updates.send(Update::Event(Box::new(e))); }
                                Applied::Old => {}
                                Applied::Gap { expected, got } => {
                                    return Ended::Lost(format!("missed events {expected}..{got}; resuming"));
                                }
                            }
                        }
                        Ok(ServerMessage::Ok(ok)) => self.answer(&ok.id.clone(), Ok(ok)),
                        Ok(ServerMessage::Error(e)) => match e.id.clone() {
                            Some(id) => self.answer(&id, Err(e)),
                            None => return Ended::Lost(format!("the hub closed the connection ({}): {}", e.code.as_str(), e.message)),
                        },
                        Ok(ServerMessage::Welcome(_) | ServerMessage::Paired(_)) | Err(_) => {
                            tracing::warn!("ignoring a line from the hub that is not understood");
                        }
                    }
                }
                p = self.requests.recv() => {
                    let Some(p) = p else { return Ended::Stopped };
                    let line = p.line.to_line();
                    self.unanswered.push_back(p);
                    if w.write_all(line.as_bytes()).await.is_err() {
                        return Ended::Lost("the hub closed the connection".into());
                    }
                }
                _ = tokio::time::sleep_until(wake) => {
                    if last_heard.elapsed() >= DEAD_AFTER {
                        return Ended::Lost("the hub stopped answering".into());
                    }
                    pings += 1;
                    last_ping = Instant::now();
                    let ping = RequestLine { id: format!("ping-{pings}"), request: Request::Ping };
                    if w.write_all(ping.to_line().as_bytes()).await.is_err() {
                        return Ended::Lost("the hub closed the connection".into());
                    }
                }
            }
        }
    }

    fn answer(&mut self, id: &str, result: Result<OkReply, ErrorReply>) {
        if let Some(i) = self.unanswered.iter().position(|p| p.line.id == id) {
            let p = self.unanswered.remove(i).expect("index is in range");
            let _ = p.reply.send(result.map_err(RequestError::Refused));
        }
        // Pong, or the answer to a request whose caller gave up: nothing to do.
    }
}

/// Logs to stderr, filtered by `ANTRE_LOG` (default `info`), coloured only on a terminal.
/// Every Antre program calls this first.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANTRE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
