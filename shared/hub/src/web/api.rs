//! The JSON and SSE endpoints. Errors are JSON: `{"error": code, "message": words}`, the
//! words Indonesian first with English in brackets, the codes those of the protocol.

use super::error;
use super::sse::{self, RETRY};
use super::{live, Web};
use crate::config::Device;
use antre_core::domain::TicketCode;
use antre_core::proto::{AspirationKind, ErrorCode, Request, Role, ServerMessage};
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A comment line this often keeps idle streams open through Wi-Fi access points.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// An error to answer with, small enough to pass around.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.status, self.code, &self.message)
    }
}

fn unknown_ticket(code: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown_ticket",
        &format!("Tiket {code} tidak ditemukan untuk hari ini. (There is no ticket {code} today.)"),
    )
}

/// The code in the path, read forgivingly (`a-12` is `A-012`).
pub fn parse_code(raw: &str) -> Result<String, ApiError> {
    raw.parse::<TicketCode>()
        .map(|c| c.to_string())
        .map_err(|_| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_request",
            message: "Nomor tiket tidak dikenali; contoh yang benar: A-012. \
                      (Not a ticket code; e.g. A-012.)"
                .into(),
        })
}

/// `GET /api/v1/tickets/{code}`: the ticket, with `ahead` and `estimated_wait_min` live.
#[utoipa::path(get, path = "/api/v1/tickets/{code}", tag = "web", summary = "A ticket of today, live: status, people ahead, the estimate", params(("code" = String, Path, description = "e.g. A-012")), responses((status = 200, description = "the ticket"), (status = 400, description = "invalid_request: not a ticket code"), (status = 404, description = "unknown_ticket")))]
pub async fn ticket(State(web): State<Web>, Path(raw): Path<String>) -> Response {
    let code = match parse_code(&raw) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    web.live.caught_up(&web.hub).await;
    match web.live.ticket(&code) {
        Some(t) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            t.json.clone(),
        )
            .into_response(),
        None => unknown_ticket(&code),
    }
}

fn stream_refused(refused: super::limit::Refused) -> Response {
    match refused {
        super::limit::Refused::TooMany => error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Terlalu banyak halaman terbuka dari perangkat ini. Tutup yang lain. \
             (Too many live pages open from this device; close some.)",
        ),
        super::limit::Refused::Full => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Server sedang penuh; halaman akan mencoba lagi. (The server is full; the page retries.)",
        ),
    }
}

/// `GET /api/v1/tickets/{code}/events`: an SSE stream sending the ticket (`event: ticket`)
/// at once and whenever its status or position changes; `event: gone` when the day is over.
#[utoipa::path(get, path = "/api/v1/tickets/{code}/events", tag = "web", summary = "The ticket as SSE: event: ticket at once and on every change; event: gone when the day is over", params(("code" = String, Path)), responses((status = 200, description = "text/event-stream"), (status = 404, description = "unknown_ticket"), (status = 429, description = "too many streams")))]
pub async fn ticket_events(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(raw): Path<String>,
) -> Response {
    let code = match parse_code(&raw) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    web.live.caught_up(&web.hub).await;
    if web.live.ticket(&code).is_none() {
        return unknown_ticket(&code);
    }
    let slot = match web.limits.stream(peer.ip()) {
        Ok(s) => s,
        Err(r) => return stream_refused(r),
    };
    struct S {
        web: Web,
        code: String,
        changes: tokio::sync::watch::Receiver<u64>,
        last: Option<std::sync::Arc<live::LiveJson>>,
        ended: bool,
        _slot: super::limit::StreamSlot,
    }
    let state = S {
        changes: web.live.changes(),
        web,
        code,
        last: None,
        ended: false,
        _slot: slot,
    };
    let events = stream::unfold(state, |mut s| async move {
        if s.ended {
            return None;
        }
        loop {
            s.changes.borrow_and_update();
            let now = s.web.live.ticket(&s.code);
            let Some(now) = now else {
                s.ended = true;
                let gone = SseEvent::default().event("gone").data(
                    json!({"message": "Tiket ini sudah tidak berlaku (hari layanan telah berganti). (This ticket is no longer valid.)"})
                        .to_string(),
                );
                return Some((Ok::<_, Infallible>(gone), s));
            };
            if s.last.as_ref().is_none_or(|last| last.json != now.json) {
                let first = s.last.is_none();
                let mut e = SseEvent::default().event("ticket").data(&now.json);
                s.last = Some(now);
                if first {
                    e = e.retry(RETRY);
                }
                return Some((Ok(e), s));
            }
            let mut stopping = s.web.stopping.clone();
            tokio::select! {
                changed = s.changes.changed() => if changed.is_err() { return None },
                _ = stopping.wait_for(|stop| *stop) => return None,
            }
        }
    });
    sse(events)
}

