//! A busy day, simulated minute by minute through the real hall service and store: visitors take tickets at
//! the kiosks, officers call, serve, miss and transfer them, some visitors rate the service
//! and leave aspirations. Every step is a request the hub would get, committed to the SQLite
//! file, so reports and training use data made by the same code as a real day.
//!
//! `antre-hub simulate-day` runs it; the report's tests use it for a day of thousands.

use crate::config::{Config, Device};
use crate::hall::Hall;
use crate::store::SchemaError;
use antre_core::domain::ikm::ELEMENTS;
use antre_core::domain::{CounterId, Priority};
use antre_core::proto::{AspirationKind, Request, Role, ServerMessage};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub date: NaiveDate,
    /// Visitors who come for a ticket over the day.
    pub visitors: u32,
    /// The share of served visitors who fill in the survey.
    pub survey_share: f64,
    /// Visitors per aspiration.
    pub visitors_per_aspiration: u32,
    pub seed: u64,
}

impl Plan {
    pub fn new(date: NaiveDate, visitors: u32) -> Plan {
        Plan {
            date,
            visitors,
            survey_share: 0.2,
            visitors_per_aspiration: 25,
            seed: 1,
        }
    }
}

/// What the simulated day did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub issued: u64,
    pub refused: u64,
    pub served: u64,
    pub no_show: u64,
    pub transferred: u64,
    pub surveys: u64,
    pub aspirations: u64,
}

/// The share of the day's visitors who arrive in each hour from 08:00 to 15:00.
const ARRIVALS_BY_HOUR: [(u32, f64); 7] = [
    (8, 0.15),
    (9, 0.19),
    (10, 0.17),
    (11, 0.14),
    (12, 0.09),
    (13, 0.14),
    (14, 0.12),
];

const OFFICERS: [&str; 26] = [
    "Sri", "Budi", "Dewi", "Agus", "Rina", "Joko", "Wati", "Eko", "Lestari", "Hendra", "Putri",
    "Bambang", "Yuni", "Dedi", "Ratna", "Fajar", "Indah", "Rudi", "Sari", "Teguh", "Nur", "Wahyu",
    "Ayu", "Hadi", "Maya", "Irfan",
];

/// Aspirations as visitors type them: the same wish in different case and spacing.
const ASPIRATIONS: [(AspirationKind, &str); 14] = [
    (AspirationKind::MissingService, "Layanan paspor"),
    (AspirationKind::MissingService, "layanan  PASPOR"),
    (AspirationKind::MissingService, "Perpanjangan SIM"),
    (AspirationKind::MissingService, "perpanjangan sim"),
    (AspirationKind::MissingService, "Legalisir ijazah"),
    (
        AspirationKind::MissingService,
        "Layanan Kantor Pertanahan (BPN)",
    ),
    (
        AspirationKind::Suggestion,
        "Sediakan air minum di ruang tunggu",
    ),
    (AspirationKind::Suggestion, "Tambah kursi di ruang tunggu"),
    (AspirationKind::Suggestion, "tambah kursi di ruang  tunggu"),
    (AspirationKind::Suggestion, "Buka juga hari Sabtu"),
    (AspirationKind::Complaint, "AC ruang tunggu kurang dingin"),
    (AspirationKind::Complaint, "Antrean BPJS terlalu lama"),
    (AspirationKind::Complaint, "antrean bpjs terlalu lama"),
    (AspirationKind::Complaint, "Parkir motor penuh"),
];

enum Desk {
    Idle,
    Called { at: i64, shows_up: bool },
    Serving { until: i64 },
}

struct Sim {
    hall: Hall,
    rng: StdRng,
    seq: u64,
    summary: Summary,
}

impl Sim {
    fn send(&mut self, now: DateTime<Utc>, device: &Device, request: Request) -> ServerMessage {
        self.seq += 1;
        let id = format!("sim-{}", self.seq);
        self.hall.execute(now, device, &id, Ok(&request)).reply
    }
}

