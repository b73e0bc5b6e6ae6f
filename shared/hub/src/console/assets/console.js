// The hall's console: the live hall from /console/api/v1/hall, kept current by the event
// stream; every change sends the session's CSRF token.
"use strict";
const API = "/console/api/v1";
const EN = {
  title: "Hall console", logout: "Log out", login: "Log in", user: "User name", password: "Password",
  enter: "Log in", first: "No user yet? On the hub machine run: antre-hub user add NAME --role admin --db /var/lib/antre/antre.db",
  today: "Today", counters: "Counters", waiting: "Waiting per service", service: "Service", count: "Count",
  longest: "Longest (minutes)", devices: "Devices", role: "Role", status: "Status", adddevice: "Add a device",
  counterof: "Counter (for counter devices)", makecode: "Make a pairing code",
  typecode: "Type on the device: antre-kiosk pair --hub ADDRESS --code CODE --config FILE (valid 15 minutes)",
  services: "Services", name: "Name", prefix: "Prefix", quota: "Quota", maxwait: "Wait limit (minutes)",
  action: "Action", action2: "Action", action3: "Action", agency: "Agency", name2: "Name", prefix2: "Prefix",
  addservice: "Add a service", countersetup: "Counter setup", name3: "Name", servesh: "Services (comma-separated)",
  runningtext: "Running text and holidays", runninghelp: "The displays' running text (one announcement per line)",
  holidayshelp: "Holidays, one per line: DATE REASON (e.g. 2026-12-25 Christmas Day)", save: "Save",
  audit: "Today's audit trail", when: "Time", who2: "User", what: "Action", target: "Target", webtv: "A TV through its browser (no code)",
  tvopen: "Open this address on the TV (or scan its code); its token is shown this once:", report: "Report", from: "From", to: "To", show: "Show", csv: "Download CSV (zip)", html: "Download HTML",
};
const ID = {};
let english = false;
let csrf = "";
let me = null;
let stream = null;

const t = (id, en) => (english ? en : id);
const $ = (id) => document.getElementById(id);

function translate() {
  document.documentElement.lang = english ? "en" : "id";
  $("lang").textContent = english ? "Bahasa Indonesia" : "English";
  $("lang").lang = english ? "id" : "en";
  for (const el of document.querySelectorAll("[data-t]")) {
    const key = el.dataset.t;
    if (!(key in ID)) ID[key] = el.textContent;
    el.textContent = english ? EN[key] : ID[key];
  }
}

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const data = await r.json().catch(() => ({}));
  if (r.status === 401 && path !== "/login") showLogin();
  return { ok: r.ok, status: r.status, data };
}

