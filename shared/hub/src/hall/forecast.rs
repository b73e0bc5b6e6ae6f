//! What the day has shown so far ([`Learned`]), and the hall played forward from it
//! ([`Played`]) with the core's [`estimate::forecast`]: the estimate every ticket and every
//! service's figures carry.

use crate::config::Config;
use crate::store::dao::{ClosedRow, Dao, WaitingRow};
use crate::store::rows::CounterRow;
use antre_core::domain::estimate::{self, Call, Desk, Pace, Waiter};
use std::collections::{BTreeSet, HashMap};

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

/// The writer's forecast: the lessons (read again each minute), the board (kept up to date
/// change by change) and the last play (reused while nothing changed).
#[derive(Default)]
pub struct Forecaster {
    memo: Memo,
    board: Board,
    played: Option<Played>,
}

impl Forecaster {
    /// Readies it for a change on `dao`: the board of its day, fresh lessons.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn begin(&mut self, dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<()> {
        self.board.ensure(dao, cfg)?;
        let before = self.memo.0.as_ref().map(|l| l.at_ms);
        self.memo.get(dao, cfg)?;
        if self.memo.0.as_ref().map(|l| l.at_ms) != before {
            self.played = None; // new lessons: play again
        }
        Ok(())
    }

    /// Brings the board up to date with what a change named.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn sync<'n>(
        &mut self,
        dao: &Dao<'_>,
        named: impl IntoIterator<Item = &'n Named>,
    ) -> rusqlite::Result<()> {
        for n in named {
            self.board.sync(dao, n)?;
        }
        Ok(())
    }

    /// Plays forward from `dao`'s time the part of the hall that `services` are in, unless
    /// the last play was of the same board at the same time and held them.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn play<'s>(
        &mut self,
        dao: &Dao<'_>,
        cfg: &Config,
        services: impl IntoIterator<Item = &'s str>,
    ) -> rusqlite::Result<()> {
        let parts = self.board.parts_of(services);
        let of = (self.board.version(), dao.now_ms);
        if self
            .played
            .as_ref()
            .is_some_and(|p| p.of == of && p.parts.is_superset(&parts))
        {
            return Ok(());
        }
        let learned = self.memo.get(dao, cfg)?;
        self.played = Some(Played::play(
            &self.board,
            cfg,
            learned,
            dao.now_ms,
            Some(&parts),
        ));
        Ok(())
    }

    /// The board and its last play ([`Forecaster::play`] first).
    pub fn view(&self) -> (&Board, &Played) {
        (
            &self.board,
            self.played.as_ref().expect("played before viewing"),
        )
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Whether playing each service's part of the hall alone gives its tickets (and a new
    /// ticket) the same calls as playing the whole hall (for tests: parts never share a
    /// counter, so they must).
    pub fn parts_agree(&self, cfg: &Config, now: i64) -> bool {
        let Some(learned) = self.memo.0.as_ref() else {
            return true; // nothing played yet
        };
        let whole = Played::play(&self.board, cfg, learned, now, None);
        cfg.services.iter().enumerate().all(|(i, s)| {
            let parts = self.board.parts_of([s.id.as_str()]);
            let part = Played::play(&self.board, cfg, learned, now, Some(&parts));
            part.new_ticket(i) == whole.new_ticket(i) && part.waiting_of(i).eq(whole.waiting_of(i))
        })
    }

    /// The board's version (see [`Forecaster::undone`]).
    pub fn version(&self) -> u64 {
        self.board.version()
    }

    /// A request that began at board `version` was rolled back (a refusal): what it synced
    /// into the board is gone from the store, so the board is read again if it changed.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn undone(&mut self, dao: &Dao<'_>, cfg: &Config, version: u64) -> rusqlite::Result<()> {
        if self.board.version() != version {
            self.board.reload(dao, cfg)?;
            self.played = None;
        }
        Ok(())
    }

    /// A write failed and rolled back: read everything again on the next change.
    pub fn invalidate(&mut self) {
        self.board.invalidate();
        self.played = None;
    }
}

/// One counter as the forecast needs it: its row, and the service and call time of the
/// ticket it is serving.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct BoardDesk {
    row: CounterRow,
    current: Option<(String, Option<i64>)>,
}

