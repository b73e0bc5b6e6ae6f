//! The console's JSON API (`/console/api/v1/…`, CONSOLE.md). Errors are
//! `{"error": code, "message": words}`; invalid changes add `"problems"`, every one at once.

// A handler's refusal is the response it answers with, made once per request: boxing it
// would only add an allocation.
#![allow(clippy::result_large_err)]

use super::auth::{self, Role, Session};
use super::Console;
use crate::config::{Config, Device, Problem};
use crate::hall::catalogue::{entries, list, Audit, ChangeError};
use antre_core::domain::day::rfc3339_ms;
use antre_core::domain::TicketStatus;
use antre_core::proto::{Event, Request, ServerMessage};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::time::Duration;

/// How long a pairing code is valid.
const PAIRING_VALID: Duration = Duration::from_secs(15 * 60);
/// Letters of a pairing code: no 0/O or 1/I/L to mix up on a device's keyboard.
const PAIRING_LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const PAIRING_CHARS: usize = 10;
/// A device offline this long raises an alert.
const OFFLINE_ALERT: chrono::Duration = chrono::Duration::minutes(1);
/// How often the live stream looks for new alerts.
const ALERT_CHECK: Duration = Duration::from_secs(5);

fn fail(status: StatusCode, code: &str, message: &str) -> Response {
    crate::web::error(status, code, message)
}

fn forbidden() -> Response {
    fail(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Peran Anda tidak mengizinkan ini. (Your role does not allow this.)",
    )
}

fn invalid(problems: &[Problem]) -> Response {
    let list: Vec<Value> = problems
        .iter()
        .map(|p| json!({"field": p.field, "message": p.message}))
        .collect();
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "error": "invalid",
            "message": "Perubahan tidak disimpan; perbaiki isian yang ditandai. (Not saved; fix the fields marked.)",
            "problems": list,
        })),
    )
        .into_response()
}

fn busy() -> Response {
    fail(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "Hub sedang sibuk; tidak ada yang berubah, coba lagi. (Busy; nothing changed, try again.)",
    )
}

pub async fn not_found() -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "not_found",
        "Halaman tidak ada. (No such page.)",
    )
}

/// The session of the request's cookie.
fn session_of(c: &Console, headers: &HeaderMap) -> Result<(String, Session), Response> {
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == auth::COOKIE)
        .map(|(_, v)| v.to_owned());
    match token.and_then(|t| c.sessions.get(&t).map(|s| (t, s))) {
        Some(s) => Ok(s),
        None => Err(fail(
            StatusCode::UNAUTHORIZED,
            "login_required",
            "Silakan masuk dulu. (Please log in.)",
        )),
    }
}

/// The session of a request that changes something: it must carry the session's CSRF token.
fn changing(c: &Console, headers: &HeaderMap) -> Result<Session, Response> {
    let (_, s) = session_of(c, headers)?;
    let given = headers
        .get("x-csrf-token")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        given.as_bytes(),
        s.csrf.as_bytes(),
    )) {
        return Err(fail(
            StatusCode::FORBIDDEN,
            "csrf",
            "Token CSRF tidak ada atau salah; muat ulang halaman. (Missing or wrong CSRF token; reload the page.)",
        ));
    }
    Ok(s)
}

/// A JSON body, or a clear error.
fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| {
        invalid(&[Problem::new(
            None,
            format!("Isi permintaan tidak terbaca (the body is not what was expected): {e}"),
        )])
    })
}

/// Whether the session may act on (or see) `service`.
fn sees_service(s: &Session, cfg: &Config, service: &str) -> bool {
    cfg.service(service)
        .is_some_and(|svc| s.sees(svc.agency.as_str()))
}

/// Whether the session sees `counter`: it serves one of the session's services.
fn sees_counter(s: &Session, cfg: &Config, counter: &str) -> bool {
    cfg.counter(counter)
        .is_some_and(|c| c.services.iter().any(|x| sees_service(s, cfg, x.as_str())))
}

/// Writes a line of the audit trail (a login, an act on a counter).
async fn record(c: &Console, user: &str, a: Audit) {
    let user = user.to_owned();
    let done = c
        .hub
        .run(move |hall, now| (hall.audit(now, &user, &a), (vec![], vec![])))
        .await;
    if !matches!(done, Some(Ok(()))) {
        tracing::error!("console: could not write the audit trail");
    }
}

fn action(action: &str, target: &str) -> Audit {
    Audit {
        action: action.into(),
        target: Some(target.into()),
        ..Audit::default()
    }
}

// --- logging in ---------------------------------------------------------------------------

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    user: String,
    password: String,
}

/// `POST /login`.
#[utoipa::path(post, path = "/console/api/v1/login", tag = "console", summary = "Log in; sets the session cookie", request_body = LoginBody, responses((status = 200, description = "{user, role, agencies, csrf}"), (status = 401, description = "wrong_login"), (status = 429, description = "locked: 5 wrong passwords within 15 minutes")))]
pub async fn login(State(c): State<Console>, bytes: Bytes) -> Response {
    let b: LoginBody = match body(&bytes) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if c.sessions.is_locked(&b.user) {
        return locked();
    }
    let name = b.user.clone();
    let row = match c.hub.read(move |dao| dao.user(&name)).await {
        Ok(r) => r,
        Err(_) => return busy(),
    };
    let password = b.password.clone();
    // An unknown user costs the same hash as a known one: the answer tells nothing apart.
    let hash = row.as_ref().map(|r| r.hash.clone());
    let good = tokio::task::spawn_blocking(move || match hash {
        Some(h) => auth::password_matches(&password, &h),
        None => {
            let _ = auth::password_matches(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false);
    let Some(row) = row.filter(|_| good) else {
        let locked_now = c.sessions.failed(&b.user);
        record(&c, &b.user, action("login_failed", &b.user)).await;
        if locked_now {
            record(&c, &b.user, action("locked", &b.user)).await;
            return locked();
        }
        return fail(
            StatusCode::UNAUTHORIZED,
            "wrong_login",
            "Nama pengguna atau kata sandi salah. (Wrong user or password.)",
        );
    };
    let Some(role) = Role::parse(&row.role) else {
        return forbidden();
    };
    c.sessions.succeeded(&row.name);
    let (token, s) = c.sessions.open(&row.name, role, row.agencies.clone());
    record(&c, &row.name, action("login", &row.name)).await;
    let cookie = format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/console; Max-Age={}",
        auth::COOKIE,
        auth::SESSION_IDLE.as_secs()
    );
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({
            "user": s.user,
            "role": s.role,
            "agencies": s.agencies,
            "csrf": s.csrf,
        })),
    )
        .into_response()
}

/// An argon2id hash of a random password nobody knows, made once: an unknown user's login
/// is checked against it, so it costs the same as a known one's.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(&auth::secret(32)).expect("a long password hashes"))
}

fn locked() -> Response {
    fail(
        StatusCode::TOO_MANY_REQUESTS,
        "locked",
        "Terlalu banyak kata sandi salah; pengguna ini dikunci 15 menit. (Too many wrong passwords; this user is locked for 15 minutes.)",
    )
}

/// `POST /logout`.
#[utoipa::path(post, path = "/console/api/v1/logout", tag = "console", summary = "End the session", responses((status = 200, description = "Logged out"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn logout(State(c): State<Console>, headers: HeaderMap) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Ok((token, _)) = session_of(&c, &headers) {
        c.sessions.close(&token);
    }
    record(&c, &s.user, action("logout", &s.user)).await;
    let clear = format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/console; Max-Age=0",
        auth::COOKIE
    );
    ([(header::SET_COOKIE, clear)], Json(json!({"ok": true}))).into_response()
}

