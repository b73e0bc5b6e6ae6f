//! Indonesian words for what the hall speaks aloud: numbers, letters, and the call itself,
//! e.g. "Nomor antrian, A, dua belas, silakan menuju, Loket tiga".

/// The words for `n` (0..=9999 and beyond, by thousands): 11 "sebelas", 100 "seratus",
/// 1000 "seribu", 1001 "seribu satu".
pub fn number(n: u32) -> String {
    const UNITS: [&str; 10] = [
        "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    ];
    // "se-" replaces "satu" before belas, puluh, ratus, ribu.
    fn scaled(count: u32, unit: &str, se: &str) -> String {
        if count == 1 {
            se.to_owned()
        } else {
            format!("{} {unit}", number(count))
        }
    }
    let join = |head: String, rest: u32| {
        if rest == 0 {
            head
        } else {
            format!("{head} {}", number(rest))
        }
    };
    match n {
        0..=9 => UNITS[n as usize].to_owned(),
        10 => "sepuluh".to_owned(),
        11 => "sebelas".to_owned(),
        12..=19 => format!("{} belas", UNITS[(n - 10) as usize]),
        20..=99 => join(scaled(n / 10, "puluh", "sepuluh"), n % 10),
        100..=999 => join(scaled(n / 100, "ratus", "seratus"), n % 100),
        1000..=999_999 => join(scaled(n / 1000, "ribu", "seribu"), n % 1000),
        _ => join(scaled(n / 1_000_000, "juta", "satu juta"), n % 1_000_000),
    }
}

/// A letter as Indonesians say it: B "be", C "ce", K "ka", Q "ki", W "we".
pub fn letter(c: char) -> Option<&'static str> {
    Some(match c.to_ascii_uppercase() {
        'A' => "a",
        'B' => "be",
        'C' => "ce",
        'D' => "de",
        'E' => "e",
        'F' => "ef",
        'G' => "ge",
        'H' => "ha",
        'I' => "i",
        'J' => "je",
        'K' => "ka",
        'L' => "el",
        'M' => "em",
        'N' => "en",
        'O' => "o",
        'P' => "pe",
        'Q' => "ki",
        'R' => "er",
        'S' => "es",
        'T' => "te",
        'U' => "u",
        'V' => "ve",
        'W' => "we",
        'X' => "eks",
        'Y' => "ye",
        'Z' => "zet",
        _ => return None,
    })
}

