//! The hall service: a typed request and its caller in, the change out. Each request is one
//! [`Store::write`] transaction in which the hall moves to the service day, answers a
//! repeated request id with its first reply, checks the request against the core's rules,
//! changes the rows through the store's `Dao`, appends its events with consecutive `seq`
//! (the last one carrying the figures of the services it touched), and stores its reply.
//! The caller sends the reply and broadcasts the events only after [`Hall::execute`]
//! returned, i.e. after the commit.
//!
//! - `requests`: one function per request.
//! - [`catalogue`]: the hall's catalogue in the database, changed while the hall runs.
//! - [`figures`]: each service's queue figures, by the core's estimate.
//! - [`welcome`]: what a device gets on connecting (a snapshot, or the events to resume).
//! - [`wire`]: the store's rows in the protocol's words.
//!
//! Who may send what is checked before a request gets here (`Request::permitted`, in the
//! server); the wire is the server's and the web's business.

pub mod catalogue;
pub mod figures;
pub mod forecast;
mod requests;
pub mod welcome;
pub mod wire;

use crate::config::{Config, Device};
use crate::store::dao::Dao;
use crate::store::{SchemaError, Store};
use antre_core::domain::day::{rfc3339_ms, service_day};
use antre_core::domain::{CounterId, DeviceId, ServiceId};
use antre_core::proto::{
    CounterState, ErrorCode, ErrorReply, Event, EventKind, Figures, OkReply, PrinterStatus,
    Request, ServerMessage, Ticket,
};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Days of events kept for devices to resume from; the contract needs only today's.
const EVENT_DAYS_KEPT: i64 = 7;

/// What a request did: the reply to send and the events to broadcast (both committed).
pub struct Outcome {
    pub reply: ServerMessage,
    /// The events in full (the hub's own pages read the figures' `waits`).
    pub events: Vec<Event>,
    /// The same events as protocol lines for devices ([`Event::for_devices`]), as stored.
    pub lines: Vec<String>,
}

/// The hall, over its store. One per hub: requests are serialized through it.
pub struct Hall {
    store: Store,
    cfg: Arc<Config>,
    last_seq: u64,
    /// The estimates' lessons, board and last play.
    forecast: forecast::Forecaster,
    /// Old events may be pruned up to this `seq`: what the city's service has stored
    /// (everything, without one). The hub's link to it moves it on.
    prunable_to: Arc<AtomicU64>,
}

impl Hall {
    /// Opens (creating if needed) and upgrades the hall's database at `path`.
    ///
    /// # Errors
    /// The file cannot be opened, is newer than this code, or SQLite fails.
    pub fn open(path: &Path, cfg: Arc<Config>) -> Result<Hall, SchemaError> {
        Self::open_seeded(path, &cfg, catalogue::Seed::Database)
    }

    /// Opens the hall's database at `path` as [`Hall::open`], its catalogue from `seed`; the
    /// hall then serves by `cfg`'s `[hall]` and the catalogue.
    ///
    /// # Errors
    /// As [`Hall::open`], and the database's catalogue is no longer valid.
    pub fn open_seeded(
        path: &Path,
        cfg: &Config,
        seed: catalogue::Seed,
    ) -> Result<Hall, SchemaError> {
        let mut store = Store::open(path)?;
        let cfg = Arc::new(catalogue::load(&mut store, cfg, seed)?);
        let last_seq = store.last_seq()?;
        let prunable_to = Arc::new(AtomicU64::new(if cfg.hall.central.is_some() {
            0
        } else {
            u64::MAX
        }));
        Ok(Hall {
            store,
            cfg,
            last_seq,
            forecast: forecast::Forecaster::default(),
            prunable_to,
        })
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.cfg
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Up to which `seq` old events may be pruned; the link to the city's service stores
    /// what it has stored there.
    pub fn prunable_to(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.prunable_to)
    }

