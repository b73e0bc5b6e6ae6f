//! The citizens' side (CENTRAL.md, "Citizens book online"): which halls and services can be
//! booked on which days, the free seats of each session, booking and cancelling.
//!
//! A session's seats are one row counted up in the booking's own statement, so concurrent
//! bookings from any number of processes never take more seats than there are; one booking
//! per phone, service and date is a unique index.

use crate::config::{Bookable, Hall};
use crate::{ApiError, App};
use antre_core::domain::booking::{self as rules, Session};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct HallInfo {
    pub id: String,
    pub name: String,
    pub services: Vec<ServiceInfo>,
    /// The days that can be booked, today first.
    pub dates: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub service: String,
    pub name: String,
    pub sessions: Vec<String>,
    pub per_session: u32,
}

/// The hall's local time now.
fn local_now(app: &App, hall: &Hall) -> NaiveDateTime {
    (app.clock)().with_timezone(&hall.timezone).naive_local()
}

/// The days of `hall` that can be booked at local time `now`: today and the next days up
/// to the limit, the hall open on them.
pub fn bookable_days(hall: &Hall, now: NaiveDateTime, days_ahead: i64) -> Vec<NaiveDate> {
    (0..=days_ahead)
        .map(|d| now.date() + chrono::Duration::days(d))
        .filter(|d| hall.open_on(*d))
        .collect()
}

/// `GET /api/v1/halls`.
pub async fn halls(State(app): State<App>) -> Json<Vec<HallInfo>> {
    Json(
        app.cfg
            .halls
            .iter()
            .filter(|h| !h.booking.is_empty())
            .map(|h| HallInfo {
                id: h.id.clone(),
                name: h.name.clone(),
                services: h
                    .booking
                    .iter()
                    .map(|b| ServiceInfo {
                        service: b.service.clone(),
                        name: b.name.clone(),
                        sessions: b.sessions.iter().map(Session::to_string).collect(),
                        per_session: b.per_session,
                    })
                    .collect(),
                dates: bookable_days(h, local_now(&app, h), app.cfg.book_days_ahead)
                    .iter()
                    .map(NaiveDate::to_string)
                    .collect(),
            })
            .collect(),
    )
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
}

/// The hall, service and day a request names, checked: the day must be bookable now.
fn resolve<'a>(
    app: &'a App,
    hall: &str,
    service: &str,
    date: &str,
) -> Result<(&'a Hall, &'a Bookable, NaiveDate), ApiError> {
    let h = app.cfg.hall(hall).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_hall",
            format!("there is no hall {hall}"),
        )
    })?;
    let b = h.bookable(service).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            format!("{} takes no bookings for {service}", h.name),
        )
    })?;
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad("date: YYYY-MM-DD"))?;
    if !bookable_days(h, local_now(app, h), app.cfg.book_days_ahead).contains(&day) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "date_not_bookable",
            format!(
                "{day} cannot be booked: the hall is closed then, or it is past or more than {} days ahead",
                app.cfg.book_days_ahead
            ),
        ));
    }
    Ok((h, b, day))
}

