//! The HTML pages: rendered on the server with the state at the moment, so they show
//! something useful at once on a cheap phone; a little JavaScript keeps them live.

use super::Web;
use crate::report::html::escape;
use antre_core::domain::ikm::SURVEY;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

const STYLE: &str = include_str!("assets/style.css");
const TICKET_JS: &str = include_str!("assets/ticket.js");
const DISPLAY_JS: &str = include_str!("assets/display.js");
const DISPLAY_CSS: &str = include_str!("assets/display.css");

/// `GET /assets/{name}`: the embedded scripts and styles.
pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "style.css" => (STYLE, "text/css; charset=utf-8"),
        "display.css" => (DISPLAY_CSS, "text/css; charset=utf-8"),
        "ticket.js" => (TICKET_JS, "text/javascript; charset=utf-8"),
        "display.js" => (DISPLAY_JS, "text/javascript; charset=utf-8"),
        _ => return not_found().await,
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

fn page(title: &str, body_attrs: &str, body: &str, script: Option<&str>) -> String {
    let script = script
        .map(|s| format!("<script src=\"/assets/{s}\" defer></script>"))
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"theme-color\" content=\"#0b5cab\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/assets/style.css\">{script}</head>\
         <body {body_attrs}>{body}</body></html>\n",
        escape(title)
    )
}

/// `GET /`: where a phone that only knows the hall's address can type its ticket number.
pub async fn index(State(web): State<Web>) -> Html<String> {
    let hall = &web.hub.config().hall.name;
    Html(page(
        hall,
        "",
        &format!(
            "<header class=\"bar\"><div class=\"hall\">{}</div></header><main>\
             <h1>Pantau antrean Anda</h1>\
             <p>Masukkan nomor tiket Anda (Enter your ticket number):</p>\
             <form class=\"lookup\" onsubmit=\"location.href='/t/'+encodeURIComponent(this.code.value.trim());return false\">\
             <input name=\"code\" id=\"lookup-code\" placeholder=\"A-012\" autocomplete=\"off\" autocapitalize=\"characters\" required>\
             <button type=\"submit\">Lihat</button></form>\
             <p class=\"muted\">Nomor ada di tiket Anda, atau pindai kode QR pada tiket.</p></main>",
            escape(hall)
        ),
        None,
    ))
}

