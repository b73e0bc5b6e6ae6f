//! The SQLite store: the one place that reads and writes the hall's database.
//!
//! Every request is one `BEGIN IMMEDIATE` transaction that checks it against the domain
//! rules, updates the tables, appends its events with consecutive `seq`, and records its
//! reply under the request id, so a retry gets the first reply. The caller sends the reply
//! and broadcasts the events only after [`Store::execute`] returned, i.e. after the commit.
//!
//! - [`schema`]: the tables and their upgrades.
//! - [`rows`]: rows and their wire form.
//! - `handlers`: one function per request.
//! - [`read`]: what a device gets on connecting (snapshot or the events to resume).

mod figures;
mod handlers;
pub mod period;
pub mod read;
pub mod rows;
pub mod schema;

use crate::config::{Config, Device};
use antre_core::domain::day::{rfc3339_ms, service_day};
use antre_core::domain::{CounterId, DeviceId, ServiceId};
use antre_core::proto::{
    ErrorCode, ErrorReply, Event, EventKind, Figures, OkReply, PrinterStatus, Request,
    ServerMessage, Ticket,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use schema::SchemaError;

/// How long a writer waits for another process's lock (a backup, say) before `busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Days of events kept for devices to resume from; the contract needs only today's.
const EVENT_DAYS_KEPT: i64 = 7;

/// The result of one request: the reply to send and the events to broadcast, both after
/// the commit.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reply: ServerMessage,
    pub events: Vec<Event>,
}

/// The hall's database, open for writing. One per hub: requests are serialized through it.
pub struct Store {
    conn: Connection,
    cfg: Arc<Config>,
    last_seq: u64,
}

/// Opens a connection with the pragmas every connection needs.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // Wait for another process's lock instead of failing at once.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Foreign keys are off by default in SQLite; our references mean something.
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

/// Opens a read-only connection for snapshots and reports; reads never block the writer
/// in WAL mode.
///
/// # Errors
/// SQLite cannot open the file.
pub fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = connect(path)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// A connection that copies the WAL back into the database file, on its own thread.
pub struct Checkpointer(Connection);

impl Checkpointer {
    /// # Errors
    /// The database cannot be opened.
    pub fn open(path: &Path) -> rusqlite::Result<Checkpointer> {
        Ok(Checkpointer(Connection::open(path)?))
    }

    /// A PASSIVE checkpoint: it takes no lock the writer needs.
    ///
    /// # Errors
    /// SQLite fails (the next one tries again).
    pub fn checkpoint(&self) -> rusqlite::Result<()> {
        self.0
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    }
}

