//! The hub: the hall protocol over TCP.
//!
//! - [`Hub`]: owns the [`Hall`] on a writer thread (requests are serialized through it, one
//!   transaction each) and broadcasts each committed event once, already serialized.
//! - [`run`]: the accept loop, one task per connection, graceful shutdown.
//! - `connection`: one device's connection: handshake, requests, events.
//! - `displays`: the wall displays' sockets (the protocol's and the web pages' feeds), which
//!   the writer writes each change to itself.
//!

mod admission;
mod connection;
pub(crate) mod displays;

use crate::config::{Config, Device};
use crate::hall::welcome::{self, WelcomeData};
use crate::hall::Hall;
use crate::store::{open_reader, SchemaError, WAL_LIMIT_BYTES};
use antre_core::clock::Clock;
use antre_core::proto::{ErrorCode, ErrorReply, Request, ServerMessage};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Semaphore};

/// The runtime the hub serves on: one thread for every connection and page, beside the
/// writer thread (SQLite) and a small pool for reads. Measured with `antre-bench` on two
/// cores, it reaches the displays sooner than a multi-threaded one: a call's fan-out is a
/// run of small writes that one thread does best without handing tasks between threads.
///
/// # Errors
/// The runtime cannot be built.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Raises this process's open-file limit to what the config's connection limits need (up
/// to the hard limit), so a flood of sockets meets the hub's own limits, not the kernel's,
/// and a device can still connect. Says so when the hard limit is too low.
pub fn raise_file_limit(cfg: &Config) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let net = &cfg.hall.net;
    let web = &cfg.hall.web;
    // Sockets, plus the database, its WAL, the log and the readers' files.
    let needed =
        (net.max_connections + net.max_unauthenticated + web.http_max_connections + 256) as u64;
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return;
    };
    if soft >= needed {
        return;
    }
    let want = needed.min(hard);
    if let Err(e) = setrlimit(Resource::RLIMIT_NOFILE, want, hard) {
        tracing::warn!(error = %e, soft, "cannot raise the open-file limit");
    }
    if want < needed {
        tracing::warn!(
            limit = want,
            needed,
            "the system allows this hub {want} open files, its connection limits need {needed}: \
             raise LimitNOFILE (systemd) or lower http_max_connections"
        );
    }
}

/// Requests waiting for the writer before new ones get `busy`.
const WRITE_QUEUE: usize = 1024;
/// How often the hub checks whether a new service day has started.
const DAY_CHECK: Duration = Duration::from_secs(2);

/// How often the WAL is copied back into the database file, away from the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);
/// How often the checkpointer looks at the WAL's size.
const WAL_WATCH_EVERY: Duration = Duration::from_millis(100);

/// A committed event, serialized once for every connection.
#[derive(Debug)]
pub struct EventLine {
    pub seq: u64,
    /// The event itself, for the hub's own readers (the web pages).
    pub event: antre_core::proto::Event,
    /// The event as one protocol line for devices ([`antre_core::proto::Event::for_devices`]),
    /// `\n` included.
    pub line: String,
    /// The event as the web displays' SSE frames, made once by the writer for every feed.
    pub sse: std::sync::OnceLock<axum::body::Bytes>,
}

impl EventLine {
    /// The event as a web display's SSE frames (made once).
    pub(crate) fn sse_frames(&self, cfg: &Config) -> &axum::body::Bytes {
        self.sse
            .get_or_init(|| crate::web::sse::of_event(cfg, &self.event, Some(&self.line)).into())
    }

    /// Whether a connection that has sent every event up to `last` sends this one next.
    /// `Err`: it would skip events (cannot happen while the writer is the only source; the
    /// connection closes so the device resumes, logged here).
    fn follows(&self, last: u64) -> Result<bool, ()> {
        if self.seq <= last {
            return Ok(false); // already in the welcome
        }
        if self.seq != last + 1 {
            tracing::error!(
                expected = last + 1,
                got = self.seq,
                "event gap; closing so the device resumes"
            );
            return Err(());
        }
        Ok(true)
    }
}

