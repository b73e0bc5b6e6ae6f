//! Messages from the hub to devices.

use crate::domain::day::DEFAULT_TIMEZONE;
use crate::domain::estimate::Estimate;
use crate::domain::{AgencyId, CounterId, DeviceId, Priority, ServiceId, TicketStatus};
use serde::{Deserialize, Serialize};

/// A ticket as every device sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub code: String,
    pub service: ServiceId,
    pub number: u32,
    pub day: String,
    pub priority: Option<Priority>,
    pub status: TicketStatus,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub counter: Option<CounterId>,
    pub recalls: u32,
    /// Waiting tickets that will be called before this one (in `issue_ticket` replies).
    #[serde(default)]
    pub ahead: Option<u32>,
    /// The hub's estimate in minutes (in `issue_ticket` replies).
    #[serde(default)]
    pub estimated_wait_min: Option<u32>,
    /// Addition: the open counters serving it, where `estimated_wait_min` is filled. With 0
    /// the minutes are only a guess for when counters open, and devices say so in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters_open: Option<u32>,
    /// Addition (2026-12, "An estimate visitors can trust"): where the estimate is
    /// uncertain, the range of minutes the wait most likely falls in, `[low, high]`;
    /// `estimated_wait_min` stays the hub's best single figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_range: Option<[u32; 2]>,
    /// Addition: when serving began (`start_serving`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Addition: when it was finished or marked not present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    /// Addition ("Ticket keys"): what a phone shows to act for this ticket. Only in the
    /// `issue_ticket` reply (and to admin devices); never in events or snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Addition (2026-12, "A visit with several services"): the visit's services in order,
    /// and the index of the one it is at (`service` is `visit[step]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<Vec<ServiceId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// Addition (2026-12): when it joined the queue it waits in now; calling order follows
    /// it (`issued_at` for a fresh ticket, the finish of the previous service for a visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<String>,
    /// Addition (2026-12, booking check-in): the booking code a checked-in ticket came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<String>,
}

impl Ticket {
    /// The hub's estimate for this ticket, where the hub filled it in.
    pub fn estimate(&self) -> Option<Estimate> {
        Some(Estimate {
            ahead: self.ahead?,
            minutes: self.estimated_wait_min?,
            // A hub from before `counters_open` meant its minutes.
            counters_open: self.counters_open.unwrap_or(1),
            range: self.estimated_wait_range.map(|[lo, hi]| (lo, hi)),
        })
    }
}

/// A counter's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterState {
    pub id: CounterId,
    pub open: bool,
    pub officer: Option<String>,
    pub current: Option<Ticket>,
    /// Addition (2026-12): `null`, or the pause the counter is in.
    #[serde(default)]
    pub paused: Option<Paused>,
}

/// Addition (2026-12): a counter's pause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paused {
    pub reason: crate::domain::counter::PauseReason,
    /// The end time the officer gave, `HH:MM`, if any.
    pub until: Option<String>,
    /// When the pause began.
    pub since: String,
}

/// What a device is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Kiosk,
    Counter,
    Display,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Counter => "counter",
            Role::Display => "display",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyInfo {
    pub id: AgencyId,
    pub name: String,
    /// Addition to the contract: the agency's colour on kiosk tiles, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub id: ServiceId,
    pub agency: AgencyId,
    pub name: String,
    pub prefix: String,
    pub daily_quota: Option<u32>,
    pub hours: Option<String>,
    /// Whether a ticket could be issued at the time of the message.
    pub open: bool,
    /// Addition: what the visitor must bring.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// Addition: the standard service time in minutes, if the agency published one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_minutes: Option<u32>,
    /// Addition (2026-12): past this many minutes of waiting, the console raises an alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_min: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterInfo {
    pub id: CounterId,
    pub name: String,
    pub services: Vec<ServiceId>,
}

/// The hall as the welcome describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallInfo {
    pub name: String,
    pub day: String,
    pub agencies: Vec<AgencyInfo>,
    pub services: Vec<ServiceInfo>,
    pub counters: Vec<CounterInfo>,
    /// Addition: the hall's IANA time zone, e.g. `Asia/Jakarta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Addition: announcements for the wall displays' running line, shown in turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub running_text: Vec<String>,
    /// Addition: where phones reach the hall's web pages (`[hall] public_url`); kiosks put
    /// `{public_url}/t/{code}` in the ticket's QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Addition (2026-12): days on which no ticket is issued, with the reason the kiosk
    /// shows (set in the console); today's and those to come.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<HolidayInfo>,
    /// Addition (2026-12): the hall takes bookings made on the city's service (CENTRAL.md):
    /// kiosks offer "Saya sudah booking" and send `check_in`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bookings: bool,
}

