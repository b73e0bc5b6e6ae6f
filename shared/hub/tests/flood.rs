//! The real `antre-hub` binary under the floods a phone on the visitors' Wi-Fi can make:
//! half-sent HTTP requests and idle sockets on the device port, reopened as fast as the hub
//! closes them. The hall's devices still get in, and the half-sent requests are closed.
//!
//! The flood comes from other loopback addresses (127.0.0.2 and up), as from other
//! machines; the hall's own kiosk and a phone come from 127.0.0.1.

mod common;

use common::*;
use serde_json::json;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A flooding address: 127.0.0.2, 127.0.0.3, …
fn attacker(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, (i / 200) as u8, (i % 200 + 2) as u8)
}

/// Reads until the peer closes (`Ok(bytes)`), or gives up after `limit`.
async fn until_closed(s: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, ()> {
    let mut got = vec![];
    tokio::time::timeout(limit, s.read_to_end(&mut got))
        .await
        .map_err(|_| ())?
        .map_err(|_| ())?;
    Ok(got)
}

/// One plain HTTP/1.1 GET, its status line and body.
async fn get(web: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(web).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let got = until_closed(&mut s, PATIENCE).await.expect("the page came");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_half_requests_and_idle_sockets_locks_nobody_out() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, hall_config(100, "")).unwrap();
    let db = dir.path().join("antre.db");
    let hub = HubProcess::start(
        &config,
        &db,
        &["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"],
    )
    .await;
    let web = hub.web.unwrap();
    // A ticket for the phone to look at.
    let mut kiosk = Raw::connect(hub.addr).await;
    kiosk
        .send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":0}))
        .await;
    assert_eq!(kiosk.recv().await["type"], "welcome");
    let issued = kiosk
        .ok(json!({"type":"issue_ticket","service":"bpjs"}))
        .await;
    assert_eq!(issued["ticket"]["code"], "B-001");
    drop(kiosk);

    // 300 half-sent HTTP requests from ten addresses: a head that never ends.
    let mut half = vec![];
    for i in 0..300 {
        let mut s = connect_from(attacker(i % 10), web).await.unwrap();
        s.write_all(b"GET /t/B-001 HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
            .await
            .unwrap();
        half.push(s);
    }
    let flood_started = tokio::time::Instant::now();

    // 600 idle sockets on the device port from forty addresses, each reopened as soon as
    // the hub closes it, for as long as the test runs.
    let stop = Arc::new(tokio::sync::Notify::new());
    let reopened = Arc::new(AtomicUsize::new(0));
    let mut flooders = vec![];
    for i in 0..600 {
        let (stop, reopened, addr) = (Arc::clone(&stop), Arc::clone(&reopened), hub.addr);
        flooders.push(tokio::spawn(async move {
            loop {
                let Ok(mut s) = connect_from(attacker(10 + i % 40), addr).await else {
                    tokio::task::yield_now().await;
                    continue;
                };
                let mut sink = vec![];
                tokio::select! {
                    _ = s.read_to_end(&mut sink) => { reopened.fetch_add(1, Ordering::Relaxed); }
                    () = stop.notified() => return,
                }
            }
        }));
    }
    // Let the flood reach the hub's limits: the hub has closed (and the flood reopened)
    // more sockets than it keeps places for.
    while reopened.load(Ordering::Relaxed) < 600 {
        tokio::task::yield_now().await;
        assert!(
            flood_started.elapsed() < PATIENCE,
            "the hub never closed the idle sockets"
        );
    }

    // During the flood: a kiosk says hello and is welcomed within 2 s, five times over.
    for _ in 0..5 {
        let began = tokio::time::Instant::now();
        let mut kiosk = Raw::connect(hub.addr).await;
        kiosk
            .send(&json!({"type":"hello","protocol":1,"device":"kiosk-2","token":token("kiosk-2"),"since":0}))
            .await;
        let w = tokio::time::timeout(Duration::from_secs(2), kiosk.recv())
            .await
            .expect("a welcome within 2 s during the flood");
        assert_eq!(w["type"], "welcome", "{w}");
        assert!(began.elapsed() < Duration::from_secs(2));
        let again = kiosk.ok(json!({"type":"ping"})).await;
        assert_eq!(again["type"], "ok");
    }
    // And a phone's ticket page loads.
    let page = tokio::time::timeout(Duration::from_secs(2), get(web, "/t/B-001"))
        .await
        .expect("the page within 2 s during the flood");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("B-001"));

    // Every half-sent request is closed by the hub within 30 s of the flood's start.
    for (i, s) in half.iter_mut().enumerate() {
        let left = Duration::from_secs(30).saturating_sub(flood_started.elapsed());
        assert!(
            until_closed(s, left).await.is_ok(),
            "half-sent request {i} still open 30 s into the flood"
        );
    }
    stop.notify_waiters();
    for f in flooders {
        f.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_only_a_few_sockets_without_a_hello() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hall.toml");
    std::fs::write(&config, hall_config(100, "unauthenticated_per_client = 4")).unwrap();
    let hub = HubProcess::start(
        &config,
        &dir.path().join("antre.db"),
        &["--listen", "127.0.0.1:0", "--http", "off"],
    )
    .await;
    // Six idle sockets from one address: the fifth and sixth close the first and second,
    // which hear why.
    let mut idle = vec![];
    for _ in 0..6 {
        idle.push(connect_from(attacker(0), hub.addr).await.unwrap());
    }
    for s in &mut idle[..2] {
        let got = until_closed(s, PATIENCE)
            .await
            .expect("closed for a newer one");
        let line = String::from_utf8_lossy(&got);
        assert!(line.contains("\"code\":\"busy\""), "{line}");
        assert!(line.contains("waiting to say hello"), "{line}");
    }
    // The other four are still open: a hello on the newest is welcomed.
    let mut newest = Raw::from_stream(idle.pop().unwrap());
    newest
        .send(&json!({"type":"hello","protocol":1,"device":"kiosk-1","token":token("kiosk-1"),"since":0}))
        .await;
    assert_eq!(newest.recv().await["type"], "welcome");
}
