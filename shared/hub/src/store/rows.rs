//! Rows as the store reads them (their wire form is the hall's: `hall::wire`).

use antre_core::domain::counter::PauseReason;
use antre_core::domain::{Priority, TicketStatus};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row};

/// The columns [`TicketRow::from_row`] reads, in order.
pub const TICKET_COLS: &str =
    "id, day, prefix, number, service, priority, status, issued_ms, called_ms, counter, \
     recalls, serving_ms, closed_ms, visit, step, COALESCE(queued_ms, issued_ms), booking";

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub day: String,
    pub prefix: String,
    pub number: u32,
    pub service: String,
    pub priority: Option<Priority>,
    pub status: TicketStatus,
    pub issued_ms: i64,
    pub called_ms: Option<i64>,
    pub counter: Option<String>,
    pub recalls: u32,
    pub serving_ms: Option<i64>,
    pub closed_ms: Option<i64>,
    /// A visit's services in order; empty for a ticket of one service.
    pub visit: Vec<String>,
    /// The visit's step it is at (0 for the first service).
    pub step: u32,
    /// When it joined the queue it waits in now.
    pub queued_ms: i64,
    /// The booking it was checked in with, if any.
    pub booking: Option<String>,
}

/// A text column holding one of our enums.
struct Parsed<T>(T);

impl<T: std::str::FromStr> FromSql for Parsed<T> {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = v.as_str()?;
        s.parse()
            .map(Parsed)
            .map_err(|_| FromSqlError::Other(format!("unexpected value {s:?}").into()))
    }
}

impl TicketRow {
    pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(TicketRow {
            id: r.get(0)?,
            day: r.get(1)?,
            prefix: r.get(2)?,
            number: r.get(3)?,
            service: r.get(4)?,
            priority: r.get::<_, Option<Parsed<Priority>>>(5)?.map(|p| p.0),
            status: r.get::<_, Parsed<TicketStatus>>(6)?.0,
            issued_ms: r.get(7)?,
            called_ms: r.get(8)?,
            counter: r.get(9)?,
            recalls: r.get(10)?,
            serving_ms: r.get(11)?,
            closed_ms: r.get(12)?,
            visit: r
                .get::<_, Option<String>>(13)?
                .map(|v| v.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            step: r.get(14)?,
            queued_ms: r.get(15)?,
            booking: r.get(16)?,
        })
    }

    /// The services still to come after the current one (empty for a single service).
    pub fn services_left(&self) -> &[String] {
        self.visit.get(self.step as usize + 1..).unwrap_or(&[])
    }

    pub fn code(&self) -> String {
        antre_core::domain::TicketCode::new(self.prefix.clone(), self.number).to_string()
    }
}

pub(super) fn ticket_by_id(conn: &Connection, id: i64) -> rusqlite::Result<TicketRow> {
    conn.prepare_cached(&format!("SELECT {TICKET_COLS} FROM tickets WHERE id = ?1"))?
        .query_row([id], TicketRow::from_row)
}

pub(super) fn ticket_by_code(
    conn: &Connection,
    day: &str,
    prefix: &str,
    number: u32,
) -> rusqlite::Result<Option<TicketRow>> {
    conn.query_row(
        &format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE day = ?1 AND prefix = ?2 AND number = ?3"
        ),
        rusqlite::params![day, prefix, number],
        TicketRow::from_row,
    )
    .optional()
}

/// A counter's row for today; `None` when it has not opened today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterRow {
    pub open: bool,
    pub officer: Option<String>,
    pub current: Option<i64>,
    pub streak: u32,
    /// The pause it is in: why, until when (`HH:MM`), since when (ms).
    pub pause: Option<PauseRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseRow {
    pub reason: PauseReason,
    pub until: Option<String>,
    pub since_ms: i64,
}

pub(super) fn counter_row(conn: &Connection, id: &str, day: &str) -> rusqlite::Result<CounterRow> {
    Ok(conn
        .prepare_cached(
            "SELECT open, officer, current, streak, pause_reason, pause_until, pause_ms
             FROM counters WHERE id = ?1 AND day = ?2",
        )?
        .query_row([id, day], |r| {
            let reason: Option<Parsed<PauseReason>> = r.get(4)?;
            let since: Option<i64> = r.get(6)?;
            Ok(CounterRow {
                open: r.get(0)?,
                officer: r.get(1)?,
                current: r.get(2)?,
                streak: r.get(3)?,
                pause: match (reason, since) {
                    (Some(Parsed(reason)), Some(since_ms)) => Some(PauseRow {
                        reason,
                        until: r.get(5)?,
                        since_ms,
                    }),
                    _ => None,
                },
            })
        })
        .optional()?
        .unwrap_or_default())
}

pub(super) fn save_counter(
    conn: &Connection,
    id: &str,
    day: &str,
    c: &CounterRow,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO counters (id, day, open, officer, current, streak, pause_reason, pause_until, pause_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET day = ?2, open = ?3, officer = ?4, current = ?5, streak = ?6,
             pause_reason = ?7, pause_until = ?8, pause_ms = ?9",
    )?
    .execute(rusqlite::params![
        id,
        day,
        c.open,
        c.officer,
        c.current,
        c.streak,
        c.pause.as_ref().map(|p| p.reason.as_str()),
        c.pause.as_ref().and_then(|p| p.until.as_deref()),
        c.pause.as_ref().map(|p| p.since_ms)
    ])?;
    Ok(())
}

/// All tickets of a day, in the order of issue.
///
/// # Errors
/// SQLite fails.
pub(super) fn tickets_of_day(conn: &Connection, day: &str) -> rusqlite::Result<Vec<TicketRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TICKET_COLS} FROM tickets WHERE day = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([day], TicketRow::from_row)?;
    rows.collect()
}
