//! The hall's configuration (`hall.toml`): read, validated, resolved.
//!
//! A wrong config is refused at start with messages that name the line, all at once, so the
//! technician fixes everything in one pass.

use antre_core::domain::issuing::IssuingHours;
use antre_core::domain::{AgencyId, CounterId, DeviceId, ServiceId};
use antre_core::proto::Role;
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use subtle::ConstantTimeEq;
use toml::Spanned;

/// Tokens starting with this are the public samples of the config files in the repository:
/// a hub accepts them only while every listener is on loopback (the demo).
pub const SAMPLE_PREFIX: &str = "SAMPLE-";

/// The shortest plain token the hub accepts.
pub const MIN_TOKEN_CHARS: usize = 16;

#[derive(Debug, Clone)]
pub struct Config {
    pub hall: Hall,
    pub agencies: Vec<Agency>,
    pub services: Vec<Service>,
    pub counters: Vec<Counter>,
    pub devices: Vec<Device>,
    /// Days on which no ticket is issued.
    pub holidays: Vec<Holiday>,
    service_index: HashMap<ServiceId, usize>,
    counter_index: HashMap<CounterId, usize>,
    device_index: HashMap<DeviceId, usize>,
}

#[derive(Debug, Clone)]
pub struct Hall {
    pub name: String,
    pub timezone: Tz,
    pub listen: SocketAddr,
    /// Announcements the wall displays show in turn along their bottom line.
    pub running_text: Vec<String>,
    /// Where the hub serves its web pages (phones, web displays); `None`: no web server.
    pub http_listen: Option<SocketAddr>,
    /// Where the hub serves the hall's console (`None`: no console). Default: this machine
    /// only, 127.0.0.1:8081.
    pub console_listen: Option<SocketAddr>,
    /// The address phones reach the web pages at, for QR codes, e.g. `http://192.168.1.10:8080`.
    pub public_url: Option<String>,
    pub queue: QueuePolicy,
    pub net: NetLimits,
    pub web: WebLimits,
    /// Training and demo mode (`--ignore-hours`): tickets at any hour. The catalogue keeps
    /// its hours; only issuing looks past them.
    pub ignore_hours: bool,
    /// The city's service this hub pushes its events to and pulls bookings from
    /// (`[central]`); `None`: the hub never talks to one.
    pub central: Option<CentralLink>,
}

/// `[central]`: where the city's service is, and who this hall is there (CENTRAL.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralLink {
    /// `https://…` (or `http://` on a private network), without a trailing `/`.
    pub url: String,
    /// The hall's id in the city's `central.toml`.
    pub hall: String,
    /// The hall's sync token (the city's service keeps its SHA-256).
    pub token: String,
    /// Seconds between two pulls of the day's bookings.
    pub pull_every_secs: u64,
}

impl CentralLink {
    /// How often bookings are pulled by default (CENTRAL.md: every minute).
    pub const PULL_EVERY_SECS: u64 = 60;
}

/// How the queue is run (`[hall]` fields of the same names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePolicy {
    /// Priority calls in a row that may pass over a waiting normal ticket.
    pub max_priority_in_row: u32,
    /// Tickets one kiosk may issue per minute; `None`: no limit.
    pub kiosk_tickets_per_minute: Option<u32>,
    /// A phone page vibrates once and says "Sebentar lagi giliran Anda" when this many
    /// people or fewer are ahead.
    pub notify_ahead: u32,
}

impl Default for QueuePolicy {
    fn default() -> Self {
        QueuePolicy {
            max_priority_in_row: 2,
            kiosk_tickets_per_minute: None,
            notify_ahead: 3,
        }
    }
}

/// What the protocol port allows each connection and in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetLimits {
    /// Open connections the hub accepts at once.
    pub max_connections: usize,
    /// Events a connection may fall behind before it is dropped (it then resumes).
    pub client_buffer_events: usize,
    /// Seconds a new connection has to send its `hello`.
    pub hello_timeout_secs: u64,
    /// Connections that have not said `hello` yet, in all. They have places of their own,
    /// apart from the devices' `max_connections`: when they are full, the one that has
    /// waited longest is closed for the newcomer, so a flood of idle sockets never keeps a
    /// device (which says hello at once) out.
    pub max_unauthenticated: usize,
    /// Connections without a `hello` from one address; a new one closes that address's
    /// oldest.
    pub unauthenticated_per_client: usize,
    /// The kernel's send buffer per connection, in bytes: with `client_buffer_events`, it
    /// bounds what a device that stops reading can hold up. A wall display's backlog in the
    /// hub holds as much again (64 KiB at least).
    pub client_send_buffer_bytes: usize,
}

impl Default for NetLimits {
    fn default() -> Self {
        NetLimits {
            max_connections: 512,
            client_buffer_events: 4096,
            hello_timeout_secs: 10,
            max_unauthenticated: 256,
            unauthenticated_per_client: 8,
            client_send_buffer_bytes: 256 * 1024,
        }
    }
}

/// What the web pages allow each client address and in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebLimits {
    /// Requests one client address may make per minute to the web pages' API.
    pub http_requests_per_minute: u32,
    /// Live streams (SSE) the web server keeps open at once.
    pub http_max_streams: usize,
    /// Live streams one client address may hold at once.
    pub http_streams_per_client: usize,
    /// Open HTTP connections in all; more are closed at once.
    pub http_max_connections: usize,
    /// Open HTTP connections from one client address.
    pub http_connections_per_client: usize,
    /// Seconds a client has to send a request's head (and a kept-alive connection may sit
    /// idle), and a request's body; slower ones are closed.
    pub http_header_timeout_secs: u64,
}

impl Default for WebLimits {
    fn default() -> Self {
        WebLimits {
            http_requests_per_minute: 120,
            http_max_streams: 5000,
            http_streams_per_client: 8,
            http_max_connections: 6000,
            http_connections_per_client: 64,
            http_header_timeout_secs: 10,
        }
    }
}

/// The protocol port when `[hall] listen` is not given.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::UNSPECIFIED,
    7878,
));
/// The web pages' port when `[hall] http_listen` is not given.
pub const DEFAULT_HTTP_LISTEN: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::UNSPECIFIED,
    8080,
));

