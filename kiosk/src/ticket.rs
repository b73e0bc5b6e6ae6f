//! The printed ticket, in the printer's own text and commands (no raster image: it prints
//! at once, even at 9600 baud). Built with the escpos crate into bytes, so the same job goes
//! to any printer and its size is known before it is sent.

use antre_core::domain::estimate::{self, Estimate};
use escpos::driver::Driver;
use escpos::errors::Result as EscResult;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{
    JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};
use std::sync::{Arc, Mutex};

/// The most a ticket may take on the wire: under a second at 9600 baud (960 bytes a second),
/// a visit of four services included.
pub const MAX_TICKET_BYTES: usize = 800;

/// The roll's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Mm58,
    Mm80,
}

impl Paper {
    /// Characters per line in font A.
    fn columns(self) -> u8 {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim_end_matches("mm") {
            "58" => Ok(Paper::Mm58),
            "80" => Ok(Paper::Mm80),
            _ => Err(format!("paper width {s:?}: use 58 or 80")),
        }
    }
}

/// What goes on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketPaper {
    pub hall: String,
    pub agency: String,
    pub service: String,
    pub code: String,
    /// The priority group in words ("LANSIA"), if any.
    pub priority: Option<String>,
    /// "Jumat, 27 November 2026  09:15"
    pub issued: String,
    /// The hub's estimate, printed in the words every screen uses.
    pub estimate: Option<Estimate>,
    /// A visit of several services, in order ("1. KTP Elektronik — Loket 1–4"); empty for a
    /// ticket of one service.
    pub visit: Vec<String>,
    /// What the QR code holds.
    pub qr: String,
    /// The booking this ticket was checked in for (`BK-7KQ4M9A`), if any.
    pub booking: Option<String>,
}

/// What the QR code holds: the live ticket page with the ticket's key when the hall
/// publishes one (`…/t/A-012?k=KEY`: only the ticket's holder may rate it from a phone),
/// otherwise a short text a scanner or the survey kiosk reads: `ANTRE:2026-11-27:A-012`.
pub fn qr_payload(public_url: Option<&str>, day: &str, code: &str, key: Option<&str>) -> String {
    match (public_url, key) {
        (Some(url), Some(key)) => format!("{}/t/{code}?k={key}", url.trim_end_matches('/')),
        (Some(url), None) => format!("{}/t/{code}", url.trim_end_matches('/')),
        (None, _) => format!("ANTRE:{day}:{code}"),
    }
}

/// Collects what the printer would be sent.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> EscResult<()> {
        self.0.lock().expect("not poisoned").extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> EscResult<usize> {
        Ok(0)
    }
    fn flush(&self) -> EscResult<()> {
        Ok(())
    }
}

/// Printers speak code page 437 here: keep to ASCII (ä → a, anything else → ?).
fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            'á' | 'à' | 'ä' | 'â' => out.push('a'),
            'é' | 'è' | 'ë' | 'ê' => out.push('e'),
            'í' | 'ï' => out.push('i'),
            'ó' | 'ö' | 'ô' => out.push('o'),
            'ú' | 'ü' => out.push('u'),
            '–' | '—' | '·' => out.push('-'),
            '±' => out.push_str("+/- "),
            _ => out.push('?'),
        }
    }
    out
}

/// Breaks `s` into lines of at most `n` characters, at spaces where it can.
fn wrap(s: &str, n: usize) -> Vec<String> {
    let mut lines = vec![];
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > n {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| fit(&l, n)).collect()
}

/// Cuts `s` to at most `n` characters, at a word if it can.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let cut: String = s.chars().take(n).collect();
    match cut.rfind(' ') {
        Some(i) if i > n / 2 => cut[..i].to_owned(),
        _ => cut,
    }
}

/// The ticket as ESC/POS bytes, ending in a cut.
///
/// # Panics
/// Never for valid text: the escpos builder only fails on its driver, which cannot fail here.
pub fn ticket_bytes(t: &TicketPaper, paper: Paper) -> Vec<u8> {
    let capture = Capture::default();
    build(capture.clone(), t, paper).expect("building into memory cannot fail");
    let bytes = capture.0.lock().expect("not poisoned").clone();
    bytes
}

