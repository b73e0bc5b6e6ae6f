//! The counter terminal: what the officer works with all day.
//!
//! - [`model`]: what the screen shows and which actions make sense, from the hall view (pure).
//! - [`app`]: the Slint window, its callbacks, and the pump that brings the hub's updates and
//!   replies onto the UI thread.

pub mod app;
pub mod model;
