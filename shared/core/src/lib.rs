//! Antre's queue core: every rule of the hall, and the wire both sides speak.
//!
//! - [`domain`]: the queue's rules, pure (no I/O; time is a parameter): calling order,
//!   numbering, service days, hours and quotas, the one waiting-time estimate, counter
//!   actions, IKM arithmetic, Indonesian number words.
//! - [`proto`]: the hall protocol's messages, as the hub and the devices read and write them.
//! - [`qr`]: QR codes as SVG for the pages.
//! - [`clock`]: the one way a program asks what time it is (tests pass their own).
//!
//! Nothing here opens a file, a socket or a database: the hub, the client and the apps call
//! these functions, so the kiosk, the printed ticket, the phone page and the report agree.

pub mod clock;
pub mod domain;
pub mod proto;
pub mod qr;
