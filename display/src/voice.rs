//! The hall's voice: a chime, then "Nomor antrian, A, dua belas, silakan menuju, Loket tiga".
//!
//! Every announcement is rendered to one buffer of samples (the chime, a pause, the speech)
//! and played whole by one worker thread, one after the other: announcements never overlap,
//! never cut each other off, and none is dropped. A recall of a ticket whose call is still
//! waiting in the queue is not queued again. Speech is offline only: `espeak-ng -v id`, or a
//! folder of WAV clips the mall recorded in its own voice, one per word. Playback goes to
//! ALSA's default device through `aplay`.

use antre_core::domain::words::{call_parts, call_text, spelled};
use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// Everything is rendered at this rate, mono, 16 bit (espeak-ng's own rate).
pub const RATE: u32 = 22_050;

/// One call to announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `A-012`
    pub code: String,
    /// `Loket 3`
    pub counter: String,
    pub recall: bool,
}

impl Call {
    /// The prefix and the number of the code (`A-012` → `A`, 12).
    fn parts(&self) -> (String, u32) {
        let (prefix, number) = self.code.split_once('-').unwrap_or(("", &self.code));
        (prefix.to_owned(), number.parse().unwrap_or(0))
    }

    /// The words as one line: "Nomor antrian, a, dua belas, silakan menuju, Loket tiga".
    pub fn text(&self) -> String {
        let (prefix, number) = self.parts();
        call_text(&prefix, number, &self.counter)
    }

    /// The words one by one, lower case, as the recorded clips are named:
    /// `["nomor", "antrian", "a", "dua", "belas", "silakan", "menuju", "loket", "tiga"]`.
    pub fn words(&self) -> Vec<String> {
        let (prefix, number) = self.parts();
        let mut parts = call_parts(&prefix, number, &self.counter);
        // The prefix spoken letter by letter, by the letters' Indonesian names.
        parts[1] = spelled(&prefix);
        parts
            .iter()
            .flat_map(|p| p.split_whitespace())
            .map(str::to_lowercase)
            .collect()
    }
}

/// Where speech comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speech {
    /// `espeak-ng -v VOICE` (default `id`).
    Espeak { voice: String, speed: u32 },
    /// A folder with one WAV per word (`nomor.wav`, `antrian.wav`, `dua.wav`, `belas.wav`…).
    Clips(PathBuf),
    /// Only the chime.
    Off,
}

impl std::str::FromStr for Speech {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            _ if s == "off" => Ok(Speech::Off),
            _ if s == "espeak" => Ok(Speech::Espeak {
                voice: "id".into(),
                speed: 140,
            }),
            Some(("espeak", voice)) => Ok(Speech::Espeak {
                voice: voice.into(),
                speed: 140,
            }),
            Some(("clips", dir)) if !dir.is_empty() => Ok(Speech::Clips(dir.into())),
            _ => Err(format!(
                "voice {s:?}: use espeak, espeak:VOICE, clips:FOLDER or off"
            )),
        }
    }
}

/// When the hall is silent, e.g. `Fri 11:30-13:00` (the Friday prayer) or `12:00-13:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub day: Option<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl std::str::FromStr for QuietHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("quiet hours {s:?}: use \"HH:MM-HH:MM\" or \"Fri 11:30-13:00\"");
        let (day, span) = match s.trim().split_once(' ') {
            Some((d, span)) => (Some(weekday(d).ok_or_else(bad)?), span),
            None => (None, s.trim()),
        };
        let (a, b) = span.split_once('-').ok_or_else(bad)?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (t(a)?, t(b)?);
        if start >= end {
            return Err(bad());
        }
        Ok(QuietHours { day, start, end })
    }
}

fn weekday(d: &str) -> Option<Weekday> {
    Some(match d.to_lowercase().as_str() {
        "mon" | "sen" | "senin" => Weekday::Mon,
        "tue" | "sel" | "selasa" => Weekday::Tue,
        "wed" | "rab" | "rabu" => Weekday::Wed,
        "thu" | "kam" | "kamis" => Weekday::Thu,
        "fri" | "jum" | "jumat" => Weekday::Fri,
        "sat" | "sab" | "sabtu" => Weekday::Sat,
        "sun" | "min" | "minggu" => Weekday::Sun,
        _ => return None,
    })
}