#[derive(Debug, Deserialize)]
pub struct SeatsQuery {
    pub hall: String,
    pub service: String,
    pub date: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionSeats {
    pub session: String,
    pub free: u32,
    pub per_session: u32,
    /// Whether it can still be booked (false once it has ended).
    pub open: bool,
}

/// `GET /api/v1/seats?hall&service&date`: each session's free seats.
pub async fn seats(
    State(app): State<App>,
    Query(q): Query<SeatsQuery>,
) -> Result<Json<Vec<SessionSeats>>, ApiError> {
    let (hall, bookable, day) = resolve(&app, &q.hall, &q.service, &q.date)?;
    let client = app.pool.get().await?;
    let rows = client
        .query(
            "SELECT session, booked FROM session_seats
             WHERE hall = $1 AND service = $2 AND day = $3",
            &[&hall.id, &bookable.service, &day],
        )
        .await?;
    let now = local_now(&app, hall);
    Ok(Json(
        bookable
            .sessions
            .iter()
            .map(|s| {
                let name = s.to_string();
                let booked = rows
                    .iter()
                    .find(|r| r.get::<_, &str>(0) == name)
                    .map_or(0, |r| r.get::<_, i32>(1));
                SessionSeats {
                    free: bookable
                        .per_session
                        .saturating_sub(u32::try_from(booked).unwrap_or(0)),
                    per_session: bookable.per_session,
                    open: s.holds(day, now),
                    session: name,
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct NewBooking {
    pub hall: String,
    pub service: String,
    pub date: String,
    pub session: String,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Booked {
    pub code: String,
    pub hall: String,
    pub service: String,
    pub date: String,
    pub session: String,
}

/// The longest name kept.
pub const MAX_NAME_CHARS: usize = 80;

/// `POST /api/v1/bookings` → 201 with the code.
pub async fn book(
    State(app): State<App>,
    Json(req): Json<NewBooking>,
) -> Result<impl IntoResponse, ApiError> {
    let (hall, bookable, day) = resolve(&app, &req.hall, &req.service, &req.date)?;
    let session = Session::parse(&req.session)
        .ok()
        .filter(|s| bookable.sessions.contains(s))
        .ok_or_else(|| {
            bad(format!(
                "session: one of {}",
                bookable
                    .sessions
                    .iter()
                    .map(Session::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    if !session.holds(day, local_now(&app, hall)) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "session_over",
            format!("the session {session} of {day} has ended"),
        ));
    }
    let name = antre_core::domain::text::one_line(&req.name);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(bad(format!("name: 1 to {MAX_NAME_CHARS} characters")));
    }
    let phone = rules::normalize_phone(&req.phone)
        .ok_or_else(|| bad("phone: a mobile number such as 0812 3456 7890"))?;
    let session_text = session.to_string();
    let client = app.pool.get().await?;
    // One statement, so one round trip and its own transaction: the seat is counted up
    // only while the session has one free, and the booking stored with it, or neither.
    let stmt = client
        .prepare_cached(
            "WITH seat AS (
                 INSERT INTO session_seats (hall, service, day, session, booked)
                 VALUES ($2, $3, $4, $5, 1)
                 ON CONFLICT (hall, service, day, session)
                 DO UPDATE SET booked = session_seats.booked + 1
                 WHERE session_seats.booked < $8
                 RETURNING 1
             )
             INSERT INTO bookings (code, hall, service, day, session, name, phone)
             SELECT $1, $2, $3, $4, $5, $6, $7 FROM seat",
        )
        .await?;
    for _ in 0..4 {
        let code = rules::make_code(rand::random());
        let inserted = client
            .execute(
                &stmt,
                &[
                    &code,
                    &hall.id,
                    &bookable.service,
                    &day,
                    &session_text,
                    &name,
                    &phone,
                    &(bookable.per_session as i32),
                ],
            )
            .await;
        match inserted {
            Ok(0) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "session_full",
                    format!("the session {session_text} of {day} is full: choose another"),
                ));
            }
            Ok(_) => {
                tracing::info!(hall = %hall.id, service = %bookable.service, %day, session = %session_text, "booked");
                return Ok((
                    StatusCode::CREATED,
                    Json(Booked {
                        code,
                        hall: hall.id.clone(),
                        service: bookable.service.clone(),
                        date: day.to_string(),
                        session: session_text,
                    }),
                ));
            }
            Err(e) if is_unique(&e, "one_booking_per_phone") => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "already_booked",
                    format!(
                        "this phone already has a booking for {} on {day}",
                        bookable.name
                    ),
                ));
            }
            // Two codes alike (1 in billions): nothing was stored; draw another.
            Err(e) if is_unique(&e, "bookings_pkey") => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "no free code was found; try again",
    ))
}

fn is_unique(e: &tokio_postgres::Error, constraint: &str) -> bool {
    e.as_db_error().is_some_and(|d| {
        d.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION
            && d.constraint() == Some(constraint)
    })
}

#[derive(Debug, Deserialize)]
pub struct Cancel {
    pub phone: String,
}

/// `DELETE /api/v1/bookings/{code}` with `{"phone"}`: the booking's seat is freed. A code
/// with another phone is answered as an unknown code, so codes cannot be probed.
pub async fn cancel(
    State(app): State<App>,
    Path(code): Path<String>,
    Json(req): Json<Cancel>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_booking",
            "no booking has this code and phone number",
        )
    };
    let code = rules::parse_code(&code).ok_or_else(unknown)?;
    let phone = rules::normalize_phone(&req.phone).ok_or_else(unknown)?;
    let mut client = app.pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT hall, service, day, session, cancelled_at IS NOT NULL FROM bookings
             WHERE code = $1 AND phone = $2 FOR UPDATE",
            &[&code, &phone],
        )
        .await?
        .ok_or_else(unknown)?;
    let (hall, service, day, session): (String, String, NaiveDate, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if !row.get::<_, bool>(4) {
        let ended = match (app.cfg.hall(&hall), Session::parse(&session)) {
            (Some(h), Ok(s)) => !s.holds(day, local_now(&app, h)),
            _ => false,
        };
        if ended {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "booking_expired",
                "its session has ended: there is nothing to cancel",
            ));
        }
        tx.execute(
            "UPDATE bookings SET cancelled_at = now() WHERE code = $1",
            &[&code],
        )
        .await?;
        tx.execute(
            "UPDATE session_seats SET booked = booked - 1
             WHERE hall = $1 AND service = $2 AND day = $3 AND session = $4",
            &[&hall, &service, &day, &session],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Json(
        serde_json::json!({"code": code, "status": "cancelled"}),
    ))
}

/// `GET /api/v1/bookings/{code}/qr.svg`: the QR code the kiosk scans, `ANTRE-BOOKING:<code>`.
pub async fn qr(Path(code): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let code = rules::parse_code(code.trim_end_matches(".svg"))
        .ok_or_else(|| bad("not a booking code"))?;
    let svg = antre_core::qr::svg(
        &format!("{}{code}", rules::QR_PREFIX),
        &format!("QR {code}"),
    );
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg))
}
