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
}
