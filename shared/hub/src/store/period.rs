//! What the reports read of a period of service days, in one consistent view: typed rows,
//! no arithmetic (that is the report's, and the IKM's is the core's).

use antre_core::domain::ikm::ELEMENTS;
use rusqlite::Connection;
use std::collections::HashMap;

/// One ticket's times, as the report needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTimes {
    pub service: String,
    pub first_service: String,
    pub status: String,
    pub issued_ms: i64,
    /// When it joined the queue of its (last) service: the issue, or for a visit's later
    /// service the finish of the one before.
    pub queued_ms: i64,
    pub called_ms: Option<i64>,
    pub serving_ms: Option<i64>,
    pub closed_ms: Option<i64>,
    pub counter: Option<String>,
    pub officer: Option<String>,
}

/// Refused tickets of one service for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmetCount {
    pub service: String,
    pub reason: String,
    pub count: u64,
}

/// One pause of a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseTimes {
    pub counter: String,
    pub day: String,
    pub reason: String,
    pub start_ms: i64,
    /// `None` while it lasts.
    pub end_ms: Option<i64>,
}

/// Every row of the service days `from` to `to` (both included, `YYYY-MM-DD`) that a
/// report is made of.
#[derive(Debug, Default)]
pub struct Period {
    /// In the order of issue.
    pub tickets: Vec<TicketTimes>,
    /// Visits' finished earlier steps (status `done`), each with the times of that step and
    /// its ticket's `first_service` and `issued_ms`: served, but not issued again.
    pub steps: Vec<TicketTimes>,
    /// Transfers out of each service.
    pub transferred: HashMap<String, u64>,
    /// Each survey's service and its nine raw answers, in the order of the tickets.
    pub surveys: Vec<(String, [u8; ELEMENTS])>,
    /// Most refused first.
    pub unmet: Vec<UnmetCount>,
    /// `(kind, text)` in the order they were sent.
    pub aspirations: Vec<(String, String)>,
    /// Counter pauses, in the order they began.
    pub pauses: Vec<PauseTimes>,
    /// The bookings of the days (pulled from the city's service), per service.
    pub bookings: Vec<BookingCount>,
}

/// A service's bookings of the period. `made`: not cancelled; `used`: checked in;
/// `expired`: made, unused, its session over by now (the system's clock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingCount {
    pub service: String,
    pub made: u64,
    pub used: u64,
    pub expired: u64,
    pub cancelled: u64,
}

/// Reads the period in one transaction, so its parts agree with each other while the hub
/// goes on writing.
///
/// # Errors
/// SQLite fails.
pub fn read(conn: &Connection, from: &str, to: &str) -> rusqlite::Result<Period> {
    let tx = conn.unchecked_transaction()?;
    let tickets = tx
        .prepare(
            "SELECT service, first_service, status, issued_ms, called_ms, serving_ms, closed_ms,
                    counter, officer, COALESCE(queued_ms, issued_ms)
             FROM tickets WHERE day BETWEEN ?1 AND ?2 ORDER BY id",
        )?
        .query_map([from, to], ticket_times)?
        .collect::<rusqlite::Result<_>>()?;
    let steps = tx
        .prepare(
            "SELECT vs.service, tk.first_service, 'done', tk.issued_ms, vs.called_ms,
                    vs.serving_ms, vs.closed_ms, vs.counter, vs.officer, vs.queued_ms
             FROM visit_steps vs JOIN tickets tk ON tk.id = vs.ticket
             WHERE vs.day BETWEEN ?1 AND ?2 ORDER BY vs.closed_ms",
        )?
        .query_map([from, to], ticket_times)?
        .collect::<rusqlite::Result<_>>()?;
    let transferred = tx
        .prepare(
            "SELECT tr.from_service, COUNT(*) FROM transfers tr
             JOIN tickets tk ON tk.id = tr.ticket
             WHERE tk.day BETWEEN ?1 AND ?2 GROUP BY tr.from_service",
        )?
        .query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut surveys = vec![];
    {
        let mut stmt = tx.prepare(
            "SELECT service, u1, u2, u3, u4, u5, u6, u7, u8, u9 FROM surveys
             WHERE day BETWEEN ?1 AND ?2 ORDER BY ticket",
        )?;
        let mut rows = stmt.query([from, to])?;
        while let Some(r) = rows.next()? {
            let mut answers = [0u8; ELEMENTS];
            for (i, a) in answers.iter_mut().enumerate() {
                *a = r.get(i + 1)?;
            }
            surveys.push((r.get(0)?, answers));
        }
    }
    let unmet = tx
        .prepare(
            "SELECT service, reason, COUNT(*) AS n FROM unmet_demand
             WHERE day BETWEEN ?1 AND ?2 GROUP BY service, reason
             ORDER BY n DESC, service, reason",
        )?
        .query_map([from, to], |r| {
            Ok(UnmetCount {
                service: r.get(0)?,
                reason: r.get(1)?,
                count: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let aspirations = tx
        .prepare("SELECT kind, text FROM aspirations WHERE day BETWEEN ?1 AND ?2 ORDER BY id")?
        .query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let pauses = tx
        .prepare(
            "SELECT counter, day, reason, start_ms, end_ms FROM counter_pauses
             WHERE day BETWEEN ?1 AND ?2 ORDER BY id",
        )?
        .query_map([from, to], |r| {
            Ok(PauseTimes {
                counter: r.get(0)?,
                day: r.get(1)?,
                reason: r.get(2)?,
                start_ms: r.get(3)?,
                end_ms: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let bookings = tx
        .prepare(
            "SELECT service,
                    SUM(status = 'booked'),
                    SUM(status = 'booked' AND ticket IS NOT NULL),
                    SUM(status = 'booked' AND ticket IS NULL AND ends_ms <= ?3),
                    SUM(status = 'cancelled')
             FROM bookings WHERE day BETWEEN ?1 AND ?2 GROUP BY service ORDER BY service",
        )?
        .query_map(rusqlite::params![from, to, now_ms], |r| {
            Ok(BookingCount {
                service: r.get(0)?,
                made: r.get(1)?,
                used: r.get(2)?,
                expired: r.get(3)?,
                cancelled: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Period {
        bookings,
        tickets,
        steps,
        transferred,
        surveys,
        unmet,
        aspirations,
        pauses,
    })
}

/// The schema version of a database opened for reading.
///
/// # Errors
/// SQLite fails.
pub fn schema_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// A row of `service, first_service, status, issued_ms, called_ms, serving_ms, closed_ms,
/// counter, officer, queued_ms`: a ticket's times, or a visit's finished step's.
fn ticket_times(r: &rusqlite::Row<'_>) -> rusqlite::Result<TicketTimes> {
    Ok(TicketTimes {
        service: r.get(0)?,
        first_service: r.get(1)?,
        status: r.get(2)?,
        issued_ms: r.get(3)?,
        called_ms: r.get(4)?,
        serving_ms: r.get(5)?,
        closed_ms: r.get(6)?,
        counter: r.get(7)?,
        officer: r.get(8)?,
        queued_ms: r.get(9)?,
    })
}
