//! One function per request: check it against the domain rules, update the tables, queue
//! the events. Runs inside the request's transaction (a savepoint of it), so a refusal part
//! way through leaves nothing behind.

use super::rows::{
    counter_row, counter_state, save_counter, ticket_by_code, ticket_by_id, CounterRow, TicketRow,
    TICKET_COLS,
};
use super::PendingEvent;
use crate::config::{Config, Device};
use antre_core::domain::calling::{self, Candidate};
use antre_core::domain::counter::{self, ActionRefused, CurrentAction};
use antre_core::domain::day::local_time;
use antre_core::domain::estimate;
use antre_core::domain::issuing::{self, Refusal};
use antre_core::domain::{CounterId, Priority, ServiceId, TicketCode, TicketStatus};
use antre_core::proto::{
    AspirationKind, CounterState, ErrorCode, EventKind, PrinterStatus, Request, Role, Ticket,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

pub(super) struct Ctx<'a> {
    pub conn: &'a Connection,
    pub cfg: &'a Config,
    pub now: DateTime<Utc>,
    pub now_ms: i64,
    pub day: &'a str,
    pub device: &'a Device,
    pub events: Vec<PendingEvent>,
}

/// What a successful request carries back.
#[derive(Default)]
pub(super) struct Done {
    pub ticket: Option<Ticket>,
    pub counter: Option<CounterState>,
}

pub(super) enum Fail {
    /// The request is refused with this code; nothing changes.
    Refuse(ErrorCode, String),
    /// The database failed.
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Db(e)
    }
}

fn refuse<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Refuse(code, message.into()))
}

type Handled = Result<Done, Fail>;

pub(super) fn handle(ctx: &mut Ctx<'_>, req: &Request) -> Handled {
    // Who may send what is checked once, before the writer (`Hub::execute`).
    match req {
        Request::IssueTicket { service, priority } => issue_ticket(ctx, service, *priority),
        Request::CallNext { counter } => call(ctx, counter, None),
        Request::CallTicket { counter, ticket } => call(ctx, counter, Some(ticket)),
        Request::Recall { counter } => recall(ctx, counter),
        Request::StartServing { counter } => start_serving(ctx, counter),
        Request::Finish { counter } => close_current(ctx, counter, CurrentAction::Finish),
        Request::NoShow { counter } => close_current(ctx, counter, CurrentAction::NoShow),
        Request::Transfer {
            counter,
            to_service,
        } => transfer(ctx, counter, to_service),
        Request::Survey { ticket, answers } => survey(ctx, ticket, answers),
        Request::Aspiration { kind, text } => aspiration(ctx, *kind, text),
        Request::OpenCounter { counter, officer } => open_counter(ctx, counter, officer),
        Request::CloseCounter { counter } => close_counter(ctx, counter),
        Request::Ping => Ok(Done::default()),
        Request::DeviceStatus { printer, message } => device_status(ctx, *printer, message),
    }
}

