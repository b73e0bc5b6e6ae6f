//! The hub of one hall: it owns the database and serves every device and phone.
//!
//! - [`config`]: the hall's `hall.toml`, validated with line numbers.
//! - [`central`]: the link to the city's service: the event log pushed, bookings pulled.
//! - [`doctor`]: `antre-hub doctor`, an installed hall checked in words.
//! - [`hall`]: the hall service: a request checked by the core's rules, in one transaction.
//! - [`store`]: the SQLite store: typed reads and writes (`Dao`), transactions, the schema.
//! - [`server`]: the hall protocol over TCP: handshake, roles, the writer, broadcast.
//! - [`web`]: the hall's web pages (live ticket page, phone survey, web display) over HTTP.
//! - [`report`]: the day's or a period's report (queue, IKM, aspirations) as JSON, CSV, HTML.
//! - [`simulate`]: a busy day, simulated through the real store (reports, training).
//! - [`testing`]: a real hub on loopback with a test clock, for the hub's and the apps' tests.
//!
//! The rules themselves live in `antre-core`; the devices' side of the protocol in
//! `antre-client`.

pub mod central;
pub mod config;
pub mod console;
pub mod doctor;
pub mod hall;
pub mod report;
pub mod server;
pub mod simulate;
pub mod store;
pub mod testing;
pub mod web;
