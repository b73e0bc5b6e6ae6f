//! The ruang aspirasi's report for a day or a period: the queue per service and per officer,
//! the IKM (overall, per agency, per service), unmet demand and the visitors' aspirations.
//!
//! [`Report::read`] computes it from the database with a read-only connection (WAL: the hub
//! keeps serving while it runs); [`json`], [`csv`] and [`html`] write it out. The JSON field
//! names are a contract: other tools read them.

mod charts;
pub mod csv;
pub mod html;

use crate::config::Config;
use crate::store::period;
use crate::store::schema;
use antre_core::domain::durations::{self, Sum};
use antre_core::domain::ikm::{self, Tally};
use chrono::{NaiveDate, TimeZone, Timelike, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The upper edges (minutes, exclusive) of the waiting-time classes (the core's, shared with
/// the city's report).
pub use antre_core::domain::durations::WAIT_CLASSES_MIN;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub hall: String,
    pub from: String,
    pub to: String,
    pub totals: Totals,
    pub services: Vec<ServiceRow>,
    pub officers: Vec<OfficerRow>,
    pub ikm: IkmFigures,
    pub ikm_by_agency: Vec<AgencyIkm>,
    pub ikm_by_service: Vec<ServiceIkm>,
    pub unmet: Vec<UnmetRow>,
    pub aspirations: Vec<AspirationRow>,
    /// Per hour of the day (hall time), summed over the period.
    pub hours: Vec<HourRow>,
    /// Per agency: how many waited how long, in the classes of [`WAIT_CLASSES_MIN`].
    pub wait_distribution: Vec<WaitDistribution>,
    /// Paused minutes per counter and reason, over the period (counters in the config's
    /// order, then reasons in the contract's).
    pub pauses: Vec<PauseRow>,
    /// For a period longer than a month: the same figures per week (up to three months) or
    /// per month, for the mall's yearly evaluation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<TrendRow>,
    /// The bookings of the period's days from the city's service, per service (a hall
    /// that takes none has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookings: Vec<BookingRow>,
    /// The agencies the report is limited to (a supervisor's); `None`: the whole hall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agencies: Option<Vec<String>>,
}

/// One week or month of a long period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// `2026-W05` or `2026-01`.
    pub label: String,
    pub from: String,
    pub to: String,
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    pub wait_avg_min: f64,
    pub ikm_respondents: u64,
    /// The IKM value (unrounded), 0 without respondents.
    pub ikm: f64,
    pub ikm_display: String,
}

/// Periods longer than this many days get a trend.
pub const TREND_AFTER_DAYS: i64 = 31;
/// Periods up to this many days get a weekly trend, longer ones a monthly one.
pub const WEEKLY_UP_TO_DAYS: i64 = 92;

/// The weeks (Monday to Sunday) or months of `from..=to`, each cut to the period, with
/// their labels.
pub fn trend_buckets(from: NaiveDate, to: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let days = (to - from).num_days() + 1;
    if days <= TREND_AFTER_DAYS {
        return vec![];
    }
    let mut out = vec![];
    let mut start = from;
    while start <= to {
        let (label, end) = if days <= WEEKLY_UP_TO_DAYS {
            let week = start.iso_week();
            let sunday = start
                + chrono::Duration::days(6 - i64::from(start.weekday().num_days_from_monday()));
            (format!("{}-W{:02}", week.year(), week.week()), sunday)
        } else {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            }
            .expect("a month follows");
            (
                format!("{}-{:02}", start.year(), start.month()),
                next - chrono::Duration::days(1),
            )
        };
        let end = end.min(to);
        out.push((label, start, end));
        start = end + chrono::Duration::days(1);
    }
    out
}