// --- the live hall ------------------------------------------------------------------------

fn minutes_since(at: &str, now: DateTime<Utc>) -> Option<i64> {
    let t = DateTime::parse_from_rfc3339(at).ok()?;
    Some((now - t.with_timezone(&Utc)).num_minutes().max(0))
}

/// The alerts of the hall now, as the session sees it.
fn alerts(c: &Console, s: &Session, cfg: &Config, now: DateTime<Utc>) -> Vec<Value> {
    let tz = cfg.hall.timezone;
    let mut out = vec![];
    c.live.with_view(|view| {
        for t in view
            .tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting)
        {
            let Some(svc) = cfg.service(t.service.as_str()) else {
                continue;
            };
            let (Some(max), true) = (svc.max_wait_min, s.sees(svc.agency.as_str())) else {
                continue;
            };
            let since = t.queued_at.as_deref().unwrap_or(&t.issued_at);
            if let Some(waited) = minutes_since(since, now).filter(|&m| m >= i64::from(max)) {
                out.push(json!({
                    "kind": "long_wait", "service": t.service, "ticket": t.code,
                    "waited_min": waited, "at": rfc3339_ms(now.timestamp_millis(), tz),
                }));
            }
        }
        for d in &cfg.devices {
            let p = c.hub.presence(&d.id);
            if p.connections == 0 && now - p.since > OFFLINE_ALERT {
                out.push(json!({
                    "kind": "device_offline", "device": d.id,
                    "since": rfc3339_ms(p.since.timestamp_millis(), tz),
                }));
            }
            if let Some(st) = view.devices.get(&d.id).filter(|st| !st.printer.can_print()) {
                out.push(json!({"kind": "printer", "device": d.id, "status": st.printer}));
            }
        }
    });
    out
}

/// `GET /hall`: the live hall as the session sees it.
#[utoipa::path(get, path = "/console/api/v1/hall", tag = "console", summary = "The live hall as the session sees it", responses((status = 200, description = "{hall, counters, waiting, devices, alerts, today}"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn hall(State(c): State<Console>, headers: HeaderMap) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    let now = c.hub.now();
    let alerts = alerts(&c, &s, &cfg, now);
    let tz = cfg.hall.timezone;
    let body = c.live.with_view(|view| {
        let mut hall = json!(view.hall);
        if let Some(services) = hall.get_mut("services").and_then(Value::as_array_mut) {
            services.retain(|x| x["agency"].as_str().is_some_and(|a| s.sees(a)));
        }
        if let Some(counters) = hall.get_mut("counters").and_then(Value::as_array_mut) {
            counters.retain(|x| x["id"].as_str().is_some_and(|id| sees_counter(&s, &cfg, id)));
        }
        let counters: Vec<Value> = cfg
            .counters
            .iter()
            .filter(|k| sees_counter(&s, &cfg, k.id.as_str()))
            .map(|k| match view.counters.get(&k.id) {
                Some(st) => json!(st),
                None => json!({"id": k.id, "open": false, "officer": null, "current": null, "paused": null}),
            })
            .collect();
        let waiting: Vec<Value> = cfg
            .services
            .iter()
            .filter(|svc| s.sees(svc.agency.as_str()))
            .map(|svc| {
                let queue = view.tickets.iter().filter(|t| {
                    t.status == TicketStatus::Waiting && t.service == svc.id
                });
                let longest = queue
                    .clone()
                    .filter_map(|t| minutes_since(t.queued_at.as_deref().unwrap_or(&t.issued_at), now))
                    .max();
                json!({"service": svc.id, "count": queue.count(), "longest_wait_min": longest})
            })
            .collect();
        let devices: Vec<Value> = cfg
            .devices
            .iter()
            .map(|d| {
                let p = c.hub.presence(&d.id);
                json!({
                    "id": d.id, "role": d.role, "online": p.connections > 0,
                    "since": rfc3339_ms(p.since.timestamp_millis(), tz),
                    "status": view.devices.get(&d.id).map(|st| st.printer),
                })
            })
            .collect();
        let mine: Vec<_> = view
            .tickets
            .iter()
            .chain(view.cancelled.values())
            .filter(|t| sees_service(&s, &cfg, t.service.as_str()))
            .collect();
        let count = |st: TicketStatus| mine.iter().filter(|t| t.status == st).count();
        let waits: Vec<i64> = mine
            .iter()
            .filter_map(|t| {
                let called = DateTime::parse_from_rfc3339(t.called_at.as_deref()?).ok()?;
                let queued = DateTime::parse_from_rfc3339(t.queued_at.as_deref().unwrap_or(&t.issued_at)).ok()?;
                Some((called - queued).num_seconds().max(0))
            })
            .collect();
        let wait_avg_min = (!waits.is_empty())
            .then(|| (waits.iter().sum::<i64>() as f64 / waits.len() as f64 / 60.0 * 10.0).round() / 10.0);
        json!({
            "hall": hall,
            "counters": counters,
            "waiting": waiting,
            "devices": devices,
            "alerts": alerts,
            "today": {
                "issued": mine.len(),
                "served": count(TicketStatus::Done),
                "no_show": count(TicketStatus::NoShow),
                "cancelled": count(TicketStatus::Cancelled),
                "wait_avg_min": wait_avg_min,
            },
            "you": {"user": s.user, "role": s.role, "agencies": s.agencies, "csrf": s.csrf},
        })
    });
    Json(body).into_response()
}

/// Whether the session sees event `e`: its ticket's service or its counter is theirs.
fn sees_event(s: &Session, cfg: &Config, e: &Event) -> bool {
    if s.agencies.is_none() {
        return true;
    }
    e.ticket
        .as_ref()
        .is_some_and(|t| sees_service(s, cfg, t.service.as_str()))
        || e.counter
            .as_ref()
            .is_some_and(|k| sees_counter(s, cfg, k.as_str()))
        || (e.ticket.is_none() && e.counter.is_none())
}

