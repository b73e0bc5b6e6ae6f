//! Text that people type, cleaned on the way in: what reaches the database, the wall, the
//! reports and a spreadsheet holds no control characters (NUL, escape sequences that
//! repaint a terminal, bidirectional overrides that reverse what a reader sees).

/// Whether `c` is dropped from typed text: control characters (C0, DEL, C1) and the
/// bidirectional embedding, override and isolate marks.
fn unwanted(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A name or a short message on one line: control characters dropped, every run of white
/// space (line breaks and tabs too) made one space, trimmed.
pub fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| !unwanted(c))
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A text of several lines (an aspiration): each line as [`one_line`] makes it, the line
/// breaks kept (CR LF and CR become LF), no empty lines at either end.
pub fn lines(s: &str) -> String {
    let unified = s.replace("\r\n", "\n").replace('\r', "\n");
    let cleaned: Vec<String> = unified.split('\n').map(one_line).collect();
    cleaned.join("\n").trim_matches('\n').to_owned()
}

/// A number with `places` decimals and the Indonesian decimal comma: `12,3`.
pub fn decimal(x: f64, places: usize) -> String {
    format!("{x:.places$}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_control_characters_and_keep_their_letters() {
        assert_eq!(
            one_line("  Dewi\u{0}  Lestari\u{1b}[2J "),
            "Dewi Lestari[2J"
        );
        assert_eq!(one_line("Sri\tWahyuni\nS.Sos"), "Sri Wahyuni S.Sos");
        assert_eq!(one_line("Budi\u{202e}nimda"), "Budinimda");
        assert_eq!(
            one_line("Ni Luh Putu Ayu Ratna Dewi, S.H."),
            "Ni Luh Putu Ayu Ratna Dewi, S.H."
        );
        assert_eq!(one_line("\u{7}\u{7f}\u{85}"), "");
    }

    #[test]
    fn texts_keep_their_lines() {
        assert_eq!(
            lines("Tolong tambah\r\nlayanan paspor.\u{0}\r\n\r\n"),
            "Tolong tambah\nlayanan paspor."
        );
        assert_eq!(lines("satu\rdua"), "satu\ndua");
    }

    #[test]
    fn decimals_use_the_comma() {
        assert_eq!(decimal(12.345, 1), "12,3");
        assert_eq!(decimal(0.0, 2), "0,00");
    }
}