/// Addition (2026-12): a day the hall issues no ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayInfo {
    /// `YYYY-MM-DD`, a service day.
    pub date: String,
    pub reason: String,
}

impl HallInfo {
    /// The reason no ticket is issued on the hall's service day, if it is a holiday.
    pub fn holiday_today(&self) -> Option<&str> {
        let day = chrono::NaiveDate::parse_from_str(&self.day, "%Y-%m-%d").ok()?;
        crate::domain::issuing::holiday(
            day,
            self.holidays.iter().filter_map(|h| {
                let d = chrono::NaiveDate::parse_from_str(&h.date, "%Y-%m-%d").ok()?;
                Some((d, h.reason.as_str()))
            }),
        )
    }
}

impl HallInfo {
    /// The hall's time zone: the one it names, else [`DEFAULT_TIMEZONE`].
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(DEFAULT_TIMEZONE)
    }
}

/// The state of the current service day.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub tickets: Vec<Ticket>,
    pub counters: Vec<CounterState>,
    /// Addition: the last printer status each kiosk reported (kiosks that reported one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceStatus>,
    /// Addition: every service's queue figures as of the welcome's `seq`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figures>,
}

/// Addition: one service's queue as the hub counts it, so that every device shows the hub's
/// figures rather than its own. Sent for every service in the snapshot, and on the last
/// event of every change for the services it touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub service: ServiceId,
    /// Tickets waiting for it now.
    pub waiting: u32,
    /// Tickets issued today that count against its daily quota (by the service they were
    /// issued for: a transfer does not give a quota place back).
    pub issued: u32,
    /// Addition (2026-12): the seats still held today for the city's bookings (booked, not
    /// checked in, their session not over), which walk-ins cannot take. Sent for a service
    /// with a daily quota; absent when none is held.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub held: u32,
    /// Open counters serving it now.
    pub counters_open: u32,
    /// Seconds one visitor takes: the recent median, else its standard time, else 5 min.
    pub service_secs: f64,
    /// A normal ticket issued now: how many would be called before it…
    pub ahead: u32,
    /// …and the hub's estimate for it (see `counters_open`: with none open it is a guess).
    pub estimated_wait_min: u32,
    /// Addition (2026-12): the range of that estimate where it is uncertain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_range: Option<[u32; 2]>,
    /// Addition (2026-12): the hub's forecast for each ticket waiting in this queue now, so
    /// that pages following a ticket show the hub's figure for it (absent while no counter
    /// is open).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<TicketWait>,
}

/// Addition (2026-12): the forecast for one waiting ticket, in [`Figures::waits`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketWait {
    pub code: String,
    /// People ahead of it, as its `ahead`.
    pub ahead: u32,
    /// Minutes, as its `estimated_wait_min`, and the range where uncertain.
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[u32; 2]>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Figures {
    /// What a walk-in's ticket is counted against the daily quota with now: the tickets
    /// issued and the seats held for bookings ([`crate::domain::issuing::walk_in_count`]),
    /// as the hub counts when it issues.
    pub fn walk_in_count(&self) -> u32 {
        crate::domain::issuing::walk_in_count(self.issued, self.held)
    }

    /// The estimate for a normal ticket issued now.
    pub fn estimate(&self) -> Estimate {
        Estimate {
            ahead: self.ahead,
            counters_open: self.counters_open,
            minutes: self.estimated_wait_min,
            range: self.estimated_wait_range.map(|[lo, hi]| (lo, hi)),
        }
    }
}

/// Addition: what a kiosk's ticket printer answered to its last status check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterStatus {
    /// Ready to print.
    Ok,
    /// Still printing, but the roll is nearly used up: staff should bring paper.
    PaperNearEnd,
    /// No paper: the kiosk does not issue.
    PaperOut,
    /// The cover is open: the kiosk does not issue.
    CoverOpen,
    /// The printer reports itself offline or in error: the kiosk does not issue.
    Offline,
    /// The printer does not answer at all (cable, power): the kiosk does not issue.
    NoAnswer,
}

