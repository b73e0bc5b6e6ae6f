//! For tests of the hub and of the apps: a real hub on 127.0.0.1 over a real SQLite file in
//! a temp dir, with a clock the test sets.

use crate::config::Config;
use crate::server::{self, Hub};
use antre_core::clock::Clock;
use chrono::{DateTime, TimeZone, Utc};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A clock the test sets.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        TestClock(Arc::new(AtomicI64::new(t.timestamp_millis())))
    }
    pub fn set(&self, t: DateTime<Utc>) {
        self.0.store(t.timestamp_millis(), Ordering::SeqCst);
    }
    pub fn advance(&self, d: Duration) {
        self.0.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }
    pub fn clock(&self) -> Clock {
        let ms = Arc::clone(&self.0);
        Arc::new(move || Utc.timestamp_millis_opt(ms.load(Ordering::SeqCst)).unwrap())
    }
}

/// `h:m` on 2026-11-27 in Jakarta.
pub fn jakarta(h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, 27, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// The sample hall's config, `config/mpp-among-warga.toml`, as text.
pub fn sample_config() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    ))
    .expect("the sample config is in the workspace")
}

/// The settings of device `id` of `config` (its token read from the config) for `hub`.
///
/// # Panics
/// The config has no such device, or it has only a token hash.
pub fn device_settings(config: &str, hub: &TestHub, id: &str) -> antre_client::ClientConfig {
    let cfg: toml::Value = toml::from_str(config).expect("the config is TOML");
    let token = cfg["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["id"].as_str() == Some(id))
        .and_then(|d| d.get("token")?.as_str())
        .unwrap_or_else(|| panic!("no device {id} with a token in the config"))
        .to_owned();
    antre_client::ClientConfig {
        hub: hub.addr.to_string(),
        device: id.into(),
        token,
    }
}

/// A hub serving on 127.0.0.1 over a database file in a temp dir.
pub struct TestHub {
    pub addr: SocketAddr,
    pub hub: Arc<Hub>,
    pub clock: TestClock,
    pub db: PathBuf,
    pub dir: Arc<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    web: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    console: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl TestHub {
    /// Starts a hub for `config` at 09:00 Jakarta time on a fresh database.
    ///
    /// # Panics
    /// The config is invalid, or the hub cannot start.
    pub async fn start(config: &str) -> TestHub {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start_in(config, dir, TestClock::at(jakarta(9, 0)), None).await
    }

    /// Starts a hub on the database in `dir`, on `addr` if given (a restart).
    ///
    /// # Panics
    /// As [`TestHub::start`].
    pub async fn start_in(
        config: &str,
        dir: Arc<tempfile::TempDir>,
        clock: TestClock,
        addr: Option<SocketAddr>,
    ) -> TestHub {
        let cfg = Arc::new(Config::parse(config).expect("test config is valid"));
        let db = dir.path().join("antre.db");
        let hub = Hub::start(cfg, &db, clock.clock()).expect("hub starts");
        let listener = tokio::net::TcpListener::bind(
            addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        )
        .await
        .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn({
            let hub = Arc::clone(&hub);
            async move {
                server::run(listener, hub, async {
                    let _ = stopped.await;
                })
                .await
                .expect("the hub serves");
            }
        });
        TestHub {
            addr,
            hub,
            clock,
            db,
            dir,
            stop: Some(stop),
            task: Some(task),
            web: None,
            console: None,
        }
    }

    /// Starts the hall's web pages on 127.0.0.1 (a free port) and returns their address.
    ///
    /// # Panics
    /// The web server cannot start.
    pub async fn start_web(&mut self) -> SocketAddr {
        self.start_web_on(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
    }

    /// Starts the hall's web pages on `addr` (the same address again after a restart).
    ///
    /// # Panics
    /// The web server cannot start.
    pub async fn start_web_on(&mut self, addr: SocketAddr) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the web port");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let hub = Arc::clone(&self.hub);
        let task = tokio::spawn(async move {
            crate::web::serve(listener, hub, async {
                let _ = stopped.await;
            })
            .await
            .expect("the web pages serve");
        });
        self.web = Some((stop, task));
        addr
    }

    /// Changes the hub's catalogue as the console does: `edit` changes its TOML table, and
    /// the change is checked, stored and sent to the devices as `hall_changed`.
    ///
    /// # Panics
    /// The hub refuses the change.
    pub async fn change_catalogue(&self, edit: impl FnOnce(&mut toml::Table) + Send + 'static) {
        let done = self
            .hub
            .run(|hall, now| {
                let r = hall.change_catalogue(now, "test", |_, table, _| {
                    edit(table);
                    Ok(crate::hall::catalogue::Audit::default())
                });
                match r {
                    Ok(change) => (Ok(()), change),
                    Err(e) => (Err(format!("{e:?}")), (vec![], vec![])),
                }
            })
            .await;
        match done {
            Some(Ok(())) => {}
            other => panic!("the catalogue change was refused: {other:?}"),
        }
    }

    /// Starts the hall's console on 127.0.0.1 (a free port) and returns its address.
    ///
    /// # Panics
    /// The console cannot start.
    pub async fn start_console(&mut self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind the console port");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let hub = Arc::clone(&self.hub);
        let task = tokio::spawn(async move {
            crate::console::serve(listener, hub, async {
                let _ = stopped.await;
            })
            .await
            .expect("the console serves");
        });
        self.console = Some((stop, task));
        addr
    }

    /// Stops the hub gracefully and waits until the database is closed.
    pub async fn stop(mut self) {
        if let Some((stop, task)) = self.console.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        if let Some((stop, task)) = self.web.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
