//! Online backups while the hub runs: SQLite's `VACUUM INTO` from a read-only connection
//! writes one consistent snapshot (every committed change, none half done), checked, then
//! renamed into place as `antre-YYYY-MM-DD.db`; the oldest are pruned. The packaged
//! `antre-backup.timer` runs it nightly (`antre-hub backup`).

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Backups are named `antre-YYYY-MM-DD.db`; no other file in the folder is touched.
const PREFIX: &str = "antre-";
const SUFFIX: &str = ".db";

/// What one backup did.
#[derive(Debug)]
pub struct Made {
    pub path: PathBuf,
    pub bytes: u64,
    /// Older backups removed (beyond `keep_days`).
    pub removed: Vec<PathBuf>,
}

/// The day a backup file is of, from its name; `None` for any other file.
pub fn day_of(path: &Path) -> Option<NaiveDate> {
    let name = path.file_name()?.to_str()?;
    let day = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The backups in `dir`, oldest first (an empty list when the folder does not exist).
///
/// # Errors
/// The folder exists but cannot be read.
pub fn list(dir: &Path) -> std::io::Result<Vec<(NaiveDate, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let mut found = vec![];
    for entry in entries {
        let path = entry?.path();
        if let Some(day) = day_of(&path) {
            found.push((day, path));
        }
    }
    found.sort();
    Ok(found)
}

/// Copies the database at `db` into `dir` as the backup of `day` (replacing one of the
/// same day), checks the copy, and removes backups older than `keep_days` days.
///
/// # Errors
/// The database cannot be read, the folder cannot be written, or the copy fails its check;
/// the message says which. A failed copy leaves nothing behind and the older backups stay.
pub fn backup(db: &Path, dir: &Path, day: NaiveDate, keep_days: u32) -> anyhow::Result<Made> {
    use anyhow::Context as _;
    anyhow::ensure!(db.exists(), "there is no database at {}", db.display());
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    let path = dir.join(format!("{PREFIX}{}{SUFFIX}", day.format("%Y-%m-%d")));
    let partial = dir.join(format!(
        ".{PREFIX}{}{SUFFIX}.partial",
        day.format("%Y-%m-%d")
    ));
    let _ = std::fs::remove_file(&partial);

    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", db.display()))?;
    source.busy_timeout(std::time::Duration::from_secs(10))?;
    let version = super::period::schema_version(&source)?;
    let copied = source
        .execute(
            "VACUUM INTO ?1",
            [partial
                .to_str()
                .context("the backup folder's name is not UTF-8")?],
        )
        .with_context(|| format!("cannot write the backup into {}", dir.display()));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    if let Err(e) = check_copy(&partial, version) {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    let bytes = std::fs::metadata(&path)?.len();

    let mut removed = vec![];
    let oldest_kept = day - chrono::Days::new(u64::from(keep_days.max(1)) - 1);
    for (d, old) in list(dir)? {
        if d < oldest_kept {
            std::fs::remove_file(&old)
                .with_context(|| format!("cannot remove the old backup {}", old.display()))?;
            removed.push(old);
        }
    }
    Ok(Made {
        path,
        bytes,
        removed,
    })
}

/// A copy is good when SQLite finds nothing wrong in it and it is at the source's schema.
fn check_copy(path: &Path, version: u32) -> anyhow::Result<()> {
    let copy = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict = super::integrity(&copy, false)?;
    anyhow::ensure!(verdict == "ok", "the copy is damaged: {verdict}");
    let copied = super::period::schema_version(&copy)?;
    anyhow::ensure!(
        copied == version,
        "the copy is at schema {copied}, not {version}"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_backup_names_count() {
        let day = |p: &str| day_of(Path::new(p));
        assert_eq!(
            day("/var/backups/antre/antre-2026-12-01.db"),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(day("antre-2026-13-01.db"), None);
        assert_eq!(day("antre-2026-12-01.db-wal"), None);
        assert_eq!(day(".antre-2026-12-01.db.partial"), None);
        assert_eq!(day("notes.txt"), None);
    }
}