impl QuietHours {
    pub fn contains(&self, local: chrono::NaiveDateTime) -> bool {
        self.day.is_none_or(|d| d == local.weekday())
            && self.start <= local.time()
            && local.time() < self.end
    }
}

/// How the display sounds.
#[derive(Debug, Clone)]
pub struct VoiceConfig {
    pub speech: Speech,
    /// A WAV file to play before each call; `None`: the built-in two-tone chime.
    pub chime: Option<PathBuf>,
    /// 0.0 (silent) to 1.0 (as recorded).
    pub volume: f32,
    pub quiet: Vec<QuietHours>,
    pub timezone: chrono_tz::Tz,
    /// The ALSA device for `aplay -D`; `None`: the default device.
    pub device: Option<String>,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            speech: Speech::Espeak {
                voice: "id".into(),
                speed: 140,
            },
            chime: None,
            volume: 1.0,
            quiet: vec![],
            timezone: chrono_tz::Asia::Jakarta,
            device: None,
        }
    }
}

/// The built-in chime: "ding-dong", two soft decaying tones.
pub fn builtin_chime() -> Vec<i16> {
    let tone = |freq: f32, secs: f32| {
        let n = (RATE as f32 * secs) as usize;
        (0..n).map(move |i| {
            let t = i as f32 / RATE as f32;
            let envelope = (-3.5 * t).exp() * (1.0 - (-200.0 * t).exp());
            let s = (2.0 * std::f32::consts::PI * freq * t).sin()
                + 0.3 * (4.0 * std::f32::consts::PI * freq * t).sin();
            (s * envelope * 0.35 * f32::from(i16::MAX)) as i16
        })
    };
    tone(880.0, 0.45).chain(tone(698.5, 0.8)).collect()
}

/// Reads a WAV file as mono samples at [`RATE`] (other rates and stereo are converted).
///
/// # Errors
/// The file cannot be read or is not 8/16/24/32-bit PCM or float WAV.
pub fn read_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let mut r = hound::WavReader::new(bytes).map_err(|e| format!("not a WAV file: {e}"))?;
    let spec = r.spec();
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<f32> = match spec.sample_format {
        // `map_while`: espeak-ng streaming to stdout cannot know the length and writes a huge
        // one into the header; the samples end where the data does.
        hound::SampleFormat::Float => r.samples::<f32>().map_while(Result::ok).collect(),
        hound::SampleFormat::Int => {
            let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map_while(Result::ok)
                .map(|s| s as f32 / scale)
                .collect()
        }
    };
    if samples.is_empty() {
        return Ok(vec![]);
    }
    let mono: Vec<f32> = samples
        .chunks(channels)
        .map(|c| c.iter().sum::<f32>() / c.len() as f32)
        .collect();
    // Linear resampling is plenty for speech and a chime.
    let ratio = spec.sample_rate as f64 / f64::from(RATE);
    let n = (mono.len() as f64 / ratio) as usize;
    Ok((0..n)
        .map(|i| {
            let x = i as f64 * ratio;
            let (j, frac) = (x as usize, (x - x.floor()) as f32);
            let a = mono[j.min(mono.len() - 1)];
            let b = mono[(j + 1).min(mono.len() - 1)];
            ((a + (b - a) * frac) * f32::from(i16::MAX)) as i16
        })
        .collect())
}

/// Samples as a 16-bit mono WAV file.
pub fn wav_bytes(samples: &[i16]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::new(&mut out, spec).expect("in memory");
    for &s in samples {
        w.write_sample(s).expect("in memory");
    }
    w.finalize().expect("in memory");
    out.into_inner()
}

fn silence(secs: f32) -> impl Iterator<Item = i16> {
    std::iter::repeat_n(0, (RATE as f32 * secs) as usize)
}

