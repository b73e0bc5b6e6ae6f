//! Whether a service may issue a ticket now: issuing hours and the daily quota.

use chrono::NaiveTime;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The hours in which a service issues tickets, local time, e.g. `08:00-15:00`.
/// The start is included, the end is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl IssuingHours {
    pub fn contains(&self, t: NaiveTime) -> bool {
        self.start <= t && t < self.end
    }
}

impl fmt::Display for IssuingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl FromStr for IssuingHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("hours must look like \"08:00-15:00\", got {s:?}");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let parse = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (parse(a)?, parse(b)?);
        if start >= end {
            return Err(format!("hours {s:?} end before they start"));
        }
        Ok(IssuingHours { start, end })
    }
}

/// The reason the hall is closed on service day `day`, if it is one of `holidays` (dates on
/// which no ticket is issued, set in the console).
pub fn holiday<'a>(
    day: chrono::NaiveDate,
    holidays: impl IntoIterator<Item = (chrono::NaiveDate, &'a str)>,
) -> Option<&'a str> {
    holidays
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, reason)| reason)
}

/// Why a ticket was not issued. Each refusal is recorded as unmet demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Outside the service's issuing hours.
    ServiceClosed,
    /// The daily quota is used up.
    QuotaExhausted,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::ServiceClosed => "service_closed",
            Refusal::QuotaExhausted => "quota_exhausted",
        }
    }
}

/// What a walk-in's ticket is counted against the daily quota with: the tickets issued
/// today (checked-in bookings among them) and the seats still held for the day's bookings,
/// so walk-ins take at most the quota minus the live bookings (CENTRAL.md, "At the hall").
pub fn walk_in_count(issued_today: u32, held_for_bookings: u32) -> u32 {
    issued_today.saturating_add(held_for_bookings)
}

/// Checks a new ticket for a service with the given hours and quota, at local time `now`,
/// when `issued_today` tickets of it were issued already. Hours are checked first: before
/// opening time the visitor needs to hear when it opens, not that the quota is full.
pub fn may_issue(
    now: NaiveTime,
    hours: Option<IssuingHours>,
    daily_quota: Option<u32>,
    issued_today: u32,
) -> Result<(), Refusal> {
    if let Some(h) = hours {
        if !h.contains(now) {
            return Err(Refusal::ServiceClosed);
        }
    }
    if let Some(q) = daily_quota {
        if issued_today >= q {
            return Err(Refusal::QuotaExhausted);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn hours_parse_and_print() {
        let h: IssuingHours = "08:00-15:00".parse().unwrap();
        assert_eq!(h.to_string(), "08:00-15:00");
        assert!("8-15".parse::<IssuingHours>().is_err());
        assert!("15:00-08:00".parse::<IssuingHours>().is_err());
        assert!("08:00-25:00".parse::<IssuingHours>().is_err());
    }

    #[test]
    fn start_included_end_excluded() {
        let h: IssuingHours = "08:00-15:00".parse().unwrap();
        assert_eq!(
            may_issue(t(7, 59), Some(h), None, 0),
            Err(Refusal::ServiceClosed)
        );
        assert_eq!(may_issue(t(8, 0), Some(h), None, 0), Ok(()));
        assert_eq!(may_issue(t(14, 59), Some(h), None, 0), Ok(()));
        assert_eq!(
            may_issue(t(15, 0), Some(h), None, 0),
            Err(Refusal::ServiceClosed)
        );
    }

    #[test]
    fn quota_counts_what_was_issued() {
        assert_eq!(may_issue(t(9, 0), None, Some(2), 1), Ok(()));
        assert_eq!(
            may_issue(t(9, 0), None, Some(2), 2),
            Err(Refusal::QuotaExhausted)
        );
        assert_eq!(
            may_issue(t(9, 0), None, Some(0), 0),
            Err(Refusal::QuotaExhausted)
        );
        assert_eq!(may_issue(t(3, 0), None, None, 10_000), Ok(()));
    }

    #[test]
    fn closed_hours_win_over_quota() {
        let h: IssuingHours = "08:00-15:00".parse().unwrap();
        assert_eq!(
            may_issue(t(16, 0), Some(h), Some(1), 5),
            Err(Refusal::ServiceClosed)
        );
    }
}
