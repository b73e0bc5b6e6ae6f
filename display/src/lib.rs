//! The wall display and its Indonesian voice.
//!
//! - [`model`]: what the wall shows, from the hall view (pure).
//! - [`voice`]: the chime and the call in Indonesian, queued, never overlapping.
//! - [`app`]: the Slint window and its wiring.

pub mod app;
pub mod model;
pub mod voice;
