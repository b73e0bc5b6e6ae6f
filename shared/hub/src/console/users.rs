//! The console's users, as `antre-hub user add|passwd|list|remove` and the API change them.

use super::auth::{self, Role};
use crate::config::{Config, Problem};
use crate::store::console::UserRow;
use crate::store::dao::Dao;
use crate::store::{write_beside, SchemaError};
use std::path::Path;

/// What is wrong with a user of these fields, every problem at once (the password aside).
pub fn check(cfg: &Config, name: &str, role: Role, agencies: Option<&[String]>) -> Vec<Problem> {
    let mut problems = vec![];
    let name_ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !name_ok {
        problems.push(Problem::new(
            Some("name"),
            "Nama pengguna 1–64 huruf, angka, titik, garis bawah, tanda hubung atau @. \
             (A user name is 1–64 letters, digits, dots, underscores, hyphens or @.)",
        ));
    }
    match (role, agencies) {
        (Role::Supervisor, None | Some([])) => problems.push(Problem::new(
            Some("agencies"),
            "Supervisor harus punya instansi (--agency). (A supervisor needs its agencies.)",
        )),
        (Role::Admin, Some(_)) => problems.push(Problem::new(
            Some("agencies"),
            "Admin melihat semua instansi; jangan beri --agency. (An admin sees every agency.)",
        )),
        _ => {}
    }
    for a in agencies.unwrap_or_default() {
        if cfg.agency(a).is_none() {
            problems.push(Problem::new(
                Some("agencies"),
                format!("Instansi {a:?} tidak ada. (No agency {a:?}.)"),
            ));
        }
    }
    problems
}

/// The row of a new (or changed) user, the password hashed with argon2id; every problem
/// at once when the fields or the password are not acceptable. Slow on purpose (argon2).
///
/// # Errors
/// The problems, each with its field.
pub fn new_row(
    cfg: &Config,
    name: &str,
    role: Role,
    agencies: Option<Vec<String>>,
    password: &str,
    now_ms: i64,
) -> Result<UserRow, Vec<Problem>> {
    let mut problems = check(cfg, name, role, agencies.as_deref());
    let hash = auth::hash_password(password).map_err(|m| {
        problems.push(Problem::new(
            Some("password"),
            format!(
                "{m} (kata sandi minimal {} karakter)",
                auth::MIN_PASSWORD_CHARS
            ),
        ))
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(UserRow {
        name: name.to_owned(),
        role: role.as_str().into(),
        agencies,
        hash: hash.unwrap_or_default(),
        created_ms: now_ms,
    })
}

/// Saves `row` (a new user, or one changed), with its audit line as `actor`'s.
///
/// # Errors
/// SQLite fails.
pub fn save(dao: &Dao<'_>, actor: &str, row: &UserRow) -> rusqlite::Result<()> {
    let existed = dao.user(&row.name)?.is_some();
    dao.put_user(row)?;
    let after = serde_json::json!({"role": row.role, "agencies": row.agencies}).to_string();
    let action = if existed { "user_update" } else { "user_add" };
    dao.audit(actor, action, Some(&row.name), None, Some(&after))
}

/// Removes user `name`, with its audit line as `actor`'s; `false` when there was none.
///
/// # Errors
/// SQLite fails.
pub fn delete(dao: &Dao<'_>, actor: &str, name: &str) -> rusqlite::Result<bool> {
    let gone = dao.remove_user(name)?;
    if gone {
        dao.audit(actor, "user_remove", Some(name), None, None)?;
    }
    Ok(gone)
}

/// Adds user `name` (or gives it a new role and password), audited as done by `actor`.
///
/// # Errors
/// The fields or the password are not acceptable (every problem, in words), or the
/// database cannot be written.
pub fn add(
    db: &Path,
    cfg: &Config,
    actor: &str,
    name: &str,
    role: Role,
    agencies: Option<Vec<String>>,
    password: &str,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let row = new_row(cfg, name, role, agencies, password, now).map_err(|problems| {
        let words: Vec<String> = problems
            .iter()
            .map(|p| format!("  - {}", p.message))
            .collect();
        anyhow::anyhow!("the user was not saved:\n{}", words.join("\n"))
    })?;
    write_beside(db, |tx| save(&tx.dao("", now), actor, &row)).map_err(schema_words)
}

/// Gives user `name` a new password.
///
/// # Errors
/// No such user, a short password, or the database cannot be written.
pub fn passwd(db: &Path, actor: &str, name: &str, password: &str) -> anyhow::Result<()> {
    let hash = auth::hash_password(password).map_err(|m| anyhow::anyhow!("{m}"))?;
    let now = chrono::Utc::now().timestamp_millis();
    let found = write_beside(db, |tx| {
        let dao = tx.dao("", now);
        let Some(mut row) = dao.user(name)? else {
            return Ok(false);
        };
        row.hash = hash;
        dao.put_user(&row)?;
        dao.audit(actor, "user_passwd", Some(name), None, None)?;
        Ok(true)
    })
    .map_err(schema_words)?;
    anyhow::ensure!(
        found,
        "there is no user {name:?} (antre-hub user list shows them)"
    );
    Ok(())
}

/// Removes user `name`.
///
/// # Errors
/// No such user, or the database cannot be written.
pub fn remove(db: &Path, actor: &str, name: &str) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let found =
        write_beside(db, |tx| delete(&tx.dao("", now), actor, name)).map_err(schema_words)?;
    anyhow::ensure!(
        found,
        "there is no user {name:?} (antre-hub user list shows them)"
    );
    Ok(())
}

/// Every user, by name.
///
/// # Errors
/// The database cannot be read.
pub fn list(db: &Path) -> anyhow::Result<Vec<UserRow>> {
    write_beside(db, |tx| tx.dao("", 0).users()).map_err(schema_words)
}

fn schema_words(e: SchemaError) -> anyhow::Error {
    match e {
        SchemaError::TooNew { found } => anyhow::anyhow!(
            "the database is at schema version {found} and a hub is using it: stop the hub, \
             or run this with the antre-hub of the same version"
        ),
        e => anyhow::anyhow!(e),
    }
}
