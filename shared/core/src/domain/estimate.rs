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
    median_f64(&samples.iter().map(|&s| f64::from(s)).collect::<Vec<_>>())
}

/// The median of `samples`; even counts take the mean of the two middle values.
pub fn median_f64(samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let mid = s.len() / 2;
    Some(if s.len() % 2 == 0 {
        (s[mid - 1] + s[mid]) / 2.0
    } else {
        s[mid]
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
    /// Where the forecast is uncertain, the range the wait most likely falls in (minutes,
    /// `low < high`); `None` says "about `minutes`".
    pub range: Option<(u32, u32)>,
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
        range: None,
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
        (_, m, _) => match (e.range, english) {
            (Some((lo, hi)), false) => format!("Perkiraan tunggu: sekitar {lo}–{hi} menit"),
            (Some((lo, hi)), true) => format!("Estimated wait: about {lo}–{hi} min"),
            (None, false) => format!("Perkiraan tunggu: ±{m} menit"),
            (None, true) => format!("Estimated wait: about {m} min"),
        },
    };
    (ahead, wait)
}

/// What every place says while no counter serving a service is open.
pub const NO_COUNTER_OPEN: &str = "Loket belum dibuka — perkiraan dihitung saat loket buka";
/// The same in English.
pub const NO_COUNTER_OPEN_EN: &str = "No counter open yet — the wait is estimated once one opens";

// --- the forecast: the hall's next hours played forward -----------------------------------

/// A counter as the forecast sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Desk {
    /// The services it serves, as indexes into the forecast's [`Pace`]s.
    pub services: Vec<usize>,
    /// When it can call next, in ms from now: 0 when free, the expected rest of its current
    /// visitor when busy, the end of its pause; `None` while it serves nobody (closed, or
    /// paused with no end given).
    pub free_in_ms: Option<f64>,
    /// Its officer's pace: how much longer (> 1) or shorter its visits take than the
    /// service's mean, learned from its own finished tickets.
    pub speed: f64,
    /// The officer's own time between one visitor's close and the next call, ms.
    pub gap_ms: f64,
    /// Calls in a row that passed over a waiting normal ticket (see `calling`).
    pub streak: u32,
    /// Its scheduled breaks still to come or under way, (from, until) in ms from now: it
    /// calls nobody then (a visit under way at the start is finished first).
    pub breaks: Vec<(f64, f64)>,
}

/// A waiting ticket as the forecast sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    /// Index of its service's [`Pace`].
    pub service: usize,
    /// When it joined its queue, ms from now (≤ 0), and the order of issue.
    pub queued_in_ms: i64,
    pub order: i64,
    pub priority: bool,
}

/// What the day so far says of one service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Mean ms a call takes a counter, from the call to the close (a visit, or the wait for
    /// a visitor who does not come): so the no-show share is in it.
    pub call_ms: f64,
    /// Its spread: the standard deviation over the mean of those times.
    pub cv: f64,
    /// Priority tickets expected per ms from now on (they will pass normal ones).
    pub priority_per_ms: f64,
}

/// When the forecast expects a ticket to be called.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    /// Ms from now.
    pub in_ms: f64,
    /// Calls the counters of its service make before it, each: the more visits lie
    /// between, the surer the sum (the spread of one visit shrinks with their root).
    pub visits_before: f64,
}

/// The forecast: for each waiter (in the order given) and for a normal ticket of each
/// service issued now, when it will be called; `None` where no counter will serve it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forecast {
    pub waiters: Vec<Option<Call>>,
    pub new_ticket: Vec<Option<Call>>,
}

/// The spread of one visit assumed where the day has not shown its own.
pub const DEFAULT_CV: f64 = 0.5;

/// How far ahead the forecast plays (a day): beyond it, nothing is promised.
const HORIZON_MS: f64 = 12.0 * 3_600_000.0;

