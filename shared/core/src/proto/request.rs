//! Messages from devices to the hub, and how the hub reads a line.

use super::message::{ErrorCode, ErrorReply, PrinterStatus, Role};
use crate::domain::counter::PauseReason;
use crate::domain::{CounterId, DeviceId, Priority, ServiceId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The first line of every connection.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub device: DeviceId,
    pub token: String,
    #[serde(default)]
    pub since: u64,
}

impl Hello {
    /// The hello as one protocol line, `\n` included.
    pub fn to_line(&self) -> String {
        #[derive(Serialize)]
        #[serde(tag = "type", rename = "hello")]
        struct Tagged<'a> {
            #[serde(flatten)]
            hello: &'a Hello,
        }
        let mut s = serde_json::to_string(&Tagged { hello: self }).expect("hello serializes");
        s.push('\n');
        s
    }
}

// Tokens are secrets: never in a log line.
impl fmt::Debug for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hello")
            .field("protocol", &self.protocol)
            .field("device", &self.device)
            .field("token", &"<redacted>")
            .field("since", &self.since)
            .finish()
    }
}

/// What a visitor tells the mall in the ruang aspirasi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AspirationKind {
    MissingService,
    Suggestion,
    Complaint,
}

impl AspirationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AspirationKind::MissingService => "missing_service",
            AspirationKind::Suggestion => "suggestion",
            AspirationKind::Complaint => "complaint",
        }
    }
}

/// The longest aspiration text, in characters.
pub const MAX_ASPIRATION_CHARS: usize = 2000;
/// The longest officer name, in characters.
pub const MAX_OFFICER_CHARS: usize = 64;
/// The longest device status message, in characters.
pub const MAX_STATUS_MESSAGE_CHARS: usize = 200;
/// The longest request id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// A request, one variant per request type of the contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    IssueTicket {
        /// The service; absent when `services` is given.
        #[serde(default = "no_service", skip_serializing_if = "is_no_service")]
        service: ServiceId,
        #[serde(default)]
        priority: Option<Priority>,
        /// Addition (2026-12): a visit's services in order (1 to [`MAX_VISIT_SERVICES`],
        /// distinct) instead of `service`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        services: Vec<ServiceId>,
    },
    CallNext {
        counter: CounterId,
    },
    Recall {
        counter: CounterId,
    },
    CallTicket {
        counter: CounterId,
        ticket: String,
    },
    StartServing {
        counter: CounterId,
    },
    Finish {
        counter: CounterId,
    },
    NoShow {
        counter: CounterId,
    },
    Transfer {
        counter: CounterId,
        to_service: ServiceId,
    },
    Survey {
        ticket: String,
        answers: Vec<i64>,
        /// Addition: the ticket's key, where the device has it (a scanned QR code). Given,
        /// it must be the ticket's; a kiosk may leave it out for a typed code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    Aspiration {
        kind: AspirationKind,
        text: String,
    },
    OpenCounter {
        counter: CounterId,
        officer: String,
    },
    CloseCounter {
        counter: CounterId,
    },
    Ping,
    /// Addition (2026-12): an officer's break, prayer, a meeting, a fault; the counter has no
    /// current ticket.
    PauseCounter {
        counter: CounterId,
        reason: PauseReason,
        #[serde(default)]
        until: Option<String>,
    },
    /// Addition (2026-12): the counter serves again.
    ResumeCounter {
        counter: CounterId,
    },
    /// Addition (2026-12): an admin gives up a waiting ticket for its visitor.
    CancelTicket {
        ticket: String,
        /// The ticket's key: the hub's web pages pass the one the visitor's phone sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
    /// Addition (2026-12, CENTRAL.md): a visitor who booked online checks in at a kiosk with
    /// the booking's code (typed, or read from its QR code); the ticket joins the queue now.
    CheckIn {
        booking: String,
        #[serde(default)]
        priority: Option<Priority>,
    },
    /// Addition: a kiosk reports its printer's status (sent when it changes).
    DeviceStatus {
        printer: PrinterStatus,
        #[serde(default)]
        message: Option<String>,
    },
}

/// The longest booking code (or scanned QR text) a `check_in` may carry.
pub const MAX_BOOKING_CHARS: usize = 64;

/// The most services one visit may hold.
pub const MAX_VISIT_SERVICES: usize = 4;

fn no_service() -> ServiceId {
    ServiceId::new("")
}

fn is_no_service(s: &ServiceId) -> bool {
    s.as_str().is_empty()
}

