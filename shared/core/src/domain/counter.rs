//! Counter actions and the states they need.
//!
//! A counter has at most one current ticket, `called` or `serving`. What an officer may do
//! depends on it; the hub refuses the rest with a clear code, and the counter app disables
//! the buttons that make no sense.

use super::ticket::TicketStatus;

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