/// The speech of a call, from espeak-ng or the clips.
///
/// # Errors
/// espeak-ng is missing or fails, or a clip is missing or unreadable (the message names it).
pub fn speak(call: &Call, speech: &Speech) -> Result<Vec<i16>, String> {
    match speech {
        Speech::Off => Ok(vec![]),
        Speech::Espeak { voice, speed } => {
            let out = Command::new("espeak-ng")
                .args(["-v", voice, "-s", &speed.to_string(), "--stdout"])
                .arg(call.text())
                .stderr(Stdio::piped())
                .output()
                .map_err(|e| {
                    format!("espeak-ng cannot run ({e}): install the espeak-ng package")
                })?;
            if !out.status.success() {
                return Err(format!(
                    "espeak-ng failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            read_wav(&out.stdout)
        }
        Speech::Clips(dir) => {
            let mut samples = vec![];
            for word in call.words() {
                let path = dir.join(format!("{word}.wav"));
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("no clip for {word:?} ({}: {e})", path.display()))?;
                samples.extend(read_wav(&bytes).map_err(|e| format!("{}: {e}", path.display()))?);
                samples.extend(silence(0.08));
            }
            Ok(samples)
        }
    }
}

/// The whole announcement: chime, pause, speech (falling back to espeak-ng when a clip is
/// missing), at the configured volume.
pub fn render(call: &Call, cfg: &VoiceConfig, chime: &[i16]) -> Vec<i16> {
    let speech = speak(call, &cfg.speech).or_else(|e| {
        tracing::warn!(error = %e, "speech failed");
        match &cfg.speech {
            Speech::Clips(_) => speak(call, &VoiceConfig::default().speech),
            _ => Err(e),
        }
    });
    let mut out: Vec<i16> = chime.to_vec();
    out.extend(silence(0.25));
    match speech {
        Ok(s) => out.extend(s),
        Err(e) => tracing::warn!(error = %e, "announcing with the chime only"),
    }
    out.extend(silence(0.3));
    let v = cfg.volume.clamp(0.0, 1.0);
    if v < 1.0 {
        for s in &mut out {
            *s = (f32::from(*s) * v) as i16;
        }
    }
    out
}

/// Plays samples to the end through `aplay` (ALSA).
///
/// # Errors
/// aplay cannot run or fails (no sound device).
pub fn play(samples: &[i16], device: Option<&str>) -> Result<(), String> {
    let mut cmd = Command::new("aplay");
    cmd.arg("-q");
    if let Some(d) = device {
        cmd.args(["-D", d]);
    }
    let mut child = cmd
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("aplay cannot run ({e}): install alsa-utils"))?;
    let wav = wav_bytes(samples);
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(&wav)
        .map_err(|e| format!("aplay stopped reading: {e}"));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    written?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "aplay failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// What the announcer did with one call.
#[derive(Debug, Clone, PartialEq)]
pub struct Played {
    pub call: Call,
    pub started: Instant,
    pub ended: Instant,
    /// Skipped for quiet hours.
    pub quiet: bool,
    /// Playback failed (the message says why); the next call is still played.
    pub error: Option<String>,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Call>,
    playing: Option<Call>,
    played: Vec<Played>,
    stop: bool,
}

/// The announcement queue and its one playing thread.
pub struct Announcer {
    shared: Arc<(Mutex<Queue>, Condvar)>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Announcer {
    /// Starts the playing thread. `clock` gives the time for quiet hours.
    pub fn start(cfg: VoiceConfig, clock: antre_core::clock::Clock) -> Announcer {
        let shared = Arc::new((Mutex::new(Queue::default()), Condvar::new()));
        let chime = match &cfg.chime {
            Some(path) => match std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|b| read_wav(&b))
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "chime unreadable: using the built-in one");
                    builtin_chime()
                }
            },
            None => builtin_chime(),
        };
        let worker = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("announcer".into())
                .spawn(move || run(&shared, &cfg, &chime, &clock))
                .expect("spawning the announcer thread")
        };
        Announcer {
            shared,
            worker: Some(worker),
        }
    }

    /// Queues a call. A recall of a ticket whose call or recall is still waiting in the
    /// queue is not queued again; returns whether it was queued.
    pub fn announce(&self, call: Call) -> bool {
        let (lock, cv) = &*self.shared;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        if call.recall
            && q.waiting
                .iter()
                .any(|c| c.code == call.code && c.counter == call.counter)
        {
            return false;
        }
        q.waiting.push_back(call);
        cv.notify_all();
        true
    }

    /// What was played so far, in order.
    pub fn played(&self) -> Vec<Played> {
        self.shared
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .played
            .clone()
    }

    /// Waits until nothing is waiting or playing.
    pub fn wait_idle(&self) {
        let (lock, cv) = &*self.shared;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        while !q.waiting.is_empty() || q.playing.is_some() {
            q = cv.wait(q).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Announcer {
    fn drop(&mut self) {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
        self.shared.1.notify_all();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

fn run(
    shared: &(Mutex<Queue>, Condvar),
    cfg: &VoiceConfig,
    chime: &[i16],
    clock: &antre_core::clock::Clock,
) {
    let (lock, cv) = shared;
    loop {
        let call = {
            let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if q.stop {
                    return;
                }
                if let Some(c) = q.waiting.pop_front() {
                    q.playing = Some(c.clone());
                    break c;
                }
                q = cv.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        let started = Instant::now();
        let now: DateTime<Utc> = clock();
        let local = now.with_timezone(&cfg.timezone).naive_local();
        let quiet = cfg.quiet.iter().any(|q| q.contains(local));
        let error = if quiet {
            None
        } else {
            play(&render(&call, cfg, chime), cfg.device.as_deref()).err()
        };
        if let Some(e) = &error {
            tracing::warn!(code = %call.code, error = %e, "announcement not played");
        }
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        q.playing = None;
        q.played.push(Played {
            call,
            started,
            ended: Instant::now(),
            quiet,
            error,
        });
        cv.notify_all();
    }
}

/// For the technician: the path of a clip folder's missing words for `call`.
pub fn missing_clips(dir: &Path, call: &Call) -> Vec<String> {
    call.words()
        .into_iter()
        .filter(|w| !dir.join(format!("{w}.wav")).exists())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(code: &str, counter: &str) -> Call {
        Call {
            code: code.into(),
            counter: counter.into(),
            recall: false,
        }
    }

    #[test]
    fn words_of_a_call() {
        let c = call("B-112", "Loket 3");
        assert_eq!(
            c.text(),
            "Nomor antrian, be, seratus dua belas, silakan menuju, Loket tiga"
        );
        assert_eq!(
            c.words(),
            [
                "nomor", "antrian", "be", "seratus", "dua", "belas", "silakan", "menuju", "loket",
                "tiga"
            ]
        );
    }

    #[test]
    fn quiet_hours_parse_and_apply() {
        let q: QuietHours = "Fri 11:30-13:00".parse().unwrap();
        assert_eq!(q.day, Some(Weekday::Fri));
        let friday = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert!(q.contains(friday.and_hms_opt(11, 30, 0).unwrap()));
        assert!(!q.contains(friday.and_hms_opt(13, 0, 0).unwrap()));
        assert!(!q.contains(friday.succ_opt().unwrap().and_hms_opt(12, 0, 0).unwrap()));
        let every: QuietHours = "12:00-12:30".parse().unwrap();
        assert!(every.contains(friday.succ_opt().unwrap().and_hms_opt(12, 10, 0).unwrap()));
        assert!("Jumat 11:30-13:00".parse::<QuietHours>().is_ok());
        assert!("Fri 13:00-11:00".parse::<QuietHours>().is_err());
        assert!("Funday 1:00-2:00".parse::<QuietHours>().is_err());
    }

    #[test]
    fn wav_round_trip_and_resampling() {
        let chime = builtin_chime();
        let back = read_wav(&wav_bytes(&chime)).unwrap();
        assert_eq!(back.len(), chime.len());
        assert!(back.iter().zip(&chime).all(|(a, b)| (a - b).abs() <= 1));
        // A stereo 44.1 kHz file becomes mono at 22.05 kHz: half the frames.
        let mut out = std::io::Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for i in 0..44_100 {
            w.write_sample((i % 100) as i16).unwrap();
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        assert_eq!(read_wav(&out.into_inner()).unwrap().len(), 22_050);
    }

    #[test]
    fn voice_settings_parse() {
        assert_eq!("off".parse::<Speech>(), Ok(Speech::Off));
        assert_eq!(
            "clips:/srv/suara".parse::<Speech>(),
            Ok(Speech::Clips("/srv/suara".into()))
        );
        assert!(
            matches!("espeak:id+f3".parse::<Speech>(), Ok(Speech::Espeak { voice, .. }) if voice == "id+f3")
        );
        assert!("festival".parse::<Speech>().is_err());
    }
}