fn sse(events: impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static) -> Response {
    let mut r = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Proxies must not buffer a live stream.
    r.headers_mut()
        .insert("x-accel-buffering", "no".parse().expect("a valid header"));
    r.headers_mut()
        .insert("cache-control", "no-cache".parse().expect("a valid header"));
    r
}

/// A request id the store has not seen today, also across restarts of the hub.
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "web-{}-{}",
        chrono::Utc::now().timestamp_millis(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `request` as the hub's own web device and answers in JSON.
async fn execute(
    web: &Web,
    request: Request,
    words: impl Fn(ErrorCode) -> &'static str,
) -> Response {
    execute_as(web, Role::Kiosk, request, words).await
}

/// As [`execute`], with the web device in `role` (an admin's, for a cancel that the
/// visitor's key has already been asked for).
async fn execute_as(
    web: &Web,
    role: Role,
    request: Request,
    words: impl Fn(ErrorCode) -> &'static str,
) -> Response {
    if let Err(why) = request.validate() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Isian tidak lengkap atau salah. ({why})"),
        );
    }
    let device = Device::internal("web", role);
    match web.hub.execute(&device, &request_id(), Ok(request)).await {
        ServerMessage::Ok(_) => Json(json!({"ok": true})).into_response(),
        ServerMessage::Error(e) => {
            let status = match e.code {
                ErrorCode::UnknownTicket => StatusCode::NOT_FOUND,
                ErrorCode::AlreadyRated | ErrorCode::NotServed | ErrorCode::NotWaiting => {
                    StatusCode::CONFLICT
                }
                ErrorCode::WrongKey | ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                // Nothing was done; the contract says try again.
                ErrorCode::Busy | ErrorCode::Internal => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            };
            let code = serde_json::to_value(e.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "invalid_request".into());
            error(status, &code, &format!("{} ({})", words(e.code), e.message))
        }
        other => {
            tracing::error!(?other, "unexpected reply to a web request");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Terjadi gangguan. (Internal error.)",
            )
        }
    }
}

fn bad_body(rejection: &JsonRejection) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        &format!("Isian tidak dapat dibaca. ({rejection})"),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SurveyBody {
    /// Nine answers, each 1 to 4 (the IKM's elements in order).
    answers: Vec<i64>,
    /// The ticket's key, from the QR code's `?k=`.
    #[serde(default)]
    key: Option<String>,
}

/// The words for a missing or wrong ticket key.
const WRONG_KEY: &str = "Kode pada tiket tidak cocok: buka halaman ini dari kode QR pada tiket Anda. (The ticket's key is missing or wrong: open this page from the QR code on your ticket.)";

/// `POST /api/v1/tickets/{code}/survey` with `{"answers": [9 × 1..4]}`: once per served
/// ticket of today, like the protocol's `survey`.
#[utoipa::path(post, path = "/api/v1/tickets/{code}/survey", tag = "web", summary = "The IKM survey of a served ticket, once, with the ticket's key", params(("code" = String, Path)), request_body = SurveyBody, responses((status = 200, description = "saved"), (status = 400, description = "invalid_request"), (status = 403, description = "wrong_key"), (status = 409, description = "already_rated or not_served")))]
pub async fn survey(
    State(web): State<Web>,
    Path(raw): Path<String>,
    body: Result<Json<SurveyBody>, JsonRejection>,
) -> Response {
    let (code, body, key) = match keyed(&raw, body, |b: &SurveyBody| b.key.clone()) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    execute(
        &web,
        Request::Survey {
            ticket: code,
            answers: body.answers,
            key: Some(key),
        },
        |c| match c {
            ErrorCode::AlreadyRated => "Tiket ini sudah pernah dinilai. Terima kasih!",
            ErrorCode::NotServed => "Penilaian dapat diberikan setelah pelayanan selesai.",
            ErrorCode::UnknownTicket => "Tiket tidak ditemukan untuk hari ini.",
            ErrorCode::WrongKey => WRONG_KEY,
            _ => "Penilaian belum dapat disimpan; coba lagi.",
        },
    )
    .await
}

/// What a phone's request for a ticket carries: the code from the path, the body, and the
/// ticket's key from the body. From outside the hall only the ticket's holder may act for
/// it: without the key the answer is `403 wrong_key`, and nothing is done.
fn keyed<B>(
    raw: &str,
    body: Result<Json<B>, JsonRejection>,
    key_of: impl Fn(&B) -> Option<String>,
) -> Result<(String, B, String), Box<Response>> {
    let code = parse_code(raw).map_err(|e| Box::new(e.into_response()))?;
    let Json(body) = body.map_err(|e| Box::new(bad_body(&e)))?;
    let key = key_of(&body)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Box::new(error(StatusCode::FORBIDDEN, "wrong_key", WRONG_KEY)))?;
    Ok((code, body, key))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeyBody {
    #[serde(default)]
    key: Option<String>,
}

