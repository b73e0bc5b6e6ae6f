//! What the wall shows, from the hall view (pure): the calls, the open counters, the waiting
//! counts, all limited to the display's zone.

use antre_client::HallView;
use antre_core::domain::{CounterId, TicketStatus};
use antre_core::proto::{Event, EventKind};

/// Calls kept: the latest and the ones before it.
pub const CALLS_SHOWN: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub code: String,
    /// The counter's name, e.g. `Loket 3`.
    pub counter: String,
    pub recall: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub name: String,
    pub code: String,
    pub serving: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub name: String,
    pub color: String,
    pub waiting: usize,
}

/// Whether the display covers `counter`: a counter is in the zone when it serves a service of
/// one of the zone's agencies (no zone: the whole hall).
pub fn in_zone(view: &HallView, counter: &CounterId) -> bool {
    let Some(zone) = &view.zone else { return true };
    let Some(hall) = &view.hall else { return false };
    let Some(info) = hall.counters.iter().find(|c| &c.id == counter) else {
        return false;
    };
    info.services.iter().any(|s| {
        hall.services
            .iter()
            .any(|x| &x.id == s && zone.contains(&x.agency))
    })
}

pub fn counter_name(view: &HallView, id: &CounterId) -> String {
    view.hall
        .as_ref()
        .and_then(|h| h.counters.iter().find(|c| &c.id == id))
        .map_or_else(|| format!("Loket {id}"), |c| c.name.clone())
}

/// The latest calls of the day, newest first, from the tickets themselves (after a snapshot).
pub fn recent_calls(view: &HallView) -> Vec<CallRow> {
    let mut called: Vec<_> = view
        .tickets
        .iter()
        .filter(|t| matches!(t.status, TicketStatus::Called | TicketStatus::Serving))
        .filter_map(|t| Some((t.called_at.as_deref()?, t.counter.as_ref()?, t)))
        .filter(|(_, c, _)| in_zone(view, c))
        .collect();
    called.sort_by(|a, b| b.0.cmp(a.0));
    called
        .into_iter()
        .take(CALLS_SHOWN)
        .map(|(_, c, t)| CallRow {
            code: t.code.clone(),
            counter: counter_name(view, c),
            recall: t.recalls > 0,
        })
        .collect()
}

/// The call an event makes, if it is a call or recall in the zone.
pub fn call_of(view: &HallView, e: &Event) -> Option<CallRow> {
    let recall = match e.kind {
        EventKind::TicketCalled => false,
        EventKind::TicketRecalled => true,
        _ => return None,
    };
    let (t, c) = (e.ticket.as_ref()?, e.counter.as_ref()?);
    in_zone(view, c).then(|| CallRow {
        code: t.code.clone(),
        counter: counter_name(view, c),
        recall,
    })
}

/// Adds a call on top; the same ticket further down moves up rather than showing twice.
pub fn push_call(calls: &mut Vec<CallRow>, call: CallRow) {
    calls.retain(|c| c.code != call.code);
    calls.insert(0, call);
    calls.truncate(CALLS_SHOWN);
}

/// Every open counter of the zone, in the config's order, with its ticket.
pub fn counters(view: &HallView) -> Vec<Cell> {
    let Some(hall) = &view.hall else {
        return vec![];
    };
    hall.counters
        .iter()
        .filter(|c| in_zone(view, &c.id))
        .filter_map(|c| {
            let state = view.counters.get(&c.id).filter(|s| s.open)?;
            Some(Cell {
                name: c.name.clone(),
                code: state
                    .current
                    .as_ref()
                    .map(|t| t.code.clone())
                    .unwrap_or_default(),
                serving: state
                    .current
                    .as_ref()
                    .is_some_and(|t| t.status == TicketStatus::Serving),
            })
        })
        .collect()
}

/// Waiting tickets per agency of the zone.
pub fn waiting(view: &HallView) -> Vec<Waiting> {
    let Some(hall) = &view.hall else {
        return vec![];
    };
    hall.agencies
        .iter()
        .filter(|a| view.zone.as_ref().is_none_or(|z| z.contains(&a.id)))
        .map(|a| Waiting {
            name: a.name.clone(),
            color: a.color.clone().unwrap_or_else(|| "#0b5cab".into()),
            waiting: hall
                .services
                .iter()
                .filter(|s| s.agency == a.id)
                .map(|s| view.waiting_count(s.id.as_str()))
                .sum(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str) -> CallRow {
        CallRow {
            code: code.into(),
            counter: "Loket 1".into(),
            recall: false,
        }
    }

    #[test]
    fn calls_keep_seven_and_a_recall_moves_up() {
        let mut calls = vec![];
        for i in 1..=9 {
            push_call(&mut calls, row(&format!("A-00{i}")));
        }
        assert_eq!(calls.len(), CALLS_SHOWN);
        assert_eq!(calls[0].code, "A-009");
        assert_eq!(calls[6].code, "A-003");
        push_call(&mut calls, row("A-005"));
        assert_eq!(calls[0].code, "A-005");
        assert_eq!(calls.iter().filter(|c| c.code == "A-005").count(), 1);
    }
}