    /// The newest event's `seq`.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
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
                // Loud, with the likely cause for the technician reading the journal.
                let cause = match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::DiskFull) => "the disk holding the database is full",
                    Some(rusqlite::ErrorCode::ReadOnly) => "the database became read-only",
                    Some(rusqlite::ErrorCode::SystemIoFailure) => {
                        "the disk failed to read or write"
                    }
                    _ => "the store failed",
                };
                tracing::error!(device = %device.id, id, error = %e, "request refused, nothing was changed: {cause}");
                self.forecast.invalidate();
                // The transaction rolled back: our idea of the last seq is still right, but
                // read it again in case the failure was after a commit.
                if let Ok(s) = self.store.last_seq() {
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
                    lines: vec![],
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
        let kept_to = Arc::clone(&self.prunable_to);
        let last_seq = self.last_seq;
        let fc = &mut self.forecast;
        let outcome = self.store.write(|tx| {
            let mut pending = Vec::new();
            let day = roll_day(tx, &cfg, &kept_to, now, &mut pending)?;
            let dao = tx.dao(&day, now.timestamp_millis());
            fc.begin(&dao, &cfg)?;
            let reply = match dao.stored_reply(device.id.as_str(), id)? {
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
                            dao.begin_request()?;
                            let version = fc.version();
                            let mut ctx = requests::Ctx {
                                dao: &dao,
                                cfg: &cfg,
                                forecast: &mut *fc,
                                now,
                                device,
                                events: vec![],
                            };
                            match requests::handle(&mut ctx, req) {
                                Ok(done) => {
                                    pending.append(&mut ctx.events);
                                    dao.keep_request()?;
                                    Ok(done)
                                }
                                Err(requests::Fail::Refuse(code, message)) => {
                                    dao.undo_request()?;
                                    fc.undone(&dao, &cfg, version)?;
                                    Err(ErrorReply::new(Some(id), code, message))
                                }
                                Err(requests::Fail::RefuseFor(code, message, service)) => {
                                    dao.undo_request()?;
                                    fc.undone(&dao, &cfg, version)?;
                                    Err(ErrorReply {
                                        service: Some(service),
                                        ..ErrorReply::new(Some(id), code, message)
                                    })
                                }
                                Err(requests::Fail::Db(e)) => return Err(e),
                            }
                        }
                    };
                    // A refusal to issue is unmet demand, which the mall must recap.
                    if let (Ok(Request::IssueTicket { service, .. }), Err(e)) = (request, &result) {
                        if matches!(e.code, ErrorCode::ServiceClosed | ErrorCode::QuotaExhausted) {
                            dao.record_unmet(
                                e.service.as_ref().unwrap_or(service).as_str(),
                                e.code.as_str(),
                                device.id.as_str(),
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
                    dao.store_reply(device.id.as_str(), id, &json)?;
                    msg
                }
            };
            attach_figures(&dao, &cfg, fc, &mut pending)?;
            let (events, lines) = append_events(&dao, last_seq, cfg.hall.timezone, pending)?;
            Ok(Outcome {
                reply,
                events,
                lines,
            })
        });
        if outcome.is_err() {
            self.forecast.invalidate();
        }
        let outcome = outcome?;
        self.last_seq += outcome.events.len() as u64;
        Ok(outcome)
    }

    /// Whether the forecast's board, kept up to date change by change, equals a fresh read of
    /// the store at `now`, and playing each part of the hall alone agrees with playing all of
    /// it (the tests' oracle for both). `false` too before the first change.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn board_is_current(&self, now: DateTime<Utc>) -> rusqlite::Result<bool> {
        let cfg = &self.cfg;
        let board = self.forecast.board();
        let current = crate::store::read(self.store.connection(), |tx| {
            let day = tx.dao("", 0).stored_day()?.unwrap_or_default();
            board.matches_store(&tx.dao(&day, now.timestamp_millis()), cfg)
        })?;
        Ok(current && self.forecast.parts_agree(cfg, now.timestamp_millis()))
    }

    /// Starts a new service day if the clock has passed midnight in the hall: the hub calls
    /// this every few seconds so displays turn over even when nobody is in the hall. Returns
    /// the events, and the same as lines for devices (as [`Outcome`] has them).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn tick(&mut self, now: DateTime<Utc>) -> rusqlite::Result<(Vec<Event>, Vec<String>)> {
        let cfg = Arc::clone(&self.cfg);
        let kept_to = Arc::clone(&self.prunable_to);
        let last_seq = self.last_seq;
        let fc = &mut self.forecast;
        let events = self.store.write(|tx| {
            let mut pending = Vec::new();
            let day = roll_day(tx, &cfg, &kept_to, now, &mut pending)?;
            if pending.is_empty() {
                return Ok((vec![], vec![])); // nothing written
            }
            let dao = tx.dao(&day, now.timestamp_millis());
            fc.begin(&dao, &cfg)?;
            attach_figures(&dao, &cfg, fc, &mut pending)?;
            append_events(&dao, last_seq, cfg.hall.timezone, pending)
        });
        if events.is_err() {
            self.forecast.invalidate();
        }
        let (events, lines) = events?;
        self.last_seq += events.len() as u64;
        Ok((events, lines))
    }
}