impl Store {
    /// Leaves copying the WAL back to a [`Checkpointer`], so no request pays for it.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn checkpoint_elsewhere(&self) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)
    }

    /// The service of the ticket now at `counter`, if it has one.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn current_service(&self, counter: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT t.service FROM counters c JOIN tickets t ON t.id = c.current WHERE c.id = ?1",
                [counter],
                |r| r.get(0),
            )
            .optional()
    }

    /// Opens (creating if needed) and upgrades the database at `path`.
    ///
    /// # Errors
    /// The file cannot be opened, is newer than this code, or SQLite fails.
    pub fn open(path: &Path, cfg: Arc<Config>) -> Result<Store, SchemaError> {
        let mut conn = connect(path)?;
        // WAL: readers (snapshots, reports) never block the writer, and commits append.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; continuing in {mode}");
        }
        // FULL: the WAL is synced on every commit, so an `ok` survives a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut conn)?;
        let last_seq: u64 =
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        Ok(Store {
            conn,
            cfg,
            last_seq,
        })
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.cfg
    }

    /// The newest event's `seq`.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The write connection, for reads that must see the latest commit (tests, reports).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Executes one request from `device` with id `id` at instant `now`. `request` is the
    /// parsed request, or the error its parsing gave (which is remembered like any reply).
    /// Never fails: a database failure becomes a `busy` or `internal` reply that changed
    /// nothing and is not remembered.
    pub fn execute(
        &mut self,
        now: DateTime<Utc>,
        device: &Device,
        id: &str,
        request: Result<&Request, &ErrorReply>,
    ) -> Outcome {
        match self.try_execute(now, device, id, request) {
            Ok(outcome) => outcome,
            Err(e) => {
                let busy = matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                );
                tracing::error!(device = %device.id, id, error = %e, "request failed in the store");
                // The transaction rolled back: our idea of the last seq is still right, but
                // read it again in case the failure was after a commit.
                if let Ok(s) =
                    self.conn
                        .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
                {
                    self.last_seq = s;
                }
                let (code, message) = if busy {
                    (
                        ErrorCode::Busy,
                        "the database is busy; nothing was done, send the same request again",
                    )
                } else {
                    (ErrorCode::Internal, "the hub could not store this; nothing was done, send the same request again")
                };
                Outcome {
                    reply: ServerMessage::Error(ErrorReply::new(Some(id), code, message)),
                    events: vec![],
                }
            }
        }
    }

    fn try_execute(
        &mut self,
        now: DateTime<Utc>,
        device: &Device,
        id: &str,
        request: Result<&Request, &ErrorReply>,
    ) -> rusqlite::Result<Outcome> {
        let cfg = Arc::clone(&self.cfg);
        let now_ms = now.timestamp_millis();
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut pending = Vec::new();
        let day = roll_day(&tx, &cfg, now, &mut pending)?;

        let stored: Option<String> = tx
            .prepare_cached(
                "SELECT reply FROM requests WHERE device = ?1 AND day = ?2 AND id = ?3",
            )?
            .query_row([device.id.as_str(), &day, id], |r| r.get(0))
            .optional()?;
        let reply = match stored {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            None => {
                let result = match request {
                    Err(e) => Err(e.clone()),
                    Ok(req) => {
                        // A savepoint, so a refused request leaves no trace but its reply.
                        let sp = tx.savepoint()?;
                        let mut ctx = handlers::Ctx {
                            conn: &sp,
                            cfg: &cfg,
                            now,
                            now_ms,
                            day: &day,
                            device,
                            events: vec![],
                        };
                        match handlers::handle(&mut ctx, req) {
                            Ok(done) => {
                                pending.append(&mut ctx.events);
                                sp.commit()?;
                                Ok(done)
                            }
                            Err(handlers::Fail::Refuse(code, message)) => {
                                drop(sp); // rolls back
                                Err(ErrorReply::new(Some(id), code, message))
                            }
                            Err(handlers::Fail::Db(e)) => return Err(e),
                        }
                    }
                };
                // A refusal to issue is unmet demand, which the mall must recap.
                if let (Ok(Request::IssueTicket { service, .. }), Err(e)) = (request, &result) {
                    if matches!(e.code, ErrorCode::ServiceClosed | ErrorCode::QuotaExhausted) {
                        tx.execute(
                            "INSERT INTO unmet_demand (day, at_ms, service, reason, device) VALUES (?1, ?2, ?3, ?4, ?5)",
                            rusqlite::params![day, now_ms, service.as_str(), e.code.as_str(), device.id.as_str()],
                        )?;
                    }
                }
                let msg = match result {
                    Ok(done) => ServerMessage::Ok(OkReply {
                        id: id.to_owned(),
                        ticket: done.ticket,
                        counter: done.counter,
                    }),
                    Err(mut e) => {
                        e.id = Some(id.to_owned());
                        ServerMessage::Error(e)
                    }
                };
                let json = serde_json::to_string(&msg).expect("replies serialize");
                tx.prepare_cached(
                    "INSERT INTO requests (device, day, id, reply) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute([device.id.as_str(), &day, id, &json])?;
                msg
            }
        };
        attach_figures(&tx, &cfg, &day, &mut pending)?;
        let events = append_events(&tx, self.last_seq, cfg.hall.timezone, &day, now_ms, pending)?;
        tx.commit()?;
        self.last_seq += events.len() as u64;
        Ok(Outcome { reply, events })
    }

    /// Starts a new service day if the clock has passed midnight in the hall: the hub calls
    /// this every few seconds so displays turn over even when nobody is in the hall.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn tick(&mut self, now: DateTime<Utc>) -> rusqlite::Result<Vec<Event>> {
        let cfg = Arc::clone(&self.cfg);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut pending = Vec::new();
        let day = roll_day(&tx, &cfg, now, &mut pending)?;
        if pending.is_empty() {
            return Ok(vec![]); // dropping the transaction rolls back: nothing written
        }
        attach_figures(&tx, &cfg, &day, &mut pending)?;
        let events = append_events(
            &tx,
            self.last_seq,
            cfg.hall.timezone,
            &day,
            now.timestamp_millis(),
            pending,
        )?;
        tx.commit()?;
        self.last_seq += events.len() as u64;
        Ok(events)
    }
}

