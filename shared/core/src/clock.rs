//! The clock: a function the caller passes in, so rules never read the time themselves.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What time it is. Programs pass [`system_clock`]; tests pass their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}