/// The hall as the forecast plays it, kept in memory by the writer: every waiting ticket of
/// the day and every counter. Reading them all from the store on every change cost more than
/// the change itself with a thousand people waiting; the board is read once (at start, on a
/// new day, after a failed write) and then brought up to date with only what a change named
/// (the tickets and counters of its events), so it always equals what the store holds.
#[derive(Debug, Default)]
pub struct Board {
    /// The day it holds; `None` until loaded (or after a failed write).
    day: Option<String>,
    /// Each waiting ticket with the config's index of its service (`None`: not in it).
    waiting: HashMap<i64, (WaitingRow, Option<usize>)>,
    /// The same tickets by the config's index of their service: (queued, id) → priority,
    /// so a play and a count read only the queues they need, in order.
    queues: Vec<std::collections::BTreeMap<(i64, i64), bool>>,
    /// The config's index of each service.
    service_ix: HashMap<String, usize>,
    /// The part of the hall each service (by index) is in: services joined by the counters
    /// that serve them. Parts never share a counter, so each plays forward on its own.
    part: Vec<usize>,
    /// Ticket code → id, for the tickets in `waiting`.
    codes: HashMap<String, i64>,
    desks: HashMap<String, BoardDesk>,
    /// How many tickets of the day count as issued for each service of the config
    /// ([`Dao::issued_for`]): counted at load and again for the services of each issue,
    /// so the other changes count nothing (a count reads every ticket of the service today).
    issued: HashMap<String, u32>,
    /// Bumped by every change to the board: a play of the same version is still right.
    version: u64,
}

/// A ticket (by code) or a counter (by id) that a change named, or the services a ticket
/// issued by it may count for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Ticket(String),
    Counter(String),
    Issued(Vec<String>),
}

impl Board {
    /// The board as the store holds it now.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn load(dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<Board> {
        let mut board = Board::default();
        board.reload(dao, cfg)?;
        Ok(board)
    }

    fn reload(&mut self, dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<()> {
        self.waiting.clear();
        self.queues = vec![Default::default(); cfg.services.len()];
        self.codes.clear();
        self.desks.clear();
        self.issued.clear();
        self.service_ix = cfg
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.to_string(), i))
            .collect();
        self.part = parts(cfg, &self.service_ix);
        for row in dao.waiting_all()? {
            self.put(row);
        }
        for c in &cfg.counters {
            let desk = read_desk(dao, c.id.as_str())?;
            self.desks.insert(c.id.to_string(), desk);
        }
        for s in &cfg.services {
            let n = dao.issued_for(s.id.as_str())?;
            self.issued.insert(s.id.to_string(), n);
        }
        self.day = Some(dao.day.to_owned());
        self.version += 1;
        Ok(())
    }

    /// Loads the board if it does not hold `dao`'s day.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn ensure(&mut self, dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<()> {
        if self.day.as_deref() != Some(dao.day) {
            self.reload(dao, cfg)?;
        }
        Ok(())
    }

    /// Forgets everything: the next change loads it again (after a write that failed).
    pub fn invalidate(&mut self) {
        self.day = None;
    }

    /// Reads one named ticket or counter again from the store.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn sync(&mut self, dao: &Dao<'_>, named: &Named) -> rusqlite::Result<()> {
        match named {
            Named::Ticket(code) => {
                let row = match code.parse::<antre_core::domain::TicketCode>() {
                    Ok(c) => dao.waiting_one(&c.prefix, c.number)?,
                    Err(_) => None,
                };
                let old = self
                    .codes
                    .get(code)
                    .and_then(|id| self.waiting.get(id))
                    .map(|w| &w.0);
                if old == row.as_ref() {
                    return Ok(());
                }
                if let Some(id) = self.codes.remove(code) {
                    if let Some((old, Some(ix))) = self.waiting.remove(&id) {
                        self.queues[ix].remove(&(old.queued_ms, old.id));
                    }
                }
                if let Some(row) = row {
                    self.put(row);
                }
            }
            Named::Counter(id) => {
                if !self.desks.contains_key(id) {
                    return Ok(()); // not a counter of the config
                }
                let desk = read_desk(dao, id)?;
                if self.desks.get(id) == Some(&desk) {
                    return Ok(());
                }
                self.desks.insert(id.clone(), desk);
            }
            Named::Issued(services) => {
                let mut changed = false;
                for s in services {
                    let Some(old) = self.issued.get(s).copied() else {
                        continue; // not a service of the config
                    };
                    let n = dao.issued_for(s)?;
                    if n != old {
                        self.issued.insert(s.clone(), n);
                        changed = true;
                    }
                }
                if !changed {
                    return Ok(());
                }
            }
        }
        self.version += 1;
        Ok(())
    }

    /// How many tickets of the day count as issued for `service` ([`Dao::issued_for`]).
    ///
    /// # Errors
    /// SQLite fails (only counted here for a service not in the config).
    pub fn issued(&self, dao: &Dao<'_>, service: &str) -> rusqlite::Result<u32> {
        match self.issued.get(service) {
            Some(&n) => Ok(n),
            None => dao.issued_for(service),
        }
    }

    fn put(&mut self, row: WaitingRow) {
        let ix = self.service_ix.get(row.service.as_str()).copied();
        if let Some(ix) = ix {
            self.queues[ix].insert((row.queued_ms, row.id), row.priority);
        }
        self.codes.insert(row.code.clone(), row.id);
        self.waiting.insert(row.id, (row, ix));
    }

    /// The parts of the hall (see `part`) that `services` are in.
    pub fn parts_of<'s>(&self, services: impl IntoIterator<Item = &'s str>) -> BTreeSet<usize> {
        services
            .into_iter()
            .filter_map(|s| self.part.get(*self.service_ix.get(s)?).copied())
            .collect()
    }

    /// The code of waiting ticket `id`.
    pub fn code(&self, id: i64) -> Option<&str> {
        self.waiting.get(&id).map(|w| w.0.code.as_str())
    }

    /// How many tickets wait for `service`: (normal, priority).
    pub fn counts(&self, service: &str) -> (u32, u32) {
        let Some(&ix) = self.service_ix.get(service) else {
            return (0, 0);
        };
        self.queues[ix].values().fold(
            (0, 0),
            |(n, p), &priority| {
                if priority {
                    (n, p + 1)
                } else {
                    (n + 1, p)
                }
            },
        )
    }

    /// Counter `id`'s row (closed and empty when it has not opened today).
    pub fn counter(&self, id: &str) -> CounterRow {
        self.desks
            .get(id)
            .map(|d| d.row.clone())
            .unwrap_or_default()
    }

    /// The version of what it holds: equal versions hold the same hall.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether it holds what the store holds (for tests: the board kept up to date equals a
    /// fresh read).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn matches_store(&self, dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<bool> {
        let fresh = Board::load(dao, cfg)?;
        Ok(self.day == fresh.day
            && self.waiting == fresh.waiting
            && self.queues == fresh.queues
            && self.desks == fresh.desks
            && self.issued == fresh.issued)
    }
}