function words(data) {
  if (data.problems) return data.problems.map((p) => (p.field ? p.field + ": " : "") + p.message).join(" · ");
  return data.message || "";
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function showLogin() {
  if (stream) { stream.close(); stream = null; }
  $("login").hidden = false; $("app").hidden = true; $("logout").hidden = true; $("who").textContent = "";
}

const REASONS = { istirahat: ["istirahat", "break"], salat: ["salat", "prayer"], rapat: ["rapat", "meeting"], gangguan: ["gangguan", "fault"], lainnya: ["lainnya", "other"] };

function counterCard(c, info) {
  const name = info ? info.name : c.id;
  const state = c.paused ? "paused" : c.open ? "open" : "closed";
  const label = c.paused
    ? t("Jeda: ", "Paused: ") + t(REASONS[c.paused.reason][0], REASONS[c.paused.reason][1]) + (c.paused.until ? t(" sampai ", " until ") + c.paused.until : "")
    : c.open ? t("Buka", "Open") : t("Tutup", "Closed");
  // How long it has been in its state: the pause since it began, the ticket since its call.
  const since = c.paused ? c.paused.since : c.current ? c.current.called_at : null;
  const mins = since ? Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000)) : null;
  const time = since ? since.slice(11, 16) + " (" + mins + t(" menit)", " min)") : "";
  const card = el("div", { class: "counter " + state, "data-counter": c.id },
    el("h3", {}, name),
    el("p", { class: "state" }, label),
    el("p", {}, c.officer ? t("Petugas: ", "Officer: ") + c.officer : ""),
    el("p", { class: "ticket" }, c.current ? c.current.code : "—"),
    el("p", { class: "since" }, time ? t("Sejak ", "Since ") + time : ""));
  const actions = el("div", { class: "actions" });
  const act = (what, text, body) => actions.append(el("button", {
    type: "button", "aria-label": text + " " + name,
    onclick: async () => {
      const r = await call("POST", "/counters/" + encodeURIComponent(c.id) + "/" + what, body ? body() : {});
      $("act-message").textContent = r.ok ? "" : words(r.data);
      refresh();
    },
  }, text));
  if (me && me.role !== "viewer") {
    if (!c.open) act("open", t("Buka", "Open"), () => ({ officer: prompt(t("Nama petugas", "Officer's name")) || "" }));
    else if (c.paused) act("resume", t("Lanjutkan", "Resume"));
    else {
      act("call_next", t("Panggil", "Call next"));
      if (!c.current) {
        const sel = el("select", { "aria-label": t("Alasan jeda ", "Pause reason ") + name });
        for (const [k, v] of Object.entries(REASONS)) sel.append(el("option", { value: k }, t(v[0], v[1])));
        actions.append(sel);
        act("pause", t("Jeda", "Pause"), () => ({ reason: sel.value, until: null }));
      } else {
        act("finish", t("Selesai", "Finish"));
        act("no_show", t("Tidak hadir", "No-show"));
      }
      act("close", t("Tutup", "Close"));
    }
  }
  card.append(actions);
  return card;
}

function render(h) {
  me = h.you; csrf = h.you.csrf;
  $("who").textContent = h.you.user + " (" + h.you.role + ")";
  const hall = h.hall || { services: [], counters: [] };
  const info = Object.fromEntries(hall.counters.map((c) => [c.id, c]));
  const svc = Object.fromEntries(hall.services.map((s) => [s.id, s]));
  const fig = (n, label) => el("div", {}, el("strong", {}, String(n ?? "—")), label);
  $("today").replaceChildren(
    fig(h.today.issued, t("tiket", "tickets")), fig(h.today.served, t("dilayani", "served")),
    fig(h.today.no_show, t("tidak hadir", "no-shows")), fig(h.today.cancelled, t("dibatalkan", "cancelled")),
    fig(h.today.wait_avg_min, t("menit tunggu rata-rata", "minutes' average wait")));
  $("alerts").replaceChildren(...(h.alerts.length ? h.alerts.map((a) => el("p", { class: "alert" },
    a.kind === "long_wait" ? t("Menunggu lama: ", "Long wait: ") + a.ticket + " (" + a.waited_min + t(" menit)", " min)")
      : a.kind === "device_offline" ? t("Perangkat mati: ", "Device offline: ") + a.device
        : t("Printer: ", "Printer: ") + a.device + " " + a.status)) : [el("p", { class: "none" }, t("Tidak ada peringatan.", "No alerts."))]));
  $("counters").replaceChildren(...h.counters.map((c) => counterCard(c, info[c.id])));
  $("waiting").replaceChildren(...h.waiting.map((w) => el("tr", {},
    el("td", {}, svc[w.service] ? svc[w.service].name : w.service), el("td", {}, String(w.count)),
    el("td", {}, w.longest_wait_min == null ? "—" : String(w.longest_wait_min)))));
  const admin = me.role === "admin";
  $("devices-section").hidden = !admin;
  $("devices").replaceChildren(...h.devices.map((d) => el("tr", { "data-device": d.id },
    el("td", {}, d.id), el("td", {}, d.role),
    el("td", { class: d.online ? "online" : "offline" }, (d.online ? t("tersambung", "online") : t("terputus", "offline"))
      + (d.status ? " · " + t("printer: ", "printer: ") + d.status : "")),
    el("td", {}, admin ? el("button", { type: "button", class: "danger", "aria-label": t("Cabut ", "Revoke ") + d.id,
      onclick: async () => {
        if (!confirm(t("Cabut " + d.id + "?", "Revoke " + d.id + "?"))) return;
        const r = await call("DELETE", "/devices/" + encodeURIComponent(d.id));
        $("device-message").textContent = r.ok ? "" : words(r.data);
        refresh();
      } }, t("Cabut", "Revoke")) : ""))));
  for (const e of document.querySelectorAll(".admin-only")) e.hidden = !admin;
  renderServices();
  if (admin) renderAdmin(hall);
}

