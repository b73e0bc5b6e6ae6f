//! The forecast's board (every waiting ticket and counter, kept in the writer's memory and
//! brought up to date with only what each change named) against its oracle: a fresh read of
//! the real SQLite file after every request of a long, mixed day on the sample hall, refused
//! requests (rolled back) and a new service day included.

use antre_core::domain::counter::PauseReason;
use antre_core::domain::{CounterId, Priority, ServiceId};
use antre_core::proto::{Request, Role, ServerMessage};
use antre_hub::config::Config;
use antre_hub::hall::Hall;
use chrono::{DateTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

fn jakarta(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn the_board_equals_the_store_after_every_change() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    ))
    .unwrap();
    let cfg = Arc::new(Config::parse(&text).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut hall = Hall::open(&dir.path().join("hall.db"), Arc::clone(&cfg)).unwrap();
    let kiosk = cfg.devices.iter().find(|d| d.role == Role::Kiosk).unwrap();
    let desks: Vec<_> = cfg
        .devices
        .iter()
        .filter(|d| d.role == Role::Counter)
        .collect();
    let services: Vec<ServiceId> = cfg.services.iter().map(|s| s.id.clone()).collect();
    let mut rng = StdRng::seed_from_u64(12);
    let mut now = jakarta(27, 8, 0);
    let mut codes: Vec<String> = vec![];
    let (mut oks, mut refusals) = (0, 0);
    for step in 0..1500 {
        // The next morning, half-way: the board must move to the new day.
        if step == 1000 {
            now = jakarta(28, 8, 0);
            codes.clear();
        }
        now += chrono::Duration::seconds(rng.gen_range(1..40));
        let desk = desks[rng.gen_range(0..desks.len())];
        let counter: CounterId = desk.counter.clone().unwrap();
        let mine = cfg.counter(counter.as_str()).unwrap().services.clone();
        let (device, request) = match rng.gen_range(0..100) {
            0..=34 => {
                let first = services[rng.gen_range(0..services.len())].clone();
                let extra = if rng.gen_bool(0.15) {
                    vec![
                        first.clone(),
                        services[rng.gen_range(0..services.len())].clone(),
                    ]
                } else {
                    vec![]
                };
                let priority = rng.gen_bool(0.15).then_some(Priority::Lansia);
                (
                    kiosk,
                    Request::IssueTicket {
                        service: first,
                        priority,
                        services: extra,
                    },
                )
            }
            35..=39 => (
                desk,
                Request::OpenCounter {
                    counter,
                    officer: "Sri".into(),
                },
            ),
            40..=56 => (desk, Request::CallNext { counter }),
            57..=59 if !codes.is_empty() => (
                desk,
                Request::CallTicket {
                    counter,
                    ticket: codes[rng.gen_range(0..codes.len())].clone(),
                },
            ),
            60..=62 => (desk, Request::Recall { counter }),
            63..=67 => (desk, Request::StartServing { counter }),
            68..=80 => (desk, Request::Finish { counter }),
            81..=84 => (desk, Request::NoShow { counter }),
            85..=86 => (
                desk,
                Request::Transfer {
                    counter,
                    to_service: mine[rng.gen_range(0..mine.len())].clone(),
                },
            ),
            87..=89 => (
                desk,
                Request::PauseCounter {
                    counter,
                    reason: PauseReason::Salat,
                    until: rng.gen_bool(0.5).then(|| "12:30".to_owned()),
                },
            ),
            90..=93 => (desk, Request::ResumeCounter { counter }),
            94..=95 => (desk, Request::CloseCounter { counter }),
            _ if !codes.is_empty() => {
                let admin = cfg.devices.iter().find(|d| d.role == Role::Admin);
                match admin {
                    Some(admin) => (
                        admin,
                        Request::CancelTicket {
                            ticket: codes[rng.gen_range(0..codes.len())].clone(),
                            key: None,
                        },
                    ),
                    None => (desk, Request::Finish { counter }),
                }
            }
            _ => (desk, Request::CallNext { counter }),
        };
        let out = hall.execute(now, device, &format!("r{step}"), Ok(&request));
        match &out.reply {
            ServerMessage::Ok(ok) => {
                oks += 1;
                if let (Request::IssueTicket { .. }, Some(t)) = (&request, &ok.ticket) {
                    codes.push(t.code.clone());
                }
            }
            _ => refusals += 1,
        }
        assert!(
            hall.board_is_current(now).unwrap(),
            "step {step}: after {request:?} ({:?}) the board differs from the store",
            out.reply
        );
    }
    // The day was mixed: both kinds happened often.
    assert!(oks > 600 && refusals > 150, "{oks} ok, {refusals} refused");
}
