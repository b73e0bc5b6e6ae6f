//! The calling order: which waiting ticket a counter gets on "next".
//!
//! Priority tickets (lansia, disabilitas, ibu hamil) come first, but once `max_in_row`
//! calls in a row at a counter have passed over a waiting normal ticket, the next call takes
//! a normal ticket, so neither group starves. A call that passes over no normal ticket
//! starts the count again at 0. Within each group the longest-waiting ticket comes first, by
//! `issued_at`, ties broken by the order of issue.

/// A waiting ticket as the calling order sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The order of issue (unique, increasing): breaks ties of `queued_ms`.
    pub issue_order: i64,
    /// When the ticket joined this queue, ms since the epoch: its issue (kept across
    /// transfers), or for a visit's later service the finish of the one before.
    pub queued_ms: i64,
    /// Whether it is a priority ticket.
    pub priority: bool,
}

impl Candidate {
    fn key(&self) -> (i64, i64) {
        (self.queued_ms, self.issue_order)
    }
}

/// The outcome of a call: which candidate, and the counter's new count of calls in a row
/// that passed over a waiting normal ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub index: usize,
    pub streak: u32,
}

/// Picks the next ticket among `waiting` for a counter whose last `streak` calls passed over
/// a waiting normal ticket. `None` when nothing waits.
pub fn pick_next(waiting: &[Candidate], streak: u32, max_in_row: u32) -> Option<Pick> {
    let oldest = |priority: bool| {
        waiting
            .iter()
            .enumerate()
            .filter(|(_, c)| c.priority == priority)
            .min_by_key(|(_, c)| c.key())
            .map(|(i, _)| i)
    };
    let normal = oldest(false);
    let priority = oldest(true);
    match (priority, normal) {
        (None, None) => None,
        (Some(p), None) => Some(Pick {
            index: p,
            streak: 0,
        }),
        (None, Some(n)) => Some(Pick {
            index: n,
            streak: 0,
        }),
        (Some(p), Some(n)) => {
            if streak < max_in_row {
                Some(Pick {
                    index: p,
                    streak: streak + 1,
                })
            } else {
                Some(Pick {
                    index: n,
                    streak: 0,
                })
            }
        }
    }
}

/// The counter's new streak after an officer called a chosen ticket (`call_ticket`): a
/// priority ticket called while a normal one waits counts as passing it over; anything else
/// starts the count again.
pub fn streak_after_chosen(chosen_priority: bool, normal_waiting: bool, streak: u32) -> u32 {
    if chosen_priority && normal_waiting {
        streak + 1
    } else {
        0
    }
}

/// The waiting tickets of a queue, counted relative to one ticket in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueCounts {
    /// Normal tickets waiting longer than the target.
    pub normal_older: u32,
    /// All normal tickets waiting, the target excluded.
    pub normal_total: u32,
    /// Priority tickets waiting longer than the target.
    pub priority_older: u32,
    /// All priority tickets waiting, the target excluded.
    pub priority_total: u32,
}

