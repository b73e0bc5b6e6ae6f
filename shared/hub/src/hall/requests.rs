//! One function per request: check it against the core's rules, change the rows through
//! the [`Dao`], queue the events. Runs inside the request's transaction (a savepoint of
//! it), so a refusal part way through leaves nothing behind. No SQL here.

use super::wire::ToWire;
use super::PendingEvent;
use crate::config::{Config, Device};
use crate::store::dao::{Dao, NewTicket};
use crate::store::rows::{CounterRow, PauseRow, TicketRow};
use antre_core::domain::calling;
use antre_core::domain::counter::{self, pause_words, ActionRefused, CurrentAction, PauseReason};
use antre_core::domain::day::local_time;
use antre_core::domain::estimate;
use antre_core::domain::ikm;
use antre_core::domain::issuing::{self, Refusal};
use antre_core::domain::text;
use antre_core::domain::{CounterId, Priority, ServiceId, TicketCode, TicketStatus};
use antre_core::proto::{
    visit_of, AspirationKind, CounterState, ErrorCode, EventKind, PrinterStatus, Request, Role,
    Ticket,
};
use chrono::{DateTime, Utc};

pub(super) struct Ctx<'a> {
    pub dao: &'a Dao<'a>,
    pub cfg: &'a Config,
    /// The estimates' lessons, board and last play.
    pub forecast: &'a mut super::forecast::Forecaster,
    pub now: DateTime<Utc>,
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
    /// As `Refuse`, because of one service of a visit, which the error names.
    RefuseFor(ErrorCode, String, ServiceId),
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
        Request::IssueTicket {
            service,
            priority,
            services,
        } => issue_ticket(ctx, &visit_of(service, services), *priority),
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
        Request::Survey {
            ticket,
            answers,
            key,
        } => survey(ctx, ticket, answers, key.as_deref()),
        Request::Aspiration { kind, text } => aspiration(ctx, *kind, text),
        Request::OpenCounter { counter, officer } => open_counter(ctx, counter, officer),
        Request::CloseCounter { counter } => close_counter(ctx, counter),
        Request::Ping => Ok(Done::default()),
        Request::PauseCounter {
            counter,
            reason,
            until,
        } => pause_counter(ctx, counter, *reason, until.as_deref()),
        Request::ResumeCounter { counter } => resume_counter(ctx, counter),
        Request::CancelTicket { ticket, key } => cancel_ticket(ctx, ticket, key.as_deref()),
        Request::DeviceStatus { printer, message } => device_status(ctx, *printer, message),
        Request::CheckIn { booking, priority } => check_in(ctx, booking, *priority),
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

    /// Today's ticket with `code` (as people type it: `A-012`, `a12`); `unknown_ticket` when
    /// it is not a code or not a ticket of today.
    fn ticket_today(&self, code: &str) -> Result<TicketRow, Fail> {
        let Ok(parsed) = code.parse::<TicketCode>() else {
            return refuse(
                ErrorCode::UnknownTicket,
                format!("{code:?} is not a ticket code such as A-012"),
            );
        };
        match self.dao.ticket_by_code(&parsed.prefix, parsed.number)? {
            Some(t) => Ok(t),
            None => refuse(
                ErrorCode::UnknownTicket,
                format!("there is no ticket {parsed} today"),
            ),
        }
    }

    /// Refuses `given` unless it is `t`'s key (compared in constant time).
    fn check_key(&self, t: &TicketRow, given: &str) -> Result<(), Fail> {
        use subtle::ConstantTimeEq;
        let ours = self.dao.ticket_key(t.id)?;
        let same = ours.is_some_and(|k| bool::from(k.as_bytes().ct_eq(given.as_bytes())));
        if same {
            Ok(())
        } else {
            refuse(
                ErrorCode::WrongKey,
                format!("that is not the key of {}", t.code()),
            )
        }
    }

    /// A counter's change: its event with the state after it, and the same state in the
    /// reply.
    fn counter_event(&mut self, kind: EventKind, counter_id: &CounterId) -> Handled {
        let state = self.counter_state(counter_id)?;
        self.events.push(PendingEvent {
            counter: Some(counter_id.clone()),
            state: Some(state.clone()),
            ..PendingEvent::new(kind)
        });
        Ok(Done {
            ticket: None,
            counter: Some(state),
        })
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
        let row = self.dao.counter(id.as_str())?;
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
            Some(t) => Some(self.dao.ticket(t)?),
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
            let t = self.dao.ticket(id)?;
            let status = counter::implicit_close(t.status);
            self.end_step(&t, status, counter)?;
        }
        Ok(())
    }

    /// Ends the current step of `t` at `counter` with `status`: a visit served with
    /// services left waits for the next one (`ticket_requeued`), in that queue from now;
    /// otherwise the ticket is done or not present. Returns its wire form.
    fn end_step(
        &mut self,
        t: &TicketRow,
        status: TicketStatus,
        counter: &CounterId,
    ) -> rusqlite::Result<Ticket> {
        let kind = match (status, t.services_left().first()) {
            (TicketStatus::Done, Some(next)) => {
                self.dao.record_step(t.id)?;
                self.dao.requeue(t.id, t.step + 1, next)?;
                EventKind::TicketRequeued
            }
            (TicketStatus::Done, None) => {
                self.dao.set_status(t.id, status)?;
                EventKind::TicketFinished
            }
            // Not present ends the whole visit.
            _ => {
                self.dao.set_status(t.id, status)?;
                EventKind::TicketNoShow
            }
        };
        let row = self.dao.ticket(t.id)?;
        let wire = if kind == EventKind::TicketRequeued {
            self.with_estimate(&row)?
        } else {
            row.to_wire(self.tz())
        };
        self.emit(kind, Some(wire.clone()), Some(counter));
        Ok(wire)
    }

    /// A counter's state as the protocol says it.
    fn counter_state(&self, id: &CounterId) -> rusqlite::Result<CounterState> {
        super::wire::counter_state(self.dao, id, self.tz())
    }

    /// Fills in `ahead` and `estimated_wait_min` of a waiting ticket.
    fn with_estimate(&mut self, t: &TicketRow) -> rusqlite::Result<Ticket> {
        let counts = self.dao.queue_counts(t)?;
        let ahead = calling::ahead_of(
            counts,
            t.priority.is_some(),
            self.cfg.hall.queue.max_priority_in_row,
        );

        // The hall played forward, this ticket and what the request changed so far in it
        // (the issued counts, which no play reads, are counted once, with the figures).
        let mut named = super::named(&self.events);
        named.retain(|n| !matches!(n, super::forecast::Named::Issued(_)));
        let own = [super::forecast::Named::Ticket(
            antre_core::domain::TicketCode::new(t.prefix.as_str(), t.number).to_string(),
        )]
        .into_iter()
        .chain(
            t.counter
                .iter()
                .map(|c| super::forecast::Named::Counter(c.clone())),
        );
        for n in own {
            if !named.contains(&n) {
                named.push(n);
            }
        }
        self.forecast.sync(self.dao, &named)?;
        self.forecast
            .play(self.dao, self.cfg, [t.service.as_str()])?;
        let (board, played) = self.forecast.view();
        let q = super::figures::queue(self.dao, self.cfg, board, t.service.as_str())?;
        let cv = self
            .cfg
            .services
            .iter()
            .position(|s| s.id.as_str() == t.service)
            .map_or(0.5, |i| played.cv(i));
        let e = match played.ticket(t.id) {
            Some(call) if q.counters_open > 0 => {
                estimate::from_call(ahead, q.counters_open, &call, cv)
            }
            _ => estimate::estimate(ahead, q.service_secs, q.counters_open, q.counters_serving),
        };
        let mut wire = t.to_wire(self.tz());
        wire.ahead = Some(e.ahead);
        wire.estimated_wait_min = Some(e.minutes);
        wire.counters_open = Some(e.counters_open);
        wire.estimated_wait_range = e.range.map(|(lo, hi)| [lo, hi]);
        Ok(wire)
    }
}