/// A service's bookings: `made` (not cancelled), `used` (checked in at the kiosk),
/// `expired` (made, unused, its session over), `cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRow {
    pub service: String,
    pub made: u64,
    pub used: u64,
    pub expired: u64,
    pub cancelled: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseRow {
    pub counter: String,
    pub name: String,
    pub reason: String,
    pub pauses: u64,
    pub minutes: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    /// Given up while waiting (by the visitor's phone or an admin), apart from no-shows.
    pub cancelled: u64,
    /// Tickets still waiting, called or being served when the day ended (or now).
    pub unfinished: u64,
    pub wait_avg_min: f64,
    pub surveys: u64,
    pub aspirations: u64,
    pub unmet: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub service: String,
    pub agency: String,
    pub name: String,
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    pub cancelled: u64,
    pub transferred_out: u64,
    pub wait_avg_min: f64,
    pub wait_p90_min: f64,
    pub service_avg_min: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficerRow {
    pub officer: String,
    pub counter: String,
    pub served: u64,
    pub service_avg_min: f64,
}

/// The IKM of a group (the core's, shared with the city's report).
pub use antre_core::domain::ikm::IkmFigures;

/// An agency's and a service's IKM (the core's, shared with the city's report).
pub use antre_core::domain::ikm::{AgencyIkm, ServiceIkm};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetRow {
    pub service: String,
    pub reason: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AspirationRow {
    pub kind: String,
    pub text: String,
    pub count: u64,
}

pub use antre_core::domain::durations::{HourRow, WaitDistribution};

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("there is no database at {0}")]
    NoDatabase(String),
    #[error(
        "the database is at schema version {found}, this antre-hub reads version {expected}: \
         start `antre-hub serve` on it once to upgrade it, or use the matching antre-hub"
    )]
    Version { found: u32, expected: u32 },
    #[error("the period ends ({to}) before it starts ({from})")]
    Period { from: NaiveDate, to: NaiveDate },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Lower case with runs of white space made one space: how aspirations are grouped.
pub fn normalize_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Paused minutes per counter and reason. A pause still under way counts until now, and at
/// most until the end of its service day (a pause is ended by the next day's start anyway).
fn pause_rows(pauses: &[period::PauseTimes], cfg: &Config) -> Vec<PauseRow> {
    use antre_core::domain::counter::PauseReason;
    let tz = cfg.hall.timezone;
    let now = chrono::Utc::now().timestamp_millis();
    let day_end = |day: &str| {
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map_or(now, |t| t.timestamp_millis())
    };
    let mut counters: Vec<String> = cfg
        .counters
        .iter()
        .map(|c| c.id.as_str().to_owned())
        .collect();
    for p in pauses {
        if !counters.contains(&p.counter) {
            counters.push(p.counter.clone());
        }
    }
    let mut rows = vec![];
    for counter in &counters {
        for reason in PauseReason::ALL {
            let of: Vec<_> = pauses
                .iter()
                .filter(|p| &p.counter == counter && p.reason == reason.as_str())
                .collect();
            if of.is_empty() {
                continue;
            }
            let ms: i64 = of
                .iter()
                .map(|p| (p.end_ms.unwrap_or_else(|| now.min(day_end(&p.day))) - p.start_ms).max(0))
                .sum();
            rows.push(PauseRow {
                counter: counter.clone(),
                name: cfg
                    .counter(counter)
                    .map_or_else(|| counter.clone(), |c| c.name.clone()),
                reason: reason.as_str().to_owned(),
                pauses: of.len() as u64,
                minutes: (ms as f64 / 6_000.0).round() / 10.0,
            });
        }
    }
    rows
}

/// Opens the database read-only and checks that its schema is the one this code reads.
///
/// # Errors
/// The file is missing or at another version.
pub fn open(db: &Path) -> Result<Connection, ReportError> {
    if !db.exists() {
        return Err(ReportError::NoDatabase(db.display().to_string()));
    }
    let conn = crate::store::open_reader(db)?;
    let found = period::schema_version(&conn)?;
    if found != schema::VERSION {
        return Err(ReportError::Version {
            found,
            expected: schema::VERSION,
        });
    }
    Ok(conn)
}

