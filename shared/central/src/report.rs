//! The city's report (CENTRAL.md, "The city's view"): `GET /api/v1/report?from&to[&hall]`
//! with the reporting token. Every hall's figures come from its event log as its hub pushed
//! it, in the hall report's words and shape (`antre-hub report`): tickets issued, served,
//! not present, cancelled and transferred per service; waits (mean, 90th percentile) and
//! service times by the core's one rule for durations ([`durations`]); arrivals and
//! serves per hour; how many waited how long per agency; the IKM per hall, agency and
//! service from the summed raw answers by the core's one rule ([`ikm::add_up`]), as the
//! hall's; and bookings made, used, expired and cancelled per hall and service.
//! `format=html` gives the same as a page with charts.
//!
//! Left out, as the hall keeps them to itself: officers, refused tickets (unmet demand),
//! aspirations and counters' pauses.

use crate::{bearer, ApiError, App};
use antre_core::domain::booking::Session;
use antre_core::domain::durations::{self, Sum};
use antre_core::domain::ikm::{self, AgencyIkm, IkmFigures, ServiceIkm, Tally, ELEMENTS};
use antre_core::domain::text::decimal;
use antre_core::proto::sync::Catalogue;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The longest period one report covers.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
    pub hall: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityReport {
    pub from: String,
    pub to: String,
    /// The city: every hall's figures added up, the IKM from every answer.
    pub totals: Totals,
    pub ikm: IkmFigures,
    pub bookings: Bookings,
    pub halls: Vec<HallReport>,
}

/// One hall, as its own report (`antre-hub report`) names and counts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HallReport {
    /// The hall's id in `central.toml`.
    pub id: String,
    /// Its name, as its hub has it (the hall report's `hall`).
    pub hall: String,
    pub from: String,
    pub to: String,
    pub totals: Totals,
    pub services: Vec<ServiceRow>,
    pub ikm: IkmFigures,
    pub ikm_by_agency: Vec<AgencyIkm>,
    pub ikm_by_service: Vec<ServiceIkm>,
    /// Per hour of the day (the hall's time), summed over the period.
    pub hours: Vec<HourRow>,
    /// Per agency: how many waited how long, in the classes of [`durations::WAIT_CLASSES_MIN`].
    pub wait_distribution: Vec<WaitDistribution>,
    pub bookings: Bookings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    pub cancelled: u64,
    /// Tickets still waiting, called or being served at the end of their day (or now).
    pub unfinished: u64,
    /// Every call's wait, in minutes.
    pub wait_avg_min: f64,
    pub surveys: u64,
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

pub use antre_core::domain::durations::{HourRow, WaitDistribution};

/// Bookings of the period's days. `made`: not cancelled; `used`: checked in at the hall;
/// `expired`: made, not used, its session over; `cancelled` apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bookings {
    pub made: u64,
    pub used: u64,
    pub expired: u64,
    pub cancelled: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceBookings>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceBookings {
    pub service: String,
    pub made: u64,
    pub used: u64,
    pub expired: u64,
    pub cancelled: u64,
}

impl Bookings {
    fn add(&mut self, other: &Bookings) {
        self.made += other.made;
        self.used += other.used;
        self.expired += other.expired;
        self.cancelled += other.cancelled;
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// `GET /api/v1/report?from=YYYY-MM-DD&to=YYYY-MM-DD[&hall=ID][&format=html]`.
pub async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    if !bearer(&headers).is_some_and(|t| app.cfg.is_report_token(t)) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the report needs the reporting token (Authorization: Bearer …)",
        ));
    }
    let day = |s: &str, what: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| bad(format!("{what}: a date such as 2026-12-01, got {s:?}")))
    };
    let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
    if to < from {
        return Err(bad(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(bad(format!("a report covers at most {MAX_DAYS} days")));
    }
    let halls: Vec<&crate::config::Hall> = match &q.hall {
        Some(id) => vec![app.cfg.hall(id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_hall",
                format!("no hall {id:?} in central.toml"),
            )
        })?],
        None => app.cfg.halls.iter().collect(),
    };
    let report = read(&app, &halls, from, to).await?;
    Ok(match q.format.as_deref() {
        Some("html") => Html(html(&report)).into_response(),
        None | Some("json") => Json(report).into_response(),
        Some(f) => return Err(bad(format!("format: json or html, got {f:?}"))),
    })
}

