//! The hall as the web pages see it: one [`HallView`] inside the hub, kept current from the
//! hub's own event broadcast, and what a phone is told about its ticket.
//!
//! One task follows the hub and applies its events to the view; the phones' rendering of
//! every ticket is made when the first phone asks after a change, and every other phone
//! looks its own ticket up in it: a thousand phones cost one rendering per change, not a
//! thousand database queries, and a hall with no phone watching costs none.

use crate::config::Config;
use crate::config::Device;
use crate::server::Hub;
use antre_client::{Applied, HallView};
use antre_core::domain::{calling, counter, estimate, TicketStatus};
use antre_core::proto::{Role, Ticket};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// Every ticket of the day as phones see it, rendered at most once per change of the hall.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Which state of the view this is (one more for every batch of events applied).
    pub generation: u64,
    pub tickets: HashMap<String, Arc<LiveJson>>,
}

/// A ticket as a phone sees it, and the same as JSON text (sent as it is).
#[derive(Debug, PartialEq)]
pub struct LiveJson {
    pub ticket: LiveTicket,
    pub json: String,
}

/// The view and its last rendering.
struct Shared {
    view: HallView,
    generation: u64,
    rendered: Arc<Rendered>,
}

/// The hall as the web pages see it. Events are applied as the hub commits them (cheap);
/// the phones' rendering of every ticket is made only when a phone asks, once per change:
/// a hall with no phone on its pages spends nothing on them, and the hub's runtime stays
/// free for the devices.
#[derive(Clone)]
pub struct Live {
    shared: Arc<Mutex<Shared>>,
    /// The hub's config as the console changes it.
    cfg: watch::Receiver<Arc<Config>>,
    /// The `seq` the view has applied, for those waiting on a change.
    seq: watch::Receiver<u64>,
}

impl Live {
    /// Starts following `hub`: reads a snapshot, then applies every event (all that are
    /// queued at once); reads a new snapshot whenever it falls behind.
    ///
    /// # Errors
    /// The first snapshot cannot be read.
    pub async fn follow(hub: Arc<Hub>) -> anyhow::Result<Live> {
        let mut view = HallView::default();
        let mut events = hub.subscribe();
        load(&hub, &mut view).await?;
        let cfg = hub.watch_config();
        let (tx, seq) = watch::channel(view.seq);
        let shared = Arc::new(Mutex::new(Shared {
            view,
            generation: 1,
            rendered: Arc::default(),
        }));
        let live = Live {
            shared: Arc::clone(&shared),
            cfg,
            seq,
        };
        tokio::spawn(async move {
            loop {
                // Wait for one event, then take every one already queued.
                let mut batch = vec![events.recv().await];
                loop {
                    match events.try_recv() {
                        Ok(line) => batch.push(Ok(line)),
                        Err(broadcast::error::TryRecvError::Lagged(n)) => {
                            batch.push(Err(broadcast::error::RecvError::Lagged(n)));
                        }
                        Err(_) => break,
                    }
                }
                let mut reload = false;
                {
                    // A std mutex: nothing awaits while it is held.
                    let mut s = shared.lock().expect("the web view lock");
                    for next in batch {
                        match next {
                            Ok(line) => {
                                if let Applied::Gap { .. } = s.view.apply(&line.event) {
                                    reload = true;
                                }
                            }
                            Err(broadcast::error::RecvError::Lagged(n)) => {
                                tracing::info!(missed = n, "web view fell behind; reloading");
                                reload = true;
                            }
                            Err(broadcast::error::RecvError::Closed) => return,
                        }
                    }
                    s.generation += 1;
                }
                if reload {
                    let mut fresh = HallView::default();
                    if let Err(e) = load(&hub, &mut fresh).await {
                        tracing::warn!(error = %e, "web view: cannot reload");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                    let mut s = shared.lock().expect("the web view lock");
                    s.view = fresh;
                    s.generation += 1;
                }
                let seq = shared.lock().expect("the web view lock").view.seq;
                if tx.send(seq).is_err() {
                    return; // the web server stopped
                }
            }
        });
        Ok(live)
    }

    /// Waits (briefly) until the view has applied everything the hub committed, so a phone
    /// that scans its ticket the instant it is printed finds it.
    pub async fn caught_up(&self, hub: &Hub) {
        let target = hub.committed_seq();
        let mut seq = self.seq.clone();
        let _ = tokio::time::timeout(Duration::from_secs(2), seq.wait_for(|&s| s >= target)).await;
    }

    /// Reads the view as it is now (the console's live hall).
    pub fn with_view<R>(&self, f: impl FnOnce(&HallView) -> R) -> R {
        f(&self.shared.lock().expect("the web view lock").view)
    }

    /// A receiver that wakes when the hall changed.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.seq.clone()
    }

