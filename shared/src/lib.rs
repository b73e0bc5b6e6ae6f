//! Antre's queue core, shared by the hub and every app.
//!
//! - [`domain`]: the queue's rules, pure (no I/O, no clock).
//! - [`config`]: the hall's `hall.toml`, validated with line numbers.
//! - [`proto`]: the hall protocol's messages, as both sides read and write them.
//! - [`store`]: the SQLite store: one transaction per request, events with consecutive `seq`.
//! - [`report`]: the day's or a period's report (queue, IKM, aspirations) as JSON, CSV, HTML.
//! - [`server`]: the hub: TCP, handshake, roles, broadcast.
//! - [`client`]: the devices' side: connect, resume, retry, a local view of the hall.
//! - [`lines`]: reading newline-delimited lines of bounded length, cancel-safe.
//! - [`simulate`]: a busy day, simulated through the real store (reports, training).
//! - [`settings`]: how an app is told its hub, device and token.
//! - [`web`]: the hall's web pages (live ticket page, phone survey, web display) over HTTP.
//! - [`testing`]: a real hub on loopback with a test clock, for the hub's and the apps' tests.

pub mod client;
pub mod config;
pub mod domain;
pub mod lines;
pub mod proto;
pub mod report;
pub mod server;
pub mod settings;
pub mod simulate;
pub mod store;
pub mod testing;
pub mod web;

/// Logs to stderr, filtered by `ANTRE_LOG` (default `info`), coloured only on a terminal.
/// Every Antre program calls this first.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANTRE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
