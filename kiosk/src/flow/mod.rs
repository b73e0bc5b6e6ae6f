//! The kiosk's flows, each with its own state and pure step functions, tested without a
//! window or an event loop. `app.rs` wires them to the screens, the hub and the printer.
//!
//! - [`ticket`]: an agency, a service, more services for one visit, the priority question.
//! - [`survey`]: a ticket code typed or scanned, nine answers, sent once.
//! - [`aspiration`]: a kind and a text typed on the kiosk's keyboard, sent once.
//! - [`booking`]: "Saya sudah booking": a booking's code typed or scanned, then checked in.
//! - [`printer_watch`]: when to ask the printer, and when to tell the hub what it said.

pub mod aspiration;
pub mod booking;
pub mod printer_watch;
pub mod survey;
pub mod ticket;