/// Puts the new figures of every service the change touched on its last event: a ticket's
/// service (and the one it left), every service of a counter that opened or closed, every
/// service on a new day.
fn attach_figures(
    tx: &Connection,
    cfg: &Config,
    day: &str,
    pending: &mut [PendingEvent],
) -> rusqlite::Result<()> {
    let mut touched = std::collections::BTreeSet::new();
    for p in pending.iter() {
        match p.kind {
            EventKind::DayStarted => touched.extend(cfg.services.iter().map(|s| s.id.as_str())),
            EventKind::CounterOpened | EventKind::CounterClosed => {
                if let Some(c) = p.counter.as_ref().and_then(|c| cfg.counter(c.as_str())) {
                    touched.extend(c.services.iter().map(|s| s.as_str()));
                }
            }
            _ => {}
        }
        touched.extend(p.ticket.as_ref().map(|t| t.service.as_str()));
        touched.extend(p.from_service.as_ref().map(|s| s.as_str()));
    }
    let figures = touched
        .into_iter()
        .map(|s| figures::figures(tx, cfg, day, s))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let Some(last) = pending.last_mut() {
        last.figures = figures;
    }
    Ok(())
}

/// Gives `pending` the seqs after `last_seq` and appends them to the event log.
fn append_events(
    tx: &Connection,
    last_seq: u64,
    tz: chrono_tz::Tz,
    day: &str,
    now_ms: i64,
    pending: Vec<PendingEvent>,
) -> rusqlite::Result<Vec<Event>> {
    let at = rfc3339_ms(now_ms, tz);
    let mut seq = last_seq;
    let mut insert =
        tx.prepare_cached("INSERT INTO events (seq, day, at_ms, body) VALUES (?1, ?2, ?3, ?4)")?;
    pending
        .into_iter()
        .map(|p| {
            seq += 1;
            let event = Event {
                seq,
                at: at.clone(),
                kind: p.kind,
                ticket: p.ticket,
                counter: p.counter,
                officer: p.officer,
                from_service: p.from_service,
                day: p.day,
                device: p.device.as_ref().map(|d| d.0.clone()),
                printer: p.device.as_ref().map(|d| d.1),
                message: p.device.and_then(|d| d.2),
                figures: p.figures,
            };
            let body = serde_json::to_string(&event).expect("events serialize");
            insert.execute(rusqlite::params![seq, day, now_ms, body])?;
            Ok(event)
        })
        .collect()
}

/// An event before it has its `seq` and time.
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    pub kind: EventKind,
    pub ticket: Option<Ticket>,
    pub counter: Option<CounterId>,
    pub officer: Option<String>,
    pub from_service: Option<ServiceId>,
    pub day: Option<String>,
    pub device: Option<(DeviceId, PrinterStatus, Option<String>)>,
    pub figures: Vec<Figures>,
}

impl PendingEvent {
    pub fn new(kind: EventKind) -> Self {
        PendingEvent {
            kind,
            ticket: None,
            counter: None,
            officer: None,
            from_service: None,
            day: None,
            device: None,
            figures: vec![],
        }
    }
}

/// Moves the store to the service day of `now` if it is not there yet, and returns that
/// day. A new day needs no rewrite: counters whose row is of an earlier day are closed, and
/// tickets are looked up by day. Old request ids and events are pruned.
fn roll_day(
    tx: &Connection,
    cfg: &Config,
    now: DateTime<Utc>,
    pending: &mut Vec<PendingEvent>,
) -> rusqlite::Result<String> {
    let today = service_day(now, cfg.hall.timezone);
    let day = today.to_string();
    let stored: Option<String> = tx
        .prepare_cached("SELECT value FROM meta WHERE key = 'day'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    if stored.as_deref() == Some(day.as_str()) {
        return Ok(day);
    }
    if stored.as_deref().is_some_and(|s| s > day.as_str()) {
        // The clock went back past midnight (a bad RTC, an NTP step). Keep the newer day:
        // numbering must never restart twice in one day.
        tracing::warn!(stored = ?stored, clock_day = %day, "the clock is behind the stored service day");
        return Ok(stored.unwrap_or(day));
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('day', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
        [&day],
    )?;
    tx.execute("DELETE FROM requests WHERE day < ?1", [&day])?;
    let oldest_kept = (today - chrono::Duration::days(EVENT_DAYS_KEPT)).to_string();
    tx.execute("DELETE FROM events WHERE day < ?1", [&oldest_kept])?;
    tx.execute(
        "UPDATE counter_sessions SET closed_ms = ?1 WHERE closed_ms IS NULL",
        [now.timestamp_millis()],
    )?;
    tracing::info!(%day, "a new service day started");
    pending.push(PendingEvent {
        day: Some(day.clone()),
        ..PendingEvent::new(EventKind::DayStarted)
    });
    Ok(day)
}