/// Whether a change calls a ticket to a counter (the wall says it aloud).
fn calls(change: &[Arc<EventLine>]) -> bool {
    use antre_core::proto::EventKind;
    change.iter().any(|e| {
        matches!(
            e.event.kind,
            EventKind::TicketCalled | EventKind::TicketRecalled
        )
    })
}

enum Job {
    Execute {
        device: Device,
        id: String,
        request: Box<Result<Request, ErrorReply>>,
        reply: oneshot::Sender<ServerMessage>,
    },
    Tick,
    /// Anything else the writer does for the console (the catalogue, users, pairing): runs on
    /// the hall, returns the events it committed, and answers its caller itself.
    Run(WriterTask),
    /// Finish: the writer stops after the jobs queued before this one.
    Stop,
}

/// What a [`Hub::run`] job committed: events, and the same as device lines.
pub type Change = (Vec<antre_core::proto::Event>, Vec<String>);

/// Work for the writer thread ([`Hub::run`]).
type WriterTask = Box<dyn FnOnce(&mut Hall, DateTime<Utc>) -> (Change, Answer) + Send>;

/// Answers the caller of a [`Hub::run`] job: called after the hub serves by what it did.
type Answer = Box<dyn FnOnce() + Send>;

/// The hub's shared state: config, the writer, and the event broadcast.
pub struct Hub {
    /// The config the hall serves by now: `[hall]` from the file, the catalogue from the
    /// database. It changes when the console changes the catalogue; connections watch it
    /// (a revoked device's close at once).
    cfg: watch::Sender<Arc<Config>>,
    db: PathBuf,
    clock: Clock,
    jobs: mpsc::Sender<Job>,
    events: broadcast::Sender<Arc<EventLine>>,
    /// The protocol's displays, which the writer writes to itself, before anyone else: a
    /// call is seen and heard in the hall before the officer's own screen hears back.
    displays: Arc<displays::Displays>,
    /// The web displays' feeds, written by the writer the same way, after those.
    feeds: Arc<displays::Displays>,
    /// The `seq` of the last committed event, set before the reply goes out.
    committed: Arc<std::sync::atomic::AtomicU64>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    checkpointer: Mutex<Option<Checkpointer>>,
    /// Which devices are connected, and since when (or since when not).
    presence: Mutex<std::collections::HashMap<antre_core::domain::DeviceId, Presence>>,
    /// Bumped whenever a device comes online or goes offline (the console follows it).
    presence_changed: watch::Sender<u64>,
    /// When this hub started: devices not seen since are offline since then.
    pub started: DateTime<Utc>,
    /// When presence was last written to the database ([`Hub::save_presence`]).
    presence_saved: Mutex<DateTime<Utc>>,
    /// Up to which `seq` old events may be pruned (the hall's; moved by the link to the
    /// city's service).
    prunable_to: Arc<std::sync::atomic::AtomicU64>,
    /// Wrong pairing codes per address in the last minute.
    pair_failures: Mutex<std::collections::HashMap<std::net::IpAddr, Vec<std::time::Instant>>>,
}

/// Whether a device is connected, and since when it is (or is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub connections: u32,
    pub since: DateTime<Utc>,
}

/// How often the devices' presence is written down ([`Hub::save_presence`]).
const PRESENCE_SAVE: Duration = Duration::from_secs(60);

/// Wrong pairing codes one address may send per minute; more get `busy`.
pub const PAIR_FAILURES_PER_MINUTE: usize = 5;

impl Hub {
    /// Opens the database and starts the writer thread.
    ///
    /// # Errors
    /// The database cannot be opened or upgraded.
    pub fn start(cfg: Arc<Config>, db: &Path, clock: Clock) -> Result<Arc<Hub>, SchemaError> {
        Self::start_seeded(&cfg, db, clock, crate::hall::catalogue::Seed::Database)
    }