    /// Every ticket as phones see them now, rendered if the hall changed since the last ask.
    pub fn rendered(&self) -> Arc<Rendered> {
        let mut s = self.shared.lock().expect("the web view lock");
        if s.rendered.generation != s.generation {
            let cfg = Arc::clone(&self.cfg.borrow());
            let mut fresh = render_all(&s.view, &cfg);
            fresh.generation = s.generation;
            s.rendered = Arc::new(fresh);
        }
        Arc::clone(&s.rendered)
    }

    /// The ticket `code` of today, as a phone sees it.
    pub fn ticket(&self, code: &str) -> Option<Arc<LiveJson>> {
        self.rendered().tickets.get(code).cloned()
    }
}

/// Replaces the view with a fresh snapshot from the database.
async fn load(hub: &Hub, view: &mut HallView) -> anyhow::Result<()> {
    let data = hub.welcome(0).await?;
    let (welcome, _) = data.into_welcome(&Device::internal("web", Role::Display));
    let mut fresh = HallView::default();
    fresh.apply_welcome(&welcome);
    *view = fresh;
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

/// One service of a visit, for the phone page's list of steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub name: String,
    /// `done`, `current` or `next`.
    pub state: &'static str,
}

/// The steps of a visit of several services (none for a ticket of one service).
fn steps_of(t: &Ticket, cfg: &Config) -> Vec<Step> {
    let Some(visit) = t.visit.as_ref().filter(|v| v.len() > 1) else {
        return vec![];
    };
    let at = t.step.unwrap_or(0) as usize;
    visit
        .iter()
        .enumerate()
        .map(|(i, s)| Step {
            name: cfg
                .service(s.as_str())
                .map_or_else(|| s.to_string(), |x| x.name.clone()),
            state: if i < at || (i == at && t.status == TicketStatus::Done) {
                "done"
            } else if i == at && !t.status.is_closed() {
                "current"
            } else {
                "next"
            },
        })
        .collect()
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
    /// Addition: while it waits, the estimate in words, as the kiosk and the ticket say it
    /// ("Loket belum dibuka — perkiraan dihitung saat loket buka" while no counter is open).
    pub wait_text: Option<String>,
    /// Addition: a visit's services in order and where it stands in each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Addition: while it waits and every open counter of its service is paused, the
    /// pauses in words ("Semua loket layanan ini sedang jeda: Loket 1 Salat s.d. 12:30").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_text: Option<String>,
}

/// When every open counter serving `service` is paused (and one is open at all), the
/// pauses in words, for the visitor who waits for it.
fn all_paused(view: &HallView, cfg: &Config, service: &str) -> Option<String> {
    let open: Vec<_> = cfg
        .counters_serving(service)
        .filter_map(|c| Some((c, view.counters.get(&c.id).filter(|s| s.open)?)))
        .collect();
    if open.is_empty() || open.iter().any(|(_, s)| s.paused.is_none()) {
        return None;
    }
    let each: Vec<String> = open
        .iter()
        .filter_map(|(c, s)| {
            let p = s.paused.as_ref()?;
            Some(format!(
                "{} {}",
                c.name,
                counter::pause_words(p.reason, p.until.as_deref())
            ))
        })
        .collect();
    Some(format!(
        "Semua loket layanan ini sedang jeda: {}.",
        each.join(", ")
    ))
}

