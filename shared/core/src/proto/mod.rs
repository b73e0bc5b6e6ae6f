//! The hall protocol, version 1: the messages the hub and every device exchange, one JSON
//! object per line. `docs/PROTOCOL.md` documents them; both sides use these types.
//!
//! - [`request`]: what clients send (`hello` and the requests), and how a line is read.
//! - [`message`]: what the hub sends (`welcome`, `ok`, `error`, `event`) and the objects in
//!   them (tickets, counter states, the hall).
//! - [`sync`]: between a hub and the city's service (CENTRAL.md), over HTTP.

pub mod message;
pub mod request;
pub mod sync;

pub use message::*;
pub use request::*;

/// The protocol version this hub speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest line the hub accepts, in bytes, not counting its `\n`.
pub const MAX_LINE: usize = 65_536;
