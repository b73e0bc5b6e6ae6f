//! What the day has shown so far ([`Learned`]), and the hall played forward from it
//! ([`Played`]) with the core's [`estimate::forecast`]: the estimate every ticket and every
//! service's figures carry.

use crate::config::Config;
use crate::store::dao::{ClosedRow, Dao};
use antre_core::domain::estimate::{self, Call, Desk, Pace, Waiter};
use std::collections::HashMap;

/// How far back the day's closed tickets teach the service times.
const LEARN_WINDOW_MS: i64 = 2 * 3_600_000;
/// How far back the arrivals give the rate of priority tickets still to come.
const PRIORITY_WINDOW_MS: i64 = 3_600_000;
/// How many of a service's newest closes make its mean.
const RECENT_CLOSES: usize = 20;
/// How many of a counter's newest visits make its officer's pace.
const RECENT_AT_COUNTER: usize = 10;
/// A service's expected time (its standard at the hall's pace) counts as this many visits
/// while the service has few of its own.
const PRIOR_WEIGHT: f64 = 2.0;
/// The standard times count as this many visits for the hall's pace while it has few.
const HALL_PRIOR_WEIGHT: f64 = 3.0;
use estimate::DEFAULT_CV;
/// The officer's time between a close and the next call, until the day shows it.
const DEFAULT_GAP_MS: f64 = 15_000.0;
/// A longer gap means the counter had nobody to call: not the officer's pace.
const MAX_GAP_MS: i64 = 180_000;
/// How long after the end of a pause its officer is expected back.
const PAUSE_SLACK_MS: f64 = 150_000.0;
/// The share of priority tickets assumed until the day shows its own.
const PRIORITY_PRIOR_SHARE: f64 = 0.1;
/// How often the lessons are read again from the store (hall time).
const RELEARN_MS: i64 = 60_000;

/// What the day has shown: each service's call time and spread, each counter's pace,
/// priority tickets per service per ms.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    day: String,
    at_ms: i64,
    services: HashMap<String, (f64, f64)>,
    desks: HashMap<String, (f64, f64)>,
    priority_per_ms: HashMap<String, f64>,
}