impl Hall {
    /// Keeps bookings pulled from the city's service (new ones, and the status of those
    /// pulled before); one that cannot be read is left out and logged. Returns how many were
    /// kept. Bookings change no ticket: nothing is announced.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn save_bookings(
        &mut self,
        now: DateTime<Utc>,
        bookings: &[antre_core::proto::sync::HallBooking],
    ) -> rusqlite::Result<usize> {
        use antre_core::domain::booking::Session;
        use chrono::TimeZone;
        let tz = self.cfg.hall.timezone;
        let rows: Vec<crate::store::dao::BookingRow> = bookings
            .iter()
            .filter_map(|b| {
                let parsed = (
                    antre_core::domain::booking::parse_code(&b.code),
                    Session::parse(&b.session),
                    chrono::NaiveDate::parse_from_str(&b.date, "%Y-%m-%d"),
                );
                let (Some(code), Ok(session), Ok(day)) = parsed else {
                    tracing::warn!(code = %b.code, session = %b.session, date = %b.date, "a pulled booking cannot be read; left out");
                    return None;
                };
                let ends = tz.from_local_datetime(&session.ends(day)).earliest()?;
                Some(crate::store::dao::BookingRow {
                    code,
                    day: day.to_string(),
                    service: b.service.clone(),
                    session: session.to_string(),
                    ends_ms: ends.timestamp_millis(),
                    name: antre_core::domain::text::one_line(&b.name),
                    // Masked by the service; masked again should it ever send a whole one.
                    phone: antre_core::domain::booking::mask_phone(&b.phone),
                    status: if b.status == "cancelled" { "cancelled" } else { "booked" }.to_owned(),
                    ticket: None,
                })
            })
            .collect();
        self.store.write(|tx| {
            let dao = tx.dao("", now.timestamp_millis());
            for r in &rows {
                dao.save_booking(r)?;
            }
            Ok(rows.len())
        })
    }
}

/// Moves the store to the service day of `now` if it is not there yet, and returns that
/// day. A new day needs no rewrite: counters whose row is of an earlier day are closed, and
/// tickets are looked up by day. Old request ids and events are pruned.
fn roll_day(
    tx: &crate::store::Tx<'_>,
    cfg: &Config,
    kept_to: &AtomicU64,
    now: DateTime<Utc>,
    pending: &mut Vec<PendingEvent>,
) -> rusqlite::Result<String> {
    let today = service_day(now, cfg.hall.timezone);
    let day = today.to_string();
    let dao = tx.dao(&day, now.timestamp_millis());
    let stored = dao.stored_day()?;
    if stored.as_deref() == Some(day.as_str()) {
        return Ok(day);
    }
    if stored.as_deref().is_some_and(|s| s > day.as_str()) {
        // The clock went back past midnight (a bad RTC, an NTP step). Keep the newer day:
        // numbering must never restart twice in one day.
        tracing::warn!(stored = ?stored, clock_day = %day, "the clock is behind the stored service day");
        return Ok(stored.unwrap_or(day));
    }
    dao.start_day(&day)?;
    dao.prune_events_before(
        &(today - chrono::Duration::days(EVENT_DAYS_KEPT)).to_string(),
        kept_to.load(std::sync::atomic::Ordering::SeqCst),
    )?;
    tracing::info!(%day, "a new service day started");
    pending.push(PendingEvent {
        day: Some(day.clone()),
        ..PendingEvent::new(EventKind::DayStarted)
    });
    Ok(day)
}

