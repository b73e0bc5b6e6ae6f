//! The estimated wait a visitor is told: tickets ahead × recent median service time ÷ the
//! open counters serving it.
//!
//! This is the one place the figure is computed. The hub fills it into the tickets it issues
//! and into the per-service [`Figures`](crate::proto::Figures) it sends every device; the
//! kiosk's tiles, the printed ticket, the phone page and the console show those figures and
//! the words of [`describe`], never a figure of their own.

/// How many of a service's most recently finished tickets make its median service time.
pub const MEDIAN_SAMPLE: usize = 20;

/// The service time assumed when a service has finished no ticket today and publishes no
/// standard time.
pub const DEFAULT_SERVICE_SECS: u32 = 300;

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

/// The time one visitor of a service takes, in seconds: the median of its most recent
/// finished tickets (`recent`, newest first, at most [`MEDIAN_SAMPLE`] are used), else its
/// published standard time, else [`DEFAULT_SERVICE_SECS`]. A median of an even count may
/// end in a half second (sent as such, so every device computes with the hub's figure).
pub fn service_secs(recent: &[u32], standard_minutes: Option<u32>) -> f64 {
    let recent = &recent[..recent.len().min(MEDIAN_SAMPLE)];
    median(recent)
        .unwrap_or_else(|| f64::from(standard_minutes.map_or(DEFAULT_SERVICE_SECS, |m| m * 60)))
}

/// Estimated minutes until a ticket with `ahead` tickets before it is called, rounded up.
/// `counters` is the number of counters sharing the queue; zero is taken as one, so this
/// never divides by zero (see [`Estimate`] for what to say when no counter is open).
pub fn wait_minutes(ahead: u32, service_secs: f64, counters: u32) -> u32 {
    let counters = f64::from(counters.max(1));
    let secs = f64::from(ahead) * service_secs.max(0.0) / counters;
    (secs / 60.0).ceil() as u32
}

/// What a waiting visitor is told about their wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// Waiting tickets that will be called before this one.
    pub ahead: u32,
    /// Open counters serving its service now. With none, nobody can say how long it takes.
    pub counters_open: u32,
    /// Minutes: with the open counters, or, while none is open, with every counter that will
    /// serve it (the figure the protocol's `estimated_wait_min` has always carried).
    pub minutes: u32,
}

/// The estimate for a ticket with `ahead` before it, of a service whose visitors take
/// `service_secs` each, served by `counters_open` open counters out of `counters_serving`.
pub fn estimate(
    ahead: u32,
    service_secs: f64,
    counters_open: u32,
    counters_serving: u32,
) -> Estimate {
    let counters = if counters_open > 0 {
        counters_open
    } else {
        counters_serving
    };
    Estimate {
        ahead,
        counters_open,
        minutes: wait_minutes(ahead, service_secs, counters),
    }
}

/// The estimate in words, as every screen, the ticket and the phone page say it:
/// (people ahead, the wait). While no counter is open there is no wait to promise, so it says
/// so instead of "segera dipanggil".
pub fn describe(e: &Estimate, english: bool) -> (String, String) {
    let ahead = match (e.ahead, english) {
        (0, false) => "Tidak ada yang di depan Anda".to_owned(),
        (0, true) => "Nobody is ahead of you".to_owned(),
        (n, false) => format!("Di depan Anda: {n} orang"),
        (n, true) => format!("Ahead of you: {n}"),
    };
    let wait = match (e.counters_open, e.minutes, english) {
        (0, _, false) => NO_COUNTER_OPEN.to_owned(),
        (0, _, true) => NO_COUNTER_OPEN_EN.to_owned(),
        (_, 0, false) => "Anda akan segera dipanggil".to_owned(),
        (_, 0, true) => "You will be called soon".to_owned(),
        (_, m, false) => format!("Perkiraan tunggu: ±{m} menit"),
        (_, m, true) => format!("Estimated wait: about {m} min"),
    };
    (ahead, wait)
}

/// What every place says while no counter serving a service is open.
pub const NO_COUNTER_OPEN: &str = "Loket belum dibuka — perkiraan dihitung saat loket buka";
/// The same in English.
pub const NO_COUNTER_OPEN_EN: &str = "No counter open yet — the wait is estimated once one opens";

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
    fn service_time_is_the_recent_median_else_the_standard_else_five_minutes() {
        assert_eq!(service_secs(&[120, 61], Some(10)), 90.5); // (120 + 61) / 2
        assert_eq!(service_secs(&[], Some(10)), 600.0);
        assert_eq!(service_secs(&[], None), 300.0);
        // Only the 20 newest count: 20 × 60 s, then 30 older ones of an hour.
        let mut recent = vec![60; 20];
        recent.extend([3600; 30]);
        assert_eq!(service_secs(&recent, None), 60.0);
    }

    #[test]
    fn wait_is_ahead_times_median_over_counters() {
        // 6 ahead, 5 minutes each, 2 counters: 15 minutes.
        assert_eq!(wait_minutes(6, 300.0, 2), 15);
        // 1 ahead, 90 s, 1 counter: 1.5 min rounds up to 2.
        assert_eq!(wait_minutes(1, 90.0, 1), 2);
        assert_eq!(wait_minutes(0, 300.0, 3), 0);
        // No counter: treated as one.
        assert_eq!(wait_minutes(2, 60.0, 0), 2);
        // 7 ahead × 250 s over 3 counters = 583.3 s = 9.72 min → 10.
        assert_eq!(wait_minutes(7, 250.0, 3), 10);
    }

    #[test]
    fn with_no_counter_open_the_words_say_so() {
        // 2 ahead, 5 min each, 4 counters will serve it: 2 × 300 / 4 = 150 s → 3 min.
        let e = estimate(2, 300.0, 0, 4);
        assert_eq!(e.minutes, 3);
        assert_eq!(describe(&e, false).1, NO_COUNTER_OPEN);
        assert_eq!(describe(&e, true).1, NO_COUNTER_OPEN_EN);
        // Nobody ahead and nobody open is still not "soon".
        let e = estimate(0, 300.0, 0, 4);
        assert_eq!(
            describe(&e, false),
            (
                "Tidak ada yang di depan Anda".into(),
                NO_COUNTER_OPEN.into()
            )
        );
    }

    #[test]
    fn with_counters_open_the_words_give_the_minutes() {
        // 5 ahead × 300 s over 1 open counter = 25 min (the 3 others that serve it are closed).
        let e = estimate(5, 300.0, 1, 4);
        assert_eq!(
            describe(&e, false),
            (
                "Di depan Anda: 5 orang".into(),
                "Perkiraan tunggu: ±25 menit".into()
            )
        );
        assert_eq!(
            describe(&estimate(0, 300.0, 2, 4), false).1,
            "Anda akan segera dipanggil"
        );
    }
}