/// `POST /api/v1/tickets/{code}/cancel` with `{"key": "..."}`: the visitor gives up a
/// waiting ticket; everyone behind moves up at once.
#[utoipa::path(post, path = "/api/v1/tickets/{code}/cancel", tag = "web", summary = "The visitor gives up a waiting ticket, with its key", params(("code" = String, Path)), request_body = KeyBody, responses((status = 200, description = "cancelled"), (status = 403, description = "wrong_key"), (status = 409, description = "not_waiting")))]
pub async fn cancel(
    State(web): State<Web>,
    Path(raw): Path<String>,
    body: Result<Json<KeyBody>, JsonRejection>,
) -> Response {
    let (code, _, key) = match keyed(&raw, body, |b: &KeyBody| b.key.clone()) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    execute_as(
        &web,
        Role::Admin,
        Request::CancelTicket {
            ticket: code,
            key: Some(key),
        },
        |c| match c {
            ErrorCode::NotWaiting => {
                "Antrean ini tidak dapat dibatalkan lagi: sudah dipanggil atau selesai."
            }
            ErrorCode::UnknownTicket => "Tiket tidak ditemukan untuk hari ini.",
            ErrorCode::WrongKey => WRONG_KEY,
            _ => "Pembatalan belum dapat disimpan; coba lagi.",
        },
    )
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AspirationBody {
    /// missing_service, suggestion or complaint.
    #[schema(value_type = String)]
    kind: AspirationKind,
    text: String,
}

/// `POST /api/v1/aspirations` with `{"kind": "missing_service"|"suggestion"|"complaint",
/// "text": "..."}`.
#[utoipa::path(post, path = "/api/v1/aspirations", tag = "web", summary = "A visitor's aspiration: a missing service, a suggestion or a complaint", request_body = AspirationBody, responses((status = 200, description = "saved"), (status = 400, description = "invalid_request")))]
pub async fn aspiration(
    State(web): State<Web>,
    body: Result<Json<AspirationBody>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(b) => b,
        Err(e) => return bad_body(&e),
    };
    execute(
        &web,
        Request::Aspiration {
            kind: body.kind,
            text: body.text,
        },
        |_| "Aspirasi belum dapat disimpan; coba lagi.",
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The display (or admin) device whose token this is.
fn display_device(web: &Web, headers: &HeaderMap, query: &TokenQuery) -> Result<Device, ApiError> {
    let token = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|h| {
            let (scheme, token) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .map(str::to_owned)
        .or_else(|| query.token.clone())
        .unwrap_or_default();
    let refuse = |status, code, message: &str| ApiError {
        status,
        code,
        message: message.into(),
    };
    if token.is_empty() {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Token perangkat layar diperlukan. (A display device's token is required.)",
        ));
    }
    // Every device is compared (in constant time each), not only up to the first match.
    let found = web
        .hub
        .config()
        .devices
        .iter()
        .fold(None, |found, d| {
            if d.token_matches(&token) {
                Some(d)
            } else {
                found
            }
        })
        .cloned();
    match found {
        Some(d) if matches!(d.role, Role::Display | Role::Admin) => Ok(d),
        Some(_) => Err(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Token ini bukan milik perangkat layar. (This token is not a display's.)",
        )),
        None => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Token salah. (Wrong token.)",
        )),
    }
}

