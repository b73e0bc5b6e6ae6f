//! PostgreSQL: the pool, and the schema by versioned migrations. Migrations run in one
//! transaction under an advisory lock, so several processes starting at once apply each
//! exactly once and none serves before the schema is whole.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`. Never edit a published
/// one; add the next.
pub const MIGRATIONS: &[&str] = &[
    // 1: the halls' event logs and the bookings.
    r"
    CREATE TABLE hall_logs (
        hall      TEXT   NOT NULL,
        epoch     TEXT   NOT NULL,
        stored_to BIGINT NOT NULL DEFAULT 0,
        pushed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (hall, epoch)
    );
    CREATE TABLE events (
        hall  TEXT   NOT NULL,
        epoch TEXT   NOT NULL,
        seq   BIGINT NOT NULL,
        kind  TEXT   NOT NULL,
        at    TIMESTAMPTZ NOT NULL,
        body  JSONB  NOT NULL,
        PRIMARY KEY (hall, epoch, seq)
    );
    CREATE INDEX events_by_time ON events (hall, at);
    CREATE TABLE bookings (
        code       TEXT PRIMARY KEY,
        hall       TEXT NOT NULL,
        service    TEXT NOT NULL,
        day        DATE NOT NULL,
        session    TEXT NOT NULL,
        name       TEXT NOT NULL,
        phone      TEXT NOT NULL,
        made_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        cancelled_at TIMESTAMPTZ
    );
    CREATE UNIQUE INDEX one_booking_per_phone ON bookings (phone, service, day)
        WHERE cancelled_at IS NULL;
    CREATE INDEX bookings_of_day ON bookings (hall, day);
    -- Booked seats per session, counted in one row so that concurrent bookings (from any
    -- process) can never exceed the session's seats.
    CREATE TABLE session_seats (
        hall    TEXT NOT NULL,
        service TEXT NOT NULL,
        day     DATE NOT NULL,
        session TEXT NOT NULL,
        booked  INTEGER NOT NULL,
        PRIMARY KEY (hall, service, day, session)
    );
    ",
    // 2: each hall's names as its hub last pushed them, for the city's report; and the
    // report's look-ups: a day's events of a kind.
    r"
    CREATE TABLE hall_catalogues (
        hall      TEXT  PRIMARY KEY,
        body      JSONB NOT NULL,
        pushed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX events_by_day ON events (hall, kind, ((body->'ticket'->>'day')));
    ",
];

/// The advisory lock's key for migrations ("antre" in ASCII).
const MIGRATION_LOCK: i64 = 0x0061_6e74_7265;

/// A pool of `size` connections to `url`.
///
/// # Errors
/// The URL is not a PostgreSQL connection string.
pub fn pool(url: &str, size: usize) -> anyhow::Result<Pool> {
    let pg: tokio_postgres::Config = url
        .parse()
        .map_err(|e| anyhow::anyhow!("database_url is not a PostgreSQL URL: {e}"))?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager).max_size(size).build()?)
}

/// Brings the schema to the newest version; returns the versions this call applied.
///
/// # Errors
/// PostgreSQL fails, or the database is from a newer `antre-central`.
pub async fn migrate(pool: &Pool) -> anyhow::Result<Vec<usize>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let have: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let have = usize::try_from(have).unwrap_or(0);
    if have > MIGRATIONS.len() {
        anyhow::bail!(
            "the database is at schema version {have}, this antre-central knows {}: use the newer antre-central",
            MIGRATIONS.len()
        );
    }
    let mut applied = vec![];
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(have) {
        let version = i + 1;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(version as i32)],
        )
        .await?;
        applied.push(version);
    }
    tx.commit().await?;
    Ok(applied)
}
