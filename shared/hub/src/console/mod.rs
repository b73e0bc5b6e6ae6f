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
use axum::routing::{delete, get, post, put};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

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
    let v1 = "/console/api/v1";
    let app = Router::new()
        .route("/console", get(page::console))
        .route("/console/", get(page::console))
        .route("/console/assets/{name}", get(page::asset))
        .route(&format!("{v1}/login"), post(api::login))
        .route(&format!("{v1}/logout"), post(api::logout))
        .route(&format!("{v1}/hall"), get(api::hall))
        .route(&format!("{v1}/events"), get(api::events))
        .route(&format!("{v1}/counters/{{id}}/{{action}}"), post(api::act))
        .route(&format!("{v1}/tickets/{{code}}/cancel"), post(api::cancel))
        .route(
            &format!("{v1}/services"),
            get(api::services).post(api::create_service),
        )
        .route(
            &format!("{v1}/services/{{id}}"),
            put(api::put_service).delete(api::delete_service),
        )
        .route(&format!("{v1}/running_text"), put(api::running_text))
        .route(
            &format!("{v1}/agencies"),
            get(api::agencies).post(api::create_agency),
        )
        .route(
            &format!("{v1}/agencies/{{id}}"),
            put(api::put_agency).delete(api::delete_agency),
        )
        .route(
            &format!("{v1}/counters"),
            get(api::counters).post(api::create_counter),
        )
        .route(
            &format!("{v1}/counters/{{id}}"),
            put(api::put_counter).delete(api::delete_counter),
        )
        .route(
            &format!("{v1}/holidays"),
            get(api::holidays).put(api::put_holidays),
        )
        .route(
            &format!("{v1}/devices"),
            get(api::devices).post(api::add_device),
        )
        .route(&format!("{v1}/devices/{{id}}"), delete(api::revoke))
        .route(&format!("{v1}/users"), get(api::users).post(api::add_user))
        .route(&format!("{v1}/users/{{name}}"), delete(api::remove_user))
        .route(&format!("{v1}/audit"), get(api::audit_trail))
        .route(&format!("{v1}/report"), get(api::report))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_secs(limits.http_header_timeout_secs),
            crate::web::in_time,
        ))
        .with_state(console);
    crate::web::accept(listener, app, &limits, shutdown).await;
    Ok(())
}