/// The services an `issue_ticket` asks for, in order: `services` when given, else `service`.
pub fn visit_of(service: &ServiceId, services: &[ServiceId]) -> Vec<ServiceId> {
    if services.is_empty() {
        vec![service.clone()]
    } else {
        services.to_vec()
    }
}

impl Request {
    /// The request's `type` on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            Request::IssueTicket { .. } => "issue_ticket",
            Request::CallNext { .. } => "call_next",
            Request::Recall { .. } => "recall",
            Request::CallTicket { .. } => "call_ticket",
            Request::StartServing { .. } => "start_serving",
            Request::Finish { .. } => "finish",
            Request::NoShow { .. } => "no_show",
            Request::Transfer { .. } => "transfer",
            Request::Survey { .. } => "survey",
            Request::Aspiration { .. } => "aspiration",
            Request::OpenCounter { .. } => "open_counter",
            Request::CloseCounter { .. } => "close_counter",
            Request::Ping => "ping",
            Request::PauseCounter { .. } => "pause_counter",
            Request::ResumeCounter { .. } => "resume_counter",
            Request::CancelTicket { .. } => "cancel_ticket",
            Request::DeviceStatus { .. } => "device_status",
            Request::CheckIn { .. } => "check_in",
        }
    }

    /// The counter a counter action is for.
    pub fn counter(&self) -> Option<&CounterId> {
        match self {
            Request::CallNext { counter }
            | Request::Recall { counter }
            | Request::CallTicket { counter, .. }
            | Request::StartServing { counter }
            | Request::Finish { counter }
            | Request::NoShow { counter }
            | Request::Transfer { counter, .. }
            | Request::OpenCounter { counter, .. }
            | Request::CloseCounter { counter }
            | Request::PauseCounter { counter, .. }
            | Request::ResumeCounter { counter } => Some(counter),
            _ => None,
        }
    }

    /// Whether a device of `role` may send this request, a counter device (whose own counter
    /// is `own_counter`) only for its own counter. The hub asks this once, before a request
    /// reaches its writer.
    ///
    /// # Errors
    /// Why not, in words, for a `forbidden` reply.
    pub fn permitted(&self, role: Role, own_counter: Option<&CounterId>) -> Result<(), String> {
        if !self.allowed_for(role) {
            return Err(format!(
                "a {} may not send {}",
                role.as_str(),
                self.type_name()
            ));
        }
        match (role, self.counter()) {
            (Role::Counter, Some(c)) if own_counter != Some(c) => Err(format!(
                "this device acts only for its own counter, not counter {c}"
            )),
            _ => Ok(()),
        }
    }

    /// Whether a device of `role` may send this request at all (a counter device is further
    /// limited to its own counter: see [`Request::permitted`]).
    pub fn allowed_for(&self, role: Role) -> bool {
        match role {
            Role::Admin => true,
            Role::Display => matches!(self, Request::Ping),
            Role::Kiosk => matches!(
                self,
                Request::IssueTicket { .. }
                    | Request::CheckIn { .. }
                    | Request::Survey { .. }
                    | Request::Aspiration { .. }
                    | Request::DeviceStatus { .. }
                    | Request::Ping
            ),
            Role::Counter => self.counter().is_some() || matches!(self, Request::Ping),
        }
    }

    /// Checks the ranges that the types alone do not.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Request::IssueTicket {
                service, services, ..
            } => {
                if services.is_empty() && is_no_service(service) {
                    return Err("issue_ticket needs \"service\" or \"services\"".into());
                }
                if !services.is_empty() {
                    if services.len() > MAX_VISIT_SERVICES {
                        return Err(format!(
                            "a visit has at most {MAX_VISIT_SERVICES} services, got {}",
                            services.len()
                        ));
                    }
                    let mut seen = std::collections::HashSet::new();
                    if let Some(twice) = services.iter().find(|s| !seen.insert(s.as_str())) {
                        return Err(format!("{twice} is in the visit twice"));
                    }
                    if !is_no_service(service) && service != &services[0] {
                        return Err(
                            "\"service\" and \"services\" disagree: give one of them".into()
                        );
                    }
                }
            }
            Request::CheckIn { booking, .. } if booking.chars().count() > MAX_BOOKING_CHARS => {
                return Err(format!(
                    "booking must be at most {MAX_BOOKING_CHARS} characters"
                ));
            }
            Request::Survey { answers, .. } => {
                crate::domain::ikm::check_answers(answers).map_err(|e| e.to_string())?;
            }
            Request::Aspiration { text, .. } => {
                let n = text.chars().count();
                if crate::domain::text::lines(text).is_empty() || n > MAX_ASPIRATION_CHARS {
                    return Err(format!(
                        "text must be 1 to {MAX_ASPIRATION_CHARS} characters, got {n}"
                    ));
                }
            }
            Request::OpenCounter { officer, .. } => {
                let n = officer.chars().count();
                if crate::domain::text::one_line(officer).is_empty() || n > MAX_OFFICER_CHARS {
                    return Err(format!(
                        "officer must be 1 to {MAX_OFFICER_CHARS} characters, got {n}"
                    ));
                }
            }
            Request::PauseCounter {
                until: Some(until), ..
            } if !crate::domain::counter::valid_until(until) => {
                return Err(format!(
                    "until must be a time such as \"13:00\" (HH:MM), got {until:?}"
                ));
            }
            Request::DeviceStatus {
                message: Some(m), ..
            } if m.chars().count() > MAX_STATUS_MESSAGE_CHARS => {
                return Err(format!(
                    "message must be at most {MAX_STATUS_MESSAGE_CHARS} characters"
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// A request with the id the client chose for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestLine {
    pub id: String,
    #[serde(flatten)]
    pub request: Request,
}

impl RequestLine {
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).expect("requests always serialize");
        s.push('\n');
        s
    }
}

