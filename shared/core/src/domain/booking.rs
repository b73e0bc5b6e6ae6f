//! Bookings made online (CENTRAL.md): the session a booking is for, when it may be checked
//! in, when it expires, its code as a visitor types it, and the phone number as anyone but
//! the citizen sees it. Used by the city's service and by the hub alike.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::fmt;

/// How long before its session a booking may be checked in.
pub const EARLY_CHECK_IN_MIN: i64 = 30;

/// The prefix of every booking code.
pub const CODE_PREFIX: &str = "BK-";

/// The characters of a booking code after its prefix: no 0/O, 1/I/L, 5/S or 2/Z, which
/// elderly visitors and cheap printers mix up.
pub const CODE_ALPHABET: &[u8] = b"34679ABCDEFGHJKMNPQRTUVWXY";

/// How many characters follow the prefix (26^7 ≈ 8·10^9 codes).
pub const CODE_LEN: usize = 7;

/// The text of a booking's QR code.
pub const QR_PREFIX: &str = "ANTRE-BOOKING:";

/// A session of a service day, `08:00-10:00`: start included, end excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Session {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Session {
    /// Parses `HH:MM-HH:MM` (spaces around the dash allowed); the start must come first.
    ///
    /// # Errors
    /// Says in words what is wrong.
    pub fn parse(text: &str) -> Result<Session, String> {
        let Some((a, b)) = text.split_once('-') else {
            return Err(format!("session {text:?} is not HH:MM-HH:MM"));
        };
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("session {text:?}: {:?} is not a time HH:MM", t.trim()))
        };
        let (start, end) = (time(a)?, time(b)?);
        if end <= start {
            return Err(format!("session {text:?} ends before it starts"));
        }
        Ok(Session { start, end })
    }

    /// The first local instant of `day` a booking for this session may be checked in.
    pub fn opens(&self, day: NaiveDate) -> NaiveDateTime {
        day.and_time(self.start) - chrono::Duration::minutes(EARLY_CHECK_IN_MIN)
    }

    /// The local instant of `day` the session ends: its unused bookings expire then.
    pub fn ends(&self, day: NaiveDate) -> NaiveDateTime {
        day.and_time(self.end)
    }

    /// Whether a booking of this session on `day` may be checked in at local time `now`.
    pub fn check_in(&self, day: NaiveDate, now: NaiveDateTime) -> CheckIn {
        if now.date() != day {
            CheckIn::OtherDay
        } else if now < self.opens(day) {
            CheckIn::TooEarly
        } else if now >= self.ends(day) {
            CheckIn::Expired
        } else {
            CheckIn::Good
        }
    }

    /// Whether a booking of this session on `day` still holds its slot at local time `now`
    /// (unused bookings give it back to walk-ins when the session ends).
    pub fn holds(&self, day: NaiveDate, now: NaiveDateTime) -> bool {
        now < self.ends(day)
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// Whether a booking may be checked in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckIn {
    Good,
    /// More than [`EARLY_CHECK_IN_MIN`] before its session.
    TooEarly,
    /// Its session has ended.
    Expired,
    /// It is for another day.
    OtherDay,
}

/// A booking code from what a visitor typed or a scanner read: the QR's text, or the code
/// with or without `BK-`, in any case, with spaces or dashes. `None`: not a booking code.
pub fn parse_code(input: &str) -> Option<String> {
    let s = input.trim();
    let s = s.strip_prefix(QR_PREFIX).unwrap_or(s);
    let mut chars: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    if chars.starts_with("BK") && chars.len() == CODE_LEN + 2 {
        chars.drain(..2);
    }
    (chars.len() == CODE_LEN && chars.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| format!("{CODE_PREFIX}{chars}"))
}