fn build(capture: Capture, t: &TicketPaper, paper: Paper) -> EscResult<()> {
    let cols = usize::from(paper.columns());
    let options = PrinterOptions::new(Some(PageCode::PC437), None, paper.columns());
    let mut p = Printer::new(capture, Protocol::default(), Some(options));
    let big = match paper {
        Paper::Mm58 => 3,
        Paper::Mm80 => 4,
    };
    p.init()?
        .justify(JustifyMode::CENTER)?
        .bold(true)?
        .writeln(&fit(&ascii(&t.hall), cols))?
        .bold(false)?;
    if t.visit.is_empty() {
        p.writeln(&fit(&ascii(&t.agency), cols))?
            .writeln(&fit(&ascii(&t.service), cols))?;
    } else {
        p.writeln(&format!("Satu tiket untuk {} layanan", t.visit.len()))?;
    }
    p.feed()?
        .size(big, big)?
        .bold(true)?
        .writeln(&ascii(&t.code))?
        .reset_size()?;
    if let Some(group) = &t.priority {
        p.reverse(true)?
            .writeln(&format!(" PRIORITAS: {} ", ascii(group)))?
            .reverse(false)?;
    }
    if let Some(code) = &t.booking {
        p.bold(true)?
            .writeln(&fit(&format!("Booking {}", ascii(code)), cols))?;
    }
    p.bold(false)?.writeln(&fit(&ascii(&t.issued), cols))?;
    if let Some(e) = &t.estimate {
        let (ahead, wait) = estimate::describe(e, false);
        p.writeln(&fit(&ascii(&ahead), cols))?;
        for line in wrap(&ascii(&wait), cols) {
            p.writeln(&line)?;
        }
    }
    if !t.visit.is_empty() {
        // The order of the errands, left-aligned, a wrapped line indented under its number.
        p.justify(JustifyMode::LEFT)?
            .bold(true)?
            .writeln("Urutan layanan Anda:")?
            .bold(false)?;
        for item in &t.visit {
            for (i, line) in wrap(&ascii(item), cols - 3).into_iter().enumerate() {
                p.writeln(&if i == 0 { line } else { format!("   {line}") })?;
            }
        }
        p.justify(JustifyMode::CENTER)?;
    }
    p.qrcode_option(
        &t.qr,
        QRCodeOption::new(QRCodeModel::Model2, 5, QRCodeCorrectionLevel::M),
    )?
    .writeln("Perhatikan layar dan panggilan.")?
    .writeln("Watch the screen for your number.")?
    .feeds(2)?
    .cut()?
    .print()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TicketPaper {
        TicketPaper {
            hall: "MPP Among Warga Kota Batu".into(),
            agency: "Dinas Kependudukan dan Pencatatan Sipil".into(),
            service: "KTP Elektronik".into(),
            code: "A-012".into(),
            priority: Some("LANSIA".into()),
            issued: "Jumat, 27 November 2026  09:15".into(),
            estimate: Some(Estimate {
                ahead: 5,
                counters_open: 1,
                minutes: 25,
                range: None,
            }),
            visit: vec![],
            qr: qr_payload(
                Some("http://192.168.10.2:8080/"),
                "2026-11-27",
                "A-012",
                Some("Zq3-_kP9xYb2Lm7Nc0RtWv"),
            ),
            booking: None,
        }
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_full_ticket_fits_in_the_limit_on_both_widths_and_ends_in_a_cut() {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let b = ticket_bytes(&sample(), paper);
            assert!(b.len() <= MAX_TICKET_BYTES, "{paper:?}: {} bytes", b.len());
            assert!(contains(&b, b"A-012"));
            assert!(contains(
                &b,
                b"http://192.168.10.2:8080/t/A-012?k=Zq3-_kP9xYb2Lm7Nc0RtWv"
            ));
            assert!(contains(&b, b"PRIORITAS: LANSIA"));
            assert!(b.starts_with(&[0x1b, b'@']), "starts with ESC @");
            // GS V (cut) is the last command.
            let cut = b
                .windows(2)
                .rposition(|w| w == [0x1d, b'V'])
                .expect("a cut");
            assert!(b.len() - cut <= 4, "nothing after the cut");
        }
    }

    #[test]
    fn a_visit_of_four_services_lists_them_in_order_and_fits() {
        let mut t = sample();
        t.visit = vec![
            "1. KTP Elektronik — Loket 1–4".into(),
            "2. Pendaftaran dan Perubahan Data Peserta BPJS Kesehatan — Loket 5–6".into(),
            "3. Pengesahan STNK Tahunan — Loket 10–12".into(),
            "4. Pembayaran PBB — Loket 14".into(),
        ];
        for paper in [Paper::Mm58, Paper::Mm80] {
            let b = ticket_bytes(&t, paper);
            assert!(b.len() <= MAX_TICKET_BYTES, "{paper:?}: {} bytes", b.len());
            assert!(contains(&b, b"Satu tiket untuk 4 layanan"));
            assert!(contains(&b, b"1. KTP Elektronik - Loket 1-4"));
            assert!(contains(&b, b"4. Pembayaran PBB - Loket 14"));
            // A ticket of several services does not name one agency at the top.
            assert!(!contains(&b, b"Dinas Kependudukan"));
            let first = b.windows(5).position(|w| w == b"1. KT").unwrap();
            let last = b.windows(5).position(|w| w == b"4. Pe").unwrap();
            assert!(first < last);
        }
        // On 58 mm the long BPJS line wraps under its number.
        let b = ticket_bytes(&t, Paper::Mm58);
        // (escpos ends each line with ESC d 1, a feed of one line.)
        assert!(
            contains(
                &b,
                b"\x1bd\x01   Data Peserta BPJS Kesehatan -\x1bd\x01   Loket 5-6"
            ),
            "the continuation lines are indented"
        );
    }

    #[test]
    fn long_and_non_ascii_text_is_cut_and_replaced() {
        let mut t = sample();
        t.agency =
            "Badan Penyelenggara Jaminan Sosial Kesehatan dan Ketenagakerjaan — Cabang Malang"
                .into();
        t.service = "Café ★".into();
        let b = ticket_bytes(&t, Paper::Mm58);
        assert!(b.iter().all(|&c| c != 0xe2), "no UTF-8 on paper");
        assert!(contains(&b, b"Cafe ?"));
        assert!(!contains(&b, b"Malang"));
    }

    #[test]
    fn qr_holds_the_page_or_a_short_code() {
        assert_eq!(
            qr_payload(None, "2026-11-27", "A-012", Some("k")),
            "ANTRE:2026-11-27:A-012"
        );
        assert_eq!(
            qr_payload(
                Some("http://h:8080"),
                "2026-11-27",
                "B-003",
                Some("abc_DEF-123")
            ),
            "http://h:8080/t/B-003?k=abc_DEF-123"
        );
        assert_eq!(
            qr_payload(Some("http://h:8080"), "2026-11-27", "B-003", None),
            "http://h:8080/t/B-003"
        );
    }
}