impl PrinterStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterStatus::Ok => "ok",
            PrinterStatus::PaperNearEnd => "paper_near_end",
            PrinterStatus::PaperOut => "paper_out",
            PrinterStatus::CoverOpen => "cover_open",
            PrinterStatus::Offline => "offline",
            PrinterStatus::NoAnswer => "no_answer",
        }
    }

    /// Whether a ticket can be printed in this state.
    pub fn can_print(self) -> bool {
        matches!(self, PrinterStatus::Ok | PrinterStatus::PaperNearEnd)
    }
}

/// Addition: a device's reported status, as in the snapshot and `device_status` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device: DeviceId,
    pub printer: PrinterStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    pub protocol: u32,
    pub device: DeviceId,
    pub role: Role,
    pub zone: Option<Vec<AgencyId>>,
    pub seq: u64,
    pub hall: HallInfo,
    pub snapshot: Option<Snapshot>,
    /// Addition: for a counter device, the counter it acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<CounterId>,
}

/// A successful reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OkReply {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<CounterState>,
}

/// Every error code the hub uses. The first block is the contract's; the rest are
/// additions documented in `docs/PROTOCOL.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    InvalidRequest,
    TooLarge,
    UnknownService,
    UnknownCounter,
    UnknownTicket,
    ServiceClosed,
    QuotaExhausted,
    QueueEmpty,
    NoCurrentTicket,
    CounterClosed,
    AlreadyRated,
    NotServed,
    NotWaiting,
    UnsupportedProtocol,
    Busy,
    // Additions.
    /// The current ticket is in a state where the action makes no sense.
    WrongState,
    /// This kiosk issued more tickets in the last minute than the hall allows.
    RateLimited,
    /// The connection fell too far behind the event stream; reconnect and resume.
    TooSlow,
    /// The hub failed internally; nothing was done. Safe to retry.
    Internal,
    /// A ticket's key was given and is not that ticket's.
    WrongKey,
    /// Addition (2026-12): the counter is paused; resume it first.
    CounterPaused,
    /// Addition (2026-12, booking check-in): no booking of this hall has the code.
    UnknownBooking,
    /// The booking was checked in already.
    BookingUsed,
    /// The booking is outside its window: from 30 minutes before its session until it ends.
    BookingExpired,
    /// The booking is for another day.
    BookingOtherDay,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnknownService => "unknown_service",
            ErrorCode::UnknownCounter => "unknown_counter",
            ErrorCode::UnknownTicket => "unknown_ticket",
            ErrorCode::ServiceClosed => "service_closed",
            ErrorCode::QuotaExhausted => "quota_exhausted",
            ErrorCode::QueueEmpty => "queue_empty",
            ErrorCode::NoCurrentTicket => "no_current_ticket",
            ErrorCode::CounterClosed => "counter_closed",
            ErrorCode::AlreadyRated => "already_rated",
            ErrorCode::NotServed => "not_served",
            ErrorCode::NotWaiting => "not_waiting",
            ErrorCode::UnsupportedProtocol => "unsupported_protocol",
            ErrorCode::Busy => "busy",
            ErrorCode::WrongState => "wrong_state",
            ErrorCode::UnknownBooking => "unknown_booking",
            ErrorCode::BookingUsed => "booking_used",
            ErrorCode::BookingExpired => "booking_expired",
            ErrorCode::BookingOtherDay => "booking_other_day",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooSlow => "too_slow",
            ErrorCode::Internal => "internal",
            ErrorCode::WrongKey => "wrong_key",
            ErrorCode::CounterPaused => "counter_paused",
        }
    }

    /// Whether a reply with this code may be sent again for the same request id because
    /// nothing was done and nothing remembered.
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorCode::Busy | ErrorCode::Internal)
    }
}

/// An error reply. `id` is the request's where it could be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub code: ErrorCode,
    pub message: String,
    /// Addition (2026-12): the service of a visit that refused (`issue_ticket` with
    /// `services`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceId>,
}

impl ErrorReply {
    pub fn new(id: Option<&str>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            id: id.map(str::to_owned),
            code,
            message: message.into(),
            service: None,
        }
    }
}

