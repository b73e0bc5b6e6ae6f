//! How every app is told where the hub is and who it is: defaults < a small TOML file <
//! environment < flags.

use crate::ClientConfig;
use serde::Deserialize;
use std::path::PathBuf;

/// The flags every app shares. Flatten it into the app's own `clap` parser.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DeviceArgs {
    /// The hub, `host:port` (default 127.0.0.1:7878).
    #[arg(long, env = "ANTRE_HUB")]
    pub hub: Option<String>,
    /// This device's id, as in the hall's config.
    #[arg(long, env = "ANTRE_DEVICE")]
    pub device: Option<String>,
    /// This device's token.
    #[arg(long, env = "ANTRE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// A TOML file with `hub`, `device` and `token` (and the app's own settings).
    #[arg(long, env = "ANTRE_DEVICE_CONFIG")]
    pub config: Option<PathBuf>,
}

impl DeviceArgs {
    /// The app's own settings from the `--config` file (an empty table without one), for
    /// keys beyond `hub`, `device` and `token`.
    ///
    /// # Errors
    /// The file cannot be read or is not TOML.
    pub fn file_settings(&self) -> anyhow::Result<toml::Table> {
        let Some(path) = &self.config else {
            return Ok(toml::Table::new());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }
}

/// Where an app keeps its settings when no `--config` is given:
/// `$XDG_CONFIG_HOME/antre/{app}.toml`, else `~/.config/antre/{app}.toml`.
pub fn default_path(app: &str) -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("antre").join(format!("{app}.toml"))
}

impl DeviceArgs {
    /// Without `--config`, the app's own settings file ([`default_path`]) is the config:
    /// when it exists, or when the device and token are not given otherwise (the first-run
    /// setup then writes it).
    pub fn locate(&mut self, app: &str) {
        if self.config.is_none() {
            let path = default_path(app);
            let given = self.device.is_some() && self.token.is_some();
            if path.exists() || !given {
                self.config = Some(path);
            }
        }
    }

    /// The settings file the first-run setup writes, when there is nothing to start from:
    /// no device or no token given, and no settings file.
    pub fn needs_setup(&self) -> Option<&std::path::Path> {
        let path = self.config.as_deref()?;
        let given = self.device.is_some() && self.token.is_some();
        (!given && !path.exists()).then_some(path)
    }
}

#[derive(Deserialize, Default)]
struct DeviceFile {
    hub: Option<String>,
    device: Option<String>,
    token: Option<String>,
}

impl DeviceArgs {
    /// Resolves the settings: flags and environment win over the file.
    ///
    /// # Errors
    /// The file cannot be read or parsed, or the device or token is missing; the message says
    /// which and how to give it.
    pub fn resolve(&self) -> anyhow::Result<ClientConfig> {
        let file: DeviceFile = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => DeviceFile::default(),
        };
        let hub = self
            .hub
            .clone()
            .or(file.hub)
            .unwrap_or_else(|| "127.0.0.1:7878".into());
        let device = self.device.clone().or(file.device).ok_or_else(|| {
            anyhow::anyhow!(
                "no device id: give --device ID, ANTRE_DEVICE, or `device = \"...\"` in --config"
            )
        })?;
        let token = self.token.clone().or(file.token).ok_or_else(|| {
            anyhow::anyhow!("no token: give --token, ANTRE_TOKEN, or `token = \"...\"` in --config")
        })?;
        Ok(ClientConfig {
            hub,
            device: device.as_str().into(),
            token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.toml");
        std::fs::write(
            &path,
            "hub = \"10.0.0.2:7878\"\ndevice = \"counter-3\"\ntoken = \"from-file-0123456789\"\n",
        )
        .unwrap();
        let args = DeviceArgs {
            token: Some("from-flag-0123456789".into()),
            config: Some(path),
            ..Default::default()
        };
        let c = args.resolve().unwrap();
        assert_eq!(
            (c.hub.as_str(), c.device.as_str(), c.token.as_str()),
            ("10.0.0.2:7878", "counter-3", "from-flag-0123456789")
        );
        let missing = DeviceArgs::default().resolve().unwrap_err().to_string();
        assert!(missing.contains("--device"), "{missing}");
    }

    #[test]
    fn setup_only_when_there_is_nothing_to_start_from() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("antre/kiosk.toml");
        let mut args = DeviceArgs {
            config: Some(path.clone()),
            ..Default::default()
        };
        args.locate("kiosk");
        assert_eq!(args.needs_setup(), Some(path.as_path()));
        let given = DeviceArgs {
            device: Some("kiosk-1".into()),
            token: Some("t".repeat(20)),
            ..args.clone()
        };
        assert_eq!(given.needs_setup(), None);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "device = \"kiosk-1\"\n").unwrap();
        assert_eq!(args.needs_setup(), None);
    }
}
