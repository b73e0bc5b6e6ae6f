//! "Saya sudah booking": a booking made on the city's service, turned into a ticket at the
//! kiosk. The visitor types the code on the keypad (the `BK-` is already there) or scans its
//! QR code (a scanner types `ANTRE-BOOKING:BK-…` and Enter); then the priority question;
//! then one `check_in` to the hub, which knows the day's bookings even with the internet down.

use antre_core::domain::booking::{parse_code, CODE_LEN, CODE_PREFIX};
use antre_core::domain::Priority;
use antre_core::proto::{ErrorCode, Request, MAX_BOOKING_CHARS};

/// The booking being checked in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Booking {
    /// What was typed or scanned, in capitals.
    pub input: String,
    /// Why the code was not taken, in the visitor's words.
    pub error: String,
    /// The code, once it reads as one (`BK-7KQ4M9A`).
    pub code: Option<String>,
}

/// What the hub's refusal of a check-in leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such booking for today here: back to the keypad with the code kept, to correct it.
    Retype,
    /// Used, expired or for another day: a message screen says why.
    Message,
}

impl Booking {
    /// A key from the keypad or a scanner typing like a keyboard.
    pub fn key(&mut self, key: &str) {
        let key: String = key.chars().filter(|c| !c.is_control()).collect();
        if self.input.chars().count() + key.chars().count() <= MAX_BOOKING_CHARS {
            self.input.push_str(&key.to_uppercase());
        }
        self.error.clear();
    }

    pub fn backspace(&mut self) {
        self.input.pop();
        self.error.clear();
    }

    /// What the code box shows: the code's characters after a `BK-` the visitor need not
    /// type; a scanner's text as it comes.
    pub fn shown(&self) -> String {
        if self.input.is_empty() || self.scanned() {
            return self.input.clone();
        }
        let body = self.input.strip_prefix(CODE_PREFIX).unwrap_or(&self.input);
        format!("{CODE_PREFIX}{body}")
    }

    /// Whether enough was typed to try: a whole code, or anything a scanner sent.
    pub fn ready(&self) -> bool {
        let body = self.input.strip_prefix(CODE_PREFIX).unwrap_or(&self.input);
        self.scanned() || body.chars().count() >= CODE_LEN
    }

    fn scanned(&self) -> bool {
        self.input.contains(':')
    }

    /// "Lanjut ›" or a scanner's Enter: the code, or `false` when it does not read as one
    /// (the caller puts the words in [`Booking::error`]; a scanner's text is cleared, so
    /// the next scan starts afresh, a person's typing kept to correct).
    pub fn submit(&mut self) -> bool {
        match parse_code(&self.input) {
            Some(code) => {
                self.code = Some(code);
                true
            }
            None => {
                if self.scanned() {
                    self.input.clear();
                }
                false
            }
        }
    }

    /// The request for the ticket, with the priority the visitor chose.
    pub fn request(&self, priority: Option<Priority>) -> Option<Request> {
        Some(Request::CheckIn {
            booking: self.code.clone()?,
            priority,
        })
    }

    /// The hub refused the check-in with `code`.
    pub fn refused(&mut self, code: Option<ErrorCode>) -> Refused {
        if code == Some(ErrorCode::UnknownBooking) {
            self.input = self.code.take().unwrap_or_default();
            Refused::Retype
        } else {
            Refused::Message
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &[&str]) -> Booking {
        let mut b = Booking::default();
        for k in keys {
            b.key(k);
        }
        b
    }

    #[test]
    fn the_keypad_types_after_a_bk_that_is_already_there() {
        let mut b = typed(&["7", "k", "Q", "4"]);
        assert_eq!(b.shown(), "BK-7KQ4");
        assert!(!b.ready(), "4 of 7 characters");
        for k in ["M", "9", "A"] {
            b.key(k);
        }
        assert!(b.ready());
        assert!(b.submit());
        assert_eq!(
            b.request(Some(Priority::Lansia)),
            Some(Request::CheckIn {
                booking: "BK-7KQ4M9A".into(),
                priority: Some(Priority::Lansia)
            })
        );
        // Typed with its BK- too: shown once.
        assert_eq!(typed(&["BK-7KQ"]).shown(), "BK-7KQ");
    }

    #[test]
    fn a_scan_is_taken_whole_and_a_bad_one_cleared_a_bad_typing_kept() {
        let mut b = typed(&["ANTRE-BOOKING:BK-7KQ4M9A"]);
        assert!(b.ready());
        assert!(b.submit());
        assert_eq!(b.code.as_deref(), Some("BK-7KQ4M9A"));

        let mut scan = typed(&["ANTRE:2026-12-02:A-012"]);
        assert!(!scan.submit(), "a ticket's QR is no booking");
        assert_eq!(scan.input, "");
        // 0, 1, 2, 5, 8 are not in the codes' alphabet (they read like O, I, Z, S, B).
        let mut person = typed(&["7KQ4M90"]);
        assert!(!person.submit());
        assert_eq!(person.shown(), "BK-7KQ4M90");
        assert_eq!(person.code, None);
        // Longer than any code: the keypad stops taking keys.
        let mut long = typed(&[&"7".repeat(MAX_BOOKING_CHARS)]);
        long.key("K");
        assert_eq!(long.input.len(), MAX_BOOKING_CHARS);
    }

    #[test]
    fn an_unknown_booking_goes_back_to_the_keypad_others_to_a_message() {
        let mut b = typed(&["7KQ4M9A"]);
        b.submit();
        assert_eq!(b.refused(Some(ErrorCode::UnknownBooking)), Refused::Retype);
        assert_eq!((b.input.as_str(), b.code.as_ref()), ("BK-7KQ4M9A", None));
        assert_eq!(b.shown(), "BK-7KQ4M9A");
        b.submit();
        assert_eq!(b.refused(Some(ErrorCode::BookingUsed)), Refused::Message);
        assert_eq!(b.refused(None), Refused::Message);
    }
}