fn issue_ticket(ctx: &mut Ctx<'_>, visit: &[ServiceId], priority: Option<Priority>) -> Handled {
    // Refusals name the service (a visit has several).
    let refuse_for = |code, message: String, service: &ServiceId| -> Handled {
        Err(Fail::RefuseFor(code, message, service.clone()))
    };
    let mut services = Vec::with_capacity(visit.len());
    for service in visit {
        let Some(svc) = ctx.cfg.service(service.as_str()) else {
            return refuse_for(
                ErrorCode::UnknownService,
                format!("there is no service {service}"),
                service,
            );
        };
        services.push(svc);
    }
    if let (Role::Kiosk, Some(limit)) =
        (ctx.device.role, ctx.cfg.hall.queue.kiosk_tickets_per_minute)
    {
        let recent = ctx
            .dao
            .issued_by_device_since(ctx.device.id.as_str(), ctx.dao.now_ms - 60_000)?;
        if recent >= limit {
            return refuse(
                ErrorCode::RateLimited,
                format!(
                    "this kiosk issued {recent} tickets in the last minute, the limit is {limit}"
                ),
            );
        }
    }
    // Quota and hours for every service of the visit, now: a later service counts against
    // its quota from the issue on.
    let now_local = local_time(ctx.now, ctx.tz());
    // A holiday closes every service; the kiosk shows its reason.
    let day = chrono::NaiveDate::parse_from_str(ctx.dao.day, "%Y-%m-%d").ok();
    if let Some(reason) = day.and_then(|d| ctx.cfg.holiday(d)) {
        return refuse_for(
            ErrorCode::ServiceClosed,
            format!("no tickets today, a holiday: {reason}"),
            &visit[0],
        );
    }
    for (service, svc) in visit.iter().zip(&services) {
        // Seats held for bookings count too.
        let issued_today = super::figures::walk_ins_counted(ctx.dao, svc)?;
        match issuing::may_issue(
            now_local,
            ctx.cfg.issuing_hours(svc),
            svc.daily_quota,
            issued_today,
        ) {
            Ok(()) => {}
            Err(Refusal::ServiceClosed) => {
                let hours = svc.hours.map(|h| h.to_string()).unwrap_or_default();
                return refuse_for(
                    ErrorCode::ServiceClosed,
                    format!("{} issues tickets {hours} only", svc.name),
                    service,
                );
            }
            Err(Refusal::QuotaExhausted) => {
                let quota = svc.daily_quota.unwrap_or(0);
                return refuse_for(
                    ErrorCode::QuotaExhausted,
                    format!("{}: today's quota of {quota} tickets is used up", svc.name),
                    service,
                );
            }
        }
    }
    issue(ctx, visit, services[0], priority, None)
}

