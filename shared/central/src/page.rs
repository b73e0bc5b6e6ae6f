//! The booking page citizens open from home (`GET /`): Indonesian first, one small HTML
//! file with its own style and script, no fonts or libraries to fetch, so a cheap phone on a
//! slow network has it in one round trip. It speaks the same JSON API as anyone else.

use axum::response::Html;

/// `GET /`.
pub async fn booking_page() -> Html<&'static str> {
    Html(PAGE)
}

const PAGE: &str = r##"<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Booking Antrean MPP — Online booking</title>
<style>
:root { --blue: #0b5cab; --ink: #1a1a1a; --soft: #4a4a4a; --line: #8a8a8a; --bad: #a4000f; }
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.5 system-ui, sans-serif; color: var(--ink); background: #f6f7f9; }
header { background: var(--blue); color: #fff; padding: 14px 16px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 2px 0 0; font-size: 15px; }
main { max-width: 560px; margin: 0 auto; padding: 12px 16px 32px; }
section { background: #fff; border: 1px solid #d0d4da; border-radius: 8px; padding: 14px; margin: 14px 0; }
h2 { font-size: 19px; margin: 0 0 8px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
.en { font-weight: 400; color: var(--soft); font-size: 15px; }
select, input { width: 100%; font: inherit; padding: 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); }
fieldset { border: 0; padding: 0; margin: 12px 0 0; }
legend { font-weight: 600; padding: 0; }
.slot { display: flex; align-items: center; gap: 10px; border: 1px solid var(--line); border-radius: 6px; padding: 10px; margin: 6px 0; }
.slot input { width: auto; transform: scale(1.4); }
.slot.full { color: var(--soft); background: #eee; }
button { width: 100%; font: inherit; font-weight: 700; margin-top: 16px; padding: 12px; border: 0; border-radius: 6px; background: var(--blue); color: #fff; }
button.secondary { background: #fff; color: var(--blue); border: 2px solid var(--blue); }
.error { color: var(--bad); font-weight: 600; }
.code { font-size: 34px; font-weight: 800; letter-spacing: 2px; text-align: center; margin: 8px 0; }
#qr { display: block; width: 220px; height: 220px; margin: 0 auto; }
small { color: var(--soft); }
</style>
</head>
<body>
<header>
  <h1>Booking Antrean Online</h1>
  <p>Mal Pelayanan Publik · <span lang="en">Online queue booking</span></p>
</header>
<main>
<section id="form-section" aria-labelledby="h-book">
  <h2 id="h-book">Pesan nomor antrean <span class="en" lang="en">Book a queue slot</span></h2>
  <form id="book" novalidate>
    <label for="hall">Mal pelayanan <span class="en" lang="en">Hall</span></label>
    <select id="hall" name="hall" required></select>
    <label for="service">Layanan <span class="en" lang="en">Service</span></label>
    <select id="service" name="service" required></select>
    <label for="date">Tanggal <span class="en" lang="en">Date</span></label>
    <select id="date" name="date" required></select>
    <fieldset id="sessions">
      <legend>Sesi <span class="en" lang="en">Session</span></legend>
      <div id="slots"><small>Pilih layanan dan tanggal dahulu.</small></div>
    </fieldset>
    <label for="name">Nama lengkap <span class="en" lang="en">Full name</span></label>
    <input id="name" name="name" autocomplete="name" maxlength="80" required>
    <label for="phone">Nomor HP <span class="en" lang="en">Mobile number</span></label>
    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" placeholder="0812 3456 7890" required>
    <p id="book-error" class="error" role="alert"></p>
    <button type="submit">Pesan <span lang="en">/ Book</span></button>
  </form>
</section>
<section id="done" aria-labelledby="h-done" hidden>
  <h2 id="h-done" tabindex="-1">Booking berhasil <span class="en" lang="en">Booked</span></h2>
  <p>Kode booking Anda <span class="en" lang="en">Your booking code</span>:</p>
  <p class="code" id="code"></p>
  <img id="qr" alt="">
  <p id="when"></p>
  <p>Datang paling cepat 30 menit sebelum sesi dimulai. Di mal, sentuh <b>“Saya sudah booking”</b> di kios, lalu pindai kode QR ini atau ketik kodenya. Simpan kode ini (tangkapan layar).</p>
  <p class="en" lang="en">Come at most 30 minutes before your session. At the kiosk, touch “Saya sudah booking” and scan this QR code or type the code. Keep it (take a screenshot).</p>
  <button type="button" class="secondary" id="again">Pesan lagi <span lang="en">/ Book another</span></button>
</section>
<section aria-labelledby="h-cancel">
  <h2 id="h-cancel">Batalkan booking <span class="en" lang="en">Cancel a booking</span></h2>
  <form id="cancel" novalidate>
    <label for="c-code">Kode booking <span class="en" lang="en">Booking code</span></label>
    <input id="c-code" name="code" placeholder="BK-…" autocapitalize="characters" required>
    <label for="c-phone">Nomor HP yang dipakai <span class="en" lang="en">The mobile number used</span></label>
    <input id="c-phone" name="phone" type="tel" inputmode="tel" required>
    <p id="cancel-msg" role="status"></p>
    <button type="submit" class="secondary">Batalkan <span lang="en">/ Cancel</span></button>
  </form>
</section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const WORDS = {
  session_full: "Sesi ini sudah penuh. Pilih sesi atau tanggal lain.",
  already_booked: "Nomor HP ini sudah punya booking untuk layanan ini pada tanggal itu.",
  session_over: "Sesi ini sudah berakhir. Pilih sesi lain.",
  date_not_bookable: "Tanggal ini tidak bisa dipesan (libur atau di luar 14 hari ke depan).",
  invalid_request: "Periksa lagi isian Anda.",
  unknown_booking: "Tidak ada booking dengan kode dan nomor HP ini.",
  booking_expired: "Sesi booking ini sudah berakhir.",
  unavailable: "Layanan sedang sibuk. Coba lagi sebentar lagi.",
};
const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
function dayWords(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${DAYS[wd]}, ${d} ${MONTHS[m - 1]} ${y}`;
}
function option(sel, value, text) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text; sel.appendChild(o);
}
async function api(method, path, body) {
  const r = await fetch(path, { method, headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) { throw Object.assign(new Error(data.message || r.status), { code: data.error }); }
  return data;
}
const words = (e) => WORDS[e.code] || "Gagal tersambung. Periksa internet Anda lalu coba lagi.";
let HALLS = [];
function hall() { return HALLS.find((h) => h.id === $("hall").value); }
function fillHall() {
  const h = hall(); $("service").textContent = ""; $("date").textContent = "";
  if (!h) return;
  h.services.forEach((s) => option($("service"), s.service, s.name));
  h.dates.forEach((d) => option($("date"), d, dayWords(d)));
  loadSeats();
}
async function loadSeats() {
  const box = $("slots");
  const q = new URLSearchParams({ hall: $("hall").value, service: $("service").value, date: $("date").value });
  if (!$("service").value || !$("date").value) return;
  box.textContent = "Memuat…";
  try {
    const seats = await api("GET", "/api/v1/seats?" + q);
    box.textContent = "";
    seats.forEach((s, i) => {
      const usable = s.open && s.free > 0;
      const row = document.createElement("label");
      row.className = "slot" + (usable ? "" : " full");
      const r = document.createElement("input");
      r.type = "radio"; r.name = "session"; r.value = s.session; r.disabled = !usable;
      row.appendChild(r);
      const t = document.createElement("span");
      t.textContent = `${s.session.replace("-", "–")} · ` + (!s.open ? "sudah berakhir" : s.free > 0 ? `sisa ${s.free} dari ${s.per_session}` : "penuh");
      row.appendChild(t);
      box.appendChild(row);
    });
  } catch (e) { box.textContent = words(e); }
}
$("hall").addEventListener("change", fillHall);
$("service").addEventListener("change", loadSeats);
$("date").addEventListener("change", loadSeats);
$("book").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const err = $("book-error"); err.textContent = "";
  const chosen = document.querySelector('input[name="session"]:checked');
  if (!chosen) { err.textContent = "Pilih sesi dahulu."; return; }
  if (!$("name").value.trim()) { err.textContent = "Isi nama Anda."; $("name").focus(); return; }
  if (!$("phone").value.trim()) { err.textContent = "Isi nomor HP Anda."; $("phone").focus(); return; }
  try {
    const b = await api("POST", "/api/v1/bookings", { hall: $("hall").value, service: $("service").value,
      date: $("date").value, session: chosen.value, name: $("name").value, phone: $("phone").value });
    $("code").textContent = b.code;
    $("qr").src = `/api/v1/bookings/${encodeURIComponent(b.code)}/qr.svg`;
    $("qr").alt = "Kode QR booking " + b.code;
    const s = hall().services.find((x) => x.service === b.service);
    $("when").textContent = `${s ? s.name : b.service} · ${dayWords(b.date)} · sesi ${b.session.replace("-", "–")}`;
    $("form-section").hidden = true; $("done").hidden = false; $("h-done").focus();
  } catch (e) { err.textContent = words(e); if (e.code === "session_full") loadSeats(); }
});
$("again").addEventListener("click", () => { $("done").hidden = true; $("form-section").hidden = false; loadSeats(); });
$("cancel").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const msg = $("cancel-msg");
  try {
    await api("DELETE", "/api/v1/bookings/" + encodeURIComponent($("c-code").value.trim()), { phone: $("c-phone").value });
    msg.textContent = "Booking dibatalkan. Terima kasih."; msg.className = "";
    loadSeats();
  } catch (e) { msg.textContent = words(e); msg.className = "error"; }
});
api("GET", "/api/v1/halls").then((halls) => {
  HALLS = halls;
  halls.forEach((h) => option($("hall"), h.id, h.name));
  fillHall();
}).catch((e) => { $("slots").textContent = words(e); });
</script>
</body>
</html>
"##;
