//! `antre-central`: the city's service. `serve` applies the schema's migrations and serves;
//! `migrate` only applies them.

use antre_central::{config::Config, db, App};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "The city's Antre service: online booking and every hall's event log, on PostgreSQL"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the schema's migrations, then serve the booking page, the API and the hubs' sync.
    Serve {
        /// central.toml (see CENTRAL.md).
        #[arg(long, default_value = "/etc/antre/central.toml")]
        config: PathBuf,
        /// Listen here instead of the config's `listen`.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Apply the schema's migrations and stop.
    Migrate {
        #[arg(long, default_value = "/etc/antre/central.toml")]
        config: PathBuf,
    },
    /// Print the SHA-256 of a token, for `token_sha256` in central.toml.
    HashToken { token: String },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("antre-central: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::HashToken { token } => {
            println!("{}", hex::encode(antre_central::config::sha256(&token)));
            Ok(())
        }
        Command::Migrate { config } => {
            let cfg = Config::load(&config)?;
            let pool = db::pool(&cfg.database_url, 1)?;
            let applied = db::migrate(&pool).await?;
            println!(
                "schema at version {} (applied now: {applied:?})",
                db::MIGRATIONS.len()
            );
            Ok(())
        }
        Command::Serve { config, listen } => {
            let cfg = Config::load(&config)?;
            let pool = db::pool(&cfg.database_url, cfg.pool_size)?;
            let applied = db::migrate(&pool).await?;
            if !applied.is_empty() {
                tracing::info!(?applied, "schema migrated");
            }
            let addr = listen.unwrap_or(cfg.listen);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
            tracing::info!(addr = %listener.local_addr()?, halls = cfg.halls.len(), "antre-central serving");
            let app = App {
                cfg: std::sync::Arc::new(cfg),
                pool,
                clock: antre_core::clock::system_clock(),
            };
            // Ctrl-C or systemd's SIGTERM: requests under way are answered, then it stops.
            antre_central::serve(listener, app, async {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .expect("a SIGTERM handler");
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                tracing::info!("antre-central stopping");
            })
            .await?;
            tracing::info!("antre-central stopped");
            Ok(())
        }
    }
}
