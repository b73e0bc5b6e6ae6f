//! `antre-hub doctor`: checks an installed hall in words, for the technician — the config,
//! the database (writable, intact, its size and the disk's room, the last backup), the
//! listeners (each answers as an Antre hub does), the clock and time zone, and which devices
//! were connected in the last hour. Each check is `ok`, a warning (worth a look, the hall
//! can run) or a problem (the hall cannot run as it should); the command exits non-zero
//! when there is a problem. It only reads: the database is opened read-only, never upgraded.

use crate::config::Config;
use crate::store::dao::Dao;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OpenFlags};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warning,
    Problem,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Problem => "PROBLEM",
        }
    }
}

/// One finding: what was checked, how it stands, in words.
#[derive(Debug, Clone)]
pub struct Finding {
    pub level: Level,
    pub topic: &'static str,
    pub words: String,
}

/// What to check.
#[derive(Debug, Clone)]
pub struct Setup {
    pub config: PathBuf,
    pub db: PathBuf,
    pub backups: PathBuf,
    /// The user the hub runs as; the database must be writable by it (`None`: not checked).
    pub hub_user: Option<String>,
    /// A backup older than this is a problem.
    pub backup_max_age: Duration,
    pub now: DateTime<Utc>,
}

/// How long each listener has to answer.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// Less free room than this next to the database is a warning.
const LOW_DISK_BYTES: u64 = 1 << 30;

/// Runs every check, in order.
pub fn check(setup: &Setup) -> Vec<Finding> {
    let mut out = Findings(vec![]);
    let cfg = match Config::load(&setup.config) {
        Ok(cfg) => Some(cfg),
        Err(e) => {
            out.problem(
                "config",
                format!(
                    "{} is not usable:\n{}",
                    setup.config.display(),
                    e.problems
                        .iter()
                        .map(|p| format!("    {p}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            );
            None
        }
    };
    let db = database(setup, &mut out);
    // The catalogue the hub serves is the database's once it has one.
    let cfg = match (cfg, &db) {
        (Some(cfg), Some(conn)) => match stored_catalogue(conn) {
            Some(text) => match cfg.with_catalogue(&text) {
                Ok(c) => Some(c),
                Err(e) => {
                    out.problem(
                        "config",
                        format!("the catalogue in the database is not valid: {e}"),
                    );
                    Some(cfg)
                }
            },
            None => Some(cfg),
        },
        (cfg, _) => cfg,
    };
    if let Some(cfg) = &cfg {
        let h = &cfg.hall;
        out.ok(
            "config",
            format!(
                "{}: {} agencies, {} services, {} counters, {} devices ({})",
                h.name,
                cfg.agencies.len(),
                cfg.services.len(),
                cfg.counters.len(),
                cfg.devices.len(),
                setup.config.display()
            ),
        );
    }
    backups(setup, &mut out);
    if let Some(cfg) = &cfg {
        listeners(cfg, &mut out);
        clock(setup, cfg, db.as_ref(), &mut out);
        if let Some(conn) = &db {
            devices(setup, cfg, conn, &mut out);
        }
    }
    out.0
}

/// The findings so far.
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, level: Level, topic: &'static str, words: String) {
        self.0.push(Finding {
            level,
            topic,
            words,
        });
    }
    fn ok(&mut self, topic: &'static str, words: String) {
        self.push(Level::Ok, topic, words);
    }
    fn warning(&mut self, topic: &'static str, words: String) {
        self.push(Level::Warning, topic, words);
    }
    fn problem(&mut self, topic: &'static str, words: String) {
        self.push(Level::Problem, topic, words);
    }
}

/// Opens the database read-only and checks it; the connection for the checks after.
fn database(setup: &Setup, out: &mut Findings) -> Option<Connection> {
    let path = &setup.db;
    let first = out.0.len();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            out.problem(
                "database",
                format!(
                    "{}: {e} (the hub makes it at its first start: is it running with --db {}?)",
                    path.display(),
                    path.display()
                ),
            );
            return None;
        }
    };
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => {
            out.problem("database", format!("cannot open {}: {e}", path.display()));
            return None;
        }
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    let verdict = crate::store::integrity(&conn, true).unwrap_or_else(|e| e.to_string());
    if verdict != "ok" {
        out.problem(
            "database",
            format!(
                "{} is damaged ({verdict}): stop the hub and restore the last backup (README, \
                 \"Backups\")",
                path.display()
            ),
        );
    }
    let version = crate::store::period::schema_version(&conn).unwrap_or(0);
    let expected = crate::store::schema::VERSION;
    if version > expected {
        out.problem(
            "database",
            format!(
                "schema {version} is newer than this antre-hub understands ({expected}): \
                 install the newer package"
            ),
        );
    } else if version < expected {
        out.warning(
            "database",
            format!(
                "schema {version}; this antre-hub upgrades it to {expected} when the hub \
                 restarts (systemctl restart antre-hub)"
            ),
        );
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let bytes = meta.len() + std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let owner = owner_of(path);
    let mut words = format!(
        "{}: {}, schema {version}, intact, owned by {owner}",
        path.display(),
        size(bytes)
    );
    if let Some(user) = &setup.hub_user {
        use std::os::unix::fs::MetadataExt;
        let folder = folder_of(path);
        let writable =
            |m: &std::fs::Metadata| owner_name(m.uid()) == *user && m.mode() & 0o200 != 0;
        let folder_ok = std::fs::metadata(folder).is_ok_and(|m| writable(&m));
        if !writable(&meta) || !folder_ok {
            out.problem(
                "database",
                format!(
                    "{} or its folder is not writable by {user}, the hub's user: `sudo chown -R \
                     {user}: {}`",
                    path.display(),
                    folder.display()
                ),
            );
        } else {
            words.push_str(&format!(" (writable by {user})"));
        }
    }
    if verdict == "ok" {
        // Said first: the problems found on the way are about this file.
        out.0.insert(
            first,
            Finding {
                level: Level::Ok,
                topic: "database",
                words,
            },
        );
    }
    if let Some(free) = free_bytes(folder_of(path)) {
        if free < LOW_DISK_BYTES {
            out.warning(
                "disk",
                format!(
                    "only {} free beside the database: the hub refuses changes when the disk is full",
                    size(free)
                ),
            );
        } else {
            out.ok("disk", format!("{} free beside the database", size(free)));
        }
    }
    Some(conn)
}

/// The database's rows, read through the store (no clock: the doctor only reads).
fn dao(conn: &Connection) -> Dao<'_> {
    Dao::new(conn, "", 0)
}

