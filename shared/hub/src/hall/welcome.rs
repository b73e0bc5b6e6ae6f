//! What a device gets when it connects: the hall, and either a snapshot of the day or the
//! events it missed. Read in one read transaction, so `seq` and the state agree.

use super::wire::{self, ToWire};
use crate::config::Config;
use crate::store::{self, dao::Dao};
use antre_core::domain::day::{local_time, rfc3339_ms, service_day};
use antre_core::domain::issuing;
use antre_core::domain::DeviceId;
use antre_core::proto::{
    AgencyInfo, CounterInfo, DeviceStatus, Event, HallInfo, PrinterStatus, ServiceInfo, Snapshot,
};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

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

/// Reads what a device that last applied `since` needs, in one read transaction.
///
/// # Errors
/// SQLite fails, or a stored event cannot be read.
pub fn welcome(
    conn: &Connection,
    cfg: &Config,
    now: DateTime<Utc>,
    since: u64,
) -> rusqlite::Result<WelcomeData> {
    let now_ms = now.timestamp_millis();
    store::read(conn, |view| {
        let clock_day = service_day(now, cfg.hall.timezone).to_string();
        let day = view
            .dao(&clock_day, now_ms)
            .stored_day()?
            .unwrap_or(clock_day);
        let dao = view.dao(&day, now_ms);
        let seq = dao.last_seq()?;
        let hall = hall_info(&dao, cfg, now)?;
        let resumable =
            since > 0 && since <= seq && dao.event_day(since)?.is_some_and(|d| d == day);
        let (snapshot, resume) = if resumable {
            (None, events_after(&dao, since, seq)?)
        } else {
            (Some(snapshot(&dao, cfg)?), vec![])
        };
        Ok(WelcomeData {
            seq,
            hall,
            snapshot,
            resume,
        })
    })
}

/// The events with `since` < seq ≤ `upto`, in order.
fn events_after(dao: &Dao<'_>, since: u64, upto: u64) -> rusqlite::Result<Vec<Event>> {
    dao.event_bodies(since, upto)?
        .iter()
        .map(|body| {
            serde_json::from_str(body).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
        })
        .collect()
}

/// Every ticket of the day, every counter's state, the kiosks' printers and every
/// service's figures.
fn snapshot(dao: &Dao<'_>, cfg: &Config) -> rusqlite::Result<Snapshot> {
    let tz = cfg.hall.timezone;
    // A cancelled ticket is left out: its status is newer than the contract's first
    // version, and a client written from that alone must see only the statuses it knows.
    let tickets = dao
        .tickets_of_day()?
        .iter()
        .filter(|t| t.status != antre_core::domain::TicketStatus::Cancelled)
        .map(|t| t.to_wire(tz))
        .collect();
    let counters = cfg
        .counters
        .iter()
        .map(|c| wire::counter_state(dao, &c.id, tz))
        .collect::<rusqlite::Result<_>>()?;
    let devices = dao
        .device_statuses()?
        .into_iter()
        .map(|d| DeviceStatus {
            device: DeviceId::from(d.device.as_str()),
            printer: serde_json::from_value(serde_json::Value::String(d.printer))
                .unwrap_or(PrinterStatus::NoAnswer),
            message: d.message,
            at: rfc3339_ms(d.at_ms, tz),
        })
        .collect();
    Ok(Snapshot {
        tickets,
        counters,
        devices,
        figures: super::figures::all(dao, cfg)?,
    })
}

/// The hall as the welcome describes it, with each service's `open` as of `now`.
pub(crate) fn hall_info(
    dao: &Dao<'_>,
    cfg: &Config,
    now: DateTime<Utc>,
) -> rusqlite::Result<HallInfo> {
    let now_local = local_time(now, cfg.hall.timezone);
    let counted = cfg
        .services
        .iter()
        .map(|s| super::figures::walk_ins_counted(dao, s))
        .collect::<rusqlite::Result<Vec<u32>>>()?;
    let today = chrono::NaiveDate::parse_from_str(dao.day, "%Y-%m-%d").ok();
    let holiday = today.and_then(|d| cfg.holiday(d)).is_some();
    Ok(HallInfo {
        name: cfg.hall.name.clone(),
        day: dao.day.to_owned(),
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
            .zip(counted)
            .map(|(s, counted)| ServiceInfo {
                id: s.id.clone(),
                agency: s.agency.clone(),
                name: s.name.clone(),
                prefix: s.prefix.clone(),
                daily_quota: s.daily_quota,
                // In training mode the devices see no hours either (the kiosk checks them).
                hours: cfg.issuing_hours(s).map(|h| h.to_string()),
                open: !holiday
                    && issuing::may_issue(now_local, cfg.issuing_hours(s), s.daily_quota, counted)
                        .is_ok(),
                requirements: s.requirements.clone(),
                standard_minutes: s.standard_minutes,
                max_wait_min: s.max_wait_min,
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
        bookings: cfg.hall.central.is_some(),
        // Today's and those to come: the kiosk needs no more.
        holidays: cfg
            .holidays
            .iter()
            .filter(|h| today.is_none_or(|t| h.date >= t))
            .map(|h| antre_core::proto::HolidayInfo {
                date: h.date.to_string(),
                reason: h.reason.clone(),
            })
            .collect(),
    })
}
