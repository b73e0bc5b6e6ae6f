//! What the wall shows, from the hall view (pure): the calls, the open counters, the waiting
//! counts, all limited to the display's zone.

use antre_client::HallView;
use antre_core::domain::counter;
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
    /// The pause in words ("Salat s.d. 12:30") while the counter is paused, else empty;
    /// and its halves, "Salat" and "s.d. 12:30" (empty without an end time).
    pub paused: String,
    pub pause_reason: String,
    pub pause_until: String,
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

/// The latest calls in the zone, newest first, as the hall view keeps them (a recall moves
/// its ticket up; each ticket once).
pub fn calls(view: &HallView) -> Vec<CallRow> {
    view.calls
        .iter()
        .filter(|c| in_zone(view, &c.counter))
        .take(CALLS_SHOWN)
        .map(|c| CallRow {
            code: c.code.clone(),
            counter: counter_name(view, &c.counter),
            recall: c.recall,
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
                paused: state
                    .paused
                    .as_ref()
                    .map(|p| counter::pause_words(p.reason, p.until.as_deref()))
                    .unwrap_or_default(),
                pause_reason: state
                    .paused
                    .as_ref()
                    .map(|p| p.reason.words().to_owned())
                    .unwrap_or_default(),
                pause_until: state
                    .paused
                    .as_ref()
                    .and_then(|p| counter::until_words(p.until.as_deref()))
                    .unwrap_or_default(),
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

    /// A view that heard `events` (JSON lines without `seq`, numbered here).
    fn view_of(events: &[&str]) -> HallView {
        let mut v = HallView::default();
        for (i, e) in events.iter().enumerate() {
            let mut e: serde_json::Value = serde_json::from_str(e).unwrap();
            e["seq"] = (i as u64 + 1).into();
            e["at"] = "2026-11-27T09:00:00.000+07:00".into();
            let e: Event = serde_json::from_value(e).unwrap();
            v.apply(&e);
        }
        v
    }

    fn called(code: &str, kind: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","counter":"1","ticket":{{"code":"{code}","service":"ktp","number":1,"day":"2026-11-27","priority":null,"status":"called","issued_at":"2026-11-27T08:00:00.000+07:00","called_at":"2026-11-27T09:00:00.000+07:00","counter":"1","recalls":0}}}}"#
        )
    }

    #[test]
    fn calls_keep_seven_and_a_recall_moves_up() {
        let mut events: Vec<String> = (1..=9)
            .map(|i| called(&format!("A-00{i}"), "ticket_called"))
            .collect();
        let nine: Vec<&str> = events.iter().map(String::as_str).collect();
        let calls = super::calls(&view_of(&nine));
        assert_eq!(calls.len(), CALLS_SHOWN);
        assert_eq!(calls[0].code, "A-009");
        assert_eq!(calls[6].code, "A-003");
        assert_eq!(calls[0].counter, "Loket 1");
        events.push(called("A-005", "ticket_recalled"));
        let ten: Vec<&str> = events.iter().map(String::as_str).collect();
        let calls = super::calls(&view_of(&ten));
        assert_eq!(calls[0].code, "A-005");
        assert!(calls[0].recall);
        assert_eq!(calls.iter().filter(|c| c.code == "A-005").count(), 1);
    }
}