/// The catalogue the database holds, if any (a database before schema 10 has none).
fn stored_catalogue(conn: &Connection) -> Option<String> {
    dao(conn).catalogue().ok().flatten()
}

/// The newest backup, and whether it is recent enough.
fn backups(setup: &Setup, out: &mut Findings) {
    let dir = &setup.backups;
    let newest = match crate::store::backup::list(dir) {
        Ok(list) => list.into_iter().last(),
        Err(e) => {
            out.problem("backup", format!("cannot read {}: {e}", dir.display()));
            return;
        }
    };
    let Some((_, path)) = newest else {
        out.problem(
            "backup",
            format!(
                "no backup in {} yet: the nightly timer makes one (systemctl list-timers \
                 antre-backup.timer); make one now with `sudo systemctl start antre-backup`",
                dir.display()
            ),
        );
        return;
    };
    let made: DateTime<Utc> = match std::fs::metadata(&path).and_then(|m| m.modified()) {
        Ok(t) => t.into(),
        Err(e) => {
            out.problem("backup", format!("{}: {e}", path.display()));
            return;
        }
    };
    let age = setup.now - made;
    let words = format!(
        "the last backup is {} ({}, {} ago)",
        path.display(),
        std::fs::metadata(&path).map_or_else(|_| "?".into(), |m| size(m.len())),
        ago(age)
    );
    if age > setup.backup_max_age {
        out.problem(
            "backup",
            format!("{words}: the nightly backup has stopped (journalctl -u antre-backup)"),
        );
    } else {
        out.ok("backup", words);
    }
}

/// Each listener answers as the hub's does.
fn listeners(cfg: &Config, out: &mut Findings) {
    let h = &cfg.hall;
    let device_port = probe(h.listen, |s| {
        // Anything before a hello is refused in the protocol's words.
        s.write_all(b"{\"type\":\"ping\"}\n")?;
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line)?;
        Ok(line.contains("\"type\":\"error\""))
    });
    report_listener(out, "devices", h.listen, device_port);
    let http = |path: &'static str| {
        move |s: &mut TcpStream| -> std::io::Result<bool> {
            write!(
                s,
                "GET {path} HTTP/1.1\r\nHost: doctor\r\nConnection: close\r\n\r\n"
            )?;
            let mut head = [0u8; 12];
            s.read_exact(&mut head)?;
            Ok(head.starts_with(b"HTTP/1.1 200"))
        }
    };
    if let Some(addr) = h.http_listen {
        report_listener(
            out,
            "web pages",
            addr,
            probe(addr, http("/api/v1/openapi.json")),
        );
    }
    if let Some(addr) = h.console_listen {
        report_listener(
            out,
            "console",
            addr,
            probe(addr, http("/console/api/v1/openapi.json")),
        );
    }
}

/// Connects to `addr` (an unspecified address on loopback) and asks `talk` whether what
/// answered is the hub.
fn probe(
    addr: SocketAddr,
    talk: impl FnOnce(&mut TcpStream) -> std::io::Result<bool>,
) -> Result<bool, std::io::Error> {
    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let mut s = TcpStream::connect_timeout(&target, PATIENCE)?;
    s.set_read_timeout(Some(PATIENCE))?;
    s.set_write_timeout(Some(PATIENCE))?;
    talk(&mut s)
}