/// `GET /events`: every protocol event as SSE (`id:` its seq; `Last-Event-ID` resumes),
/// plus `event: alert` for each new alert.
#[utoipa::path(get, path = "/console/api/v1/events", tag = "console", summary = "Every protocol event as SSE (id = seq; Last-Event-ID resumes); event: alert for each new alert; event: devices when a device comes online or goes offline", responses((status = 200, description = "text/event-stream"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn events(State(c): State<Console>, headers: HeaderMap) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let since = headers
        .get("last-event-id")
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut rx = c.hub.subscribe();
    let missed = if since > 0 {
        match c.hub.welcome(since).await {
            Ok(w) => w.resume,
            Err(_) => return busy(),
        }
    } else {
        vec![]
    };
    let (tx, out) = tokio::sync::mpsc::channel::<SseEvent>(256);
    let mut stopping = c.stopping.clone();
    let mut presence = c.hub.watch_presence();
    tokio::spawn(async move {
        let mut last = since;
        let mut sent_alerts = std::collections::HashSet::new();
        let mut tick = tokio::time::interval(ALERT_CHECK);
        let send = |e: &Event, last: &mut u64| {
            *last = e.seq;
            let cfg = c.hub.config();
            sees_event(&s, &cfg, e).then(|| {
                SseEvent::default()
                    .id(e.seq.to_string())
                    .data(serde_json::to_string(&e.for_devices()).expect("events serialize"))
            })
        };
        for e in &missed {
            if let Some(ev) = send(e, &mut last) {
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        }
        loop {
            let ev = tokio::select! {
                _ = stopping.changed() => return,
                Ok(()) = presence.changed() => {
                    // A device came online or went offline: the page reads the hall again.
                    Some(SseEvent::default().event("devices").data("{}"))
                }
                _ = tick.tick() => {
                    let cfg = c.hub.config();
                    for a in alerts(&c, &s, &cfg, c.hub.now()) {
                        let key = format!("{}{}{}{}", a["kind"], a["ticket"], a["device"], a["status"]);
                        if sent_alerts.insert(key) {
                            let _ = tx.send(SseEvent::default().event("alert").data(a.to_string())).await;
                        }
                    }
                    continue;
                }
                r = rx.recv() => match r {
                    Ok(line) if line.seq > last => send(&line.event, &mut last),
                    Ok(_) => None,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            };
            if let Some(ev) = ev {
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        }
    });
    let stream = futures_util::stream::unfold(out, |mut out| async move {
        out.recv().await.map(|e| (Ok::<_, Infallible>(e), out))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

// --- acting on the hall -------------------------------------------------------------------

/// The console user as the device its requests are made by: an admin, named after the user.
fn as_device(s: &Session) -> Device {
    Device::internal(
        &format!("console:{}", s.user),
        antre_core::proto::Role::Admin,
    )
}

/// Runs a protocol request for the console user and answers as CONSOLE.md says.
async fn execute(c: &Console, s: &Session, req: Request, audit_as: Audit) -> Response {
    let id = auth::secret(16);
    match c.hub.execute(&as_device(s), &id, Ok(req)).await {
        ServerMessage::Ok(ok) => {
            record(c, &s.user, audit_as).await;
            Json(json!({"ticket": ok.ticket, "counter": ok.counter})).into_response()
        }
        ServerMessage::Error(e) => {
            let status = match e.code {
                antre_core::proto::ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
                antre_core::proto::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                antre_core::proto::ErrorCode::Busy | antre_core::proto::ErrorCode::Internal => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::CONFLICT,
            };
            fail(status, e.code.as_str(), &e.message)
        }
        _ => busy(),
    }
}

/// `POST /counters/{id}/{action}`: open, close, pause, resume, call_next, recall, finish,
/// no_show, transfer — the protocol's requests on the counter's behalf.
#[utoipa::path(post, path = "/console/api/v1/counters/{id}/{action}", tag = "console", summary = "A protocol request on a counter's behalf: open, close, pause, resume, call_next, recall, finish, no_show, transfer", request_body = ActBody, params(("id" = String, Path, description = "the counter"), ("action" = String, Path, description = "open|close|pause|resume|call_next|recall|finish|no_show|transfer")), responses((status = 200, description = "{ticket, counter}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 409, description = "refused by the queue's rules: the protocol's error code"), (status = 503, description = "busy: nothing changed, try again")))]
pub async fn act(
    State(c): State<Console>,
    headers: HeaderMap,
    Path((counter, what)): Path<(String, String)>,
    bytes: Bytes,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    if cfg.counter(&counter).is_none() {
        return fail(
            StatusCode::NOT_FOUND,
            "unknown_counter",
            &format!("Loket {counter} tidak ada. (No counter {counter}.)"),
        );
    }
    if s.role == Role::Viewer || !sees_counter(&s, &cfg, &counter) {
        return forbidden();
    }
    let kind = match what.as_str() {
        "open" => "open_counter",
        "close" => "close_counter",
        "pause" => "pause_counter",
        "resume" => "resume_counter",
        "call_next" | "recall" | "finish" | "no_show" | "transfer" => what.as_str(),
        _ => return not_found().await,
    };
    let mut fields = if bytes.is_empty() {
        serde_json::Map::new()
    } else {
        match body::<serde_json::Map<String, Value>>(&bytes) {
            Ok(m) => m,
            Err(r) => return r,
        }
    };
    fields.insert("type".into(), json!(kind));
    fields.insert("counter".into(), json!(counter));
    let after = Value::Object(fields.clone()).to_string();
    let req = match Request::deserialize(Value::Object(fields)) {
        Ok(r) => r,
        Err(e) => return invalid(&[Problem::new(None, e.to_string())]),
    };
    if let Err(m) = req.validate() {
        return invalid(&[Problem::new(None, m)]);
    }
    let a = Audit {
        action: format!("counter_{what}"),
        target: Some(counter),
        before: None,
        after: Some(after),
    };
    execute(&c, &s, req, a).await
}

/// `POST /tickets/{code}/cancel` (an admin, or a supervisor of the ticket's service).
#[utoipa::path(post, path = "/console/api/v1/tickets/{code}/cancel", tag = "console", summary = "Cancel a waiting ticket", params(("code" = String, Path, description = "e.g. A-012")), responses((status = 200, description = "{ticket}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 409, description = "refused by the queue's rules: the protocol's error code")))]
pub async fn cancel(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(code) = raw
        .parse::<antre_core::domain::TicketCode>()
        .map(|c| c.to_string())
    else {
        return fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Nomor tiket tidak dikenali; contoh: A-012. (Not a ticket code; e.g. A-012.)",
        );
    };
    let cfg = c.hub.config();
    let service = c.live.with_view(|v| {
        v.tickets
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.service.clone())
    });
    let allowed = match s.role {
        Role::Admin => true,
        Role::Supervisor => service.is_none_or(|svc| sees_service(&s, &cfg, svc.as_str())),
        Role::Viewer => false,
    };
    if !allowed {
        return forbidden();
    }
    let req = Request::CancelTicket {
        ticket: code.clone(),
        key: None,
    };
    execute(&c, &s, req, action("ticket_cancel", &code)).await
}

// --- the catalogue ------------------------------------------------------------------------

/// Runs a catalogue change for the session and answers it.
async fn change(
    c: &Console,
    s: &Session,
    ok: StatusCode,
    edit: impl FnOnce(
            &Config,
            &mut toml::Table,
            &crate::store::dao::Dao<'_>,
        ) -> Result<(Audit, Value), ChangeError>
        + Send
        + 'static,
) -> Response {
    let user = s.user.clone();
    let done = c
        .hub
        .run(move |hall, now| {
            let mut answer = Value::Null;
            let r = hall.change_catalogue(now, &user, |cfg, table, dao| {
                let (audit, a) = edit(cfg, table, dao)?;
                answer = a;
                Ok(audit)
            });
            match r {
                Ok(change) => (Ok(answer), change),
                Err(e) => (Err(e), (vec![], vec![])),
            }
        })
        .await;
    match done {
        Some(Ok(answer)) => (ok, Json(answer)).into_response(),
        Some(Err(ChangeError::Invalid(p))) => invalid(&p),
        Some(Err(ChangeError::NotFound(what))) => fail(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("Tidak ditemukan: {what}. (Not found: {what}.)"),
        ),
        Some(Err(ChangeError::Conflict(code, m))) => fail(StatusCode::CONFLICT, code, &m),
        Some(Err(ChangeError::Db(e))) => {
            tracing::error!(error = %e, "console: the catalogue change failed");
            busy()
        }
        None => busy(),
    }
}

/// The service fields a console sends, checked for their type; every problem at once.
fn service_fields(v: &Value, with_id: bool) -> Result<toml::Table, Vec<Problem>> {
    entry_fields(v, &SERVICES, with_id)
}

const SERVICES: Section = Section {
    list: "services",
    noun: "service",
    fields: &[
        ("agency", Kind::Text),
        ("name", Kind::Text),
        ("prefix", Kind::Text),
        ("hours", Kind::Text),
        ("daily_quota", Kind::Number),
        ("standard_minutes", Kind::Number),
        ("max_wait_min", Kind::Number),
        ("requirements", Kind::Texts),
    ],
    required: &["agency", "name", "prefix"],
};

fn service_json(cfg: &Config, id: &str) -> Value {
    cfg.service(id).map_or(Value::Null, |s| {
        json!({
            "id": s.id, "agency": s.agency, "name": s.name, "prefix": s.prefix,
            "daily_quota": s.daily_quota, "hours": s.hours.map(|h| h.to_string()),
            "requirements": s.requirements, "standard_minutes": s.standard_minutes,
            "max_wait_min": s.max_wait_min,
        })
    })
}

/// `GET /services`.
#[utoipa::path(get, path = "/console/api/v1/services", tag = "console", summary = "The services the session sees", responses((status = 200, description = "[service]"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn services(State(c): State<Console>, headers: HeaderMap) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    let list: Vec<Value> = cfg
        .services
        .iter()
        .filter(|x| s.sees(x.agency.as_str()))
        .map(|x| service_json(&cfg, x.id.as_str()))
        .collect();
    Json(list).into_response()
}

/// Whether the session may change a service of `agency`.
fn may_change(s: &Session, agency: Option<&str>) -> bool {
    match s.role {
        Role::Admin => true,
        Role::Supervisor => agency.is_some_and(|a| s.sees(a)),
        Role::Viewer => false,
    }
}

/// `POST /services`: a new service.
#[utoipa::path(post, path = "/console/api/v1/services", tag = "console", summary = "Add a service", request_body = ServiceBody, responses((status = 201, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn create_service(
    State(c): State<Console>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let v: Value = match body(&bytes) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fields = match service_fields(&v, true) {
        Ok(f) => f,
        Err(p) => return invalid(&p),
    };
    if !may_change(&s, fields.get("agency").and_then(|a| a.as_str())) {
        return forbidden();
    }
    let id = fields["id"].as_str().unwrap_or_default().to_owned();
    change(&c, &s, StatusCode::CREATED, move |cfg, table, _| {
        if cfg.service(&id).is_some() {
            return Err(ChangeError::Invalid(vec![Problem::new(
                Some("id"),
                format!("Layanan {id:?} sudah ada. (Service {id:?} exists already.)"),
            )]));
        }
        let after = toml::to_string(&fields).ok();
        list(table, "services").push(toml::Value::Table(fields));
        Ok((
            Audit {
                action: "service_create".into(),
                target: Some(id.clone()),
                before: None,
                after,
            },
            json!({"id": id}),
        ))
    })
    .await
}

/// `PUT /services/{id}`: the whole service.
#[utoipa::path(put, path = "/console/api/v1/services/{id}", tag = "console", summary = "Replace a service (the whole service)", request_body = ServiceBody, params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 404, description = "unknown_service")))]
pub async fn put_service(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let v: Value = match body(&bytes) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut fields = match service_fields(&v, false) {
        Ok(f) => f,
        Err(p) => return invalid(&p),
    };
    let cfg = c.hub.config();
    let Some(old) = cfg.service(&id) else {
        return fail(
            StatusCode::NOT_FOUND,
            "unknown_service",
            &format!("Layanan {id} tidak ada. (No service {id}.)"),
        );
    };
    // Both the agency it is in and the one it moves to must be the supervisor's.
    if !may_change(&s, Some(old.agency.as_str()))
        || !may_change(&s, fields.get("agency").and_then(|a| a.as_str()))
    {
        return forbidden();
    }
    fields.insert("id".into(), toml::Value::String(id.clone()));
    change(&c, &s, StatusCode::OK, move |cfg, table, _| {
        let before = Some(service_json(cfg, &id).to_string());
        let entry = entries(table, "services")
            .find(|e| e.get("id").and_then(|v| v.as_str()) == Some(id.as_str()))
            .ok_or_else(|| ChangeError::NotFound(format!("service {id}")))?;
        *entry = fields;
        Ok((
            Audit {
                action: "service_update".into(),
                target: Some(id.clone()),
                before,
                after: Some(v.to_string()),
            },
            json!({"id": id}),
        ))
    })
    .await
}

/// `DELETE /services/{id}` (409 `in_use` if it has tickets today).
#[utoipa::path(delete, path = "/console/api/v1/services/{id}", tag = "console", summary = "Remove a service", params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 409, description = "in_use: it has tickets today")))]
pub async fn delete_service(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    if !may_change(&s, cfg.service(&id).map(|x| x.agency.as_str())) {
        return forbidden();
    }
    change(&c, &s, StatusCode::OK, move |cfg, table, dao| {
        if cfg.service(&id).is_none() {
            return Err(ChangeError::NotFound(format!("service {id}")));
        }
        if dao.issued_per_service()?.get(id.as_str()).copied().unwrap_or(0) > 0 {
            return Err(ChangeError::Conflict(
                "in_use",
                format!("Layanan {id} sudah punya tiket hari ini; hapus besok. (Service {id} has tickets today; remove it tomorrow.)"),
            ));
        }
        let before = Some(service_json(cfg, &id).to_string());
        list(table, "services").retain(|e| e.get("id").and_then(|v| v.as_str()) != Some(id.as_str()));
        Ok((
            Audit { action: "service_delete".into(), target: Some(id.clone()), before, after: None },
            json!({"id": id}),
        ))
    })
    .await
}

/// `PUT /running_text` `["…", "…"]` (admin).
#[utoipa::path(put, path = "/console/api/v1/running_text", tag = "console", summary = "The displays' running text, line by line", request_body = Vec<String>, responses((status = 200, description = "the lines"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn running_text(State(c): State<Console>, headers: HeaderMap, bytes: Bytes) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let lines: Vec<String> = match body(&bytes) {
        Ok(l) => l,
        Err(r) => return r,
    };
    change(&c, &s, StatusCode::OK, move |cfg, table, _| {
        let before = serde_json::to_string(&cfg.hall.running_text).ok();
        let after = serde_json::to_string(&lines).ok();
        table.insert(
            "running_text".into(),
            toml::Value::Array(lines.iter().cloned().map(toml::Value::String).collect()),
        );
        Ok((
            Audit {
                action: "running_text".into(),
                target: None,
                before,
                after,
            },
            json!(lines),
        ))
    })
    .await
}