/// Plays the hall forward from now: each counter, as it comes free, calls by the calling
/// order of [`calling::pick_next`](super::calling::pick_next) among the tickets of its
/// services, taking each service's mean time at its officer's pace; priority tickets
/// arrive at the rate the day has shown and pass normal ones as the rule lets them. A ticket
/// issued now for each service is followed through it too, without taking anyone's time.
/// Counters shared by several services, officers of different speed, counters that open
/// after a pause, the no-shows (in each service's mean call time) and priority tickets to
/// come are all in it.
pub fn forecast(desks: &[Desk], waiting: &[Waiter], paces: &[Pace], max_in_row: u32) -> Forecast {
    use super::calling::{pick_next, Candidate};
    use std::collections::{BinaryHeap, VecDeque};

    /// One entry of a service's queue in the play.
    #[derive(Clone, Copy)]
    struct Entry {
        key: (i64, i64),
        /// The waiter's index; `None` for a priority ticket still to come.
        waiter: Option<usize>,
        /// When it is there to be called (ms from now).
        present_ms: f64,
    }
    let n = paces.len();
    let mut normal: Vec<VecDeque<Entry>> = vec![VecDeque::new(); n];
    let mut priority: Vec<VecDeque<Entry>> = vec![VecDeque::new(); n];
    let mut sorted: Vec<usize> = (0..waiting.len()).collect();
    sorted.sort_by_key(|&i| (waiting[i].queued_in_ms, waiting[i].order));
    for i in sorted {
        let w = waiting[i];
        if w.service >= n {
            continue;
        }
        let e = Entry {
            key: (w.queued_in_ms, w.order),
            waiter: Some(i),
            present_ms: 0.0,
        };
        if w.priority {
            priority[w.service].push_back(e);
        } else {
            normal[w.service].push_back(e);
        }
    }
    // Priority tickets to come, at the service's rate (the first one interval from now).
    let mut next_priority: Vec<Option<f64>> = paces
        .iter()
        .map(|p| (p.priority_per_ms > 0.0).then(|| 1.0 / p.priority_per_ms))
        .collect();
    let mut order = waiting.iter().map(|w| w.order).max().unwrap_or(0) + 1;

    let mut out = Forecast {
        waiters: vec![None; waiting.len()],
        new_ticket: vec![None; n],
    };
    let served: Vec<bool> = (0..n)
        .map(|s| {
            desks
                .iter()
                .any(|d| d.free_in_ms.is_some() && d.services.contains(&s))
        })
        .collect();
    let mut ghosts_left = served.iter().filter(|&&b| b).count();
    let mut waiters_left = waiting.len();
    // Calls made so far by the open counters of each service, over how many they are: the
    // visits before a ticket at each of them, for the spread. Kept as running sums.
    let mut calls_of: Vec<f64> = vec![0.0; n];
    let desks_of: Vec<f64> = (0..n)
        .map(|s| {
            desks
                .iter()
                .filter(|d| d.free_in_ms.is_some() && d.services.contains(&s))
                .count() as f64
        })
        .collect();
    let visits_before = |calls_of: &[f64], s: usize| -> f64 { calls_of[s] / desks_of[s].max(1.0) };

    // Counters by when they come free (a max-heap on the negated time).
    struct Free(f64, usize);
    impl PartialEq for Free {
        fn eq(&self, o: &Self) -> bool {
            self.cmp(o) == std::cmp::Ordering::Equal
        }
    }
    impl Eq for Free {}
    impl PartialOrd for Free {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Free {
        // The earliest first (and of two at once, the first counter).
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
        }
    }
    let mut heap: BinaryHeap<Free> = desks
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.free_in_ms.map(|t| Free(t.max(0.0), i)))
        .collect();
    let mut streak: Vec<u32> = desks.iter().map(|d| d.streak).collect();
    let mut steps = 0usize;
    let mut heads: Vec<(Candidate, usize, bool)> = vec![];
    let mut candidates: Vec<Candidate> = vec![];
    while let Some(Free(t, d)) = heap.pop() {
        steps += 1;
        if (waiters_left == 0 && ghosts_left == 0) || t > HORIZON_MS || steps > 1_000_000 {
            break;
        }
        let desk = &desks[d];
        // In a scheduled break: free again at its end.
        if let Some(&(_, until)) = desk
            .breaks
            .iter()
            .find(|(from, until)| *from <= t && t < *until)
        {
            heap.push(Free(until, d));
            continue;
        }
        // Priority tickets that have arrived by now join their queues.
        for &s in &desk.services {
            while let Some(at) = next_priority[s].filter(|&at| at <= t) {
                priority[s].push_back(Entry {
                    key: (at as i64, order),
                    waiter: None,
                    present_ms: at,
                });
                order += 1;
                next_priority[s] = Some(at + 1.0 / paces[s].priority_per_ms);
            }
        }
        // The heads of its services' queues, as the calling order picks among them.
        heads.clear();
        for &s in &desk.services {
            if let Some(e) = normal[s].front() {
                heads.push((cand(e.key, false), s, false));
            }
            if let Some(e) = priority[s].front() {
                heads.push((cand(e.key, true), s, true));
            }
        }
        // The ticket issued now of each service it serves, once nobody older is left in
        // that service's queue for this counter: it is called at `t`.
        let ghost_key = (0i64, i64::MAX);
        let oldest_normal = heads
            .iter()
            .filter(|h| !h.2)
            .map(|h| (h.0.queued_ms, h.0.issue_order))
            .min();
        let priority_first = heads.iter().any(|h| h.2) && streak[d] < max_in_row;
        if !priority_first && oldest_normal.is_none_or(|k| k > ghost_key) {
            for &s in &desk.services {
                if served[s] && out.new_ticket[s].is_none() && normal[s].is_empty() {
                    out.new_ticket[s] = Some(Call {
                        in_ms: t,
                        visits_before: visits_before(&calls_of, s),
                    });
                    ghosts_left -= 1;
                }
            }
        }
        candidates.clear();
        candidates.extend(heads.iter().map(|h| h.0));
        let Some(pick) = pick_next(&candidates, streak[d], max_in_row) else {
            // Nothing waits: free again when the next priority ticket of its services comes.
            let next = desk
                .services
                .iter()
                .filter_map(|&s| next_priority[s])
                .fold(f64::INFINITY, f64::min);
            if next.is_finite() && (waiters_left > 0 || ghosts_left > 0) {
                heap.push(Free(next, d));
            }
            continue;
        };
        let (_, s, is_priority) = heads[pick.index];
        let e = if is_priority {
            priority[s].pop_front()
        } else {
            normal[s].pop_front()
        }
        .expect("a head was there");
        streak[d] = pick.streak;
        if let Some(i) = e.waiter {
            out.waiters[i] = Some(Call {
                in_ms: t.max(e.present_ms),
                visits_before: visits_before(&calls_of, s),
            });
            waiters_left -= 1;
        }
        for &s in &desk.services {
            calls_of[s] += 1.0;
        }
        let p = paces[s];
        heap.push(Free(t + p.call_ms * desk.speed + desk.gap_ms, d));
    }
    out
}