/// `GET /api/v1/display/events?token=…` (or `Authorization: Bearer …`): the protocol's
/// events as SSE. First `event: welcome` (the protocol's welcome with a snapshot), or with
/// `Last-Event-ID` the missed events; then `event: event` with `id:` = `seq` for each event,
/// and `event: say` with the call's words after each call and recall.
#[utoipa::path(get, path = "/api/v1/display/events", tag = "web", summary = "The wall display's feed as SSE, with a display device's token (Authorization: Bearer, or ?token=)", params(("token" = Option<String>, Query)), responses((status = 200, description = "text/event-stream: welcome, event, say"), (status = 401, description = "unauthorized"), (status = 403, description = "forbidden"), (status = 505, description = "http_version: the feed is served over HTTP/1.1 only")))]
pub async fn display_events(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Extension(tap): axum::Extension<Arc<super::feed::Tap>>,
    method: axum::http::Method,
    version: axum::http::Version,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    let device = match display_device(&web, &headers, &query) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    // The hub's writer writes the feed's chunks into the connection itself: only a GET's
    // answer over HTTP/1.1 is a body of chunks (a HEAD's has no body, HTTP/1.0 no chunks).
    if method == axum::http::Method::HEAD {
        return event_stream(axum::body::Body::empty());
    }
    if version != axum::http::Version::HTTP_11 {
        return error(
            StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            "http_version",
            "Layar web membutuhkan HTTP/1.1. (The web display's feed needs HTTP/1.1.)",
        );
    }
    let slot = match web.limits.stream(peer.ip()) {
        Ok(s) => s,
        Err(r) => return stream_refused(r),
    };
    let since = headers
        .get("last-event-id")
        .and_then(|h| h.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(0);
    // Join the writer's feeds before reading, so nothing committed in between is missed.
    let joined = match tap.feed(&web.hub) {
        Ok(Some(j)) => j,
        Ok(None) => {
            return error(
                StatusCode::CONFLICT,
                "conflict",
                "Sambungan ini sudah membawa umpan layar. (This connection already carries a display feed.)",
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "display stream: cannot join the feeds");
            return busy();
        }
    };
    let (first, last) = match first_events(&web, &device, since).await {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "display stream: cannot read the hall");
            return busy();
        }
    };
    struct S {
        tap: Arc<super::feed::Tap>,
        joined: crate::server::displays::Joined,
        first: Option<Bytes>,
        last: u64,
        /// The stream failed: it has said so, and ends.
        done: bool,
        stopping: tokio::sync::watch::Receiver<bool>,
        /// A comment every [`KEEP_ALIVE`], events or not: no timer is set per event.
        keep_alive: tokio::time::Interval,
        _slot: super::limit::StreamSlot,
    }
    let mut keep_alive =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let state = S {
        stopping: web.stopping.clone(),
        tap,
        joined,
        first: Some(first),
        last,
        done: false,
        keep_alive,
        _slot: slot,
    };
    // The welcome goes out through hyper; every change after it the hub's writer writes to
    // the socket itself, one chunk each (`web::feed`). This stream only writes out what
    // the socket did not take at once, keeps the stream alive, and ends it.
    let stream = stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        if let Some(first) = s.first.take() {
            // hyper takes the welcome into its buffer now; the writer starts on this feed
            // once hyper has written it out.
            s.tap.open_after_flush(s.last);
            return Some((Ok::<_, std::io::Error>(first), s));
        }
        loop {
            enum Woke {
                Sink,
                Stop,
                KeepAlive,
            }
            let woke = tokio::select! {
                () = s.joined.sink.wake.notified() => Woke::Sink,
                _ = s.stopping.wait_for(|stop| *stop) => Woke::Stop,
                _ = s.keep_alive.tick() => Woke::KeepAlive,
            };
            match woke {
                Woke::Sink => {
                    if let Some(failure) = s.joined.sink.failed() {
                        // The browser reconnects with Last-Event-ID and resumes.
                        tracing::info!("dropping a web display: {}", failure.reason());
                        s.done = true;
                        return Some((Err(std::io::Error::other(failure.reason())), s));
                    }
                    if let Err(e) = s.joined.sink.drain(s.tap.tcp()).await {
                        s.done = true;
                        return Some((Err(e), s));
                    }
                }
                Woke::Stop => {
                    s.joined.sink.close();
                    return None;
                }
                Woke::KeepAlive => return Some((Ok(Bytes::from_static(b":\n\n")), s)),
            }
        }
    });
    event_stream(axum::body::Body::from_stream(stream))
}

/// A live stream's answer: `text/event-stream`, never buffered or cached on the way.
fn event_stream(body: axum::body::Body) -> Response {
    let mut r = Response::new(body);
    let headers = r.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/event-stream"),
    );
    // Proxies must not buffer a live stream.
    headers.insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    r
}

/// `503 busy`: the hall cannot be read now; the page retries.
fn busy() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "Server sedang sibuk; halaman akan mencoba lagi. (Busy; the page retries.)",
    )
}

/// The welcome (or the missed events) a display stream starts with, as SSE, and the `seq`
/// it reached.
async fn first_events(web: &Web, device: &Device, since: u64) -> anyhow::Result<(Bytes, u64)> {
    let data = web.hub.welcome(since).await?;
    let mut out = String::new();
    let seq = data.seq;
    let resumed = data.snapshot.is_none() && since > 0;
    let (welcome, resume) = data.into_welcome(device);
    if !resumed {
        sse::frame(
            &mut out,
            "welcome",
            Some(seq),
            Some(RETRY),
            &serde_json::to_string(&welcome)?,
        );
    } else {
        for e in &resume {
            out.push_str(&sse::of_event(&web.hub.config(), e, None));
        }
    }
    Ok((Bytes::from(out), seq))
}