    /// As [`Hub::start`], the catalogue from `seed` (the demo takes its config's).
    ///
    /// # Errors
    /// As [`Hub::start`].
    pub fn start_seeded(
        cfg: &Config,
        db: &Path,
        clock: Clock,
        seed: crate::hall::catalogue::Seed,
    ) -> Result<Arc<Hub>, SchemaError> {
        let mut hall = Hall::open_seeded(db, cfg, seed)?;
        let cfg = Arc::clone(hall.config());
        let prunable_to = hall.prunable_to();
        let (cfg_tx, _) = watch::channel(Arc::clone(&cfg));
        let writer_cfg = cfg_tx.clone();
        // Checkpoints run on their own connection and thread (PASSIVE: they never block
        // the writer), so no request pays for copying the WAL back.
        hall.store().checkpoint_elsewhere()?;
        // Start the day now, so the first welcome already sees today.
        let started = clock();
        let first = hall.tick(started)?;
        let (jobs, mut rx) = mpsc::channel::<Job>(WRITE_QUEUE);
        let (events, _) = broadcast::channel(cfg.hall.net.client_buffer_events);
        let tx_events = events.clone();
        let displays = Arc::new(displays::Displays::new(displays::Framing::Lines));
        let feeds = Arc::new(displays::Displays::new(displays::Framing::Sse));
        let writer_displays = Arc::clone(&displays);
        let writer_feeds = Arc::clone(&feeds);
        let committed = Arc::new(std::sync::atomic::AtomicU64::new(hall.last_seq()));
        let checkpointer = spawn_checkpointer(db.to_owned(), Arc::clone(&committed));
        let thread_committed = Arc::clone(&committed);
        let thread_clock = Arc::clone(&clock);
        let writer = std::thread::Builder::new()
            .name("antre-writer".into())
            .spawn(move || {
                // A change's events with the lines the store made of them, once for every
                // connection. No receivers is fine: nobody is connected.
                let made = |(evs, lines): (Vec<antre_core::proto::Event>, Vec<String>)| {
                    evs.into_iter()
                        .zip(lines)
                        .map(|(e, line)| {
                            Arc::new(EventLine {
                                seq: e.seq,
                                line,
                                event: e,
                                sse: std::sync::OnceLock::new(),
                            })
                        })
                        .collect::<Vec<_>>()
                };
                // The protocol's displays, then the web displays' feeds, written here.
                let to_displays = |lines: &[Arc<EventLine>], cfg: &Config| {
                    writer_displays.send(lines, cfg);
                    writer_feeds.send(lines, cfg);
                };
                let to_everyone = |lines: Vec<Arc<EventLine>>| {
                    for l in lines {
                        let _ = tx_events.send(l);
                    }
                };
                let first = made(first);
                to_displays(&first, hall.config());
                to_everyone(first);
                // `blocking_recv`: this is a plain thread, and SQLite calls block.
                while let Some(job) = rx.blocking_recv() {
                    match job {
                        Job::Execute {
                            device,
                            id,
                            request,
                            reply,
                        } => {
                            let out = hall.execute(
                                thread_clock(),
                                &device,
                                &id,
                                request.as_ref().as_ref(),
                            );
                            // All after the commit. A call is seen and heard in the hall
                            // first, then the officer's screen hears back; anything else
                            // answers its device first (a kiosk's visitor waits for the
                            // ticket; the wall has nothing to call out). Then everyone else.
                            thread_committed.store(hall.last_seq(), Ordering::SeqCst);
                            let events = made((out.events, out.lines));
                            if calls(&events) {
                                to_displays(&events, hall.config());
                                let _ = reply.send(out.reply);
                            } else {
                                let _ = reply.send(out.reply);
                                to_displays(&events, hall.config());
                            }
                            to_everyone(events);
                        }
                        Job::Tick => match hall.tick(thread_clock()) {
                            Ok(change) => {
                                thread_committed.store(hall.last_seq(), Ordering::SeqCst);
                                let events = made(change);
                                to_displays(&events, hall.config());
                                to_everyone(events);
                            }
                            Err(e) => tracing::error!(error = %e, "day check failed"),
                        },
                        Job::Run(f) => {
                            let (change, answer) = f(&mut hall, thread_clock());
                            thread_committed.store(hall.last_seq(), Ordering::SeqCst);
                            // The catalogue changed: everyone serves by the new one before
                            // its event goes out.
                            if !Arc::ptr_eq(hall.config(), &writer_cfg.borrow()) {
                                writer_cfg.send_replace(Arc::clone(hall.config()));
                            }
                            let events = made(change);
                            to_displays(&events, hall.config());
                            answer();
                            to_everyone(events);
                        }
                        Job::Stop => break,
                    }
                }
                // Jobs queued after the stop are dropped: their callers hear `busy`.
                rx.close();
                tracing::debug!("writer stopped");
            })
            .expect("spawning the writer thread");
        Ok(Arc::new(Hub {
            cfg: cfg_tx,
            db: db.to_owned(),
            clock,
            jobs,
            events,
            displays,
            feeds,
            committed,
            writer: Mutex::new(Some(writer)),
            checkpointer: Mutex::new(checkpointer),
            pair_failures: Mutex::default(),
            prunable_to,
            presence: Mutex::default(),
            presence_changed: watch::channel(0).0,
            started,
            presence_saved: Mutex::new(started),
        }))
    }