/// A line a client sent, as the hub reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientLine {
    Hello(Hello),
    /// Addition (2026-12): a new device's pairing code, before any `hello`.
    Pair(Pair),
    Request {
        id: String,
        request: Request,
    },
}

/// `{"type":"pair","protocol":1,"code":"…"}`: a new device asks for its token with the
/// single-use code an admin made in the console.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub protocol: u32,
    pub code: String,
}

// Never print the code.
impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pair")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

/// Reads one line from a client. Errors carry the request's `id` where it could be read.
pub fn parse_client_line(line: &[u8]) -> Result<ClientLine, ErrorReply> {
    let invalid =
        |id: Option<&str>, msg: String| ErrorReply::new(id, ErrorCode::InvalidRequest, msg);
    let text =
        std::str::from_utf8(line).map_err(|_| invalid(None, "the line is not UTF-8".into()))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| invalid(None, format!("the line is not JSON: {e}")))?;
    let Value::Object(obj) = &value else {
        return Err(invalid(None, "the line is not a JSON object".into()));
    };
    let raw_id = obj.get("id").and_then(Value::as_str);
    let Some(kind) = obj.get("type").and_then(Value::as_str) else {
        return Err(invalid(raw_id, "the object has no \"type\" string".into()));
    };
    if kind == "hello" {
        return Hello::deserialize(&value)
            .map(ClientLine::Hello)
            .map_err(|e| invalid(raw_id, format!("bad hello: {e}")));
    }
    if kind == "pair" {
        return Pair::deserialize(&value)
            .map(ClientLine::Pair)
            .map_err(|e| invalid(raw_id, format!("bad pair: {e}")));
    }
    let request =
        Request::deserialize(&value).map_err(|e| invalid(raw_id, format!("bad {kind}: {e}")))?;
    let id = match obj.get("id") {
        Some(Value::String(id)) if (1..=MAX_ID_CHARS).contains(&id.chars().count()) => id.clone(),
        Some(Value::String(_)) => {
            return Err(invalid(
                raw_id,
                format!("id must be 1 to {MAX_ID_CHARS} characters"),
            ))
        }
        _ => return Err(invalid(None, "every request needs an \"id\" string".into())),
    };
    request.validate().map_err(|m| invalid(Some(&id), m))?;
    Ok(ClientLine::Request { id, request })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ClientLine, ErrorReply> {
        parse_client_line(s.as_bytes())
    }

    #[test]
    fn reads_hello_and_requests() {
        let h =
            parse(r#"{"type":"hello","protocol":1,"device":"counter-3","token":"x","since":7}"#)
                .unwrap();
        assert!(matches!(h, ClientLine::Hello(Hello { since: 7, .. })));
        let r = parse(r#"{"type":"issue_ticket","id":"k1","service":"dukcapil-ktp","priority":"ibu_hamil","extra":1}"#)
            .unwrap();
        assert_eq!(
            r,
            ClientLine::Request {
                id: "k1".into(),
                request: Request::IssueTicket {
                    services: vec![],
                    service: "dukcapil-ktp".into(),
                    priority: Some(Priority::IbuHamil)
                }
            }
        );
        let p = parse(r#"{"type":"ping","id":"p"}"#).unwrap();
        assert_eq!(
            p,
            ClientLine::Request {
                id: "p".into(),
                request: Request::Ping
            }
        );
    }

    #[test]
    fn hello_lines_round_trip() {
        let h = Hello {
            protocol: 1,
            device: "k".into(),
            token: "t".into(),
            since: 3,
        };
        assert_eq!(parse(h.to_line().trim_end()).unwrap(), ClientLine::Hello(h));
    }

    #[test]
    fn request_lines_round_trip() {
        let line = RequestLine {
            id: "c-1".into(),
            request: Request::Transfer {
                counter: "3".into(),
                to_service: "bpjs".into(),
            },
        };
        let parsed = parse(line.to_line().trim_end()).unwrap();
        assert_eq!(
            parsed,
            ClientLine::Request {
                id: line.id.clone(),
                request: line.request.clone()
            }
        );
    }

    #[test]
    fn bad_lines_are_invalid_requests_with_the_id_where_readable() {
        let cases = [
            ("not json", None),
            ("[1,2]", None),
            (r#"{"id":"a"}"#, Some("a")),
            (r#"{"type":"fly","id":"b"}"#, Some("b")),
            (r#"{"type":"issue_ticket","id":"c"}"#, Some("c")),
            (
                r#"{"type":"issue_ticket","id":"d","service":"x","priority":"vip"}"#,
                Some("d"),
            ),
            (
                r#"{"type":"survey","id":"e","ticket":"A-001","answers":[1,2,3,4,5,1,1,1,1]}"#,
                Some("e"),
            ),
            (
                r#"{"type":"survey","id":"f","ticket":"A-001","answers":[1,2,3]}"#,
                Some("f"),
            ),
            (r#"{"type":"call_next","counter":"3"}"#, None),
            (r#"{"type":"call_next","id":"","counter":"3"}"#, Some("")),
            (r#"{"type":"call_next","id":7,"counter":"3"}"#, None),
        ];
        for (line, id) in cases {
            let e = parse(line).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{line}");
            assert_eq!(e.id.as_deref(), id, "{line}");
        }
        let long = format!(
            r#"{{"type":"aspiration","id":"g","kind":"suggestion","text":"{}"}}"#,
            "é".repeat(2001)
        );
        assert_eq!(parse(&long).unwrap_err().code, ErrorCode::InvalidRequest);
        let ok = long.replace(&"é".repeat(2001), &"é".repeat(2000));
        assert!(parse(&ok).is_ok());
        assert!(parse_client_line(b"{\"type\":\"ping\",\"id\":\"\xff\"}").is_err());
    }

    #[test]
    fn roles() {
        let issue = Request::IssueTicket {
            services: vec![],
            service: "s".into(),
            priority: None,
        };
        let call = Request::CallNext {
            counter: "3".into(),
        };
        assert!(issue.allowed_for(Role::Kiosk) && !issue.allowed_for(Role::Counter));
        assert!(!issue.allowed_for(Role::Display) && issue.allowed_for(Role::Admin));
        assert!(call.allowed_for(Role::Counter) && !call.allowed_for(Role::Kiosk));
        assert!(Request::Ping.allowed_for(Role::Display));
    }

    #[test]
    fn a_counter_acts_only_for_its_own_counter() {
        let call = |c: &str| Request::CallNext { counter: c.into() };
        let three = CounterId::from("3");
        assert_eq!(call("3").permitted(Role::Counter, Some(&three)), Ok(()));
        assert_eq!(
            call("4").permitted(Role::Counter, Some(&three)),
            Err("this device acts only for its own counter, not counter 4".into())
        );
        assert_eq!(call("4").permitted(Role::Admin, None), Ok(()));
        assert_eq!(
            call("3").permitted(Role::Kiosk, None),
            Err("a kiosk may not send call_next".into())
        );
        assert_eq!(Request::Ping.permitted(Role::Counter, Some(&three)), Ok(()));
    }

    #[test]
    fn hello_debug_hides_the_token() {
        let h = Hello {
            protocol: 1,
            device: "k".into(),
            token: "s3cr3t-s3cr3t-s3cr3t".into(),
            since: 0,
        };
        assert!(!format!("{h:?}").contains("s3cr3t"));
    }
}
