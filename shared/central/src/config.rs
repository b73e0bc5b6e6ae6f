//! `central.toml`: the database, where to listen, and each hall with what can be booked
//! there (CENTRAL.md, "Running it"). Every problem is reported at once, in words.

use antre_core::domain::booking::Session;
use chrono::{NaiveDate, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub public_url: String,
    /// The reporting token's SHA-256 (hex), for `GET /api/v1/report`.
    pub report_token_sha256: Option<[u8; 32]>,
    /// Connections each process keeps to PostgreSQL.
    pub pool_size: usize,
    /// How many days ahead citizens may book (today included as day 0).
    pub book_days_ahead: i64,
    pub halls: Vec<Hall>,
}

#[derive(Debug, Clone)]
pub struct Hall {
    pub id: String,
    pub name: String,
    pub timezone: Tz,
    pub token_sha256: [u8; 32],
    pub closed_weekdays: Vec<Weekday>,
    pub holidays: Vec<NaiveDate>,
    pub booking: Vec<Bookable>,
}

/// A service of a hall that citizens may book.
#[derive(Debug, Clone)]
pub struct Bookable {
    pub service: String,
    pub name: String,
    pub sessions: Vec<Session>,
    pub per_session: u32,
}

impl Hall {
    pub fn bookable(&self, service: &str) -> Option<&Bookable> {
        self.booking.iter().find(|b| b.service == service)
    }

    /// Whether the hall serves on `day` (not a closed weekday, not a holiday).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        !self.closed_weekdays.contains(&day.weekday()) && !self.holidays.contains(&day)
    }
}

impl Config {
    pub fn hall(&self, id: &str) -> Option<&Hall> {
        self.halls.iter().find(|h| h.id == id)
    }

    /// The hall whose sync token this is (compared by hash, in constant time).
    pub fn hall_by_token(&self, token: &str) -> Option<&Hall> {
        let hash = sha256(token);
        self.halls
            .iter()
            .find(|h| subtle::ConstantTimeEq::ct_eq(&h.token_sha256[..], &hash[..]).into())
    }

    /// Whether `token` is the reporting token.
    pub fn is_report_token(&self, token: &str) -> bool {
        self.report_token_sha256
            .is_some_and(|h| subtle::ConstantTimeEq::ct_eq(&h[..], &sha256(token)[..]).into())
    }

    /// Reads and checks `path`.
    ///
    /// # Errors
    /// The file cannot be read, or names every problem found in it.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Parses and checks config text.
    ///
    /// # Errors
    /// Every problem, one per line.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError(vec![e.to_string()]))?;
        let mut problems = vec![];
        let listen = raw.listen.parse().unwrap_or_else(|_| {
            problems.push(format!(
                "listen: {:?} is not an address such as 0.0.0.0:8090",
                raw.listen
            ));
            SocketAddr::from(([127, 0, 0, 1], 0))
        });
        let report_token_sha256 = raw
            .report_token_sha256
            .as_deref()
            .and_then(|h| hash_field("report_token_sha256", h, &mut problems));
        let mut halls: Vec<Hall> = vec![];
        for h in raw.halls {
            let at = format!("halls {:?}", h.id);
            if h.id.is_empty() || !h.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                problems.push(format!("{at}: an id is letters, digits and dashes"));
            }
            if halls.iter().any(|x| x.id == h.id) {
                problems.push(format!("{at}: two halls have this id"));
            }
            let timezone = h.timezone.parse().unwrap_or_else(|_| {
                problems.push(format!(
                    "{at}: timezone {:?} is not a zone such as Asia/Jakarta",
                    h.timezone
                ));
                antre_core::domain::day::DEFAULT_TIMEZONE
            });
            let token_sha256 = hash_field(
                &format!("{at}: token_sha256"),
                &h.token_sha256,
                &mut problems,
            )
            .unwrap_or([0; 32]);
            let closed_weekdays = h
                .closed_weekdays
                .iter()
                .filter_map(|d| {
                    d.parse::<Weekday>()
                        .map_err(|_| {
                            problems.push(format!(
                                "{at}: closed_weekdays: {d:?} is not a day such as \"sun\""
                            ))
                        })
                        .ok()
                })
                .collect();
            let holidays = h
                .holidays
                .iter()
                .filter_map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| {
                            problems.push(format!("{at}: holidays: {d:?} is not a date YYYY-MM-DD"))
                        })
                        .ok()
                })
                .collect();
            let mut booking: Vec<Bookable> = vec![];
            for b in h.booking {
                let at = format!("{at}, booking {:?}", b.service);
                if booking.iter().any(|x| x.service == b.service) {
                    problems.push(format!("{at}: this service is listed twice"));
                }
                if b.sessions.is_empty() {
                    problems.push(format!(
                        "{at}: sessions: at least one, such as \"08:00-10:00\""
                    ));
                }
                let mut sessions: Vec<Session> = b
                    .sessions
                    .iter()
                    .filter_map(|s| {
                        Session::parse(s)
                            .map_err(|e| problems.push(format!("{at}: {e}")))
                            .ok()
                    })
                    .collect();
                sessions.sort();
                if sessions.windows(2).any(|w| w[1].start < w[0].end) {
                    problems.push(format!("{at}: sessions overlap"));
                }
                if b.per_session == 0 {
                    problems.push(format!("{at}: per_session must be at least 1"));
                }
                booking.push(Bookable {
                    name: b.name.unwrap_or_else(|| b.service.clone()),
                    service: b.service,
                    sessions,
                    per_session: b.per_session,
                });
            }
            halls.push(Hall {
                id: h.id,
                name: h.name,
                timezone,
                token_sha256,
                closed_weekdays,
                holidays,
                booking,
            });
        }
        if raw.pool_size == 0 {
            problems.push("pool_size must be at least 1".to_owned());
        }
        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Config {
            database_url: raw.database_url,
            listen,
            public_url: raw.public_url.trim_end_matches('/').to_owned(),
            report_token_sha256,
            pool_size: raw.pool_size,
            book_days_ahead: raw.book_days_ahead,
            halls,
        })
    }
}