    /// The config the hall serves by now.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.cfg.borrow())
    }

    /// Notes that `device` connected (`up`) or disconnected.
    pub fn seen(&self, device: &antre_core::domain::DeviceId, up: bool) {
        let now = self.now();
        let mut all = self.presence.lock().expect("presence lock");
        let p = all.entry(device.clone()).or_insert(Presence {
            connections: 0,
            since: now,
        });
        let was_online = p.connections > 0;
        p.connections = if up {
            p.connections + 1
        } else {
            p.connections.saturating_sub(1)
        };
        if was_online != (p.connections > 0) {
            p.since = now;
            self.presence_changed.send_modify(|n| *n += 1);
        }
    }

    /// Wakes when a device comes online or goes offline.
    pub fn watch_presence(&self) -> watch::Receiver<u64> {
        self.presence_changed.subscribe()
    }

    /// Whether `device` is connected now, and since when it is (or is not).
    pub fn presence(&self, device: &antre_core::domain::DeviceId) -> Presence {
        let all = self.presence.lock().expect("presence lock");
        all.get(device).copied().unwrap_or(Presence {
            connections: 0,
            since: self.started,
        })
    }

    /// Writes down when each device was last connected: now for those online, the moment
    /// they left for those that went offline since the last time. Called once a minute and
    /// at shutdown; `antre-hub doctor` reads it.
    pub async fn save_presence(&self) {
        let now = self.now();
        let since = std::mem::replace(
            &mut *self.presence_saved.lock().expect("presence lock"),
            now,
        );
        let seen: Vec<(String, i64)> = {
            let all = self.presence.lock().expect("presence lock");
            all.iter()
                .filter_map(|(device, p)| {
                    let at = if p.connections > 0 {
                        now
                    } else if p.since >= since {
                        p.since
                    } else {
                        return None;
                    };
                    Some((device.as_str().to_owned(), at.timestamp_millis()))
                })
                .collect()
        };
        if seen.is_empty() {
            return;
        }
        let saved = self
            .run(move |hall, now| (hall.note_seen(now, &seen), (vec![], vec![])))
            .await;
        if let Some(Err(e)) = saved {
            tracing::warn!(error = %e, "could not write down which devices were seen");
        }
    }

    /// Reads the database on a reader connection, away from the writer.
    ///
    /// # Errors
    /// SQLite fails.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::store::dao::Dao<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let (db, now) = (self.db.clone(), self.now());
        let out = tokio::task::spawn_blocking(move || {
            let conn = open_reader(&db)?;
            crate::store::read(&conn, |tx| {
                let day = tx.dao("", 0).stored_day()?.unwrap_or_default();
                f(&tx.dao(&day, now.timestamp_millis()))
            })
        })
        .await??;
        Ok(out)
    }

    /// Follows the config as the console changes it.
    pub fn watch_config(&self) -> watch::Receiver<Arc<Config>> {
        self.cfg.subscribe()
    }

    /// Runs `f` on the writer thread, on the hall, at the hub's time, and returns what it
    /// returned; the events it committed are broadcast after it. `None`: the hub is
    /// overloaded or shutting down, and `f` did not run.
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Hall, DateTime<Utc>) -> (R, Change) + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = oneshot::channel();
        let job = Job::Run(Box::new(move |hall, now| {
            let (r, change) = f(hall, now);
            let answer: Answer = Box::new(move || {
                let _ = tx.send(r);
            });
            (change, answer)
        }));
        self.jobs.try_send(job).ok()?;
        rx.await.ok()
    }

    /// The database file the hub serves from (reports open their own reader on it).
    pub fn database(&self) -> &Path {
        &self.db
    }

    /// The hub's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The `seq` of the last committed event: a reader that has applied it has seen every
    /// change a reply has announced.
    pub fn committed_seq(&self) -> u64 {
        self.committed.load(Ordering::SeqCst)
    }

    /// Subscribes to committed events. Subscribe before reading a welcome, so nothing
    /// committed after the read is missed.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EventLine>> {
        self.events.subscribe()
    }

    /// A protocol display's place among the displays the writer writes to itself, holding
    /// its events until its welcome is out ([`displays`]).
    fn join_display(
        &self,
        w: &tokio::net::tcp::OwnedWriteHalf,
    ) -> std::io::Result<displays::Joined> {
        self.join(&self.displays, w.as_ref())
    }

    /// A web display feed's place among the feeds the writer writes to itself, holding its
    /// events until its welcome is out (`web::feed`).
    pub(crate) fn join_feed(
        &self,
        tcp: &tokio::net::TcpStream,
    ) -> std::io::Result<displays::Joined> {
        // The kernel holds as much for a feed as for a protocol display, no more.
        let send_buffer = self.config().hall.net.client_send_buffer_bytes;
        let _ = socket2::SockRef::from(tcp).set_send_buffer_size(send_buffer);
        self.join(&self.feeds, tcp)
    }

    fn join(
        &self,
        displays: &Arc<displays::Displays>,
        tcp: &tokio::net::TcpStream,
    ) -> std::io::Result<displays::Joined> {
        let net = &self.config().hall.net;
        displays.join(
            tcp,
            net.client_buffer_events,
            net.client_send_buffer_bytes.max(displays::MIN_BACKLOG),
        )
    }

    /// Executes a request from `device` and returns the reply, after the commit.
    pub async fn execute(
        &self,
        device: &Device,
        id: &str,
        request: Result<Request, ErrorReply>,
    ) -> ServerMessage {
        // Roles are checked here, once, before the writer: a refused request costs it nothing.
        if let Ok(req) = &request {
            if let Err(why) = req.permitted(device.role, device.counter.as_ref()) {
                return ServerMessage::Error(ErrorReply::new(Some(id), ErrorCode::Forbidden, why));
            }
        }
        let (tx, rx) = oneshot::channel();
        let job = Job::Execute {
            device: device.clone(),
            id: id.to_owned(),
            request: Box::new(request),
            reply: tx,
        };
        let busy = |m: &str| ServerMessage::Error(ErrorReply::new(Some(id), ErrorCode::Busy, m));
        if self.jobs.try_send(job).is_err() {
            return busy("the hub is overloaded; nothing was done, send the same request again");
        }
        rx.await.unwrap_or_else(|_| {
            busy("the hub is shutting down; nothing was done, send the same request again")
        })
    }

    /// Pairs a new device with its single-use `code` (the protocol's `pair`), for a
    /// connection from `peer`: its new token, or why not. More than
    /// [`PAIR_FAILURES_PER_MINUTE`] wrong codes a minute from one address get `busy`, even a
    /// right one, so codes cannot be guessed.
    pub async fn pair(
        &self,
        peer: std::net::IpAddr,
        code: String,
    ) -> Result<antre_core::proto::Paired, (ErrorCode, &'static str)> {
        let minute = Duration::from_secs(60);
        let too_many = {
            let mut failures = self.pair_failures.lock().expect("pair lock");
            let now = std::time::Instant::now();
            failures.retain(|_, v| {
                v.retain(|t| now.duration_since(*t) < minute);
                !v.is_empty()
            });
            failures
                .get(&peer)
                .is_some_and(|v| v.len() >= PAIR_FAILURES_PER_MINUTE)
        };
        if too_many {
            return Err((
                ErrorCode::Busy,
                "too many wrong pairing codes from this address; wait a minute",
            ));
        }
        let paired = self
            .run(move |hall, now| match hall.pair(now, &code) {
                Ok(p) => (Ok(p), (vec![], vec![])),
                Err(e) => {
                    tracing::error!(error = ?e, "pairing failed");
                    (Err(()), (vec![], vec![]))
                }
            })
            .await;
        match paired {
            Some(Ok(Some(p))) => Ok(p),
            Some(Ok(None)) => {
                let mut failures = self.pair_failures.lock().expect("pair lock");
                failures
                    .entry(peer)
                    .or_default()
                    .push(std::time::Instant::now());
                Err((
                    ErrorCode::Unauthorized,
                    "unknown, used or expired pairing code",
                ))
            }
            Some(Err(())) | None => Err((ErrorCode::Busy, "the hub could not pair now; try again")),
        }
    }

    /// Reads what a device that last applied `since` needs to catch up.
    ///
    /// # Errors
    /// The database cannot be read.
    pub async fn welcome(&self, since: u64) -> anyhow::Result<WelcomeData> {
        let (db, cfg, now) = (self.db.clone(), self.config(), (self.clock)());
        let data = tokio::task::spawn_blocking(move || {
            let conn = open_reader(&db)?;
            welcome::welcome(&conn, &cfg, now, since)
        })
        .await??;
        Ok(data)
    }

    /// Asks the writer to check for a new service day.
    pub fn tick(&self) {
        let _ = self.jobs.try_send(Job::Tick);
    }

    /// Stops the writer after the requests already queued, and waits for it: the database
    /// is closed cleanly when this returns. Later requests get `busy`.
    pub async fn close(&self) {
        // The checkpointer first: the writer's connection is then the last one, and SQLite
        // checkpoints and removes the WAL when it closes.
        let checkpointer = self.checkpointer.lock().expect("checkpointer lock").take();
        if let Some(Checkpointer { stop, thread }) = checkpointer {
            drop(stop);
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        let handle = self.writer.lock().expect("writer lock").take();
        if let Some(h) = handle {
            // `send` waits for room in the queue: the stop is never lost to a full queue.
            let _ = self.jobs.send(Job::Stop).await;
            let _ = tokio::task::spawn_blocking(move || h.join()).await;
        }
    }
}