/// A new booking code from `random` bytes (one per character, from the OS's generator).
pub fn make_code(random: [u8; CODE_LEN]) -> String {
    let n = CODE_ALPHABET.len();
    let body: String = random
        .iter()
        // 26 does not divide 256: the first 22 characters are a little likelier (by 1/256),
        // which costs a fraction of a bit of the code's 32.
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % n]))
        .collect();
    format!("{CODE_PREFIX}{body}")
}

/// An Indonesian mobile number as the citizen may write it (`0812-3456-7890`, `+62 812…`,
/// `62812…`), as `0812…`. `None`: not a mobile number (08, then 8 to 11 more digits).
pub fn normalize_phone(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let rest = digits
        .strip_prefix("+62")
        .or_else(|| digits.strip_prefix("62"))
        .map(|r| format!("0{r}"))
        .unwrap_or(digits);
    let ok = rest.starts_with("08")
        && (10..=13).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(rest)
}

/// A phone number as a hall, a report or a feed may show it: the first four and the last
/// three digits, the rest as `*` (`0812*****890`).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() <= 7 {
        return "*".repeat(digits.len());
    }
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 4 || i >= digits.len() - 3 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn sessions_parse_and_refuse_in_words() {
        let s = Session::parse("08:00 - 10:00").unwrap();
        assert_eq!(s.to_string(), "08:00-10:00");
        assert!(Session::parse("10:00-08:00")
            .unwrap_err()
            .contains("ends before"));
        assert!(Session::parse("8-10").unwrap_err().contains("HH:MM"));
        assert!(Session::parse("08:00").unwrap_err().contains("HH:MM-HH:MM"));
    }

    #[test]
    fn a_booking_is_good_from_half_an_hour_before_until_its_session_ends() {
        let s = Session::parse("10:00-12:00").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            s.check_in(day, at("2026-12-02", "09:29")),
            CheckIn::TooEarly
        );
        assert_eq!(s.check_in(day, at("2026-12-02", "09:30")), CheckIn::Good);
        assert_eq!(s.check_in(day, at("2026-12-02", "11:59")), CheckIn::Good);
        assert_eq!(s.check_in(day, at("2026-12-02", "12:00")), CheckIn::Expired);
        assert_eq!(
            s.check_in(day, at("2026-12-03", "10:00")),
            CheckIn::OtherDay
        );
        assert!(s.holds(day, at("2026-12-02", "11:59")));
        assert!(!s.holds(day, at("2026-12-02", "12:00")));
    }

    #[test]
    fn typed_and_scanned_codes_read_the_same() {
        let want = Some("BK-7KQ4MXA".to_owned());
        assert_eq!(parse_code("ANTRE-BOOKING:BK-7KQ4MXA"), want);
        assert_eq!(parse_code("bk-7kq4mxa"), want);
        assert_eq!(parse_code(" 7kq 4mxa "), want);
        assert_eq!(parse_code("BK7KQ4MXA"), want);
        // An O for a zero, one character short, a letter not in the alphabet.
        assert_eq!(parse_code("BK-7KQ4MXO"), None);
        assert_eq!(parse_code("BK-7KQ4MX"), None);
        assert_eq!(parse_code("A-001"), None);
    }

    #[test]
    fn codes_use_only_the_alphabet() {
        assert_eq!(make_code([0, 1, 25, 26, 255, 3, 4]), "BK-34Y3U79");
        assert_eq!(
            parse_code(&make_code([9; CODE_LEN])),
            Some(make_code([9; CODE_LEN]))
        );
    }

    #[test]
    fn phones_normalize_and_mask() {
        assert_eq!(
            normalize_phone("0812-3456-7890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(
            normalize_phone("+62 812 3456 7890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(
            normalize_phone("6281234567890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(normalize_phone("0341 123456"), None, "a landline");
        assert_eq!(normalize_phone("08123"), None);
        assert_eq!(normalize_phone("08123456789x"), None);
        assert_eq!(mask_phone("081234567890"), "0812*****890");
        assert_eq!(mask_phone("0812345"), "*******");
    }
}