/// Each service's part of the hall (by the config's index of services): the smallest index
/// among the services it is joined to through counters that serve both.
fn parts(cfg: &Config, index: &HashMap<String, usize>) -> Vec<usize> {
    let mut part: Vec<usize> = (0..cfg.services.len()).collect();
    fn root(part: &mut [usize], mut i: usize) -> usize {
        while part[i] != i {
            part[i] = part[part[i]];
            i = part[i];
        }
        i
    }
    for c in &cfg.counters {
        let ix: Vec<usize> = c
            .services
            .iter()
            .filter_map(|s| index.get(s.as_str()).copied())
            .collect();
        for w in ix.windows(2) {
            let (a, b) = (root(&mut part, w[0]), root(&mut part, w[1]));
            part[a.max(b)] = a.min(b);
        }
    }
    (0..part.len()).map(|i| root(&mut part, i)).collect()
}

fn read_desk(dao: &Dao<'_>, id: &str) -> rusqlite::Result<BoardDesk> {
    let row = dao.counter(id)?;
    let current = match row.current {
        Some(t) => {
            let t = dao.ticket(t)?;
            Some((t.service, t.called_ms))
        }
        None => None,
    };
    Ok(BoardDesk { row, current })
}

/// The hall played forward from now.
pub struct Played {
    forecast: estimate::Forecast,
    /// The waiting tickets played (id, the config's index of its service, priority), in
    /// calling order within each group, as the forecast's waiters.
    waiters: Vec<(i64, usize, bool)>,
    /// Each service's spread, by the config's order of services.
    cv: Vec<f64>,
    /// The board's version and the time it was played at.
    pub(super) of: (u64, i64),
    /// The parts of the hall played (see [`Board::parts_of`]); the others' tickets have no
    /// call in it.
    pub(super) parts: BTreeSet<usize>,
}