let adminShown = false;
async function renderAdmin(hall) {
  $("svc-agency").replaceChildren(...hall.agencies.map((a) => el("option", { value: a.id }, a.name)));
  const counters = await call("GET", "/counters");
  if (counters.ok) {
    $("counter-setup").replaceChildren(...counters.data.map((c) => {
      const name = el("input", { value: c.name, "aria-label": t("Nama loket ", "Counter name ") + c.id });
      const serves = el("input", { value: (c.services || []).join(", "), "aria-label": t("Layanan loket ", "Services of counter ") + c.id });
      const save = el("button", { type: "button", "aria-label": t("Simpan loket ", "Save counter ") + c.id, onclick: async () => {
        const body = { name: name.value, services: serves.value.split(",").map((x) => x.trim()).filter(Boolean) };
        if (c.breaks) body.breaks = c.breaks;
        const r = await call("PUT", "/counters/" + encodeURIComponent(c.id), body);
        $("counter-message").textContent = r.ok ? t("Tersimpan.", "Saved.") : words(r.data);
      } }, t("Simpan", "Save"));
      return el("tr", { "data-counter-setup": c.id }, el("td", {}, c.id), el("td", {}, name), el("td", {}, serves), el("td", {}, save));
    }));
  }
  // The texts are filled once, so typing is never overwritten by a live refresh.
  if (!adminShown) {
    adminShown = true;
    $("running").value = (hall.running_text || []).join("\n");
    const days = await call("GET", "/holidays");
    if (days.ok) $("holidays").value = days.data.map((d) => d.date + " " + d.reason).join("\n");
  }
  const audit = await call("GET", "/audit");
  if (audit.ok) {
    $("audit").replaceChildren(...audit.data.slice(-30).reverse().map((a) => el("tr", {},
      el("td", {}, a.at.slice(11, 19)), el("td", {}, a.user), el("td", {}, a.action), el("td", {}, a.target || ""))));
  }
}

async function renderServices() {
  const r = await call("GET", "/services");
  if (!r.ok) return;
  const canEdit = me.role !== "viewer";
  $("services").replaceChildren(...r.data.map((s) => {
    const name = el("input", { value: s.name, "aria-label": t("Nama layanan ", "Service name ") + s.id });
    const quota = el("input", { value: s.daily_quota ?? "", inputmode: "numeric", size: "5", "aria-label": t("Kuota ", "Quota ") + s.id });
    const maxWait = el("input", { value: s.max_wait_min ?? "", inputmode: "numeric", size: "5", "aria-label": t("Batas tunggu ", "Wait limit ") + s.id });
    const num = (v) => (v.trim() === "" ? null : Number(v));
    const save = el("button", { type: "button", "aria-label": t("Simpan ", "Save ") + s.id, onclick: async () => {
      const body = { ...s, name: name.value, daily_quota: num(quota.value), max_wait_min: num(maxWait.value) };
      delete body.id;
      const res = await call("PUT", "/services/" + encodeURIComponent(s.id), body);
      $("service-message").textContent = res.ok ? t("Tersimpan.", "Saved.") : words(res.data);
    } }, t("Simpan", "Save"));
    return el("tr", { "data-service": s.id }, el("td", {}, s.id), el("td", {}, name), el("td", {}, s.prefix), el("td", {}, quota), el("td", {}, maxWait), el("td", {}, canEdit ? save : ""));
  }));
}

