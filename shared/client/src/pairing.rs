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
    let paired = block_on(pair(&args.hub, &args.code))??;
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

/// Why a pairing did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    #[error("cannot reach the hub at {hub}: {why}")]
    Unreachable { hub: String, why: String },
    #[error("the hub at {hub} did not answer in time")]
    Timeout { hub: String },
    #[error(
        "the hub refused the code ({code}): {message}; ask the admin for a new one in the console"
    )]
    Refused { code: String, message: String },
    #[error("the hub refused the device id or token ({code}): {message}")]
    WrongToken { code: String, message: String },
    #[error("the hub's answer was not understood: {0}")]
    NotUnderstood(String),
}

impl PairError {
    /// The same in Indonesian, for the setup screen.
    pub fn kata(&self) -> String {
        match self {
            PairError::Unreachable { hub, .. } => format!(
                "Hub di {hub} tidak dapat dihubungi. Periksa alamatnya, kabel jaringan, dan \
                 apakah hub menyala."
            ),
            PairError::Timeout { hub } => {
                format!("Hub di {hub} tidak menjawab. Periksa alamat dan port-nya (biasanya 7878).")
            }
            PairError::Refused { code, .. } if code == "busy" => {
                "Terlalu banyak kode salah. Tunggu satu menit, lalu coba lagi.".into()
            }
            PairError::WrongToken { code, .. } if code == "unauthorized" => {
                "Id perangkat atau token salah. Periksa keduanya di konfigurasi hub.".into()
            }
            PairError::WrongToken { code, .. } => {
                format!("Hub menolak perangkat ini ({code}). Periksa konfigurasi hub.")
            }
            PairError::Refused { .. } => "Kode pemasangan ditolak: salah, sudah dipakai, atau \
                 kedaluwarsa (berlaku 15 menit). Minta kode baru di konsol."
                .into(),
            PairError::NotUnderstood(_) => {
                "Alamat itu bukan hub Antre. Periksa alamat dan port-nya.".into()
            }
        }
    }
}

/// Sends `code` to the hub at `hub` and returns what it answered.
///
/// # Errors
/// No connection, no answer in time, or a refusal.
pub async fn pair(hub: &str, code: &str) -> Result<antre_core::proto::Paired, PairError> {
    let line =
        serde_json::json!({"type": "pair", "protocol": PROTOCOL_VERSION, "code": code.trim()});
    let (answer, text) = exchange(hub, &line).await?;
    match answer {
        ServerMessage::Paired(p) => Ok(p),
        ServerMessage::Error(e) => Err(PairError::Refused {
            code: e.code.as_str().into(),
            message: e.message,
        }),
        _ => Err(PairError::NotUnderstood(text)),
    }
}

/// Sends `line` as a new connection's first line and reads the hub's first answer (and its
/// text, for saying what was not understood).
async fn exchange(
    hub: &str,
    line: &serde_json::Value,
) -> Result<(ServerMessage, String), PairError> {
    let unreachable = |e: std::io::Error| PairError::Unreachable {
        hub: hub.into(),
        why: e.to_string(),
    };
    let talk = async {
        let stream = tokio::net::TcpStream::connect(hub)
            .await
            .map_err(unreachable)?;
        let (r, mut w) = stream.into_split();
        w.write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(unreachable)?;
        let mut answer = String::new();
        BufReader::new(r)
            .read_line(&mut answer)
            .await
            .map_err(unreachable)?;
        Ok::<_, PairError>(answer)
    };
    let answer = tokio::time::timeout(PATIENCE, talk)
        .await
        .map_err(|_| PairError::Timeout { hub: hub.into() })??;
    let short: String = answer.trim().chars().take(200).collect();
    match serde_json::from_str::<ServerMessage>(&answer) {
        Ok(m) => Ok((m, short)),
        Err(_) => Err(PairError::NotUnderstood(short)),
    }
}

/// Runs `f` to its end on a runtime of its own (the apps' setup and `pair` run before theirs).
fn block_on<T>(f: impl std::future::Future<Output = T>) -> std::io::Result<T> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(f))
}

