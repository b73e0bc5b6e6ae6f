//! `antre-hub`: the hall's hub.
//!
//! ```text
//! antre-hub serve --config hall.toml --db antre.db [--listen ADDR]
//! antre-hub user add NAME --role admin|supervisor|viewer [--agency ID]... --db antre.db
//! antre-hub user passwd|remove NAME --db antre.db;  antre-hub user list --db antre.db
//! antre-hub export-config --config hall.toml --db antre.db;  antre-hub import-config ... FILE
//! antre-hub check-config hall.toml
//! antre-hub report --config hall.toml --db antre.db --date 2026-11-27 [--to D] --format html --out DIR
//! antre-hub simulate-day --config hall.toml --db sim.db --date 2026-11-27 --visitors 3000
//! ```

use antre_core::clock::system_clock;
use antre_hub::config::Config;
use antre_hub::hall::catalogue::Seed;
use antre_hub::server::{self, Hub};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "antre-hub", version, about = "The hub of an Antre queue hall")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hall protocol.
    Serve {
        /// The hall's config (TOML).
        #[arg(long, env = "ANTRE_CONFIG")]
        config: PathBuf,
        /// The database file (created if missing).
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
        /// Address and port for devices; overrides `[hall] listen`.
        #[arg(long, env = "ANTRE_LISTEN")]
        listen: Option<std::net::SocketAddr>,
        /// Address and port of the web pages (phones, web displays), or `off`; overrides
        /// `[hall] http_listen` (default 0.0.0.0:8080).
        #[arg(long, env = "ANTRE_HTTP")]
        http: Option<String>,
        /// Address and port of the hall's console, or `off`; overrides `[hall]
        /// console_listen` (default 127.0.0.1:8081: this machine only).
        #[arg(long, env = "ANTRE_CONSOLE")]
        console: Option<String>,
        /// Training and demo mode: issue tickets at any hour (quotas still apply).
        #[arg(long)]
        ignore_hours: bool,
        /// Training and tests only: the hub's clock runs this many times faster than real
        /// time, so a whole day plays through the real protocol in minutes. Refused with
        /// real devices' tokens on an address other than loopback.
        #[arg(long, value_name = "N")]
        time_scale: Option<f64>,
        /// With `--time-scale`: the time the hub's clock starts at (RFC 3339, e.g.
        /// 2026-12-01T07:55:00+07:00); default now.
        #[arg(long, value_name = "TIME", requires = "time_scale")]
        time_start: Option<chrono::DateTime<chrono::FixedOffset>>,
    },
    /// Run the whole hall on this machine, for a first look or a training day: the hub in
    /// training mode (any hour) on 127.0.0.1, with a database in `var/`, and every Antre
    /// app found next to this program (a kiosk, a survey tablet, two counters, a display), each as its
    /// device from the config. Ctrl-C stops them all.
    Demo {
        /// The hall's config (TOML); the demo gives every device a fresh token of its own.
        #[arg(long, default_value = "config/mpp-among-warga.toml")]
        config: PathBuf,
        /// The database file.
        #[arg(long, default_value = "var/demo.db")]
        db: PathBuf,
        /// Where the apps print tickets (the kiosk's printer).
        #[arg(long, default_value = "file:var/tickets.bin")]
        printer: String,
    },
    /// The report of a day or a period: the queue per service and officer, the IKM, unmet
    /// demand and aspirations. JSON goes to stdout without --out; CSV needs --out (one file
    /// per table); HTML is one printable page with charts.
    Report {
        /// The hall's config (TOML).
        #[arg(long, env = "ANTRE_CONFIG")]
        config: PathBuf,
        /// The database file (read only; the hub may keep running).
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
        /// The (first) service day, YYYY-MM-DD, or `today`.
        #[arg(long)]
        date: String,
        /// The last service day of a period (default: --date).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Simulate a busy day into a database through the real store, for training and for
    /// trying the report: visitors, calls, no-shows, transfers, surveys, aspirations.
    SimulateDay {
        #[arg(long, env = "ANTRE_CONFIG")]
        config: PathBuf,
        /// The database file (created if missing); use a separate one, not the hall's.
        #[arg(long)]
        db: PathBuf,
        /// The service day, YYYY-MM-DD.
        #[arg(long)]
        date: chrono::NaiveDate,
        /// Visitors who come for a ticket.
        #[arg(long, default_value_t = 2000)]
        visitors: u32,
        /// The share of served visitors who fill in the survey.
        #[arg(long, default_value_t = 0.2)]
        survey_share: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The console's users: add (or change), passwd, list, remove. Passwords are read from
    /// standard input (a terminal asks twice); stored as argon2id hashes only.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the hall's catalogue (agencies, services, counters, devices, running text) as
    /// the database holds it, as TOML; devices with their token's SHA-256 only.
    ExportConfig {
        #[arg(long, env = "ANTRE_CONFIG")]
        config: PathBuf,
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
    },
    /// Replace the database's catalogue with FILE's (a catalogue as export-config prints it,
    /// or a whole config file). The hub must be stopped.
    ImportConfig {
        #[arg(long, env = "ANTRE_CONFIG")]
        config: PathBuf,
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
        file: PathBuf,
    },
    /// Check an installed hall, in words: the config, the database (writable, intact, size,
    /// the disk's room, the last backup), the listeners, the clock and time zone, the devices
    /// connected in the last hour. Exits 1 when there is a problem (warnings do not count).
    Doctor {
        #[arg(long, env = "ANTRE_CONFIG", default_value = "/etc/antre/hall.toml")]
        config: PathBuf,
        #[arg(long, env = "ANTRE_DB", default_value = "/var/lib/antre/antre.db")]
        db: PathBuf,
        /// Where the nightly backups go.
        #[arg(long, env = "ANTRE_BACKUPS", default_value = "/var/backups/antre")]
        backups: PathBuf,
        /// The user the hub runs as: the database must be writable by it (`-` not to check).
        #[arg(long, default_value = "antre")]
        hub_user: String,
    },
    /// Copy the database into BACKUPS as antre-YYYY-MM-DD.db while the hub runs (SQLite's
    /// online copy, checked), and remove backups older than --keep-days. The packaged
    /// antre-backup.timer runs it every night.
    Backup {
        #[arg(long, env = "ANTRE_DB", default_value = "/var/lib/antre/antre.db")]
        db: PathBuf,
        #[arg(long, env = "ANTRE_BACKUPS", default_value = "/var/backups/antre")]
        backups: PathBuf,
        #[arg(long, default_value_t = 14)]
        keep_days: u32,
    },
    /// Check a config and print what it defines; exits non-zero on problems.
    CheckConfig {
        /// The hall's config (TOML).
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    antre_client::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            config,
            db,
            listen,
            http,
            console,
            ignore_hours,
            time_scale,
            time_start,
        } => serve(
            config,
            db,
            listen,
            (http, console),
            ignore_hours,
            time_scale.map(|scale| (scale, time_start)),
        ),
        Command::CheckConfig { config } => check_config(config),
        Command::Doctor {
            config,
            db,
            backups,
            hub_user,
        } => doctor(config, db, backups, hub_user),
        Command::Backup {
            db,
            backups,
            keep_days,
        } => backup(db, backups, keep_days),
        Command::User { command } => user(command),
        Command::ExportConfig { config, db } => export_config(config, db),
        Command::ImportConfig { config, db, file } => import_config(config, db, file),
        Command::Report {
            config,
            db,
            date,
            to,
            format,
            out,
        } => report(config, db, date, to, format, out),
        Command::SimulateDay {
            config,
            db,
            date,
            visitors,
            survey_share,
            seed,
        } => simulate_day(config, db, date, visitors, survey_share, seed),
        Command::Demo {
            config,
            db,
            printer,
        } => demo(config, db, printer),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antre-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user, or give an existing one a new role and password.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: UserRole,
        /// The agency a supervisor (or a viewer) is limited to; repeat for several.
        #[arg(long = "agency", value_name = "ID")]
        agencies: Vec<String>,
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
        /// The hall's config, to check the agencies (default: config/mpp-among-warga.toml).
        #[arg(long, env = "ANTRE_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Give a user a new password.
    Passwd {
        name: String,
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
    },
    /// List the users (never a password).
    List {
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
    },
    /// Remove a user.
    Remove {
        name: String,
        #[arg(long, env = "ANTRE_DB")]
        db: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum UserRole {
    Admin,
    Supervisor,
    Viewer,
}

/// Reads a password from standard input: asked twice on a terminal, one line otherwise.
fn read_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    let read = || -> anyhow::Result<String> {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    if !stdin.is_terminal() {
        return read();
    }
    eprint!(
        "Password (at least {} characters): ",
        antre_hub::console::auth::MIN_PASSWORD_CHARS
    );
    let first = read()?;
    eprint!("Again: ");
    let second = read()?;
    anyhow::ensure!(
        first == second,
        "the two passwords differ; nothing was saved"
    );
    Ok(first)
}

/// Who the audit trail names for what is done on this machine's command line.
fn cli_actor() -> String {
    format!("cli:{}", antre_hub::store::user_name())
}

fn user(command: UserCommand) -> anyhow::Result<()> {
    use antre_hub::console::{auth::Role, users};
    match command {
        UserCommand::Add {
            name,
            role,
            agencies,
            db,
            config,
        } => {
            let config = config.unwrap_or_else(|| PathBuf::from("config/mpp-among-warga.toml"));
            let cfg = Config::load(&config)?;
            // The agencies the database knows, if it has a catalogue already.
            let cfg = match antre_hub::hall::Hall::catalogue_of(&db, &cfg)? {
                Some(c) => c,
                None => cfg,
            };
            let role = match role {
                UserRole::Admin => Role::Admin,
                UserRole::Supervisor => Role::Supervisor,
                UserRole::Viewer => Role::Viewer,
            };
            let agencies = (!agencies.is_empty()).then_some(agencies);
            let password = read_password()?;
            users::add(&db, &cfg, &cli_actor(), &name, role, agencies, &password)?;
            println!("user {name} saved ({})", role.as_str());
        }
        UserCommand::Passwd { name, db } => {
            let password = read_password()?;
            users::passwd(&db, &cli_actor(), &name, &password)?;
            println!("the password of {name} is changed");
        }
        UserCommand::List { db } => {
            for u in users::list(&db)? {
                let agencies = u
                    .agencies
                    .map_or_else(|| "all agencies".to_owned(), |a| a.join(", "));
                println!("{}\t{}\t{agencies}", u.name, u.role);
            }
        }
        UserCommand::Remove { name, db } => {
            users::remove(&db, &cli_actor(), &name)?;
            println!("user {name} removed");
        }
    }
    Ok(())
}

fn doctor(config: PathBuf, db: PathBuf, backups: PathBuf, hub_user: String) -> anyhow::Result<()> {
    use antre_hub::doctor::{check, Level, Setup};
    let setup = Setup {
        config,
        db,
        backups,
        hub_user: (hub_user != "-").then_some(hub_user),
        backup_max_age: chrono::Duration::hours(36),
        now: chrono::Utc::now(),
    };
    let findings = check(&setup);
    for f in &findings {
        let mut lines = f.words.lines();
        println!(
            "{:<8} {:<9} {}",
            f.level.word(),
            f.topic,
            lines.next().unwrap_or_default()
        );
        for more in lines {
            println!("{:18}{more}", "");
        }
    }
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    let (problems, warnings) = (count(Level::Problem), count(Level::Warning));
    println!("{problems} problem(s), {warnings} warning(s)");
    anyhow::ensure!(problems == 0, "{problems} problem(s): see above");
    Ok(())
}

fn backup(db: PathBuf, backups: PathBuf, keep_days: u32) -> anyhow::Result<()> {
    let made = antre_hub::store::backup::backup(
        &db,
        &backups,
        chrono::Local::now().date_naive(),
        keep_days,
    )?;
    println!(
        "backed up {} into {} ({})",
        db.display(),
        made.path.display(),
        antre_hub::doctor::size(made.bytes)
    );
    for old in made.removed {
        println!("removed {} (older than {keep_days} days)", old.display());
    }
    Ok(())
}

fn export_config(config: PathBuf, db: PathBuf) -> anyhow::Result<()> {
    let cfg = Config::load(&config)?;
    let cfg = antre_hub::hall::Hall::catalogue_of(&db, &cfg)?
        .context("the database has no catalogue yet: the hub takes it from the config file when it first starts")?;
    print!("{}", cfg.catalogue_toml());
    Ok(())
}

fn import_config(config: PathBuf, db: PathBuf, file: PathBuf) -> anyhow::Result<()> {
    let cfg = Config::load(&config)?;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    // A whole config file, or a catalogue alone.
    let new = match Config::parse(&text) {
        Ok(c) => cfg.with_catalogue(&c.catalogue_toml())?,
        Err(_) => cfg.with_catalogue(&text)?,
    };
    antre_hub::hall::Hall::import_catalogue(&db, &new, &cli_actor())
        .with_context(|| format!("importing into {} (stop the hub first)", db.display()))?;
    println!(
        "the catalogue of {} is now {}'s",
        db.display(),
        file.display()
    );
    Ok(())
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Html,
}

/// A service day from the command line: YYYY-MM-DD or `today` (in the hall's time zone).
fn parse_day(text: &str, cfg: &Config) -> anyhow::Result<chrono::NaiveDate> {
    if text.eq_ignore_ascii_case("today") {
        return Ok(antre_core::domain::day::service_day(
            chrono::Utc::now(),
            cfg.hall.timezone,
        ));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-27"))
}

fn report(
    config: PathBuf,
    db: PathBuf,
    date: String,
    to: Option<String>,
    format: ReportFormat,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    use antre_hub::report::{self, Report};
    let cfg = Config::load(&config)?;
    let from = parse_day(&date, &cfg)?;
    let to = to
        .as_deref()
        .map(|t| parse_day(t, &cfg))
        .transpose()?
        .unwrap_or(from);
    if matches!(format, ReportFormat::Csv) && out.is_none() {
        anyhow::bail!("--format csv writes one file per table: give the folder with --out DIR");
    }
    let conn = report::open(&db)?;
    let r = Report::read(&conn, &cfg, from, to)?;
    let write_one = |ext: &str, text: String| -> anyhow::Result<()> {
        match &out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(format!("{}.{ext}", r.stem()));
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("{}", path.display());
            }
            None => print!("{text}"),
        }
        Ok(())
    };
    match format {
        ReportFormat::Json => write_one("json", r.json() + "\n"),
        ReportFormat::Html => write_one("html", report::html::page(&r, &cfg)),
        ReportFormat::Csv => {
            let dir = out.as_ref().context("--out DIR")?;
            for path in report::csv::write(&r, dir)
                .with_context(|| format!("writing into {}", dir.display()))?
            {
                println!("{}", path.display());
            }
            Ok(())
        }
    }
}

fn simulate_day(
    config: PathBuf,
    db: PathBuf,
    date: chrono::NaiveDate,
    visitors: u32,
    survey_share: f64,
    seed: u64,
) -> anyhow::Result<()> {
    use antre_hub::simulate::{self, Plan};
    anyhow::ensure!(
        (0.0..=1.0).contains(&survey_share),
        "--survey-share is a share between 0 and 1"
    );
    let cfg = Arc::new(Config::load(&config)?);
    let plan = Plan {
        survey_share,
        seed,
        ..Plan::new(date, visitors)
    };
    let s = simulate::run(&cfg, &db, &plan)?;
    println!(
        "{date}: {} tickets issued, {} refused (quota/hours), {} served, {} not present, \
         {} transferred, {} surveys, {} aspirations → {}",
        s.issued,
        s.refused,
        s.served,
        s.no_show,
        s.transferred,
        s.surveys,
        s.aspirations,
        db.display()
    );
    Ok(())
}

fn check_config(path: PathBuf) -> anyhow::Result<()> {
    let cfg = Config::load(&path)?;
    // What `serve` would refuse, refused here too.
    let listeners: Vec<_> = std::iter::once(cfg.hall.listen)
        .chain(cfg.hall.http_listen)
        .collect();
    cfg.check_samples(&listeners)?;
    println!(
        "{}: ok — {} agencies, {} services, {} counters, {} devices; listens on {}",
        cfg.hall.name,
        cfg.agencies.len(),
        cfg.services.len(),
        cfg.counters.len(),
        cfg.devices.len(),
        cfg.hall.listen
    );
    Ok(())
}

/// Where the web pages listen: the flag (an address or `off`), else the config.
fn http_addr(flag: Option<&str>, cfg: &Config) -> anyhow::Result<Option<std::net::SocketAddr>> {
    match flag {
        None => Ok(cfg.hall.http_listen),
        Some("off") => Ok(None),
        Some(a) => a.parse().map(Some).with_context(|| {
            format!("--http must be an address and port such as 0.0.0.0:8080, or off; got {a:?}")
        }),
    }
}

/// The two HTTP servers beside the protocol port.
#[derive(Clone, Copy)]
enum Pages {
    /// The visitors' pages (phones, web displays).
    Web,
    /// The hall's console.
    Console,
}

/// Starts `pages` on `addr`; they stop when `stop` fires. Says where on stdout (one plain
/// line, for scripts and tests that start the hub on port 0).
async fn start_pages(
    pages: Pages,
    addr: std::net::SocketAddr,
    hub: &Arc<Hub>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let what = match pages {
        Pages::Web => "the web pages",
        Pages::Console => "the console",
    };
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!(
            "listening for {what} on {addr} (if another program holds that port, give {what} \
                 another address in the config, or `off`)"
        )
    })?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, "{what}: served");
    // A closed stdout (a script that stopped reading) must not stop the hub.
    let mut stdout = std::io::stdout();
    let _ = match pages {
        Pages::Web => writeln!(stdout, "web pages on http://{local}"),
        Pages::Console => writeln!(stdout, "console on http://{local}/console"),
    };
    let hub = Arc::clone(hub);
    tokio::spawn(async move {
        let mut stop = stop;
        let shutdown = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        let served = match pages {
            Pages::Web => antre_hub::web::serve(listener, hub, shutdown).await,
            Pages::Console => antre_hub::console::serve(listener, hub, shutdown).await,
        };
        if let Err(e) = served {
            tracing::error!(error = %e, "{what} stopped");
        }
    });
    Ok(())
}