/// What happened, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    TicketIssued,
    TicketCalled,
    TicketRecalled,
    ServingStarted,
    TicketFinished,
    TicketNoShow,
    TicketTransferred,
    CounterOpened,
    CounterClosed,
    DayStarted,
    /// Addition: a kiosk reported a change of its printer's status (`device`, `printer`).
    DeviceStatus,
    /// Addition (2026-12): a counter paused / resumed (`counter`, `state`).
    CounterPaused,
    CounterResumed,
    /// Addition (2026-12): a waiting ticket was given up (`ticket`).
    TicketCancelled,
    /// Addition (2026-12): a visit's service was finished and the ticket waits for the next
    /// (`ticket`, and `counter`: the counter it left).
    TicketRequeued,
    /// Addition (2026-12): the hall was changed through the console (`hall`: the whole hall
    /// object as in the welcome). Devices apply it without reconnecting.
    HallChanged,
    /// Addition (2026-12): a served ticket was rated (`ticket`, and `answers`: the nine
    /// answers 1..4 of the IKM survey). Nothing of who rated it: for the city's report.
    SurveyGiven,
    /// A kind this build does not know (a newer hub): clients skip it.
    #[serde(other)]
    Other,
}

/// One change of the hall's state. `seq` increases by exactly one from event to event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: String,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<CounterId>,
    /// Addition: the officer, on `counter_opened`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    /// Addition: the service the ticket left, on `ticket_transferred`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_service: Option<ServiceId>,
    /// Addition: the new service day, on `day_started`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    /// Addition: the device and its printer's status, on `device_status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printer: Option<PrinterStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Addition: on the last event of a change, the new figures of the services it touched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figures>,
    /// Addition (2026-12): the counter's state after it, on `counter_paused` and
    /// `counter_resumed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CounterState>,
    /// Addition (2026-12): the hall after the change, on `hall_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall: Option<Box<HallInfo>>,
    /// Addition (2026-12): the survey's nine answers (1..4), on `survey_given`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<u8>>,
}

/// Addition (2026-12, "Pairing a device"): the hub's answer to a good `pair`: the device's
/// new token, which only this line ever carries. The hub closes the connection after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paired {
    pub device: DeviceId,
    pub role: Role,
    pub token: String,
}

/// Any line the hub sends.
// Events are most of what is sent and read: boxing each would cost an allocation apiece to
// save the size of a rarer reply.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    Welcome(Welcome),
    Ok(OkReply),
    Error(ErrorReply),
    Event(Event),
    Paired(Paired),
}

impl Welcome {
    /// The welcome as devices are sent it: its snapshot's figures without `waits` (see
    /// [`Event::for_devices`]).
    pub fn for_devices(mut self) -> Welcome {
        if let Some(s) = &mut self.snapshot {
            for f in &mut s.figures {
                f.waits = vec![];
            }
        }
        self
    }
}

impl Event {
    /// The event as devices are sent it (and as the hub stores it): without the figures'
    /// [`Figures::waits`], which only the hub's own phone pages read; they would make every
    /// line several times longer for every device.
    pub fn for_devices(&self) -> Event {
        let mut e = self.clone();
        for f in &mut e.figures {
            f.waits = vec![];
        }
        e
    }

    /// The protocol line of an event from its JSON `body` (as [`Event::for_devices`] gives
    /// and the hub stores it): the same text `ServerMessage::Event(…).to_line()` makes,
    /// without serializing it again.
    pub fn line_of(body: &str) -> String {
        let fields = body.strip_prefix('{').unwrap_or(body);
        format!("{{\"type\":\"event\",{fields}\n")
    }
}

impl ServerMessage {
    /// The message as one protocol line, `\n` included.
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).expect("server messages always serialize");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_get_events_without_waits_in_the_same_line_as_a_server_message() {
        let body = r#"{"seq":7,"at":"2026-11-27T09:00:00.000+07:00","kind":"ticket_issued","figures":[{"service":"ktp","waiting":2,"issued":2,"counters_open":1,"service_secs":300.0,"ahead":2,"estimated_wait_min":10,"waits":[{"code":"A-001","ahead":0,"min":5}]}]}"#;
        let event: Event = serde_json::from_str(body).unwrap();
        assert_eq!(event.figures[0].waits.len(), 1);
        let sent = event.for_devices();
        assert!(sent.figures[0].waits.is_empty());
        assert_eq!(sent.figures[0].estimated_wait_min, 10);
        let stored = serde_json::to_string(&sent).unwrap();
        let line = Event::line_of(&stored);
        assert_eq!(
            line,
            "{\"type\":\"event\",\"seq\":7,\"at\":\"2026-11-27T09:00:00.000+07:00\",\"kind\":\"ticket_issued\",\"figures\":[{\"service\":\"ktp\",\"waiting\":2,\"issued\":2,\"counters_open\":1,\"service_secs\":300.0,\"ahead\":2,\"estimated_wait_min\":10}]}\n"
        );
        assert_eq!(line, ServerMessage::Event(sent).to_line());
    }
}