/// A day the hall issues no ticket, with the reason the kiosk shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: chrono::NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    pub color: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: ServiceId,
    pub agency: AgencyId,
    pub name: String,
    pub prefix: String,
    pub daily_quota: Option<u32>,
    pub hours: Option<IssuingHours>,
    pub requirements: Vec<String>,
    pub standard_minutes: Option<u32>,
    /// A waiting ticket past this many minutes raises a console alert (`long_wait`).
    pub max_wait_min: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Counter {
    pub id: CounterId,
    pub name: String,
    pub services: Vec<ServiceId>,
    /// Its scheduled breaks (ISHOMA: "12:00-13:00"), hall time: the estimate knows it serves
    /// nobody then. The officer still pauses with the button.
    pub breaks: Vec<IssuingHours>,
}

#[derive(Clone)]
pub struct Device {
    pub id: DeviceId,
    pub role: Role,
    token_sha256: [u8; 32],
    /// Its token is one of the public samples (`SAMPLE-…`): only for a hub on loopback.
    pub sample: bool,
    pub counter: Option<CounterId>,
    /// For displays: the agencies it covers; `None`: the whole hall.
    pub zone: Option<Vec<AgencyId>>,
}

impl Device {
    /// Gives the device a new token (the demo's fresh ones); only its hash is kept.
    pub fn set_token(&mut self, token: &str) {
        self.token_sha256 = Sha256::digest(token.as_bytes()).into();
        self.sample = token.starts_with(SAMPLE_PREFIX);
    }

    /// Whether this device and `other` hold the same token.
    pub fn same_token(&self, other: &Device) -> bool {
        self.token_sha256.ct_eq(&other.token_sha256).into()
    }

    /// Whether `token` is this device's, compared in constant time on the SHA-256.
    pub fn token_matches(&self, token: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        given.ct_eq(&self.token_sha256).into()
    }
}

impl Device {
    /// A device inside the hub itself (the web pages' surveys and aspirations): it acts with
    /// `role` and no token opens it.
    pub fn internal(id: &str, role: Role) -> Device {
        Device {
            id: id.into(),
            role,
            // No token hashes to this: SHA-256 of anything is not all zeros in practice.
            token_sha256: [0; 32],
            sample: false,
            counter: None,
            zone: None,
        }
    }
}

// Never print a token or its hash.
impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("counter", &self.counter)
            .field("zone", &self.zone)
            .finish_non_exhaustive()
    }
}

