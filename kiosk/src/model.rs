//! What the kiosk's screens say, from the hall view and the time (pure): agency tiles,
//! service cards with their waiting figures and why a service is closed, and every message
//! a visitor reads ([`Say`], put in the visitor's language by [`Words`]).

use crate::words::{Say, Words};
use antre_client::HallView;
use antre_core::domain::estimate;
use antre_core::domain::issuing::{self, IssuingHours, Refusal};
use antre_core::domain::{Priority, ServiceId};
use antre_core::proto::{ErrorCode, ServiceInfo};
use chrono::NaiveTime;

#[derive(Debug, Clone, PartialEq)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub color: String,
    pub waiting: u32,
    /// At least one of its services issues tickets now.
    pub any_open: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub requirements: String,
    pub standard: String,
    pub waiting: String,
    pub estimate: String,
    pub open: bool,
    pub reason: String,
}

/// What a walk-in's ticket for `service` is counted against its quota with today, as the
/// hub counts it: the tickets issued and the seats held for bookings.
fn issued_today(view: &HallView, service: &str) -> u32 {
    view.figures(service).map_or(0, |f| f.walk_in_count())
}

/// Tickets waiting for `service`, as the hub counts them (the welcome and every change
/// carry its figures).
fn waiting(view: &HallView, service: &str) -> u32 {
    view.figures(service).map_or(0, |f| f.waiting)
}

/// Whether `s` can issue now, and if not, why (the hub decides; this is what the tile shows).
pub fn availability(view: &HallView, s: &ServiceInfo, now: NaiveTime) -> Result<(), Refusal> {
    if holiday(view).is_some() {
        return Err(Refusal::ServiceClosed);
    }
    let hours = s
        .hours
        .as_deref()
        .and_then(|h| h.parse::<IssuingHours>().ok());
    issuing::may_issue(now, hours, s.daily_quota, issued_today(view, s.id.as_str()))
}

/// The reason the hall issues no ticket today, if today is a holiday.
pub fn holiday(view: &HallView) -> Option<String> {
    view.hall.as_ref()?.holiday_today().map(str::to_owned)
}

/// Why a service is closed, and when it opens again; on a holiday, the holiday's reason.
pub fn closed_reason(
    s: &ServiceInfo,
    why: Refusal,
    now: NaiveTime,
    holiday: Option<String>,
) -> Say {
    if let (Refusal::ServiceClosed, Some(reason)) = (why, holiday) {
        return Say::Holiday { reason };
    }
    match why {
        Refusal::QuotaExhausted => Say::QuotaUsedUp,
        Refusal::ServiceClosed => {
            let hours = s
                .hours
                .as_deref()
                .and_then(|h| h.parse::<IssuingHours>().ok());
            match hours {
                Some(h) if now < h.start => Say::NotOpenYet {
                    at: h.start.format("%H:%M").to_string(),
                },
                Some(h) => Say::ClosedForToday {
                    at: h.start.format("%H:%M").to_string(),
                },
                None => Say::ServiceClosed,
            }
        }
    }
}

/// The agency tiles of the start screen, in the config's order.
pub fn agencies(view: &HallView, now: NaiveTime, w: &impl Words) -> Vec<Agency> {
    let Some(hall) = &view.hall else {
        return vec![];
    };
    hall.agencies
        .iter()
        .map(|a| {
            let services: Vec<&ServiceInfo> =
                hall.services.iter().filter(|s| s.agency == a.id).collect();
            let waiting: u32 = services.iter().map(|s| waiting(view, s.id.as_str())).sum();
            let any_open = services.iter().any(|s| availability(view, s, now).is_ok());
            let note = w.say(if any_open {
                Say::AgencyWaiting {
                    n: waiting.to_string(),
                }
            } else {
                Say::AgencyClosed
            });
            Agency {
                id: a.id.to_string(),
                name: a.name.clone(),
                color: a.color.clone().unwrap_or_else(|| "#0b5cab".into()),
                waiting,
                any_open,
                note,
            }
        })
        .collect()
}