/// The first-run setup's pairing: the code exchanged at `hub`, the settings saved at `path`.
/// Returns the device's id.
///
/// # Errors
/// The pairing fails (its words in [`SetupError::kata`]) or the file cannot be written.
pub fn pair_and_save(hub: &str, code: &str, path: &Path) -> Result<String, SetupError> {
    let paired = block_on(pair(hub, code)).map_err(|e| SetupError::File(e.to_string()))??;
    save(path, hub, paired.device.as_str(), &paired.token)
        .map_err(|e| SetupError::File(format!("{e:#}")))?;
    Ok(paired.device.as_str().to_owned())
}

/// The first-run setup without the console: a device id and token from the hall's config,
/// tried on the hub (its `hello` must be welcomed) before they are saved at `path`.
///
/// # Errors
/// The hub cannot be reached or refuses them (in [`SetupError::kata`]'s words), or the file
/// cannot be written.
pub fn token_and_save(hub: &str, device: &str, token: &str, path: &Path) -> Result<(), SetupError> {
    block_on(say_hello(hub, device.trim(), token.trim()))
        .map_err(|e| SetupError::File(e.to_string()))??;
    save(path, hub, device.trim(), token.trim()).map_err(|e| SetupError::File(format!("{e:#}")))
}

/// Says hello as `device` and waits for the welcome.
async fn say_hello(hub: &str, device: &str, token: &str) -> Result<(), PairError> {
    let hello = serde_json::json!({
        "type": "hello", "protocol": PROTOCOL_VERSION, "device": device, "token": token,
        "since": 0,
    });
    let (answer, text) = exchange(hub, &hello).await?;
    match answer {
        ServerMessage::Welcome(_) => Ok(()),
        ServerMessage::Error(e) => Err(PairError::WrongToken {
            code: e.code.as_str().into(),
            message: e.message,
        }),
        _ => Err(PairError::NotUnderstood(text)),
    }
}

/// Why the first-run setup could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Pair(#[from] PairError),
    #[error("the settings cannot be saved: {0}")]
    File(String),
}

impl SetupError {
    /// In Indonesian, for the setup screen.
    pub fn kata(&self) -> String {
        match self {
            SetupError::Pair(e) => e.kata(),
            SetupError::File(why) => format!("Pengaturan tidak dapat disimpan: {why}"),
        }
    }
}

/// A hub address as the technician typed it: `host:port`, the port 7878 when left out.
///
/// # Errors
/// Empty, or not a host and port, in Indonesian and English.
pub fn hub_address(typed: &str) -> Result<String, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err("Isi alamat hub, misalnya 192.168.10.2:7878 · Enter the hub's address".into());
    }
    let bad =
        || format!("\"{t}\" bukan alamat hub (contoh: 192.168.10.2:7878) · not a hub address");
    if t.contains(char::is_whitespace) || t.contains('/') {
        return Err(bad());
    }
    match t.rsplit_once(':') {
        // An IPv6 address without a port has colons too; in brackets it has one.
        Some((host, port))
            if !host.is_empty()
                && !host.ends_with(':')
                && (!host.contains(':') || host.starts_with('[')) =>
        {
            port.parse::<u16>().map_err(|_| bad())?;
            Ok(t.to_owned())
        }
        None => Ok(format!("{t}:7878")),
        _ => Err(bad()),
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
    fn hub_addresses_as_typed() {
        assert_eq!(
            hub_address(" 192.168.10.2:7878 ").unwrap(),
            "192.168.10.2:7878"
        );
        assert_eq!(hub_address("192.168.10.2").unwrap(), "192.168.10.2:7878");
        assert_eq!(hub_address("hub.local:9000").unwrap(), "hub.local:9000");
        assert_eq!(hub_address("[::1]:7878").unwrap(), "[::1]:7878");
        for bad in [
            "",
            "  ",
            "192.168.10.2:78a",
            "192.168.10.2:99999",
            "http://hub:7878",
            ":7878",
            "hub 2",
        ] {
            assert!(hub_address(bad).is_err(), "{bad:?}");
        }
    }

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
