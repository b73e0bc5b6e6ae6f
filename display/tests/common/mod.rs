//! Sound without a sound card: ALSA's default device routed into a raw file through an
//! `.asoundrc` in a temp HOME (`type plug` → `type file` → `null`), appended per playback.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};

pub struct Capture {
    pub home: tempfile::TempDir,
    pub raw: PathBuf,
}

impl Capture {
    pub fn new() -> Capture {
        let home = tempfile::tempdir().unwrap();
        let raw = home.path().join("played.raw");
        std::fs::write(
            home.path().join(".asoundrc"),
            format!(
                "pcm.!default {{\n  type plug\n  slave.pcm \"capture\"\n}}\npcm.capture {{\n  type file\n  \
                 slave.pcm \"null\"\n  file \"|cat >> {}\"\n  format \"raw\"\n}}\n",
                raw.display()
            ),
        )
        .unwrap();
        Capture { home, raw }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Everything played so far: 16-bit mono samples.
    pub fn samples(&self) -> Vec<i16> {
        std::fs::read(&self.raw)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }
}

/// Root mean square of the samples, 0..32767.
pub fn rms(s: &[i16]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    (s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
}
