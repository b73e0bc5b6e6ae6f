//! `antre-display announce`, as the technician runs it: the words, and real sound through
//! ALSA (routed into a file, this machine has no sound card).

mod common;

use common::{rms, Capture};
use std::process::Command;

fn announce(capture: &Capture, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_antre-display"))
        .arg("announce")
        .args(args)
        .env("HOME", capture.home())
        .env_remove("ANTRE_DEVICE_CONFIG")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn text_prints_the_words_on_one_line() {
    let c = Capture::new();
    let (code, said) = announce(
        &c,
        &["--ticket", "C-1999", "--counter", "Loket 21", "--text"],
    );
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(
        said,
        "Nomor antrian, ce, seribu sembilan ratus sembilan puluh sembilan, silakan menuju, Loket dua puluh satu\n"
    );
    assert!(c.samples().is_empty(), "--text plays nothing");
    let (code, said) = announce(&c, &["--ticket", "12", "--counter", "Loket 1", "--text"]);
    assert_eq!(code, Some(1));
    assert!(said.contains("not a ticket code"), "{said}");
}

#[test]
fn the_call_is_heard_with_espeak_with_clips_and_chime_only() {
    let c = Capture::new();
    let (code, said) = announce(&c, &["--ticket", "A-012", "--counter", "Loket 3"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("announced A-012"), "{said}");
    let espeak = c.samples();
    assert!(
        espeak.len() > 22_050 * 3,
        "a chime and a sentence: {} samples",
        espeak.len()
    );
    assert!(rms(&espeak) > 500.0);

    // The chime stays when speech is off; it is shorter than chime and speech.
    let (code, said) = announce(
        &c,
        &[
            "--ticket",
            "A-012",
            "--counter",
            "Loket 3",
            "--voice",
            "off",
        ],
    );
    assert_eq!(code, Some(0), "{said}");
    let chime_only = c.samples().len() - espeak.len();
    assert!(
        chime_only > 22_050 / 2 && chime_only < espeak.len(),
        "{chime_only}"
    );

    // A folder of recorded words (made here with espeak-ng, one WAV per word), at half volume.
    let clips = tempfile::tempdir().unwrap();
    for w in [
        "nomor", "antrian", "a", "dua", "belas", "silakan", "menuju", "loket", "tiga",
    ] {
        let ok = Command::new("espeak-ng")
            .args(["-v", "id", "-w"])
            .arg(clips.path().join(format!("{w}.wav")))
            .arg(w)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    let before = c.samples().len();
    let voice = format!("clips:{}", clips.path().display());
    let (code, said) = announce(
        &c,
        &[
            "--ticket",
            "A-012",
            "--counter",
            "Loket 3",
            "--voice",
            &voice,
            "--volume",
            "50",
        ],
    );
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("missing clips"), "{said}");
    let from_clips = &c.samples()[before..];
    assert!(
        from_clips.len() > chime_only + 22_050,
        "chime and nine words"
    );
    assert!(rms(from_clips) > 200.0, "audible");
    assert!(rms(from_clips) < rms(&espeak), "quieter at half volume");
}