/// Issues the ticket of `visit` (its first service `svc`), checked-in with `booking` if
/// given: numbered, keyed, stored, announced.
fn issue(
    ctx: &mut Ctx<'_>,
    visit: &[ServiceId],
    svc: &crate::config::Service,
    priority: Option<Priority>,
    booking: Option<&str>,
) -> Handled {
    let service = &visit[0];
    let number = ctx.dao.next_number(&svc.prefix)?;
    let key = ticket_key();
    let steps = (visit.len() > 1).then(|| {
        visit
            .iter()
            .map(ServiceId::as_str)
            .collect::<Vec<_>>()
            .join(",")
    });
    let id = ctx.dao.insert_ticket(&NewTicket {
        prefix: &svc.prefix,
        number,
        service: service.as_str(),
        priority,
        device: ctx.device.id.as_str(),
        key: &key,
        visit: steps.as_deref(),
        booking,
    })?;
    if let Some(code) = booking {
        ctx.dao.use_booking(code, id)?;
    }
    let row = ctx.dao.ticket(id)?;
    let ticket = ctx.with_estimate(&row)?;
    ctx.emit(EventKind::TicketIssued, Some(ticket.clone()), None);
    // The key goes to the kiosk that issued it (for the printed QR) and nowhere else.
    Ok(Done {
        ticket: Some(Ticket {
            key: Some(key),
            ..ticket
        }),
        counter: None,
    })
}

/// `check_in`: a booking made online becomes a ticket of its service, in the queue from
/// now, if it is this hall's, unused, and within its window (from 30 minutes before its
/// session until the session ends). Its seat was held, so the quota does not refuse it.
fn check_in(ctx: &mut Ctx<'_>, typed: &str, priority: Option<Priority>) -> Handled {
    use antre_core::domain::booking::{parse_code, CheckIn, Session};
    let Some(code) = parse_code(typed) else {
        return refuse(
            ErrorCode::UnknownBooking,
            format!("{typed:?} is not a booking code (BK- and 7 letters or digits)"),
        );
    };
    let unknown = || {
        refuse(
            ErrorCode::UnknownBooking,
            format!("no booking {code} for this hall"),
        )
    };
    let Some(b) = ctx.dao.booking(&code)? else {
        return unknown();
    };
    if b.status != "booked" {
        return refuse(
            ErrorCode::UnknownBooking,
            format!("booking {code} was cancelled"),
        );
    }
    if let Some(t) = b.ticket {
        let ticket = ctx.dao.ticket(t)?.code();
        return refuse(
            ErrorCode::BookingUsed,
            format!("booking {code} was checked in already, as ticket {ticket}"),
        );
    }
    let (Ok(session), Ok(day), Some(svc)) = (
        Session::parse(&b.session),
        chrono::NaiveDate::parse_from_str(&b.day, "%Y-%m-%d"),
        ctx.cfg.service(&b.service),
    ) else {
        return unknown();
    };
    let now = ctx.now.with_timezone(&ctx.tz()).naive_local();
    match session.check_in(day, now) {
        CheckIn::Good => {}
        CheckIn::OtherDay => {
            return refuse(
                ErrorCode::BookingOtherDay,
                format!("booking {code} is for {day}, not today"),
            )
        }
        CheckIn::TooEarly => {
            return refuse(
                ErrorCode::BookingExpired,
                format!(
                    "booking {code} is for the session {session}: check in from {}",
                    session.opens(day).format("%H:%M")
                ),
            )
        }
        CheckIn::Expired => {
            return refuse(
                ErrorCode::BookingExpired,
                format!("booking {code} was for the session {session}, which has ended"),
            )
        }
    }
    let visit = [svc.id.clone()];
    issue(ctx, &visit, svc, priority, Some(&code))
}

