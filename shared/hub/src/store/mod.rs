//! The SQLite store: the one place that reads and writes the hall's database, and knows
//! none of the hall's rules (those are the `hall` service's and the core's). Opening it is
//! one place (pragmas first, then the schema); [`Store::write`] runs a change in one
//! `BEGIN IMMEDIATE` transaction and commits only on `Ok`; a [`Dao`](dao::Dao) is the typed
//! way in and out, one method per statement.
//!
//! - [`schema`]: the tables and their upgrades.
//! - [`dao`]: typed reads and writes.
//! - [`backup`]: online backups while the hub runs (`antre-hub backup`).
//! - [`console`]: the console's rows (catalogue, users, audit, pairing codes).
//! - [`rows`]: the rows.
//! - [`period`]: what a report reads of a period.

pub mod backup;
pub mod console;
pub mod dao;
pub mod period;
pub mod rows;
pub mod schema;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

pub use schema::SchemaError;

/// What the WAL is cut back to when it starts over (`journal_size_limit`). A file larger
/// than this holds more than this of commits since it last started over.
pub const WAL_LIMIT_BYTES: u64 = 16 * 1024 * 1024;

/// How long a writer waits for another process's lock (a backup, say) before `busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// The hall's database, open for writing. One per hub: changes are serialized through it,
/// and a lock file beside the database keeps a second hub away.
pub struct Store {
    conn: Connection,
    /// `{db}.lock`, locked exclusively while this store lives.
    _lock: nix::fcntl::Flock<std::fs::File>,
}

/// The user this process runs as, by name where the system knows it.
pub fn user_name() -> String {
    let uid = nix::unistd::Uid::current();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => format!("uid {uid}"),
    }
}

/// Takes `{db}.lock` for this process, or says who holds it.
fn lock_beside(path: &Path) -> Result<nix::fcntl::Flock<std::fs::File>, SchemaError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock = std::path::PathBuf::from(name);
    let shown = lock.display().to_string();
    // A lock needs no write access: a lock file left by another user (a first start as
    // root) is locked through a read-only handle.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::PermissionDenied => std::fs::File::open(&lock),
            _ => Err(e),
        })
        .map_err(|e| SchemaError::Lock {
            lock: shown.clone(),
            user: user_name(),
            why: e.to_string(),
        })?;
    use nix::fcntl::{Flock, FlockArg};
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(locked) => Ok(locked),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Err(SchemaError::InUse {
            path: path.display().to_string(),
            lock: shown,
        }),
        Err((_, e)) => Err(SchemaError::Lock {
            lock: shown,
            user: user_name(),
            why: e.desc().to_owned(),
        }),
    }
}

/// Proves the database takes writes: SQLite opens a file it may not write read-only
/// without a word, and every request would then fail. A row is written in a transaction
/// that is rolled back.
fn check_writable(conn: &Connection, path: &Path) -> Result<(), SchemaError> {
    let read_only = |why: String| SchemaError::ReadOnly {
        path: path.display().to_string(),
        user: user_name(),
        why,
    };
    if conn.is_readonly(rusqlite::DatabaseName::Main)? {
        return Err(read_only("SQLite opened it read-only".into()));
    }
    let attempt = (|| -> rusqlite::Result<()> {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('write_check', 'x')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        tx.rollback()
    })();
    attempt.map_err(|e| read_only(e.to_string()))
}

/// A write transaction under way ([`Store::write`]).
pub struct Tx<'a>(rusqlite::Transaction<'a>);

impl Tx<'_> {
    /// The typed way into this transaction, for service day `day` at `now_ms`.
    pub fn dao<'d>(&'d self, day: &'d str, now_ms: i64) -> dao::Dao<'d> {
        dao::Dao::new(&self.0, day, now_ms)
    }
}

/// A read transaction under way ([`read`]): one consistent view while the writer goes on.
pub struct ReadTx<'a>(rusqlite::Transaction<'a>);

impl ReadTx<'_> {
    /// The typed way into this view, for service day `day` at `now_ms`.
    pub fn dao<'d>(&'d self, day: &'d str, now_ms: i64) -> dao::Dao<'d> {
        dao::Dao::new(&self.0, day, now_ms)
    }
}

