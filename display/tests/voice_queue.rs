//! The announcement queue with real speech (espeak-ng) played through ALSA into a file: in
//! order, whole, none dropped, a queued recall not twice, silence in quiet hours.

mod common;

use antre_display::voice::{builtin_chime, render, Announcer, Call, QuietHours, VoiceConfig};
use antre_hub::testing::{jakarta, TestClock};
use common::{rms, Capture};

fn call(code: &str, counter: &str, recall: bool) -> Call {
    Call {
        code: code.into(),
        counter: counter.into(),
        recall,
    }
}

#[test]
fn announcements_play_in_order_whole_and_once() {
    let capture = Capture::new();
    // The one test in this process: aplay, started by the announcer, reads this HOME.
    std::env::set_var("HOME", capture.home());
    let clock = TestClock::at(jakarta(9, 0)); // a Friday morning
    let cfg = VoiceConfig {
        quiet: vec!["Fri 11:30-13:00".parse::<QuietHours>().unwrap()],
        ..VoiceConfig::default()
    };
    let announcer = Announcer::start(cfg.clone(), clock.clock());
    let calls = [
        call("A-001", "Loket 1", false),
        call("B-012", "Loket 12", false),
        call("A-002", "Loket 3", false),
    ];
    for c in &calls {
        assert!(announcer.announce(c.clone()));
    }
    // A-002 has not been played yet (two calls play before it): its recall is not queued.
    assert!(!announcer.announce(call("A-002", "Loket 3", true)));
    announcer.wait_idle();
    // Played after the first: a recall of A-001 is announced again.
    assert!(announcer.announce(call("A-001", "Loket 1", true)));
    announcer.wait_idle();

    let played = announcer.played();
    let codes: Vec<_> = played.iter().map(|p| p.call.code.as_str()).collect();
    assert_eq!(codes, ["A-001", "B-012", "A-002", "A-001"]);
    assert!(
        played.iter().all(|p| p.error.is_none() && !p.quiet),
        "{played:?}"
    );
    for w in played.windows(2) {
        assert!(w[1].started >= w[0].ended, "no overlap");
    }

    // What reached the sound device is exactly the four announcements, one after the other,
    // each whole: no mixing, no cut. (ALSA may pad the end of each playback with silence up
    // to a full period.)
    let chime = builtin_chime();
    let got = capture.samples();
    let mut at = 0;
    for p in &played {
        let expected = render(&p.call, &cfg, &chime);
        let start = (at..=got.len().saturating_sub(expected.len()))
            .find(|&i| got[i..i + expected.len()] == expected[..])
            .unwrap_or_else(|| panic!("{} was not played whole after sample {at}", p.call.code));
        assert!(
            got[at..start].iter().all(|&s| s == 0),
            "only silence between announcements"
        );
        at = start + expected.len();
    }
    assert!(got[at..].iter().all(|&s| s == 0), "nothing after the last");
    // And it is sound, not silence: the speech part as well as the chime.
    assert!(rms(&got) > 500.0, "rms {}", rms(&got));
    let chime_len = chime.len();
    assert!(
        rms(&got[chime_len + 6000..chime_len + 30000]) > 300.0,
        "speech is audible"
    );

    // During the Friday prayer: nothing is played, and nothing is lost from the log.
    clock.set(jakarta(12, 0));
    assert!(announcer.announce(call("A-003", "Loket 2", false)));
    announcer.wait_idle();
    let last = announcer.played().pop().unwrap();
    assert!(last.quiet && last.call.code == "A-003");
    assert_eq!(capture.samples().len(), got.len(), "silent in quiet hours");
}
