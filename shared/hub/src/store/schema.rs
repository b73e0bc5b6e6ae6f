//! The database schema and its upgrades. `PRAGMA user_version` holds the version; each
//! upgrade runs in one IMMEDIATE transaction, so a file is always at one version or the next.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this code writes.
pub const VERSION: u32 = 12;

/// Upgrades, in order: `MIGRATIONS[i]` takes a file from version `i` to `i + 1`.
/// Never edit one that has shipped; add the next.
const MIGRATIONS: [&str; VERSION as usize] = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12];

/// Version 1: the queue.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per ticket. `id` is the order of issue; times are ms since the Unix epoch.
CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY,
    day           TEXT    NOT NULL,   -- service day, YYYY-MM-DD in the hall's time zone
    prefix        TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    service       TEXT    NOT NULL,   -- the service it waits for or was served in
    first_service TEXT    NOT NULL,   -- the service it was issued for (quota, reports)
    priority      TEXT,
    status        TEXT    NOT NULL,
    issued_ms     INTEGER NOT NULL,
    called_ms     INTEGER,
    serving_ms    INTEGER,
    closed_ms     INTEGER,
    counter       TEXT,
    officer       TEXT,
    recalls       INTEGER NOT NULL DEFAULT 0,
    device        TEXT    NOT NULL,   -- the device that issued it
    UNIQUE (day, prefix, number)
);
CREATE INDEX tickets_by_status ON tickets (day, status, service);
CREATE INDEX tickets_by_device ON tickets (device, issued_ms);

-- Each counter's state; a row of an earlier day means the counter is closed today.
CREATE TABLE counters (
    id      TEXT PRIMARY KEY,
    day     TEXT    NOT NULL,
    open    INTEGER NOT NULL,
    officer TEXT,
    current INTEGER REFERENCES tickets (id),
    streak  INTEGER NOT NULL DEFAULT 0  -- priority calls in a row that passed over a normal ticket
) WITHOUT ROWID;

-- Every change, in order; `body` is the event as sent on the wire.
CREATE TABLE events (
    seq   INTEGER PRIMARY KEY,
    day   TEXT    NOT NULL,
    at_ms INTEGER NOT NULL,
    body  TEXT    NOT NULL
);

-- The first reply to every request id, per device and day: a retry gets it again.
CREATE TABLE requests (
    device TEXT NOT NULL,
    day    TEXT NOT NULL,
    id     TEXT NOT NULL,
    reply  TEXT NOT NULL,
    PRIMARY KEY (device, day, id)
) WITHOUT ROWID;

CREATE TABLE transfers (
    ticket       INTEGER NOT NULL REFERENCES tickets (id),
    at_ms        INTEGER NOT NULL,
    from_service TEXT    NOT NULL,
    to_service   TEXT    NOT NULL,
    counter      TEXT    NOT NULL,
    officer      TEXT
);
"#;

/// Version 2: the ruang aspirasi (surveys, aspirations, unmet demand), officers' sessions,
/// and an index that finds the head of each queue without reading the queue.
const V2: &str = r#"
DROP INDEX tickets_by_status;
CREATE INDEX tickets_queue ON tickets (day, status, service, priority, issued_ms, id);

CREATE TABLE unmet_demand (
    id      INTEGER PRIMARY KEY,
    day     TEXT    NOT NULL,
    at_ms   INTEGER NOT NULL,
    service TEXT    NOT NULL,
    reason  TEXT    NOT NULL,   -- service_closed | quota_exhausted
    device  TEXT    NOT NULL
);
CREATE INDEX unmet_by_day ON unmet_demand (day);

-- IKM answers, raw, one row per served ticket; nothing that identifies a person.
CREATE TABLE surveys (
    ticket  INTEGER PRIMARY KEY REFERENCES tickets (id),
    day     TEXT    NOT NULL,
    at_ms   INTEGER NOT NULL,
    service TEXT    NOT NULL,
    u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
    u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
    u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
    u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
    u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
    u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
    u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
    u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
    u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
    device  TEXT    NOT NULL
);
CREATE INDEX surveys_by_day ON surveys (day);

