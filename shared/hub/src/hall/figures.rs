//! Each service's queue figures ([`Figures`]), by the core's rules on what the store
//! counts, inside the same transaction as the change (or the snapshot) they go with.

use super::forecast::{Board, Played};
use crate::config::Config;
use crate::store::dao::Dao;
use antre_core::domain::calling::{self, QueueCounts};
use antre_core::domain::estimate;
use antre_core::proto::{Figures, TicketWait};

/// What the estimate needs of one service's queue today.
pub(super) struct Queue {
    pub normal: u32,
    pub priority: u32,
    pub service_secs: f64,
    pub counters_open: u32,
    pub counters_serving: u32,
}

/// Counts `service`'s queue (on the `board`), its recent service times and its open counters.
pub(super) fn queue(
    dao: &Dao<'_>,
    cfg: &Config,
    board: &Board,
    service: &str,
) -> rusqlite::Result<Queue> {
    let recent = dao.recent_times(service, estimate::MEDIAN_SAMPLE)?;
    let standard = cfg.service(service).and_then(|s| s.standard_minutes);
    let (normal, priority) = board.counts(service);
    let mut counters_open = 0;
    let mut counters_serving = 0;
    for c in cfg.counters_serving(service) {
        counters_serving += 1;
        // A paused counter serves nobody until it resumes.
        let row = board.counter(c.id.as_str());
        if row.open && row.pause.is_none() {
            counters_open += 1;
        }
    }
    Ok(Queue {
        normal,
        priority,
        service_secs: estimate::service_secs(&recent, standard),
        counters_open,
        counters_serving,
    })
}

/// The figures of `service` now, as every device is sent them, the estimate from the hall
/// `played` forward.
pub fn figures(
    dao: &Dao<'_>,
    cfg: &Config,
    board: &Board,
    played: &Played,
    service: &str,
) -> rusqlite::Result<Figures> {
    let q = queue(dao, cfg, board, service)?;
    // A normal ticket issued now has every waiting ticket before it in age.
    let ahead = calling::ahead_of(
        QueueCounts {
            normal_older: q.normal,
            normal_total: q.normal,
            priority_older: q.priority,
            priority_total: q.priority,
        },
        false,
        cfg.hall.queue.max_priority_in_row,
    );
    let index = cfg.services.iter().position(|s| s.id.as_str() == service);
    let call = index.and_then(|i| played.new_ticket(i));
    let e = match call {
        Some((call, cv)) if q.counters_open > 0 => {
            estimate::from_call(ahead, q.counters_open, &call, cv)
        }
        // No counter open: the old guess, and the words say none is open.
        _ => estimate::estimate(ahead, q.service_secs, q.counters_open, q.counters_serving),
    };
    Ok(Figures {
        service: service.into(),
        waiting: q.normal + q.priority,
        issued: board.issued(dao, service)?,
        held: match cfg.service(service) {
            Some(svc) => held(dao, svc)?,
            None => 0,
        },
        counters_open: q.counters_open,
        service_secs: q.service_secs,
        ahead,
        estimated_wait_min: e.minutes,
        estimated_wait_range: e.range.map(|(lo, hi)| [lo, hi]),
        waits: if q.counters_open > 0 {
            waits(cfg, board, played, q.priority, q.normal, index)
        } else {
            vec![]
        },
    })
}

/// The seats held today for `svc`'s bookings, as its quota counts them: only a service with
/// a daily quota holds seats for walk-ins to leave.
pub(super) fn held(dao: &Dao<'_>, svc: &crate::config::Service) -> rusqlite::Result<u32> {
    match svc.daily_quota {
        Some(_) => dao.held_bookings(svc.id.as_str()),
        None => Ok(0),
    }
}

/// What a walk-in's ticket for `svc` is counted against its daily quota with now: the
/// tickets issued for it today and the seats held for its bookings (nothing to count without
/// a quota). The issue, the welcome's `open` and the kiosk (from the figures) count so.
pub(super) fn walk_ins_counted(
    dao: &Dao<'_>,
    svc: &crate::config::Service,
) -> rusqlite::Result<u32> {
    match svc.daily_quota {
        None => Ok(0),
        Some(_) => Ok(antre_core::domain::issuing::walk_in_count(
            dao.issued_for(svc.id.as_str())?,
            held(dao, svc)?,
        )),
    }
}

/// How many of a queue's waiting tickets (those waiting longest) the figures carry a
/// forecast for: every change sends them to every device, and a visitor further back is
/// hours away; pages estimate those from the one with the most ahead.
pub const WAITS_SENT: usize = 30;

/// The forecast for the [`WAITS_SENT`] tickets that have waited longest for `service`,
/// each with its people ahead as its own `issue_ticket` reply counts them.
fn waits(
    cfg: &Config,
    board: &Board,
    played: &Played,
    priorities: u32,
    normals: u32,
    index: Option<usize>,
) -> Vec<TicketWait> {
    let Some(index) = index else {
        return vec![];
    };
    let cv = played.cv(index);
    let (mut normal_seen, mut priority_seen) = (0, 0);
    let open = 1; // only called with a counter open: the words need no more
    played
        .waiting_of(index)
        .take(WAITS_SENT)
        .map(|(id, priority, call)| {
            let q = QueueCounts {
                normal_older: normal_seen,
                normal_total: normals - u32::from(!priority),
                priority_older: priority_seen,
                priority_total: priorities - u32::from(priority),
            };
            if priority {
                priority_seen += 1;
            } else {
                normal_seen += 1;
            }
            let ahead = calling::ahead_of(q, priority, cfg.hall.queue.max_priority_in_row);
            let e = estimate::from_call(ahead, open, &call, cv);
            TicketWait {
                code: board.code(id).unwrap_or_default().to_owned(),
                ahead,
                min: e.minutes,
                range: e.range.map(|(lo, hi)| [lo, hi]),
            }
        })
        .collect()
}

/// Every service's figures, in the config's order (for a snapshot).
pub fn all(dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<Vec<Figures>> {
    let learned = super::forecast::Learned::learn(dao, cfg)?;
    let board = Board::load(dao, cfg)?;
    let played = Played::play(&board, cfg, &learned, dao.now_ms, None);
    cfg.services
        .iter()
        .map(|s| figures(dao, cfg, &board, &played, s.id.as_str()))
        .collect()
}