/// `call_next` (`chosen` = None) and `call_ticket`.
fn call(ctx: &mut Ctx<'_>, counter_id: &CounterId, chosen: Option<&String>) -> Handled {
    let (cfg_counter, mut row) = ctx.open_counter_row(counter_id)?;
    if let Some(p) = &row.pause {
        return refuse(
            ErrorCode::CounterPaused,
            format!(
                "{} is paused ({}): resume it first",
                cfg_counter.name,
                pause_words(p.reason, p.until.as_deref())
            ),
        );
    }
    let services = cfg_counter.services.clone();
    let max = ctx.cfg.hall.queue.max_priority_in_row;
    let (ticket_id, streak) = match chosen {
        None => {
            let waiting = ctx.dao.queue_heads(&services)?;
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
            let normal_waiting = ctx.dao.normal_waiting(&services, t.id)?;
            (
                t.id,
                calling::streak_after_chosen(t.priority.is_some(), normal_waiting, row.streak),
            )
        }
    };
    ctx.close_implicitly(counter_id, &mut row)?;
    ctx.dao
        .mark_called(ticket_id, counter_id.as_str(), row.officer.as_deref())?;
    row.current = Some(ticket_id);
    row.streak = streak;
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    let ticket = ctx.dao.ticket(ticket_id)?.to_wire(ctx.tz());
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
    ctx.dao.add_recall(t.id)?;
    let ticket = ctx.dao.ticket(t.id)?.to_wire(ctx.tz());
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
    ctx.dao.set_status(t.id, TicketStatus::Serving)?;
    let ticket = ctx.dao.ticket(t.id)?.to_wire(ctx.tz());
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
    let status = match action {
        CurrentAction::Finish => TicketStatus::Done,
        _ => TicketStatus::NoShow,
    };
    let ticket = ctx.end_step(&t, status, counter_id)?;
    row.current = None;
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
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
    // Back to waiting, for the new service, keeping its queued_ms: its place in the new
    // queue is where it would have been had it joined that one. In a visit, the new
    // service replaces the current step's.
    ctx.dao
        .transfer(&t, to.as_str(), counter_id.as_str(), row.officer.as_deref())?;
    if !t.visit.is_empty() {
        let mut visit = t.visit.clone();
        visit[t.step as usize] = to.as_str().to_owned();
        ctx.dao.set_visit(t.id, &visit.join(","))?;
    }
    row.current = None;
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    let ticket = ctx.with_estimate(&ctx.dao.ticket(t.id)?)?;
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
    let officer = text::one_line(officer);
    let mut row = ctx.dao.counter(counter_id.as_str())?;
    // Opening an open counter hands it to another officer (a shift change); its current
    // ticket stays.
    ctx.dao.close_session(counter_id.as_str())?;
    ctx.dao.open_session(counter_id.as_str(), &officer)?;
    row.open = true;
    row.officer = Some(officer.clone());
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    ctx.events.push(PendingEvent {
        counter: Some(counter_id.clone()),
        officer: Some(officer),
        ..PendingEvent::new(EventKind::CounterOpened)
    });
    let state = ctx.counter_state(counter_id)?;
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
    row.pause = None;
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    ctx.dao.close_session(counter_id.as_str())?;
    ctx.dao.close_pause(counter_id.as_str())?;
    ctx.emit(EventKind::CounterClosed, None, Some(counter_id));
    let state = ctx.counter_state(counter_id)?;
    Ok(Done {
        ticket: None,
        counter: Some(state),
    })
}