/// What is wrong with a config, one problem per entry.
#[derive(Debug)]
pub struct ConfigError(pub Vec<String>);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the config has {} problem(s):", self.0.len())?;
        for p in &self.0 {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The SHA-256 of a token.
pub fn sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hash_field(at: &str, hex_text: &str, problems: &mut Vec<String>) -> Option<[u8; 32]> {
    let parsed = hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok());
    if parsed.is_none() {
        problems.push(format!(
            "{at}: not a SHA-256 in hex (64 characters; `printf %s TOKEN | sha256sum` makes one)"
        ));
    }
    parsed
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database_url: String,
    #[serde(default = "default_listen")]
    listen: String,
    public_url: String,
    report_token_sha256: Option<String>,
    #[serde(default = "default_pool")]
    pool_size: usize,
    #[serde(default = "default_days")]
    book_days_ahead: i64,
    #[serde(default)]
    halls: Vec<RawHall>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHall {
    id: String,
    name: String,
    #[serde(default = "default_tz")]
    timezone: String,
    token_sha256: String,
    #[serde(default = "default_closed")]
    closed_weekdays: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    booking: Vec<RawBookable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBookable {
    service: String,
    name: Option<String>,
    sessions: Vec<String>,
    per_session: u32,
}

fn default_listen() -> String {
    "127.0.0.1:8090".to_owned()
}
fn default_pool() -> usize {
    16
}
fn default_days() -> i64 {
    14
}
fn default_tz() -> String {
    "Asia/Jakarta".to_owned()
}
fn default_closed() -> Vec<String> {
    vec!["sat".to_owned(), "sun".to_owned()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"; // "test"

    #[test]
    fn the_example_config_reads_with_its_sample_tokens() {
        let text = include_str!("../../../config/central.toml");
        let cfg = Config::parse(text).expect("config/central.toml is valid");
        assert_eq!(cfg.halls.len(), 2);
        let batu = cfg
            .hall_by_token("ganti-token-sinkron-mpp-among-warga")
            .expect("the sample token is the hall's");
        assert_eq!(batu.id, "among-warga");
        assert_eq!(
            batu.bookable("dukcapil-kk").map(|b| b.per_session),
            Some(10)
        );
        assert!(cfg
            .hall_by_token("ganti-token-sinkron-mpp-mini-junrejo")
            .is_some());
        assert!(cfg.is_report_token("ganti-token-laporan-kota-batu"));
        assert!(!cfg.is_report_token("ganti-token-sinkron-mpp-among-warga"));
    }

    #[test]
    fn a_good_config_reads() {
        let cfg = Config::parse(&format!(
            r#"database_url = "postgres://x@localhost/c"
public_url = "https://antrian.example/"
[[halls]]
id = "batu"
name = "MPP Among Warga"
token_sha256 = "{HASH}"
holidays = ["2026-12-25"]
[[halls.booking]]
service = "dukcapil-ktp"
name = "KTP-el"
sessions = ["10:00-12:00", "08:00-10:00"]
per_session = 5
"#
        ))
        .unwrap();
        assert_eq!(cfg.public_url, "https://antrian.example");
        let hall = cfg.hall_by_token("test").unwrap();
        assert_eq!(hall.id, "batu");
        assert!(cfg.hall_by_token("tset").is_none());
        let b = hall.bookable("dukcapil-ktp").unwrap();
        assert_eq!(b.sessions[0].to_string(), "08:00-10:00", "sorted");
        // 2026-12-05 is a Saturday, 2026-12-25 a holiday, 2026-12-07 a Monday.
        assert!(!hall.open_on(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()));
        assert!(!hall.open_on(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()));
        assert!(hall.open_on(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()));
    }

    #[test]
    fn every_problem_is_named() {
        let e = Config::parse(
            r#"database_url = "postgres://x@localhost/c"
public_url = "http://x"
listen = "nowhere"
[[halls]]
id = "batu hall"
name = "A"
token_sha256 = "abc"
[[halls.booking]]
service = "s"
sessions = ["10:00-12:00", "11:00-13:00"]
per_session = 0
"#,
        )
        .unwrap_err();
        let text = e.to_string();
        for want in [
            "listen",
            "letters, digits",
            "SHA-256",
            "overlap",
            "per_session",
        ] {
            assert!(text.contains(want), "{want} missing from {text}");
        }
    }
}
