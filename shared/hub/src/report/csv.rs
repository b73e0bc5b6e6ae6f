//! The report as CSV files, one per table, for a spreadsheet: comma-separated, UTF-8 with
//! a byte-order mark (so Excel reads the Indonesian text right), numbers with a dot.

use super::{IkmFigures, Report, WAIT_CLASSES_MIN};
use antre_core::domain::ikm::SURVEY;
use std::path::{Path, PathBuf};

/// One CSV field, quoted when it must be (RFC 4180). Text that a spreadsheet would take for
/// a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's "CSV
/// injection") gets a `'` in front, so a visitor's aspiration stays text; numbers are left
/// as they are.
fn field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err();
    let s = if formula {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

fn line(fields: &[String]) -> String {
    let mut l = fields
        .iter()
        .map(|f| field(f))
        .collect::<Vec<_>>()
        .join(",");
    l.push_str("\r\n");
    l
}

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&line(
        &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&line(&r));
    }
    out
}

fn ikm_fields(i: &IkmFigures) -> Vec<String> {
    let mut v = vec![i.respondents.to_string()];
    v.extend(i.nrr.iter().map(|x| x.to_string()));
    v.push(i.value.to_string());
    v.push(i.category.map(|c| format!("{c:?}")).unwrap_or_default());
    v
}

/// The tables, as (file name, contents).
pub fn tables(r: &Report) -> Vec<(String, String)> {
    let stem = r.stem();
    let name = |t: &str| format!("{stem}-{t}.csv");
    let n = |x: u64| x.to_string();
    let f = |x: f64| x.to_string();
    let mut ikm_header = vec!["scope", "id", "respondents"];
    ikm_header.extend(SURVEY.iter().map(|e| e.code));
    ikm_header.extend(["value", "category"]);
    let mut ikm_rows = vec![{
        let mut v = vec!["hall".to_owned(), String::new()];
        v.extend(ikm_fields(&r.ikm));
        v
    }];
    for a in &r.ikm_by_agency {
        let mut v = vec!["agency".to_owned(), a.agency.clone()];
        v.extend(ikm_fields(&a.ikm));
        ikm_rows.push(v);
    }
    for s in &r.ikm_by_service {
        let mut v = vec!["service".to_owned(), s.service.clone()];
        v.extend(ikm_fields(&s.ikm));
        ikm_rows.push(v);
    }
    let mut wait_header = vec!["agency".to_owned()];
    let mut lower = 0;
    for edge in WAIT_CLASSES_MIN {
        wait_header.push(format!("{lower}-{edge}_min"));
        lower = edge;
    }
    wait_header.push(format!("{lower}+_min"));
    let mut out = vec![
        (
            name("services"),
            table(
                &[
                    "service",
                    "agency",
                    "name",
                    "issued",
                    "served",
                    "no_show",
                    "cancelled",
                    "transferred_out",
                    "wait_avg_min",
                    "wait_p90_min",
                    "service_avg_min",
                ],
                r.services.iter().map(|s| {
                    vec![
                        s.service.clone(),
                        s.agency.clone(),
                        s.name.clone(),
                        n(s.issued),
                        n(s.served),
                        n(s.no_show),
                        n(s.cancelled),
                        n(s.transferred_out),
                        f(s.wait_avg_min),
                        f(s.wait_p90_min),
                        f(s.service_avg_min),
                    ]
                }),
            ),
        ),
        (
            name("officers"),
            table(
                &["officer", "counter", "served", "service_avg_min"],
                r.officers.iter().map(|o| {
                    vec![
                        o.officer.clone(),
                        o.counter.clone(),
                        n(o.served),
                        f(o.service_avg_min),
                    ]
                }),
            ),
        ),
        (name("ikm"), table(&ikm_header, ikm_rows)),
        (
            name("unmet"),
            table(
                &["service", "reason", "count"],
                r.unmet
                    .iter()
                    .map(|u| vec![u.service.clone(), u.reason.clone(), n(u.count)]),
            ),
        ),
        (
            name("aspirations"),
            table(
                &["kind", "text", "count"],
                r.aspirations
                    .iter()
                    .map(|a| vec![a.kind.clone(), a.text.clone(), n(a.count)]),
            ),
        ),
        (
            name("pauses"),
            table(
                &["counter", "name", "reason", "pauses", "minutes"],
                r.pauses.iter().map(|p| {
                    vec![
                        p.counter.clone(),
                        p.name.clone(),
                        p.reason.clone(),
                        n(p.pauses),
                        f(p.minutes),
                    ]
                }),
            ),
        ),
        (
            name("hours"),
            table(
                &["hour", "arrivals", "served"],
                r.hours
                    .iter()
                    .map(|h| vec![n(u64::from(h.hour)), n(h.arrivals), n(h.served)]),
            ),
        ),
        (
            name("wait-distribution"),
            table(
                &wait_header.iter().map(String::as_str).collect::<Vec<_>>(),
                r.wait_distribution.iter().map(|d| {
                    let mut v = vec![d.agency.clone()];
                    v.extend(d.counts.iter().map(|c| n(*c)));
                    v
                }),
            ),
        ),
    ];
    if !r.trend.is_empty() {
        out.push((
            name("trend"),
            table(
                &[
                    "period",
                    "from",
                    "to",
                    "issued",
                    "served",
                    "no_show",
                    "wait_avg_min",
                    "ikm_respondents",
                    "ikm",
                ],
                r.trend.iter().map(|t| {
                    vec![
                        t.label.clone(),
                        t.from.clone(),
                        t.to.clone(),
                        n(t.issued),
                        n(t.served),
                        n(t.no_show),
                        f(t.wait_avg_min),
                        n(t.ikm_respondents),
                        f(t.ikm),
                    ]
                }),
            ),
        ));
    }
    out
}

/// The tables as one zip file (the console's CSV download).
///
/// # Errors
/// The archive cannot be written (in memory: never in practice).
pub fn zip(r: &Report) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in tables(r) {
        w.start_file(name, opts)?;
        w.write_all(body.as_bytes())?;
    }
    Ok(w.finish()?.into_inner())
}

/// Writes the tables into `dir` (created if missing) and returns their paths.
///
/// # Errors
/// A file cannot be written.
pub fn write(r: &Report, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    tables(r)
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(
            field("=HYPERLINK(\"http://evil/\",\"klik\")"),
            "\"'=HYPERLINK(\"\"http://evil/\"\",\"\"klik\"\")\""
        );
        assert_eq!(field("+62 812"), "'+62 812");
        assert_eq!(field("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
        assert_eq!(field("@SUM(A1:A9)"), "'@SUM(A1:A9)");
        assert_eq!(field("\t=1"), "'\t=1");
        assert_eq!(field("-3.5"), "-3.5");
        assert_eq!(field("12"), "12");
        assert_eq!(field("a=b"), "a=b");
    }
}
