//! An aspiration at the kiosk: its kind, then the text on the kiosk's own keyboard (a
//! capital to begin with, as phones do), then one request to the hub.

use antre_core::proto::{AspirationKind, Request, MAX_ASPIRATION_CHARS};

/// The aspiration under way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aspiration {
    pub kind: AspirationKind,
    pub text: String,
    /// The next letter is a capital.
    pub shift: bool,
    /// The text is on its way to the hub.
    pub sending: bool,
    /// Why it was not sent, in the visitor's words.
    pub error: String,
}

impl Aspiration {
    /// The visitor picked `kind` (0 missing service, 1 suggestion, else complaint); what was
    /// typed before is kept if they only went back to change the kind.
    pub fn start(kind: i32, before: Option<Aspiration>) -> Aspiration {
        let kind = match kind {
            0 => AspirationKind::MissingService,
            1 => AspirationKind::Suggestion,
            _ => AspirationKind::Complaint,
        };
        let text = before.map(|a| a.text).unwrap_or_default();
        Aspiration {
            kind,
            shift: text.is_empty(),
            text,
            sending: false,
            error: String::new(),
        }
    }

    /// A key of the on-screen keyboard (or a physical one): up to the protocol's limit.
    pub fn key(&mut self, key: &str) {
        if self.sending {
            return;
        }
        for c in key.chars().filter(|c| !c.is_control()) {
            if self.text.chars().count() >= MAX_ASPIRATION_CHARS {
                break;
            }
            if self.shift && c.is_alphabetic() {
                self.text.extend(c.to_uppercase());
                self.shift = false;
            } else {
                self.text.push(c);
            }
        }
        self.error.clear();
    }

    /// The request to send, once: nothing for an empty text or while one is on its way.
    pub fn send(&mut self) -> Option<Request> {
        if self.sending || self.text.trim().is_empty() {
            return None;
        }
        self.sending = true;
        Some(Request::Aspiration {
            kind: self.kind,
            text: self.text.trim().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_letter_is_a_capital_and_the_text_is_kept_across_kinds() {
        let mut a = Aspiration::start(0, None);
        a.key("layanan paspor");
        assert_eq!(a.text, "Layanan paspor");
        let a = Aspiration::start(2, Some(a));
        assert_eq!(
            (a.kind, a.text.as_str(), a.shift),
            (AspirationKind::Complaint, "Layanan paspor", false)
        );
    }

    #[test]
    fn the_text_stops_at_the_limit_and_is_sent_once_trimmed() {
        let mut a = Aspiration::start(1, None);
        assert_eq!(a.send(), None, "nothing typed");
        a.key(&"x".repeat(MAX_ASPIRATION_CHARS + 5));
        assert_eq!(a.text.chars().count(), MAX_ASPIRATION_CHARS);
        let mut a = Aspiration::start(1, None);
        a.key("  antre cepat  ");
        // Spaces before it leave the capital for the first letter.
        assert_eq!(
            a.send(),
            Some(Request::Aspiration {
                kind: AspirationKind::Suggestion,
                text: "Antre cepat".into()
            })
        );
        assert_eq!(a.send(), None, "sent once");
        a.key("!");
        assert_eq!(a.text, "  Antre cepat  ", "no typing while sending");
    }
}