/// Runs `f` on one consistent view of the database (a read transaction on `conn`).
///
/// # Errors
/// What `f` returns, or SQLite fails.
pub fn read<T>(
    conn: &Connection,
    f: impl FnOnce(&ReadTx<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let tx = ReadTx(conn.unchecked_transaction()?);
    let out = f(&tx)?;
    tx.0.finish()?;
    Ok(out)
}

/// Opens a connection with the pragmas every connection needs.
/// Prepared statements a connection keeps: more than the store has (about 50), so none is
/// prepared twice (rusqlite keeps 16 unless told, and the writer then re-prepared most of
/// a request's statements on every request).
const STATEMENT_CACHE: usize = 128;

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Wait for another process's lock instead of failing at once.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Foreign keys are off by default in SQLite; our references mean something.
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

/// SQLite's own check of the database on `conn`: `"ok"`, or what is wrong. `quick` skips
/// the indexes' contents (seconds instead of minutes on a large file).
///
/// # Errors
/// SQLite fails (a file too damaged to read says so here).
pub fn integrity(conn: &Connection, quick: bool) -> rusqlite::Result<String> {
    let pragma = if quick {
        "PRAGMA quick_check"
    } else {
        "PRAGMA integrity_check"
    };
    conn.query_row(pragma, [], |r| r.get(0))
}

/// Opens a read-only connection for snapshots and reports; reads never block the writer
/// in WAL mode.
///
/// # Errors
/// SQLite cannot open the file.
pub fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = connect(path)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// Runs `f` in one write transaction on the database at `path`, for the command line
/// (`antre-hub user add` and the like) while a hub may be running: through the store when
/// no hub holds it (upgrading it if needed), else on a connection of its own beside the
/// hub's, which SQLite serializes with the hub's writes. Such a database must already be at
/// this code's schema.
///
/// # Errors
/// The database cannot be opened, is at another schema, or `f` or SQLite fails.
pub fn write_beside<T>(
    path: &Path,
    f: impl FnOnce(&Tx<'_>) -> rusqlite::Result<T>,
) -> Result<T, SchemaError> {
    match Store::open(path) {
        Ok(mut store) => Ok(store.write(f)?),
        Err(SchemaError::InUse { .. }) => {
            let mut conn = connect(path)?;
            let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if found != schema::VERSION {
                return Err(SchemaError::TooNew { found });
            }
            let tx = Tx(conn.transaction_with_behavior(TransactionBehavior::Immediate)?);
            let out = f(&tx)?;
            tx.0.commit()?;
            Ok(out)
        }
        Err(e) => Err(e),
    }
}

/// A connection that copies the WAL back into the database file, on its own thread.
pub struct Checkpointer(Connection);

impl Checkpointer {
    /// # Errors
    /// The database cannot be opened.
    pub fn open(path: &Path) -> rusqlite::Result<Checkpointer> {
        let conn = Connection::open(path)?;
        // A TRUNCATE that meets a reader or the writer gives up quickly and tries later.
        conn.busy_timeout(Duration::from_millis(100))?;
        Ok(Checkpointer(conn))
    }

    /// A PASSIVE checkpoint: it takes no lock the writer needs.
    ///
    /// # Errors
    /// SQLite fails (the next one tries again).
    pub fn checkpoint(&self) -> rusqlite::Result<()> {
        self.0
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    }

    /// A RESTART checkpoint, for a WAL grown large under a steady stream of commits: copies
    /// everything back and makes the next commit start again at the top of the file, over
    /// blocks the disk has already allocated. Appending would grow the file, and an `fsync`
    /// that must also record a new size costs about twice as much on ext4 (see the README's
    /// Benchmarks). `journal_size_limit` cuts the file back when it starts over. `false` when
    /// it could not finish (the next look tries again).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn restart(&self) -> rusqlite::Result<bool> {
        self.finished("PRAGMA wal_checkpoint(RESTART)")
    }

    /// Runs a checkpoint that waits for the writer and readers: `true` when it finished.
    fn finished(&self, pragma: &str) -> rusqlite::Result<bool> {
        let busy: i64 = self.0.query_row(pragma, [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// A TRUNCATE checkpoint, for when the hub is idle: copies everything back and empties
    /// the WAL file. It waits briefly for readers and the writer; `false` when it could not
    /// finish (the next idle moment tries again).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn truncate(&self) -> rusqlite::Result<bool> {
        self.finished("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

impl Store {
    /// Opens (creating if needed) and upgrades the database at `path`.
    ///
    /// # Errors
    /// The file cannot be opened, is newer than this code, or SQLite fails.
    pub fn open(path: &Path) -> Result<Store, SchemaError> {
        let lock = lock_beside(path)?;
        let mut conn = connect(path)?;
        // WAL: readers (snapshots, reports) never block the writer, and commits append.
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; continuing in {mode}");
        }
        // FULL: the WAL is synced on every commit, so an `ok` survives a power cut.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // After a checkpoint has copied it all back, the WAL is cut to this size when it
        // starts over, instead of keeping its largest size for ever.
        conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES as i64)?;
        if conn.is_readonly(rusqlite::DatabaseName::Main)? {
            check_writable(&conn, path)?;
        }
        schema::migrate(&mut conn).map_err(|e| match e {
            SchemaError::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) =>
            {
                SchemaError::ReadOnly {
                    path: path.display().to_string(),
                    user: user_name(),
                    why: e.to_string(),
                }
            }
            e => e,
        })?;
        check_writable(&conn, path)?;
        Ok(Store { conn, _lock: lock })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: committed when it returns `Ok`, rolled
    /// back otherwise (nothing it wrote remains).
    ///
    /// # Errors
    /// What `f` returns, or SQLite fails to begin or commit.
    pub fn write<T, E: From<rusqlite::Error>>(
        &mut self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = Tx(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?);
        let out = f(&tx)?;
        tx.0.commit()?;
        Ok(out)
    }

    /// The newest event's `seq` in the database.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn last_seq(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
    }

    /// Leaves copying the WAL back to a [`Checkpointer`], so no request pays for it.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn checkpoint_elsewhere(&self) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)
    }

    /// The service of the ticket now at `counter`, if it has one.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn current_service(&self, counter: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT t.service FROM counters c JOIN tickets t ON t.id = c.current WHERE c.id = ?1",
                [counter],
                |r| r.get(0),
            )
            .optional()
    }

    /// The write connection, for reads that must see the latest commit (tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}