fn cand(key: (i64, i64), priority: bool) -> super::calling::Candidate {
    super::calling::Candidate {
        issue_order: key.1,
        queued_ms: key.0,
        priority,
    }
}

/// The estimate of a forecast call, in whole minutes, with a range where it is uncertain:
/// the spread of one visit (`cv`) over the root of the visits before it, and a tenth for
/// what no forecast knows (an officer called away, a visitor with a hard case). Ranges are
/// given from 10 minutes on, their ends to the nearest 5 minutes ("sekitar 20–30 menit").
pub fn from_call(ahead: u32, counters_open: u32, call: &Call, cv: f64) -> Estimate {
    let minutes = (call.in_ms / 60_000.0).round().max(0.0) as u32;
    let spread = 0.1 + cv.max(0.0) / call.visits_before.max(1.0).sqrt();
    Estimate {
        ahead,
        counters_open,
        minutes,
        range: range(minutes, spread),
    }
}

/// The range around `minutes` for a relative `spread`, in steps of 5 minutes; `None` under
/// 10 minutes (a short wait is said as one figure).
pub fn range(minutes: u32, spread: f64) -> Option<(u32, u32)> {
    if minutes < 10 {
        return None;
    }
    let m = f64::from(minutes);
    // To the nearest 5 minutes, never below 5.
    let lo = ((m * (1.0 - spread)) / 5.0).round().max(1.0) * 5.0;
    let hi = ((m * (1.0 + spread)) / 5.0).round() * 5.0;
    let (lo, hi) = (lo as u32, hi as u32);
    (hi > lo).then_some((lo, hi))
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

#[cfg(test)]
mod forecast_tests {
    use super::*;

    fn pace(call_min: f64) -> Pace {
        Pace {
            call_ms: call_min * 60_000.0,
            cv: 0.5,
            priority_per_ms: 0.0,
        }
    }

    fn desk(services: Vec<usize>, free_min: Option<f64>) -> Desk {
        Desk {
            services,
            free_in_ms: free_min.map(|m| m * 60_000.0),
            speed: 1.0,
            gap_ms: 0.0,
            streak: 0,
            breaks: vec![],
        }
    }

    fn waiter(service: usize, queued_min: i64, order: i64, priority: bool) -> Waiter {
        Waiter {
            service,
            queued_in_ms: queued_min * 60_000,
            order,
            priority,
        }
    }

    fn minutes(c: Option<Call>) -> f64 {
        c.expect("called").in_ms / 60_000.0
    }

    #[test]
    fn counters_come_free_in_turn_and_a_new_ticket_follows_the_last() {
        // Two counters of 5-minute visits, busy 2 and 3 more minutes; three wait.
        // A at 2 (first free), B at 3, C at 2 + 5 = 7; a new ticket at 3 + 5 = 8.
        let f = forecast(
            &[desk(vec![0], Some(2.0)), desk(vec![0], Some(3.0))],
            &[
                waiter(0, -3, 1, false),
                waiter(0, -2, 2, false),
                waiter(0, -1, 3, false),
            ],
            &[pace(5.0)],
            3,
        );
        let got: Vec<f64> = f.waiters.iter().map(|c| minutes(*c)).collect();
        assert_eq!(got, [2.0, 3.0, 7.0]);
        assert_eq!(minutes(f.new_ticket[0]), 8.0);
        // Visits before the new ticket: 2 at each counter.
        assert_eq!(f.new_ticket[0].unwrap().visits_before, 1.5);
    }

    #[test]
    fn a_shared_counter_serves_the_older_ticket_of_its_other_service_first() {
        // Counter 1 serves KTP (0) and KK (1), counter 2 only KK; both free now, 10-minute
        // visits. Waiting: KK at −5 min, KK at −4, KTP at −1. Counter 1 takes the oldest of
        // both queues (KK −5) at 0, counter 2 KK −4 at 0; KTP waits for counter 1: 10 min.
        let f = forecast(
            &[desk(vec![0, 1], Some(0.0)), desk(vec![1], Some(0.0))],
            &[
                waiter(1, -5, 1, false),
                waiter(1, -4, 2, false),
                waiter(0, -1, 3, false),
            ],
            &[pace(10.0), pace(10.0)],
            3,
        );
        assert_eq!(minutes(f.waiters[2]), 10.0);
        // A new KK ticket: counter 2 is free at 10 with nobody left for it.
        assert_eq!(minutes(f.new_ticket[1]), 10.0);
        // A new KTP ticket: counter 1 after the KTP one, at 20.
        assert_eq!(minutes(f.new_ticket[0]), 20.0);
    }

    #[test]
    fn priority_tickets_to_come_pass_a_normal_one() {
        // One counter, 5-minute visits, free now; two normal tickets wait, and a priority
        // ticket comes every 4 minutes (the first at 4). Calls: N1 at 0 (none there yet);
        // P4 at 5, P8 at 10, P12 at 15: three in a row pass N2, the most the rule allows;
        // N2 at 20.
        let mut p = pace(5.0);
        p.priority_per_ms = 1.0 / 240_000.0;
        let f = forecast(
            &[desk(vec![0], Some(0.0))],
            &[waiter(0, -2, 1, false), waiter(0, -1, 2, false)],
            &[p],
            3,
        );
        assert_eq!(minutes(f.waiters[0]), 0.0);
        assert_eq!(minutes(f.waiters[1]), 20.0);
        // With at most one priority call in a row, N2 goes right after P(4): at 10.
        let f = forecast(
            &[desk(vec![0], Some(0.0))],
            &[waiter(0, -2, 1, false), waiter(0, -1, 2, false)],
            &[p],
            1,
        );
        assert_eq!(minutes(f.waiters[1]), 10.0);
    }

    #[test]
    fn a_counter_calls_nobody_in_its_scheduled_break() {
        // Free now, 10-minute visits, a break from 15 to 45 minutes: calls at 0 and 10; at 20
        // it is in its break, so the third waits until 45.
        let mut d = desk(vec![0], Some(0.0));
        d.breaks = vec![(15.0 * 60_000.0, 45.0 * 60_000.0)];
        let f = forecast(
            &[d],
            &[
                waiter(0, -3, 1, false),
                waiter(0, -2, 2, false),
                waiter(0, -1, 3, false),
            ],
            &[pace(10.0)],
            3,
        );
        let got: Vec<f64> = f.waiters.iter().map(|c| minutes(*c)).collect();
        assert_eq!(got, [0.0, 10.0, 45.0]);
        assert_eq!(minutes(f.new_ticket[0]), 55.0);
    }

    #[test]
    fn a_paused_counter_serves_from_its_end_and_a_closed_one_never() {
        let f = forecast(
            &[desk(vec![0], Some(30.0)), desk(vec![0], None)],
            &[waiter(0, -1, 1, false)],
            &[pace(5.0)],
            3,
        );
        assert_eq!(minutes(f.waiters[0]), 30.0);
        // Nobody serves service 1: no forecast for it.
        let f = forecast(
            &[desk(vec![0], None)],
            &[waiter(0, 0, 1, false)],
            &[pace(5.0)],
            3,
        );
        assert_eq!(f.waiters[0], None);
        assert_eq!(f.new_ticket[0], None);
    }

    #[test]
    fn ranges_from_ten_minutes_on_to_the_nearest_five() {
        assert_eq!(range(9, 0.5), None);
        // 30 × 0.6 = 18 → 20; 30 × 1.4 = 42 → 40.
        assert_eq!(range(30, 0.4), Some((20, 40)));
        // 10 × 0.5 = 5; 10 × 1.5 = 15.
        assert_eq!(range(10, 0.5), Some((5, 15)));
        // 12 × 0.9 = 10.8 → 10; 12 × 1.1 = 13.2 → 15.
        assert_eq!(range(12, 0.1), Some((10, 15)));
        // A narrow spread that rounds to one figure: no range (9 → 10, 11 → 10).
        assert_eq!(range(10, 0.1), None);
        let e = from_call(
            6,
            2,
            &Call {
                in_ms: 25.0 * 60_000.0,
                visits_before: 4.0,
            },
            0.5,
        );
        // 0.1 + 0.5 ÷ 2 = 0.35: 25 × 0.65 = 16.25 → 15; 25 × 1.35 = 33.75 → 35.
        assert_eq!((e.minutes, e.range), (25, Some((15, 35))));
        assert_eq!(
            describe(&e, false).1,
            "Perkiraan tunggu: sekitar 15–35 menit"
        );
        assert_eq!(describe(&e, true).1, "Estimated wait: about 15–35 min");
    }

    #[test]
    fn a_busy_counter_calls_a_priority_ticket_when_it_comes_free() {
        // One counter, busy 2 more minutes; a priority ticket waits: called in 2 minutes.
        let f = forecast(
            &[desk(vec![0], Some(2.0))],
            &[waiter(0, 0, 1, true)],
            &[pace(5.0)],
            3,
        );
        assert_eq!(minutes(f.waiters[0]), 2.0);
    }
}
