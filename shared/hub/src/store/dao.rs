//! The store's typed reads and writes, one method per statement. A [`Dao`] lives inside a
//! transaction ([`Store::write`](super::Store::write)) or on a reader connection; it knows
//! rows and ids, not the protocol, and applies no rule of the hall.

use super::rows::{counter_row, save_counter, ticket_by_code, ticket_by_id, CounterRow, TicketRow};
use antre_core::domain::calling::{Candidate, QueueCounts};
use antre_core::domain::{Priority, ServiceId, TicketStatus};
use rusqlite::{params, Connection, OptionalExtension};

/// A booking as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRow {
    pub code: String,
    pub day: String,
    pub service: String,
    /// `HH:MM-HH:MM`.
    pub session: String,
    pub ends_ms: i64,
    pub name: String,
    /// Masked.
    pub phone: String,
    /// `booked` or `cancelled`.
    pub status: String,
    /// The ticket it was checked in as.
    pub ticket: Option<i64>,
}

/// What a new ticket is made of ([`Dao::insert_ticket`]).
#[derive(Debug, Clone, Copy)]
pub struct NewTicket<'a> {
    pub prefix: &'a str,
    pub number: u32,
    /// Its (first) service.
    pub service: &'a str,
    pub priority: Option<Priority>,
    /// The device that issued it.
    pub device: &'a str,
    pub key: &'a str,
    /// A visit's services, comma-separated; `None` for one service.
    pub visit: Option<&'a str>,
    /// The booking it is checked in with, if any.
    pub booking: Option<&'a str>,
}

/// Typed access to the database for one service day at one instant.
pub struct Dao<'a> {
    conn: &'a Connection,
    /// The service day (`YYYY-MM-DD`) the rows are read and written for.
    pub day: &'a str,
    /// The instant a write is stamped with.
    pub now_ms: i64,
}

/// A kiosk's last printer report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStatusRow {
    pub device: String,
    /// As the protocol names it (`ok`, `paper_out`, …).
    pub printer: String,
    pub message: Option<String>,
    pub at_ms: i64,
}

/// A waiting ticket, for the forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    pub id: i64,
    pub service: String,
    pub queued_ms: i64,
    pub priority: bool,
    pub code: String,
}

/// What [`Dao::issued_since`] counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuedSince {
    /// Per service: (issued, of which priority) in the window.
    pub per_service: std::collections::HashMap<String, (u32, u32)>,
    /// The whole day so far.
    pub all: u32,
    pub priority: u32,
    pub first: Option<i64>,
}

/// A closed ticket, for what the forecast learns of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedRow {
    pub service: String,
    pub counter: String,
    pub called_ms: i64,
    pub closed_ms: i64,
    /// Finished (else not present).
    pub finished: bool,
}