impl Ctx<'_> {
    fn tz(&self) -> chrono_tz::Tz {
        self.cfg.hall.timezone
    }

    fn emit(&mut self, kind: EventKind, ticket: Option<Ticket>, counter: Option<&CounterId>) {
        self.events.push(PendingEvent {
            ticket,
            counter: counter.cloned(),
            ..PendingEvent::new(kind)
        });
    }

    /// The head of each group (normal, priority) of each of `services` today: all that
    /// [`calling::pick_next`] looks at, read from the index without reading the queues.
    fn queue_heads(&self, services: &[ServiceId]) -> rusqlite::Result<Vec<Candidate>> {
        let mut out = vec![];
        for priority in [false, true] {
            let mut stmt = self.conn.prepare_cached(if priority {
                "SELECT id, issued_ms FROM tickets
                 WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NOT NULL
                 ORDER BY issued_ms, id LIMIT 1"
            } else {
                "SELECT id, issued_ms FROM tickets
                 WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NULL
                 ORDER BY issued_ms, id LIMIT 1"
            })?;
            for s in services {
                let head = stmt
                    .query_row(params![self.day, s.as_str()], |r| {
                        Ok(Candidate {
                            issue_order: r.get(0)?,
                            issued_ms: r.get(1)?,
                            priority,
                        })
                    })
                    .optional()?;
                out.extend(head);
            }
        }
        Ok(out)
    }

    /// Whether a normal ticket other than `except` waits for one of `services`.
    fn normal_waiting(&self, services: &[ServiceId], except: i64) -> rusqlite::Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM tickets
             WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NULL AND id != ?3)",
        )?;
        for s in services {
            if stmt.query_row(params![self.day, s.as_str(), except], |r| {
                r.get::<_, bool>(0)
            })? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn set_status(&self, ticket: i64, status: TicketStatus) -> rusqlite::Result<()> {
        let time_col = match status {
            TicketStatus::Serving => "serving_ms",
            TicketStatus::Done | TicketStatus::NoShow => "closed_ms",
            TicketStatus::Called => "called_ms",
            TicketStatus::Waiting => unreachable!("waiting is set by issue and transfer"),
        };
        self.conn
            .prepare_cached(&format!(
                "UPDATE tickets SET status = ?1, {time_col} = ?2 WHERE id = ?3"
            ))?
            .execute(params![status.as_str(), self.now_ms, ticket])?;
        Ok(())
    }

    /// Today's ticket with `code` (as people type it: `A-012`, `a12`); `unknown_ticket` when
    /// it is not a code or not a ticket of today.
    fn ticket_today(&self, code: &str) -> Result<TicketRow, Fail> {
        let Ok(parsed) = code.parse::<TicketCode>() else {
            return refuse(
                ErrorCode::UnknownTicket,
                format!("{code:?} is not a ticket code such as A-012"),
            );
        };
        match ticket_by_code(self.conn, self.day, &parsed.prefix, parsed.number)? {
            Some(t) => Ok(t),
            None => refuse(
                ErrorCode::UnknownTicket,
                format!("there is no ticket {parsed} today"),
            ),
        }
    }

    /// The counter's config and its row today; refuses unknown and closed counters.
    fn open_counter_row(
        &self,
        id: &CounterId,
    ) -> Result<(&crate::config::Counter, CounterRow), Fail> {
        let Some(cfg) = self.cfg.counter(id.as_str()) else {
            return refuse(
                ErrorCode::UnknownCounter,
                format!("there is no counter {id}"),
            );
        };
        let row = counter_row(self.conn, id.as_str(), self.day)?;
        if !row.open {
            return refuse(
                ErrorCode::CounterClosed,
                format!("{} is closed: open it first", cfg.name),
            );
        }
        Ok((cfg, row))
    }

    /// The counter's current ticket, checked against `action`.
    fn current_for(
        &self,
        id: &CounterId,
        action: CurrentAction,
    ) -> Result<(CounterRow, TicketRow), Fail> {
        let (cfg, row) = self.open_counter_row(id)?;
        let current = match row.current {
            Some(t) => Some(ticket_by_id(self.conn, t)?),
            None => None,
        };
        match counter::check(action, current.as_ref().map(|t| t.status)) {
            Ok(()) => Ok((row, current.expect("check passed, so there is a ticket"))),
            Err(ActionRefused::NoCurrentTicket) => refuse(
                ErrorCode::NoCurrentTicket,
                format!("{} has no current ticket", cfg.name),
            ),
            Err(ActionRefused::WrongState) => {
                let t = current.expect("wrong state implies a ticket");
                refuse(
                    ErrorCode::WrongState,
                    format!("{} is {}", t.code(), t.status.as_str()),
                )
            }
        }
    }

    /// Closes the counter's current ticket, if any, as the contract says for a call or a
    /// close: `done` if it was being served, `no_show` if it was only called.
    fn close_implicitly(
        &mut self,
        counter: &CounterId,
        row: &mut CounterRow,
    ) -> rusqlite::Result<()> {
        if let Some(id) = row.current.take() {
            let t = ticket_by_id(self.conn, id)?;
            let status = counter::implicit_close(t.status);
            self.set_status(id, status)?;
            let kind = if status == TicketStatus::Done {
                EventKind::TicketFinished
            } else {
                EventKind::TicketNoShow
            };
            let wire = ticket_by_id(self.conn, id)?.to_wire(self.tz());
            self.emit(kind, Some(wire), Some(counter));
        }
        Ok(())
    }

    /// Fills in `ahead` and `estimated_wait_min` of a waiting ticket.
    fn with_estimate(&self, t: &TicketRow) -> rusqlite::Result<Ticket> {
        // One pass over the queue's index entries counts what the estimate needs.
        let counts = self
            .conn
            .prepare_cached(
                "SELECT
                   COALESCE(SUM(priority IS NULL AND (issued_ms < ?3 OR (issued_ms = ?3 AND id < ?4))), 0),
                   COALESCE(SUM(priority IS NULL), 0),
                   COALESCE(SUM(priority IS NOT NULL AND (issued_ms < ?3 OR (issued_ms = ?3 AND id < ?4))), 0),
                   COALESCE(SUM(priority IS NOT NULL), 0)
                 FROM tickets WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND id != ?4",
            )?
            .query_row(params![self.day, t.service, t.issued_ms, t.id], |r| {
                Ok(calling::QueueCounts {
                    normal_older: r.get(0)?,
                    normal_total: r.get(1)?,
                    priority_older: r.get(2)?,
                    priority_total: r.get(3)?,
                })
            })?;
        let ahead = calling::ahead_of(
            counts,
            t.priority.is_some(),
            self.cfg.hall.queue.max_priority_in_row,
        );

        let q = super::figures::queue(self.conn, self.cfg, self.day, t.service.as_str())?;
        let e = estimate::estimate(ahead, q.service_secs, q.counters_open, q.counters_serving);
        let mut wire = t.to_wire(self.tz());
        wire.ahead = Some(e.ahead);
        wire.estimated_wait_min = Some(e.minutes);
        wire.counters_open = Some(e.counters_open);
        Ok(wire)
    }
}

