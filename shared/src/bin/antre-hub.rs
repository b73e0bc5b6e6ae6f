//! `antre-hub`: the hall's hub.
//!
//! ```text
//! antre-hub serve --config hall.toml --db antre.db [--listen ADDR]
//! antre-hub check-config hall.toml
//! ```

use antre_shared::config::Config;
use antre_shared::server::{self, system_clock, Hub};
use anyhow::Context;
use clap::{Parser, Subcommand};
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
        /// Training and demo mode: issue tickets at any hour (quotas still apply).
        #[arg(long)]
        ignore_hours: bool,
    },
    /// Check a config and print what it defines; exits non-zero on problems.
    CheckConfig {
        /// The hall's config (TOML).
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANTRE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            config,
            db,
            listen,
            ignore_hours,
        } => serve(config, db, listen, ignore_hours),
        Command::CheckConfig { config } => check_config(config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antre-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(path: PathBuf) -> anyhow::Result<()> {
    let cfg = Config::load(&path)?;
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

fn serve(
    config: PathBuf,
    db: PathBuf,
    listen: Option<std::net::SocketAddr>,
    ignore_hours: bool,
) -> anyhow::Result<()> {
    let mut cfg = Config::load(&config)?;
    if ignore_hours {
        tracing::warn!("training mode: issuing hours are not enforced");
        for s in &mut cfg.services {
            s.hours = None;
        }
    }
    let cfg = Arc::new(cfg);
    let addr = listen.unwrap_or(cfg.hall.listen);
    let rt = tokio::runtime::Runtime::new().context("starting the runtime")?;
    rt.block_on(async move {
        let hub = Hub::start(Arc::clone(&cfg), &db, system_clock())
            .with_context(|| format!("opening the database {}", db.display()))?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        tracing::info!(
            hall = %cfg.hall.name,
            addr = %listener.local_addr()?,
            db = %db.display(),
            "the hub is serving"
        );
        // One plain line on stdout, for scripts and tests that start the hub on port 0.
        println!("listening on {}", listener.local_addr()?);
        std::io::Write::flush(&mut std::io::stdout())?;
        server::run(listener, hub, shutdown_signal()).await?;
        Ok(())
    })
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
