//! The store's rows in the protocol's words: times in the hall's zone with milliseconds,
//! codes as the visitor reads them.

use crate::store::dao::Dao;
use crate::store::rows::TicketRow;
use antre_core::domain::day::rfc3339_ms;
use antre_core::domain::{CounterId, ServiceId};
use antre_core::proto::{CounterState, Paused, Ticket};
use chrono_tz::Tz;

/// A row's wire form.
pub trait ToWire {
    fn to_wire(&self, tz: Tz) -> Ticket;
}

impl ToWire for TicketRow {
    fn to_wire(&self, tz: Tz) -> Ticket {
        Ticket {
            code: self.code(),
            service: ServiceId::new(&self.service),
            number: self.number,
            day: self.day.clone(),
            priority: self.priority,
            status: self.status,
            issued_at: rfc3339_ms(self.issued_ms, tz),
            called_at: self.called_ms.map(|ms| rfc3339_ms(ms, tz)),
            counter: self.counter.as_deref().map(CounterId::new),
            recalls: self.recalls,
            ahead: None,
            estimated_wait_min: None,
            counters_open: None,
            estimated_wait_range: None,
            started_at: self.serving_ms.map(|ms| rfc3339_ms(ms, tz)),
            closed_at: self.closed_ms.map(|ms| rfc3339_ms(ms, tz)),
            // Never on the wire from a row: only the issuing reply carries it.
            key: None,
            visit: Some(if self.visit.is_empty() {
                vec![ServiceId::new(&self.service)]
            } else {
                self.visit.iter().map(ServiceId::new).collect()
            }),
            step: Some(self.step),
            queued_at: Some(rfc3339_ms(self.queued_ms, tz)),
            booking: self.booking.clone(),
        }
    }
}

/// A counter's state as the protocol says it.
///
/// # Errors
/// SQLite fails.
pub fn counter_state(dao: &Dao<'_>, id: &CounterId, tz: Tz) -> rusqlite::Result<CounterState> {
    let row = dao.counter(id.as_str())?;
    let current = match row.current {
        Some(t) => Some(dao.ticket(t)?.to_wire(tz)),
        None => None,
    };
    Ok(CounterState {
        id: id.clone(),
        open: row.open,
        officer: row.officer,
        current,
        paused: row.pause.map(|p| Paused {
            reason: p.reason,
            until: p.until,
            since: rfc3339_ms(p.since_ms, tz),
        }),
    })
}