// --- devices ------------------------------------------------------------------------------

/// `GET /devices` (admin).
#[utoipa::path(get, path = "/console/api/v1/devices", tag = "console", summary = "Every device, online or not (admin)", responses((status = 200, description = "[{id, role, counter, agencies, online, since}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn devices(State(c): State<Console>, headers: HeaderMap) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let cfg = c.hub.config();
    let tz = cfg.hall.timezone;
    let list: Vec<Value> = cfg
        .devices
        .iter()
        .map(|d| {
            let p = c.hub.presence(&d.id);
            json!({
                "id": d.id, "role": d.role, "counter": d.counter, "agencies": d.zone,
                "online": p.connections > 0,
                "since": rfc3339_ms(p.since.timestamp_millis(), tz),
            })
        })
        .collect();
    Json(list).into_response()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    id: String,
    /// kiosk, counter, display or admin.
    #[schema(value_type = String)]
    role: antre_core::proto::Role,
    #[serde(default)]
    counter: Option<String>,
    #[serde(default)]
    agencies: Option<Vec<String>>,
    /// A smart TV as a web display: no pairing code (a TV remote cannot type one); its token
    /// is made now and shown once, in the display page's address and as a QR code.
    #[serde(default)]
    web: bool,
}

/// `POST /devices` (admin): the device is added (no token opens it yet) and gets a
/// single-use pairing code, valid 15 minutes. An existing device gets a new code: its old
/// token works until it pairs.
#[utoipa::path(post, path = "/console/api/v1/devices", tag = "console", summary = "Add a device (or re-pair one): a single-use pairing code, valid 15 minutes", request_body = NewDevice, responses((status = 201, description = "{id, pairing_code, expires_at}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn add_device(State(c): State<Console>, headers: HeaderMap, bytes: Bytes) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let d: NewDevice = match body(&bytes) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let (web, role) = (d.web, d.role);
    if web && role != antre_core::proto::Role::Display {
        return invalid(&[Problem::new(
            Some("web"),
            "Hanya perangkat layar (display) yang bisa menjadi layar web. (Only a display can be a web display.)",
        )]);
    }
    let code: String = (0..PAIRING_CHARS)
        .map(|_| {
            let i = rand::Rng::gen_range(&mut rand::rngs::OsRng, 0..PAIRING_LETTERS.len());
            PAIRING_LETTERS[i] as char
        })
        .collect();
    let cfg = c.hub.config();
    let id = d.id.trim().to_owned();
    if cfg.device(&id).is_none() {
        let r = change(&c, &s, StatusCode::CREATED, {
            let id = id.clone();
            move |_, table, _| {
                let mut t = toml::Table::new();
                t.insert("id".into(), toml::Value::String(id.clone()));
                t.insert("role".into(), toml::Value::String(d.role.as_str().into()));
                // No token opens it until it pairs: the hash of 32 random bytes nobody has.
                t.insert(
                    "token_sha256".into(),
                    toml::Value::String(hex::encode(rand::random::<[u8; 32]>())),
                );
                if let Some(k) = d.counter {
                    t.insert("counter".into(), toml::Value::String(k));
                }
                if let Some(a) = d.agencies {
                    t.insert(
                        "agencies".into(),
                        toml::Value::Array(a.into_iter().map(toml::Value::String).collect()),
                    );
                }
                let after = serde_json::json!({"role": d.role}).to_string();
                list(table, "devices").push(toml::Value::Table(t));
                Ok((
                    Audit {
                        action: "device_add".into(),
                        target: Some(id.clone()),
                        before: None,
                        after: Some(after),
                    },
                    Value::Null,
                ))
            }
        })
        .await;
        if r.status() != StatusCode::CREATED {
            return r;
        }
    }
    if web {
        return web_display(&c, &s, &headers, id).await;
    }
    let expires = c.hub.now() + chrono::Duration::from_std(PAIRING_VALID).expect("15 minutes");
    let (device, pairing) = (id.clone(), code.clone());
    let done = c
        .hub
        .run(move |hall, now| {
            (
                hall.add_pairing(now, &device, &pairing, expires),
                (vec![], vec![]),
            )
        })
        .await;
    if !matches!(done, Some(Ok(()))) {
        return busy();
    }
    record(&c, &s.user, action("device_pairing_code", &id)).await;
    let tz = cfg.hall.timezone;
    (
        StatusCode::CREATED,
        Json(json!({
            "id": id,
            "pairing_code": code,
            "expires_at": rfc3339_ms(expires.timestamp_millis(), tz),
        })),
    )
        .into_response()
}