/// Puts the new figures of every service the change touched on its last event: a ticket's
/// service (and the one it left), every service of the counter it happened at (or that
/// opened, closed or paused), every service on a new day.
fn attach_figures(
    dao: &Dao<'_>,
    cfg: &Config,
    fc: &mut forecast::Forecaster,
    pending: &mut [PendingEvent],
) -> rusqlite::Result<()> {
    fc.sync(dao, &named(pending))?;
    let mut touched = std::collections::BTreeSet::new();
    // A survey changes no queue: it touches nothing (and costs no forecast).
    for p in pending.iter().filter(|p| p.kind != EventKind::SurveyGiven) {
        match p.kind {
            EventKind::DayStarted | EventKind::HallChanged => {
                touched.extend(cfg.services.iter().map(|s| s.id.as_str()))
            }
            EventKind::CounterOpened
            | EventKind::CounterClosed
            | EventKind::CounterPaused
            | EventKind::CounterResumed => {
                if let Some(c) = p.counter.as_ref().and_then(|c| cfg.counter(c.as_str())) {
                    touched.extend(c.services.iter().map(|s| s.as_str()));
                }
            }
            _ => {}
        }
        // A call or a finish at a counter moves every queue it serves (a shared counter).
        if let Some(c) = p.counter.as_ref().and_then(|c| cfg.counter(c.as_str())) {
            touched.extend(c.services.iter().map(|s| s.as_str()));
        }
        touched.extend(p.ticket.as_ref().map(|t| t.service.as_str()));
        touched.extend(p.from_service.as_ref().map(|s| s.as_str()));
    }
    if touched.is_empty() {
        return Ok(());
    }
    fc.play(dao, cfg, touched.iter().copied())?;
    let (board, played) = fc.view();
    let figures = touched
        .into_iter()
        .map(|s| figures::figures(dao, cfg, board, played, s))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let Some(last) = pending.last_mut() {
        last.figures = figures;
    }
    Ok(())
}

/// The tickets and counters `pending` names, each once, and the services of the tickets it
/// issued: what the forecast's board reads again.
pub(super) fn named(pending: &[PendingEvent]) -> Vec<forecast::Named> {
    let mut named = vec![];
    let mut add = |n: forecast::Named| {
        if !named.contains(&n) {
            named.push(n);
        }
    };
    for p in pending.iter().filter(|p| p.kind != EventKind::SurveyGiven) {
        if let Some(t) = &p.ticket {
            add(forecast::Named::Ticket(t.code.clone()));
            if p.kind == EventKind::TicketIssued {
                let mut services: Vec<String> = t
                    .visit
                    .iter()
                    .flatten()
                    .map(|s| s.as_str().to_owned())
                    .collect();
                if !services.iter().any(|s| s == t.service.as_str()) {
                    services.push(t.service.as_str().to_owned());
                }
                add(forecast::Named::Issued(services));
            }
        }
        if let Some(c) = &p.counter {
            add(forecast::Named::Counter(c.as_str().to_owned()));
        }
    }
    named
}

/// Gives `pending` the seqs after `last_seq` and appends them to the event log as devices
/// are sent them ([`Event::for_devices`]); returns them in full and as those lines.
fn append_events(
    dao: &Dao<'_>,
    last_seq: u64,
    tz: chrono_tz::Tz,
    pending: Vec<PendingEvent>,
) -> rusqlite::Result<(Vec<Event>, Vec<String>)> {
    let at = rfc3339_ms(dao.now_ms, tz);
    let mut seq = last_seq;
    let mut lines = Vec::with_capacity(pending.len());
    let events = pending
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
                state: p.state,
                hall: p.hall,
                answers: p.answers,
            };
            let body = serde_json::to_string(&event.for_devices()).expect("events serialize");
            dao.append_event(seq, &body)?;
            lines.push(Event::line_of(&body));
            Ok(event)
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((events, lines))
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
    pub state: Option<CounterState>,
    pub hall: Option<Box<antre_core::proto::HallInfo>>,
    pub answers: Option<Vec<u8>>,
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
            state: None,
            hall: None,
            answers: None,
        }
    }
}