/// The service cards of one agency. Services already in the visit being put together
/// (`chosen`) cannot be chosen twice and say so.
pub fn services(
    view: &HallView,
    agency: &str,
    chosen: &[ServiceId],
    now: NaiveTime,
    english: bool,
    w: &impl Words,
) -> Vec<Service> {
    let Some(hall) = &view.hall else {
        return vec![];
    };
    hall.services
        .iter()
        .filter(|s| s.agency.as_str() == agency)
        .map(|s| {
            let waiting = waiting(view, s.id.as_str());
            // The hub's estimate for a ticket taken now, in the words the ticket will use.
            let estimate = view
                .figures(s.id.as_str())
                .map(|f| estimate::describe(&f.estimate(), english).1)
                .unwrap_or_default();
            let (open, reason) = match availability(view, s, now) {
                _ if chosen.contains(&s.id) => (false, w.say(Say::AlreadyOnTicket)),
                Ok(()) => (true, String::new()),
                Err(why) => (false, w.say(closed_reason(s, why, now, holiday(view)))),
            };
            Service {
                id: s.id.to_string(),
                name: s.name.clone(),
                requirements: if s.requirements.is_empty() {
                    String::new()
                } else {
                    w.say(Say::PleaseBring {
                        what: s.requirements.join(", "),
                    })
                },
                standard: s
                    .standard_minutes
                    .map(|m| {
                        w.say(Say::ServiceStandard {
                            minutes: m.to_string(),
                        })
                    })
                    .unwrap_or_default(),
                waiting: w.say(Say::PeopleWaiting {
                    n: waiting.to_string(),
                }),
                estimate,
                open,
                reason,
            }
        })
        .collect()
}

/// A visit's services in order, as the kiosk's screens and the printed ticket list them:
/// "1. KTP Elektronik — Loket 1–4".
pub fn visit_lines(view: &HallView, visit: &[ServiceId]) -> Vec<String> {
    let Some(hall) = &view.hall else {
        return vec![];
    };
    visit
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let name = hall
                .services
                .iter()
                .find(|s| &s.id == id)
                .map_or_else(|| id.to_string(), |s| s.name.clone());
            let at = view.served_at(id);
            if at.is_empty() {
                format!("{}. {name}", i + 1)
            } else {
                format!("{}. {name} — {at}", i + 1)
            }
        })
        .collect()
}

/// The priority group's name in Indonesian, as the printed ticket says it ("Lansia").
pub fn priority_name(p: Priority) -> &'static str {
    match p {
        Priority::Lansia => "Lansia",
        Priority::Disabilitas => "Disabilitas",
        Priority::IbuHamil => "Ibu hamil",
    }
}

/// The priority group as the screen names it ("Prioritas: Lansia").
pub fn priority_label(p: Option<Priority>) -> Option<Say> {
    Some(match p? {
        Priority::Lansia => Say::PriorityLansia,
        Priority::Disabilitas => Say::PriorityDisabilitas,
        Priority::IbuHamil => Say::PriorityIbuHamil,
    })
}