impl Report {
    /// Reads the report of the service days `from` to `to`, both included.
    ///
    /// # Errors
    /// The period is reversed, or SQLite fails.
    pub fn read(
        conn: &Connection,
        cfg: &Config,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Report, ReportError> {
        Self::read_for(conn, cfg, from, to, None)
    }

    /// The report of `from..=to` as [`Report::read`], limited to `agencies` when given (a
    /// supervisor's report: their services' tickets, surveys, refusals and counters only;
    /// aspirations are the whole hall's and left out).
    ///
    /// # Errors
    /// As [`Report::read`].
    pub fn read_for(
        conn: &Connection,
        cfg: &Config,
        from: NaiveDate,
        to: NaiveDate,
        agencies: Option<&[String]>,
    ) -> Result<Report, ReportError> {
        let mut report = Self::read_days(conn, cfg, from, to, agencies)?;
        for (label, a, b) in trend_buckets(from, to) {
            let r = Self::read_days(conn, cfg, a, b, agencies)?;
            report.trend.push(TrendRow {
                label,
                from: a.to_string(),
                to: b.to_string(),
                issued: r.totals.issued,
                served: r.totals.served,
                no_show: r.totals.no_show,
                wait_avg_min: r.totals.wait_avg_min,
                ikm_respondents: r.ikm.respondents,
                ikm: r.ikm.value,
                ikm_display: r.ikm.value_display.clone(),
            });
        }
        Ok(report)
    }

    fn read_days(
        conn: &Connection,
        cfg: &Config,
        from: NaiveDate,
        to: NaiveDate,
        agencies: Option<&[String]>,
    ) -> Result<Report, ReportError> {
        if to < from {
            return Err(ReportError::Period { from, to });
        }
        let mut period = period::read(conn, &from.to_string(), &to.to_string())?;
        // In scope: a service of the agencies, a counter serving one of those.
        let sees = |service: &str| {
            agencies.is_none_or(|a| {
                cfg.service(service)
                    .is_some_and(|s| a.iter().any(|x| x == s.agency.as_str()))
            })
        };
        let sees_counter = |counter: &str| {
            agencies.is_none()
                || cfg
                    .counter(counter)
                    .is_some_and(|c| c.services.iter().any(|s| sees(s.as_str())))
        };
        if agencies.is_some() {
            period
                .tickets
                .retain(|t| sees(&t.service) || sees(&t.first_service));
            period.steps.retain(|t| sees(&t.service));
            period.transferred.retain(|s, _| sees(s));
            period.surveys.retain(|(s, _)| sees(s));
            period.unmet.retain(|u| sees(&u.service));
            period.aspirations.clear();
            period.bookings.retain(|b| sees(&b.service));
            period.pauses.retain(|p| sees_counter(&p.counter));
        }
        let tickets = &period.tickets;
        // Every call a counter made: the tickets as they stand, and the earlier steps of
        // visits (served, each at its own counter). Issued and arrivals count tickets only.
        let calls: Vec<&period::TicketTimes> = tickets.iter().chain(&period.steps).collect();
        let tz = cfg.hall.timezone;
        let agency_of = |service: &str| {
            cfg.service(service)
                .map(|s| s.agency.as_str().to_owned())
                .unwrap_or_default()
        };

        // Services: every configured one, then any the database knows and the config no
        // longer does.
        let mut order: Vec<String> = cfg
            .services
            .iter()
            .map(|s| s.id.as_str().to_owned())
            .collect();
        for tk in tickets {
            for s in [&tk.service, &tk.first_service] {
                if !order.contains(s) {
                    order.push(s.clone());
                }
            }
        }
        let transferred = &period.transferred;

        let mut totals = Totals::default();
        let mut all_waits = Sum::default();
        let mut services = Vec::new();
        for id in &order {
            let mut waits: Vec<i64> = calls
                .iter()
                .filter(|tk| &tk.service == id)
                // The wait in the queue it was called from (for a visit's later service,
                // from the finish of the one before).
                .filter_map(|tk| Some(tk.called_ms? - tk.queued_ms))
                .collect();
            waits.sort_unstable();
            let service_times: Sum = calls
                .iter()
                .filter(|tk| &tk.service == id && tk.status == "done")
                .filter_map(|tk| Some(tk.closed_ms? - tk.serving_ms?))
                .collect();
            let wait_sum: Sum = waits.iter().copied().collect();
            let count = |status: &str| {
                calls
                    .iter()
                    .filter(|tk| &tk.service == id && tk.status == status)
                    .count() as u64
            };
            let row = ServiceRow {
                service: id.clone(),
                agency: agency_of(id),
                name: cfg
                    .service(id)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| id.clone()),
                issued: tickets.iter().filter(|tk| &tk.first_service == id).count() as u64,
                served: count("done"),
                no_show: count("no_show"),
                cancelled: count("cancelled"),
                transferred_out: transferred.get(id).copied().unwrap_or(0),
                wait_avg_min: wait_sum.mean_min(),
                wait_p90_min: durations::p90_min(&waits),
                service_avg_min: service_times.mean_min(),
            };
            totals.issued += row.issued;
            totals.served += row.served;
            totals.no_show += row.no_show;
            totals.cancelled += row.cancelled;
            all_waits.merge(&wait_sum);
            services.push(row);
        }
        totals.unfinished = tickets
            .iter()
            .filter(|tk| matches!(tk.status.as_str(), "waiting" | "called" | "serving"))
            .count() as u64;
        totals.wait_avg_min = all_waits.mean_min();

        // Officers: who served how many at which counter, in one pass.
        let mut by_officer: HashMap<(String, String), (u64, Sum)> = HashMap::new();
        for tk in calls.iter().filter(|tk| tk.status == "done") {
            let key = (
                tk.officer.clone().unwrap_or_default(),
                tk.counter.clone().unwrap_or_default(),
            );
            let (served, durations) = by_officer.entry(key).or_default();
            *served += 1;
            if let (Some(s), Some(c)) = (tk.serving_ms, tk.closed_ms) {
                durations.add(c - s);
            }
        }
        let mut officers: Vec<OfficerRow> = by_officer
            .into_iter()
            .map(|((officer, counter), (served, durations))| OfficerRow {
                officer,
                counter,
                served,
                service_avg_min: durations.mean_min(),
            })
            .collect();
        officers.sort_by(|a, b| {
            natural_key(&a.counter)
                .cmp(&natural_key(&b.counter))
                .then(a.officer.cmp(&b.officer))
        });

        // IKM: raw answers, summed per service; agencies and the whole hall add up from them.
        let mut per_service: Vec<(String, Tally)> = Vec::new();
        for (service, answers) in &period.surveys {
            let i = match per_service.iter().position(|(s, _)| s == service) {
                Some(i) => i,
                None => {
                    per_service.push((service.clone(), Tally::default()));
                    per_service.len() - 1
                }
            };
            per_service[i].1.add(answers);
        }
        per_service.sort_by_key(|(s, _)| order.iter().position(|o| o == s));
        let names: Vec<(String, String)> = cfg
            .agencies
            .iter()
            .map(|a| (a.id.as_str().to_owned(), a.name.clone()))
            .collect();
        let ikm::HallIkm {
            hall: hall_ikm,
            by_agency: ikm_by_agency,
            by_service: ikm_by_service,
        } = ikm::add_up(&per_service, &names, |s| agency_of(s));
        totals.surveys = hall_ikm.respondents;

        let unmet: Vec<UnmetRow> = period
            .unmet
            .iter()
            .map(|u| UnmetRow {
                service: u.service.clone(),
                reason: u.reason.clone(),
                count: u.count,
            })
            .collect();
        totals.unmet = unmet.iter().map(|u| u.count).sum();

        totals.aspirations = period.aspirations.len() as u64;
        let aspirations = group_aspirations(&period.aspirations);

        let mut hours: Vec<HourRow> = Vec::new();
        let hour_of = |ms: i64| {
            tz.from_utc_datetime(&Utc.timestamp_millis_opt(ms).unwrap().naive_utc())
                .hour()
        };
        let mut bump = |hour: u32, arrival: bool| {
            let i = match hours.iter().position(|h| h.hour == hour) {
                Some(i) => i,
                None => {
                    hours.push(HourRow {
                        hour,
                        arrivals: 0,
                        served: 0,
                    });
                    hours.len() - 1
                }
            };
            if arrival {
                hours[i].arrivals += 1;
            } else {
                hours[i].served += 1;
            }
        };
        for tk in tickets {
            bump(hour_of(tk.issued_ms), true);
        }
        for tk in &calls {
            if tk.status == "done" {
                if let Some(c) = tk.closed_ms {
                    bump(hour_of(c), false);
                }
            }
        }
        hours.sort_by_key(|h| h.hour);

        let wait_distribution = WaitDistribution::tally(
            cfg.agencies.iter().map(|a| a.id.as_str()),
            calls
                .iter()
                .filter_map(|tk| Some((agency_of(&tk.service), tk.called_ms? - tk.queued_ms, 1))),
        );

        let pauses = pause_rows(&period.pauses, cfg);
        services.retain(|s| sees(&s.service));
        let ikm_by_service: Vec<ServiceIkm> = ikm_by_service
            .into_iter()
            .filter(|s: &ServiceIkm| sees(&s.service))
            .collect();
        Ok(Report {
            hall: cfg.hall.name.clone(),
            from: from.to_string(),
            to: to.to_string(),
            totals,
            services,
            officers,
            ikm: hall_ikm,
            ikm_by_agency,
            ikm_by_service,
            unmet,
            aspirations,
            hours,
            wait_distribution,
            pauses,
            trend: vec![],
            bookings: period
                .bookings
                .iter()
                .map(|b| BookingRow {
                    service: b.service.clone(),
                    made: b.made,
                    used: b.used,
                    expired: b.expired,
                    cancelled: b.cancelled,
                })
                .collect(),
            agencies: agencies.map(<[String]>::to_vec),
        })
    }

