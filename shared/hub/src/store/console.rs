//! The console's rows: the catalogue, users, the audit trail and pairing codes.

use super::dao::Dao;
use rusqlite::{params, OptionalExtension};

/// A console user (`users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub name: String,
    /// `admin`, `supervisor` or `viewer`.
    pub role: String,
    /// The agencies it is limited to; `None`: every agency.
    pub agencies: Option<Vec<String>>,
    /// The password's argon2id hash (PHC string).
    pub hash: String,
    pub created_ms: i64,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at_ms: i64,
    pub user: String,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Dao<'_> {
    /// Notes that each device in `seen` was connected at its time (a later time only
    /// ever replaces an earlier one).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn note_seen(&self, seen: &[(String, i64)]) -> rusqlite::Result<()> {
        let mut up = self.conn().prepare_cached(
            "INSERT INTO device_seen (device, last_ms) VALUES (?1, ?2)
             ON CONFLICT (device) DO UPDATE SET last_ms = max(last_ms, excluded.last_ms)",
        )?;
        for (device, at_ms) in seen {
            up.execute(params![device, at_ms])?;
        }
        Ok(())
    }

    /// When each device was last connected, as far as the hub has written it down.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn devices_seen(&self) -> rusqlite::Result<Vec<(String, i64)>> {
        let mut q = self
            .conn()
            .prepare("SELECT device, last_ms FROM device_seen ORDER BY device")?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }

    /// The catalogue's TOML, once one was stored.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn catalogue(&self) -> rusqlite::Result<Option<String>> {
        self.conn()
            .query_row("SELECT toml FROM catalogue WHERE id = 1", [], |r| r.get(0))
            .optional()
    }

    /// Stores the catalogue's TOML in place of the one before.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn set_catalogue(&self, toml: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO catalogue (id, toml, changed_ms) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET toml = excluded.toml, changed_ms = excluded.changed_ms",
            params![toml, self.now_ms],
        )?;
        Ok(())
    }

    /// # Errors
    /// SQLite fails.
    pub fn user(&self, name: &str) -> rusqlite::Result<Option<UserRow>> {
        self.conn()
            .query_row(
                "SELECT name, role, agencies, hash, created_ms FROM users WHERE name = ?1",
                [name],
                user_row,
            )
            .optional()
    }

    /// Every user, by name.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn users(&self) -> rusqlite::Result<Vec<UserRow>> {
        let mut st = self
            .conn()
            .prepare("SELECT name, role, agencies, hash, created_ms FROM users ORDER BY name")?;
        let rows = st.query_map([], user_row)?;
        rows.collect()
    }

    /// Adds the user, or replaces the one of that name.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn put_user(&self, u: &UserRow) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO users (name, role, agencies, hash, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, agencies = excluded.agencies,
                 hash = excluded.hash",
            params![
                u.name,
                u.role,
                u.agencies.as_ref().map(|a| a.join(",")),
                u.hash,
                u.created_ms
            ],
        )?;
        Ok(())
    }

    /// Removes the user; `false` when there was none of that name.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn remove_user(&self, name: &str) -> rusqlite::Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM users WHERE name = ?1", [name])?
            > 0)
    }

    /// Appends a line to the audit trail, stamped now.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn audit(
        &self,
        user: &str,
        action: &str,
        target: Option<&str>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO audit (at_ms, user, action, target, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![self.now_ms, user, action, target, before, after],
        )?;
        Ok(())
    }

    /// The audit trail from `from_ms` (included) to `to_ms` (excluded), oldest first.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn audit_between(&self, from_ms: i64, to_ms: i64) -> rusqlite::Result<Vec<AuditRow>> {
        let mut st = self.conn().prepare(
            "SELECT at_ms, user, action, target, before, after FROM audit
             WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![from_ms, to_ms], |r| {
            Ok(AuditRow {
                at_ms: r.get(0)?,
                user: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                before: r.get(4)?,
                after: r.get(5)?,
            })
        })?;
        rows.collect()
    }

    /// Keeps a pairing code (by its SHA-256) for the device described by `device`.
    ///
    /// # Errors
    /// SQLite fails.
    pub fn add_pairing(
        &self,
        code_sha256: &str,
        device: &str,
        expires_ms: i64,
    ) -> rusqlite::Result<()> {
        // Codes that can no longer be used are of no use to keep.
        self.conn().execute(
            "DELETE FROM pairings WHERE used = 1 OR expires_ms < ?1",
            [self.now_ms],
        )?;
        self.conn().execute(
            "INSERT INTO pairings (code_sha256, device, expires_ms) VALUES (?1, ?2, ?3)",
            params![code_sha256, device, expires_ms],
        )?;
        Ok(())
    }

    /// Uses up the pairing code with this SHA-256 and returns its device, if it is known,
    /// unused and not expired; `None` otherwise (and nothing changes).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn take_pairing(&self, code_sha256: &str) -> rusqlite::Result<Option<String>> {
        let device: Option<String> = self
            .conn()
            .query_row(
                "SELECT device FROM pairings WHERE code_sha256 = ?1 AND used = 0 AND expires_ms >= ?2",
                params![code_sha256, self.now_ms],
                |r| r.get(0),
            )
            .optional()?;
        if device.is_some() {
            self.conn().execute(
                "UPDATE pairings SET used = 1 WHERE code_sha256 = ?1",
                [code_sha256],
            )?;
        }
        Ok(device)
    }

    /// Forgets the unused pairing codes of device `id` (it was removed).
    ///
    /// # Errors
    /// SQLite fails.
    pub fn drop_pairings_of(&self, id: &str) -> rusqlite::Result<()> {
        self.conn().execute(
            "DELETE FROM pairings WHERE json_extract(device, '$.id') = ?1",
            [id],
        )?;
        Ok(())
    }
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    let agencies: Option<String> = r.get(2)?;
    Ok(UserRow {
        name: r.get(0)?,
        role: r.get(1)?,
        agencies: agencies.map(|a| {
            a.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        hash: r.get(3)?,
        created_ms: r.get(4)?,
    })
}
