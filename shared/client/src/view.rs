//! A device's local view of the hall: the welcome's snapshot with every event applied.
//! Pure: the connection feeds it, the app reads it.

use antre_core::domain::{AgencyId, CounterId, DeviceId, ServiceId, TicketStatus};
use antre_core::proto::{
    CounterState, DeviceStatus, Event, EventKind, Figures, HallInfo, Role, Ticket, Welcome,
};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HallView {
    pub device: Option<DeviceId>,
    pub role: Option<Role>,
    pub zone: Option<Vec<AgencyId>>,
    /// For a counter device: its counter.
    pub counter: Option<CounterId>,
    pub hall: Option<HallInfo>,
    /// The last event applied.
    pub seq: u64,
    /// Today's tickets in the order of issue.
    pub tickets: Vec<Ticket>,
    /// Tickets given up today (`ticket_cancelled`), by code: not in `tickets`, as snapshots
    /// leave them out.
    pub cancelled: BTreeMap<String, Ticket>,
    index: HashMap<String, usize>,
    pub counters: BTreeMap<CounterId, CounterState>,
    /// The last printer status each kiosk reported.
    pub devices: BTreeMap<DeviceId, DeviceStatus>,
    /// Each service's queue figures, as the hub last sent them.
    pub figures: BTreeMap<ServiceId, Figures>,
    /// The day's latest calls and recalls, newest first, each ticket once (a recall moves it
    /// up); at most [`RECENT_CALLS`].
    pub calls: Vec<RecentCall>,
}

/// How many of the latest calls the view keeps (a zone's display shows fewer).
pub const RECENT_CALLS: usize = 32;

/// A call or recall of a ticket to a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentCall {
    pub code: String,
    pub counter: CounterId,
    /// The ticket was called again (not the first call).
    pub recall: bool,
}

/// What applying an event showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Ok,
    /// The event is not the next one: the view must be rebuilt by reconnecting.
    Gap {
        expected: u64,
        got: u64,
    },
    /// Already applied (a duplicate after a resume).
    Old,
}