/// Runs the day into the database at `db` (created if missing). Deterministic for a seed.
///
/// # Errors
/// The database cannot be opened, or the config has no kiosk.
pub fn run(cfg: &Arc<Config>, db: &Path, plan: &Plan) -> anyhow::Result<Summary> {
    let store = Hall::open(db, Arc::clone(cfg)).map_err(|e: SchemaError| anyhow::anyhow!(e))?;
    let kiosks: Vec<&Device> = cfg
        .devices
        .iter()
        .filter(|d| d.role == Role::Kiosk)
        .collect();
    anyhow::ensure!(!kiosks.is_empty(), "the config has no kiosk device");
    let desks: Vec<(&CounterId, &Device)> = cfg
        .counters
        .iter()
        .filter_map(|c| {
            let device = cfg
                .devices
                .iter()
                .find(|d| d.role == Role::Counter && d.counter.as_ref() == Some(&c.id))?;
            Some((&c.id, device))
        })
        .collect();
    let mut sim = Sim {
        hall: store,
        rng: StdRng::seed_from_u64(plan.seed),
        seq: 0,
        summary: Summary::default(),
    };
    let tz = cfg.hall.timezone;
    let at = |h: u32, m: u32| -> DateTime<Utc> {
        tz.from_local_datetime(&plan.date.and_hms_opt(h, m, 0).expect("a valid time"))
            .single()
            .expect("no DST in Indonesia")
            .with_timezone(&Utc)
    };
    // Each agency's own service quality, for the answers of its visitors.
    let quality: Vec<f64> = (0..cfg.agencies.len())
        .map(|_| sim.rng.gen_range(2.9..3.7))
        .collect();
    // A little demand for services nobody serves today too.
    let weights = demand_weights(cfg, 0.5);
    let weight_sum: f64 = weights.iter().sum();

    for (i, (counter, device)) in desks.iter().enumerate() {
        sim.send(
            at(7, 50),
            device,
            Request::OpenCounter {
                counter: (*counter).clone(),
                officer: OFFICERS[i % OFFICERS.len()].to_owned(),
            },
        );
    }
    let mut state: Vec<Desk> = desks.iter().map(|_| Desk::Idle).collect();
    let mut visitors = 0u64;
    // Minute by minute from 08:00 to 17:00.
    for minute in 0..(9 * 60) {
        let now = at(8, 0) + chrono::Duration::minutes(minute);
        let hour = 8 + (minute / 60) as u32;
        let share = ARRIVALS_BY_HOUR
            .iter()
            .find(|(h, _)| *h == hour)
            .map_or(0.0, |(_, s)| *s);
        let expected = f64::from(plan.visitors) * share / 60.0;
        let mut arrivals = expected.floor() as u32;
        if sim.rng.gen_bool(expected.fract()) {
            arrivals += 1;
        }
        for _ in 0..arrivals {
            visitors += 1;
            let mut pick = sim.rng.gen_range(0.0..weight_sum);
            let service = cfg
                .services
                .iter()
                .zip(&weights)
                .find(|(_, w)| {
                    pick -= **w;
                    pick < 0.0
                })
                .map_or(&cfg.services[0], |(s, _)| s);
            let priority = match sim.rng.gen_range(0..100) {
                0..=5 => Some(Priority::Lansia),
                6..=7 => Some(Priority::Disabilitas),
                8..=9 => Some(Priority::IbuHamil),
                _ => None,
            };
            let kiosk = kiosks[sim.rng.gen_range(0..kiosks.len())];
            match sim.send(
                now,
                kiosk,
                Request::IssueTicket {
                    services: vec![],
                    service: service.id.clone(),
                    priority,
                },
            ) {
                ServerMessage::Ok(_) => sim.summary.issued += 1,
                _ => sim.summary.refused += 1,
            }
            if visitors % u64::from(plan.visitors_per_aspiration.max(1)) == 0 {
                let (kind, text) = ASPIRATIONS[sim.rng.gen_range(0..ASPIRATIONS.len())];
                sim.send(
                    now,
                    kiosk,
                    Request::Aspiration {
                        kind,
                        text: text.to_owned(),
                    },
                );
                sim.summary.aspirations += 1;
            }
        }

        let t = minute;
        for (i, (counter, device)) in desks.iter().enumerate() {
            let counter = (*counter).clone();
            match state[i] {
                Desk::Serving { until } if t >= until => {
                    let transfer = sim.rng.gen_bool(0.03);
                    let reply = if transfer {
                        let to = cfg.services[sim.rng.gen_range(0..cfg.services.len())]
                            .id
                            .clone();
                        sim.send(
                            now,
                            device,
                            Request::Transfer {
                                counter: counter.clone(),
                                to_service: to,
                            },
                        )
                    } else {
                        sim.send(
                            now,
                            device,
                            Request::Finish {
                                counter: counter.clone(),
                            },
                        )
                    };
                    if let ServerMessage::Ok(ok) = reply {
                        if transfer {
                            sim.summary.transferred += 1;
                        } else if let Some(ticket) = ok.ticket {
                            sim.summary.served += 1;
                            if sim.rng.gen_bool(plan.survey_share) {
                                let agency = cfg
                                    .agencies
                                    .iter()
                                    .position(|a| {
                                        cfg.service(ticket.service.as_str())
                                            .is_some_and(|s| s.agency == a.id)
                                    })
                                    .unwrap_or(0);
                                let answers = survey_answers(&mut sim.rng, quality[agency]);
                                let kiosk = kiosks[sim.rng.gen_range(0..kiosks.len())];
                                let later = now + chrono::Duration::minutes(1);
                                if let ServerMessage::Ok(_) = sim.send(
                                    later,
                                    kiosk,
                                    Request::Survey {
                                        ticket: ticket.code,
                                        answers,
                                        key: None,
                                    },
                                ) {
                                    sim.summary.surveys += 1;
                                }
                            }
                        }
                    }
                    state[i] = Desk::Idle;
                }
                Desk::Called { at, shows_up } if shows_up && t > at => {
                    sim.send(
                        now,
                        device,
                        Request::StartServing {
                            counter: counter.clone(),
                        },
                    );
                    let service = standard_minutes(cfg, &desk_service(&sim, &counter));
                    let spread = sim.rng.gen_range(0.2..0.7);
                    state[i] = Desk::Serving {
                        until: t + ((f64::from(service) * spread).round() as i64).max(2),
                    };
                }
                Desk::Called { at, shows_up } if !shows_up && t >= at + 3 => {
                    sim.send(
                        now,
                        device,
                        Request::NoShow {
                            counter: counter.clone(),
                        },
                    );
                    sim.summary.no_show += 1;
                    state[i] = Desk::Idle;
                }
                _ => {}
            }
            if matches!(state[i], Desk::Idle) {
                if let ServerMessage::Ok(_) = sim.send(now, device, Request::CallNext { counter }) {
                    state[i] = Desk::Called {
                        at: t,
                        shows_up: sim.rng.gen_bool(0.93),
                    };
                }
            }
        }
    }
    Ok(sim.summary)
}