/// Pauses an open counter with no current ticket; a paused counter pausing again gets the
/// new reason and end time.
fn pause_counter(
    ctx: &mut Ctx<'_>,
    counter_id: &CounterId,
    reason: PauseReason,
    until: Option<&str>,
) -> Handled {
    let (cfg_counter, mut row) = ctx.open_counter_row(counter_id)?;
    if !counter::may_pause(row.current.is_some()) {
        let current = row.current.map(|t| ctx.dao.ticket(t)).transpose()?;
        let code = current.map(|t| t.code()).unwrap_or_default();
        return refuse(
            ErrorCode::WrongState,
            format!(
                "{} is serving {code}: finish it or mark it not present before pausing",
                cfg_counter.name
            ),
        );
    }
    ctx.dao.close_pause(counter_id.as_str())?;
    ctx.dao
        .open_pause(counter_id.as_str(), reason.as_str(), until)?;
    row.pause = Some(PauseRow {
        reason,
        until: until.map(str::to_owned),
        since_ms: ctx.dao.now_ms,
    });
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    ctx.counter_event(EventKind::CounterPaused, counter_id)
}

/// Ends a counter's pause; a counter that is not paused stays as it is (a second press).
fn resume_counter(ctx: &mut Ctx<'_>, counter_id: &CounterId) -> Handled {
    let (_, mut row) = ctx.open_counter_row(counter_id)?;
    if row.pause.is_none() {
        let state = ctx.counter_state(counter_id)?;
        return Ok(Done {
            ticket: None,
            counter: Some(state),
        });
    }
    ctx.dao.close_pause(counter_id.as_str())?;
    row.pause = None;
    ctx.dao.save_counter(counter_id.as_str(), &row)?;
    ctx.counter_event(EventKind::CounterResumed, counter_id)
}

/// Gives up a waiting ticket: it is never called, and everyone behind it moves up.
fn cancel_ticket(ctx: &mut Ctx<'_>, code: &str, key: Option<&str>) -> Handled {
    let t = ctx.ticket_today(code)?;
    if let Some(given) = key {
        ctx.check_key(&t, given)?;
    }
    if t.status != TicketStatus::Waiting {
        return refuse(
            ErrorCode::NotWaiting,
            format!("{} is {}, not waiting", t.code(), t.status.as_str()),
        );
    }
    ctx.dao.set_status(t.id, TicketStatus::Cancelled)?;
    let ticket = ctx.dao.ticket(t.id)?.to_wire(ctx.tz());
    ctx.emit(EventKind::TicketCancelled, Some(ticket.clone()), None);
    Ok(Done {
        ticket: Some(ticket),
        counter: None,
    })
}

/// A new ticket key: 22 characters of `[A-Za-z0-9_-]` from the OS's generator (132 bits).
fn ticket_key() -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 22];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // 256 is a multiple of 64: every character is equally likely.
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 64)]))
        .collect()
}

fn survey(ctx: &mut Ctx<'_>, code: &str, answers: &[i64], key: Option<&str>) -> Handled {
    let t = ctx.ticket_today(code)?;
    let parsed = t.code();
    if let Some(given) = key {
        ctx.check_key(&t, given)?;
    }
    if t.status != TicketStatus::Done {
        return refuse(
            ErrorCode::NotServed,
            format!("{parsed} has not been served"),
        );
    }
    if ctx.dao.rated(t.id)? {
        return refuse(
            ErrorCode::AlreadyRated,
            format!("{parsed} has already been rated"),
        );
    }
    // The request was checked before it got here (`Request::validate`): nine answers 1..=4.
    let answers = ikm::check_answers(answers)
        .map_err(|e| Fail::Refuse(ErrorCode::InvalidRequest, e.to_string()))?;
    ctx.dao
        .insert_survey(&t, &answers, ctx.device.id.as_str())?;
    // For the city's report: the ticket and the answers, nothing of who gave them.
    ctx.events.push(PendingEvent {
        ticket: Some(t.to_wire(ctx.tz())),
        answers: Some(answers.to_vec()),
        ..PendingEvent::new(EventKind::SurveyGiven)
    });
    Ok(Done::default())
}

fn aspiration(ctx: &mut Ctx<'_>, kind: AspirationKind, words: &str) -> Handled {
    ctx.dao
        .insert_aspiration(kind.as_str(), &text::lines(words), ctx.device.id.as_str())?;
    Ok(Done::default())
}

/// Stores the kiosk's printer status; an event only when it changed, so a kiosk that
/// reports the same state again costs no broadcast.
fn device_status(ctx: &mut Ctx<'_>, printer: PrinterStatus, message: &Option<String>) -> Handled {
    let message = message
        .as_deref()
        .map(text::one_line)
        .filter(|m| !m.is_empty());
    let device = ctx.device.id.clone();
    let before = ctx.dao.device_status(device.as_str())?;
    ctx.dao
        .save_device_status(device.as_str(), printer.as_str(), message.as_deref())?;
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