fn serve(
    config: PathBuf,
    db: PathBuf,
    listen: Option<std::net::SocketAddr>,
    (http, console): (Option<String>, Option<String>),
    ignore_hours: bool,
    time_scale: Option<(f64, Option<chrono::DateTime<chrono::FixedOffset>>)>,
) -> anyhow::Result<()> {
    let mut cfg = Config::load(&config)?;
    let http = http_addr(http.as_deref(), &cfg)?;
    let console = match console.as_deref() {
        None => cfg.hall.console_listen,
        Some("off") => None,
        Some(a) => Some(a.parse().with_context(|| {
            format!(
                "--console must be an address and port such as 127.0.0.1:8081, or off; got {a:?}"
            )
        })?),
    };
    if ignore_hours {
        tracing::warn!("training mode: issuing hours are not enforced");
        cfg.hall.ignore_hours = true;
    }
    let cfg = Arc::new(cfg);
    let addr = listen.unwrap_or(cfg.hall.listen);
    let listeners: Vec<_> = std::iter::once(addr).chain(http).chain(console).collect();
    cfg.check_samples(&listeners)?;
    let clock = match time_scale {
        None => system_clock(),
        Some((scale, start)) => {
            cfg.check_time_scale(scale, &listeners)?;
            let start = start.map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
            tracing::warn!(scale, %start, "training clock: the hub's time runs {scale} times faster than real time");
            antre_core::clock::scaled_clock(start, scale)
        }
    };
    server::raise_file_limit(&cfg);
    let rt = antre_hub::server::runtime().context("starting the runtime")?;
    rt.block_on(async move {
        let hub = Hub::start(Arc::clone(&cfg), &db, clock)
            .with_context(|| format!("opening the database {}", db.display()))?;
        // The devices may come from the database's catalogue: check its tokens too.
        hub.config().check_samples(&listeners)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        tracing::info!(
            hall = %cfg.hall.name,
            addr = %listener.local_addr()?,
            db = %db.display(),
            "the hub is serving"
        );
        // One plain line on stdout first, for scripts and tests that start the hub on port 0.
        let _ = writeln!(std::io::stdout(), "listening on {}", listener.local_addr()?);
        let (stop_web, web_stopping) = tokio::sync::watch::channel(false);
        if let Some(addr) = console {
            start_pages(Pages::Console, addr, &hub, web_stopping.clone()).await?;
        }
        if let Some(addr) = http {
            start_pages(Pages::Web, addr, &hub, web_stopping).await?;
        }
        std::io::Write::flush(&mut std::io::stdout())?;
        let shutdown = async move {
            shutdown_signal().await;
            let _ = stop_web.send(true);
        };
        server::run(listener, hub, shutdown).await?;
        Ok(())
    })
}