CREATE TABLE aspirations (
    id     INTEGER PRIMARY KEY,
    day    TEXT    NOT NULL,
    at_ms  INTEGER NOT NULL,
    kind   TEXT    NOT NULL,   -- missing_service | suggestion | complaint
    text   TEXT    NOT NULL,
    device TEXT    NOT NULL
);
CREATE INDEX aspirations_by_day ON aspirations (day);

-- Who staffed which counter when (reports per officer).
CREATE TABLE counter_sessions (
    id        INTEGER PRIMARY KEY,
    counter   TEXT    NOT NULL,
    officer   TEXT    NOT NULL,
    day       TEXT    NOT NULL,
    opened_ms INTEGER NOT NULL,
    closed_ms INTEGER
);
"#;

/// Version 3: the last printer status each kiosk reported.
const V3: &str = r#"
CREATE TABLE device_status (
    device  TEXT    PRIMARY KEY,
    printer TEXT    NOT NULL,   -- ok | paper_near_end | paper_out | cover_open | offline | no_answer
    message TEXT,
    at_ms   INTEGER NOT NULL
);
"#;

/// Version 4: tickets counted against a service's quota (by the service they were issued
/// for) without reading the day, for the figures every change sends.
const V4: &str = r#"
CREATE INDEX tickets_by_first_service ON tickets (day, first_service);
"#;

/// Version 5: each ticket's key (PROTOCOL.md, "Ticket keys"): what a phone shows to act for
/// the ticket. Tickets from before have none, and phones cannot act for them.
const V5: &str = r#"
ALTER TABLE tickets ADD COLUMN key TEXT;
"#;

/// Version 6: counter pauses (PROTOCOL.md, "Counter pauses"): the pause a counter is in,
/// and every pause of the day for the reports.
const V6: &str = r#"
ALTER TABLE counters ADD COLUMN pause_reason TEXT;
ALTER TABLE counters ADD COLUMN pause_until TEXT;
ALTER TABLE counters ADD COLUMN pause_ms INTEGER;

CREATE TABLE counter_pauses (
    id       INTEGER PRIMARY KEY,
    counter  TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    reason   TEXT    NOT NULL,   -- istirahat | salat | rapat | gangguan | lainnya
    until    TEXT,               -- HH:MM as the officer gave it
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER             -- NULL while it lasts (or when the day ended it)
);
CREATE INDEX counter_pauses_by_day ON counter_pauses (day);
"#;

/// Version 7: a visit with several services (PROTOCOL.md): the visit's services in order
/// (`visit`, comma-separated; NULL for one service), the step it is at, and when it joined
/// the queue it waits in now (`queued_ms`), which the calling order follows.
const V7: &str = r#"
ALTER TABLE tickets ADD COLUMN visit TEXT;
ALTER TABLE tickets ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN queued_ms INTEGER;
UPDATE tickets SET queued_ms = issued_ms;
DROP INDEX tickets_queue;
CREATE INDEX tickets_queue ON tickets (day, status, service, priority, queued_ms, id);
"#;

/// Version 8: the finished earlier steps of visits. A visit's ticket row moves on to its
/// next service when a step is finished; the step's own times (its wait, its counter, its
/// officer) are kept here, so reports count it served and the forecast learns from it.
const V8: &str = r#"
CREATE TABLE visit_steps (
    ticket     INTEGER NOT NULL REFERENCES tickets (id),
    day        TEXT    NOT NULL,
    step       INTEGER NOT NULL,
    service    TEXT    NOT NULL,
    queued_ms  INTEGER NOT NULL,
    called_ms  INTEGER,
    serving_ms INTEGER,
    closed_ms  INTEGER NOT NULL,
    counter    TEXT,
    officer    TEXT,
    PRIMARY KEY (ticket, step)
);
CREATE INDEX visit_steps_by_day ON visit_steps (day, closed_ms);
"#;