    /// The report as pretty JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }

    /// The file name stem: `laporan-2026-11-27` or `laporan-2026-11-01_2026-11-30`.
    pub fn stem(&self) -> String {
        if self.from == self.to {
            format!("laporan-{}", self.from)
        } else {
            format!("laporan-{}_{}", self.from, self.to)
        }
    }
}

/// Groups `(kind, text)` by kind and by text with case and spacing ignored; each group is
/// shown by its most frequent spelling (the first seen on a tie); most frequent first.
pub fn group_aspirations(all: &[(String, String)]) -> Vec<AspirationRow> {
    /// Each spelling of a group, in order of first appearance, with its count.
    type Spellings = Vec<(String, u64)>;
    // (kind, normalized text) → its spellings.
    let mut groups: Vec<((String, String), Spellings)> = Vec::new();
    for (kind, text) in all {
        let spelled = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = (kind.clone(), normalize_text(text));
        let spellings = match groups.iter().position(|(k, _)| *k == key) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((key, Vec::new()));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        match spellings.iter_mut().find(|(s, _)| *s == spelled) {
            Some((_, n)) => *n += 1,
            None => spellings.push((spelled, 1)),
        }
    }
    let mut rows: Vec<AspirationRow> = groups
        .into_iter()
        .map(|((kind, _), spellings)| {
            let count = spellings.iter().map(|(_, n)| n).sum();
            // max_by_key keeps the last maximum; reversing keeps the first seen.
            let text = spellings
                .iter()
                .rev()
                .max_by_key(|(_, n)| *n)
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            AspirationRow { kind, text, count }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(kind_rank(&a.kind).cmp(&kind_rank(&b.kind)))
            .then(a.text.cmp(&b.text))
    });
    rows
}

