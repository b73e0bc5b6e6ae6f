//! The hubs' side (CENTRAL.md, "Hub → central"): each hub pushes its event log in order and
//! pulls the day's bookings, with its own token.
//!
//! A push stores each event once, keyed by (hall, epoch, seq): the log's row is locked for
//! the push (so two processes receiving the same hub's retries never interleave), events
//! already stored are skipped, and only the run that continues the log without a gap is
//! stored. The answer, `stored_to`, is where the hub goes on from.

use crate::{bearer, ApiError, App};
use antre_core::proto::sync::{DayBookings, HallBooking, Stored};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

/// The largest request body (a push of a few thousand events).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The most events one push may carry.
pub const MAX_EVENTS_PER_PUSH: usize = 5_000;

#[derive(Debug, Deserialize)]
pub struct Push {
    pub hall: String,
    pub epoch: String,
    #[serde(default)]
    pub events: Vec<Value>,
    /// Addition: the hall's names as its hub has them now (for the city's report).
    #[serde(default)]
    pub catalogue: Option<antre_core::proto::sync::Catalogue>,
}

/// The hall a hub's token belongs to, checked against the hall it names.
fn hall_of<'a>(
    app: &'a App,
    headers: &HeaderMap,
    named: &str,
) -> Result<&'a crate::config::Hall, ApiError> {
    let hall = bearer(headers)
        .and_then(|t| app.cfg.hall_by_token(t))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "no hall has this token",
            )
        })?;
    if hall.id != named {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token is hall {}'s, not {named}'s", hall.id),
        ));
    }
    Ok(hall)
}

/// One event as stored: its seq, kind and time, and its body without what never leaves a
/// hall (a ticket's key, should a hub ever send one).
struct Row {
    seq: i64,
    kind: String,
    at: String,
    body: String,
}

fn row_of(mut event: Value) -> Result<Row, String> {
    let obj = event.as_object_mut().ok_or("an event is not an object")?;
    obj.remove("type");
    if let Some(t) = obj.get_mut("ticket").and_then(Value::as_object_mut) {
        t.remove("key");
    }
    let seq = obj
        .get("seq")
        .and_then(Value::as_i64)
        .filter(|s| *s > 0)
        .ok_or("an event has no seq")?;
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("event {seq} has no kind"))?
        .to_owned();
    let at = obj
        .get("at")
        .and_then(Value::as_str)
        .filter(|a| chrono::DateTime::parse_from_rfc3339(a).is_ok())
        .ok_or_else(|| format!("event {seq} has no time (at, RFC 3339)"))?
        .to_owned();
    Ok(Row {
        seq,
        kind,
        at,
        body: event.to_string(),
    })
}

/// `POST /sync/v1/events`.
pub async fn push_events(
    State(app): State<App>,
    headers: HeaderMap,
    Json(push): Json<Push>,
) -> Result<Json<Stored>, ApiError> {
    hall_of(&app, &headers, &push.hall)?;
    if push.epoch.is_empty() || push.epoch.len() > 64 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "epoch: 1 to 64 characters",
        ));
    }
    if push.events.len() > MAX_EVENTS_PER_PUSH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_events",
            format!("at most {MAX_EVENTS_PER_PUSH} events per push"),
        ));
    }
    let mut rows = push
        .events
        .into_iter()
        .map(row_of)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", e))?;
    rows.sort_by_key(|r| r.seq);

    let mut client = app.pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO hall_logs (hall, epoch) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&push.hall, &push.epoch],
    )
    .await?;
    let stored_to: i64 = tx
        .query_one(
            "SELECT stored_to FROM hall_logs WHERE hall = $1 AND epoch = $2 FOR UPDATE",
            &[&push.hall, &push.epoch],
        )
        .await?
        .get(0);
    if let Some(names) = &push.catalogue {
        let body = serde_json::to_value(names).expect("names serialize");
        tx.execute(
            "INSERT INTO hall_catalogues (hall, body) VALUES ($1, $2)
             ON CONFLICT (hall) DO UPDATE SET body = $2, pushed_at = now()
             WHERE hall_catalogues.body IS DISTINCT FROM $2",
            &[&push.hall, &body],
        )
        .await?;
    }
    // The run that continues the log: seq stored_to + 1, + 2, … without a gap.
    let mut run: Vec<&Row> = vec![];
    for r in rows.iter().filter(|r| r.seq > stored_to) {
        if r.seq != stored_to + 1 + run.len() as i64 {
            break;
        }
        run.push(r);
    }
    if run.is_empty() {
        tx.commit().await?;
        return Ok(Json(Stored { stored_to }));
    }
    let seqs: Vec<i64> = run.iter().map(|r| r.seq).collect();
    let kinds: Vec<&str> = run.iter().map(|r| r.kind.as_str()).collect();
    let ats: Vec<&str> = run.iter().map(|r| r.at.as_str()).collect();
    let bodies: Vec<&str> = run.iter().map(|r| r.body.as_str()).collect();
    tx.execute(
        "INSERT INTO events (hall, epoch, seq, kind, at, body)
         SELECT $1, $2, s, k, a::timestamptz, b::jsonb
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(s, k, a, b)
         ON CONFLICT DO NOTHING",
        &[&push.hall, &push.epoch, &seqs, &kinds, &ats, &bodies],
    )
    .await?;
    let stored_to = *seqs.last().expect("the run is not empty");
    tx.execute(
        "UPDATE hall_logs SET stored_to = $3, pushed_at = now() WHERE hall = $1 AND epoch = $2",
        &[&push.hall, &push.epoch, &stored_to],
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Stored { stored_to }))
}

#[derive(Debug, Deserialize)]
pub struct DayQuery {
    pub hall: String,
    pub date: String,
}

/// `GET /sync/v1/bookings?hall=ID&date=YYYY-MM-DD`: the day's bookings, cancelled ones
/// included so a hub drops what it pulled before.
pub async fn day_bookings(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<DayQuery>,
) -> Result<Json<DayBookings>, ApiError> {
    hall_of(&app, &headers, &q.hall)?;
    let day = chrono::NaiveDate::parse_from_str(&q.date, "%Y-%m-%d").map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "date: YYYY-MM-DD",
        )
    })?;
    let client = app.pool.get().await?;
    let rows = client
        .query(
            "SELECT code, service, session, name, phone, cancelled_at IS NOT NULL
             FROM bookings WHERE hall = $1 AND day = $2 ORDER BY made_at, code",
            &[&q.hall, &day],
        )
        .await?;
    let bookings = rows
        .iter()
        .map(|r| HallBooking {
            code: r.get(0),
            service: r.get(1),
            date: q.date.clone(),
            session: r.get(2),
            name: r.get(3),
            phone: antre_core::domain::booking::mask_phone(r.get(4)),
            status: if r.get::<_, bool>(5) {
                "cancelled"
            } else {
                "booked"
            }
            .to_owned(),
        })
        .collect();
    Ok(Json(DayBookings {
        hall: q.hall,
        date: q.date,
        bookings,
    }))
}