/// Gives display `id` a new token for a smart TV and answers with the display page's
/// address holding it in the fragment (never sent to a server), and its QR code. The token
/// before it, if any, stops working (its connections close).
async fn web_display(c: &Console, s: &Session, headers: &HeaderMap, id: String) -> Response {
    use base64::Engine;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    let r = change(c, s, StatusCode::CREATED, {
        let id = id.clone();
        move |_, table, _| {
            let entry = entries(table, "devices")
                .find(|e| e.get("id").and_then(|v| v.as_str()) == Some(id.as_str()))
                .ok_or_else(|| ChangeError::NotFound(format!("device {id}")))?;
            entry.remove("token");
            entry.remove("sample");
            entry.insert("token_sha256".into(), toml::Value::String(hash));
            Ok((
                Audit {
                    action: "device_web_display".into(),
                    target: Some(id.clone()),
                    ..Audit::default()
                },
                Value::Null,
            ))
        }
    })
    .await;
    if r.status() != StatusCode::CREATED {
        return r;
    }
    let cfg = c.hub.config();
    let base = display_base(&cfg, headers);
    let url = format!("{base}/display#token={token}");
    (
        StatusCode::CREATED,
        Json(json!({"id": id, "display_url": url, "qr_svg": antre_core::qr::svg(&url, "QR")})),
    )
        .into_response()
}

/// Where a TV reaches the web pages: `[hall] public_url`, else the address the console was
/// reached at with the web pages' port.
fn display_base(cfg: &Config, headers: &HeaderMap) -> String {
    if let Some(u) = &cfg.hall.public_url {
        return u.clone();
    }
    let port = cfg.hall.http_listen.map_or(8080, |a| a.port());
    match cfg.hall.http_listen {
        Some(a) if !a.ip().is_unspecified() => format!("http://{a}"),
        _ => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| {
                    h.rsplit_once(':')
                        .map(|(h, _)| h.to_owned())
                        .or(Some(h.to_owned()))
                })
                .unwrap_or_else(|| "127.0.0.1".into());
            format!("http://{host}:{port}")
        }
    }
}

/// `DELETE /devices/{id}` (admin): revoked; its connections close at once.
#[utoipa::path(delete, path = "/console/api/v1/devices/{id}", tag = "console", summary = "Revoke a device: its connections close at once", params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 404, description = "not_found")))]
pub async fn revoke(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    change(&c, &s, StatusCode::OK, move |cfg, table, dao| {
        let Some(d) = cfg.device(&id) else {
            return Err(ChangeError::NotFound(format!("device {id}")));
        };
        let before = json!({"role": d.role, "counter": d.counter}).to_string();
        list(table, "devices")
            .retain(|e| e.get("id").and_then(|v| v.as_str()) != Some(id.as_str()));
        dao.drop_pairings_of(&id)?;
        Ok((
            Audit {
                action: "device_revoke".into(),
                target: Some(id.clone()),
                before: Some(before),
                after: None,
            },
            json!({"id": id}),
        ))
    })
    .await
}

// --- users and the audit trail ------------------------------------------------------------

/// `GET /users` (admin; never a password).
#[utoipa::path(get, path = "/console/api/v1/users", tag = "console", summary = "The users, never a password (admin)", responses((status = 200, description = "[{name, role, agencies}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn users(State(c): State<Console>, headers: HeaderMap) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    match c.hub.read(|dao| dao.users()).await {
        Ok(rows) => Json(
            rows.iter()
                .map(|u| json!({"name": u.name, "role": u.role, "agencies": u.agencies}))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(_) => busy(),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    name: String,
    /// admin, supervisor or viewer.
    #[schema(value_type = String)]
    role: Role,
    #[serde(default)]
    agencies: Option<Vec<String>>,
    password: String,
}