/// v9, for the speed of every change:
/// - the quota count of a service reads its own tickets by index and only the day's visits
///   of several services beside them (it read every ticket of the day on every change);
/// - the queues' index holds waiting tickets only, and finished tickets have their own for
///   the service times: a call or a finish used to move a ticket's entry from one status to
///   another in an index of every ticket (two or three more pages written and synced per
///   change); now a call removes one entry and a finish adds one.
const V9: &str = r#"
CREATE INDEX tickets_visits ON tickets (day) WHERE visit IS NOT NULL;
DROP INDEX tickets_queue;
CREATE INDEX tickets_waiting ON tickets (day, service, priority, queued_ms, id)
    WHERE status = 'waiting';
CREATE INDEX tickets_done ON tickets (day, service, closed_ms) WHERE status = 'done';
"#;

/// Version 10: the console. The hall's catalogue (agencies, services, counters, devices,
/// running text) lives here from now on, as the TOML `antre-hub export-config` prints; the
/// console's users (argon2id hashes only), its audit trail, and devices' pairing codes
/// (their SHA-256 only).
const V10: &str = r#"
CREATE TABLE catalogue (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    toml       TEXT    NOT NULL,
    changed_ms INTEGER NOT NULL
);
CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT    NOT NULL,   -- admin | supervisor | viewer
    agencies   TEXT,               -- comma-separated; NULL: every agency
    hash       TEXT    NOT NULL,   -- argon2id, PHC string
    created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at_ms  INTEGER NOT NULL,
    user   TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT,
    before TEXT,
    after  TEXT
);
CREATE INDEX audit_by_time ON audit (at_ms);
CREATE TABLE pairings (
    code_sha256 TEXT PRIMARY KEY,
    device      TEXT    NOT NULL,  -- the device to add, as JSON
    expires_ms  INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"#;

/// Version 11: when each device was last connected, kept once a minute and when it goes
/// offline (`antre-hub doctor` reads it; the console's live presence stays in memory).
const V11: &str = r#"
CREATE TABLE device_seen (
    device  TEXT    PRIMARY KEY,
    last_ms INTEGER NOT NULL      -- connected at this time (or until it, when it went offline)
) WITHOUT ROWID;
"#;

/// Version 12 (CENTRAL.md): the log's epoch for the city's service, the day's bookings
/// pulled from it (kept, so check-in works with the internet down), and the booking a
/// checked-in ticket came from.
const V12: &str = r#"
INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));
ALTER TABLE tickets ADD COLUMN booking TEXT;
CREATE TABLE bookings (
    code      TEXT    PRIMARY KEY,
    day       TEXT    NOT NULL,
    service   TEXT    NOT NULL,
    session   TEXT    NOT NULL,   -- HH:MM-HH:MM
    ends_ms   INTEGER NOT NULL,   -- when the session ends: an unused booking expires then
    name      TEXT    NOT NULL,
    phone     TEXT    NOT NULL,   -- masked by the city's service (0812*****890)
    status    TEXT    NOT NULL,   -- booked | cancelled
    ticket    INTEGER,            -- the ticket it was checked in as
    pulled_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX bookings_of_day ON bookings (day, service);
"#;

/// Why a database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database is at schema version {found}, newer than this hub understands ({VERSION}): \
         run the newer antre-hub, or restore a backup made by this version"
    )]
    TooNew { found: u32 },
    #[error(
        "the database {path} is read-only for user {user} ({why}): give that user write access \
         to the file and its folder (the hub keeps {path}-wal and {path}-shm beside it)"
    )]
    ReadOnly {
        path: String,
        user: String,
        why: String,
    },
    #[error(
        "another hub is using {path} (it holds {lock}): stop it first, or give this one \
         another database"
    )]
    InUse { path: String, lock: String },
    #[error("cannot lock {lock} for user {user}: {why}")]
    Lock {
        lock: String,
        user: String,
        why: String,
    },
    #[error("the hall's catalogue in the database is not valid any more: {0}")]
    Catalogue(String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Brings the database to [`VERSION`], one upgrade per transaction.
///
/// # Errors
/// The file is newer than this code, or SQLite fails.
pub fn migrate(conn: &mut Connection) -> Result<u32, SchemaError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(SchemaError::TooNew { found });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", from as u32 + 1)?;
        tx.commit()?;
        tracing::info!(from, to = from + 1, "upgraded the database schema");
    }
    Ok(found)
}
