//! The hall's console (`../CONSOLE.md` is its contract): the people who run the hall work
//! in a browser on its own listener (`[hall] console_listen`, default 127.0.0.1:8081), never
//! on the visitors' one.
//!
//! - [`auth`]: users' passwords (argon2id), sessions, CSRF tokens, lock-out.
//! - `api`: the JSON API under `/console/api/v1/`, and its live stream.
//! - [`users`]: adding, changing and removing users (the command line and the API).
//! - `page`: the console page itself (`/console`), plain HTML with a little JavaScript.
//!
//! Every change goes through the hub's writer: the queue's requests as an admin device named
//! after the console user, the catalogue through [`crate::hall::Hall::change_catalogue`].

mod api;
pub mod auth;
mod page;
pub mod users;

use crate::server::Hub;
use crate::web::live::Live;
use axum::routing::get;
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The console's address when `[hall] console_listen` is not given: this machine only.
pub const DEFAULT_LISTEN: std::net::SocketAddr = std::net::SocketAddr::V4(
    std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 8081),
);

/// What every handler shares.
#[derive(Clone)]
struct Console {
    hub: Arc<Hub>,
    live: Live,
    sessions: Arc<auth::Sessions>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// Serves the console on `listener` until `shutdown` completes.
///
/// # Errors
/// The hall's state cannot be read at start.
pub async fn serve(
    listener: TcpListener,
    hub: Arc<Hub>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let live = Live::follow(Arc::clone(&hub)).await?;
    let (stop_tx, stopping) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    let limits = hub.config().hall.web.clone();
    let console = Console {
        hub,
        live,
        sessions: Arc::default(),
        stopping,
    };
    let (api, doc) = api_router().split_for_parts();
    let app = Router::new()
        .route("/console", get(page::console))
        .route("/console/", get(page::console))
        .route("/console/assets/{name}", get(page::asset))
        .route(
            "/console/api/v1/openapi.json",
            crate::web::openapi_json(doc),
        )
        .merge(api)
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_secs(limits.http_header_timeout_secs),
            crate::web::in_time,
        ))
        .with_state(console);
    crate::web::accept(listener, app, &limits, shutdown).await;
    Ok(())
}

/// The console's API: every route with its OpenAPI description, from the handlers
/// themselves (`#[utoipa::path]`), so the document cannot drift from what is served.
fn api_router() -> OpenApiRouter<Console> {
    crate::web::described(
        "Antre console API",
        "The hall's console (CONSOLE.md): JSON; errors are {\"error\", \"message\"}. Changes need the X-CSRF-Token header of the session.",
    )
    .routes(routes!(api::login))
        .routes(routes!(api::logout))
        .routes(routes!(api::hall))
        .routes(routes!(api::events))
        .routes(routes!(api::act))
        .routes(routes!(api::cancel))
        .routes(routes!(api::services, api::create_service))
        .routes(routes!(api::put_service, api::delete_service))
        .routes(routes!(api::running_text))
        .routes(routes!(api::agencies, api::create_agency))
        .routes(routes!(api::put_agency, api::delete_agency))
        .routes(routes!(api::counters, api::create_counter))
        .routes(routes!(api::put_counter, api::delete_counter))
        .routes(routes!(api::holidays, api::put_holidays))
        .routes(routes!(api::devices, api::add_device))
        .routes(routes!(api::revoke))
        .routes(routes!(api::users, api::add_user))
        .routes(routes!(api::remove_user))
        .routes(routes!(api::audit_trail))
        .routes(routes!(api::report))
}
