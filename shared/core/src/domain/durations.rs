//! How a report adds up waits and service times, in one rule for the hall's report (from
//! SQLite) and the city's (from PostgreSQL): durations are whole milliseconds, a mean is
//! their exact integer sum divided once (by the count in minutes), and the 90th percentile is a nearest rank. So two
//! databases that add the same durations in a different order give the same figures to the
//! last bit, where summing minutes as floats would not.

use serde::{Deserialize, Serialize};

/// Milliseconds as minutes.
pub fn minutes(ms: i64) -> f64 {
    ms as f64 / 60_000.0
}

/// Durations added up: how many, and their exact sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum {
    pub count: u64,
    pub total_ms: i64,
}

impl Sum {
    pub fn add(&mut self, ms: i64) {
        self.count += 1;
        self.total_ms += ms;
    }

    pub fn merge(&mut self, other: &Sum) {
        self.count += other.count;
        self.total_ms += other.total_ms;
    }

    /// The mean in minutes, by one division (so it is the exact mean, rounded once: 80
    /// minutes over 7 is `80.0 / 7.0`); 0 for none.
    pub fn mean_min(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total_ms as f64 / (self.count as f64 * 60_000.0)
        }
    }
}

impl FromIterator<i64> for Sum {
    fn from_iter<I: IntoIterator<Item = i64>>(iter: I) -> Sum {
        let mut sum = Sum::default();
        for ms in iter {
            sum.add(ms);
        }
        sum
    }
}

/// The rank (1-based) of the 90th percentile among `n` sorted values by the nearest-rank
/// method: ⌈0.9 n⌉, the smallest value that at least 90 % of the values do not exceed
/// (PostgreSQL's `percentile_disc(0.9)`). 0 for none.
pub fn p90_rank(n: usize) -> usize {
    (n * 9).div_ceil(10)
}

/// The 90th percentile of sorted milliseconds, in minutes; 0 for none.
pub fn p90_min(sorted_ms: &[i64]) -> f64 {
    match p90_rank(sorted_ms.len()) {
        0 => 0.0,
        rank => minutes(sorted_ms[rank - 1]),
    }
}

/// The upper edges (minutes, exclusive) of the report's waiting-time classes; the last
/// class is open.
pub const WAIT_CLASSES_MIN: [u32; 7] = [5, 10, 15, 20, 30, 45, 60];

/// The class of [`WAIT_CLASSES_MIN`] a wait of `ms` falls in (whole minutes waited;
/// `WAIT_CLASSES_MIN.len()` for an hour or more).
pub fn wait_class(ms: i64) -> usize {
    let waited = ms.max(0) / 60_000;
    WAIT_CLASSES_MIN
        .iter()
        .position(|&edge| waited < i64::from(edge))
        .unwrap_or(WAIT_CLASSES_MIN.len())
}

/// Arrivals and tickets served in one hour of the day (`hour` 0–23, the hall's local time),
/// as the hall's report and the city's report both show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourRow {
    pub hour: u32,
    pub arrivals: u64,
    pub served: u64,
}

/// How long one agency's served visitors waited, counted by [`WAIT_CLASSES_MIN`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitDistribution {
    pub agency: String,
    /// `counts[i]` waited less than `WAIT_CLASSES_MIN[i]` minutes (and at least the class
    /// before); the last count waited 60 minutes or more.
    pub counts: Vec<u64>,
}

impl WaitDistribution {
    /// How many waited how long, per agency in `agencies`' order: each of `waits` is an
    /// agency, a wait in milliseconds and how many waited it. Waits of an agency not listed
    /// are left out, and so are agencies nobody waited at.
    pub fn tally<A: AsRef<str>>(
        agencies: impl IntoIterator<Item = impl Into<String>>,
        waits: impl IntoIterator<Item = (A, i64, u64)>,
    ) -> Vec<WaitDistribution> {
        let mut out: Vec<WaitDistribution> = agencies
            .into_iter()
            .map(|agency| WaitDistribution {
                agency: agency.into(),
                counts: vec![0; WAIT_CLASSES_MIN.len() + 1],
            })
            .collect();
        for (agency, ms, n) in waits {
            if let Some(d) = out.iter_mut().find(|d| d.agency == agency.as_ref()) {
                d.counts[wait_class(ms)] += n;
            }
        }
        out.retain(|d| d.counts.iter().any(|&c| c > 0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_tallied_per_agency_in_order() {
        let min = 60_000;
        let got = WaitDistribution::tally(
            ["bpjs", "dukcapil", "samsat"],
            [
                ("dukcapil", 3 * min, 2),  // class 0 (< 5), twice
                ("dukcapil", 12 * min, 1), // class 2 (10–15)
                ("bpjs", 75 * min, 1),     // the open class (60+)
                ("pajak", min, 4),         // not a listed agency: left out
            ],
        );
        assert_eq!(
            got,
            vec![
                WaitDistribution {
                    agency: "bpjs".into(),
                    counts: vec![0, 0, 0, 0, 0, 0, 0, 1],
                },
                WaitDistribution {
                    agency: "dukcapil".into(),
                    counts: vec![2, 0, 1, 0, 0, 0, 0, 0],
                },
            ]
        );
    }

    #[test]
    fn p90_is_nearest_rank() {
        let ms: Vec<i64> = (1..=10).map(|m| m * 60_000).collect();
        assert_eq!(p90_min(&ms), 9.0);
        assert_eq!(p90_min(&[300_000]), 5.0);
        let ms: Vec<i64> = (1..=11).map(|m| m * 60_000).collect();
        assert_eq!(p90_min(&ms), 10.0); // ⌈9.9⌉ = 10th
        assert_eq!(p90_min(&[]), 0.0);
    }

    #[test]
    fn a_mean_is_the_exact_sum_divided_once() {
        // 10 s, 20 s and 30 s: 60 s over 3 = 20 s = 1/3 minute, exactly as 1.0 / 3.0.
        let sum: Sum = [10_000, 20_000, 30_000].into_iter().collect();
        assert_eq!(
            sum,
            Sum {
                count: 3,
                total_ms: 60_000
            }
        );
        assert_eq!(sum.mean_min(), 1.0 / 3.0);
        // In any order, in parts: the same bits.
        let mut parts: Sum = [30_000].into_iter().collect();
        parts.merge(&[20_000, 10_000].into_iter().collect());
        assert_eq!(parts.mean_min().to_bits(), sum.mean_min().to_bits());
        assert_eq!(Sum::default().mean_min(), 0.0);
        let eighty_over_seven = Sum {
            count: 7,
            total_ms: 80 * 60_000,
        };
        assert_eq!(eighty_over_seven.mean_min(), 80.0 / 7.0);
    }

    #[test]
    fn wait_classes() {
        assert_eq!(wait_class(0), 0);
        assert_eq!(wait_class(299_999), 0); // 4 min 59.999 s
        assert_eq!(wait_class(300_000), 1); // 5 min
        assert_eq!(wait_class(59 * 60_000), 6);
        assert_eq!(wait_class(60 * 60_000), 7);
        assert_eq!(wait_class(-5), 0);
    }
}