/// How many tickets one counter serving the queue would call before the target (a
/// priority ticket or not), starting from a fresh streak: the people ahead as the kiosk
/// tells the visitor. Closed form of running [`pick_next`] until the target comes up:
/// the calls go P×max, N, P×max, N, … while both groups wait.
pub fn ahead_of(q: QueueCounts, target_is_priority: bool, max_in_row: u32) -> u32 {
    if target_is_priority {
        // The older priority tickets, and the normal tickets that get their turn in between.
        // With a limit of 0 a normal ticket is never passed over: all of them come first.
        let normals_between = q
            .priority_older
            .checked_div(max_in_row)
            .map_or(q.normal_total, |turns| q.normal_total.min(turns));
        q.priority_older + normals_between
    } else {
        // The older normal tickets, and up to `max` priority calls before each of them and
        // before the target itself.
        let priorities_between = q
            .priority_total
            .min((q.normal_older + 1).saturating_mul(max_in_row));
        q.normal_older + priorities_between
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(order: i64, queued_ms: i64, priority: bool) -> Candidate {
        Candidate {
            issue_order: order,
            queued_ms,
            priority,
        }
    }

    /// Calls everything and returns the issue orders in calling order.
    fn drain(mut q: Vec<Candidate>, max: u32) -> Vec<i64> {
        let mut streak = 0;
        let mut out = vec![];
        while let Some(p) = pick_next(&q, streak, max) {
            out.push(q[p.index].issue_order);
            streak = p.streak;
            q.remove(p.index);
        }
        out
    }

    #[test]
    fn empty_queue_calls_nothing() {
        assert_eq!(pick_next(&[], 0, 2), None);
    }

    #[test]
    fn longest_waiting_first_ties_by_issue_order() {
        let q = vec![c(3, 100, false), c(1, 200, false), c(2, 100, false)];
        assert_eq!(drain(q, 2), vec![2, 3, 1]);
    }

    #[test]
    fn priority_first_but_at_most_two_in_a_row_while_normals_wait() {
        // N1 N2 then P3 P4 P5 P6 arrive.
        let q = vec![
            c(1, 1, false),
            c(2, 2, false),
            c(3, 3, true),
            c(4, 4, true),
            c(5, 5, true),
            c(6, 6, true),
        ];
        assert_eq!(drain(q, 2), vec![3, 4, 1, 5, 6, 2]);
    }

    #[test]
    fn priority_calls_with_no_normal_waiting_do_not_count() {
        let q = vec![c(1, 1, true), c(2, 2, true), c(3, 3, true)];
        assert_eq!(drain(q, 2), vec![1, 2, 3]);
        // With streak already at the limit but no normal ticket, a priority ticket is called
        // and the count starts again.
        assert_eq!(
            pick_next(&[c(1, 1, true)], 2, 2),
            Some(Pick {
                index: 0,
                streak: 0
            })
        );
    }

    #[test]
    fn limit_zero_never_passes_over_a_normal_ticket() {
        // max 0: a waiting normal ticket is never passed over.
        let q = vec![c(1, 1, false), c(2, 2, true), c(3, 3, false)];
        assert_eq!(drain(q, 0), vec![1, 3, 2]);
    }

    #[test]
    fn streak_carries_over_between_calls() {
        let q = [c(1, 1, false), c(2, 2, true)];
        assert_eq!(
            pick_next(&q, 1, 2),
            Some(Pick {
                index: 1,
                streak: 2
            })
        );
        assert_eq!(
            pick_next(&q, 2, 2),
            Some(Pick {
                index: 0,
                streak: 0
            })
        );
    }

    #[test]
    fn chosen_call_streak() {
        assert_eq!(streak_after_chosen(true, true, 1), 2);
        assert_eq!(streak_after_chosen(true, false, 1), 0);
        assert_eq!(streak_after_chosen(false, true, 1), 0);
    }

    /// The reference: call everything until the target comes up.
    fn ahead_by_simulation(waiting: &[Candidate], target: Candidate, max: u32) -> u32 {
        let mut q: Vec<Candidate> = waiting.to_vec();
        q.push(target);
        let mut streak = 0;
        let mut ahead = 0;
        while let Some(pick) = pick_next(&q, streak, max) {
            if q[pick.index] == target {
                return ahead;
            }
            q.remove(pick.index);
            streak = pick.streak;
            ahead += 1;
        }
        unreachable!("the target is in the queue")
    }

    fn counts(waiting: &[Candidate], target: Candidate) -> QueueCounts {
        let older = |c: &&&Candidate| c.key() < target.key();
        let normal: Vec<_> = waiting.iter().filter(|c| !c.priority).collect();
        let prio: Vec<_> = waiting.iter().filter(|c| c.priority).collect();
        QueueCounts {
            normal_older: normal.iter().filter(older).count() as u32,
            normal_total: normal.len() as u32,
            priority_older: prio.iter().filter(older).count() as u32,
            priority_total: prio.len() as u32,
        }
    }

    #[test]
    fn people_ahead_by_hand() {
        let waiting = vec![c(1, 1, false), c(2, 2, false), c(3, 3, true)];
        // A new normal ticket waits for all three; a new priority one for the older one.
        assert_eq!(ahead_of(counts(&waiting, c(4, 4, false)), false, 2), 3);
        assert_eq!(ahead_of(counts(&waiting, c(4, 4, true)), true, 2), 1);
        assert_eq!(ahead_of(QueueCounts::default(), false, 2), 0);
        // Five priority tickets and a new normal one: P P then it.
        let many_p: Vec<_> = (2..7).map(|i| c(i, i, true)).collect();
        assert_eq!(ahead_of(counts(&many_p, c(1, 1, false)), false, 2), 2);
        // A sixth priority ticket with one normal waiting: P P N P P P then it.
        let mut with_normal = many_p.clone();
        with_normal.push(c(1, 1, false));
        assert_eq!(ahead_of(counts(&with_normal, c(7, 7, true)), true, 2), 6);
    }

    #[test]
    fn people_ahead_match_the_calling_order_on_random_queues() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
        for _ in 0..3000 {
            let n = rng.gen_range(0..25);
            let max = rng.gen_range(0..4);
            let waiting: Vec<Candidate> = (0..n)
                .map(|i| c(i, rng.gen_range(0..10), rng.gen_bool(0.3)))
                .collect();
            let target = c(n, rng.gen_range(0..12), rng.gen_bool(0.3));
            assert_eq!(
                ahead_of(counts(&waiting, target), target.priority, max),
                ahead_by_simulation(&waiting, target, max),
                "waiting {waiting:?} target {target:?} max {max}"
            );
        }
    }
}