impl HallView {
    /// Applies a welcome: the hall, and the snapshot if there is one.
    pub fn apply_welcome(&mut self, w: &Welcome) {
        self.device = Some(w.device.clone());
        self.role = Some(w.role);
        self.zone = w.zone.clone();
        self.counter = w.counter.clone();
        self.hall = Some(w.hall.clone());
        if let Some(s) = &w.snapshot {
            self.tickets = s.tickets.clone();
            self.cancelled.clear();
            self.reindex();
            self.counters = s
                .counters
                .iter()
                .map(|c| (c.id.clone(), c.clone()))
                .collect();
            self.devices = s
                .devices
                .iter()
                .map(|d| (d.device.clone(), d.clone()))
                .collect();
            self.figures = s
                .figures
                .iter()
                .map(|f| (f.service.clone(), f.clone()))
                .collect();
            self.calls = calls_of(&self.tickets);
            self.seq = w.seq;
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .tickets
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.clone(), i))
            .collect();
    }

    pub fn ticket(&self, code: &str) -> Option<&Ticket> {
        self.index.get(code).map(|&i| &self.tickets[i])
    }

    /// Stores a ticket as a snapshot would hold it, and returns that form.
    fn upsert(&mut self, t: &Ticket) -> Ticket {
        // `ahead` and the estimate are true only at the moment of issue.
        let t = Ticket {
            ahead: None,
            estimated_wait_min: None,
            counters_open: None,
            estimated_wait_range: None,
            ..t.clone()
        };
        match self.index.get(&t.code) {
            Some(&i) => self.tickets[i] = t.clone(),
            None => {
                self.index.insert(t.code.clone(), self.tickets.len());
                self.tickets.push(t.clone());
            }
        }
        t
    }

    fn counter_mut(&mut self, id: &CounterId) -> &mut CounterState {
        self.counters
            .entry(id.clone())
            .or_insert_with(|| CounterState {
                id: id.clone(),
                open: false,
                officer: None,
                current: None,
                paused: None,
            })
    }

    /// Applies the next event.
    pub fn apply(&mut self, e: &Event) -> Applied {
        if e.seq <= self.seq {
            return Applied::Old;
        }
        if e.seq != self.seq + 1 {
            return Applied::Gap {
                expected: self.seq + 1,
                got: e.seq,
            };
        }
        self.seq = e.seq;
        match e.kind {
            EventKind::TicketIssued => {
                if let Some(t) = &e.ticket {
                    self.upsert(t);
                }
            }
            EventKind::TicketCancelled => {
                if let Some(t) = &e.ticket {
                    if let Some(i) = self.index.get(&t.code).copied() {
                        self.tickets.remove(i);
                        self.reindex();
                    }
                    self.cancelled.insert(t.code.clone(), t.clone());
                }
            }
            EventKind::TicketCalled | EventKind::TicketRecalled | EventKind::ServingStarted => {
                if let (Some(t), Some(c)) = (&e.ticket, &e.counter) {
                    let t = self.upsert(t);
                    self.counter_mut(c).current = Some(t);
                }
            }
            EventKind::TicketFinished
            | EventKind::TicketNoShow
            | EventKind::TicketTransferred
            | EventKind::TicketRequeued => {
                if let Some(t) = &e.ticket {
                    self.upsert(t);
                    if let Some(c) = &e.counter {
                        let counter = self.counter_mut(c);
                        if counter
                            .current
                            .as_ref()
                            .is_some_and(|cur| cur.code == t.code)
                        {
                            counter.current = None;
                        }
                    }
                }
            }
            EventKind::CounterOpened => {
                if let Some(c) = &e.counter {
                    let counter = self.counter_mut(c);
                    counter.open = true;
                    counter.officer = e.officer.clone();
                }
            }
            EventKind::CounterClosed => {
                if let Some(c) = &e.counter {
                    let counter = self.counter_mut(c);
                    counter.open = false;
                    counter.officer = None;
                    counter.current = None;
                    counter.paused = None;
                }
            }
            EventKind::CounterPaused | EventKind::CounterResumed => {
                if let (Some(c), Some(state)) = (&e.counter, &e.state) {
                    self.counter_mut(c).paused = state.paused.clone();
                }
            }
            EventKind::DayStarted => {
                self.tickets.clear();
                self.cancelled.clear();
                self.index.clear();
                for c in self.counters.values_mut() {
                    c.open = false;
                    c.officer = None;
                    c.current = None;
                    c.paused = None;
                }
                if let (Some(h), Some(day)) = (&mut self.hall, &e.day) {
                    h.day = day.clone();
                }
            }
            EventKind::DeviceStatus => {
                if let (Some(device), Some(printer)) = (&e.device, e.printer) {
                    self.devices.insert(
                        device.clone(),
                        DeviceStatus {
                            device: device.clone(),
                            printer,
                            message: e.message.clone(),
                            at: e.at.clone(),
                        },
                    );
                }
            }
            EventKind::HallChanged => {
                if let Some(h) = &e.hall {
                    self.hall = Some((**h).clone());
                }
            }
            // A rating changes nothing a device shows.
            EventKind::SurveyGiven | EventKind::Other => {}
        }
        if e.kind == EventKind::DayStarted {
            self.figures.clear();
            self.calls.clear();
        }
        if let (EventKind::TicketCalled | EventKind::TicketRecalled, Some(t), Some(c)) =
            (e.kind, &e.ticket, &e.counter)
        {
            self.calls.retain(|x| x.code != t.code);
            self.calls.insert(
                0,
                RecentCall {
                    code: t.code.clone(),
                    counter: c.clone(),
                    recall: e.kind == EventKind::TicketRecalled,
                },
            );
            self.calls.truncate(RECENT_CALLS);
        }
        for f in &e.figures {
            self.figures.insert(f.service.clone(), f.clone());
        }
        Applied::Ok
    }

    /// The hall's time zone (the default one until the hub has said).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.hall
            .as_ref()
            .map_or(antre_core::domain::day::DEFAULT_TIMEZONE, HallInfo::tz)
    }

    /// The hub's figures for `service`, once it has sent them.
    pub fn figures(&self, service: &str) -> Option<&Figures> {
        self.figures.get(service)
    }

    /// Waiting tickets of the given services, longest waiting first (in the queue they wait
    /// in now: a visit's later step from when it finished the one before).
    pub fn waiting_for(&self, services: &[ServiceId]) -> Vec<&Ticket> {
        let mut w: Vec<&Ticket> = self
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting && services.contains(&t.service))
            .collect();
        // RFC 3339 strings of one zone sort as time; the order of issue breaks ties.
        let queued = |t: &Ticket| t.queued_at.clone().unwrap_or_else(|| t.issued_at.clone());
        w.sort_by_cached_key(|t| (queued(t), t.issued_at.clone()));
        w
    }

    /// Where `service` is served, as a visitor reads it: "Loket 1–4" (empty when no counter
    /// serves it).
    pub fn served_at(&self, service: &ServiceId) -> String {
        let names: Vec<&str> = self
            .hall
            .iter()
            .flat_map(|h| h.counters.iter())
            .filter(|c| c.services.contains(service))
            .map(|c| c.name.as_str())
            .collect();
        antre_core::domain::words::counter_span(&names)
    }

    /// How many tickets wait for `service`.
    pub fn waiting_count(&self, service: &str) -> usize {
        self.tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting && t.service.as_str() == service)
            .count()
    }

    /// The state the view holds, without the hall description: what a snapshot would say.
    pub fn state(&self) -> (Vec<Ticket>, Vec<CounterState>) {
        (
            self.tickets.clone(),
            self.counters.values().cloned().collect(),
        )
    }
}

/// The latest calls as a snapshot's tickets tell them: every ticket called today, by the
/// time it was called, newest first.
fn calls_of(tickets: &[Ticket]) -> Vec<RecentCall> {
    let mut called: Vec<(&str, &Ticket, &CounterId)> = tickets
        .iter()
        .filter_map(|t| Some((t.called_at.as_deref()?, t, t.counter.as_ref()?)))
        .collect();
    // RFC 3339 times of one zone sort as text.
    called.sort_by(|a, b| b.0.cmp(a.0));
    called
        .into_iter()
        .take(RECENT_CALLS)
        .map(|(_, t, c)| RecentCall {
            code: t.code.clone(),
            counter: c.clone(),
            recall: t.recalls > 0,
        })
        .collect()
}