/// Every ticket of today as phones see it: waiting tickets with `ahead` and the estimate by
/// the same rules as the hub's estimate at issue (the service's own queue, priority turns,
/// the median of its last finished tickets, the open counters serving it).
pub fn render_all(view: &HallView, cfg: &Config) -> Rendered {
    // Per service: the waiting tickets, to be put in calling order by age.
    let mut waiting: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in view.tickets.iter().enumerate() {
        if t.status == TicketStatus::Waiting {
            waiting.entry(t.service.as_str()).or_default().push(i);
        }
    }
    let mut estimates: HashMap<usize, estimate::Estimate> = HashMap::new();
    for (service, queue) in &mut waiting {
        // Calling order: when each joined this queue (RFC 3339 times of one zone sort as
        // text); the order of issue breaks ties.
        let joined = |i: usize| {
            let t = &view.tickets[i];
            (t.queued_at.as_deref().unwrap_or(&t.issued_at), i)
        };
        queue.sort_by(|&a, &b| joined(a).cmp(&joined(b)));
        let priorities = queue
            .iter()
            .filter(|&&i| view.tickets[i].priority.is_some())
            .count() as u32;
        let normals = queue.len() as u32 - priorities;
        // The hub's service time and open counters for it, as it sent them with the change.
        let figures = view.figures(service);
        let (service_secs, counters_open) = figures
            .map_or((f64::from(estimate::DEFAULT_SERVICE_SECS), 0), |f| {
                (f.service_secs, f.counters_open)
            });
        let serving = cfg.counters_serving(service).count() as u32;
        let (mut normal_seen, mut priority_seen) = (0, 0);
        for &i in queue.iter() {
            let priority = view.tickets[i].priority.is_some();
            let q = calling::QueueCounts {
                normal_older: normal_seen,
                normal_total: normals - u32::from(!priority),
                priority_older: priority_seen,
                priority_total: priorities - u32::from(priority),
            };
            let ahead = calling::ahead_of(q, priority, cfg.hall.queue.max_priority_in_row);
            // The hub's forecast for this ticket, as it sent it with its last change of
            // this queue; else (no counter open) the words say so.
            let code = &view.tickets[i].code;
            let wait = figures
                .filter(|_| counters_open > 0)
                .and_then(|f| f.waits.iter().find(|w| &w.code == code));
            // Beyond the tickets the hub sent a forecast for: at the pace of the last one.
            let last = figures.filter(|_| counters_open > 0).and_then(|f| {
                f.waits
                    .iter()
                    .filter(|w| w.ahead > 0)
                    .max_by_key(|w| w.ahead)
            });
            let e = match (wait, last) {
                (Some(w), _) => estimate::Estimate {
                    ahead,
                    counters_open,
                    minutes: w.min,
                    range: w.range.map(|[lo, hi]| (lo, hi)),
                },
                (None, Some(w)) => {
                    let scale = f64::from(ahead) / f64::from(w.ahead);
                    let at = |m: u32| (f64::from(m) * scale).round() as u32;
                    estimate::Estimate {
                        ahead,
                        counters_open,
                        minutes: at(w.min),
                        range: w.range.map(|[lo, hi]| (at(lo), at(hi))),
                    }
                }
                (None, None) => estimate::estimate(ahead, service_secs, counters_open, serving),
            };
            estimates.insert(i, e);
            if priority {
                priority_seen += 1;
            } else {
                normal_seen += 1;
            }
        }
    }

    // Per service: the open counters serving it and whom they serve.
    let mut serving_now: HashMap<&str, Vec<ServingNow>> = HashMap::new();
    // Today's tickets, then those given up (a phone still reads what became of its own).
    let tickets = view
        .tickets
        .iter()
        .enumerate()
        .map(|(i, t)| (t, estimates.get(&i)))
        .chain(view.cancelled.values().map(|t| (t, None)))
        .map(|(t, estimate)| {
            let mut wire = t.clone();
            if let Some(e) = estimate {
                wire.ahead = Some(e.ahead);
                wire.estimated_wait_min = Some(e.minutes);
                wire.counters_open = Some(e.counters_open);
                wire.estimated_wait_range = e.range.map(|(lo, hi)| [lo, hi]);
            }
            let service = cfg.service(t.service.as_str());
            let now = serving_now
                .entry(t.service.as_str())
                .or_insert_with(|| {
                    cfg.counters_serving(t.service.as_str())
                        .filter_map(|c| {
                            let state = view.counters.get(&c.id)?;
                            state.open.then(|| ServingNow {
                                counter: c.id.as_str().to_owned(),
                                name: c.name.clone(),
                                ticket: state.current.as_ref().map(|x| x.code.clone()),
                            })
                        })
                        .collect()
                })
                .clone();
            let ticket = LiveTicket {
                ticket: wire,
                service_name: service.map(|s| s.name.clone()).unwrap_or_default(),
                agency_name: service
                    .and_then(|s| cfg.agency(s.agency.as_str()))
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                counter_name: t
                    .counter
                    .as_ref()
                    .and_then(|c| cfg.counter(c.as_str()))
                    .map(|c| c.name.clone()),
                serving_now: now,
                wait_text: estimate.map(|e| estimate::describe(e, false).1),
                steps: steps_of(t, cfg),
                paused_text: (t.status == TicketStatus::Waiting)
                    .then(|| all_paused(view, cfg, t.service.as_str()))
                    .flatten(),
            };
            let json = serde_json::to_string(&ticket).expect("a ticket serializes");
            (t.code.clone(), Arc::new(LiveJson { ticket, json }))
        })
        .collect();
    Rendered {
        generation: 0,
        tickets,
    }
}