fn report_listener(
    out: &mut Findings,
    what: &str,
    addr: SocketAddr,
    answer: Result<bool, std::io::Error>,
) {
    match answer {
        Ok(true) => out.ok("listener", format!("{what} on {addr}: the hub answers")),
        Ok(false) => out.problem(
            "listener",
            format!("{what} on {addr}: something answers, but not the hub (another program on the port?)"),
        ),
        Err(e) => out.problem(
            "listener",
            format!(
                "{what} on {addr}: no answer ({e}); is the hub running? (systemctl status \
                 antre-hub, journalctl -u antre-hub)"
            ),
        ),
    }
}

/// The hall's time zone, the clock against the database, and whether the clock is kept
/// right.
fn clock(setup: &Setup, cfg: &Config, db: Option<&Connection>, out: &mut Findings) {
    let tz = cfg.hall.timezone;
    let local = setup.now.with_timezone(&tz);
    out.ok(
        "clock",
        format!(
            "the hall's time is {} ({tz}, UTC{})",
            local.format("%Y-%m-%d %H:%M:%S"),
            local.format("%:z")
        ),
    );
    let newest = db.and_then(|c| dao(c).newest_event_ms().ok().flatten());
    if let Some(ms) = newest.and_then(DateTime::<Utc>::from_timestamp_millis) {
        // A minute of slack: the hub's last event may be that fresh.
        if ms > setup.now + Duration::minutes(1) {
            out.problem(
                "clock",
                format!(
                    "the clock is behind the database's newest event ({}) by {}: set the time \
                     right (timedatectl) before the hall opens, or tickets get the wrong day",
                    ms.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    ago(ms - setup.now)
                ),
            );
        }
    }
    match std::process::Command::new("timedatectl")
        .args(["show", "--property=NTPSynchronized", "--value"])
        .output()
    {
        Ok(o) if o.status.success() => match String::from_utf8_lossy(&o.stdout).trim() {
            "yes" => out.ok("clock", "kept right by NTP (timedatectl)".into()),
            _ => out.warning(
                "clock",
                "not synchronized by NTP (timedatectl): a clock that drifts calls the day's \
                 hours wrong; `sudo timedatectl set-ntp true` or the hall's time server"
                    .into(),
            ),
        },
        // No systemd here (a container): nothing to ask.
        _ => {}
    }
}

/// Which of the catalogue's devices were connected in the last hour.
fn devices(setup: &Setup, cfg: &Config, conn: &Connection, out: &mut Findings) {
    // A database before schema 11 has no record yet: every device reads as never seen.
    let seen: std::collections::HashMap<String, i64> = dao(conn)
        .devices_seen()
        .map(|rows| rows.into_iter().collect())
        .unwrap_or_default();
    let hour_ago = (setup.now - Duration::hours(1)).timestamp_millis();
    let tz = cfg.hall.timezone;
    let mut absent = vec![];
    for d in &cfg.devices {
        match seen.get(d.id.as_str()) {
            Some(&ms) if ms >= hour_ago => {}
            Some(&ms) => absent.push(format!(
                "{} (last {})",
                d.id,
                DateTime::<Utc>::from_timestamp_millis(ms)
                    .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default()
            )),
            None => absent.push(format!("{} (never)", d.id)),
        }
    }
    let total = cfg.devices.len();
    let here = total - absent.len();
    if absent.is_empty() {
        out.ok(
            "devices",
            format!("{here} of {total} devices connected in the last hour"),
        );
    } else {
        const SHOWN: usize = 8;
        let mut not = absent[..absent.len().min(SHOWN)].join(", ");
        if absent.len() > SHOWN {
            not.push_str(&format!(" and {} more", absent.len() - SHOWN));
        }
        out.warning(
            "devices",
            format!("{here} of {total} devices connected in the last hour; not: {not}"),
        );
    }
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn owner_of(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or_else(|_| "?".into(), |m| owner_name(m.uid()))
}

fn owner_name(uid: u32) -> String {
    match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
        Ok(Some(u)) => u.name,
        _ => format!("uid {uid}"),
    }
}

fn free_bytes(dir: &Path) -> Option<u64> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    Some(s.blocks_available() * s.fragment_size())
}

/// `12.3 MB`, `870 kB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / f64::from(1u32 << 30)),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b => format!("{} kB", b.div_ceil(1024)),
    }
}

/// `3 h 12 min`, `5 min`, `40 s`, `2 days`.
fn ago(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_ages_in_words() {
        assert_eq!(size(870 * 1024), "870 kB");
        assert_eq!(size(12_897_485), "12.3 MB");
        assert_eq!(ago(Duration::seconds(3 * 3600 + 12 * 60 + 5)), "3 h 12 min");
        assert_eq!(ago(Duration::seconds(40)), "40 s");
        assert_eq!(ago(Duration::days(3)), "3 days");
    }
}
