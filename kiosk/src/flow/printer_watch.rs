//! The printer watch: the kiosk asks its printer now and then while nobody uses it, so
//! staff hear of an empty roll before a visitor does, and tells the hub whenever the answer
//! differs from what the hub last stored.

use antre_core::proto::PrinterStatus;
use chrono::{DateTime, Duration, Utc};

/// How often the printer is asked while nobody uses the kiosk.
pub const CHECK_EVERY: Duration = Duration::seconds(30);

/// What the kiosk knows of its printer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterWatch {
    /// The last answer, with its detail in words.
    pub status: Option<(PrinterStatus, String)>,
    pub checked_at: Option<DateTime<Utc>>,
    /// A check is under way.
    pub checking: bool,
    /// Checks finished so far.
    pub checks: u64,
    /// What the hub last stored about this printer.
    pub reported: Option<(PrinterStatus, Option<String>)>,
    /// A report is on its way.
    pub reporting: bool,
}

impl PrinterWatch {
    /// Whether to ask the printer now, on the start screen (`idle`): not while a check is
    /// under way, at once the first time, then every [`CHECK_EVERY`].
    pub fn due(&self, now: DateTime<Utc>, idle: bool) -> bool {
        idle && !self.checking && self.checked_at.is_none_or(|t| now - t >= CHECK_EVERY)
    }

    /// A check begins; false if one is already under way.
    pub fn begin(&mut self) -> bool {
        !std::mem::replace(&mut self.checking, true)
    }

    /// The printer answered at `now`.
    pub fn answered(&mut self, status: PrinterStatus, detail: String, now: DateTime<Utc>) {
        self.status = Some((status, detail));
        self.checked_at = Some(now);
        self.checking = false;
        self.checks += 1;
    }

    /// What to tell the hub, if it does not know it yet: the status and, for a problem, the
    /// words staff read (`words` gives them for a status).
    pub fn report(
        &mut self,
        words: impl Fn(PrinterStatus) -> &'static str,
    ) -> Option<(PrinterStatus, Option<String>)> {
        let (status, _) = self.status.as_ref()?;
        let message = (*status != PrinterStatus::Ok).then(|| words(*status).to_owned());
        let report = (*status, message);
        if self.reporting || self.reported.as_ref() == Some(&report) {
            return None;
        }
        self.reporting = true;
        Some(report)
    }

    /// The hub stored `report`.
    pub fn reported(&mut self, report: (PrinterStatus, Option<String>)) {
        self.reported = Some(report);
        self.reporting = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_764_208_800 + secs, 0).unwrap()
    }

    #[test]
    fn asks_at_once_then_every_thirty_seconds_and_only_when_idle() {
        let mut w = PrinterWatch::default();
        assert!(!w.due(at(0), false), "not while a visitor uses the kiosk");
        assert!(w.due(at(0), true));
        assert!(w.begin());
        assert!(!w.begin(), "one check at a time");
        assert!(!w.due(at(1), true));
        w.answered(PrinterStatus::Ok, "ok".into(), at(1));
        assert!(!w.due(at(30), true), "29 s later");
        assert!(w.due(at(31), true), "30 s later");
        assert_eq!(w.checks, 1);
    }

    #[test]
    fn the_hub_hears_each_change_once() {
        let words = |s: PrinterStatus| match s {
            PrinterStatus::PaperOut => "Kertas printer habis",
            _ => "Printer bermasalah",
        };
        let mut w = PrinterWatch::default();
        assert_eq!(w.report(words), None, "nothing known yet");
        w.answered(PrinterStatus::Ok, "ok".into(), at(0));
        let r = w.report(words);
        assert_eq!(r, Some((PrinterStatus::Ok, None)));
        assert_eq!(w.report(words), None, "one report on its way");
        w.reported(r.unwrap());
        w.answered(PrinterStatus::Ok, "ok".into(), at(30));
        assert_eq!(w.report(words), None, "the hub knows already");
        w.answered(PrinterStatus::PaperOut, "paper out".into(), at(60));
        assert_eq!(
            w.report(words),
            Some((PrinterStatus::PaperOut, Some("Kertas printer habis".into())))
        );
    }
}