fn issue_ticket(ctx: &mut Ctx<'_>, service: &ServiceId, priority: Option<Priority>) -> Handled {
    let Some(svc) = ctx.cfg.service(service.as_str()) else {
        return refuse(
            ErrorCode::UnknownService,
            format!("there is no service {service}"),
        );
    };
    if let (Role::Kiosk, Some(limit)) =
        (ctx.device.role, ctx.cfg.hall.queue.kiosk_tickets_per_minute)
    {
        let recent: u32 = ctx.conn.query_row(
            "SELECT COUNT(*) FROM tickets WHERE device = ?1 AND issued_ms > ?2",
            params![ctx.device.id.as_str(), ctx.now_ms - 60_000],
            |r| r.get(0),
        )?;
        if recent >= limit {
            return refuse(
                ErrorCode::RateLimited,
                format!(
                    "this kiosk issued {recent} tickets in the last minute, the limit is {limit}"
                ),
            );
        }
    }
    // Counting is only needed against a quota.
    let issued_today: u32 = match svc.daily_quota {
        None => 0,
        Some(_) => ctx
            .conn
            .prepare_cached("SELECT COUNT(*) FROM tickets WHERE day = ?1 AND first_service = ?2")?
            .query_row(params![ctx.day, service.as_str()], |r| r.get(0))?,
    };
    let now_local = local_time(ctx.now, ctx.tz());
    match issuing::may_issue(now_local, svc.hours, svc.daily_quota, issued_today) {
        Ok(()) => {}
        Err(Refusal::ServiceClosed) => {
            let hours = svc.hours.map(|h| h.to_string()).unwrap_or_default();
            return refuse(
                ErrorCode::ServiceClosed,
                format!("{} issues tickets {hours} only", svc.name),
            );
        }
        Err(Refusal::QuotaExhausted) => {
            let quota = svc.daily_quota.unwrap_or(0);
            return refuse(
                ErrorCode::QuotaExhausted,
                format!("{}: today's quota of {quota} tickets is used up", svc.name),
            );
        }
    }
    // Inside this IMMEDIATE transaction nobody else writes, so MAX + 1 is never given twice;
    // UNIQUE (day, prefix, number) guards it anyway.
    let number: u32 = ctx.conn.query_row(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM tickets WHERE day = ?1 AND prefix = ?2",
        params![ctx.day, svc.prefix],
        |r| r.get(0),
    )?;
    ctx.conn.prepare_cached("INSERT INTO tickets (day, prefix, number, service, first_service, priority, status, issued_ms, device)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, 'waiting', ?6, ?7)")?.execute(params![ctx.day, svc.prefix, number, service.as_str(), priority.map(Priority::as_str), ctx.now_ms, ctx.device.id.as_str()])?;
    let row = ticket_by_id(ctx.conn, ctx.conn.last_insert_rowid())?;
    let ticket = ctx.with_estimate(&row)?;
    ctx.emit(EventKind::TicketIssued, Some(ticket.clone()), None);
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

/// `call_next` (`chosen` = None) and `call_ticket`.
fn call(ctx: &mut Ctx<'_>, counter_id: &CounterId, chosen: Option<&String>) -> Handled {
    let (cfg_counter, mut row) = ctx.open_counter_row(counter_id)?;
    let services = cfg_counter.services.clone();
    let max = ctx.cfg.hall.queue.max_priority_in_row;
    let (ticket_id, streak) = match chosen {
        None => {
            let waiting = ctx.queue_heads(&services)?;
            let Some(pick) = calling::pick_next(&waiting, row.streak, max) else {
                return refuse(
                    ErrorCode::QueueEmpty,
                    "nobody is waiting for this counter's services",
                );
            };
            (waiting[pick.index].issue_order, pick.streak)
        }
        Some(code) => {
            let t = ctx.ticket_today(code)?;
            if t.status != TicketStatus::Waiting {
                return refuse(
                    ErrorCode::NotWaiting,
                    format!("{} is {}, not waiting", t.code(), t.status.as_str()),
                );
            }
            let normal_waiting = ctx.normal_waiting(&services, t.id)?;
            (
                t.id,
                calling::streak_after_chosen(t.priority.is_some(), normal_waiting, row.streak),
            )
        }
    };
    ctx.close_implicitly(counter_id, &mut row)?;
    ctx.conn.prepare_cached("UPDATE tickets SET status = 'called', called_ms = ?1, counter = ?2, officer = ?3, recalls = 0 WHERE id = ?4")?.execute(params![ctx.now_ms, counter_id.as_str(), row.officer, ticket_id])?;
    row.current = Some(ticket_id);
    row.streak = streak;
    save_counter(ctx.conn, counter_id.as_str(), ctx.day, &row)?;
    let ticket = ticket_by_id(ctx.conn, ticket_id)?.to_wire(ctx.tz());
    ctx.emit(
        EventKind::TicketCalled,
        Some(ticket.clone()),
        Some(counter_id),
    );
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

fn recall(ctx: &mut Ctx<'_>, counter_id: &CounterId) -> Handled {
    let (_, t) = ctx.current_for(counter_id, CurrentAction::Recall)?;
    ctx.conn
        .prepare_cached("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?1")?
        .execute([t.id])?;
    let ticket = ticket_by_id(ctx.conn, t.id)?.to_wire(ctx.tz());
    ctx.emit(
        EventKind::TicketRecalled,
        Some(ticket.clone()),
        Some(counter_id),
    );
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

fn start_serving(ctx: &mut Ctx<'_>, counter_id: &CounterId) -> Handled {
    let (_, t) = ctx.current_for(counter_id, CurrentAction::StartServing)?;
    ctx.set_status(t.id, TicketStatus::Serving)?;
    let ticket = ticket_by_id(ctx.conn, t.id)?.to_wire(ctx.tz());
    ctx.emit(
        EventKind::ServingStarted,
        Some(ticket.clone()),
        Some(counter_id),
    );
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

/// `finish` and `no_show`.
fn close_current(ctx: &mut Ctx<'_>, counter_id: &CounterId, action: CurrentAction) -> Handled {
    let (mut row, t) = ctx.current_for(counter_id, action)?;
    let (status, kind) = match action {
        CurrentAction::Finish => (TicketStatus::Done, EventKind::TicketFinished),
        _ => (TicketStatus::NoShow, EventKind::TicketNoShow),
    };
    ctx.set_status(t.id, status)?;
    row.current = None;
    save_counter(ctx.conn, counter_id.as_str(), ctx.day, &row)?;
    let ticket = ticket_by_id(ctx.conn, t.id)?.to_wire(ctx.tz());
    ctx.emit(kind, Some(ticket.clone()), Some(counter_id));
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

fn transfer(ctx: &mut Ctx<'_>, counter_id: &CounterId, to: &ServiceId) -> Handled {
    let (mut row, t) = ctx.current_for(counter_id, CurrentAction::Transfer)?;
    if ctx.cfg.service(to.as_str()).is_none() {
        return refuse(
            ErrorCode::UnknownService,
            format!("there is no service {to}"),
        );
    }
    if t.service == to.as_str() {
        return refuse(
            ErrorCode::InvalidRequest,
            format!("{} already waits for {to}", t.code()),
        );
    }
    // Back to waiting, for the new service, with its original issued_ms: its place in the
    // new queue is where it would have been had it been issued for it.
    ctx.conn.prepare_cached("UPDATE tickets SET service = ?1, status = 'waiting', called_ms = NULL, serving_ms = NULL,
         counter = NULL, officer = NULL, recalls = 0 WHERE id = ?2")?.execute(params![to.as_str(), t.id])?;
    ctx.conn.prepare_cached("INSERT INTO transfers (ticket, at_ms, from_service, to_service, counter, officer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![t.id, ctx.now_ms, t.service, to.as_str(), counter_id.as_str(), row.officer])?;
    row.current = None;
    save_counter(ctx.conn, counter_id.as_str(), ctx.day, &row)?;
    let ticket = ctx.with_estimate(&ticket_by_id(ctx.conn, t.id)?)?;
    ctx.events.push(PendingEvent {
        ticket: Some(ticket.clone()),
        counter: Some(counter_id.clone()),
        from_service: Some(ServiceId::new(&t.service)),
        ..PendingEvent::new(EventKind::TicketTransferred)
    });
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

fn open_counter(ctx: &mut Ctx<'_>, counter_id: &CounterId, officer: &str) -> Handled {
    if ctx.cfg.counter(counter_id.as_str()).is_none() {
        return refuse(
            ErrorCode::UnknownCounter,
            format!("there is no counter {counter_id}"),
        );
    }
    let officer = officer.trim().to_owned();
    let mut row = counter_row(ctx.conn, counter_id.as_str(), ctx.day)?;
    // Opening an open counter hands it to another officer (a shift change); its current
    // ticket stays.
    ctx.conn
        .prepare_cached(
            "UPDATE counter_sessions SET closed_ms = ?1 WHERE counter = ?2 AND closed_ms IS NULL",
        )?
        .execute(params![ctx.now_ms, counter_id.as_str()])?;
    ctx.conn.prepare_cached("INSERT INTO counter_sessions (counter, officer, day, opened_ms) VALUES (?1, ?2, ?3, ?4)")?.execute(params![counter_id.as_str(), officer, ctx.day, ctx.now_ms])?;
    row.open = true;
    row.officer = Some(officer.clone());
    save_counter(ctx.conn, counter_id.as_str(), ctx.day, &row)?;
    ctx.events.push(PendingEvent {
        counter: Some(counter_id.clone()),
        officer: Some(officer),
        ..PendingEvent::new(EventKind::CounterOpened)
    });
    let state = counter_state(ctx.conn, counter_id.as_str(), ctx.day, ctx.tz())?;
    Ok(Done {
        ticket: None,
        counter: Some(state),
    })
}

fn close_counter(ctx: &mut Ctx<'_>, counter_id: &CounterId) -> Handled {
    let (_, mut row) = ctx.open_counter_row(counter_id)?;
    ctx.close_implicitly(counter_id, &mut row)?;
    row.open = false;
    row.officer = None;
    row.streak = 0;
    save_counter(ctx.conn, counter_id.as_str(), ctx.day, &row)?;
    ctx.conn
        .prepare_cached(
            "UPDATE counter_sessions SET closed_ms = ?1 WHERE counter = ?2 AND closed_ms IS NULL",
        )?
        .execute(params![ctx.now_ms, counter_id.as_str()])?;
    ctx.emit(EventKind::CounterClosed, None, Some(counter_id));
    let state = counter_state(ctx.conn, counter_id.as_str(), ctx.day, ctx.tz())?;
    Ok(Done {
        ticket: None,
        counter: Some(state),
    })
}

fn survey(ctx: &mut Ctx<'_>, code: &str, answers: &[i64]) -> Handled {
    let t = ctx.ticket_today(code)?;
    let parsed = t.code();
    if t.status != TicketStatus::Done {
        return refuse(
            ErrorCode::NotServed,
            format!("{parsed} has not been served"),
        );
    }
    let rated: Option<i64> = ctx
        .conn
        .query_row(
            "SELECT ticket FROM surveys WHERE ticket = ?1",
            [t.id],
            |r| r.get(0),
        )
        .optional()?;
    if rated.is_some() {
        return refuse(
            ErrorCode::AlreadyRated,
            format!("{parsed} has already been rated"),
        );
    }
    ctx.conn.execute(
        "INSERT INTO surveys (ticket, day, at_ms, service, u1, u2, u3, u4, u5, u6, u7, u8, u9, device)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            t.id, ctx.day, ctx.now_ms, t.service, answers[0], answers[1], answers[2], answers[3], answers[4],
            answers[5], answers[6], answers[7], answers[8], ctx.device.id.as_str()
        ],
    )?;
    Ok(Done::default())
}

fn aspiration(ctx: &mut Ctx<'_>, kind: AspirationKind, text: &str) -> Handled {
    ctx.conn
        .prepare_cached(
            "INSERT INTO aspirations (day, at_ms, kind, text, device) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            ctx.day,
            ctx.now_ms,
            kind.as_str(),
            text.trim(),
            ctx.device.id.as_str()
        ])?;
    Ok(Done::default())
}

/// Stores the kiosk's printer status; an event only when it changed, so a kiosk that
/// reports the same state again costs no broadcast.
fn device_status(ctx: &mut Ctx<'_>, printer: PrinterStatus, message: &Option<String>) -> Handled {
    let message = message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    let device = ctx.device.id.clone();
    let before: Option<(String, Option<String>)> = ctx
        .conn
        .query_row(
            "SELECT printer, message FROM device_status WHERE device = ?1",
            [device.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    ctx.conn.execute(
        "INSERT INTO device_status (device, printer, message, at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (device) DO UPDATE SET printer = ?2, message = ?3, at_ms = ?4",
        params![device.as_str(), printer.as_str(), message, ctx.now_ms],
    )?;
    if before != Some((printer.as_str().to_owned(), message.clone())) {
        if printer == PrinterStatus::Ok {
            tracing::info!(device = %device.as_str(), "printer ok");
        } else {
            tracing::warn!(device = %device.as_str(), printer = printer.as_str(), ?message, "printer problem");
        }
        ctx.events.push(PendingEvent {
            device: Some((device, printer, message)),
            ..PendingEvent::new(EventKind::DeviceStatus)
        });
    }
    Ok(Done::default())
}

/// All tickets of a day, in the order of issue.
pub(crate) fn tickets_of_day(conn: &Connection, day: &str) -> rusqlite::Result<Vec<TicketRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TICKET_COLS} FROM tickets WHERE day = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([day], TicketRow::from_row)?;
    rows.collect()
}
