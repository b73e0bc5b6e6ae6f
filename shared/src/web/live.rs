//! The hall as the web pages see it: one [`HallView`] inside the hub, kept current from the
//! hub's own event broadcast, and what a phone is told about its ticket.
//!
//! One task follows the hub; every phone's stream reads the shared view when it changes, so
//! a thousand phones cost one view, not a thousand database queries per call.

use crate::client::{Applied, HallView};
use crate::config::Config;
use crate::domain::{calling, estimate, TicketStatus};
use crate::proto::{Role, Ticket, Welcome};
use crate::server::Hub;
use serde::Serialize;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Finished tickets whose service times make the median (as the hub's estimate).
const MEDIAN_SAMPLE: usize = 20;
/// The service time assumed with no history and no standard time, in seconds.
const DEFAULT_SERVICE_SECS: f64 = 300.0;

/// The shared view and a signal that it changed (the `seq` it reached).
#[derive(Clone)]
pub struct Live {
    view: Arc<RwLock<HallView>>,
    changed: watch::Receiver<u64>,
}

impl Live {
    /// Starts following `hub`: reads a snapshot, then applies every event; reads a new
    /// snapshot whenever it falls behind. Returns once the first snapshot is in.
    ///
    /// # Errors
    /// The first snapshot cannot be read.
    pub async fn follow(hub: Arc<Hub>) -> anyhow::Result<Live> {
        let view = Arc::new(RwLock::new(HallView::default()));
        let mut events = hub.subscribe();
        load(&hub, &view).await?;
        let seq = view.read().expect("view lock").seq;
        let (tx, changed) = watch::channel(seq);
        let follower = Arc::clone(&view);
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(line) => {
                        let applied = follower.write().expect("view lock").apply(&line.event);
                        if let Applied::Gap { .. } = applied {
                            if let Err(e) = load(&hub, &follower).await {
                                tracing::warn!(error = %e, "web view: cannot reload");
                                tokio::time::sleep(Duration::from_millis(500)).await;
                                continue;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::info!(missed = n, "web view fell behind; reloading");
                        if load(&hub, &follower).await.is_err() {
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
                let seq = follower.read().expect("view lock").seq;
                let _ = tx.send_if_modified(|old| {
                    let changed = *old != seq;
                    *old = seq;
                    changed
                });
                if tx.is_closed() {
                    // Nobody will read it again (the server stopped).
                    break;
                }
            }
        });
        Ok(Live { view, changed })
    }

    /// Waits (briefly) until the view has applied everything the hub committed, so a phone
    /// that scans its ticket the instant it is printed finds it.
    pub async fn caught_up(&self, hub: &Hub) {
        let target = hub.committed_seq();
        let mut changes = self.changed.clone();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            changes.wait_for(|seq| *seq >= target),
        )
        .await;
    }

    /// A receiver that wakes when the view changes.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.clone()
    }

    /// Reads the view.
    pub fn with<R>(&self, f: impl FnOnce(&HallView) -> R) -> R {
        f(&self.view.read().expect("view lock"))
    }
}

/// Replaces the view with a fresh snapshot from the database.
async fn load(hub: &Hub, view: &RwLock<HallView>) -> anyhow::Result<()> {
    let data = hub.welcome(0).await?;
    let welcome = Welcome {
        protocol: 1,
        device: "web".into(),
        role: Role::Display,
        zone: None,
        seq: data.seq,
        hall: data.hall,
        snapshot: data.snapshot,
        counter: None,
    };
    let mut fresh = HallView::default();
    fresh.apply_welcome(&welcome);
    *view.write().expect("view lock") = fresh;
    Ok(())
}

/// A counter that serves the ticket's service, open now, and whom it is serving.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServingNow {
    pub counter: String,
    pub name: String,
    /// The ticket at the counter now, if any.
    pub ticket: Option<String>,
}

/// What a phone is told about its ticket: the protocol's ticket object with `ahead` and
/// `estimated_wait_min` filled in live while it waits, plus the names to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveTicket {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Addition: the service's name.
    pub service_name: String,
    /// Addition: the agency's name.
    pub agency_name: String,
    /// Addition: the name of the counter it is called to ("Loket 3"), once called.
    pub counter_name: Option<String>,
    /// Addition: the open counters serving this service and their current tickets.
    pub serving_now: Vec<ServingNow>,
}

