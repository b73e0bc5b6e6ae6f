//! For tests: a fresh database in the throwaway PostgreSQL cluster the test command starts,
//! and `antre-central` serving on loopback, in this process (with a clock the test sets) or
//! as a process of its own.
//!
//! `ANTRE_TEST_PG` names the cluster: an admin connection URL such as
//! `postgres://postgres@127.0.0.1:54329/postgres`. `./hall test` starts one and sets it.

use crate::config::Config;
use crate::App;
use antre_core::clock::Clock;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The variable naming the test cluster.
pub const PG_VAR: &str = "ANTRE_TEST_PG";

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    pub name: String,
}

impl TestDb {
    /// Creates an empty database in the test cluster.
    ///
    /// # Panics
    /// `ANTRE_TEST_PG` is not set, or the cluster refuses.
    pub async fn new() -> TestDb {
        let admin = std::env::var(PG_VAR).unwrap_or_else(|_| {
            panic!(
                "{PG_VAR} is not set: these tests need a PostgreSQL cluster. `./hall test` starts a \
                 throwaway one; or set {PG_VAR}=postgres://USER@HOST:PORT/postgres yourself"
            )
        });
        let name = format!("antre_test_{:016x}", rand::random::<u64>());
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test cluster {admin}: {e}"));
        let driver = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("a test database is created");
        drop(client);
        let _ = driver.await;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        TestDb {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// A connection of the test's own, to look at what the service stored.
    ///
    /// # Panics
    /// The database cannot be reached.
    pub async fn connect(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(conn);
        client
    }
}

/// `antre-central` serving in this process on 127.0.0.1.
pub struct TestCentral {
    pub addr: SocketAddr,
    pub url: String,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestCentral {
    /// Migrates `db` and serves `config` (its `database_url` replaced by `db`'s) with
    /// `clock`, on `addr` if given.
    ///
    /// # Panics
    /// The config is invalid, or the service cannot start.
    pub async fn start(
        db: &TestDb,
        config: &str,
        clock: Clock,
        addr: Option<SocketAddr>,
    ) -> TestCentral {
        let mut cfg = Config::parse(config).expect("the test's central.toml is valid");
        cfg.database_url.clone_from(&db.url);
        let pool = crate::db::pool(&cfg.database_url, cfg.pool_size).expect("a pool");
        crate::db::migrate(&pool).await.expect("migrations apply");
        let listener =
            tokio::net::TcpListener::bind(addr.unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))))
                .await
                .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let app = App {
            cfg: Arc::new(cfg),
            pool,
            clock,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn({
            let app = app.clone();
            async move {
                crate::serve(listener, app, async {
                    let _ = stopped.await;
                })
                .await
                .expect("the central service serves");
            }
        });
        TestCentral {
            addr,
            url: format!("http://{addr}"),
            app,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops serving and waits until it has; its connections are closed.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.app.pool.close();
    }
}

/// The `central.toml` of the tests: `halls` as `(id, name, token)`, each taking bookings
/// for `service` in sessions 08:00-10:00, 10:00-12:00 and 13:00-15:00, `per_session` seats.
pub fn central_toml(halls: &[(&str, &str, &str)], service: &str, per_session: u32) -> String {
    let mut out = String::from(
        "database_url = \"postgres://set-by-the-test\"\npublic_url = \"http://127.0.0.1\"\npool_size = 8\n",
    );
    for (id, name, token) in halls {
        out.push_str(&format!(
            "\n[[halls]]\nid = \"{id}\"\nname = \"{name}\"\ntoken_sha256 = \"{}\"\nholidays = [\"2026-12-25\"]\n\
             [[halls.booking]]\nservice = \"{service}\"\nname = \"KTP Elektronik\"\n\
             sessions = [\"08:00-10:00\", \"10:00-12:00\", \"13:00-15:00\"]\nper_session = {per_session}\n",
            hex::encode(crate::config::sha256(token))
        ));
    }
    out
}
