//! An HTTP client for the web pages' tests: real HTTP/1.1 over loopback (hyper), JSON and
//! SSE read as a browser would.
#![allow(dead_code)]

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Http {
    pub base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// The `Set-Cookie` header, if any.
    pub set_cookie: Option<String>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Http {
    pub fn new(addr: SocketAddr) -> Http {
        Http::from(addr, None)
    }

    /// A client whose connections come from `local` (127.0.0.2 is another "phone").
    pub fn from(addr: SocketAddr, local: Option<IpAddr>) -> Http {
        let mut connector = HttpConnector::new();
        connector.set_local_address(local);
        Http {
            base: format!("http://{addr}"),
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> hyper::Response<Incoming> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
            .unwrap();
        tokio::time::timeout(PATIENCE, self.client.request(req))
            .await
            .expect("the web server answers in time")
            .expect("the request reaches the web server")
    }

    async fn read(res: hyper::Response<Incoming>) -> Reply {
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let set_cookie = res
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
            set_cookie,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::read(self.send("GET", path, None, &[]).await).await
    }

    /// Any request, with headers (a cookie, a CSRF token).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        Self::read(self.send(method, path, body, headers).await).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Reply {
        Self::read(self.send("POST", path, Some(body), &[]).await).await
    }

    /// Opens an SSE stream; a non-200 answer comes back as the reply instead.
    pub async fn sse(&self, path: &str, headers: &[(&str, &str)]) -> Result<Sse, Reply> {
        let res = self.send("GET", path, None, headers).await;
        if res.status() != 200 {
            return Err(Self::read(res).await);
        }
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Ok(Sse {
            body: res.into_body(),
            buf: String::new(),
        })
    }
}

/// One server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

pub struct Sse {
    body: Incoming,
    buf: String,
}

impl Sse {
    /// The next event (comments and keep-alives skipped).
    pub async fn next(&mut self) -> SseEvent {
        tokio::time::timeout(PATIENCE, self.next_inner())
            .await
            .expect("an event arrives in time")
    }

    /// The next event of kind `event`, skipping others.
    pub async fn next_of(&mut self, event: &str) -> SseEvent {
        loop {
            let e = self.next().await;
            if e.event == event {
                return e;
            }
        }
    }

    async fn next_inner(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut e = SseEvent {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        e.event = v.trim().into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        if !e.data.is_empty() {
                            e.data.push('\n');
                        }
                        e.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        e.id = Some(v.trim().into());
                    }
                }
                if any {
                    return e;
                }
                continue;
            }
            let frame = self
                .body
                .frame()
                .await
                .expect("the stream stays open")
                .expect("the stream reads");
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}