impl Played {
    /// Plays the hall on `board` forward from `now` with what `learned` holds: the `only`
    /// parts of it (see [`Board::parts_of`]), or all of it.
    pub fn play(
        board: &Board,
        cfg: &Config,
        learned: &Learned,
        now: i64,
        only: Option<&BTreeSet<usize>>,
    ) -> Played {
        let parts: BTreeSet<usize> = match only {
            Some(p) => p.clone(),
            None => board.part.iter().copied().collect(),
        };
        let played = |s: usize| board.part.get(s).is_some_and(|p| parts.contains(p));
        let index = &board.service_ix;
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
        let local = antre_core::domain::day::local_time(
            chrono::DateTime::from_timestamp_millis(now).unwrap_or_default(),
            tz,
        );
        let mut desks = Vec::with_capacity(cfg.counters.len());
        let closed = BoardDesk::default();
        for c in &cfg.counters {
            let services: Vec<usize> = c
                .services
                .iter()
                .filter_map(|s| index.get(s.as_str()).copied())
                .collect();
            if !services.iter().any(|&s| played(s)) {
                continue; // another part of the hall
            }
            let desk = board.desks.get(c.id.as_str()).unwrap_or(&closed);
            let row = &desk.row;
            let (speed, gap_ms) = learned.desk(c.id.as_str());
            let free_in_ms = if !row.open {
                None
            } else if let Some(pause) = &row.pause {
                // Back at the end the officer gave; without one, nobody can say.
                pause
                    .until
                    .as_deref()
                    .and_then(|u| chrono::NaiveTime::parse_from_str(u, "%H:%M").ok())
                    .map(|until| {
                        let ms = (until - local).num_milliseconds();
                        // Officers are back a little after the end they give; past it
                        // and not back yet, a few minutes more.
                        if ms > 0 {
                            ms as f64 + PAUSE_SLACK_MS
                        } else {
                            2.0 * PAUSE_SLACK_MS
                        }
                    })
            } else if let Some((service, called_ms)) = &desk.current {
                let (mean, _) = learned.service(service);
                let expected = mean * speed;
                let elapsed = called_ms.map_or(0, |c| (now - c).max(0)) as f64;
                // Past the mean, some of it is still to come.
                Some((expected - elapsed).max(0.25 * expected) + gap_ms)
            } else {
                Some(0.0)
            };
            // Its scheduled breaks of today, from now on (an officer is back a little after).
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
        let mut waiting: Vec<Waiter> = board
            .queues
            .iter()
            .enumerate()
            .filter(|(s, _)| played(*s))
            .flat_map(|(service, queue)| {
                queue
                    .iter()
                    .map(move |(&(queued_ms, id), &priority)| Waiter {
                        service,
                        queued_in_ms: queued_ms - now,
                        order: id,
                        priority,
                    })
            })
            .collect();
        // The calling order within each group (`waiting_of` keeps it).
        waiting.sort_unstable_by_key(|w| (w.queued_in_ms, w.order));
        let waiters = waiting
            .iter()
            .map(|w| (w.order, w.service, w.priority))
            .collect();
        let forecast =
            estimate::forecast(&desks, &waiting, &paces, cfg.hall.queue.max_priority_in_row);
        Played {
            forecast,
            waiters,
            cv: paces.iter().map(|p| p.cv).collect(),
            of: (board.version, now),
            parts,
        }
    }

    /// When the waiting ticket `id` will be called.
    pub fn ticket(&self, id: i64) -> Option<Call> {
        let i = self.waiters.iter().position(|w| w.0 == id)?;
        self.forecast.waiters.get(i).copied().flatten()
    }

    /// When a normal ticket of the config's `service`-th service issued now would be called,
    /// and that service's spread.
    pub fn new_ticket(&self, service: usize) -> Option<(Call, f64)> {
        let call = self.forecast.new_ticket.get(service).copied().flatten()?;
        Some((call, self.cv.get(service).copied().unwrap_or(DEFAULT_CV)))
    }

    /// The waiting tickets of the config's `service`-th service (id, priority) with their
    /// forecast calls, in calling order within each group (normal, then priority).
    pub fn waiting_of(&self, service: usize) -> impl Iterator<Item = (i64, bool, Call)> + '_ {
        self.waiters
            .iter()
            .zip(&self.forecast.waiters)
            .filter(move |(w, _)| w.1 == service)
            .filter_map(|(w, c)| Some((w.0, w.2, (*c)?)))
    }

    /// The spread of the config's `service`-th service.
    pub fn cv(&self, service: usize) -> f64 {
        self.cv.get(service).copied().unwrap_or(DEFAULT_CV)
    }
}