/// What the visitor reads when the hub refuses a ticket: (title, detail); `reason` is why the
/// service refused, in the visitor's words.
pub fn refusal_text(code: Option<ErrorCode>, reason: &str) -> (Say, Say) {
    match code {
        Some(ErrorCode::ServiceClosed) | Some(ErrorCode::QuotaExhausted) => (
            Say::NoTicketTitle,
            Say::DemandRecorded {
                reason: reason.to_owned(),
            },
        ),
        Some(ErrorCode::RateLimited) => (Say::WaitAMoment, Say::TooManyTickets),
        _ => (Say::SomethingWrong, Say::TicketNotMade),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(hours: Option<&str>, quota: Option<u32>) -> ServiceInfo {
        ServiceInfo {
            id: "ktp".into(),
            agency: "dukcapil".into(),
            name: "KTP".into(),
            prefix: "A".into(),
            daily_quota: quota,
            hours: hours.map(str::to_owned),
            open: true,
            requirements: vec![],
            standard_minutes: None,
            max_wait_min: None,
        }
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn closed_services_say_when_they_open() {
        let s = info(Some("08:00-15:00"), Some(2));
        let view = HallView::default();
        assert_eq!(
            availability(&view, &s, at(7, 59)),
            Err(Refusal::ServiceClosed)
        );
        assert_eq!(availability(&view, &s, at(8, 0)), Ok(()));
        assert_eq!(
            closed_reason(&s, Refusal::ServiceClosed, at(7, 0), None),
            Say::NotOpenYet { at: "08:00".into() }
        );
        assert_eq!(
            closed_reason(&s, Refusal::ServiceClosed, at(16, 0), None),
            Say::ClosedForToday { at: "08:00".into() }
        );
        assert_eq!(
            closed_reason(&info(None, None), Refusal::ServiceClosed, at(16, 0), None),
            Say::ServiceClosed
        );
        assert_eq!(
            closed_reason(&s, Refusal::QuotaExhausted, at(9, 0), None),
            Say::QuotaUsedUp
        );
    }

    #[test]
    fn seats_held_for_bookings_count_against_the_quota_as_the_hub_counts_them() {
        // A quota of 3: one walk-in issued, two seats held for the day's bookings.
        let s = info(None, Some(3));
        let mut view = HallView::default();
        let figures = |issued: u32, held: u32| -> antre_core::proto::Figures {
            serde_json::from_value(serde_json::json!({
                "service": "ktp", "waiting": 1, "issued": issued, "held": held,
                "counters_open": 1, "service_secs": 300.0, "ahead": 1, "estimated_wait_min": 5
            }))
            .unwrap()
        };
        view.figures.insert("ktp".into(), figures(1, 2));
        assert_eq!(
            availability(&view, &s, at(9, 0)),
            Err(Refusal::QuotaExhausted)
        );
        // A session ended and its seat went back: one place left for walk-ins.
        view.figures.insert("ktp".into(), figures(1, 1));
        assert_eq!(availability(&view, &s, at(9, 0)), Ok(()));
        // A hub that sends no `held` (none held): the tickets issued alone.
        let none_held = serde_json::from_value(serde_json::json!({
            "service": "ktp", "waiting": 1, "issued": 2,
            "counters_open": 1, "service_secs": 300.0, "ahead": 1, "estimated_wait_min": 5
        }))
        .unwrap();
        view.figures.insert("ktp".into(), none_held);
        assert_eq!(availability(&view, &s, at(9, 0)), Ok(()));
    }

    #[test]
    fn priority_reads_naturally() {
        assert_eq!(
            priority_label(Some(Priority::IbuHamil)),
            Some(Say::PriorityIbuHamil)
        );
        assert_eq!(priority_label(None), None);
    }
}

/// What a visitor or a QR scanner typed as the ticket to rate: `A12`, `a-012`, the ticket's
/// QR text `ANTRE:2026-11-27:A-012`, or its page `http://…/t/A-012`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCode {
    pub code: String,
    /// The service day the QR text names, if it names one.
    pub day: Option<String>,
}

/// Reads the ticket code out of what was typed or scanned.
pub fn survey_code(typed: &str) -> Option<SurveyCode> {
    let t = typed.trim();
    // A page's address may carry the ticket's key (`…/t/A-012?k=…`): the code comes before.
    let t = t.split('?').next().unwrap_or(t);
    let last = t.rsplit(['/', ':']).next().unwrap_or(t);
    let code: antre_core::domain::TicketCode = last.parse().ok()?;
    let day = t
        .strip_prefix("ANTRE:")
        .and_then(|rest| rest.split(':').next())
        .filter(|d| d.len() == 10)
        .map(str::to_owned);
    Some(SurveyCode {
        code: code.to_string(),
        day,
    })
}

/// Whether the ticket may be rated, as far as the kiosk's view knows (the hub decides, and
/// also refuses a second rating): `Err` holds the words for the visitor.
pub fn survey_check(view: &HallView, typed: &str, today: &str) -> Result<String, Say> {
    let Some(sc) = survey_code(typed) else {
        return Err(Say::NotATicketNumber);
    };
    let code = sc.code;
    if sc.day.as_deref().is_some_and(|d| d != today) {
        return Err(Say::NotTodaysTicket { code });
    }
    match view.ticket(&code) {
        None => Err(Say::NoSuchTicketCheck { code }),
        Some(t) if t.status != antre_core::domain::TicketStatus::Done => {
            Err(Say::NotServedYetRate { code })
        }
        Some(_) => Ok(code),
    }
}

/// The words for a survey the hub did not take: (title, detail).
pub fn survey_refusal(code: Option<ErrorCode>, ticket: &str) -> (Say, Say) {
    let code_of = || ticket.to_owned();
    match code {
        Some(ErrorCode::AlreadyRated) => (
            Say::AlreadyRatedTitle,
            Say::AlreadyRated { code: code_of() },
        ),
        Some(ErrorCode::NotServed) => (Say::NotYetPossible, Say::NotServedYet { code: code_of() }),
        Some(ErrorCode::UnknownTicket) => {
            (Say::TicketNotFound, Say::NoSuchTicket { code: code_of() })
        }
        _ => (Say::RatingNotSentTitle, Say::TryAgainShortly),
    }
}

/// The title and text when the hub refuses to check in `booking` with `code`.
pub fn booking_refusal(code: Option<ErrorCode>, booking: &str) -> (Say, Say) {
    let code_of = || booking.to_owned();
    match code {
        Some(ErrorCode::UnknownBooking) => {
            (Say::NoTicketTitle, Say::NoSuchBooking { code: code_of() })
        }
        Some(ErrorCode::BookingUsed) => {
            (Say::BookingUsedTitle, Say::BookingUsed { code: code_of() })
        }
        Some(ErrorCode::BookingExpired) => (
            Say::BookingExpiredTitle,
            Say::BookingExpired {
                code: code_of(),
                minutes: antre_core::domain::booking::EARLY_CHECK_IN_MIN.to_string(),
            },
        ),
        Some(ErrorCode::BookingOtherDay) => (
            Say::BookingOtherDayTitle,
            Say::BookingOtherDay { code: code_of() },
        ),
        Some(ErrorCode::ServiceClosed) | Some(ErrorCode::QuotaExhausted) => {
            (Say::NoTicketTitle, Say::ServiceClosed)
        }
        _ => (Say::SomethingWrong, Say::TicketNotMade),
    }
}

#[cfg(test)]
mod booking_tests {
    use super::*;

    #[test]
    fn each_refusal_of_a_booking_says_why_with_its_code() {
        let said = |c| booking_refusal(Some(c), "BK-7KQ4M9A");
        assert_eq!(
            said(ErrorCode::BookingUsed),
            (
                Say::BookingUsedTitle,
                Say::BookingUsed {
                    code: "BK-7KQ4M9A".into()
                }
            )
        );
        assert_eq!(
            said(ErrorCode::BookingExpired).1,
            Say::BookingExpired {
                code: "BK-7KQ4M9A".into(),
                minutes: "30".into()
            }
        );
        assert_eq!(
            said(ErrorCode::BookingOtherDay).0,
            Say::BookingOtherDayTitle
        );
        assert_eq!(
            booking_refusal(None, "BK-7KQ4M9A"),
            (Say::SomethingWrong, Say::TicketNotMade)
        );
    }
}

#[cfg(test)]
mod survey_tests {
    use super::*;

    #[test]
    fn codes_from_people_and_scanners() {
        let code = |s: &str| survey_code(s).map(|c| (c.code, c.day));
        assert_eq!(code("A12"), Some(("A-012".into(), None)));
        assert_eq!(code(" b-7 "), Some(("B-007".into(), None)));
        assert_eq!(
            code("ANTRE:2026-11-27:A-012"),
            Some(("A-012".into(), Some("2026-11-27".into())))
        );
        assert_eq!(
            code("http://192.168.1.10:8080/t/C-101"),
            Some(("C-101".into(), None))
        );
        assert_eq!(
            code("http://192.168.1.10:8080/t/C-101?k=Zq3-_kP9xYb2Lm7Nc0RtWv"),
            Some(("C-101".into(), None))
        );
        assert_eq!(code("12"), None);
        assert_eq!(code(""), None);
    }
}
