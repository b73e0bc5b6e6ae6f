// The web wall display: the protocol's events over SSE (/api/v1/display/events), applied to
// a local copy of the hall like the Slint display does; a chime and the browser's
// Indonesian speech announce each call. The display's token is asked once and kept.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const KEY = "antre-display-token";
  const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
  const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
  let hall = null, zone = null, tickets = new Map(), counters = new Map(), history = [];
  const PAUSE_WORDS = { istirahat: "Istirahat", salat: "Salat", rapat: "Rapat", gangguan: "Gangguan", lainnya: "Ditutup sementara" };
  let source = null, retry = null, audio = null, running = 0, tz = "Asia/Jakarta";
  const say = [];
  let speaking = false;

  function counterName(id) {
    const c = hall && hall.counters.find((x) => x.id === id);
    return c ? c.name : "Loket " + id;
  }
  function serviceOf(code) {
    const t = tickets.get(code);
    return t && hall ? hall.services.find((s) => s.id === t.service) : null;
  }
  function inZone(service) {
    if (!zone || !service) return true;
    const s = hall.services.find((x) => x.id === service);
    return !s || zone.includes(s.agency);
  }

  function welcome(w) {
    hall = w.hall; zone = w.zone; tz = hall.timezone || tz;
    tickets = new Map(); counters = new Map(); history = [];
    const snap = w.snapshot || { tickets: [], counters: [] };
    snap.tickets.forEach((t) => tickets.set(t.code, t));
    snap.counters.forEach((c) => counters.set(c.id, c));
    // The calls so far, newest first.
    history = snap.tickets.filter((t) => t.called_at && t.counter && inZone(t.service))
      .sort((a, b) => (a.called_at < b.called_at ? 1 : -1))
      .map((t) => ({ code: t.code, counter: t.counter }));
    render();
  }

  function apply(e) {
    const t = e.ticket;
    if (t) tickets.set(t.code, t);
    const c = e.counter && (counters.get(e.counter) || { id: e.counter, open: false, current: null });
    switch (e.kind) {
      case "ticket_called": case "ticket_recalled": case "serving_started":
        c.current = t; counters.set(c.id, c);
        if (e.kind !== "serving_started" && inZone(t.service)) {
          history = history.filter((h) => h.code !== t.code);
          history.unshift({ code: t.code, counter: e.counter });
          flash();
        }
        break;
      case "ticket_finished": case "ticket_no_show": case "ticket_transferred":
        if (c && c.current && c.current.code === t.code) { c.current = null; counters.set(c.id, c); }
        break;
      case "counter_opened": c.open = true; c.officer = e.officer; counters.set(c.id, c); break;
      case "counter_closed": c.open = false; c.current = null; c.paused = null; counters.set(c.id, c); break;
      case "counter_paused": case "counter_resumed":
        if (e.state) { c.paused = e.state.paused; counters.set(c.id, c); }
        break;
      case "day_started":
        tickets = new Map(); history = [];
        counters.forEach((x) => { x.open = false; x.current = null; x.paused = null; });
        break;
      default: break;
    }
    render();
  }

  function flash() {
    const el = $("latest");
    el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash");
  }

  function render() {
    if (!hall) return;
    $("hall").textContent = hall.name;
    const latest = history[0];
    $("latest-code").textContent = latest ? latest.code : "–";
    $("latest-counter").textContent = latest ? counterName(latest.counter) : "";
    $("history").replaceChildren(...history.slice(1, 7).map((h) => {
      const li = document.createElement("li");
      li.innerHTML = "<span></span><span></span>";
      li.children[0].textContent = h.code; li.children[1].textContent = counterName(h.counter);
      return li;
    }));
    const colors = new Map(hall.agencies.map((a) => [a.id, a.color || "#0b5cab"]));
    $("counters").replaceChildren(...hall.counters.filter((c) => !zone || c.services.some((s) => inZone(s))).map((info) => {
      const st = counters.get(info.id) || { open: false, current: null };
      const d = document.createElement("div");
      const paused = st.open && st.paused;
      d.className = "counter" + (st.open ? "" : " closed") + (paused ? " paused" : "");
      const first = hall.services.find((s) => s.id === info.services[0]);
      d.style.setProperty("--c", first ? colors.get(first.agency) : "#0b5cab");
      d.innerHTML = '<div class="name"></div><div class="now"></div>';
      // As the Slint display: the reason beside the name, the end time large
      // (antre_core::domain::counter::PauseReason::words and until_words).
      d.children[0].textContent = paused ? info.name + " · " + (PAUSE_WORDS[paused.reason] || "Jeda") : info.name;
      d.children[1].textContent = paused ? (paused.until ? "s.d. " + paused.until : "Jeda")
        : st.open ? (st.current ? st.current.code : "—") : "Tutup";
      d.setAttribute("aria-label", info.name + ": " + d.children[1].textContent);
      return d;
    }));
    const waiting = new Map();
    tickets.forEach((t) => {
      if (t.status !== "waiting" || !inZone(t.service)) return;
      const s = hall.services.find((x) => x.id === t.service);
      if (s) waiting.set(s.agency, (waiting.get(s.agency) || 0) + 1);
    });
    $("waiting").replaceChildren(...hall.agencies.filter((a) => !zone || zone.includes(a.id)).map((a) => {
      const li = document.createElement("li");
      li.innerHTML = "<span></span><b></b>";
      li.children[0].textContent = a.name; li.children[1].textContent = String(waiting.get(a.id) || 0);
      return li;
    }));
    const texts = hall.running_text || [];
    $("running").textContent = texts.length ? texts[running % texts.length] : "";
  }

  function tick() {
    const now = new Date();
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
    const get = (t) => parts.find((p) => p.type === t).value;
    const wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
    $("clock").textContent = get("hour") + ":" + get("minute");
    $("date").textContent = DAYS[wd] + ", " + Number(get("day")) + " " + MONTHS[Number(get("month")) - 1] + " " + get("year");
  }

  function chime() {
    if (!audio) return 0;
    const now = audio.currentTime;
    [[0, 784], [0.45, 659], [0.9, 523]].forEach(([t, f]) => {
      const o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, now + t);
      g.gain.exponentialRampToValueAtTime(0.5, now + t + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, now + t + 0.6);
      o.connect(g).connect(audio.destination); o.start(now + t); o.stop(now + t + 0.65);
    });
    return 1600;
  }

  function announce(next) {
    say.push(next);
    if (!speaking) speakNext();
  }
  function speakNext() {
    const item = say.shift();
    if (!item) { speaking = false; return; }
    speaking = true;
    const wait = chime();
    setTimeout(() => {
      if (!("speechSynthesis" in window)) { speakNext(); return; }
      const u = new SpeechSynthesisUtterance(item.text);
      u.lang = "id-ID";
      const v = speechSynthesis.getVoices().find((x) => x.lang && x.lang.toLowerCase().startsWith("id"));
      if (v) u.voice = v;
      u.rate = 0.9;
      u.onend = u.onerror = () => setTimeout(speakNext, 300);
      speechSynthesis.speak(u);
    }, wait);
  }

  function setOnline(ok) { $("offline").hidden = ok; }

  async function start(token) {
    // Ask once with fetch to hear a wrong token (EventSource cannot read the status).
    const ctl = new AbortController();
    try {
      const res = await fetch("/api/v1/display/events?token=" + encodeURIComponent(token), { signal: ctl.signal });
      ctl.abort();
      if (res.status === 401 || res.status === 403) {
        const body = await res.json().catch(() => ({}));
        localStorage.removeItem(KEY);
        askToken(body.message || "Token salah.");
        return;
      }
    } catch (e) { /* offline: EventSource keeps trying */ }
    $("token-form").hidden = true;
    $("wall").hidden = false;
    connect(token);
  }

  function connect(token) {
    clearTimeout(retry);
    if (source) source.close();
    source = new EventSource("/api/v1/display/events?token=" + encodeURIComponent(token));
    source.addEventListener("welcome", (ev) => { setOnline(true); welcome(JSON.parse(ev.data)); });
    source.addEventListener("event", (ev) => { setOnline(true); apply(JSON.parse(ev.data)); });
    source.addEventListener("say", (ev) => {
      const s = JSON.parse(ev.data);
      const t = tickets.get(s.ticket);
      if (!t || inZone(t.service)) announce(s);
    });
    source.onopen = () => setOnline(true);
    source.onerror = () => {
      setOnline(false);
      if (source.readyState === EventSource.CLOSED) retry = setTimeout(() => connect(token), 5000);
    };
  }

  function askToken(error) {
    $("wall").hidden = true;
    $("token-form").hidden = false;
    $("token-error").textContent = error || "";
  }

  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    localStorage.setItem(KEY, token);
    start(token);
  });
  $("sound").addEventListener("click", () => {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    $("sound").textContent = "Suara aktif";
  });

  tick();
  setInterval(tick, 1000);
  setInterval(() => { running++; render(); }, 8000);
  // A technician may set the TV up once with `/display#token=…`: kept, and taken off the
  // address (a fragment never reaches the server or its logs).
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) {
    localStorage.setItem(KEY, given);
    window.history.replaceState(null, "", location.pathname + location.search);
  }
  const saved = localStorage.getItem(KEY);
  if (saved) start(saved); else askToken("");
})();
