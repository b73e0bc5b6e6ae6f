//! The city's report (CENTRAL.md, "The city's view"): `GET /api/v1/report?from&to[&hall]`
//! with the reporting token. Every hall's figures come from its event log as its hub pushed
//! it, in the hall report's words and shape (`antre-hub report`): tickets issued, served,
//! not present and cancelled per service; the IKM per hall, agency and service from the
//! summed raw answers by the core's one rule ([`ikm::add_up`]), as the hall's; and bookings made,
//! used, expired and cancelled per hall and service. `format=html` gives the same as a page
//! with charts.

use crate::{bearer, ApiError, App};
use antre_core::domain::booking::Session;
use antre_core::domain::ikm::{self, AgencyIkm, IkmFigures, ServiceIkm, Tally, ELEMENTS};
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
    pub bookings: Bookings,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub issued: u64,
    pub served: u64,
    pub no_show: u64,
    pub cancelled: u64,
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
}

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
                         ELSE body->'ticket'->>'service' END AS service,
                    count(*)
             FROM events
             WHERE hall = ANY($1)
               AND kind IN ('ticket_issued', 'ticket_finished', 'ticket_requeued',
                            'ticket_no_show', 'ticket_cancelled')
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

    let mut city = CityReport {
        from: f.clone(),
        to: t.clone(),
        totals: Totals::default(),
        ikm: IkmFigures::of(&Tally::default()),
        bookings: Bookings::default(),
        halls: vec![],
    };
    let mut city_tally = Tally::default();
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
        let mut totals = Totals::default();
        let mut services = vec![];
        for id in &order {
            let c = counts
                .get(&(hall.id.clone(), id.clone()))
                .copied()
                .unwrap_or_default();
            totals.issued += c.issued;
            totals.served += c.served;
            totals.no_show += c.no_show;
            totals.cancelled += c.cancelled;
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
            });
        }
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
            bookings: b,
        });
    }
    city.ikm = IkmFigures::of(&city_tally);
    Ok(city)
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
td.n{{text-align:right;font-variant-numeric:tabular-nums}}.en{{color:#4b5563;font-size:.85em}}</style></head><body>
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
        r#"<h2>Per mal pelayanan <span class="en" lang="en">Per hall</span></h2><table><thead><tr><th scope="col">Mal</th><th scope="col">Tiket</th><th scope="col">Dilayani</th><th scope="col"></th><th scope="col">IKM</th><th scope="col"></th><th scope="col">Booking dipakai / dibuat</th></tr></thead><tbody>"#,
    );
    for h in &r.halls {
        out.push_str(&format!(
            r#"<tr><th scope="row">{name}</th><td class="n">{issued}</td><td class="n">{served}</td><td>{bar}</td><td class="n">{ikm}</td><td>{ikmbar}</td><td class="n">{used} / {made}</td></tr>"#,
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
            r#"<h2>{}</h2><table><thead><tr><th scope="col">Layanan</th><th scope="col">Tiket</th><th scope="col">Dilayani</th><th scope="col">Tidak hadir</th><th scope="col">Batal</th><th scope="col">IKM</th></tr></thead><tbody>"#,
            esc(&h.hall)
        ));
        for s in h.services.iter().filter(|s| s.issued > 0 || s.served > 0) {
            let ikm = h
                .ikm_by_service
                .iter()
                .find(|x| x.service == s.service)
                .map_or("–".to_owned(), |x| x.ikm.value_display.clone());
            out.push_str(&format!(
                r#"<tr><th scope="row">{}</th><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&s.name),
                s.issued,
                s.served,
                s.no_show,
                s.cancelled,
                esc(&ikm)
            ));
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</body></html>\n");
    out
}