/// `GET /t/{code}`: a visitor's live ticket page.
pub async fn ticket(State(web): State<Web>, Path(raw): Path<String>) -> Response {
    let cfg = web.hub.config();
    let hall = &cfg.hall.name;
    let code = super::api::parse_code(&raw).ok();
    web.live.caught_up(&web.hub).await;
    let found = code.as_deref().and_then(|c| web.live.ticket(c));
    let Some(t) = found else {
        let shown = code.unwrap_or_else(|| raw.chars().take(20).collect());
        return (
            StatusCode::NOT_FOUND,
            Html(page(
                "Tiket tidak ditemukan",
                "",
                &format!(
                    "<header class=\"bar\"><div class=\"hall\">{}</div></header><main>\
                     <h1 id=\"not-found\">Tiket {} tidak ditemukan</h1>\
                     <p>Halaman ini hanya untuk tiket hari ini. Periksa nomor pada tiket Anda, \
                     atau tanyakan kepada petugas.</p>\
                     <p class=\"muted\">Ticket not found: this page works for today's tickets only.</p>\
                     <p><a href=\"/\">Masukkan nomor lain</a></p></main>",
                    escape(hall),
                    escape(&shown)
                ),
                None,
            )),
        )
            .into_response();
    };
    let survey: Vec<_> = SURVEY
        .iter()
        .map(|e| json!({"code": e.code, "question": e.question, "answers": e.answers}))
        .collect();
    let initial = t.json.clone();
    let t = &t.ticket;
    let code = t.ticket.code.clone();
    let body = format!(
        r#"<header class="bar"><div class="hall">{hall}</div><div id="conn" class="conn ok" role="status">● Terhubung</div></header>
<main>
  <section class="card ticket">
    <div class="label">Nomor antrean Anda</div>
    <div id="code" class="code">{code}</div>
    <div id="service" class="service">{service}</div>
    <div id="agency" class="muted">{agency}</div>
    <ol id="steps" class="steps" aria-label="Langkah kunjungan" hidden></ol>
  </section>
  <section id="called" class="card called" hidden>
    <div class="label">Nomor Anda dipanggil!</div>
    <div id="called-text" class="go"></div>
  </section>
  <section class="card">
    <div id="status" class="status"></div>
    <div class="figures">
      <div><div id="ahead" class="big">–</div><div class="muted">orang di depan Anda</div></div>
      <div><div id="wait" class="big">–</div><div class="muted">menit, perkiraan menunggu</div></div>
    </div>
    <p id="soon" class="soon" role="alert" hidden>Sebentar lagi giliran Anda — bersiaplah di dekat loket.</p>
    <p id="wait-text" class="wait-text" role="status"></p>
    <p id="paused-text" class="wait-text" role="status" hidden></p>
    <div class="label small">Sedang dilayani sekarang</div>
    <ul id="serving" class="serving"></ul>
    <button id="sound" class="secondary" type="button">Aktifkan suara panggilan</button>
    <p class="muted small">Halaman ini diperbarui sendiri. Tetap buka halaman ini; ponsel akan bergetar saat nomor Anda dipanggil.</p>
  </section>
  <section id="cancel" class="card" hidden>
    <button id="cancel-button" class="secondary danger" type="button">Batalkan antrean</button>
    <p class="muted small">Tidak jadi dilayani? Batalkan agar pengunjung di belakang Anda maju.</p>
    <p id="cancel-result" class="result" role="status"></p>
  </section>
  <section id="survey" class="card" hidden>
    <h2>Beri penilaian</h2>
    <p class="muted">Bagaimana pelayanan yang Anda terima? 9 pertanyaan singkat.</p>
    <form id="survey-form"></form>
    <p id="survey-result" class="result" role="status"></p>
  </section>
  <section id="aspiration" class="card" hidden>
    <h2>Sampaikan aspirasi</h2>
    <form id="aspiration-form">
      <label><input type="radio" name="kind" value="missing_service" checked> Layanan yang belum tersedia</label>
      <label><input type="radio" name="kind" value="suggestion"> Saran</label>
      <label><input type="radio" name="kind" value="complaint"> Pengaduan</label>
      <textarea id="aspiration-text" name="text" maxlength="2000" rows="4" placeholder="Tulis di sini (tanpa nama dan nomor HP)"></textarea>
      <button type="submit" id="aspiration-send">Kirim</button>
    </form>
    <p id="aspiration-result" class="result" role="status"></p>
    <p class="muted small">Pengaduan juga dapat disampaikan melalui SP4N-LAPOR! di <a href="https://www.lapor.go.id">lapor.go.id</a>.</p>
  </section>
</main>
<script id="initial" type="application/json">{initial}</script>
<script id="survey-elements" type="application/json">{survey}</script>"#,
        hall = escape(hall),
        code = escape(&code),
        service = escape(&t.service_name),
        agency = escape(&t.agency_name),
        initial = initial.replace("</", "<\\/"),
        survey = serde_json::to_string(&survey)
            .expect("the survey serializes")
            .replace("</", "<\\/"),
    );
    Html(page(
        &format!("{code} — {hall}"),
        &format!(
            "data-code=\"{}\" data-notify-ahead=\"{}\"",
            escape(&code),
            cfg.hall.queue.notify_ahead
        ),
        &body,
        Some("ticket.js"),
    ))
    .into_response()
}

/// `GET /display`: the wall display for a smart TV's browser.
pub async fn display(State(web): State<Web>) -> Html<String> {
    let hall = &web.hub.config().hall.name;
    Html(format!(
        r#"<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Layar antrean — {hall}</title><link rel="stylesheet" href="/assets/display.css"><script src="/assets/display.js" defer></script></head>
<body>
<form id="token-form" class="token" hidden>
  <h1>Layar antrean</h1>
  <p>Masukkan token perangkat layar (sekali saja; disimpan di browser ini).</p>
  <label for="token">Token perangkat layar</label>
  <input id="token" name="token" type="password" autocomplete="off" required>
  <button type="submit">Simpan</button>
  <p id="token-error" class="error" role="alert"></p>
</form>
<main id="wall" hidden>
  <header><div id="hall" class="hall">{hall}</div><div id="date" class="date"></div><div id="clock" class="clock"></div></header>
  <div id="offline" class="offline" hidden>Terputus dari server — menyambung kembali…</div>
  <section class="latest" id="latest">
    <div class="label">Nomor antrean</div><div id="latest-code" class="latest-code">–</div>
    <div class="label">silakan menuju</div><div id="latest-counter" class="latest-counter"></div>
  </section>
  <section class="history"><div class="label">Panggilan sebelumnya</div><ol id="history"></ol></section>
  <section class="counters"><div id="counters" class="grid"></div></section>
  <section class="waiting"><div class="label">Menunggu</div><ul id="waiting"></ul></section>
  <footer><div id="running" class="running"></div><button id="sound" type="button">Aktifkan suara</button></footer>
</main>
</body></html>
"#,
        hall = escape(hall)
    ))
}

/// Anything else: a plain 404 in words.
pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "Tidak ditemukan",
            "",
            "<main><h1>Halaman tidak ditemukan</h1><p><a href=\"/\">Ke halaman awal</a></p></main>",
            None,
        )),
    )
        .into_response()
}