/// A name as it is read aloud: numbers in words ("Loket 12" → "Loket dua belas"); a lone
/// capital letter or a run of capitals spelled ("Loket B" → "Loket be").
pub fn spoken(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            if let Ok(n) = w.parse::<u32>() {
                number(n)
            } else if w.chars().all(|c| c.is_ascii_uppercase()) && w.len() <= 3 {
                spelled(w)
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The call, in the pieces a voice says with a pause between them:
/// `["Nomor antrian", "A", "dua belas", "silakan menuju", "Loket tiga"]`. The prefix is
/// spelled letter by letter ("be", "ce"…) when spoken; here it stays as written, for the
/// screen and for recorded clips, and [`call_text`] gives the speakable line.
pub fn call_parts(prefix: &str, number_: u32, counter_name: &str) -> Vec<String> {
    vec![
        "Nomor antrian".to_owned(),
        prefix.to_owned(),
        number(number_),
        "silakan menuju".to_owned(),
        spoken(counter_name),
    ]
}

/// The call as one line for a speech engine: "Nomor antrian, be, dua belas, silakan menuju,
/// Loket tiga".
pub fn call_text(prefix: &str, number_: u32, counter_name: &str) -> String {
    let mut parts = call_parts(prefix, number_, counter_name);
    parts[1] = spelled(prefix);
    parts.join(", ")
}

/// Letters read by their Indonesian names: "AB" → "a be".
pub fn spelled(letters: &str) -> String {
    letters
        .chars()
        .filter_map(letter)
        .collect::<Vec<_>>()
        .join(" ")
}

const DAYS_ID: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as people write it: "Jumat, 27 November 2026" (or "Friday, 27 November 2026").
pub fn date_long(d: chrono::NaiveDate, english: bool) -> String {
    use chrono::Datelike;
    let (days, months) = if english {
        (DAYS_EN, MONTHS_EN)
    } else {
        (DAYS_ID, MONTHS_ID)
    };
    format!(
        "{}, {} {} {}",
        days[d.weekday().num_days_from_monday() as usize],
        d.day(),
        months[d.month0() as usize],
        d.year()
    )
}

/// The counters that serve a service, as short as a visitor reads them: "Loket 1–4" for
/// Loket 1, 2, 3 and 4; "Loket 1, 3–4"; names that do not end in a number are listed as they
/// are ("Loket 9, Meja Informasi"). Runs are only joined when the names share their words
/// before the number; the order given is kept otherwise.
pub fn counter_span(names: &[&str]) -> String {
    // (words before the number, the number) of each name that ends in one.
    let split = |name: &str| -> Option<(String, u32)> {
        let (head, tail) = name.rsplit_once(' ')?;
        Some((head.to_owned(), tail.parse().ok()?))
    };
    let mut parts: Vec<String> = vec![];
    // The head of the last numbered group written, and the run being built.
    let mut head: Option<String> = None;
    let mut run: Option<(u32, u32)> = None;
    let mut group: Vec<String> = vec![];
    let close = |run: &mut Option<(u32, u32)>, group: &mut Vec<String>| {
        if let Some((a, b)) = run.take() {
            group.push(if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            });
        }
    };
    let flush = |head: &mut Option<String>,
                 run: &mut Option<(u32, u32)>,
                 group: &mut Vec<String>,
                 parts: &mut Vec<String>| {
        close(run, group);
        if let Some(h) = head.take() {
            parts.push(format!("{h} {}", group.join(", ")));
        }
        group.clear();
    };
    for name in names {
        match split(name) {
            Some((h, n)) => {
                if head.as_deref() != Some(h.as_str()) {
                    flush(&mut head, &mut run, &mut group, &mut parts);
                    head = Some(h);
                }
                run = match run {
                    Some((a, b)) if n == b + 1 => Some((a, n)),
                    _ => {
                        close(&mut run, &mut group);
                        Some((n, n))
                    }
                };
            }
            None => {
                flush(&mut head, &mut run, &mut group, &mut parts);
                parts.push((*name).to_owned());
            }
        }
    }
    flush(&mut head, &mut run, &mut group, &mut parts);
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_read_as_a_span() {
        assert_eq!(
            counter_span(&["Loket 1", "Loket 2", "Loket 3", "Loket 4"]),
            "Loket 1–4"
        );
        assert_eq!(counter_span(&["Loket 9"]), "Loket 9");
        assert_eq!(
            counter_span(&["Loket 1", "Loket 3", "Loket 4"]),
            "Loket 1, 3–4"
        );
        assert_eq!(
            counter_span(&["Loket 9", "Meja Informasi"]),
            "Loket 9, Meja Informasi"
        );
        assert_eq!(
            counter_span(&["Loket 5", "Loket 6", "Meja 1", "Meja 2"]),
            "Loket 5–6, Meja 1–2"
        );
        assert_eq!(counter_span(&[]), "");
    }

    #[test]
    fn dates_read_as_written_in_indonesia() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(date_long(d, false), "Jumat, 27 November 2026");
        assert_eq!(date_long(d, true), "Friday, 27 November 2026");
        let d = chrono::NaiveDate::from_ymd_opt(2027, 8, 17).unwrap();
        assert_eq!(date_long(d, false), "Selasa, 17 Agustus 2027");
    }

    #[test]
    fn numbers_match_an_independent_table_from_1_to_9999() {
        let table = include_str!("../../tests/data/angka-1-9999.txt");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (n, words) = line.split_once('\t').expect("NUMBER<TAB>WORDS");
            assert_eq!(number(n.parse().unwrap()), words, "{n}");
            checked += 1;
        }
        assert_eq!(checked, 9999);
    }

    #[test]
    fn the_tricky_ones_by_hand() {
        assert_eq!(number(0), "nol");
        assert_eq!(number(10), "sepuluh");
        assert_eq!(number(11), "sebelas");
        assert_eq!(number(19), "sembilan belas");
        assert_eq!(number(110), "seratus sepuluh");
        assert_eq!(number(1011), "seribu sebelas");
        assert_eq!(number(2100), "dua ribu seratus");
        assert_eq!(number(10_000), "sepuluh ribu");
        assert_eq!(number(111_111), "seratus sebelas ribu seratus sebelas");
    }

    #[test]
    fn calls_read_as_the_hall_hears_them() {
        assert_eq!(
            call_text("A", 12, "Loket 3"),
            "Nomor antrian, a, dua belas, silakan menuju, Loket tiga"
        );
        assert_eq!(
            call_text("BJ", 7, "Loket 25"),
            "Nomor antrian, be je, tujuh, silakan menuju, Loket dua puluh lima"
        );
        assert_eq!(spoken("Loket B"), "Loket be");
        assert_eq!(call_parts("K", 101, "Loket 17")[2], "seratus satu");
        assert_eq!(letter('q'), Some("ki"));
        assert_eq!(letter('1'), None);
    }
}
