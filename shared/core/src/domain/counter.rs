//! Counter actions and the states they need.
//!
//! A counter has at most one current ticket, `called` or `serving`. What an officer may do
//! depends on it; the hub refuses the rest with a clear code, and the counter app disables
//! the buttons that make no sense.

use super::ticket::TicketStatus;
use serde::{Deserialize, Serialize};

/// Why a counter is paused (PROTOCOL.md, "Counter pauses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    Istirahat,
    Salat,
    Rapat,
    Gangguan,
    Lainnya,
}

impl PauseReason {
    pub const ALL: [PauseReason; 5] = [
        PauseReason::Istirahat,
        PauseReason::Salat,
        PauseReason::Rapat,
        PauseReason::Gangguan,
        PauseReason::Lainnya,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::Istirahat => "istirahat",
            PauseReason::Salat => "salat",
            PauseReason::Rapat => "rapat",
            PauseReason::Gangguan => "gangguan",
            PauseReason::Lainnya => "lainnya",
        }
    }

    /// What the hall reads on a paused counter's tile.
    pub fn words(self) -> &'static str {
        match self {
            PauseReason::Istirahat => "Istirahat",
            PauseReason::Salat => "Salat",
            PauseReason::Rapat => "Rapat",
            PauseReason::Gangguan => "Gangguan",
            PauseReason::Lainnya => "Ditutup sementara",
        }
    }
}

impl std::str::FromStr for PauseReason {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        PauseReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

/// Whether a counter may pause: only with no current ticket (the officer finishes it or
/// marks it not present first). The hub refuses otherwise; the counter app disables its
/// button.
pub fn may_pause(has_current: bool) -> bool {
    !has_current
}

/// A pause in words: "Istirahat s.d. 13:00", or the reason alone without an end time.
pub fn pause_words(reason: PauseReason, until: Option<&str>) -> String {
    match until_words(until) {
        Some(t) => format!("{} {t}", reason.words()),
        None => reason.words().to_owned(),
    }
}

/// A pause's end in words, "s.d. 13:00" (sampai dengan), where it has one.
pub fn until_words(until: Option<&str>) -> Option<String> {
    until.map(|t| format!("s.d. {t}"))
}

/// Whether `until` is an end time as the contract writes it, `HH:MM` (24 hours).
pub fn valid_until(until: &str) -> bool {
    until.len() == 5 && chrono::NaiveTime::parse_from_str(until, "%H:%M").is_ok()
}

/// An action on the current ticket of a counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentAction {
    Recall,
    StartServing,
    Finish,
    NoShow,
    Transfer,
}

/// Why an action cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionRefused {
    /// The counter has no current ticket.
    NoCurrentTicket,
    /// The current ticket is in a state where the action makes no sense (e.g. a recall of a
    /// ticket already being served).
    WrongState,
}

/// Checks `action` against the counter's current ticket status (`None`: no ticket).
pub fn check(action: CurrentAction, current: Option<TicketStatus>) -> Result<(), ActionRefused> {
    use TicketStatus::{Called, Serving};
    let Some(status) = current else {
        return Err(ActionRefused::NoCurrentTicket);
    };
    let ok = match action {
        // Call again only a visitor who has not come yet.
        CurrentAction::Recall => status == Called,
        CurrentAction::StartServing => status == Called,
        // Finishing straight from `called` is allowed: officers forget to press "start".
        CurrentAction::Finish => matches!(status, Called | Serving),
        // A visitor being served is present.
        CurrentAction::NoShow => status == Called,
        CurrentAction::Transfer => matches!(status, Called | Serving),
    };
    if ok {
        Ok(())
    } else {
        Err(ActionRefused::WrongState)
    }
}

/// What becomes of a current ticket that is closed implicitly (by the next call or by
/// closing the counter): `done` if it was being served, `no_show` if it was only called.
pub fn implicit_close(status: TicketStatus) -> TicketStatus {
    match status {
        TicketStatus::Serving => TicketStatus::Done,
        _ => TicketStatus::NoShow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CurrentAction::{Finish, Recall, StartServing, Transfer};
    use TicketStatus::{Called, Done, Serving};

    #[test]
    fn no_ticket_no_action() {
        for a in [
            Recall,
            StartServing,
            Finish,
            CurrentAction::NoShow,
            Transfer,
        ] {
            assert_eq!(check(a, None), Err(ActionRefused::NoCurrentTicket));
        }
    }

    #[test]
    fn actions_by_state() {
        let allowed = |a, s| check(a, Some(s)).is_ok();
        assert!(allowed(Recall, Called) && !allowed(Recall, Serving));
        assert!(allowed(StartServing, Called) && !allowed(StartServing, Serving));
        assert!(allowed(Finish, Called) && allowed(Finish, Serving));
        assert!(allowed(CurrentAction::NoShow, Called) && !allowed(CurrentAction::NoShow, Serving));
        assert!(allowed(Transfer, Called) && allowed(Transfer, Serving));
    }

    #[test]
    fn implicit_close_follows_the_contract() {
        assert_eq!(implicit_close(Serving), Done);
        assert_eq!(implicit_close(Called), TicketStatus::NoShow);
    }
}
