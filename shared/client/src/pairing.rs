//! Pairing a new device (`antre-kiosk pair --hub ADDR --code CODE`, the same for the counter
//! and the display): the single-use code an admin made in the console is exchanged for the
//! device's token, which is stored in the device's TOML file (mode 0600) with the hub's
//! address and the device's id. The apps then start with `--config FILE` alone.

use antre_core::proto::{ServerMessage, PROTOCOL_VERSION};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How long the hub has to answer.
const PATIENCE: Duration = Duration::from_secs(15);

/// `pair`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub struct PairArgs {
    /// The hub, `host:port`.
    #[arg(long, env = "ANTRE_HUB")]
    pub hub: String,
    /// The pairing code the console showed (valid 15 minutes, once).
    #[arg(long)]
    pub code: String,
    /// Where to keep the device's settings (created, or updated keeping its other keys).
    #[arg(long, env = "ANTRE_DEVICE_CONFIG")]
    pub config: PathBuf,
}

/// Pairs this device and writes its settings; prints what it did.
///
/// # Errors
/// The hub cannot be reached, refuses the code (the hub's words), or the file cannot be
/// written.
pub fn pair_command(args: &PairArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let paired = rt.block_on(pair(&args.hub, &args.code))?;
    save(
        &args.config,
        &args.hub,
        paired.device.as_str(),
        &paired.token,
    )?;
    println!(
        "paired as {} ({}); its settings are in {} — start the app with --config {}",
        paired.device,
        paired.role.as_str(),
        args.config.display(),
        args.config.display()
    );
    Ok(())
}

/// Sends `code` to the hub at `hub` and returns what it answered.
///
/// # Errors
/// No connection, no answer in time, or a refusal.
pub async fn pair(hub: &str, code: &str) -> anyhow::Result<antre_core::proto::Paired> {
    let stream = tokio::time::timeout(PATIENCE, tokio::net::TcpStream::connect(hub))
        .await
        .map_err(|_| anyhow::anyhow!("the hub at {hub} did not answer in time"))?
        .map_err(|e| anyhow::anyhow!("cannot reach the hub at {hub}: {e}"))?;
    let (r, mut w) = stream.into_split();
    let line =
        serde_json::json!({"type": "pair", "protocol": PROTOCOL_VERSION, "code": code.trim()});
    w.write_all(format!("{line}\n").as_bytes()).await?;
    let mut answer = String::new();
    tokio::time::timeout(PATIENCE, BufReader::new(r).read_line(&mut answer))
        .await
        .map_err(|_| anyhow::anyhow!("the hub did not answer the pairing in time"))??;
    match serde_json::from_str::<ServerMessage>(&answer) {
        Ok(ServerMessage::Paired(p)) => Ok(p),
        Ok(ServerMessage::Error(e)) => anyhow::bail!(
            "the hub refused the code ({}): {}; ask the admin for a new one in the console",
            e.code.as_str(),
            e.message
        ),
        _ => anyhow::bail!("the hub's answer was not understood: {}", answer.trim()),
    }
}

/// Writes `hub`, `device` and `token` into the TOML file at `path`, keeping its other keys,
/// readable by its owner only (0600) from the moment it exists.
///
/// # Errors
/// The file cannot be read, parsed or written.
pub fn save(path: &Path, hub: &str, device: &str, token: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut table: toml::Table = match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    table.insert("hub".into(), hub.into());
    table.insert("device".into(), device.into());
    table.insert("token".into(), token.into());
    let text = toml::to_string(&table)?;
    // A new file next to it, then renamed over it: never half written, never readable by others.
    let tmp = path.with_extension("pairing");
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_token_is_saved_for_its_owner_only_and_other_settings_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "printer = \"file:/tmp/x.bin\"\ntoken = \"old\"\n").unwrap();
        save(&path, "10.0.0.2:7878", "kiosk-3", "new-token").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let t: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(t["printer"].as_str(), Some("file:/tmp/x.bin"));
        assert_eq!(t["token"].as_str(), Some("new-token"));
        assert_eq!(t["device"].as_str(), Some("kiosk-3"));
        assert_eq!(t["hub"].as_str(), Some("10.0.0.2:7878"));
    }
}
