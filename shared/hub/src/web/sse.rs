//! Server-sent events as the web display's feed writes them: the protocol's events as
//! `event:` frames with `id:` = `seq`, and the call's words after each call and recall.

use crate::config::Config;
use antre_core::domain::words;
use antre_core::proto::{Event, EventKind, ServerMessage};
use serde_json::json;
use std::time::Duration;

/// How long a browser waits before reconnecting a dropped stream.
pub(crate) const RETRY: Duration = Duration::from_secs(3);

/// One SSE frame, as axum writes one: `event:`, `id:`, `retry:` (in ms), each line of
/// `data` as a `data:` line, and the blank line that ends it.
pub(crate) fn frame(
    out: &mut String,
    event: &str,
    id: Option<u64>,
    retry: Option<Duration>,
    data: &str,
) {
    use std::fmt::Write;
    let _ = writeln!(out, "event: {event}");
    if let Some(id) = id {
        let _ = writeln!(out, "id: {id}");
    }
    if let Some(retry) = retry {
        let _ = writeln!(out, "retry: {}", retry.as_millis());
    }
    for line in data.split('\n') {
        let _ = writeln!(out, "data: {line}");
    }
    out.push('\n');
}

/// An event as SSE, and the words to say after a call or a recall, the counter named as
/// `cfg` names it. `line`: the event as the hub serialized it once for every connection,
/// where there is one.
pub(crate) fn of_event(cfg: &Config, e: &Event, line: Option<&str>) -> String {
    let data = match line {
        Some(line) => line.trim_end().to_owned(),
        None => ServerMessage::Event(e.clone())
            .to_line()
            .trim_end()
            .to_owned(),
    };
    let mut out = String::with_capacity(data.len() + 256);
    frame(&mut out, "event", Some(e.seq), None, &data);
    if matches!(e.kind, EventKind::TicketCalled | EventKind::TicketRecalled) {
        if let (Some(t), Some(c)) = (&e.ticket, &e.counter) {
            let counter = cfg
                .counter(c.as_str())
                .map_or_else(|| c.as_str().to_owned(), |c| c.name.clone());
            let prefix = t.code.split('-').next().unwrap_or_default();
            let text = words::call_text(prefix, t.number, &counter);
            let say =
                json!({"ticket": t.code, "counter": c, "counter_name": counter, "text": text});
            frame(&mut out, "say", None, None, &say.to_string());
        }
    }
    out
}
