//! The hall's web pages, served by the hub beside the protocol port (`[hall] http_listen`):
//!
//! - `GET /t/{code}`: a visitor's live ticket page (phones on the hall's Wi-Fi), with the IKM
//!   survey and the aspiration form once the ticket is served;
//! - `GET /api/v1/tickets/{code}` and `…/events` (SSE): the ticket, live;
//! - `POST /api/v1/tickets/{code}/survey`, `POST /api/v1/aspirations`;
//! - `GET /display` and `GET /api/v1/display/events` (SSE, a display device's token): the wall
//!   display in a browser, for smart TVs.
//!
//! Plain server-rendered HTML with a little JavaScript, embedded in the binary. Abuse limits:
//! requests per client address per minute, live streams per address and in all.

mod api;
mod limit;
pub mod live;
mod pages;

use crate::server::Hub;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use limit::Limits;
use live::Live;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A JSON error: `{"error": code, "message": words}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

/// What every handler shares.
#[derive(Clone)]
struct Web {
    hub: Arc<Hub>,
    live: Live,
    limits: Arc<Limits>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// Serves the web pages on `listener` until `shutdown` completes.
///
/// # Errors
/// The hall's state cannot be read at start.
pub async fn serve(
    listener: TcpListener,
    hub: Arc<Hub>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let live = Live::follow(Arc::clone(&hub)).await?;
    let hall = &hub.config().hall;
    let limits = Arc::new(Limits::new(
        hall.web.http_requests_per_minute,
        hall.web.http_max_streams,
        hall.web.http_streams_per_client,
    ));
    // Live streams never end by themselves: they end when this turns true.
    let (stop_tx, stopping) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let web = Web {
        hub,
        live,
        limits,
        stopping,
    };
    let app = Router::new()
        .route("/", get(pages::index))
        .route("/t/{code}", get(pages::ticket))
        .route("/display", get(pages::display))
        .route("/assets/{name}", get(pages::asset))
        .route("/api/v1/tickets/{code}", get(api::ticket))
        .route("/api/v1/tickets/{code}/events", get(api::ticket_events))
        .route("/api/v1/tickets/{code}/survey", post(api::survey))
        .route("/api/v1/aspirations", post(api::aspiration))
        .route("/api/v1/display/events", get(api::display_events))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            limit::per_client,
        ))
        .with_state(web);
    // Without TCP_NODELAY, Nagle holds the second small frame of a call (an SSE event after
    // another) until the phone's delayed ACK: about 40 ms for every tenth call.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a web connection");
        }
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