/// The apps the demo starts when they are built: (binary, device id, extra args).
const DEMO_APPS: [(&str, &str, &[&str]); 5] = [
    ("antre-kiosk", "kiosk-1", &["--windowed"]),
    (
        "antre-kiosk",
        "survey-1",
        &["--windowed", "--mode", "survey"],
    ),
    ("antre-counter", "counter-1", &[]),
    ("antre-counter", "counter-2", &[]),
    ("antre-display", "display-1", &["--windowed"]),
];

fn demo(config: PathBuf, db: PathBuf, printer: String) -> anyhow::Result<()> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut cfg = Config::load(&config)?;
    cfg.hall.ignore_hours = true;
    // Fresh tokens for this run, whatever the config holds: handed to each app in its
    // environment (never on a command line, where `ps` shows it), and forgotten at the end.
    let mut tokens = std::collections::HashMap::new();
    for d in &mut cfg.devices {
        let token = fresh_token();
        d.set_token(&token);
        tokens.insert(d.id.as_str().to_owned(), token);
    }
    let token_of = |device: &str| tokens.get(device).cloned();
    let cfg = Arc::new(cfg);
    let rt = server::runtime()?;
    rt.block_on(async move {
        // The demo's config is its catalogue, with this run's fresh tokens.
        let hub = Hub::start_seeded(&cfg, &db, system_clock(), Seed::Config)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.hall.listen.port())).await?;
        let addr = listener.local_addr()?;
        println!(
            "{} — training mode (any hour); database {}",
            cfg.hall.name,
            db.display()
        );
        println!("hub listening on {addr}");
        let (stop_web, web_stopping) = tokio::sync::watch::channel(false);
        let web_port = cfg.hall.http_listen.map_or(8080, |a| a.port());
        if let Err(e) = start_pages(
            Pages::Web,
            ([127, 0, 0, 1], web_port).into(),
            &hub,
            web_stopping.clone(),
        )
        .await
        {
            println!("  web pages: not started ({e:#})");
        }
        // The console too, with an admin of this demo's own (a fresh password, printed here
        // once; a hall's real database never gets one by itself).
        let console_port = cfg.hall.console_listen.map_or(8081, |a| a.port());
        match demo_admin(&db, &cfg) {
            Ok(Some(password)) => {
                println!("  console user: admin, password {password} (this demo's own)")
            }
            Ok(None) => println!("  console user: as before in {}", db.display()),
            Err(e) => println!("  console user: not made ({e:#})"),
        }
        if let Err(e) = start_pages(
            Pages::Console,
            ([127, 0, 0, 1], console_port).into(),
            &hub,
            web_stopping,
        )
        .await
        {
            println!("  console: not started ({e:#})");
        }
        let here = std::env::current_exe()?
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let mut children = vec![];
        for (bin, device, extra) in DEMO_APPS {
            let path = here.join(bin);
            let Some(token) = token_of(device) else {
                continue;
            };
            if !path.exists() {
                println!("  {bin} for {device}: not built (cargo build --workspace)");
                continue;
            }
            let mut cmd = tokio::process::Command::new(&path);
            cmd.args(["--hub", &addr.to_string(), "--device", device])
                .env("ANTRE_TOKEN", &token)
                .args(extra);
            if bin == "antre-kiosk" {
                cmd.args(["--printer", &printer]);
            }
            match cmd.kill_on_drop(true).spawn() {
                Ok(child) => {
                    println!("  started {bin} as {device}");
                    children.push(child);
                }
                Err(e) => println!("  {bin} for {device}: cannot start: {e}"),
            }
        }
        println!("Ctrl-C stops the hall.");
        let shutdown = async move {
            shutdown_signal().await;
            let _ = stop_web.send(true);
        };
        server::run(listener, hub, shutdown).await?;
        drop(children); // kill_on_drop: the apps stop with the hub
        anyhow::Ok(())
    })
}

/// Makes the demo's console user `admin` with a fresh password, if the database has no user
/// yet; returns the password.
fn demo_admin(db: &std::path::Path, cfg: &Config) -> anyhow::Result<Option<String>> {
    if !antre_hub::console::users::list(db)?.is_empty() {
        return Ok(None);
    }
    let password = antre_hub::console::auth::secret(12);
    antre_hub::console::users::add(
        db,
        cfg,
        "demo",
        "admin",
        antre_hub::console::auth::Role::Admin,
        None,
        &password,
    )?;
    Ok(Some(password))
}

/// A new random device token: 32 bytes from the OS's generator, as 64 hex digits.
fn fresh_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Ctrl-C or SIGTERM (systemd's stop).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("stop signal received");
}