/// Problems found in a config, each with its line where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// The field it is about, where one is (`prefix`, `services`…): the console marks it.
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(field: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            line: None,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "the config has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    hall: Spanned<RawHall>,
    #[serde(default)]
    agencies: Vec<Spanned<RawAgency>>,
    #[serde(default)]
    services: Vec<Spanned<RawService>>,
    #[serde(default)]
    counters: Vec<Spanned<RawCounter>>,
    #[serde(default)]
    devices: Vec<Spanned<RawDevice>>,
    #[serde(default)]
    holidays: Vec<Spanned<RawHoliday>>,
    central: Option<Spanned<RawCentral>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCentral {
    url: String,
    hall: String,
    token: String,
    pull_every_secs: Option<u64>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    date: String,
    reason: String,
}

/// The catalogue as the database keeps it: the config's lists and the running text,
/// without `[hall]`'s network settings, which stay in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default)]
    running_text: Vec<String>,
    #[serde(default)]
    agencies: Vec<Spanned<RawAgency>>,
    #[serde(default)]
    services: Vec<Spanned<RawService>>,
    #[serde(default)]
    counters: Vec<Spanned<RawCounter>>,
    #[serde(default)]
    devices: Vec<Spanned<RawDevice>>,
    #[serde(default)]
    holidays: Vec<Spanned<RawHoliday>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHall {
    name: String,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    listen: Option<Spanned<String>>,
    #[serde(default)]
    max_priority_in_row: Option<u32>,
    #[serde(default)]
    kiosk_tickets_per_minute: Option<u32>,
    #[serde(default)]
    notify_ahead: Option<u32>,
    #[serde(default)]
    max_connections: Option<usize>,
    #[serde(default)]
    client_buffer_events: Option<usize>,
    #[serde(default)]
    hello_timeout_secs: Option<u64>,
    #[serde(default)]
    client_send_buffer_bytes: Option<usize>,
    #[serde(default)]
    max_unauthenticated: Option<usize>,
    #[serde(default)]
    unauthenticated_per_client: Option<usize>,
    #[serde(default)]
    running_text: Vec<String>,
    #[serde(default)]
    http_listen: Option<Spanned<String>>,
    #[serde(default)]
    public_url: Option<Spanned<String>>,
    #[serde(default)]
    console_listen: Option<Spanned<String>>,
    #[serde(default)]
    http_requests_per_minute: Option<u32>,
    #[serde(default)]
    http_max_streams: Option<usize>,
    #[serde(default)]
    http_streams_per_client: Option<usize>,
    #[serde(default)]
    http_max_connections: Option<usize>,
    #[serde(default)]
    http_connections_per_client: Option<usize>,
    #[serde(default)]
    http_header_timeout_secs: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    id: String,
    name: String,
    #[serde(default)]
    color: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    id: String,
    agency: Spanned<String>,
    name: String,
    prefix: Spanned<String>,
    #[serde(default)]
    daily_quota: Option<u32>,
    #[serde(default)]
    hours: Option<Spanned<String>>,
    #[serde(default)]
    requirements: Vec<String>,
    #[serde(default)]
    standard_minutes: Option<u32>,
    #[serde(default)]
    max_wait_min: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    id: String,
    name: String,
    services: Vec<Spanned<String>>,
    #[serde(default)]
    breaks: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    id: String,
    role: Role,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    token_sha256: Option<String>,
    #[serde(default)]
    counter: Option<Spanned<String>>,
    #[serde(default)]
    agencies: Option<Vec<Spanned<String>>>,
    /// Its token is a public sample (kept when the catalogue holds only the hash).
    #[serde(default)]
    sample: bool,
}

impl Config {
    /// Reads and validates a config file.
    ///
    /// # Errors
    /// The file cannot be read, is not TOML, or fails validation; the error lists every
    /// problem found, with its line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            problems: vec![Problem::new(
                None,
                format!("cannot read {}: {e}", path.display()),
            )],
        })?;
        Config::parse(&text)
    }

    /// Parses and validates config text.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let (raw, mut problems) = parse_raw::<RawConfig>(text);
        let Some(raw) = raw else {
            return Err(ConfigError { problems });
        };
        match Validator::new(text).run(raw) {
            Ok(cfg) if problems.is_empty() => Ok(cfg),
            Ok(_) => Err(ConfigError { problems }),
            Err(e) => {
                problems.extend(e.problems);
                problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
                Err(ConfigError { problems })
            }
        }
    }

    /// This config with the catalogue `text` (TOML, as [`Config::catalogue_toml`] writes
    /// it) in place of its own: the hall's network settings stay, the lists and the running
    /// text are the catalogue's. Checked as the file is, every problem at once.
    ///
    /// # Errors
    /// The text is not a catalogue, or fails validation.
    pub fn with_catalogue(&self, text: &str) -> Result<Config, ConfigError> {
        let (raw, mut problems) = parse_raw::<RawCatalogue>(text);
        let Some(raw) = raw else {
            return Err(ConfigError { problems });
        };
        let mut hall = self.hall.clone();
        hall.running_text = clean_running_text(&raw.running_text);
        match Validator::new(text).resolve(Some(hall), &raw) {
            Ok(cfg) if problems.is_empty() => Ok(cfg),
            Ok(_) => Err(ConfigError { problems }),
            Err(e) => {
                problems.extend(e.problems);
                Err(ConfigError { problems })
            }
        }
    }

    /// The catalogue (agencies, services, counters, devices, running text) as TOML, as the
    /// database keeps it and `antre-hub export-config` prints it. Devices keep only their
    /// token's SHA-256.
    pub fn catalogue_toml(&self) -> String {
        let out = catalogue::Out::of(self);
        toml::to_string(&out).expect("a catalogue serializes")
    }

    /// Why no ticket is issued on service day `day`, if it is a holiday.
    pub fn holiday(&self, day: chrono::NaiveDate) -> Option<&str> {
        antre_core::domain::issuing::holiday(
            day,
            self.holidays.iter().map(|h| (h.date, h.reason.as_str())),
        )
    }

    /// The hours `service` issues tickets in: its own, or none in training mode.
    pub fn issuing_hours(&self, service: &Service) -> Option<IssuingHours> {
        if self.hall.ignore_hours {
            None
        } else {
            service.hours
        }
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.service_index.get(id).map(|&i| &self.services[i])
    }

    pub fn counter(&self, id: &str) -> Option<&Counter> {
        self.counter_index.get(id).map(|&i| &self.counters[i])
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.device_index.get(id).map(|&i| &self.devices[i])
    }

    /// The devices that still carry a public sample token.
    pub fn sample_devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(|d| d.sample)
    }

    /// Refuses sample tokens unless every address the hub listens on is loopback.
    ///
    /// # Errors
    /// Names the devices with samples and the address that is not loopback.
    pub fn check_samples(&self, listeners: &[SocketAddr]) -> anyhow::Result<()> {
        let samples: Vec<&str> = self.sample_devices().map(|d| d.id.as_str()).collect();
        let open = listeners.iter().find(|a| !a.ip().is_loopback());
        match (samples.is_empty(), open) {
            (false, Some(addr)) => anyhow::bail!(
                "refusing to serve on {addr}: these devices still have public SAMPLE- tokens, \
                 which anyone can read in the repository: {}. Give each a token of its own \
                 (`openssl rand -base64 32`) or its SHA-256 as token_sha256, or listen on \
                 127.0.0.1 only (the demo)",
                samples.join(", ")
            ),
            _ => Ok(()),
        }
    }

    /// Whether the hub may run on a fast clock (`--time-scale`, training and tests): only
    /// on loopback, or with no device holding a real token, since every ticket, call and
    /// report of such a day is made up.
    ///
    /// # Errors
    /// The scale is not a finite number from 1 to 10 000, or real devices could connect
    /// from the network.
    pub fn check_time_scale(&self, scale: f64, listeners: &[SocketAddr]) -> anyhow::Result<()> {
        anyhow::ensure!(
            scale.is_finite() && (1.0..=10_000.0).contains(&scale),
            "--time-scale {scale}: give a number from 1 to 10000"
        );
        let real: Vec<&str> = self
            .devices
            .iter()
            .filter(|d| !d.sample)
            .map(|d| d.id.as_str())
            .collect();
        if let Some(addr) = listeners.iter().find(|a| !a.ip().is_loopback()) {
            anyhow::ensure!(
                real.is_empty(),
                "refusing --time-scale on {addr}: a fast clock is for training and tests, \
                 and these devices have real tokens: {}. Listen on 127.0.0.1 only",
                real.join(", ")
            );
        }
        Ok(())
    }

    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.id.as_str() == id)
    }

    /// The services that share `prefix`, and so its numbering.
    pub fn services_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a Service> {
        self.services.iter().filter(move |s| s.prefix == prefix)
    }

    /// The counters that serve `service`.
    pub fn counters_serving<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Counter> {
        self.counters
            .iter()
            .filter(move |c| c.services.iter().any(|s| s.as_str() == service))
    }
}

/// Reads the config's structure, collecting every unknown field and every value of the
/// wrong type instead of stopping at the first: each is noted with its line, that line is
/// set aside (commented out), and the text is read again. Returns what could be read, and
/// the problems.
fn parse_raw<T: serde::de::DeserializeOwned>(text: &str) -> (Option<T>, Vec<Problem>) {
    /// More than this many problems of one file: the rest would be noise.
    const MAX_PROBLEMS: usize = 100;
    let mut text = text.to_owned();
    let mut problems = vec![];
    loop {
        let e = match toml::from_str::<T>(&text) {
            Ok(raw) => return (Some(raw), problems),
            Err(e) => e,
        };
        let message = e.message().trim().to_owned();
        let Some(span) = e.span() else {
            problems.push(Problem::new(None, message));
            return (None, problems);
        };
        let line = line_of(&text, span.start);
        problems.push(Problem {
            line: Some(line),
            field: None,
            message: message.clone(),
        });
        // Only a `key = value` line of its own can be set aside and the rest still read.
        let setaside = message.starts_with("unknown field")
            || message.starts_with("invalid type")
            || message.starts_with("invalid value");
        let start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let this_line = &text[start..end];
        if !setaside || !this_line.contains('=') || problems.len() >= MAX_PROBLEMS {
            return (None, problems);
        }
        text.insert(start, '#');
    }
}