fn kind_rank(kind: &str) -> u8 {
    match kind {
        "missing_service" => 0,
        "complaint" => 1,
        "suggestion" => 2,
        _ => 3,
    }
}

/// Orders counter ids like people do: "2" before "10".
fn natural_key(s: &str) -> (u64, String) {
    (s.parse().unwrap_or(u64::MAX), s.to_owned())
}

/// The Indonesian words for an aspiration kind.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "missing_service" => "Layanan yang belum tersedia",
        "suggestion" => "Saran",
        "complaint" => "Pengaduan",
        _ => "Lainnya",
    }
}

/// The Indonesian words for an unmet-demand reason.
pub fn reason_words(reason: &str) -> &'static str {
    match reason {
        "quota_exhausted" => "Kuota habis",
        "service_closed" => "Di luar jam layanan",
        _ => "Lainnya",
    }
}

/// A number with `places` decimals and the Indonesian decimal comma (the core's).
pub use antre_core::domain::text::decimal;

pub use ikm::Category as IkmCategory;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspirations_group_by_kind_and_text_ignoring_case_and_spacing() {
        let all = [
            ("missing_service", "Layanan  paspor"),
            ("missing_service", "layanan paspor"),
            ("suggestion", "Layanan paspor"),
            ("missing_service", " Layanan PASPOR "),
            ("missing_service", "layanan paspor"),
            ("complaint", "AC mati"),
        ]
        .map(|(k, t)| (k.to_owned(), t.to_owned()));
        let rows = group_aspirations(&all);
        assert_eq!(
            rows,
            vec![
                AspirationRow {
                    kind: "missing_service".into(),
                    text: "layanan paspor".into(),
                    count: 4
                },
                AspirationRow {
                    kind: "complaint".into(),
                    text: "AC mati".into(),
                    count: 1
                },
                AspirationRow {
                    kind: "suggestion".into(),
                    text: "Layanan paspor".into(),
                    count: 1
                },
            ]
        );
    }
}