impl<'a> Dao<'a> {
    pub fn new(conn: &'a Connection, day: &'a str, now_ms: i64) -> Dao<'a> {
        Dao { conn, day, now_ms }
    }

    /// The connection, for the store's other row modules.
    pub(super) fn conn(&self) -> &'a Connection {
        self.conn
    }

    // --- meta and the day -------------------------------------------------------------

    /// The service day the store is at (`None` on a new database).
    ///
    /// # Errors
    /// SQLite fails (as every method here).
    pub fn stored_day(&self) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'day'")?
            .query_row([], |r| r.get(0))
            .optional()
    }

    /// Moves the store to `day`: request ids of earlier days are forgotten and every
    /// officer's session still open is closed now.
    pub fn start_day(&self, day: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('day', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
            [day],
        )?;
        self.conn
            .execute("DELETE FROM requests WHERE day < ?1", [day])?;
        self.conn.execute(
            "UPDATE counter_sessions SET closed_ms = ?1 WHERE closed_ms IS NULL",
            [self.now_ms],
        )?;
        self.conn.execute(
            "UPDATE counter_pauses SET end_ms = ?1 WHERE end_ms IS NULL",
            [self.now_ms],
        )?;
        Ok(())
    }

    /// Drops the event log of days before `day`, up to `seq` at most (the events the
    /// city's service has not stored yet stay).
    pub fn prune_events_before(&self, day: &str, up_to_seq: u64) -> rusqlite::Result<()> {
        let up_to = i64::try_from(up_to_seq).unwrap_or(i64::MAX);
        self.conn.execute(
            "DELETE FROM events WHERE day < ?1 AND seq <= ?2",
            params![day, up_to],
        )?;
        Ok(())
    }

    /// The random id of this database's event log, made when it was created (the city's
    /// service keys a hall's events by it).
    pub fn epoch(&self) -> rusqlite::Result<String> {
        self.conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'epoch'")?
            .query_row([], |r| r.get(0))
    }

    /// Up to `limit` events after `seq`, in order, as stored (protocol lines).
    pub fn events_after(&self, seq: u64, limit: u32) -> rusqlite::Result<Vec<(u64, String)>> {
        self.conn
            .prepare_cached("SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?
            .query_map(
                params![i64::try_from(seq).unwrap_or(i64::MAX), limit],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect()
    }

    // --- requests and events ------------------------------------------------------------

    /// The newest event's `seq`.
    pub fn last_seq(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
    }

    /// When the newest kept event happened (ms since the epoch), if there is one.
    pub fn newest_event_ms(&self) -> rusqlite::Result<Option<i64>> {
        self.conn
            .query_row("SELECT max(at_ms) FROM events", [], |r| r.get(0))
    }

    /// The service day of event `seq`, if it is kept.
    pub fn event_day(&self, seq: u64) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row("SELECT day FROM events WHERE seq = ?1", [seq], |r| r.get(0))
            .optional()
    }

    /// The stored events with `since` < seq ≤ `upto`, in order, as they were stored.
    pub fn event_bodies(&self, since: u64, upto: u64) -> rusqlite::Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT body FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq")?
            .query_map([since, upto], |r| r.get(0))?
            .collect()
    }

    /// The reply stored for `device`'s request `id` today, as it was sent.
    pub fn stored_reply(&self, device: &str, id: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT reply FROM requests WHERE device = ?1 AND day = ?2 AND id = ?3",
            )?
            .query_row([device, self.day, id], |r| r.get(0))
            .optional()
    }

    pub fn store_reply(&self, device: &str, id: &str, reply: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO requests (device, day, id, reply) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute([device, self.day, id, reply])?;
        Ok(())
    }

    pub fn append_event(&self, seq: u64, body: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT INTO events (seq, day, at_ms, body) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![seq, self.day, self.now_ms, body])?;
        Ok(())
    }

    pub fn record_unmet(&self, service: &str, reason: &str, device: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO unmet_demand (day, at_ms, service, reason, device) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.day, self.now_ms, service, reason, device],
        )?;
        Ok(())
    }

    /// Marks where a request starts, so a refusal can take back what it wrote.
    pub fn begin_request(&self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("SAVEPOINT request")?.execute([])?;
        Ok(())
    }

    /// Keeps what the request wrote.
    pub fn keep_request(&self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("RELEASE request")?.execute([])?;
        Ok(())
    }

    /// Takes back everything the request wrote since [`Dao::begin_request`].
    pub fn undo_request(&self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("ROLLBACK TO request; RELEASE request")
    }

    // --- tickets --------------------------------------------------------------------------

    /// Every ticket of the day, in the order of issue.
    pub fn tickets_of_day(&self) -> rusqlite::Result<Vec<TicketRow>> {
        super::rows::tickets_of_day(self.conn, self.day)
    }

    /// Tickets issued today per service they were issued for.
    pub fn issued_per_service(&self) -> rusqlite::Result<std::collections::HashMap<String, u32>> {
        self.conn
            .prepare_cached(
                "SELECT first_service, COUNT(*) FROM tickets WHERE day = ?1 GROUP BY first_service",
            )?
            .query_map([self.day], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    }

    pub fn ticket(&self, id: i64) -> rusqlite::Result<TicketRow> {
        ticket_by_id(self.conn, id)
    }

    pub fn ticket_by_code(&self, prefix: &str, number: u32) -> rusqlite::Result<Option<TicketRow>> {
        ticket_by_code(self.conn, self.day, prefix, number)
    }

    /// Tickets `device` issued after `since_ms`.
    pub fn issued_by_device_since(&self, device: &str, since_ms: i64) -> rusqlite::Result<u32> {
        self.conn.query_row(
            "SELECT COUNT(*) FROM tickets WHERE device = ?1 AND issued_ms > ?2",
            params![device, since_ms],
            |r| r.get(0),
        )
    }

    /// Tickets issued today for `service`: the service they were issued for, or a later
    /// service of their visit (which counts against its quota from the issue on).
    pub fn issued_for(&self, service: &str) -> rusqlite::Result<u32> {
        self.conn
            .prepare_cached(
                "SELECT (SELECT COUNT(*) FROM tickets WHERE day = ?1 AND first_service = ?2)
                      + (SELECT COUNT(*) FROM tickets INDEXED BY tickets_visits
                         WHERE day = ?1 AND visit IS NOT NULL AND first_service <> ?2
                           AND instr(',' || visit || ',', ',' || ?2 || ',') > 0)",
            )?
            .query_row(params![self.day, service], |r| r.get(0))
    }

    /// A visit's ticket moves on to its next service: waiting again, for `service` at
    /// `step`, in that queue from now; its counter and call are cleared for the next one.
    pub fn requeue(&self, ticket: i64, step: u32, service: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE tickets SET status = 'waiting', step = ?2, service = ?3, queued_ms = ?4,
                   counter = NULL, called_ms = NULL, serving_ms = NULL, recalls = 0
                 WHERE id = ?1",
            )?
            .execute(params![ticket, step, service, self.now_ms])?;
        Ok(())
    }

    /// Keeps the times of the step `ticket` finishes now (before [`Dao::requeue`] moves it
    /// on): its service, wait, counter and officer.
    pub fn record_step(&self, ticket: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO visit_steps (ticket, day, step, service, queued_ms, called_ms,
                   serving_ms, closed_ms, counter, officer)
                 SELECT id, day, step, service, COALESCE(queued_ms, issued_ms), called_ms,
                   serving_ms, ?2, counter, officer
                 FROM tickets WHERE id = ?1",
            )?
            .execute(params![ticket, self.now_ms])?;
        Ok(())
    }

    /// Replaces a visit's service at its current step (a transfer).
    pub fn set_visit(&self, ticket: i64, visit: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE tickets SET visit = ?2 WHERE id = ?1")?
            .execute(params![ticket, visit])?;
        Ok(())
    }

    /// The next number of `prefix` today. Inside the writer's IMMEDIATE transaction nobody
    /// else writes, so MAX + 1 is never given twice; UNIQUE (day, prefix, number) guards it
    /// anyway.
    pub fn next_number(&self, prefix: &str) -> rusqlite::Result<u32> {
        self.conn
            .prepare_cached(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM tickets WHERE day = ?1 AND prefix = ?2",
            )?
            .query_row(params![self.day, prefix], |r| r.get(0))
    }

    /// A new waiting ticket; returns its id.
    pub fn insert_ticket(&self, t: &NewTicket<'_>) -> rusqlite::Result<i64> {
        let NewTicket {
            prefix,
            number,
            service,
            priority,
            device,
            key,
            visit,
            booking,
        } = *t;
        self.conn
            .prepare_cached(
                "INSERT INTO tickets (day, prefix, number, service, first_service, priority, status, issued_ms, queued_ms, device, key, visit, booking)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, 'waiting', ?6, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                self.day,
                prefix,
                number,
                service,
                priority.map(Priority::as_str),
                self.now_ms,
                device,
                key,
                visit,
                booking
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The ticket's key; `None` for tickets from before keys.
    pub fn ticket_key(&self, ticket: i64) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT key FROM tickets WHERE id = ?1")?
            .query_row(params![ticket], |r| r.get(0))
    }

    /// Sets a ticket's status and stamps the time that goes with it.
    pub fn set_status(&self, ticket: i64, status: TicketStatus) -> rusqlite::Result<()> {
        let time_col = match status {
            TicketStatus::Serving => "serving_ms",
            TicketStatus::Done | TicketStatus::NoShow | TicketStatus::Cancelled => "closed_ms",
            TicketStatus::Called => "called_ms",
            TicketStatus::Waiting => unreachable!("waiting is set by issue and transfer"),
        };
        self.conn
            .prepare_cached(&format!(
                "UPDATE tickets SET status = ?1, {time_col} = ?2 WHERE id = ?3"
            ))?
            .execute(params![status.as_str(), self.now_ms, ticket])?;
        Ok(())
    }

    /// The ticket is called to `counter` by `officer` now (recalls start again at 0).
    pub fn mark_called(
        &self,
        ticket: i64,
        counter: &str,
        officer: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE tickets SET status = 'called', called_ms = ?1, counter = ?2, officer = ?3, recalls = 0 WHERE id = ?4",
            )?
            .execute(params![self.now_ms, counter, officer, ticket])?;
        Ok(())
    }

    pub fn add_recall(&self, ticket: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE tickets SET recalls = recalls + 1 WHERE id = ?1")?
            .execute([ticket])?;
        Ok(())
    }

    /// Back to waiting, for `service`, keeping its `queued_ms`; the transfer is
    /// recorded with where it came from.
    pub fn transfer(
        &self,
        ticket: &TicketRow,
        to: &str,
        counter: &str,
        officer: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE tickets SET service = ?1, status = 'waiting', called_ms = NULL, serving_ms = NULL,
                 counter = NULL, officer = NULL, recalls = 0 WHERE id = ?2",
            )?
            .execute(params![to, ticket.id])?;
        self.conn
            .prepare_cached(
                "INSERT INTO transfers (ticket, at_ms, from_service, to_service, counter, officer) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![ticket.id, self.now_ms, ticket.service, to, counter, officer])?;
        Ok(())
    }

    // --- queues ---------------------------------------------------------------------------

    /// The head of each group (normal, priority) of each of `services` today: all that
    /// `calling::pick_next` looks at, read from the index without reading the queues.
    pub fn queue_heads(&self, services: &[ServiceId]) -> rusqlite::Result<Vec<Candidate>> {
        let mut out = vec![];
        for priority in [false, true] {
            let mut stmt = self.conn.prepare_cached(if priority {
                "SELECT id, queued_ms FROM tickets
                 WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NOT NULL
                 ORDER BY queued_ms, id LIMIT 1"
            } else {
                "SELECT id, queued_ms FROM tickets
                 WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NULL
                 ORDER BY queued_ms, id LIMIT 1"
            })?;
            for s in services {
                let head = stmt
                    .query_row(params![self.day, s.as_str()], |r| {
                        Ok(Candidate {
                            issue_order: r.get(0)?,
                            queued_ms: r.get(1)?,
                            priority,
                        })
                    })
                    .optional()?;
                out.extend(head);
            }
        }
        Ok(out)
    }

    /// Whether a normal ticket other than `except` waits for one of `services`.
    pub fn normal_waiting(&self, services: &[ServiceId], except: i64) -> rusqlite::Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM tickets
             WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND priority IS NULL AND id != ?3)",
        )?;
        for s in services {
            if stmt.query_row(params![self.day, s.as_str(), except], |r| {
                r.get::<_, bool>(0)
            })? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The waiting tickets of `t`'s queue counted relative to `t`, in one pass over the
    /// queue's index entries.
    pub fn queue_counts(&self, t: &TicketRow) -> rusqlite::Result<QueueCounts> {
        self.conn
            .prepare_cached(
                "SELECT
                   COALESCE(SUM(priority IS NULL AND (queued_ms < ?3 OR (queued_ms = ?3 AND id < ?4))), 0),
                   COALESCE(SUM(priority IS NULL), 0),
                   COALESCE(SUM(priority IS NOT NULL AND (queued_ms < ?3 OR (queued_ms = ?3 AND id < ?4))), 0),
                   COALESCE(SUM(priority IS NOT NULL), 0)
                 FROM tickets WHERE day = ?1 AND status = 'waiting' AND service = ?2 AND id != ?4",
            )?
            .query_row(params![self.day, t.service, t.queued_ms, t.id], |r| {
                Ok(QueueCounts {
                    normal_older: r.get(0)?,
                    normal_total: r.get(1)?,
                    priority_older: r.get(2)?,
                    priority_total: r.get(3)?,
                })
            })
    }

    /// Every waiting ticket of the day, for the forecast (in no order: sorting a few
    /// hundred rows is cheaper in Rust than in SQLite's sorter).
    pub fn waiting_all(&self) -> rusqlite::Result<Vec<WaitingRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, service, queued_ms, priority IS NOT NULL, prefix, number FROM tickets
                 WHERE day = ?1 AND status = 'waiting'",
            )?
            .query_map([self.day], |r| {
                Ok(WaitingRow {
                    id: r.get(0)?,
                    service: r.get(1)?,
                    queued_ms: r.get(2)?,
                    priority: r.get(3)?,
                    code: antre_core::domain::TicketCode::new(r.get::<_, String>(4)?, r.get(5)?)
                        .to_string(),
                })
            })?
            .collect()
    }

    /// The ticket `prefix`-`number` of the day, if it is waiting (for the forecast's board).
    pub fn waiting_one(&self, prefix: &str, number: u32) -> rusqlite::Result<Option<WaitingRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, service, queued_ms, priority IS NOT NULL FROM tickets
                 WHERE day = ?1 AND prefix = ?2 AND number = ?3 AND status = 'waiting'",
            )?
            .query_row(rusqlite::params![self.day, prefix, number], |r| {
                Ok(WaitingRow {
                    id: r.get(0)?,
                    service: r.get(1)?,
                    queued_ms: r.get(2)?,
                    priority: r.get(3)?,
                    code: antre_core::domain::TicketCode::new(prefix, number).to_string(),
                })
            })
            .optional()
    }

    /// Tickets of the day closed (finished or not present) after `since_ms`, and visits'
    /// finished earlier steps, newest close first.
    pub fn closed_since(&self, since_ms: i64) -> rusqlite::Result<Vec<ClosedRow>> {
        self.conn
            .prepare_cached(
                "SELECT service, counter, called_ms, closed_ms, status = 'done' FROM tickets
                 WHERE day = ?1 AND status IN ('done', 'no_show') AND closed_ms > ?2
                   AND called_ms IS NOT NULL AND counter IS NOT NULL
                 UNION ALL
                 SELECT service, counter, called_ms, closed_ms, 1 FROM visit_steps
                 WHERE day = ?1 AND closed_ms > ?2 AND called_ms IS NOT NULL
                   AND counter IS NOT NULL
                 ORDER BY 4 DESC",
            )?
            .query_map(params![self.day, since_ms], |r| {
                Ok(ClosedRow {
                    service: r.get(0)?,
                    counter: r.get(1)?,
                    called_ms: r.get(2)?,
                    closed_ms: r.get(3)?,
                    finished: r.get(4)?,
                })
            })?
            .collect()
    }

    /// The visits under way (called or being served): (service, called_ms).
    pub fn visits_under_way(&self) -> rusqlite::Result<Vec<(String, i64)>> {
        self.conn
            .prepare_cached(
                "SELECT service, called_ms FROM tickets
                 WHERE day = ?1 AND status IN ('called', 'serving') AND called_ms IS NOT NULL",
            )?
            .query_map([self.day], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    }

    /// Tickets issued after `since_ms` per service they were issued for, with how many of
    /// them had priority; and of the whole day so far: all, priority, the first issue.
    pub fn issued_since(&self, since_ms: i64) -> rusqlite::Result<IssuedSince> {
        let per_service = self
            .conn
            .prepare_cached(
                "SELECT first_service, COUNT(*), COALESCE(SUM(priority IS NOT NULL), 0) FROM tickets
                 WHERE day = ?1 AND issued_ms > ?2 GROUP BY first_service",
            )?
            .query_map(params![self.day, since_ms], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (all, priority, first) = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(priority IS NOT NULL), 0), MIN(issued_ms)
                 FROM tickets WHERE day = ?1",
            )?
            .query_row([self.day], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(IssuedSince {
            per_service,
            all,
            priority,
            first,
        })
    }

    /// The times (s) of `service`'s last `recent` finished tickets, newest first.
    pub fn recent_times(&self, service: &str, recent: usize) -> rusqlite::Result<Vec<u32>> {
        self.conn
            .prepare_cached(
                "SELECT closed_ms - called_ms FROM tickets
                 WHERE day = ?1 AND service = ?2 AND status = 'done' AND called_ms IS NOT NULL
                 ORDER BY closed_ms DESC LIMIT ?3",
            )?
            .query_map(params![self.day, service, recent as i64], |r| {
                r.get::<_, i64>(0)
            })?
            .map(|ms| ms.map(|ms| (ms.max(0) / 1000) as u32))
            .collect()
    }

    // --- counters -------------------------------------------------------------------------

    /// A counter's row today (closed and empty when it has not opened today).
    pub fn counter(&self, id: &str) -> rusqlite::Result<CounterRow> {
        counter_row(self.conn, id, self.day)
    }

    pub fn save_counter(&self, id: &str, row: &CounterRow) -> rusqlite::Result<()> {
        save_counter(self.conn, id, self.day, row)
    }

    /// Ends the open officer's session at `counter`, if any.
    pub fn close_session(&self, counter: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE counter_sessions SET closed_ms = ?1 WHERE counter = ?2 AND closed_ms IS NULL",
            )?
            .execute(params![self.now_ms, counter])?;
        Ok(())
    }

    /// A pause of `counter` begins now (for the reports).
    pub fn open_pause(
        &self,
        counter: &str,
        reason: &str,
        until: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO counter_pauses (counter, day, reason, until, start_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![counter, self.day, reason, until, self.now_ms])?;
        Ok(())
    }

    /// The pause of `counter` under way, if any, ends now.
    pub fn close_pause(&self, counter: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE counter_pauses SET end_ms = ?1 WHERE counter = ?2 AND end_ms IS NULL",
            )?
            .execute(params![self.now_ms, counter])?;
        Ok(())
    }

    pub fn open_session(&self, counter: &str, officer: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO counter_sessions (counter, officer, day, opened_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![counter, officer, self.day, self.now_ms])?;
        Ok(())
    }

    // --- bookings (CENTRAL.md) ----------------------------------------------------------------

    /// Keeps a booking pulled from the city's service: new, or its status brought up to date
    /// (a booking checked in here stays checked in whatever the service says).
    pub fn save_booking(&self, b: &BookingRow) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO bookings (code, day, service, session, ends_ms, name, phone, status, ticket, pulled_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)
                 ON CONFLICT (code) DO UPDATE SET status = ?8, session = ?4, ends_ms = ?5,
                   service = ?3, day = ?2, pulled_ms = ?9",
            )?
            .execute(params![
                b.code, b.day, b.service, b.session, b.ends_ms, b.name, b.phone, b.status, self.now_ms
            ])?;
        Ok(())
    }

    pub fn booking(&self, code: &str) -> rusqlite::Result<Option<BookingRow>> {
        self.conn
            .prepare_cached(
                "SELECT code, day, service, session, ends_ms, name, phone, status, ticket
                 FROM bookings WHERE code = ?1",
            )?
            .query_row([code], |r| {
                Ok(BookingRow {
                    code: r.get(0)?,
                    day: r.get(1)?,
                    service: r.get(2)?,
                    session: r.get(3)?,
                    ends_ms: r.get(4)?,
                    name: r.get(5)?,
                    phone: r.get(6)?,
                    status: r.get(7)?,
                    ticket: r.get(8)?,
                })
            })
            .optional()
    }

    /// The booking was checked in as `ticket`.
    pub fn use_booking(&self, code: &str, ticket: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE bookings SET ticket = ?2 WHERE code = ?1")?
            .execute(params![code, ticket])?;
        Ok(())
    }

    /// The day's bookings of `service` that still hold a seat now: booked, not checked in,
    /// their session not over.
    pub fn held_bookings(&self, service: &str) -> rusqlite::Result<u32> {
        self.conn
            .prepare_cached(
                "SELECT COUNT(*) FROM bookings INDEXED BY bookings_of_day
                 WHERE day = ?1 AND service = ?2 AND status = 'booked' AND ticket IS NULL
                   AND ends_ms > ?3",
            )?
            .query_row(params![self.day, service, self.now_ms], |r| r.get(0))
    }

    // --- the ruang aspirasi and devices -----------------------------------------------------

    pub fn rated(&self, ticket: i64) -> rusqlite::Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT ticket FROM surveys WHERE ticket = ?1",
                [ticket],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some())
    }

    /// A survey of a served ticket: its nine raw answers, nothing about the person.
    pub fn insert_survey(
        &self,
        ticket: &TicketRow,
        answers: &[u8; 9],
        device: &str,
    ) -> rusqlite::Result<()> {
        let a = answers;
        self.conn.execute(
            "INSERT INTO surveys (ticket, day, at_ms, service, u1, u2, u3, u4, u5, u6, u7, u8, u9, device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                ticket.id, self.day, self.now_ms, ticket.service, a[0], a[1], a[2], a[3], a[4], a[5],
                a[6], a[7], a[8], device
            ],
        )?;
        Ok(())
    }

    pub fn insert_aspiration(&self, kind: &str, text: &str, device: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO aspirations (day, at_ms, kind, text, device) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![self.day, self.now_ms, kind, text, device])?;
        Ok(())
    }

    /// Every kiosk's last printer report, by device.
    pub fn device_statuses(&self) -> rusqlite::Result<Vec<DeviceStatusRow>> {
        self.conn
            .prepare_cached(
                "SELECT device, printer, message, at_ms FROM device_status ORDER BY device",
            )?
            .query_map([], |r| {
                Ok(DeviceStatusRow {
                    device: r.get(0)?,
                    printer: r.get(1)?,
                    message: r.get(2)?,
                    at_ms: r.get(3)?,
                })
            })?
            .collect()
    }

    /// The printer status `device` last reported: (status, message).
    pub fn device_status(
        &self,
        device: &str,
    ) -> rusqlite::Result<Option<(String, Option<String>)>> {
        self.conn
            .query_row(
                "SELECT printer, message FROM device_status WHERE device = ?1",
                [device],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
    }

    pub fn save_device_status(
        &self,
        device: &str,
        printer: &str,
        message: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO device_status (device, printer, message, at_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (device) DO UPDATE SET printer = ?2, message = ?3, at_ms = ?4",
            params![device, printer, message, self.now_ms],
        )?;
        Ok(())
    }
}
