//! Each service's queue figures ([`Figures`]), by the core's rules on what the store
//! counts, inside the same transaction as the change (or the snapshot) they go with.

use crate::config::Config;
use crate::store::dao::Dao;
use antre_core::domain::calling::{self, QueueCounts};
use antre_core::domain::estimate;
use antre_core::proto::Figures;

/// What the estimate needs of one service's queue today.
pub(super) struct Queue {
    pub normal: u32,
    pub priority: u32,
    pub service_secs: f64,
    pub counters_open: u32,
    pub counters_serving: u32,
}

/// Counts `service`'s queue, its recent service times and its open counters.
pub(super) fn queue(dao: &Dao<'_>, cfg: &Config, service: &str) -> rusqlite::Result<Queue> {
    let sample = dao.queue_sample(service, estimate::MEDIAN_SAMPLE)?;
    let standard = cfg.service(service).and_then(|s| s.standard_minutes);
    let mut counters_open = 0;
    let mut counters_serving = 0;
    for c in cfg.counters_serving(service) {
        counters_serving += 1;
        // A paused counter serves nobody until it resumes.
        let row = dao.counter(c.id.as_str())?;
        if row.open && row.pause.is_none() {
            counters_open += 1;
        }
    }
    Ok(Queue {
        normal: sample.normal,
        priority: sample.priority,
        service_secs: estimate::service_secs(&sample.recent, standard),
        counters_open,
        counters_serving,
    })
}

/// The figures of `service` now, as every device is sent them.
pub fn figures(dao: &Dao<'_>, cfg: &Config, service: &str) -> rusqlite::Result<Figures> {
    let q = queue(dao, cfg, service)?;
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
        issued: dao.issued_for(service)?,
        counters_open: q.counters_open,
        service_secs: q.service_secs,
        ahead,
        estimated_wait_min: e.minutes,
    })
}

/// Every service's figures, in the config's order (for a snapshot).
pub fn all(dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<Vec<Figures>> {
    cfg.services
        .iter()
        .map(|s| figures(dao, cfg, s.id.as_str()))
        .collect()
}