/// `POST /users` (admin).
#[utoipa::path(post, path = "/console/api/v1/users", tag = "console", summary = "Add a user or replace one (admin)", request_body = NewUser, responses((status = 201, description = "{name, role}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn add_user(State(c): State<Console>, headers: HeaderMap, bytes: Bytes) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let u: NewUser = match body(&bytes) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (cfg, now_ms) = (c.hub.config(), c.hub.now().timestamp_millis());
    let (name, role) = (u.name.clone(), u.role);
    let row = tokio::task::spawn_blocking(move || {
        super::users::new_row(&cfg, &u.name, u.role, u.agencies, &u.password, now_ms)
    })
    .await;
    let row = match row {
        Ok(Ok(row)) => row,
        Ok(Err(problems)) => return invalid(&problems),
        Err(_) => return busy(),
    };
    let actor = s.user.clone();
    let done = c
        .hub
        .run(move |hall, now| {
            let r = hall.write_rows(now, |dao| super::users::save(dao, &actor, &row));
            (r, (vec![], vec![]))
        })
        .await;
    match done {
        Some(Ok(())) => {
            c.sessions.close_user(&name);
            (
                StatusCode::CREATED,
                Json(json!({"name": name, "role": role})),
            )
                .into_response()
        }
        _ => busy(),
    }
}

/// `DELETE /users/{name}` (admin).
#[utoipa::path(delete, path = "/console/api/v1/users/{name}", tag = "console", summary = "Remove a user (admin)", params(("name" = String, Path)), responses((status = 200, description = "{name}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 404, description = "not_found")))]
pub async fn remove_user(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let (actor, who) = (s.user.clone(), name.clone());
    let done = c
        .hub
        .run(move |hall, now| {
            let r = hall.write_rows(now, |dao| super::users::delete(dao, &actor, &who));
            (r, (vec![], vec![]))
        })
        .await;
    match done {
        Some(Ok(true)) => {
            c.sessions.close_user(&name);
            Json(json!({"name": name})).into_response()
        }
        Some(Ok(false)) => fail(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("Pengguna {name} tidak ada. (No user {name}.)"),
        ),
        _ => busy(),
    }
}

