//! The kiosk's words put together in Rust (`antre_kiosk::words::Say`), through the real
//! Slint global and its bundled English: every one is said in Indonesian and in English,
//! differently, with its values in it.

use antre_kiosk::words::{Say, Words};
use antre_ui::{KioskWindow, KioskWords};
use slint::ComponentHandle;

#[test]
fn every_text_is_said_in_indonesian_and_in_english() {
    antre_ui::use_testing_backend();
    let window = KioskWindow::new().unwrap();
    let w = window.global::<KioskWords>();
    let both = |s: Say| {
        slint::select_bundled_translation("").unwrap();
        let id = w.say(s.clone());
        slint::select_bundled_translation("en").unwrap();
        let en = w.say(s);
        (id, en)
    };
    for s in Say::every_one() {
        let with_value = format!("{s:?}").contains("A-012");
        let (id, en) = both(s.clone());
        assert!(!id.is_empty() && id != en, "{s:?}: {id:?} / {en:?}");
        assert!(
            !format!("{id}{en}").contains("{0}"),
            "{s:?}: {id:?} / {en:?}"
        );
        // The value is in both, except where the English leaves out the printer's words.
        if with_value {
            assert!(id.contains("A-012"), "{s:?}: {id:?}");
            assert!(
                en.contains("A-012") || matches!(s, Say::PrintFailed { .. }),
                "{s:?}: {en:?}"
            );
        }
    }
    // As the visitor reads them.
    assert_eq!(
        both(Say::ClosedForToday { at: "08:00".into() }),
        (
            "Sudah tutup hari ini. Buka lagi besok pukul 08:00.".into(),
            "Closed for today. Opens again tomorrow at 08:00.".into()
        )
    );
    assert_eq!(
        both(Say::DemandRecorded {
            reason: "Kuota hari ini sudah habis.".into()
        }),
        (
            "Kuota hari ini sudah habis.\nPermintaan Anda sudah kami catat untuk evaluasi layanan."
                .into(),
            "Kuota hari ini sudah habis.\nWe have recorded your request to improve the service."
                .into()
        )
    );
    assert_eq!(both(Say::PriorityLansia).1, "Priority: senior citizen");
}