/// How many visitors come for each service (the config's order), in proportion to what
/// the hall can serve of it: each counter splits its hour over its services at their
/// standard time; `extra` is added to every service.
pub fn demand_weights(cfg: &Config, extra: f64) -> Vec<f64> {
    cfg.services
        .iter()
        .map(|s| {
            let per_hour = 60.0 / f64::from(s.standard_minutes.unwrap_or(10).max(1));
            cfg.counters_serving(s.id.as_str())
                .map(|c| per_hour / c.services.len() as f64)
                .sum::<f64>()
                + extra
        })
        .collect()
}

/// The service of the ticket now at `counter`.
fn desk_service(sim: &Sim, counter: &CounterId) -> String {
    sim.hall
        .store()
        .current_service(counter.as_str())
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn standard_minutes(cfg: &Config, service: &str) -> u32 {
    cfg.service(service)
        .and_then(|s| s.standard_minutes)
        .unwrap_or(10)
}

/// Nine answers around `quality` (1..4).
fn survey_answers(rng: &mut StdRng, quality: f64) -> Vec<i64> {
    (0..ELEMENTS)
        .map(|_| {
            let x: f64 = quality + rng.gen_range(-1.2..1.2);
            x.round().clamp(1.0, 4.0) as i64
        })
        .collect()
}