/// The running text's lines, trimmed, without empty ones.
fn clean_running_text(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The catalogue written out (the inverse of `RawCatalogue`).
mod catalogue {
    use super::Config;
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Out<'a> {
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        running_text: &'a [String],
        agencies: Vec<Agency<'a>>,
        services: Vec<Service<'a>>,
        counters: Vec<Counter<'a>>,
        devices: Vec<Device<'a>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        holidays: Vec<Holiday<'a>>,
    }

    #[derive(Serialize)]
    struct Holiday<'a> {
        date: String,
        reason: &'a str,
    }

    #[derive(Serialize)]
    struct Agency<'a> {
        id: &'a str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        color: Option<&'a str>,
    }

    #[derive(Serialize)]
    struct Service<'a> {
        id: &'a str,
        agency: &'a str,
        name: &'a str,
        prefix: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        daily_quota: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        hours: Option<String>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        requirements: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        standard_minutes: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_wait_min: Option<u32>,
    }

    #[derive(Serialize)]
    struct Counter<'a> {
        id: &'a str,
        name: &'a str,
        services: Vec<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        breaks: Vec<String>,
    }

    #[derive(Serialize)]
    struct Device<'a> {
        id: &'a str,
        role: antre_core::proto::Role,
        token_sha256: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        counter: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        agencies: Option<Vec<&'a str>>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        sample: bool,
    }

    impl<'a> Out<'a> {
        pub fn of(cfg: &'a Config) -> Out<'a> {
            Out {
                running_text: &cfg.hall.running_text,
                agencies: cfg
                    .agencies
                    .iter()
                    .map(|a| Agency {
                        id: a.id.as_str(),
                        name: &a.name,
                        color: a.color.as_deref(),
                    })
                    .collect(),
                services: cfg
                    .services
                    .iter()
                    .map(|s| Service {
                        id: s.id.as_str(),
                        agency: s.agency.as_str(),
                        name: &s.name,
                        prefix: &s.prefix,
                        daily_quota: s.daily_quota,
                        hours: s.hours.map(|h| h.to_string()),
                        requirements: &s.requirements,
                        standard_minutes: s.standard_minutes,
                        max_wait_min: s.max_wait_min,
                    })
                    .collect(),
                counters: cfg
                    .counters
                    .iter()
                    .map(|c| Counter {
                        id: c.id.as_str(),
                        name: &c.name,
                        services: c.services.iter().map(|s| s.as_str()).collect(),
                        breaks: c.breaks.iter().map(|b| b.to_string()).collect(),
                    })
                    .collect(),
                devices: cfg
                    .devices
                    .iter()
                    .map(|d| Device {
                        id: d.id.as_str(),
                        role: d.role,
                        token_sha256: hex::encode(d.token_sha256),
                        counter: d.counter.as_ref().map(|c| c.as_str()),
                        agencies: d
                            .zone
                            .as_ref()
                            .map(|z| z.iter().map(|a| a.as_str()).collect()),
                        sample: d.sample,
                    })
                    .collect(),
                holidays: cfg
                    .holidays
                    .iter()
                    .map(|h| Holiday {
                        date: h.date.to_string(),
                        reason: &h.reason,
                    })
                    .collect(),
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

struct Validator<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl<'a> Validator<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            problems: vec![],
        }
    }

    fn problem<T>(&mut self, span: &Spanned<T>, message: String) {
        self.problems.push(Problem {
            line: Some(line_of(self.text, span.span().start)),
            field: None,
            message,
        });
    }

    /// A problem with one field of an entry.
    fn problem_in<T>(&mut self, span: &Spanned<T>, field: &str, message: String) {
        self.problems.push(Problem {
            line: Some(line_of(self.text, span.span().start)),
            field: Some(field.to_owned()),
            message,
        });
    }

    /// Checks that every id of a section is present and unique.
    fn unique_ids<T>(&mut self, section: &str, items: &[Spanned<T>], id: impl Fn(&T) -> &str) {
        let mut seen = HashSet::new();
        for item in items {
            let i = id(item.get_ref());
            if i.trim().is_empty() || i.chars().count() > 64 {
                self.problem(item, format!("[[{section}]] id must be 1 to 64 characters"));
            } else if !seen.insert(i.to_owned()) {
                self.problem(item, format!("[[{section}]] id {i:?} is used twice"));
            }
        }
    }

    /// Every section checked by its own validator, every problem collected; a config is
    /// returned only when there is none.
    fn run(mut self, raw: RawConfig) -> Result<Config, ConfigError> {
        let central = raw.central.as_ref().and_then(|c| self.central(c));
        let hall = self.hall(&raw.hall).map(|h| Hall { central, ..h });
        let catalogue = RawCatalogue {
            running_text: vec![],
            agencies: raw.agencies,
            services: raw.services,
            counters: raw.counters,
            devices: raw.devices,
            holidays: raw.holidays,
        };
        self.resolve(hall, &catalogue)
    }

    /// Checks the catalogue's sections, each by its own validator, and puts the config
    /// together with `hall` (`None`: `[hall]` had problems, already noted).
    fn resolve(mut self, hall: Option<Hall>, raw: &RawCatalogue) -> Result<Config, ConfigError> {
        self.unique_ids("agencies", &raw.agencies, |a| &a.id);
        self.unique_ids("services", &raw.services, |s| &s.id);
        self.unique_ids("counters", &raw.counters, |c| &c.id);
        self.unique_ids("devices", &raw.devices, |d| &d.id);
        let agencies = self.agencies(&raw.agencies);
        let services = self.services(&raw.services, &agencies);
        let counters = self.counters(&raw.counters, &services);
        let devices = self.devices(&raw.devices, &agencies, &counters);
        let holidays = self.holidays(&raw.holidays);
        if !self.problems.is_empty() {
            return Err(ConfigError {
                problems: self.problems,
            });
        }
        let hall = hall.expect("no problems means the hall resolved");
        Ok(Config {
            hall,
            service_index: index(services.iter().map(|s| s.id.clone())),
            counter_index: index(counters.iter().map(|c| c.id.clone())),
            device_index: index(devices.iter().map(|d| d.id.clone())),
            agencies,
            services,
            counters,
            devices,
            holidays,
        })
    }
}

/// Where each id stands in its list.
fn index<K: std::hash::Hash + Eq>(ids: impl Iterator<Item = K>) -> HashMap<K, usize> {
    ids.enumerate().map(|(i, id)| (id, i)).collect()
}

impl Validator<'_> {
    /// `[[holidays]]`: a date (YYYY-MM-DD) once each, and a reason the kiosk can show.
    fn holidays(&mut self, raw: &[Spanned<RawHoliday>]) -> Vec<Holiday> {
        let mut out: Vec<Holiday> = vec![];
        for h in raw {
            let r = h.get_ref();
            let Ok(date) = chrono::NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d") else {
                self.problem_in(
                    h,
                    "date",
                    format!(
                        "holiday {:?}: write the date as YYYY-MM-DD, e.g. 2026-12-25",
                        r.date
                    ),
                );
                continue;
            };
            if r.reason.trim().is_empty() {
                self.problem_in(
                    h,
                    "reason",
                    format!(
                    "holiday {date}: give the reason the kiosk shows (e.g. \"Hari Raya Natal\")"
                ),
                );
            }
            if out.iter().any(|o| o.date == date) {
                self.problem_in(h, "date", format!("holiday {date} is given twice"));
            }
            out.push(Holiday {
                date,
                reason: r.reason.trim().to_owned(),
            });
        }
        out.sort_by_key(|h| h.date);
        out
    }

    /// `[[agencies]]`: a colour, where given, as `#rrggbb`.
    fn agencies(&mut self, raw: &[Spanned<RawAgency>]) -> Vec<Agency> {
        for a in raw {
            if let Some(c) = &a.get_ref().color {
                let ok = c.len() == 7
                    && c.starts_with('#')
                    && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
                if !ok {
                    self.problem_in(
                        a,
                        "color",
                        format!(
                            "agency {:?}: color must look like \"#1e88e5\", got {c:?}",
                            a.get_ref().id
                        ),
                    );
                }
            }
        }
        raw.iter()
            .map(|a| {
                let r = a.get_ref();
                Agency {
                    id: AgencyId::new(&r.id),
                    name: r.name.clone(),
                    color: r.color.clone(),
                }
            })
            .collect()
    }

    /// `[[services]]`: a known agency, a prefix of 1 to 3 capitals that no other agency
    /// uses, issuing hours that parse, a name; at least one service.
    fn services(&mut self, raw: &[Spanned<RawService>], agencies: &[Agency]) -> Vec<Service> {
        let mut prefix_owner: HashMap<&str, &str> = HashMap::new();
        let mut services = vec![];
        for s in raw {
            let r = s.get_ref();
            let (agency, prefix) = (r.agency.get_ref(), r.prefix.get_ref());
            if !agencies.iter().any(|a| a.id.as_str() == agency) {
                self.problem_in(
                    &r.agency,
                    "agency",
                    format!(
                        "service {:?} names agency {agency:?}, which no [[agencies]] entry defines",
                        r.id
                    ),
                );
            }
            let prefix_ok =
                (1..=3).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase());
            if !prefix_ok {
                self.problem_in(
                    &r.prefix,
                    "prefix",
                    format!(
                        "service {:?}: prefix must be 1 to 3 capital letters (A-Z), got {prefix:?}",
                        r.id
                    ),
                );
            }
            match prefix_owner.get(prefix.as_str()) {
                Some(owner) if *owner != agency => self.problem_in(&r.prefix, "prefix", format!(
                    "service {:?} uses prefix {prefix:?}, which agency {owner:?} already uses: services of different agencies may not share a prefix",
                    r.id
                )),
                Some(_) => {}
                None => {
                    prefix_owner.insert(prefix, agency);
                }
            }
            let hours = match &r.hours {
                Some(h) => match h.get_ref().parse::<IssuingHours>() {
                    Ok(h) => Some(h),
                    Err(e) => {
                        self.problem_in(h, "hours", format!("service {:?}: {e}", r.id));
                        None
                    }
                },
                None => None,
            };
            if r.name.trim().is_empty() {
                self.problem_in(s, "name", format!("service {:?} has an empty name", r.id));
            }
            if r.daily_quota == Some(0) {
                self.problem_in(
                    s,
                    "daily_quota",
                    format!(
                    "service {:?}: a daily quota of 0 issues no ticket; leave it out for no quota",
                    r.id
                ),
                );
            }
            if let Some(m) = r.max_wait_min.as_ref().filter(|m| *m.get_ref() == 0) {
                self.problem_in(m, "max_wait_min", format!(
                    "service {:?}: max_wait_min must be at least 1 minute; leave it out for no alert",
                    r.id
                ));
            }
            services.push(Service {
                id: ServiceId::new(&r.id),
                agency: AgencyId::new(agency),
                name: r.name.clone(),
                prefix: prefix.clone(),
                daily_quota: r.daily_quota,
                hours,
                requirements: r.requirements.clone(),
                standard_minutes: r.standard_minutes,
                max_wait_min: r.max_wait_min.as_ref().map(|m| *m.get_ref()),
            });
        }
        if raw.is_empty() {
            self.problems
                .push(Problem::new(None, "the hall has no [[services]]"));
        }
        services
    }

    /// `[[counters]]`: at least one service, each of them defined.
    fn counters(&mut self, raw: &[Spanned<RawCounter>], services: &[Service]) -> Vec<Counter> {
        let mut counters = vec![];
        for c in raw {
            let r = c.get_ref();
            if r.services.is_empty() {
                self.problem_in(
                    c,
                    "services",
                    format!("counter {:?} serves no service", r.id),
                );
            }
            if r.name.trim().is_empty() {
                self.problem_in(c, "name", format!("counter {:?} has an empty name", r.id));
            }
            for s in &r.services {
                if !services.iter().any(|x| x.id.as_str() == s.get_ref()) {
                    self.problem_in(
                        s,
                        "services",
                        format!(
                            "counter {:?} serves {:?}, which no [[services]] entry defines",
                            r.id,
                            s.get_ref()
                        ),
                    );
                }
            }
            let mut breaks = vec![];
            for b in &r.breaks {
                match b.get_ref().parse::<IssuingHours>() {
                    Ok(w) => breaks.push(w),
                    Err(e) => {
                        self.problem_in(b, "breaks", format!("counter {:?}, break: {e}", r.id))
                    }
                }
            }
            counters.push(Counter {
                breaks,
                id: CounterId::new(&r.id),
                name: r.name.clone(),
                services: r
                    .services
                    .iter()
                    .map(|s| ServiceId::new(s.get_ref()))
                    .collect(),
            });
        }
        counters
    }

    /// `[[devices]]`: a token of at least [`MIN_TOKEN_CHARS`] or its SHA-256 (one of them),
    /// a counter for counter devices only, a zone of known agencies for displays only.
    fn devices(
        &mut self,
        raw: &[Spanned<RawDevice>],
        agencies: &[Agency],
        counters: &[Counter],
    ) -> Vec<Device> {
        let mut devices = vec![];
        // Who holds each token (by its hash): two devices may not share one.
        let mut holder: HashMap<[u8; 32], &str> = HashMap::new();
        for d in raw {
            let r = d.get_ref();
            let hash: Option<[u8; 32]> = match (&r.token, &r.token_sha256) {
                (Some(t), None) => {
                    if t.chars().count() < MIN_TOKEN_CHARS {
                        self.problem(
                            d,
                            format!(
                            "device {:?}: its token is shorter than {MIN_TOKEN_CHARS} characters",
                            r.id
                        ),
                        );
                    }
                    Some(Sha256::digest(t.as_bytes()).into())
                }
                (None, Some(h)) => match hex::decode(h.trim()) {
                    Ok(bytes) if bytes.len() == 32 => bytes.try_into().ok(),
                    _ => {
                        self.problem(d, format!(
                            "device {:?}: token_sha256 must be 64 hex digits (sha256sum of the token)",
                            r.id
                        ));
                        None
                    }
                },
                (Some(_), Some(_)) => {
                    self.problem(
                        d,
                        format!(
                            "device {:?} has both token and token_sha256: keep one",
                            r.id
                        ),
                    );
                    None
                }
                (None, None) => {
                    self.problem(
                        d,
                        format!("device {:?} has no token (or token_sha256)", r.id),
                    );
                    None
                }
            };
            if let Some(h) = hash {
                match holder.get(&h) {
                    Some(other) => self.problem(
                        d,
                        format!(
                            "devices {other:?} and {:?} have the same token: each device needs its own",
                            r.id
                        ),
                    ),
                    None => {
                        holder.insert(h, &r.id);
                    }
                }
            }
            match (r.role, &r.counter) {
                (Role::Counter, None) => self.problem(
                    d,
                    format!(
                        "device {:?} has role counter but names no counter (counter = \"...\")",
                        r.id
                    ),
                ),
                (Role::Counter, Some(c))
                    if !counters.iter().any(|x| x.id.as_str() == c.get_ref()) =>
                {
                    self.problem(
                        c,
                        format!(
                            "device {:?} names counter {:?}, which no [[counters]] entry defines",
                            r.id,
                            c.get_ref()
                        ),
                    )
                }
                (role, Some(c)) if role != Role::Counter => self.problem(
                    c,
                    format!("device {:?}: only counter devices name a counter", r.id),
                ),
                _ => {}
            }
            if let Some(zone) = &r.agencies {
                if r.role != Role::Display {
                    self.problem(
                        d,
                        format!(
                            "device {:?}: only display devices have agencies (a zone)",
                            r.id
                        ),
                    );
                }
                for a in zone {
                    if !agencies.iter().any(|x| x.id.as_str() == a.get_ref()) {
                        self.problem(
                            a,
                            format!(
                            "device {:?} covers agency {:?}, which no [[agencies]] entry defines",
                            r.id,
                            a.get_ref()
                        ),
                        );
                    }
                }
            }
            devices.push(Device {
                id: DeviceId::new(&r.id),
                role: r.role,
                token_sha256: hash.unwrap_or([0; 32]),
                sample: r.sample
                    || r.token
                        .as_deref()
                        .is_some_and(|t| t.starts_with(SAMPLE_PREFIX)),
                counter: r.counter.as_ref().map(|c| CounterId::new(c.get_ref())),
                zone: r
                    .agencies
                    .as_ref()
                    .map(|z| z.iter().map(|a| AgencyId::new(a.get_ref())).collect()),
            });
        }

        devices
    }

    /// `[central]`: an http(s) URL, the hall's id there, a token that is no sample.
    fn central(&mut self, raw: &Spanned<RawCentral>) -> Option<CentralLink> {
        let r = raw.get_ref();
        let url = r.url.trim().trim_end_matches('/');
        let mut ok = true;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            self.problem_in(
                raw,
                "url",
                format!(
                    "[central] url must start with https:// (or http://), got {:?}",
                    r.url
                ),
            );
            ok = false;
        }
        if r.hall.is_empty()
            || !r
                .hall
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            self.problem_in(raw, "hall", format!("[central] hall is the hall's id in central.toml (letters, digits, dashes), got {:?}", r.hall));
            ok = false;
        }
        if r.token.chars().count() < MIN_TOKEN_CHARS {
            self.problem_in(
                raw,
                "token",
                format!("[central] token must be at least {MIN_TOKEN_CHARS} characters"),
            );
            ok = false;
        }
        if r.pull_every_secs == Some(0) {
            self.problem_in(
                raw,
                "pull_every_secs",
                "[central] pull_every_secs must be at least 1".into(),
            );
            ok = false;
        }
        ok.then(|| CentralLink {
            url: url.to_owned(),
            hall: r.hall.clone(),
            token: r.token.clone(),
            pull_every_secs: r.pull_every_secs.unwrap_or(CentralLink::PULL_EVERY_SECS),
        })
    }

    fn hall(&mut self, raw: &Spanned<RawHall>) -> Option<Hall> {
        let r = raw.get_ref();
        let timezone = match &r.timezone {
            None => Some(antre_core::domain::day::DEFAULT_TIMEZONE),
            Some(tz) => match tz.get_ref().parse::<Tz>() {
                Ok(t) => Some(t),
                Err(_) => {
                    self.problem(
                        tz,
                        format!(
                            "unknown time zone {:?} (e.g. \"Asia/Jakarta\")",
                            tz.get_ref()
                        ),
                    );
                    None
                }
            },
        };
        let listen = match &r.listen {
            None => Some(DEFAULT_LISTEN),
            Some(l) => {
                match l.get_ref().parse::<SocketAddr>() {
                    Ok(a) => Some(a),
                    Err(_) => {
                        self.problem(l, format!("listen must be an address and port such as \"0.0.0.0:7878\", got {:?}", l.get_ref()));
                        None
                    }
                }
            }
        };
        let http_listen = match &r.http_listen {
            None => Some(Some(DEFAULT_HTTP_LISTEN)),
            Some(l) if l.get_ref() == "off" => Some(None),
            Some(l) => match l.get_ref().parse::<SocketAddr>() {
                Ok(a) => Some(Some(a)),
                Err(_) => {
                    self.problem(l, format!("http_listen must be an address and port such as \"0.0.0.0:8080\", or \"off\", got {:?}", l.get_ref()));
                    None
                }
            },
        };
        let console_listen = match &r.console_listen {
            None => Some(Some(crate::console::DEFAULT_LISTEN)),
            Some(l) if l.get_ref() == "off" => Some(None),
            Some(l) => match l.get_ref().parse::<SocketAddr>() {
                Ok(a) => Some(Some(a)),
                Err(_) => {
                    self.problem(l, format!("console_listen must be an address and port such as \"127.0.0.1:8081\", or \"off\", got {:?}", l.get_ref()));
                    None
                }
            },
        };
        let public_url = match &r.public_url {
            None => Some(None),
            Some(u) => {
                let url = u.get_ref().trim().trim_end_matches('/');
                if url.starts_with("http://") || url.starts_with("https://") {
                    Some(Some(url.to_owned()))
                } else {
                    self.problem(u, format!("public_url must start with http:// or https://, such as \"http://192.168.1.10:8080\", got {:?}", u.get_ref()));
                    None
                }
            }
        };
        if r.name.trim().is_empty() {
            self.problem(raw, "[hall] name is empty".into());
        }
        if r.max_connections == Some(0) || r.client_buffer_events == Some(0) {
            self.problem(
                raw,
                "[hall] max_connections and client_buffer_events must be at least 1".into(),
            );
        }
        let (queue, net, web) = (
            QueuePolicy::default(),
            NetLimits::default(),
            WebLimits::default(),
        );
        Some(Hall {
            name: r.name.clone(),
            timezone: timezone?,
            listen: listen?,
            running_text: clean_running_text(&r.running_text),
            http_listen: http_listen?,
            public_url: public_url?,
            console_listen: console_listen?,
            ignore_hours: false,
            central: None,
            queue: QueuePolicy {
                max_priority_in_row: r.max_priority_in_row.unwrap_or(queue.max_priority_in_row),
                kiosk_tickets_per_minute: r.kiosk_tickets_per_minute,
                notify_ahead: r.notify_ahead.unwrap_or(queue.notify_ahead),
            },
            net: NetLimits {
                max_connections: r.max_connections.unwrap_or(net.max_connections),
                client_buffer_events: r.client_buffer_events.unwrap_or(net.client_buffer_events),
                hello_timeout_secs: r
                    .hello_timeout_secs
                    .unwrap_or(net.hello_timeout_secs)
                    .max(1),
                max_unauthenticated: r
                    .max_unauthenticated
                    .unwrap_or(net.max_unauthenticated)
                    .max(1),
                unauthenticated_per_client: r
                    .unauthenticated_per_client
                    .unwrap_or(net.unauthenticated_per_client)
                    .max(1),
                client_send_buffer_bytes: r
                    .client_send_buffer_bytes
                    .unwrap_or(net.client_send_buffer_bytes),
            },
            web: WebLimits {
                http_requests_per_minute: r
                    .http_requests_per_minute
                    .unwrap_or(web.http_requests_per_minute)
                    .max(1),
                http_max_streams: r.http_max_streams.unwrap_or(web.http_max_streams).max(1),
                http_streams_per_client: r
                    .http_streams_per_client
                    .unwrap_or(web.http_streams_per_client)
                    .max(1),
                http_max_connections: r
                    .http_max_connections
                    .unwrap_or(web.http_max_connections)
                    .max(1),
                http_connections_per_client: r
                    .http_connections_per_client
                    .unwrap_or(web.http_connections_per_client)
                    .max(1),
                http_header_timeout_secs: r
                    .http_header_timeout_secs
                    .unwrap_or(web.http_header_timeout_secs)
                    .max(1),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[hall]
name = "MPP Test"

[[agencies]]
id = "dukcapil"
name = "Dukcapil"

[[agencies]]
id = "bpjs"
name = "BPJS"

[[services]]
id = "ktp"
agency = "dukcapil"
name = "KTP"
prefix = "A"
daily_quota = 150
hours = "08:00-15:00"

[[services]]
id = "kk"
agency = "dukcapil"
name = "KK"
prefix = "A"

[[services]]
id = "bpjs"
agency = "bpjs"
name = "BPJS"
prefix = "B"

[[counters]]
id = "3"
name = "Loket 3"
services = ["ktp", "kk"]

[[devices]]
id = "counter-3"
role = "counter"
token = "sample-token-0123456789"
counter = "3"

[[devices]]
id = "display-1"
role = "display"
token_sha256 = "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92"
agencies = ["dukcapil"]
"#;

    fn problems(text: &str) -> Vec<String> {
        Config::parse(text)
            .unwrap_err()
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_typo_does_not_hide_the_other_problems() {
        // Line 4: a typo; line 5: a number as a string; and the token of counter-3, further
        // down, too short.
        let bad = GOOD
            .replacen(
                "name = \"MPP Test\"",
                "name = \"MPP Test\"\n\nkiosk_ticket_per_minute = 4\nmax_connections = \"many\"",
                1,
            )
            .replace("sample-token-0123456789", "short");
        let p = problems(&bad);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("line 5: unknown field `kiosk_ticket_per_minute`"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("line 6: invalid type: string \"many\""),
            "{p:?}"
        );
        assert!(
            p[2].contains("counter-3") && p[2].contains("shorter than"),
            "{p:?}"
        );
    }

    #[test]
    fn a_good_config_resolves_with_defaults() {
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.hall.timezone, chrono_tz::Asia::Jakarta);
        assert_eq!(c.hall.listen.port(), 7878);
        assert_eq!(c.hall.queue.max_priority_in_row, 2);
        assert_eq!(c.service("ktp").unwrap().daily_quota, Some(150));
        assert_eq!(c.services_with_prefix("A").count(), 2);
        assert_eq!(c.counters_serving("kk").count(), 1);
        let d = c.device("counter-3").unwrap();
        assert!(d.token_matches("sample-token-0123456789"));
        assert!(!d.token_matches("sample-token-0123456788"));
        // token_sha256 of "123456" (sha256sum): matches that token.
        assert!(c.device("display-1").unwrap().token_matches("123456"));
        assert!(!format!("{d:?}").contains("sample-token"));
    }

    #[test]
    fn the_limits_default_as_documented_and_each_can_be_set() {
        // The defaults docs/CONFIG.md promises.
        let c = Config::parse(GOOD).unwrap();
        assert_eq!(c.hall.queue.kiosk_tickets_per_minute, None);
        assert_eq!(
            (
                c.hall.net.max_connections,
                c.hall.net.client_buffer_events,
                c.hall.net.hello_timeout_secs,
                c.hall.net.client_send_buffer_bytes
            ),
            (512, 4096, 10, 262_144)
        );
        assert_eq!(
            (
                c.hall.web.http_requests_per_minute,
                c.hall.web.http_max_streams,
                c.hall.web.http_streams_per_client
            ),
            (120, 5000, 8)
        );
        assert_eq!(
            (
                c.hall.net.max_unauthenticated,
                c.hall.net.unauthenticated_per_client,
                c.hall.web.http_max_connections,
                c.hall.web.http_connections_per_client,
                c.hall.web.http_header_timeout_secs
            ),
            (256, 8, 6000, 64, 10)
        );
        assert_eq!(c.hall.http_listen.map(|a| a.port()), Some(8080));
        let set = GOOD.replace(
            "name = \"MPP Test\"",
            "name = \"MPP Test\"\nmax_priority_in_row = 3\nkiosk_tickets_per_minute = 4\nmax_connections = 64\nhttp_streams_per_client = 2\nhttp_listen = \"off\"",
        );
        let c = Config::parse(&set).unwrap();
        assert_eq!(c.hall.queue.max_priority_in_row, 3);
        assert_eq!(c.hall.queue.kiosk_tickets_per_minute, Some(4));
        assert_eq!(c.hall.net.max_connections, 64);
        assert_eq!(c.hall.web.http_streams_per_client, 2);
        assert_eq!(c.hall.http_listen, None);
    }

    #[test]
    fn an_unknown_agency_is_named_with_its_line() {
        let bad = GOOD.replace("agency = \"bpjs\"", "agency = \"bpjs-kes\"");
        let p = problems(&bad);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("line 29:"), "{p:?}");
        assert!(p[0].contains("\"bpjs-kes\""), "{p:?}");
    }

    #[test]
    fn a_prefix_shared_across_agencies_is_refused() {
        let bad = GOOD.replace("prefix = \"B\"", "prefix = \"A\"");
        let p = problems(&bad);
        assert!(
            p[0].contains("prefix \"A\"") && p[0].contains("dukcapil"),
            "{p:?}"
        );
    }

    #[test]
    fn a_counter_serving_an_unknown_service_is_refused() {
        let bad = GOOD.replace(
            "services = [\"ktp\", \"kk\"]",
            "services = [\"ktp\", \"kia\"]",
        );
        let p = problems(&bad);
        assert!(
            p[0].starts_with("line 36:") && p[0].contains("\"kia\""),
            "{p:?}"
        );
    }

    #[test]
    fn a_counter_has_its_scheduled_breaks() {
        let good = GOOD.replace(
            "services = [\"ktp\", \"kk\"]",
            "services = [\"ktp\", \"kk\"]\nbreaks = [\"12:00-13:00\"]",
        );
        let c = Config::parse(&good).unwrap();
        assert_eq!(c.counters[0].breaks.len(), 1);
        assert_eq!(c.counters[0].breaks[0].to_string(), "12:00-13:00");
        assert!(Config::parse(GOOD).unwrap().counters[0].breaks.is_empty());
        let bad = GOOD.replace(
            "services = [\"ktp\", \"kk\"]",
            "services = [\"ktp\", \"kk\"]\nbreaks = [\"noon\"]",
        );
        let p = problems(&bad);
        assert!(
            p[0].starts_with("line 37:") && p[0].contains("counter \"3\", break:"),
            "{p:?}"
        );
    }

    #[test]
    fn devices_need_long_tokens() {
        let p = problems(&GOOD.replace("token = \"sample-token-0123456789\"\n", ""));
        assert!(p[0].contains("has no token"), "{p:?}");
        let p = problems(&GOOD.replace("sample-token-0123456789", "short"));
        assert!(p[0].contains("shorter than 16"), "{p:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = GOOD
            .replace("hours = \"08:00-15:00\"", "hours = \"8 to 3\"")
            .replace("counter = \"3\"", "counter = \"9\"");
        assert_eq!(problems(&bad).len(), 2);
    }

    #[test]
    fn typos_and_syntax_errors_name_the_line() {
        let p = problems(&GOOD.replace("daily_quota = 150", "daily_qouta = 150"));
        assert!(
            p[0].starts_with("line 18:") && p[0].contains("daily_qouta"),
            "{p:?}"
        );
        let p = problems(&GOOD.replace("name = \"KK\"", "name = KK"));
        assert!(p[0].starts_with("line 24:"), "{p:?}");
    }
}