#[derive(Deserialize)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /audit?from=YYYY-MM-DD&to=YYYY-MM-DD` (admin, or a viewer of the whole hall).
#[utoipa::path(get, path = "/console/api/v1/audit", tag = "console", summary = "The audit trail of a period (admin, or a viewer of the whole hall)", params(("from" = Option<String>, Query, description = "YYYY-MM-DD, default today"), ("to" = Option<String>, Query, description = "YYYY-MM-DD, default today")), responses((status = 200, description = "[{at, user, action, target, before, after}]"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn audit_trail(
    State(c): State<Console>,
    headers: HeaderMap,
    Query(p): Query<Period>,
) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !(s.role == Role::Admin || (s.role == Role::Viewer && s.agencies.is_none())) {
        return forbidden();
    }
    let cfg = c.hub.config();
    let tz = cfg.hall.timezone;
    let today = antre_core::domain::day::service_day(c.hub.now(), tz);
    let day = |d: &Option<String>| -> Result<chrono::NaiveDate, Response> {
        match d {
            None => Ok(today),
            Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                invalid(&[Problem::new(
                    Some("from"),
                    format!(
                        "{t:?}: tulis tanggal sebagai YYYY-MM-DD. (Write dates as YYYY-MM-DD.)"
                    ),
                )])
            }),
        }
    };
    let (from, to) = match (day(&p.from), day(&p.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map_or(0, |t| t.timestamp_millis())
    };
    let (from_ms, to_ms) = (start(from), start(to + chrono::Duration::days(1)));
    match c
        .hub
        .read(move |dao| dao.audit_between(from_ms, to_ms))
        .await
    {
        Ok(rows) => Json(
            rows.iter()
                .map(|r| {
                    json!({
                        "at": rfc3339_ms(r.at_ms, tz), "user": r.user, "action": r.action,
                        "target": r.target, "before": r.before, "after": r.after,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(_) => busy(),
    }
}

// --- agencies, counters, holidays ---------------------------------------------------------

/// What a field of a catalogue entry holds, as the console sends it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Texts,
}

/// One list of the catalogue that the console edits whole entries of.
struct Section {
    /// Its name in the catalogue (`counters`) and in the audit trail (`counter`).
    list: &'static str,
    noun: &'static str,
    fields: &'static [(&'static str, Kind)],
    required: &'static [&'static str],
}

const AGENCIES: Section = Section {
    list: "agencies",
    noun: "agency",
    fields: &[("name", Kind::Text), ("color", Kind::Text)],
    required: &["name"],
};

const COUNTERS: Section = Section {
    list: "counters",
    noun: "counter",
    fields: &[
        ("name", Kind::Text),
        ("services", Kind::Texts),
        ("breaks", Kind::Texts),
    ],
    required: &["name", "services"],
};

/// An entry of `section` from a console's JSON, checked for its fields' types; every
/// problem at once.
fn entry_fields(v: &Value, section: &Section, with_id: bool) -> Result<toml::Table, Vec<Problem>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![Problem::new(
            None,
            "Isi harus objek JSON. (The body must be a JSON object.)",
        )]);
    };
    let mut problems = vec![];
    let mut t = toml::Table::new();
    for (k, v) in obj {
        let kind = match section.fields.iter().find(|(f, _)| f == k) {
            Some((_, kind)) => *kind,
            None if k == "id" && with_id => Kind::Text,
            None => {
                problems.push(Problem::new(
                    Some(k),
                    format!("Isian {k:?} tidak dikenal. (Unknown field {k:?}.)"),
                ));
                continue;
            }
        };
        match to_toml(v, kind) {
            Ok(Some(value)) => {
                t.insert(k.clone(), value);
            }
            Ok(None) => {}
            Err(m) => problems.push(Problem::new(Some(k), format!("{k}: {m}"))),
        }
    }
    let id = with_id.then_some("id");
    for need in section.required.iter().copied().chain(id) {
        if !t.contains_key(need) {
            problems.push(Problem::new(
                Some(need),
                format!("{need}: wajib diisi. (required.)"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(t)
    } else {
        Err(problems)
    }
}

/// A JSON value as the TOML of a field of `kind`; `None` for null (the field left out).
fn to_toml(v: &Value, kind: Kind) -> Result<Option<toml::Value>, &'static str> {
    Ok(Some(match (kind, v) {
        (_, Value::Null) => return Ok(None),
        (Kind::Text, Value::String(s)) => toml::Value::String(s.trim().to_owned()),
        (Kind::Number, Value::Number(n)) => {
            match n.as_u64().filter(|&n| n <= u64::from(u32::MAX)) {
                Some(n) => toml::Value::Integer(n as i64),
                None => {
                    return Err(
                        "harus bilangan bulat 0 atau lebih. (must be a whole number, 0 or more.)",
                    )
                }
            }
        }
        (Kind::Texts, Value::Array(a)) if a.iter().all(Value::is_string) => toml::Value::Array(
            a.iter()
                .filter_map(Value::as_str)
                .map(|s| toml::Value::String(s.trim().to_owned()))
                .collect(),
        ),
        (Kind::Text, _) => return Err("harus teks. (must be text.)"),
        (Kind::Number, _) => {
            return Err("harus bilangan bulat 0 atau lebih. (must be a whole number, 0 or more.)")
        }
        (Kind::Texts, _) => return Err("harus daftar teks. (must be a list of texts.)"),
    }))
}

/// The entries of `list` in the catalogue whose id `keep` takes, as JSON, read in one pass.
fn entries_json(cfg: &Config, list: &str, keep: impl Fn(&str) -> bool) -> Vec<Value> {
    let mut t: toml::Table = toml::from_str(&cfg.catalogue_toml()).expect("a catalogue reads back");
    let found = entries(&mut t, list)
        .filter(|e| e.get("id").and_then(|v| v.as_str()).is_some_and(&keep))
        .map(|e| serde_json::to_value(&*e).unwrap_or(Value::Null))
        .collect();
    found
}

/// The entry `id` of `list` in the catalogue, as JSON (for the audit trail and answers).
fn entry_json(cfg: &Config, list: &str, id: &str) -> Value {
    entries_json(cfg, list, |x| x == id)
        .pop()
        .unwrap_or(Value::Null)
}

/// Whether entry `id` of `section` cannot be removed today, and why (409 `in_use`).
fn in_use(
    section: &Section,
    cfg: &Config,
    dao: &crate::store::dao::Dao<'_>,
    id: &str,
) -> Result<Option<String>, ChangeError> {
    Ok(match section.list {
        "counters" if dao.counter(id)?.open => Some(format!(
            "Loket {id} sedang buka; tutup dulu. (Counter {id} is open; close it first.)"
        )),
        "agencies" if cfg.services.iter().any(|s| s.agency.as_str() == id) => Some(format!(
            "Instansi {id} masih punya layanan; pindahkan atau hapus dulu. (Agency {id} still has services.)"
        )),
        _ => None,
    })
}

/// `GET /agencies`, `GET /counters`.
async fn list_section(c: &Console, headers: &HeaderMap, section: &Section) -> Response {
    let (_, s) = match session_of(c, headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    let ids: Vec<String> = match section.list {
        "agencies" => cfg
            .agencies
            .iter()
            .filter(|a| s.sees(a.id.as_str()))
            .map(|a| a.id.to_string())
            .collect(),
        _ => cfg
            .counters
            .iter()
            .filter(|k| sees_counter(&s, &cfg, k.id.as_str()))
            .map(|k| k.id.to_string())
            .collect(),
    };
    Json(entries_json(&cfg, section.list, |id| {
        ids.iter().any(|x| x == id)
    }))
    .into_response()
}

/// `POST` (create, `id` in the body) or `PUT /{id}` (the whole entry) of `section` (admin).
async fn put_section(
    c: &Console,
    headers: &HeaderMap,
    section: &'static Section,
    id: Option<String>,
    bytes: &Bytes,
) -> Response {
    let s = match changing(c, headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let v: Value = match body(bytes) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut fields = match entry_fields(&v, section, id.is_none()) {
        Ok(f) => f,
        Err(p) => return invalid(&p),
    };
    let creating = id.is_none();
    let id = match id {
        Some(id) => {
            fields.insert("id".into(), toml::Value::String(id.clone()));
            id
        }
        None => fields["id"].as_str().unwrap_or_default().to_owned(),
    };
    let status = if creating {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    change(c, &s, status, move |cfg, table, _| {
        let before = entry_json(cfg, section.list, &id);
        let existing = entries(table, section.list)
            .find(|e| e.get("id").and_then(|v| v.as_str()) == Some(id.as_str()));
        match (existing, creating) {
            (Some(_), true) => {
                return Err(ChangeError::Invalid(vec![Problem::new(
                    Some("id"),
                    format!("{id:?} sudah ada. ({id:?} exists already.)"),
                )]))
            }
            (Some(e), false) => {
                // What the console does not edit stays (a counter's breaks, say).
                for (k, v) in fields {
                    e.insert(k, v);
                }
                for (k, _) in section.fields {
                    if v.get(*k).is_none_or(|x| x.is_null())
                        && section.required.iter().all(|r| r != k)
                    {
                        e.remove(*k);
                    }
                }
            }
            (None, false) => return Err(ChangeError::NotFound(format!("{} {id}", section.noun))),
            (None, true) => list(table, section.list).push(toml::Value::Table(fields)),
        }
        Ok((
            Audit {
                action: format!(
                    "{}_{}",
                    section.noun,
                    if creating { "create" } else { "update" }
                ),
                target: Some(id.clone()),
                before: (!before.is_null()).then(|| before.to_string()),
                after: Some(v.to_string()),
            },
            json!({"id": id}),
        ))
    })
    .await
}

/// `DELETE /{id}` of `section` (admin; 409 `in_use` while it is in use today).
async fn delete_section(
    c: &Console,
    headers: &HeaderMap,
    section: &'static Section,
    id: String,
) -> Response {
    let s = match changing(c, headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    change(c, &s, StatusCode::OK, move |cfg, table, dao| {
        let before = entry_json(cfg, section.list, &id);
        if before.is_null() {
            return Err(ChangeError::NotFound(format!("{} {id}", section.noun)));
        }
        if let Some(why) = in_use(section, cfg, dao, &id)? {
            return Err(ChangeError::Conflict("in_use", why));
        }
        list(table, section.list)
            .retain(|e| e.get("id").and_then(|v| v.as_str()) != Some(id.as_str()));
        Ok((
            Audit {
                action: format!("{}_delete", section.noun),
                target: Some(id.clone()),
                before: Some(before.to_string()),
                after: None,
            },
            json!({"id": id}),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/console/api/v1/agencies", tag = "console", summary = "The agencies", responses((status = 200, description = "[agency]"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn agencies(State(c): State<Console>, headers: HeaderMap) -> Response {
    list_section(&c, &headers, &AGENCIES).await
}
#[utoipa::path(post, path = "/console/api/v1/agencies", tag = "console", summary = "Add an agency (admin)", request_body = AgencyBody, responses((status = 201, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn create_agency(State(c): State<Console>, headers: HeaderMap, bytes: Bytes) -> Response {
    put_section(&c, &headers, &AGENCIES, None, &bytes).await
}
#[utoipa::path(put, path = "/console/api/v1/agencies/{id}", tag = "console", summary = "Replace an agency (admin)", request_body = AgencyBody, params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn put_agency(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    put_section(&c, &headers, &AGENCIES, Some(id), &bytes).await
}
#[utoipa::path(delete, path = "/console/api/v1/agencies/{id}", tag = "console", summary = "Remove an agency (admin)", params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 409, description = "in_use: it still has services")))]
pub async fn delete_agency(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    delete_section(&c, &headers, &AGENCIES, id).await
}
#[utoipa::path(get, path = "/console/api/v1/counters", tag = "console", summary = "The counters the session sees", responses((status = 200, description = "[counter]"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn counters(State(c): State<Console>, headers: HeaderMap) -> Response {
    list_section(&c, &headers, &COUNTERS).await
}
#[utoipa::path(post, path = "/console/api/v1/counters", tag = "console", summary = "Add a counter (admin)", request_body = CounterBody, responses((status = 201, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn create_counter(
    State(c): State<Console>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    put_section(&c, &headers, &COUNTERS, None, &bytes).await
}
#[utoipa::path(put, path = "/console/api/v1/counters/{id}", tag = "console", summary = "Replace a counter (admin)", request_body = CounterBody, params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn put_counter(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    put_section(&c, &headers, &COUNTERS, Some(id), &bytes).await
}
#[utoipa::path(delete, path = "/console/api/v1/counters/{id}", tag = "console", summary = "Remove a counter (admin)", params(("id" = String, Path)), responses((status = 200, description = "{id}"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it"), (status = 409, description = "in_use: it is open")))]
pub async fn delete_counter(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    delete_section(&c, &headers, &COUNTERS, id).await
}

/// `GET /holidays`: `[{"date","reason"}]`, oldest first.
#[utoipa::path(get, path = "/console/api/v1/holidays", tag = "console", summary = "Days on which no ticket is issued", responses((status = 200, description = "[{date, reason}]"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn holidays(State(c): State<Console>, headers: HeaderMap) -> Response {
    if let Err(r) = session_of(&c, &headers) {
        return r;
    }
    let cfg = c.hub.config();
    Json(
        cfg.holidays
            .iter()
            .map(|h| json!({"date": h.date.to_string(), "reason": h.reason}))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

#[derive(Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayBody {
    date: String,
    reason: String,
}

/// `PUT /holidays` `[{"date","reason"}]`: the whole list (admin).
#[utoipa::path(put, path = "/console/api/v1/holidays", tag = "console", summary = "Replace the holidays (admin)", request_body = Vec<HolidayBody>, responses((status = 200, description = "the holidays"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended"), (status = 403, description = "csrf: the X-CSRF-Token header is missing or wrong; forbidden: the role does not allow it")))]
pub async fn put_holidays(State(c): State<Console>, headers: HeaderMap, bytes: Bytes) -> Response {
    let s = match changing(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.role != Role::Admin {
        return forbidden();
    }
    let days: Vec<HolidayBody> = match body(&bytes) {
        Ok(d) => d,
        Err(r) => return r,
    };
    change(&c, &s, StatusCode::OK, move |cfg, table, _| {
        let before = serde_json::to_string(
            &cfg.holidays
                .iter()
                .map(|h| json!({"date": h.date.to_string(), "reason": h.reason}))
                .collect::<Vec<_>>(),
        )
        .ok();
        let after = serde_json::to_string(&days).ok();
        let list = list(table, "holidays");
        list.clear();
        for d in &days {
            let mut t = toml::Table::new();
            t.insert("date".into(), toml::Value::String(d.date.clone()));
            t.insert("reason".into(), toml::Value::String(d.reason.clone()));
            list.push(toml::Value::Table(t));
        }
        Ok((
            Audit {
                action: "holidays".into(),
                target: None,
                before,
                after,
            },
            json!(days),
        ))
    })
    .await
}

#[derive(Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// `GET /report?from=YYYY-MM-DD&to=YYYY-MM-DD&format=json|csv|html`: the report of
/// `antre-hub report` (CSV as one zip of its tables); a supervisor's or an agency viewer's
/// holds its agencies only.
#[utoipa::path(get, path = "/console/api/v1/report", tag = "console", summary = "The report of a day or a period; a supervisor's holds its agencies only", params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("format" = Option<String>, Query, description = "json (default), csv (a zip), html")), responses((status = 200, description = "the report"), (status = 400, description = "invalid: every problem at once, as problems [{field, message}]"), (status = 401, description = "login_required: no session, or it ended")))]
pub async fn report(
    State(c): State<Console>,
    headers: HeaderMap,
    Query(q): Query<ReportQuery>,
) -> Response {
    let (_, s) = match session_of(&c, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let cfg = c.hub.config();
    let today = antre_core::domain::day::service_day(c.hub.now(), cfg.hall.timezone);
    let mut problems = vec![];
    let mut day = |field: &str, d: &Option<String>| match d {
        None => today,
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(Problem::new(
                Some(field),
                format!("{t:?}: tulis tanggal sebagai YYYY-MM-DD. (Write dates as YYYY-MM-DD.)"),
            ));
            today
        }),
    };
    let from = day("from", &q.from);
    let to = q.to.as_ref().map_or(from, |_| day("to", &q.to));
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "html") {
        problems.push(Problem::new(
            Some("format"),
            "format: json, csv atau html. (json, csv or html.)",
        ));
    }
    if to < from {
        problems.push(Problem::new(
            Some("to"),
            "Tanggal akhir sebelum tanggal awal. (The period ends before it starts.)",
        ));
    }
    if (to - from).num_days() > 366 {
        problems.push(Problem::new(
            Some("to"),
            "Paling lama satu tahun sekali minta. (At most a year at a time.)",
        ));
    }
    if !problems.is_empty() {
        return invalid(&problems);
    }
    let db = c.hub.database().to_owned();
    let agencies = s.agencies.clone();
    let format = format.to_owned();
    let made =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, &'static str, String)> {
            let conn = crate::report::open(&db)?;
            let r = crate::report::Report::read_for(&conn, &cfg, from, to, agencies.as_deref())?;
            Ok(match format.as_str() {
                "csv" => (
                    crate::report::csv::zip(&r)?,
                    "application/zip",
                    format!("{}.zip", r.stem()),
                ),
                "html" => (
                    crate::report::html::page(&r, &cfg).into_bytes(),
                    "text/html; charset=utf-8",
                    format!("{}.html", r.stem()),
                ),
                _ => (
                    r.json().into_bytes(),
                    "application/json",
                    format!("{}.json", r.stem()),
                ),
            })
        })
        .await;
    match made {
        Ok(Ok((body, kind, name))) => {
            let disposition = if kind.starts_with("text/html") || kind == "application/json" {
                format!("inline; filename=\"{name}\"")
            } else {
                format!("attachment; filename=\"{name}\"")
            };
            (
                [
                    (header::CONTENT_TYPE, kind.to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "console: the report failed");
            busy()
        }
        Err(_) => busy(),
    }
}

// What the generic catalogue handlers read, for the OpenAPI document only: their fields are
// those of the `Section`s above (a test compares the two).

/// A service, as `PUT /services/{id}` takes it (`id` too for `POST`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ServiceBody {
    id: Option<String>,
    agency: String,
    name: String,
    /// 1 to 3 capitals, A-Z; agencies may not share one.
    prefix: String,
    /// "08:00-15:00"
    hours: Option<String>,
    daily_quota: Option<u32>,
    standard_minutes: Option<u32>,
    max_wait_min: Option<u32>,
    requirements: Option<Vec<String>>,
}

/// An agency.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AgencyBody {
    id: Option<String>,
    name: String,
    /// "#rrggbb"
    color: Option<String>,
}

/// A counter.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CounterBody {
    id: Option<String>,
    name: String,
    services: Vec<String>,
    /// Scheduled breaks, "12:00-13:00".
    breaks: Option<Vec<String>>,
}

/// The fields of a counter action, each for the actions that take it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActBody {
    /// open
    officer: Option<String>,
    /// pause: istirahat, salat, rapat, gangguan or lainnya
    reason: Option<String>,
    /// pause: "HH:MM" or null
    until: Option<String>,
    /// transfer
    to_service: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpenAPI bodies of the generic handlers list the fields their `Section` reads.
    #[test]
    fn the_documented_bodies_have_the_fields_the_handlers_read() {
        use utoipa::PartialSchema;
        for (schema, section) in [
            (ServiceBody::schema(), &SERVICES),
            (AgencyBody::schema(), &AGENCIES),
            (CounterBody::schema(), &COUNTERS),
        ] {
            let v = serde_json::to_value(schema).unwrap();
            let mut documented: Vec<String> = v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            documented.retain(|k| k != "id");
            documented.sort();
            let mut read: Vec<String> = section
                .fields
                .iter()
                .map(|(f, _)| (*f).to_owned())
                .collect();
            read.sort();
            assert_eq!(documented, read, "{}", section.list);
            let mut required: Vec<String> = v["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect();
            required.sort();
            let mut needed: Vec<String> =
                section.required.iter().map(|f| (*f).to_owned()).collect();
            needed.sort();
            assert_eq!(required, needed, "{}", section.list);
        }
    }
}
