//! The hall's catalogue (agencies, services, counters, devices, running text) in the
//! database, and changing it while the hall runs.
//!
//! A new database takes the catalogue from the config file; from then on the database holds
//! it. A change is an edit of the catalogue's TOML (as `antre-hub export-config` prints it),
//! checked by the config's own validator (every problem at once), stored with its audit line
//! and a `hall_changed` event in one transaction. Only then does the hall serve by it.

use super::{append_events, attach_figures, roll_day, Hall, PendingEvent};
use crate::config::{Config, ConfigError, Problem};
use crate::store::dao::Dao;
use crate::store::{SchemaError, Store};
use antre_core::proto::{Event, EventKind, Paired};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Where the hall's catalogue comes from when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// The database's, once it has one; the config's on a new database.
    Database,
    /// The config's, replacing the database's (the demo, `import-config`).
    Config,
}

/// Who the audit trail names for what the hub does by itself.
pub const HUB_ACTOR: &str = "antre-hub";

/// Why a change of the catalogue was not made (nothing was).
#[derive(Debug)]
pub enum ChangeError {
    /// The change would leave the catalogue invalid: every problem, in words.
    Invalid(Vec<Problem>),
    /// The change names something that is not there.
    NotFound(String),
    /// The change conflicts with the day (a service with tickets today, say).
    Conflict(&'static str, String),
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for ChangeError {
    fn from(e: rusqlite::Error) -> Self {
        ChangeError::Db(e)
    }
}

impl From<ConfigError> for ChangeError {
    fn from(e: ConfigError) -> Self {
        ChangeError::Invalid(e.problems)
    }
}

/// What a change writes into the audit trail beside itself.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub action: String,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The catalogue as a TOML table to edit.
pub type Table = toml::Table;

/// The config to serve by, read from (or seeded into) the store.
pub(super) fn load(store: &mut Store, cfg: &Config, seed: Seed) -> Result<Config, SchemaError> {
    let now = Utc::now().timestamp_millis();
    store.write(|tx| {
        let dao = tx.dao("", now);
        match (seed, dao.catalogue()?) {
            (Seed::Database, Some(text)) => cfg
                .with_catalogue(&text)
                .map_err(|e| SchemaError::Catalogue(e.to_string())),
            (_, before) => {
                let text = cfg.catalogue_toml();
                dao.set_catalogue(&text)?;
                let action = if before.is_some() {
                    "import-config"
                } else {
                    "seed-catalogue"
                };
                dao.audit(HUB_ACTOR, action, Some("catalogue"), None, None)?;
                Ok(cfg.clone())
            }
        }
    })
}

impl Hall {
    /// The config `cfg` with the catalogue the database at `path` holds, if it holds one
    /// (for the command line, while a hub may be running).
    ///
    /// # Errors
    /// The database cannot be read, or its catalogue is not valid.
    pub fn catalogue_of(path: &std::path::Path, cfg: &Config) -> anyhow::Result<Option<Config>> {
        if !path.exists() {
            return Ok(None);
        }
        let text = crate::store::write_beside(path, |tx| tx.dao("", 0).catalogue())?;
        Ok(match text {
            Some(t) => Some(cfg.with_catalogue(&t)?),
            None => None,
        })
    }

    /// Replaces the catalogue of the database at `path` with `cfg`'s, audited as `actor`'s
    /// (`antre-hub import-config`; the hub must be stopped).
    ///
    /// # Errors
    /// The database cannot be opened (a hub holds it) or written.
    pub fn import_catalogue(
        path: &std::path::Path,
        cfg: &Config,
        actor: &str,
    ) -> Result<(), SchemaError> {
        let mut store = Store::open(path)?;
        let now = Utc::now().timestamp_millis();
        store.write(|tx| {
            let dao = tx.dao("", now);
            // The trail names the change, not the catalogue: it holds token hashes.
            dao.set_catalogue(&cfg.catalogue_toml())?;
            dao.audit(actor, "import-config", Some("catalogue"), None, None)
        })?;
        Ok(())
    }

    /// Changes the catalogue by `edit`, which gets the config served now, the catalogue as a
    /// TOML table to change in place, and the store (to look at the day), and returns what
    /// the audit trail says of it (`actor` is who did it). Returns the change's events (one
    /// `hall_changed`, or none when the hall object devices see is as it was, e.g. for a
    /// device) as [`Hall::execute`]'s outcome has them.
    ///
    /// # Errors
    /// `edit` refuses, the result is invalid (every problem), or SQLite fails; then nothing
    /// changed.
    pub fn change_catalogue(
        &mut self,
        now: DateTime<Utc>,
        actor: &str,
        edit: impl FnOnce(&Config, &mut Table, &Dao<'_>) -> Result<Audit, ChangeError>,
    ) -> Result<(Vec<Event>, Vec<String>), ChangeError> {
        let cfg = Arc::clone(&self.cfg);
        let kept_to = self.prunable_to();
        let last_seq = self.last_seq;
        let fc = &mut self.forecast;
        let done = self.store.write(|tx| {
            let mut pending = Vec::new();
            let day = roll_day(tx, &cfg, &kept_to, now, &mut pending)?;
            let dao = tx.dao(&day, now.timestamp_millis());
            let mut table: Table =
                toml::from_str(&cfg.catalogue_toml()).expect("a catalogue reads back");
            let audit = edit(&cfg, &mut table, &dao)?;
            let text = toml::to_string(&table).expect("a table serializes");
            let changed = cfg.with_catalogue(&text)?;
            dao.set_catalogue(&text)?;
            dao.audit(
                actor,
                &audit.action,
                audit.target.as_deref(),
                audit.before.as_deref(),
                audit.after.as_deref(),
            )?;
            // Devices see the hall object only: a change that leaves it as it was (a device
            // added, paired or revoked) is no event for them.
            let hall = super::welcome::hall_info(&dao, &changed, now)?;
            if hall != super::welcome::hall_info(&dao, &cfg, now)? {
                pending.push(PendingEvent {
                    hall: Some(Box::new(hall)),
                    ..PendingEvent::new(EventKind::HallChanged)
                });
                // Counters and services may have moved between queues: read the board again.
                fc.invalidate();
            }
            if !pending.is_empty() {
                fc.begin(&dao, &changed)?;
                attach_figures(&dao, &changed, fc, &mut pending)?;
            }
            let out = append_events(&dao, last_seq, changed.hall.timezone, pending)?;
            Ok::<_, ChangeError>((changed, out))
        });
        let (changed, (events, lines)) = match done {
            Ok(d) => d,
            Err(e) => {
                self.forecast.invalidate();
                return Err(e);
            }
        };
        self.cfg = Arc::new(changed);
        self.last_seq += events.len() as u64;
        Ok((events, lines))
    }

    /// Keeps a pairing code for a device the catalogue already holds (its token unknown to
    /// anyone until it pairs): valid until `expires`, used once. Only its SHA-256 is stored.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn add_pairing(
        &mut self,
        now: DateTime<Utc>,
        device: &str,
        code: &str,
        expires: DateTime<Utc>,
    ) -> rusqlite::Result<()> {
        let hash = hex::encode(Sha256::digest(code.as_bytes()));
        let body = serde_json::json!({ "id": device }).to_string();
        self.store.write(|tx| {
            tx.dao("", now.timestamp_millis())
                .add_pairing(&hash, &body, expires.timestamp_millis())
        })
    }

    /// Writes down when each device in `seen` was last connected (for `antre-hub doctor`).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn note_seen(
        &mut self,
        now: DateTime<Utc>,
        seen: &[(String, i64)],
    ) -> rusqlite::Result<()> {
        self.store
            .write(|tx| tx.dao("", now.timestamp_millis()).note_seen(seen))
    }

    /// Pairs the device whose code `code` is: a new token (32 random bytes, base64url), its
    /// SHA-256 put in the catalogue in place of the one before, the code used up. `None`
    /// when the code is unknown, used or expired (nothing changes).
    ///
    /// # Errors
    /// SQLite fails, or the catalogue no longer holds the device.
    pub fn pair(&mut self, now: DateTime<Utc>, code: &str) -> Result<Option<Paired>, ChangeError> {
        use base64::Engine;
        let hash = hex::encode(Sha256::digest(code.as_bytes()));
        let token =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let token_hash = hex::encode(Sha256::digest(token.as_bytes()));
        let mut paired = None;
        let outcome = self.change_catalogue(now, "pairing", |cfg, table, dao| {
            let Some(body) = dao.take_pairing(&hash)? else {
                return Err(ChangeError::NotFound("pairing code".into()));
            };
            let id = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let Some(device) = cfg.device(&id) else {
                return Err(ChangeError::NotFound(format!("device {id}")));
            };
            let entry = entries(table, "devices")
                .find(|d| d.get("id").and_then(|v| v.as_str()) == Some(id.as_str()))
                .ok_or_else(|| ChangeError::NotFound(format!("device {id}")))?;
            entry.remove("token");
            entry.remove("sample");
            entry.insert(
                "token_sha256".into(),
                toml::Value::String(token_hash.clone()),
            );
            paired = Some(Paired {
                device: device.id.clone(),
                role: device.role,
                token: token.clone(),
            });
            Ok(Audit {
                action: "device_paired".into(),
                target: Some(id),
                ..Audit::default()
            })
        });
        match outcome {
            Ok(_) => Ok(paired),
            Err(ChangeError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Appends a line to the audit trail alone (a login, a lock-out, an act on a counter).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn audit(
        &mut self,
        now: DateTime<Utc>,
        actor: &str,
        audit: &Audit,
    ) -> rusqlite::Result<()> {
        self.store.write(|tx| {
            tx.dao("", now.timestamp_millis()).audit(
                actor,
                &audit.action,
                audit.target.as_deref(),
                audit.before.as_deref(),
                audit.after.as_deref(),
            )
        })
    }

    /// Runs `f` in one write transaction of the store, outside the queue's rules (users).
    ///
    /// # Errors
    /// What `f` returns, or SQLite fails.
    pub fn write_rows<T>(
        &mut self,
        now: DateTime<Utc>,
        f: impl FnOnce(&Dao<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.store
            .write(|tx| f(&tx.dao("", now.timestamp_millis())))
    }
}

/// The entries of the catalogue's list `section` (`services`, `counters`…), to change.
pub fn entries<'t>(table: &'t mut Table, section: &str) -> impl Iterator<Item = &'t mut Table> {
    table
        .entry(section)
        .or_insert_with(|| toml::Value::Array(vec![]))
        .as_array_mut()
        .into_iter()
        .flat_map(|a| a.iter_mut())
        .filter_map(|v| v.as_table_mut())
}

/// The list `section` itself, to add to or remove from.
pub fn list<'t>(table: &'t mut Table, section: &str) -> &'t mut Vec<toml::Value> {
    let v = table
        .entry(section)
        .or_insert_with(|| toml::Value::Array(vec![]));
    if !v.is_array() {
        *v = toml::Value::Array(vec![]);
    }
    v.as_array_mut().expect("an array")
}