impl Learned {
    /// Reads the lessons of the day from the store.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn learn(dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<Learned> {
        let now = dao.now_ms;
        let closed = dao.closed_since(now - LEARN_WINDOW_MS)?;
        let mut by_service: HashMap<&str, Vec<&ClosedRow>> = HashMap::new();
        let mut by_counter: HashMap<&str, Vec<&ClosedRow>> = HashMap::new();
        for c in &closed {
            by_service.entry(c.service.as_str()).or_default().push(c);
            by_counter.entry(c.counter.as_str()).or_default().push(c);
        }
        let standard = |service: &str| {
            f64::from(
                cfg.service(service)
                    .and_then(|s| s.standard_minutes)
                    .map_or(estimate::DEFAULT_SERVICE_SECS, |m| m * 60),
            ) * 1000.0
        };
        // The hall's pace: how the day's visits compare with their standard times, over
        // every service. Early in the day it is what a service with no visits of its own
        // yet is expected at (officers who work at half the standard do so at every desk).
        // Early in the day the short visits are the ones that have ended: a visit under way
        // that has already lasted longer than the standard says the pace is slower (it
        // counts with what it has lasted so far).
        let under_way: Vec<(String, f64)> = dao
            .visits_under_way()?
            .into_iter()
            .map(|(s, called)| (s, (now - called).max(0) as f64))
            .collect();
        let ratios: Vec<f64> = closed
            .iter()
            .take(100)
            .map(|c| (c.closed_ms - c.called_ms).max(0) as f64 / standard(&c.service))
            .chain(
                under_way
                    .iter()
                    .map(|(s, lasted)| lasted / standard(s))
                    .filter(|r| *r > 1.0),
            )
            .collect();
        let hall_pace = (ratios.iter().sum::<f64>() + HALL_PRIOR_WEIGHT)
            / (ratios.len() as f64 + HALL_PRIOR_WEIGHT);
        let mut services = HashMap::new();
        for s in &cfg.services {
            let prior = standard(s.id.as_str()) * hall_pace;
            let mut times: Vec<f64> = by_service
                .get(s.id.as_str())
                .map(|rows| {
                    rows.iter()
                        .take(RECENT_CLOSES)
                        .map(|r| (r.closed_ms - r.called_ms).max(0) as f64)
                        .collect()
                })
                .unwrap_or_default();
            // Visits under way that have already lasted longer than expected count too.
            times.extend(
                under_way
                    .iter()
                    .filter(|(id, lasted)| id == s.id.as_str() && *lasted > prior)
                    .map(|(_, lasted)| *lasted),
            );
            // One visit of an hour among a few short ones is a hard case, not the pace:
            // each counts at most three times the middle one (or the expected time).
            let middle = estimate::median_f64(&times)
                .unwrap_or(prior)
                .max(prior / 4.0);
            for t in &mut times {
                *t = t.min(3.0 * middle);
            }
            let n = times.len() as f64;
            let mean = (times.iter().sum::<f64>() + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT);
            let cv = if times.len() >= 5 {
                let m = times.iter().sum::<f64>() / n;
                let var = times.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (n - 1.0);
                (var.sqrt() / m.max(1.0)).clamp(0.1, 1.5)
            } else {
                DEFAULT_CV
            };
            services.insert(s.id.to_string(), (mean, cv));
        }
        let mut desks = HashMap::new();
        for (counter, rows) in &by_counter {
            // Its pace: the median of its own finished visits over their service's mean.
            let mut ratios: Vec<f64> = rows
                .iter()
                .filter(|r| r.finished)
                .take(RECENT_AT_COUNTER)
                .filter_map(|r| {
                    let (mean, _) = services.get(&r.service)?;
                    Some((r.closed_ms - r.called_ms).max(0) as f64 / mean)
                })
                .collect();
            ratios.sort_by(f64::total_cmp);
            let speed = if ratios.len() >= 3 {
                ratios[ratios.len() / 2].clamp(0.6, 1.7)
            } else {
                1.0
            };
            // Its gap: from a close to its next call, where it had someone to call.
            let mut calls: Vec<&&ClosedRow> = rows.iter().collect();
            calls.sort_by_key(|r| r.called_ms);
            let gaps: Vec<f64> = calls
                .windows(2)
                .map(|w| w[1].called_ms - w[0].closed_ms)
                .filter(|g| (0..MAX_GAP_MS).contains(g))
                .rev()
                .take(RECENT_AT_COUNTER)
                .map(|g| g as f64)
                .collect();
            let gap = if gaps.is_empty() {
                DEFAULT_GAP_MS
            } else {
                gaps.iter().sum::<f64>() / gaps.len() as f64
            };
            desks.insert((*counter).to_owned(), (speed, gap));
        }
        // Priority tickets to come: the service's arrivals of the last hour at the hall's
        // share of priority (a share over the whole day is steadier than one service's few).
        let issued = dao.issued_since(now - PRIORITY_WINDOW_MS)?;
        // Early in the day the window is what has passed of it (half an hour at least).
        let window = issued.first.map_or(PRIORITY_WINDOW_MS, |f| {
            (now - f).clamp(PRIORITY_WINDOW_MS / 2, PRIORITY_WINDOW_MS)
        }) as f64;
        let share = (f64::from(issued.priority) + PRIORITY_PRIOR_SHARE * HALL_PRIOR_WEIGHT)
            / (f64::from(issued.all) + HALL_PRIOR_WEIGHT);
        let priority_per_ms = issued
            .per_service
            .into_iter()
            .map(|(s, (all, _))| (s, f64::from(all) * share / window))
            .collect();
        Ok(Learned {
            day: dao.day.to_owned(),
            at_ms: now,
            services,
            desks,
            priority_per_ms,
        })
    }

    /// Whether these lessons are still fresh for a change on `dao`'s day at its time.
    pub fn fresh(&self, dao: &Dao<'_>) -> bool {
        self.day == dao.day && (0..RELEARN_MS).contains(&(dao.now_ms - self.at_ms))
    }

    fn service(&self, id: &str) -> (f64, f64) {
        self.services.get(id).copied().unwrap_or((
            f64::from(estimate::DEFAULT_SERVICE_SECS) * 1000.0,
            DEFAULT_CV,
        ))
    }

    fn desk(&self, id: &str) -> (f64, f64) {
        self.desks.get(id).copied().unwrap_or((1.0, DEFAULT_GAP_MS))
    }
}

/// The lessons, read again once a minute of hall time (or on a new day).
#[derive(Debug, Default)]
pub struct Memo(Option<Learned>);

impl Memo {
    /// The lessons for a change on `dao`.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn get(&mut self, dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<&Learned> {
        if !self.0.as_ref().is_some_and(|l| l.fresh(dao)) {
            self.0 = Some(Learned::learn(dao, cfg)?);
        }
        Ok(self.0.as_ref().expect("just set"))
    }
}

/// The hall played forward from now.
pub struct Played {
    forecast: estimate::Forecast,
    /// Ticket id → its index among the forecast's waiters.
    waiters: HashMap<i64, usize>,
    /// The waiting tickets as read, in calling order within each group.
    rows: Vec<crate::store::dao::WaitingRow>,
    /// Each service's spread, by the config's order of services.
    cv: Vec<f64>,
}