/// The thread that checkpoints; dropping `stop` ends it.
struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

/// Copies the WAL into the database file, on its own thread until stopped:
/// - every [`CHECKPOINT_EVERY`], PASSIVE while the hall is busy (it takes no lock the writer
///   needs), and TRUNCATE once nothing was committed for a whole period, so the `-wal` file
///   shrinks to nothing when the hall pauses;
/// - and whenever the `-wal` file has grown past [`WAL_LIMIT_BYTES`] (a busy minute: the
///   WAL only starts over by itself between writes, which never come under a steady
///   stream), PASSIVE and then RESTART for what is left, which holds the writer for a moment
///   only. The file keeps its blocks (cut back to that size), so the commits after it
///   overwrite them instead of growing the file (an `fsync` that must record a new size
///   costs twice as much); it only grows past the limit again with that much new WAL.
fn spawn_checkpointer(
    db: PathBuf,
    committed: Arc<std::sync::atomic::AtomicU64>,
) -> Option<Checkpointer> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let thread = std::thread::Builder::new()
        .name("antre-checkpoint".into())
        .spawn(move || {
            let conn = match crate::store::Checkpointer::open(&db) {
                Ok(c) => c,
                Err(e) => {
                    return tracing::error!(error = %e, "the checkpointer cannot open the database")
                }
            };
            let wal_bytes = || std::fs::metadata(&wal).map_or(0, |m| m.len());
            let mut seen = committed.load(Ordering::SeqCst);
            let mut last_period = std::time::Instant::now();
            // The commit count at the last RESTART that finished.
            let mut restarted: Option<u64> = None;
            // Waiting on the channel is the pause; a disconnect is the stop.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(WAL_WATCH_EVERY)
            {
                // A file still past the limit after a RESTART with no commit since holds
                // nothing new (the next commit cuts it): that is for the idle rule below.
                let commits = committed.load(Ordering::SeqCst);
                let done = if wal_bytes() > WAL_LIMIT_BYTES && restarted != Some(commits) {
                    conn.checkpoint()
                        .and_then(|()| conn.restart())
                        .map(|finished| {
                            if finished {
                                restarted = Some(commits);
                            }
                        })
                } else if last_period.elapsed() >= CHECKPOINT_EVERY {
                    last_period = std::time::Instant::now();
                    let idle = commits == seen;
                    seen = commits;
                    match (idle, wal_bytes()) {
                        (true, 0) => Ok(()),
                        (true, _) => conn.truncate().map(|_| ()),
                        (false, _) => conn.checkpoint(),
                    }
                } else {
                    Ok(())
                };
                if let Err(e) = done {
                    tracing::warn!(error = %e, "checkpoint failed; will retry");
                }
            }
        })
        .ok()?;
    Some(Checkpointer { stop, thread })
}

