//! The screens of Antre, compiled from `ui/*.slint`. The `.slint` files only show state and
//! raise callbacks; each window has one `global` adapter that is its boundary with Rust.

/// The code Slint generates; lints are for our code, not for it.
#[allow(clippy::all, clippy::pedantic, clippy::todo)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

pub mod inbox;