/// Counts of one service of one hall.
#[derive(Default, Clone, Copy)]
struct Counts {
    issued: u64,
    served: u64,
    no_show: u64,
    cancelled: u64,
    transferred_out: u64,
}

/// The times of one service of one hall.
#[derive(Default, Clone, Copy)]
struct Times {
    waits: Sum,
    /// The 90th percentile's wait (nearest rank), milliseconds.
    wait_p90_ms: i64,
    service: Sum,
    unfinished: u64,
}

/// One hall's times, as [`read_times`] adds them up.
#[derive(Default)]
struct HallTimes {
    services: BTreeMap<String, Times>,
    /// Per service, calls by whole minutes waited.
    waited: BTreeMap<String, BTreeMap<i64, u64>>,
    /// Per hour: arrivals and serves.
    hours: BTreeMap<u32, (u64, u64)>,
}

async fn read(
    app: &App,
    halls: &[&crate::config::Hall],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<CityReport, ApiError> {
    let client = app.pool.get().await?;
    let ids: Vec<&str> = halls.iter().map(|h| h.id.as_str()).collect();
    let (f, t) = (from.to_string(), to.to_string());
    // What each ticket event counts for: the service it happened at. A visit's step that
    // ends with the ticket going on (`ticket_requeued`) is a serve at the service before.
    let counted = client
        .query(
            "SELECT hall, kind,
                    CASE WHEN kind = 'ticket_requeued'
                         THEN body->'ticket'->'visit'->>(((body->'ticket'->>'step')::int) - 1)
                         WHEN kind = 'ticket_transferred' THEN body->>'from_service'
                         ELSE body->'ticket'->>'service' END AS service,
                    count(*)
             FROM events
             WHERE hall = ANY($1)
               AND kind IN ('ticket_issued', 'ticket_finished', 'ticket_requeued',
                            'ticket_no_show', 'ticket_cancelled', 'ticket_transferred')
               AND body->'ticket'->>'day' BETWEEN $2 AND $3
             GROUP BY 1, 2, 3",
            &[&ids, &f, &t],
        )
        .await?;
    let mut counts: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for r in &counted {
        let (hall, kind, service, n): (String, String, Option<String>, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let c = counts
            .entry((hall, service.unwrap_or_default()))
            .or_default();
        let n = n as u64;
        match kind.as_str() {
            "ticket_issued" => c.issued += n,
            "ticket_finished" | "ticket_requeued" => c.served += n,
            "ticket_no_show" => c.no_show += n,
            "ticket_transferred" => c.transferred_out += n,
            _ => c.cancelled += n,
        }
    }
    // The IKM's raw material: respondents and the sum of each element's answers.
    let sums = (0..ELEMENTS)
        .map(|i| format!("sum((body->'answers'->>{i})::bigint)::bigint"))
        .collect::<Vec<_>>()
        .join(", ");
    let surveyed = client
        .query(
            &format!(
                "SELECT hall, body->'ticket'->>'service', count(*), {sums}
                 FROM events
                 WHERE hall = ANY($1) AND kind = 'survey_given'
                   AND body->'ticket'->>'day' BETWEEN $2 AND $3
                 GROUP BY 1, 2"
            ),
            &[&ids, &f, &t],
        )
        .await?;
    let mut tallies: BTreeMap<(String, String), Tally> = BTreeMap::new();
    for r in &surveyed {
        let mut tally = Tally {
            respondents: r.get::<_, i64>(2) as u64,
            sums: [0; ELEMENTS],
        };
        for (i, s) in tally.sums.iter_mut().enumerate() {
            *s = r.get::<_, i64>(3 + i) as u64;
        }
        tallies.insert(
            (r.get(0), r.get::<_, Option<String>>(1).unwrap_or_default()),
            tally,
        );
    }
    let names: BTreeMap<String, Catalogue> = client
        .query(
            "SELECT hall, body FROM hall_catalogues WHERE hall = ANY($1)",
            &[&ids],
        )
        .await?
        .iter()
        .filter_map(|r| {
            let body: serde_json::Value = r.get(1);
            Some((r.get(0), serde_json::from_value(body).ok()?))
        })
        .collect();
    let bookings = read_bookings(app, &client, &ids, from, to).await?;
    let times = read_times(&client, halls, &f, &t).await?;

    let mut city = CityReport {
        from: f.clone(),
        to: t.clone(),
        totals: Totals::default(),
        ikm: IkmFigures::of(&Tally::default()),
        bookings: Bookings::default(),
        halls: vec![],
    };
    let mut city_tally = Tally::default();
    let mut city_waits = Sum::default();
    for hall in halls {
        let names = names.get(&hall.id).cloned().unwrap_or_default();
        // Services as the hall orders them, then any its log has that its names do not.
        let mut order: Vec<String> = names.services.iter().map(|s| s.id.clone()).collect();
        let logged = counts.keys().chain(tallies.keys());
        for s in logged
            .filter(|(h, _)| *h == hall.id)
            .map(|(_, s)| s.clone())
        {
            if !order.contains(&s) {
                order.push(s);
            }
        }
        let agency_of = |s: &str| {
            names
                .services
                .iter()
                .find(|x| x.id == s)
                .map(|x| x.agency.clone())
                .unwrap_or_default()
        };
        let no_times = HallTimes::default();
        let hall_times = times.get(&hall.id).unwrap_or(&no_times);
        for s in hall_times.services.keys() {
            if !order.contains(s) {
                order.push(s.clone());
            }
        }
        let mut totals = Totals::default();
        let mut all_waits = Sum::default();
        let mut services = vec![];
        for id in &order {
            let c = counts
                .get(&(hall.id.clone(), id.clone()))
                .copied()
                .unwrap_or_default();
            let times = hall_times.services.get(id).copied().unwrap_or_default();
            totals.issued += c.issued;
            totals.served += c.served;
            totals.no_show += c.no_show;
            totals.cancelled += c.cancelled;
            totals.unfinished += times.unfinished;
            all_waits.merge(&times.waits);
            services.push(ServiceRow {
                service: id.clone(),
                agency: agency_of(id),
                name: names
                    .services
                    .iter()
                    .find(|x| &x.id == id)
                    .map_or_else(|| id.clone(), |x| x.name.clone()),
                issued: c.issued,
                served: c.served,
                no_show: c.no_show,
                cancelled: c.cancelled,
                transferred_out: c.transferred_out,
                wait_avg_min: times.waits.mean_min(),
                wait_p90_min: durations::minutes(times.wait_p90_ms),
                service_avg_min: times.service.mean_min(),
            });
        }
        totals.wait_avg_min = all_waits.mean_min();
        city_waits.merge(&all_waits);
        // How many waited how long, per agency in the hall's order (as its report).
        let wait_distribution = WaitDistribution::tally(
            names.agencies.iter().map(|a| a.id.as_str()),
            hall_times.waited.iter().flat_map(|(service, by_minute)| {
                let agency = agency_of(service);
                by_minute
                    .iter()
                    .map(move |(minute, &n)| (agency.clone(), minute * 60_000, n))
            }),
        );
        let hours = hall_times
            .hours
            .iter()
            .map(|(&hour, &(arrivals, served))| HourRow {
                hour,
                arrivals,
                served,
            })
            .collect();
        // The IKM as a hall adds it up (the core's one rule): per service in the hall's
        // order, then per agency and the hall.
        let per_service: Vec<(String, Tally)> = order
            .iter()
            .filter_map(|s| Some((s.clone(), *tallies.get(&(hall.id.clone(), s.clone()))?)))
            .collect();
        let agencies: Vec<(String, String)> = names
            .agencies
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        let summed = ikm::add_up(&per_service, &agencies, agency_of);
        for (_, t) in &per_service {
            city_tally.merge(t);
        }
        totals.surveys = summed.hall.respondents;
        let b = bookings.get(&hall.id).cloned().unwrap_or_default();
        city.bookings.add(&b);
        city.totals.issued += totals.issued;
        city.totals.served += totals.served;
        city.totals.no_show += totals.no_show;
        city.totals.cancelled += totals.cancelled;
        city.totals.unfinished += totals.unfinished;
        city.totals.surveys += totals.surveys;
        city.halls.push(HallReport {
            id: hall.id.clone(),
            hall: if names.name.is_empty() {
                hall.name.clone()
            } else {
                names.name.clone()
            },
            from: f.clone(),
            to: t.clone(),
            totals,
            services,
            ikm: summed.hall,
            ikm_by_agency: summed.by_agency,
            ikm_by_service: summed.by_service,
            hours,
            wait_distribution,
            bookings: b,
        });
    }
    city.ikm = IkmFigures::of(&city_tally);
    city.totals.wait_avg_min = city_waits.mean_min();
    Ok(city)
}

/// The events that carry a ticket as it stands after them.
const TICKET_KINDS: &[&str] = &[
    "ticket_issued",
    "ticket_called",
    "ticket_recalled",
    "serving_started",
    "ticket_finished",
    "ticket_no_show",
    "ticket_transferred",
    "ticket_cancelled",
    "ticket_requeued",
    "survey_given",
];

/// Each hall's waits, service times, waits by the minute and hours, from its log: what the
/// hall's report reads from its tickets and its visits' finished steps. A ticket is as its
/// last event left it; a visit's step that ended with the ticket going on to its next
/// service (`ticket_requeued`) is the ticket as the event before left it, closed when it went
/// on. Durations are whole milliseconds, added up in PostgreSQL; the mean and the classes
/// are the core's ([`durations`]), the 90th percentile its nearest rank
/// (`percentile_disc`).
async fn read_times(
    client: &deadpool_postgres::Client,
    halls: &[&crate::config::Hall],
    from: &str,
    to: &str,
) -> Result<BTreeMap<String, HallTimes>, ApiError> {
    let ids: Vec<&str> = halls.iter().map(|h| h.id.as_str()).collect();
    let zones: Vec<&str> = halls.iter().map(|h| h.timezone.name()).collect();
    let rows = client
        .query(
            "WITH t AS (
                 SELECT hall, kind, body->'ticket' AS tk,
                        lag(body->'ticket') OVER w AS before,
                        lead(seq) OVER w IS NULL AS last
                 FROM events
                 WHERE hall = ANY($1) AND kind = ANY($4)
                   AND body->'ticket'->>'day' BETWEEN $2 AND $3
                 WINDOW w AS (PARTITION BY hall, epoch, body->'ticket'->>'day',
                                           body->'ticket'->>'code' ORDER BY seq)
             ),
             calls AS (
                 SELECT hall, tk AS c, tk->>'status' AS status, true AS ticket,
                        (tk->>'closed_at')::timestamptz AS closed
                 FROM t WHERE last
                 UNION ALL
                 SELECT hall, before, 'done', false, (tk->>'queued_at')::timestamptz
                 FROM t WHERE kind = 'ticket_requeued'
             ),
             timed AS (
                 SELECT hall, z.tz, c->>'service' AS service, status, ticket,
                        (c->>'issued_at')::timestamptz AS issued,
                        round(extract(epoch FROM (c->>'called_at')::timestamptz
                              - COALESCE(c->>'queued_at', c->>'issued_at')::timestamptz)
                              * 1000)::bigint AS wait_ms,
                        CASE WHEN status = 'done' THEN round(extract(epoch FROM closed
                              - (c->>'started_at')::timestamptz) * 1000)::bigint END
                            AS service_ms,
                        CASE WHEN status = 'done' THEN closed END AS served
                 FROM calls JOIN unnest($1::text[], $5::text[]) AS z(hall, tz) USING (hall)
             ),
             keyed AS (
                 SELECT *, greatest(wait_ms, 0) / 60000 AS waited_min,
                        extract(hour FROM issued AT TIME ZONE tz)::int AS arrival_hour,
                        extract(hour FROM served AT TIME ZONE tz)::int AS served_hour
                 FROM timed
             )
             SELECT hall, service, waited_min, arrival_hour, served_hour,
                    GROUPING(service, waited_min, arrival_hour, served_hour),
                    count(wait_ms), COALESCE(sum(wait_ms), 0)::bigint,
                    COALESCE(percentile_disc(0.9) WITHIN GROUP (ORDER BY wait_ms), 0),
                    count(service_ms), COALESCE(sum(service_ms), 0)::bigint,
                    count(*) FILTER (WHERE ticket
                                     AND status IN ('waiting', 'called', 'serving')),
                    count(*) FILTER (WHERE ticket), count(served)
             FROM keyed
             GROUP BY GROUPING SETS ((hall, service), (hall, service, waited_min),
                                     (hall, arrival_hour), (hall, served_hour))",
            &[&ids, &from, &to, &TICKET_KINDS, &zones],
        )
        .await?;
    let mut out: BTreeMap<String, HallTimes> = BTreeMap::new();
    for r in &rows {
        let hall: String = r.get(0);
        let service: Option<String> = r.get(1);
        let h = out.entry(hall).or_default();
        let count = |i: usize| r.get::<_, i64>(i) as u64;
        // GROUPING's bits, from the last argument: served hour 1, arrival hour 2, minutes
        // waited 4, service 8; a bit is set where the set leaves that key out.
        match r.get::<_, i32>(5) {
            0b0111 => {
                h.services.insert(
                    service.unwrap_or_default(),
                    Times {
                        waits: Sum {
                            count: count(6),
                            total_ms: r.get(7),
                        },
                        wait_p90_ms: r.get(8),
                        service: Sum {
                            count: count(9),
                            total_ms: r.get(10),
                        },
                        unfinished: count(11),
                    },
                );
            }
            0b0011 => {
                if let Some(minute) = r.get::<_, Option<i64>>(2) {
                    *h.waited
                        .entry(service.unwrap_or_default())
                        .or_default()
                        .entry(minute)
                        .or_default() += count(6);
                }
            }
            0b1101 => {
                if let Some(hour) = r.get::<_, Option<i32>>(3) {
                    h.hours.entry(hour as u32).or_default().0 += count(12);
                }
            }
            0b1110 => {
                if let Some(hour) = r.get::<_, Option<i32>>(4) {
                    h.hours.entry(hour as u32).or_default().1 += count(13);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Each hall's bookings of the period: from the city's own table, with the codes its hubs
/// checked in (`ticket.booking` on `ticket_issued`) as used.
async fn read_bookings(
    app: &App,
    client: &deadpool_postgres::Client,
    ids: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, Bookings>, ApiError> {
    let used: HashSet<(String, String)> = client
        .query(
            "SELECT DISTINCT hall, body->'ticket'->>'booking' FROM events
             WHERE hall = ANY($1) AND kind = 'ticket_issued'
               AND body->'ticket'->>'booking' IS NOT NULL
               AND body->'ticket'->>'day' BETWEEN $2 AND $3",
            &[&ids, &from.to_string(), &to.to_string()],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let rows = client
        .query(
            "SELECT hall, service, day, session, code, cancelled_at IS NOT NULL FROM bookings
             WHERE hall = ANY($1) AND day BETWEEN $2 AND $3 ORDER BY hall, service",
            &[&ids, &from, &to],
        )
        .await?;
    let now = (app.clock)();
    let mut out: BTreeMap<String, Bookings> = BTreeMap::new();
    for r in &rows {
        let (hall, service, day, session, code, cancelled): (
            String,
            String,
            NaiveDate,
            String,
            String,
            bool,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        let tz = app
            .cfg
            .hall(&hall)
            .map_or(chrono_tz::Asia::Jakarta, |h| h.timezone);
        let local = now.with_timezone(&tz).naive_local();
        let over = Session::parse(&session).is_ok_and(|s| s.ends(day) <= local);
        let is_used = used.contains(&(hall.clone(), code));
        let b = out.entry(hall).or_default();
        let row = match b.services.iter().position(|s| s.service == service) {
            Some(i) => &mut b.services[i],
            None => {
                b.services.push(ServiceBookings {
                    service,
                    ..ServiceBookings::default()
                });
                b.services.last_mut().expect("just pushed")
            }
        };
        if cancelled {
            row.cancelled += 1;
        } else {
            row.made += 1;
            if is_used {
                row.used += 1;
            } else if over {
                row.expired += 1;
            }
        }
    }
    for b in out.values_mut() {
        for s in &b.services {
            b.made += s.made;
            b.used += s.used;
            b.expired += s.expired;
            b.cancelled += s.cancelled;
        }
    }
    Ok(out)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar, `value` of `max`, `width` pixels at most: inline SVG, no script.
fn bar(value: f64, max: f64, width: f64, color: &str) -> String {
    let w = if max > 0.0 { value / max * width } else { 0.0 };
    format!(
        r#"<svg width="{width}" height="14" role="presentation" aria-hidden="true"><rect width="{w:.1}" height="14" fill="{color}"/></svg>"#
    )
}

/// The report as a page: per hall the tickets, the IKM and the bookings, each with bars.
pub fn html(r: &CityReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        r#"<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Laporan kota {from} – {to}</title>
<style>body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#111827}}
h1{{color:#0b5cab}}table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}th,td{{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d1d5db}}
td.n{{text-align:right;font-variant-numeric:tabular-nums}}td.b{{white-space:nowrap;font-variant-numeric:tabular-nums}}.en{{color:#4b5563;font-size:.85em}}</style></head><body>
<h1>Laporan pelayanan kota <span class="en" lang="en">City service report</span></h1>
<p>{from} – {to}: {issued} tiket, {served} dilayani, IKM {ikm} ({cat}); booking: {made} dibuat, {used} dipakai, {expired} hangus.</p>
"#,
        from = esc(&r.from),
        to = esc(&r.to),
        issued = r.totals.issued,
        served = r.totals.served,
        ikm = esc(&r.ikm.value_display),
        cat = esc(&r.ikm.category_words),
        made = r.bookings.made,
        used = r.bookings.used,
        expired = r.bookings.expired,
    ));
    // The halls side by side: tickets issued and served, and the IKM.
    let max_issued = r.halls.iter().map(|h| h.totals.issued).max().unwrap_or(0) as f64;
    out.push_str(
        r#"<h2>Per mal pelayanan <span class="en" lang="en">Per hall</span></h2><table><thead><tr><th scope="col">Mal</th><th scope="col">Tiket</th><th scope="col">Dilayani</th><th scope="col">IKM</th><th scope="col">Booking dipakai / dibuat</th></tr></thead><tbody>"#,
    );
    for h in &r.halls {
        out.push_str(&format!(
            r#"<tr><th scope="row">{name}</th><td class="b">{bar} {issued}</td><td class="n">{served}</td><td class="b">{ikmbar} {ikm}</td><td class="n">{used} / {made}</td></tr>"#,
            name = esc(&h.hall),
            issued = h.totals.issued,
            served = h.totals.served,
            bar = bar(h.totals.issued as f64, max_issued, 160.0, "#0b5cab"),
            ikm = esc(&h.ikm.value_display),
            ikmbar = bar(h.ikm.value, 100.0, 100.0, "#0f766e"),
            used = h.bookings.used,
            made = h.bookings.made,
        ));
    }
    out.push_str("</tbody></table>");
    for h in &r.halls {
        out.push_str(&format!(
            r#"<h2>{name}</h2><p>Rata-rata menunggu {wait} menit <span class="en" lang="en">mean wait, minutes</span>; {unfinished} tiket belum selesai <span class="en" lang="en">unfinished</span>.</p><table><thead><tr><th scope="col">Layanan</th><th scope="col">Tiket</th><th scope="col">Dilayani</th><th scope="col">Tidak hadir</th><th scope="col">Batal</th><th scope="col">Tunggu rata-rata (menit)</th><th scope="col">Tunggu P90 (menit)</th><th scope="col">Lama layanan (menit)</th><th scope="col">IKM</th></tr></thead><tbody>"#,
            name = esc(&h.hall),
            wait = decimal(h.totals.wait_avg_min, 1),
            unfinished = h.totals.unfinished,
        ));
        for s in h.services.iter().filter(|s| s.issued > 0 || s.served > 0) {
            let ikm = h
                .ikm_by_service
                .iter()
                .find(|x| x.service == s.service)
                .map_or("–".to_owned(), |x| x.ikm.value_display.clone());
            out.push_str(&format!(
                r#"<tr><th scope="row">{}</th><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&s.name),
                s.issued,
                s.served,
                s.no_show,
                s.cancelled,
                decimal(s.wait_avg_min, 1),
                decimal(s.wait_p90_min, 1),
                decimal(s.service_avg_min, 1),
                esc(&ikm)
            ));
        }
        out.push_str("</tbody></table>");
        // Arrivals and serves per hour, side by side.
        if !h.hours.is_empty() {
            let max = h
                .hours
                .iter()
                .map(|x| x.arrivals.max(x.served))
                .max()
                .unwrap_or(0) as f64;
            out.push_str(
                r#"<table><caption>Per jam <span class="en" lang="en">Per hour</span></caption><thead><tr><th scope="col">Jam</th><th scope="col">Datang <span class="en" lang="en">arrived</span></th><th scope="col">Dilayani <span class="en" lang="en">served</span></th></tr></thead><tbody>"#,
            );
            for x in &h.hours {
                out.push_str(&format!(
                    r#"<tr><th scope="row">{:02}.00</th><td class="b">{} {}</td><td class="b">{} {}</td></tr>"#,
                    x.hour,
                    bar(x.arrivals as f64, max, 120.0, "#0b5cab"),
                    x.arrivals,
                    bar(x.served as f64, max, 120.0, "#0f766e"),
                    x.served,
                ));
            }
            out.push_str("</tbody></table>");
        }
    }
    out.push_str("</body></html>\n");
    out
}
