//! The clock: a function the caller passes in, so rules never read the time themselves.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What time it is. Programs pass [`system_clock`]; tests pass their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// A clock for training and tests that starts at `start` and runs `scale` times faster
/// than real time (`antre-hub serve --time-scale`), so a whole day plays in minutes.
pub fn scaled_clock(start: DateTime<Utc>, scale: f64) -> Clock {
    let began = std::time::Instant::now();
    Arc::new(move || {
        let real = began.elapsed().as_secs_f64();
        start + chrono::Duration::microseconds((real * scale * 1e6) as i64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_faster_from_its_start() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T08:00:00+07:00")
            .unwrap()
            .with_timezone(&Utc);
        let clock = scaled_clock(start, 600.0);
        let first = clock();
        assert!(first >= start);
        let began = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let real = began.elapsed().as_secs_f64();
        let hall = (clock() - first).num_milliseconds() as f64 / 1000.0;
        // 50 ms real is 30 s in the hall; the gap between the two reads adds a little.
        assert!(
            hall >= 600.0 * real - 1.0,
            "{hall} s in the hall for {real} s real"
        );
        assert!(hall < 600.0 * (real + 0.05), "{hall}");
    }
}
