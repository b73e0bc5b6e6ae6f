//! Two counters pressing "next" at the same instant, many times: no ticket is called twice.

mod common;

use common::*;
use serde_json::json;
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_counters_pressing_next_together_never_get_the_same_ticket() {
    const TICKETS: usize = 300;
    let hub = TestHub::start(&hall_config(5000, "")).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    for i in 0..TICKETS {
        let p = if i % 5 == 0 { Some("lansia") } else { None };
        kiosk.issue(if i % 2 == 0 { "ktp" } else { "kk" }, p).await;
    }
    let mut c1 = hub.connect("counter-1").await;
    let mut c2 = hub.connect("counter-2").await;
    c1.open("1", "Sri").await;
    c2.open("2", "Budi").await;

    let mut called = vec![];
    let mut empty = 0;
    for round in 0..TICKETS {
        // Both requests are on the wire before either reply is read.
        let (a, b) = (format!("a{round}"), format!("b{round}"));
        c1.send(&json!({"type":"call_next","id":a,"counter":"1"}))
            .await;
        c2.send(&json!({"type":"call_next","id":b,"counter":"2"}))
            .await;
        for r in [c1.reply().await, c2.reply().await] {
            match r["type"].as_str() {
                Some("ok") => called.push(r["ticket"]["code"].as_str().unwrap().to_owned()),
                _ => {
                    assert_eq!(r["code"], "queue_empty", "{r}");
                    empty += 1;
                }
            }
        }
        if empty >= 2 {
            break;
        }
    }
    let unique: HashSet<_> = called.iter().collect();
    assert_eq!(unique.len(), called.len(), "a ticket was called twice");
    assert_eq!(called.len(), TICKETS, "every ticket called exactly once");
    hub.stop().await;
}