/// The ticket `code` of today as a phone sees it, or `None` if today has no such ticket.
pub fn ticket(view: &HallView, cfg: &Config, code: &str) -> Option<LiveTicket> {
    let index = view.tickets.iter().position(|t| t.code == code)?;
    let t = &view.tickets[index];
    let mut wire = t.clone();
    if t.status == TicketStatus::Waiting {
        let (ahead, wait) = estimate_of(view, cfg, index);
        wire.ahead = Some(ahead);
        wire.estimated_wait_min = Some(wait);
    } else {
        wire.ahead = None;
        wire.estimated_wait_min = None;
    }
    let service = cfg.service(t.service.as_str());
    let counter_name = t
        .counter
        .as_ref()
        .and_then(|c| cfg.counter(c.as_str()))
        .map(|c| c.name.clone());
    let serving_now = cfg
        .counters_serving(t.service.as_str())
        .filter_map(|c| {
            let state = view.counters.get(&c.id)?;
            state.open.then(|| ServingNow {
                counter: c.id.as_str().to_owned(),
                name: c.name.clone(),
                ticket: state.current.as_ref().map(|x| x.code.clone()),
            })
        })
        .collect();
    Some(LiveTicket {
        ticket: wire,
        service_name: service.map(|s| s.name.clone()).unwrap_or_default(),
        agency_name: service
            .and_then(|s| cfg.agency(s.agency.as_str()))
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        counter_name,
        serving_now,
    })
}

/// People ahead and the estimated minutes for the waiting ticket at `index`, by the same
/// rules as the hub's estimate at issue: the service's own queue, priority turns, the
/// median of the last finished tickets, the open counters serving it.
fn estimate_of(view: &HallView, cfg: &Config, index: usize) -> (u32, u32) {
    let t = &view.tickets[index];
    let mut q = calling::QueueCounts {
        normal_older: 0,
        normal_total: 0,
        priority_older: 0,
        priority_total: 0,
    };
    for (i, other) in view.tickets.iter().enumerate() {
        if i == index || other.status != TicketStatus::Waiting || other.service != t.service {
            continue;
        }
        // RFC 3339 times of one zone sort as text; the order of issue breaks ties.
        let older = (other.issued_at.as_str(), i) < (t.issued_at.as_str(), index);
        if other.priority.is_some() {
            q.priority_total += 1;
            q.priority_older += u32::from(older);
        } else {
            q.normal_total += 1;
            q.normal_older += u32::from(older);
        }
    }
    let ahead = calling::ahead_of(q, t.priority.is_some(), cfg.hall.max_priority_in_row);

    let mut finished: Vec<(&str, u32)> = view
        .tickets
        .iter()
        .filter(|x| x.service == t.service && x.status == TicketStatus::Done)
        .filter_map(|x| {
            let called = chrono::DateTime::parse_from_rfc3339(x.called_at.as_deref()?).ok()?;
            let closed_at = x.closed_at.as_deref()?;
            let closed = chrono::DateTime::parse_from_rfc3339(closed_at).ok()?;
            Some((closed_at, (closed - called).num_seconds().max(0) as u32))
        })
        .collect();
    finished.sort_by(|a, b| b.0.cmp(a.0));
    let samples: Vec<u32> = finished.iter().take(MEDIAN_SAMPLE).map(|x| x.1).collect();
    let standard = cfg
        .service(t.service.as_str())
        .and_then(|s| s.standard_minutes)
        .map(|m| f64::from(m) * 60.0);
    let median = estimate::median(&samples)
        .or(standard)
        .unwrap_or(DEFAULT_SERVICE_SECS);
    let serving: Vec<_> = cfg.counters_serving(t.service.as_str()).collect();
    let open = serving
        .iter()
        .filter(|c| view.counters.get(&c.id).is_some_and(|s| s.open))
        .count() as u32;
    let counters = if open > 0 { open } else { serving.len() as u32 };
    (ahead, estimate::wait_minutes(ahead, median, counters))
}
