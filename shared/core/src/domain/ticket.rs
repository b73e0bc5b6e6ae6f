//! Tickets: priorities, states and codes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a visitor is served first. `None` (on the wire: `null`) is a normal ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Elderly visitor.
    Lansia,
    /// Visitor with a disability.
    Disabilitas,
    /// Pregnant visitor.
    IbuHamil,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Lansia => "lansia",
            Priority::Disabilitas => "disabilitas",
            Priority::IbuHamil => "ibu_hamil",
        }
    }
}

impl FromStr for Priority {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "lansia" => Ok(Priority::Lansia),
            "disabilitas" => Ok(Priority::Disabilitas),
            "ibu_hamil" => Ok(Priority::IbuHamil),
            _ => Err(()),
        }
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Called,
    Serving,
    Done,
    NoShow,
    /// Addition (2026-12): given up while waiting, by its visitor or an admin. Never called;
    /// its number is not reused.
    Cancelled,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Serving => "serving",
            TicketStatus::Done => "done",
            TicketStatus::NoShow => "no_show",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the ticket is finished for the day (done, not present or cancelled).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            TicketStatus::Done | TicketStatus::NoShow | TicketStatus::Cancelled
        )
    }
}

impl FromStr for TicketStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "waiting" => TicketStatus::Waiting,
            "called" => TicketStatus::Called,
            "serving" => TicketStatus::Serving,
            "done" => TicketStatus::Done,
            "no_show" => TicketStatus::NoShow,
            "cancelled" => TicketStatus::Cancelled,
            _ => return Err(()),
        })
    }
}

/// A ticket code such as `A-012`: the service's prefix, a dash, and the number of the day,
/// zero-padded to three digits (numbers of 1000 and more simply have more digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketCode {
    pub prefix: String,
    pub number: u32,
}

impl TicketCode {
    pub fn new(prefix: impl Into<String>, number: u32) -> Self {
        Self {
            prefix: prefix.into(),
            number,
        }
    }
}

impl fmt::Display for TicketCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}", self.prefix, self.number)
    }
}

/// A code that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a ticket code (expected a prefix, a dash and a number, such as A-012): {0:?}")]
pub struct BadTicketCode(pub String);

impl FromStr for TicketCode {
    type Err = BadTicketCode;

    /// Reads `A-012`; also forgiving of what people and scanners type: `a-12`, `A012`,
    /// ` A-012 `. The prefix is letters only (as the config requires).
    fn from_str(s: &str) -> Result<Self, BadTicketCode> {
        let bad = || BadTicketCode(s.to_owned());
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_alphabetic()).ok_or_else(bad)?;
        let (prefix, rest) = t.split_at(split);
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if prefix.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number: u32 = digits.parse().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(TicketCode::new(prefix.to_ascii_uppercase(), number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_zero_padded_to_three_digits() {
        assert_eq!(TicketCode::new("A", 12).to_string(), "A-012");
        assert_eq!(TicketCode::new("BJ", 7).to_string(), "BJ-007");
        assert_eq!(TicketCode::new("A", 1234).to_string(), "A-1234");
    }

    #[test]
    fn codes_parse_as_people_type_them() {
        for s in ["A-012", "a-12", "A012", " A-012 ", "a12"] {
            assert_eq!(
                s.parse::<TicketCode>().unwrap(),
                TicketCode::new("A", 12),
                "{s}"
            );
        }
        for s in ["", "A", "012", "A-", "A-0", "A-1x", "-12", "A--12"] {
            assert!(s.parse::<TicketCode>().is_err(), "{s}");
        }
    }

    #[test]
    fn priority_and_status_round_trip() {
        for p in [Priority::Lansia, Priority::Disabilitas, Priority::IbuHamil] {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.as_str())
            );
        }
        for s in [
            TicketStatus::Waiting,
            TicketStatus::Called,
            TicketStatus::Serving,
            TicketStatus::Done,
            TicketStatus::NoShow,
        ] {
            assert_eq!(s.as_str().parse::<TicketStatus>(), Ok(s));
        }
    }
}
