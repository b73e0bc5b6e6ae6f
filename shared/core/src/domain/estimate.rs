//! The estimated wait a visitor is told: tickets ahead × recent median service time ÷ the
//! open counters serving it.

/// The median of `samples` (seconds), or `None` when there are none. Even counts take the
/// mean of the two middle values.
pub fn median(samples: &[u32]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_unstable();
    let mid = s.len() / 2;
    Some(if s.len() % 2 == 0 {
        (f64::from(s[mid - 1]) + f64::from(s[mid])) / 2.0
    } else {
        f64::from(s[mid])
    })
}

/// Estimated minutes until a ticket with `ahead` tickets before it is called, rounded up.
/// `counters` is the number of open counters serving it; with none open (before opening
/// time) the caller passes the counters that will serve it. Never divides by zero.
pub fn wait_minutes(ahead: u32, median_service_secs: f64, counters: u32) -> u32 {
    let counters = f64::from(counters.max(1));
    let secs = f64::from(ahead) * median_service_secs.max(0.0) / counters;
    (secs / 60.0).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[300]), Some(300.0));
        assert_eq!(median(&[600, 60, 300]), Some(300.0));
        assert_eq!(median(&[60, 600, 300, 120]), Some(210.0));
    }

    #[test]
    fn wait_is_ahead_times_median_over_counters() {
        // 6 ahead, 5 minutes each, 2 counters: 15 minutes.
        assert_eq!(wait_minutes(6, 300.0, 2), 15);
        // 1 ahead, 90 s, 1 counter: 1.5 min rounds up to 2.
        assert_eq!(wait_minutes(1, 90.0, 1), 2);
        assert_eq!(wait_minutes(0, 300.0, 3), 0);
        // No counter open: treated as one.
        assert_eq!(wait_minutes(2, 60.0, 0), 2);
    }
}
