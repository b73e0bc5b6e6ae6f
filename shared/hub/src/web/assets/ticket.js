// The live ticket page: follows /api/v1/tickets/{code}/events (SSE), reconnecting by itself
// after Wi-Fi drops; vibrates and beeps when the ticket is called; offers the survey and the
// aspiration form once it is served.
"use strict";
(function () {
  const code = document.body.dataset.code;
  const notifyAhead = Number(document.body.dataset.notifyAhead || 3);
  const $ = (id) => document.getElementById(id);
  // The ticket's key comes in the printed QR code (`?k=…`); kept for this ticket, so the
  // page still rates it after the address bar lost the query (a bookmark, a reload).
  const keyStore = "antre-key:" + code;
  const key = new URLSearchParams(location.search).get("k") || sessionStorage.getItem(keyStore) || "";
  if (key) sessionStorage.setItem(keyStore, key);
  const elements = JSON.parse($("survey-elements").textContent);
  let last = null;
  let audio = null;
  let source = null;
  let retry = null;

  const STATUS = {
    waiting: "Menunggu giliran",
    called: "Dipanggil — silakan menuju loket",
    serving: "Sedang dilayani",
    done: "Selesai dilayani. Terima kasih!",
    no_show: "Tidak hadir saat dipanggil. Silakan hubungi petugas.",
    cancelled: "Antrean dibatalkan. Terima kasih.",
  };

  function beep() {
    if (!audio) return;
    const now = audio.currentTime;
    [0, 0.35].forEach((t, i) => {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = i ? 660 : 880;
      g.gain.setValueAtTime(0.0001, now + t);
      g.gain.exponentialRampToValueAtTime(0.4, now + t + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, now + t + 0.3);
      o.connect(g).connect(audio.destination);
      o.start(now + t);
      o.stop(now + t + 0.32);
    });
  }

  function render(t) {
    const calledNow = t.status === "called" &&
      (!last || last.status !== "called" || last.recalls !== t.recalls);
    $("status").textContent = STATUS[t.status] || t.status;
    const waiting = t.status === "waiting";
    $("ahead").textContent = waiting && t.ahead != null ? String(t.ahead) : "–";
    // With no counter open the minutes are only a guess: the words say so instead.
    const known = waiting && t.estimated_wait_min != null && t.counters_open !== 0;
    // Where the hub is unsure it gives a range ("20–30"): the range, not one figure.
    const range = t.estimated_wait_range;
    $("wait").textContent = !known ? "–"
      : range ? range[0] + "–" + range[1]
      : (t.estimated_wait_min < 1 ? "< 1" : "±" + t.estimated_wait_min);
    // Every counter paused: the pause says more than "not open yet".
    $("wait-text").textContent = waiting && t.wait_text && !t.paused_text ? t.wait_text : "";
    $("paused-text").hidden = !(waiting && t.paused_text);
    $("paused-text").textContent = waiting && t.paused_text ? t.paused_text : "";
    // Almost your turn: once per ticket and queue, a short vibration, the words, and a
    // notification where the visitor allowed them.
    const soon = waiting && t.ahead != null && t.ahead <= notifyAhead;
    $("soon").hidden = !soon;
    const soonKey = "antre-soon:" + t.day + ":" + t.code + ":" + (t.step || 0);
    if (soon && !sessionStorage.getItem(soonKey)) {
      sessionStorage.setItem(soonKey, "1");
      if (navigator.vibrate) navigator.vibrate(300);
      if (window.Notification && Notification.permission === "granted") {
        try { new Notification("Sebentar lagi giliran Anda", { body: t.code + " — " + (t.ahead === 0 ? "Anda berikutnya" : t.ahead + " orang lagi") }); } catch (e) { /* some browsers only notify from a service worker */ }
      }
    }
    const list = $("serving");
    list.replaceChildren(...(t.serving_now || []).map((c) => {
      const li = document.createElement("li");
      const a = document.createElement("span");
      a.textContent = c.name;
      const b = document.createElement("b");
      b.textContent = c.ticket || "—";
      li.append(a, b);
      return li;
    }));
    if (!t.serving_now || t.serving_now.length === 0) {
      const li = document.createElement("li");
      li.textContent = "Belum ada loket yang buka untuk layanan ini.";
      list.append(li);
    }
    const called = t.status === "called" || t.status === "serving";
    $("called").hidden = !called;
    if (called) {
      $("called-text").textContent = "Silakan menuju " + (t.counter_name || ("Loket " + t.counter));
    }
    if (calledNow) {
      if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 800]);
      beep();
      document.title = "▶ " + (t.counter_name || "Loket") + " — " + t.code;
    }
    const steps = t.steps || [];
    $("steps").hidden = steps.length === 0;
    $("steps").replaceChildren(...steps.map((s) => {
      const li = document.createElement("li");
      li.className = "step " + s.state;
      li.textContent = s.name + (s.state === "done" ? " — selesai" : s.state === "current" ? " — sekarang" : "");
      return li;
    }));
    // Only the ticket's holder (its key, from the QR code) may give up its place.
    $("cancel").hidden = !(waiting && key);
    const done = t.status === "done";
    $("survey").hidden = !done || localStorage.getItem(ratedKey(t)) === "1";
    $("aspiration").hidden = !(done || t.status === "no_show");
    last = t;
  }

  function ratedKey(t) { return "antre-rated:" + t.day + ":" + t.code; }

  function setConnected(ok) {
    const c = $("conn");
    c.className = "conn " + (ok ? "ok" : "lost");
    c.textContent = ok ? "● Terhubung" : "Terputus — menyambung kembali…";
  }

  function connect() {
    clearTimeout(retry);
    if (source) source.close();
    source = new EventSource("/api/v1/tickets/" + encodeURIComponent(code) + "/events");
    source.addEventListener("ticket", (ev) => { setConnected(true); render(JSON.parse(ev.data)); });
    source.addEventListener("gone", (ev) => {
      source.close();
      $("status").textContent = JSON.parse(ev.data).message;
      setConnected(true);
    });
    source.onopen = () => setConnected(true);
    source.onerror = () => {
      setConnected(false);
      // The browser retries a dropped stream by itself; after an HTTP error it gives up,
      // so try again a little later (the hub may be restarting).
      if (source.readyState === EventSource.CLOSED) retry = setTimeout(connect, 5000);
    };
  }

  function buildSurvey() {
    const form = $("survey-form");
    // Drawn faces, as on the kiosk: no emoji font needed.
    const mouths = ["M 28 76 Q 50 56 72 76", "M 30 72 Q 50 66 70 72", "M 30 66 Q 50 78 70 66", "M 26 62 Q 50 90 74 62"];
    const colors = ["#f87171", "#fbbf24", "#a3e635", "#34d399"];
    const face = (v) => {
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 100 100");
      svg.setAttribute("class", "face");
      svg.innerHTML = '<circle cx="50" cy="50" r="48" fill="' + colors[v - 1] + '"/>' +
        '<circle cx="35" cy="38" r="5" fill="#1f2937"/><circle cx="65" cy="38" r="5" fill="#1f2937"/>' +
        '<path d="' + mouths[v - 1] + '" stroke="#1f2937" stroke-width="5" fill="none"/>';
      return svg;
    };
    elements.forEach((e, i) => {
      const q = document.createElement("div");
      q.className = "q";
      q.textContent = (i + 1) + ". " + e.question;
      const box = document.createElement("div");
      box.className = "answers";
      // The best answer first, as on the kiosk.
      for (let v = 4; v >= 1; v--) {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "radio"; input.name = e.code; input.value = String(v); input.required = true;
        label.append(input, face(v), document.createTextNode(e.answers[v - 1]));
        box.append(label);
      }
      form.append(q, box);
    });
    const send = document.createElement("button");
    send.type = "submit"; send.id = "survey-send"; send.textContent = "Kirim penilaian";
    form.append(send);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const answers = elements.map((e) => Number(form.elements[e.code].value));
      send.disabled = true;
      const r = await post("/api/v1/tickets/" + encodeURIComponent(code) + "/survey", { answers, key });
      const out = $("survey-result");
      if (r.ok || r.body.error === "already_rated") {
        if (last) localStorage.setItem(ratedKey(last), "1");
        form.hidden = true;
        out.className = "result ok";
        out.textContent = r.ok ? "Terima kasih! Penilaian Anda sudah kami terima." : r.body.message;
      } else {
        send.disabled = false;
        out.className = "result err";
        out.textContent = r.body.message || "Belum terkirim; coba lagi.";
      }
    });
  }

  $("cancel-button").addEventListener("click", async () => {
    if (!window.confirm("Batalkan antrean " + code + "? Nomor ini tidak akan dipanggil lagi.")) return;
    $("cancel-button").disabled = true;
    const r = await post("/api/v1/tickets/" + encodeURIComponent(code) + "/cancel", { key });
    const out = $("cancel-result");
    if (r.ok) {
      out.className = "result ok";
      out.textContent = "Antrean Anda sudah dibatalkan.";
    } else {
      $("cancel-button").disabled = false;
      out.className = "result err";
      out.textContent = r.body.message || "Belum terkirim; coba lagi.";
    }
  });

  async function post(url, body) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { ok: res.ok, body: await res.json().catch(() => ({})) };
    } catch (e) {
      return { ok: false, body: { message: "Tidak tersambung ke server; coba lagi." } };
    }
  }

  $("aspiration-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const text = f.text.value.trim();
    if (!text) return;
    $("aspiration-send").disabled = true;
    const r = await post("/api/v1/aspirations", { kind: f.kind.value, text });
    const out = $("aspiration-result");
    $("aspiration-send").disabled = false;
    if (r.ok) {
      f.reset();
      out.className = "result ok";
      out.textContent = "Terima kasih! Aspirasi Anda direkap dan dilaporkan kepada pimpinan.";
    } else {
      out.className = "result err";
      out.textContent = r.body.message || "Belum terkirim; coba lagi.";
    }
  });

  $("sound").addEventListener("click", () => {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    beep();
    // The same tap asks, once, whether the page may notify when the turn is near.
    if (window.Notification && Notification.permission === "default") {
      try { Notification.requestPermission(); } catch (e) { /* not offered here */ }
    }
    $("sound").textContent = "Suara panggilan aktif";
    $("sound").disabled = true;
  });

  buildSurvey();
  render(JSON.parse($("initial").textContent));
  connect();
})();