impl Played {
    /// Plays the hall forward from `dao`'s time with what `learned` holds.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn play(dao: &Dao<'_>, cfg: &Config, learned: &Learned) -> rusqlite::Result<Played> {
        let now = dao.now_ms;
        let index: HashMap<&str, usize> = cfg
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let paces: Vec<Pace> = cfg
            .services
            .iter()
            .map(|s| {
                let (call_ms, cv) = learned.service(s.id.as_str());
                Pace {
                    call_ms,
                    cv,
                    priority_per_ms: learned
                        .priority_per_ms
                        .get(s.id.as_str())
                        .copied()
                        .unwrap_or(0.0),
                }
            })
            .collect();
        let tz = cfg.hall.timezone;
        let mut desks = Vec::with_capacity(cfg.counters.len());
        for c in &cfg.counters {
            let row = dao.counter(c.id.as_str())?;
            let (speed, gap_ms) = learned.desk(c.id.as_str());
            let services: Vec<usize> = c
                .services
                .iter()
                .filter_map(|s| index.get(s.as_str()).copied())
                .collect();
            let free_in_ms = if !row.open {
                None
            } else if let Some(pause) = &row.pause {
                // Back at the end the officer gave; without one, nobody can say.
                pause
                    .until
                    .as_deref()
                    .and_then(|u| chrono::NaiveTime::parse_from_str(u, "%H:%M").ok())
                    .map(|until| {
                        let local = antre_core::domain::day::local_time(
                            chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
                            tz,
                        );
                        let ms = (until - local).num_milliseconds();
                        // Officers are back a little after the end they give; past it
                        // and not back yet, a few minutes more.
                        if ms > 0 {
                            ms as f64 + PAUSE_SLACK_MS
                        } else {
                            2.0 * PAUSE_SLACK_MS
                        }
                    })
            } else if let Some(current) = row.current {
                let t = dao.ticket(current)?;
                let (mean, _) = learned.service(&t.service);
                let expected = mean * speed;
                let elapsed = t.called_ms.map_or(0, |c| (now - c).max(0)) as f64;
                // Past the mean, some of it is still to come.
                Some((expected - elapsed).max(0.25 * expected) + gap_ms)
            } else {
                Some(0.0)
            };
            // Its scheduled breaks of today, from now on (an officer is back a little after).
            let local = antre_core::domain::day::local_time(
                chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
                tz,
            );
            let breaks = c
                .breaks
                .iter()
                .map(|w| {
                    (
                        (w.start - local).num_milliseconds() as f64,
                        (w.end - local).num_milliseconds() as f64 + PAUSE_SLACK_MS,
                    )
                })
                .filter(|(_, until)| *until > 0.0)
                .collect();
            desks.push(Desk {
                services,
                free_in_ms,
                speed,
                gap_ms,
                streak: row.streak,
                breaks,
            });
        }
        let mut ids = HashMap::new();
        let mut waiting = vec![];
        let mut rows = vec![];
        let mut all = dao.waiting_all()?;
        // The calling order within each group (`waiting_of` keeps it).
        all.sort_unstable_by_key(|r| (r.queued_ms, r.id));
        for row in all {
            let Some(&s) = index.get(row.service.as_str()) else {
                continue;
            };
            ids.insert(row.id, waiting.len());
            waiting.push(Waiter {
                service: s,
                queued_in_ms: row.queued_ms - now,
                order: row.id,
                priority: row.priority,
            });
            rows.push(row);
        }
        let forecast =
            estimate::forecast(&desks, &waiting, &paces, cfg.hall.queue.max_priority_in_row);
        Ok(Played {
            forecast,
            waiters: ids,
            rows,
            cv: paces.iter().map(|p| p.cv).collect(),
        })
    }

    /// When the waiting ticket `id` will be called.
    pub fn ticket(&self, id: i64) -> Option<Call> {
        let &i = self.waiters.get(&id)?;
        self.forecast.waiters.get(i).copied().flatten()
    }

    /// When a normal ticket of the config's `service`-th service issued now would be called,
    /// and that service's spread.
    pub fn new_ticket(&self, service: usize) -> Option<(Call, f64)> {
        let call = self.forecast.new_ticket.get(service).copied().flatten()?;
        Some((call, self.cv.get(service).copied().unwrap_or(DEFAULT_CV)))
    }

    /// The waiting tickets of `service` with their forecast calls, in calling order within
    /// each group (normal, then priority).
    pub fn waiting_of<'a>(
        &'a self,
        service: &'a str,
    ) -> impl Iterator<Item = (&'a crate::store::dao::WaitingRow, Call)> + 'a {
        self.rows
            .iter()
            .zip(&self.forecast.waiters)
            .filter(move |(r, _)| r.service == service)
            .filter_map(|(r, c)| Some((r, (*c)?)))
    }

    /// The spread of the config's `service`-th service.
    pub fn cv(&self, service: usize) -> f64 {
        self.cv.get(service).copied().unwrap_or(DEFAULT_CV)
    }
}