/// Serves the hall protocol on `listener` until `shutdown` completes, then closes every
/// connection and waits for their tasks to end.
///
/// # Errors
/// Accepting fails in a way that is not about one connection.
pub async fn run(
    listener: TcpListener,
    hub: Arc<Hub>,
    shutdown: impl Future,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Each connection task holds a clone; when all are dropped, every task has ended.
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    // Devices that said hello hold `slots`; sockets that have not yet, a place in
    // `admission`, apart: a flood of the second kind never takes the first kind's room.
    let net = hub.config().hall.net.clone();
    let slots = Arc::new(Semaphore::new(net.max_connections));
    let admission =
        admission::Admission::new(net.max_unauthenticated, net.unauthenticated_per_client);

    let ticker = {
        let hub = Arc::clone(&hub);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(DAY_CHECK);
            let mut presence = tokio::time::interval(PRESENCE_SAVE);
            loop {
                tokio::select! {
                    _ = every.tick() => hub.tick(),
                    _ = presence.tick() => hub.save_presence().await,
                    _ = stop.changed() => break,
                }
            }
        })
    };

    let central = match hub.config().hall.central.clone() {
        Some(link) => {
            tracing::info!(url = %link.url, hall = %link.hall, "linked to the city's service");
            crate::central::spawn(
                Arc::clone(&hub),
                link,
                Arc::clone(&hub.prunable_to),
                stop_rx.clone(),
            )
        }
        None => vec![],
    };

    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: log, breathe, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let (place, made_room) = admission.admit(peer.ip());
        if made_room {
            tracing::debug!(%peer, "too many connections without a hello: closed the oldest");
        }
        let (hub, stop, done) = (Arc::clone(&hub), stop_rx.clone(), done_tx.clone());
        let slots = Arc::clone(&slots);
        tokio::spawn(async move {
            connection::serve(stream, peer, hub, stop, place, slots).await;
            drop(done);
        });
        // Let the new connection read its hello before the next is accepted: under a flood
        // of reopened sockets, a device's hello is then read before newer sockets could
        // take its place.
        tokio::task::yield_now().await;
    }

    tracing::info!("shutting down: closing connections");
    let _ = stop_tx.send(true);
    drop(done_tx);
    let _ = done_rx.recv().await;
    let _ = ticker.await;
    for task in central {
        let _ = task.await;
    }
    hub.save_presence().await;
    hub.close().await;
    tracing::info!("the hub has stopped; the database is closed");
    Ok(())
}
