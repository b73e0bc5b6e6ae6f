//! Each service's queue figures ([`Figures`]), counted inside the request's transaction, so
//! that the figures a change sends agree with the change itself.

use super::rows::counter_row;
use crate::config::Config;
use antre_core::domain::calling::{self, QueueCounts};
use antre_core::domain::estimate;
use antre_core::proto::Figures;
use rusqlite::{params, Connection};

/// What the hub counts of one service's queue today.
pub(super) struct Queue {
    pub normal: u32,
    pub priority: u32,
    pub service_secs: f64,
    pub counters_open: u32,
    pub counters_serving: u32,
}

/// Counts `service`'s queue, its recent service times and its open counters.
pub(super) fn queue(
    conn: &Connection,
    cfg: &Config,
    day: &str,
    service: &str,
) -> rusqlite::Result<Queue> {
    let (normal, priority) = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(priority IS NULL), 0), COALESCE(SUM(priority IS NOT NULL), 0)
             FROM tickets WHERE day = ?1 AND status = 'waiting' AND service = ?2",
        )?
        .query_row(params![day, service], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let recent: Vec<u32> = conn
        .prepare_cached(
            "SELECT closed_ms - called_ms FROM tickets
             WHERE day = ?1 AND service = ?2 AND status = 'done' AND called_ms IS NOT NULL
             ORDER BY closed_ms DESC LIMIT ?3",
        )?
        .query_map(params![day, service, estimate::MEDIAN_SAMPLE as i64], |r| {
            r.get::<_, i64>(0)
        })?
        .map(|ms| ms.map(|ms| (ms.max(0) / 1000) as u32))
        .collect::<rusqlite::Result<_>>()?;
    let standard = cfg.service(service).and_then(|s| s.standard_minutes);
    let mut counters_open = 0;
    let mut counters_serving = 0;
    for c in cfg.counters_serving(service) {
        counters_serving += 1;
        if counter_row(conn, c.id.as_str(), day)?.open {
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

/// The figures of `service` now, as every device is sent them.
pub(super) fn figures(
    conn: &Connection,
    cfg: &Config,
    day: &str,
    service: &str,
) -> rusqlite::Result<Figures> {
    let q = queue(conn, cfg, day, service)?;
    let issued: u32 = conn
        .prepare_cached("SELECT COUNT(*) FROM tickets WHERE day = ?1 AND first_service = ?2")?
        .query_row(params![day, service], |r| r.get(0))?;
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
    let e = estimate::estimate(ahead, q.service_secs, q.counters_open, q.counters_serving);
    Ok(Figures {
        service: service.into(),
        waiting: q.normal + q.priority,
        issued,
        counters_open: q.counters_open,
        service_secs: q.service_secs,
        ahead,
        estimated_wait_min: e.minutes,
    })
}