let pending = null;
let asked = 0;
// One read of the hall per burst of events; an answer older than the newest one shown is
// dropped, so a slow answer never puts an old state back.
function refresh() {
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    const mine = ++asked;
    const r = await call("GET", "/hall");
    if (r.ok && mine === asked) render(r.data);
  }, 100);
}

function start(data) {
  csrf = data.csrf;
  $("login").hidden = true; $("app").hidden = false; $("logout").hidden = false;
  refresh();
  stream = new EventSource(API + "/events");
  stream.onmessage = refresh;
  stream.addEventListener("alert", refresh);
  stream.addEventListener("devices", refresh);
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await call("POST", "/login", { user: $("user").value, password: $("password").value });
  $("password").value = "";
  if (r.ok) { $("login-message").textContent = ""; start(r.data); } else $("login-message").textContent = words(r.data);
});
$("logout").addEventListener("click", async () => { await call("POST", "/logout"); showLogin(); });
$("lang").addEventListener("click", () => { english = !english; translate(); refresh(); });
$("device-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = { id: $("dev-id").value.trim(), role: $("dev-role").value };
  if ($("dev-counter").value.trim()) body.counter = $("dev-counter").value.trim();
  if ($("dev-web").checked) body.web = true;
  const r = await call("POST", "/devices", body);
  $("device-message").textContent = r.ok ? "" : words(r.data);
  $("pairing").hidden = !(r.ok && r.data.pairing_code);
  $("tv").hidden = !(r.ok && r.data.display_url);
  if (r.ok && r.data.pairing_code) $("pairing-code").textContent = r.data.pairing_code;
  if (r.ok && r.data.display_url) {
    $("tv-url").textContent = r.data.display_url;
    $("tv-url").href = r.data.display_url;
    $("tv-qr").src = "data:image/svg+xml;base64," + btoa(r.data.qr_svg);
  }
  refresh();
});

function reportLinks() {
  const q = "from=" + $("rep-from").value + "&to=" + $("rep-to").value;
  $("rep-csv").href = API + "/report?format=csv&" + q;
  $("rep-html").href = API + "/report?format=html&" + q;
  return q;
}
const today = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
$("rep-from").value = today; $("rep-to").value = today;
reportLinks();
$("rep-from").addEventListener("change", reportLinks);
$("rep-to").addEventListener("change", reportLinks);
$("report-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("report").src = API + "/report?format=html&" + reportLinks();
  $("report").hidden = false;
});

$("save-text").addEventListener("click", async () => {
  const lines = $("running").value.split("\n").map((x) => x.trim()).filter(Boolean);
  const days = $("holidays").value.split("\n").map((x) => x.trim()).filter(Boolean).map((x) => {
    const i = x.indexOf(" ");
    return i < 0 ? { date: x, reason: "" } : { date: x.slice(0, i), reason: x.slice(i + 1).trim() };
  });
  const a = await call("PUT", "/running_text", lines);
  const b = await call("PUT", "/holidays", days);
  $("text-message").textContent = a.ok && b.ok ? t("Tersimpan.", "Saved.") : [a, b].filter((r) => !r.ok).map((r) => words(r.data)).join(" · ");
});
$("service-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const r = await call("POST", "/services", { id: $("svc-id").value.trim(), agency: $("svc-agency").value, name: $("svc-name").value, prefix: $("svc-prefix").value.trim().toUpperCase() });
  $("service-message").textContent = r.ok ? t("Layanan ditambahkan.", "Service added.") : words(r.data);
  if (r.ok) { $("service-form").reset(); refresh(); }
});

translate();
// Already logged in (a reload): the hall answers; otherwise the login form stays.
call("GET", "/hall").then((r) => { if (r.ok) { start({ csrf: r.data.you.csrf }); render(r.data); } });
