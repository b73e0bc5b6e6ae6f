//! `antre-central`: the city's service (CENTRAL.md). Stateless processes on one PostgreSQL
//! database: every hub pushes its event log here, citizens book here, hubs pull the day's
//! bookings from here. Nothing is kept in a process between requests, so any number of
//! them can serve behind one address.
//!
//! - [`config`], `central.toml`.
//! - [`db`], the pool and the schema's migrations.
//! - [`sync`], the hubs' side: `POST /sync/v1/events`, `GET /sync/v1/bookings`.
//! - [`booking`], the citizens' side: halls, free seats, booking and cancelling.
//! - [`page`], the booking page.
//! - [`report`], the city's report: every hall's figures from its event log.
//! - [`testing`], a test database and the service on loopback, for tests.

pub mod booking;
pub mod config;
pub mod db;
pub mod page;
pub mod report;
pub mod sync;
pub mod testing;

use antre_core::clock::Clock;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

/// What every request handler shares: the config, the pool and the clock.
#[derive(Clone)]
pub struct App {
    pub cfg: Arc<config::Config>,
    pub pool: deadpool_postgres::Pool,
    pub clock: Clock,
}

/// The service's routes.
pub fn router(app: App) -> axum::Router {
    use axum::routing::{delete, get, post};
    axum::Router::new()
        .route("/", get(page::booking_page))
        .route("/api/v1/halls", get(booking::halls))
        .route("/api/v1/seats", get(booking::seats))
        .route("/api/v1/bookings", post(booking::book))
        .route("/api/v1/bookings/{code}", delete(booking::cancel))
        .route("/api/v1/bookings/{code}/qr.svg", get(booking::qr))
        .route("/api/v1/report", get(report::report))
        .route("/sync/v1/events", post(sync::push_events))
        .route("/sync/v1/bookings", get(sync::day_bookings))
        .route("/healthz", get(healthz))
        .layer(axum::extract::DefaultBodyLimit::max(sync::MAX_BODY_BYTES))
        .with_state(app)
}

/// `ok` when PostgreSQL answers.
async fn healthz(
    axum::extract::State(app): axum::extract::State<App>,
) -> Result<&'static str, ApiError> {
    app.pool.get().await?.execute("SELECT 1", &[]).await?;
    Ok("ok")
}

/// Serves `app` on `listener` until `shutdown` completes.
///
/// # Errors
/// Serving fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An error reply: `{"error": code, "message": words}` with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"error": self.code, "message": self.message})),
        )
            .into_response()
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> ApiError {
        tracing::error!(error = %e, "PostgreSQL failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database failed; nothing was changed, try again",
        )
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> ApiError {
        tracing::error!(error = %e, "no database connection");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database cannot be reached; nothing was changed, try again",
        )
    }
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
