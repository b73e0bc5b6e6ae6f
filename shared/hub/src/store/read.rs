//! What a device gets when it connects: the hall, and either a snapshot of the day or the
//! events it missed. Read in one read transaction, so `seq` and the state agree.

use super::dao::Dao;
use super::rows::counter_state;
use super::rows::tickets_of_day;
use crate::config::Config;
use antre_core::domain::day::{local_time, rfc3339_ms, service_day};
use antre_core::domain::issuing;
use antre_core::domain::DeviceId;
use antre_core::proto::{
    AgencyInfo, CounterInfo, DeviceStatus, Event, Figures, HallInfo, PrinterStatus, ServiceInfo,
    Snapshot,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// The parts of a `welcome`, as of `seq`.
#[derive(Debug, Clone)]
pub struct WelcomeData {
    pub seq: u64,
    pub hall: HallInfo,
    /// Set when the device cannot resume from its `since`.
    pub snapshot: Option<Snapshot>,
    /// The events after `since`, when it can.
    pub resume: Vec<Event>,
}

impl WelcomeData {
    /// The welcome `device` is sent, and the events that follow it (a resume).
    pub fn into_welcome(
        self,
        device: &crate::config::Device,
    ) -> (antre_core::proto::Welcome, Vec<Event>) {
        let welcome = antre_core::proto::Welcome {
            protocol: antre_core::proto::PROTOCOL_VERSION,
            device: device.id.clone(),
            role: device.role,
            zone: device.zone.clone(),
            seq: self.seq,
            hall: self.hall,
            snapshot: self.snapshot,
            counter: device.counter.clone(),
        };
        (welcome, self.resume)
    }
}

/// Reads what a device that last applied `since` needs; `figures` gives every service's
/// figures from what the same read sees (the hall's rule, not the store's).
///
/// # Errors
/// SQLite fails, or a stored event cannot be read.
pub fn welcome(
    conn: &Connection,
    cfg: &Config,
    now: DateTime<Utc>,
    since: u64,
    figures: impl FnOnce(&Dao<'_>) -> rusqlite::Result<Vec<Figures>>,
) -> rusqlite::Result<WelcomeData> {
    let tx = conn.unchecked_transaction()?; // a read transaction: one consistent view
    let seq: u64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
    let day = current_day(&tx, cfg, now)?;
    let hall = hall_info(&tx, cfg, &day, now)?;

    let resumable = since > 0
        && since <= seq
        && tx
            .query_row("SELECT day FROM events WHERE seq = ?1", [since], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .is_some_and(|d| d == day);
    let (snapshot, resume) = if resumable {
        (None, events_after(&tx, since, seq)?)
    } else {
        let mut s = snapshot(&tx, cfg, &day)?;
        s.figures = figures(&Dao::new(&tx, &day, now.timestamp_millis()))?;
        (Some(s), vec![])
    };
    tx.finish()?;
    Ok(WelcomeData {
        seq,
        hall,
        snapshot,
        resume,
    })
}

/// The service day the store is on (the clock's if nothing was stored yet).
pub fn current_day(
    conn: &Connection,
    cfg: &Config,
    now: DateTime<Utc>,
) -> rusqlite::Result<String> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'day'", [], |r| r.get(0))
        .optional()?;
    Ok(stored.unwrap_or_else(|| service_day(now, cfg.hall.timezone).to_string()))
}

/// The events with `since` < seq ≤ `upto`, in order.
pub fn events_after(conn: &Connection, since: u64, upto: u64) -> rusqlite::Result<Vec<Event>> {
    let mut stmt =
        conn.prepare_cached("SELECT body FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq")?;
    let rows = stmt.query_map([since, upto], |r| r.get::<_, String>(0))?;
    rows.map(|body| {
        let body = body?;
        serde_json::from_str(&body).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .collect()
}

/// Every ticket of `day` and every counter's state.
pub fn snapshot(conn: &Connection, cfg: &Config, day: &str) -> rusqlite::Result<Snapshot> {
    let tz = cfg.hall.timezone;
    let tickets = tickets_of_day(conn, day)?
        .iter()
        .map(|t| t.to_wire(tz))
        .collect();
    let counters = cfg
        .counters
        .iter()
        .map(|c| counter_state(conn, c.id.as_str(), day, tz))
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT device, printer, message, at_ms FROM device_status ORDER BY device",
    )?;
    let devices = stmt
        .query_map([], |r| {
            let printer: String = r.get(1)?;
            Ok(DeviceStatus {
                device: DeviceId::from(r.get::<_, String>(0)?.as_str()),
                printer: serde_json::from_value(serde_json::Value::String(printer))
                    .unwrap_or(PrinterStatus::NoAnswer),
                message: r.get(2)?,
                at: rfc3339_ms(r.get(3)?, tz),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Snapshot {
        tickets,
        counters,
        devices,
        figures: vec![],
    })
}

/// The hall as the welcome describes it, with each service's `open` as of `now`.
pub fn hall_info(
    conn: &Connection,
    cfg: &Config,
    day: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<HallInfo> {
    let mut issued: HashMap<String, u32> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT first_service, COUNT(*) FROM tickets WHERE day = ?1 GROUP BY first_service",
    )?;
    for row in stmt.query_map([day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))? {
        let (s, n) = row?;
        issued.insert(s, n);
    }
    let now_local = local_time(now, cfg.hall.timezone);
    Ok(HallInfo {
        name: cfg.hall.name.clone(),
        day: day.to_owned(),
        agencies: cfg
            .agencies
            .iter()
            .map(|a| AgencyInfo {
                id: a.id.clone(),
                name: a.name.clone(),
                color: a.color.clone(),
            })
            .collect(),
        services: cfg
            .services
            .iter()
            .map(|s| ServiceInfo {
                id: s.id.clone(),
                agency: s.agency.clone(),
                name: s.name.clone(),
                prefix: s.prefix.clone(),
                daily_quota: s.daily_quota,
                hours: s.hours.map(|h| h.to_string()),
                open: issuing::may_issue(
                    now_local,
                    s.hours,
                    s.daily_quota,
                    issued.get(s.id.as_str()).copied().unwrap_or(0),
                )
                .is_ok(),
                requirements: s.requirements.clone(),
                standard_minutes: s.standard_minutes,
            })
            .collect(),
        counters: cfg
            .counters
            .iter()
            .map(|c| CounterInfo {
                id: c.id.clone(),
                name: c.name.clone(),
                services: c.services.clone(),
            })
            .collect(),
        timezone: Some(cfg.hall.timezone.name().to_owned()),
        running_text: cfg.hall.running_text.clone(),
        public_url: cfg.hall.public_url.clone(),
    })
}
