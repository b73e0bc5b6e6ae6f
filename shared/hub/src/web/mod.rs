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
mod conns;
mod feed;
mod limit;
pub mod live;
mod pages;
pub(crate) mod sse;

use crate::config::WebLimits;
use crate::server::Hub;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use limit::Limits;
use live::Live;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;
use utoipa_axum::{router::OpenApiRouter, routes};

/// A JSON error: `{"error": code, "message": words}`.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

/// Answers `408` when a request is not handled within `limit` (a body that trickles in).
pub(crate) async fn in_time(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "Permintaan terlalu lama dikirim; coba lagi. (The request took too long to arrive.)",
        ),
    }
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
    let limits = hub_web_limits(&web);
    let (api_routes, doc) = api_router().split_for_parts();
    let app = Router::new()
        .route("/", get(pages::index))
        .route("/t/{code}", get(pages::ticket))
        .route("/display", get(pages::display))
        .route("/assets/{name}", get(pages::asset))
        .route("/api/v1/openapi.json", openapi_json(doc))
        .merge(api_routes)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            limit::per_client,
        ))
        // A body sent slowly is cut off like a slow head. (A live stream's answer is ready at
        // once; only its body, ours, lasts.)
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_secs(limits.http_header_timeout_secs),
            in_time,
        ))
        .with_state(web.clone());
    accept(listener, app, &limits, shutdown).await;
    Ok(())
}

/// An empty router whose OpenAPI document has this title and description, version 1.
pub(crate) fn described<S: Clone + Send + Sync + 'static>(
    title: &str,
    description: &str,
) -> OpenApiRouter<S> {
    let info = utoipa::openapi::InfoBuilder::new()
        .title(title)
        .version("1")
        .description(Some(description))
        .build();
    OpenApiRouter::with_openapi(utoipa::openapi::OpenApiBuilder::new().info(info).build())
}

/// Serves `doc` as JSON.
pub(crate) fn openapi_json<S: Clone + Send + Sync + 'static>(
    doc: utoipa::openapi::OpenApi,
) -> axum::routing::MethodRouter<S> {
    let doc = Arc::new(doc);
    get(move || {
        let doc = Arc::clone(&doc);
        async move { Json((*doc).clone()) }
    })
}

/// The public web API: every route with its OpenAPI description, from the handlers
/// themselves (`#[utoipa::path]`), so the document cannot drift from what is served.
fn api_router() -> OpenApiRouter<Web> {
    described(
        "Antre web API",
        "The hall's public pages' API (phones, web displays). Errors are {\"error\", \"message\"}.",
    )
    .routes(routes!(api::ticket))
    .routes(routes!(api::ticket_events))
    .routes(routes!(api::survey))
    .routes(routes!(api::cancel))
    .routes(routes!(api::aspiration))
    .routes(routes!(api::display_events))
}

fn hub_web_limits(web: &Web) -> WebLimits {
    web.hub.config().hall.web.clone()
}

/// The accept loop: every connection gets a time limit for each request's head (and for
/// sitting idle between requests), a place among a bounded number per client address and
/// in all, and `TCP_NODELAY`. Half-sent requests are closed after the limit; a flood from one
/// address is turned away at the door and everyone else is served.
pub(crate) async fn accept(
    listener: TcpListener,
    app: Router,
    limits: &WebLimits,
    shutdown: impl Future<Output = ()>,
) {
    let places = conns::Places::new(
        limits.http_max_connections,
        limits.http_connections_per_client,
    );
    let header_timeout = Duration::from_secs(limits.http_header_timeout_secs);
    // Each connection task holds a clone; when every one is dropped, all have ended.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: breathe, keep serving.
                    tracing::warn!(error = %e, "web: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(place) = places.take(peer.ip()) else {
            conns::turn_away(&tcp);
            continue;
        };
        // Without TCP_NODELAY, Nagle holds the second small frame of a call (an SSE event
        // after another) until the phone's delayed ACK: about 40 ms for every tenth call.
        let _ = tcp.set_nodelay(true);
        // The socket, which a display feed's handler finds in its request (`feed`).
        let tap = feed::Tap::new(tcp);
        let service = {
            let app = app.clone();
            let tap = Arc::clone(&tap);
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.extensions_mut().insert(Arc::clone(&tap));
                let app = app.clone();
                async move { app.oneshot(req.map(axum::body::Body::new)).await }
            })
        };
        let (done, mut stop) = (done_tx.clone(), stop_rx.clone());
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .keep_alive(true)
                .serve_connection(hyper_util::rt::TokioIo::new(feed::FeedIo(tap)), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(%peer, error = %e, "web connection ended");
                    }
                }
                _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                    // Finish the request in flight, then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(header_timeout, conn).await;
                }
            }
            drop(place);
            drop(done);
        });
    }
    let _ = stop_tx.send(true);
    drop(done_tx);
    let _ = done_rx.recv().await;
}
