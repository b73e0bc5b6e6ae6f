//! The report as one printable HTML page (A4), self-contained: styles and SVG charts inline,
//! so it can be mailed, opened offline and printed for the mall's head.

use super::{charts, decimal, kind_words, reason_words, IkmFigures, Report};
use crate::config::Config;
use antre_core::domain::ikm::{Category, SURVEY};
use antre_core::domain::words::date_long;
use std::fmt::Write;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto; max-width: 960px;
       padding: 24px; font-size: 13px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0; color: #1f4e8c; }
h2 { font-size: 17px; margin: 28px 0 8px; color: #1f4e8c; border-bottom: 2px solid #1f4e8c; padding-bottom: 3px; }
.sub { color: #555; margin: 4px 0 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.card { border: 1px solid #ccd; border-radius: 8px; padding: 10px 12px; }
.card .n { font-size: 26px; font-weight: bold; }
.card .l { color: #555; }
.ikm { background: #eef4fb; }
.cat-A { color: #1a7f37; } .cat-B { color: #2e6fb7; } .cat-C { color: #b8860b; } .cat-D { color: #b3261e; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid #ccd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f0f3f8; }
td.n, th.n { text-align: right; white-space: nowrap; }
section { break-inside: avoid; page-break-inside: avoid; }
svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 12px; }
"#;

fn ikm_cell(i: &IkmFigures) -> String {
    match i.category {
        Some(c) => format!(
            "<td class=\"n\">{}</td><td class=\"cat-{c:?}\">{c:?} · {}</td>",
            i.value_display,
            c.words()
        ),
        None => "<td class=\"n\">–</td><td>–</td>".to_owned(),
    }
}

/// The page.
pub fn page(r: &Report, cfg: &Config) -> String {
    let agency_name = |id: &str| {
        cfg.agency(id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let service_name = |id: &str| {
        cfg.service(id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let period = match (r.from.parse(), r.to.parse()) {
        (Ok(f), Ok(t)) if f == t => date_long(f, false),
        (Ok(f), Ok(t)) => format!("{} – {}", date_long(f, false), date_long(t, false)),
        _ => format!("{} – {}", r.from, r.to),
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Laporan {} — {}</title><style>{STYLE}</style></head><body>",
        escape(&r.hall),
        escape(&period)
    );
    let _ = write!(
        h,
        "<h1>Laporan Pelayanan dan Ruang Aspirasi</h1>\
         <p class=\"sub\"><b>{}</b> · {}</p>",
        escape(&r.hall),
        escape(&period)
    );

    // The figures at a glance.
    let t = &r.totals;
    let ikm_card = match r.ikm.category {
        Some(c) => format!(
            "<div class=\"card ikm\"><div class=\"n cat-{c:?}\">{}</div>\
             <div class=\"l\">IKM · mutu {c:?} ({}) · {} responden</div></div>",
            r.ikm.value_display,
            c.words(),
            r.ikm.respondents
        ),
        None => "<div class=\"card ikm\"><div class=\"n\">–</div>\
                 <div class=\"l\">IKM · belum ada responden</div></div>"
            .to_owned(),
    };
    let _ = write!(
        h,
        "<section><div class=\"cards\">\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">tiket diambil</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">selesai dilayani</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">tidak hadir saat dipanggil</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">dibatalkan pengunjung</div></div>\
         <div class=\"card\"><div class=\"n\">{} mnt</div><div class=\"l\">rata-rata menunggu</div></div>\
         {ikm_card}\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">aspirasi masuk</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">permintaan tak terlayani (kuota/jam)</div></div>\
         <div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">belum selesai saat tutup</div></div>\
         </div></section>",
        t.issued,
        t.served,
        t.no_show,
        t.cancelled,
        decimal(t.wait_avg_min, 1),
        t.aspirations,
        t.unmet,
        t.unfinished,
    );

    let _ = write!(
        h,
        "<section><h2>Kedatangan dan pelayanan per jam</h2>{}</section>",
        charts::per_hour(r)
    );
    let _ = write!(
        h,
        "<section><h2>Lama menunggu per instansi</h2>{}\
         <p class=\"note\">Dari tiket diambil sampai dipanggil; setiap batang = 100 % pengunjung \
         instansi itu yang sudah dipanggil.</p></section>",
        charts::wait_distribution(r, agency_name)
    );

    // A long period's trend: per week or month.
    if !r.trend.is_empty() {
        let _ =
            write!(
            h,
            "<section><h2>Tren per {}</h2>{}<table><tr><th>Periode</th><th class=\"n\">Tiket</th>\
             <th class=\"n\">Dilayani</th><th class=\"n\">Tidak hadir</th>\
             <th class=\"n\">Rata-rata tunggu (menit)</th><th class=\"n\">IKM</th>\
             <th class=\"n\">Responden</th></tr>",
            if r.trend[0].label.contains('W') { "minggu" } else { "bulan" },
            charts::trend(r)
        );
        for t in &r.trend {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td></tr>",
                escape(&t.label),
                t.issued,
                t.served,
                t.no_show,
                decimal(t.wait_avg_min, 1),
                if t.ikm_respondents > 0 {
                    escape(&t.ikm_display)
                } else {
                    "—".into()
                },
                t.ikm_respondents
            );
        }
        h.push_str("</table></section>");
    }

    // IKM.
    let _ = write!(
        h,
        "<section><h2>Indeks Kepuasan Masyarakat (IKM) per unsur</h2>{}",
        charts::ikm_per_element(r)
    );
    h.push_str(
        "<table><tr><th>Unsur</th><th>Nama unsur</th><th class=\"n\">NRR</th>\
         <th class=\"n\">NRR × 1/9</th><th class=\"n\">Nilai (NRR × 25)</th></tr>",
    );
    for (e, nrr) in SURVEY.iter().zip(&r.ikm.nrr) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            e.code,
            escape(e.name),
            decimal(*nrr, 3),
            decimal(nrr / 9.0, 3),
            decimal(nrr * 25.0, 2)
        );
    }
    let _ = write!(
        h,
        "</table><p class=\"note\">IKM = 25 × (NRR U1 + … + NRR U9) ÷ 9, bobot tiap unsur tepat 1/9 \
         (Permenpan RB 14/2017), dihitung tanpa pembulatan; nilai ditampilkan dipotong dua desimal. \
         Mutu: A {} Sangat Baik · B {} Baik · C {} Kurang Baik · D {} Tidak Baik. \
         Responden: {}.</p></section>",
        Category::A.range(),
        Category::B.range(),
        Category::C.range(),
        Category::D.range(),
        r.ikm.respondents
    );
    if !r.ikm_by_agency.is_empty() {
        h.push_str(
            "<section><h2>IKM per instansi</h2><table><tr><th>Instansi</th>\
             <th class=\"n\">Responden</th><th class=\"n\">IKM</th><th>Mutu</th></tr>",
        );
        for a in &r.ikm_by_agency {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td>{}</tr>",
                escape(&a.name),
                a.ikm.respondents,
                ikm_cell(&a.ikm)
            );
        }
        h.push_str("</table></section>");
    }
    if !r.ikm_by_service.is_empty() {
        h.push_str(
            "<section><h2>IKM per layanan</h2><table><tr><th>Layanan</th><th>Instansi</th>\
             <th class=\"n\">Responden</th><th class=\"n\">IKM</th><th>Mutu</th></tr>",
        );
        for s in &r.ikm_by_service {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td>{}</tr>",
                escape(&service_name(&s.service)),
                escape(&s.agency),
                s.ikm.respondents,
                ikm_cell(&s.ikm)
            );
        }
        h.push_str("</table></section>");
    }

    // The queue.
    h.push_str(
        "<section><h2>Antrean per layanan</h2><table><tr><th>Layanan</th><th>Instansi</th>\
         <th class=\"n\">Tiket</th><th class=\"n\">Dilayani</th><th class=\"n\">Tidak<br>hadir</th>\
         <th class=\"n\">Dialih&shy;kan</th><th class=\"n\">Tunggu<br>rata² (mnt)</th>\
         <th class=\"n\">Tunggu<br>P90 (mnt)</th><th class=\"n\">Layan<br>rata² (mnt)</th></tr>",
    );
    for s in r
        .services
        .iter()
        .filter(|s| s.issued + s.served + s.no_show + s.transferred_out > 0)
    {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&s.name),
            escape(&s.agency),
            s.issued,
            s.served,
            s.no_show,
            s.transferred_out,
            decimal(s.wait_avg_min, 1),
            decimal(s.wait_p90_min, 1),
            decimal(s.service_avg_min, 1)
        );
    }
    h.push_str(
        "</table><p class=\"note\">Layanan tanpa tiket pada periode ini tidak ditampilkan \
         (lihat CSV/JSON).</p></section>",
    );
    if !r.pauses.is_empty() {
        h.push_str(
            "<section><h2>Jeda loket</h2><table><tr><th>Loket</th><th>Alasan</th>\
             <th class=\"n\">Kali</th><th class=\"n\">Menit</th></tr>",
        );
        for p in &r.pauses {
            let reason = p
                .reason
                .parse::<antre_core::domain::counter::PauseReason>()
                .map_or(p.reason.as_str(), |r| r.words());
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&p.name),
                escape(reason),
                p.pauses,
                decimal(p.minutes, 1)
            );
        }
        h.push_str("</table></section>");
    }
    if !r.officers.is_empty() {
        h.push_str(
            "<section><h2>Petugas</h2><table><tr><th>Petugas</th><th>Loket</th>\
             <th class=\"n\">Dilayani</th><th class=\"n\">Layan rata² (mnt)</th></tr>",
        );
        for o in &r.officers {
            let counter = cfg
                .counter(&o.counter)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| o.counter.clone());
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&o.officer),
                escape(&counter),
                o.served,
                decimal(o.service_avg_min, 1)
            );
        }
        h.push_str("</table></section>");
    }

    if !r.bookings.is_empty() {
        h.push_str("<section><h2>Booking online</h2><table><tr><th>Layanan</th><th class=\"n\">Dibuat</th><th class=\"n\">Dipakai</th><th class=\"n\">Hangus</th><th class=\"n\">Dibatalkan</th></tr>");
        for b in &r.bookings {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&service_name(&b.service)),
                b.made,
                b.used,
                b.expired,
                b.cancelled
            );
        }
        h.push_str("</table></section>");
    }

    // Ruang aspirasi.
    h.push_str("<section><h2>Permintaan yang tidak terlayani</h2>");
    if r.unmet.is_empty() {
        h.push_str("<p>Tidak ada: semua yang datang mendapat tiket.</p>");
    } else {
        h.push_str("<table><tr><th>Layanan</th><th>Alasan</th><th class=\"n\">Jumlah</th></tr>");
        for u in &r.unmet {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(&service_name(&u.service)),
                reason_words(&u.reason),
                u.count
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section><section><h2>Aspirasi pengunjung</h2>");
    if r.aspirations.is_empty() {
        h.push_str("<p>Belum ada aspirasi pada periode ini.</p>");
    } else {
        h.push_str(
            "<table><tr><th>Jenis</th><th>Isi (dikelompokkan)</th><th class=\"n\">Jumlah</th></tr>",
        );
        for a in &r.aspirations {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                kind_words(&a.kind),
                escape(&a.text),
                a.count
            );
        }
        h.push_str("</table>");
    }
    h.push_str(
        "</section><p class=\"note\">Dibuat oleh Antre (antre-hub report). Angka mentah \
         tanpa pembulatan ada di laporan JSON dan CSV.</p></body></html>\n",
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
