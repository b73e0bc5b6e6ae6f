//! The IKM survey at the kiosk: the ticket to rate (typed on the keypad or scanned), then
//! the nine questions, each answered with a tap, then one request to the hub.

use antre_core::domain::ikm::ELEMENTS;

/// The longest input kept: room for a scanned page address; a code is a few characters.
const MAX_INPUT: usize = 120;

/// The survey under way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Survey {
    /// What was typed or scanned, in capitals.
    pub input: String,
    /// Why the code was not accepted, in the visitor's words.
    pub error: String,
    /// The ticket being rated, once accepted.
    pub code: Option<String>,
    /// Answers 1..4, per element.
    pub answers: [Option<u8>; ELEMENTS],
    /// The question on screen (0-based).
    pub question: usize,
    /// The answers are on their way to the hub.
    pub sending: bool,
    pub send_error: String,
}

/// What the last answer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Not taken (no question on screen, already sending, out of range).
    Ignored,
    /// The next question.
    Next,
    /// All nine answered: send them for this ticket.
    Send { ticket: String, answers: Vec<i64> },
}

impl Survey {
    /// A key from the keypad or a scanner typing like a keyboard.
    pub fn key(&mut self, key: &str) {
        if self.input.chars().count() + key.chars().count() <= MAX_INPUT {
            self.input.extend(key.chars().filter(|c| !c.is_control()));
            self.input = self.input.to_uppercase();
        }
        self.error.clear();
    }

    /// The hub's view said `checked` about what was typed: the code to rate, or why not.
    pub fn checked(&mut self, checked: Result<String, String>) {
        match checked {
            Ok(code) => {
                self.input = code.clone();
                self.code = Some(code);
                self.answers = [None; ELEMENTS];
                self.question = 0;
            }
            Err(words) => {
                self.error = words;
                // A scanner types again from scratch; a person corrects what is there.
                if self.input.contains(':') || self.input.contains('/') {
                    self.input.clear();
                }
            }
        }
    }

    /// The visitor tapped answer `level` (0 = the first of four shown, the worst).
    pub fn answer(&mut self, level: i32) -> Answered {
        if self.sending || !(0..4).contains(&level) || self.code.is_none() {
            return Answered::Ignored;
        }
        let q = self.question.min(ELEMENTS - 1);
        self.answers[q] = Some(level as u8 + 1);
        self.send_error.clear();
        if q + 1 < ELEMENTS {
            self.question = q + 1;
            return Answered::Next;
        }
        let answers: Option<Vec<i64>> = self.answers.iter().map(|a| a.map(i64::from)).collect();
        match (self.code.clone(), answers) {
            (Some(ticket), Some(answers)) => {
                self.sending = true;
                Answered::Send { ticket, answers }
            }
            _ => Answered::Next,
        }
    }

    /// One question back, keeping its answer to show.
    pub fn back(&mut self) -> bool {
        if self.question == 0 || self.sending {
            return false;
        }
        self.question -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_capitals_and_a_scanners_bad_text_is_cleared() {
        let mut s = Survey::default();
        s.key("a");
        s.key("2");
        assert_eq!(s.input, "A2");
        s.checked(Err("Tiket A-002 belum dilayani".into()));
        assert_eq!(s.input, "A2", "a person corrects what is there");
        let mut s = Survey::default();
        s.key("ANTRE:2026-11-26:A-002");
        s.checked(Err("Tiket ini dari hari lain".into()));
        assert_eq!(s.input, "", "a scanner types again from scratch");
        s.key("\u{7}B\n");
        assert_eq!(s.input, "B", "control characters are not kept");
    }

    #[test]
    fn nine_answers_send_once_with_the_values_one_to_four() {
        let mut s = Survey::default();
        assert_eq!(s.answer(3), Answered::Ignored, "no ticket accepted yet");
        s.checked(Ok("A-002".into()));
        // Taps 3, 3, 2, 1, 0, 3, 3, 2, 3 (0 = worst) are answers 4, 4, 3, 2, 1, 4, 4, 3, 4.
        let taps = [3, 3, 2, 1, 0, 3, 3, 2];
        for t in taps {
            assert_eq!(s.answer(t), Answered::Next);
        }
        assert_eq!(
            s.answer(3),
            Answered::Send {
                ticket: "A-002".into(),
                answers: vec![4, 4, 3, 2, 1, 4, 4, 3, 4]
            }
        );
        assert!(s.sending);
        assert_eq!(s.answer(3), Answered::Ignored, "sent once");
    }

    #[test]
    fn back_keeps_the_earlier_answer() {
        let mut s = Survey::default();
        s.checked(Ok("A-002".into()));
        s.answer(1);
        assert_eq!(s.question, 1);
        assert!(s.back());
        assert_eq!((s.question, s.answers[0]), (0, Some(2)));
        assert!(!s.back(), "nothing before the first question");
        assert_eq!(s.answer(7), Answered::Ignored, "only four answers exist");
    }
}
