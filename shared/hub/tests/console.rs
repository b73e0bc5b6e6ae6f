//! The hall's console over real HTTP on loopback (CONSOLE.md): logging in, the lock-out,
//! CSRF, roles and a supervisor's agencies, acting on counters as the devices see it, a
//! service changed while a kiosk is connected, a device paired over the real protocol and
//! revoked, the audit trail, and the console's absence from the visitors' listener;
//! agencies, counters and holidays; reports; the OpenAPI documents; a smart TV's address
//! and QR code (read back by Chromium and zbar).

mod common;
mod webcommon;

use antre_hub::config::Config;
use antre_hub::console::{auth::Role, users};
use common::{hall_config, Connect, Raw, TestHub};
use serde_json::{json, Value};
use webcommon::Http;

const PASSWORD: &str = "rahasia-aula-123";

/// A logged-in console user: its cookie and CSRF token.
struct Login {
    http: Http,
    cookie: String,
    csrf: String,
}

impl Login {
    async fn as_user(console: std::net::SocketAddr, user: &str, password: &str) -> Login {
        let http = Http::new(console);
        let r = http
            .post(
                "/console/api/v1/login",
                &json!({"user": user, "password": password}).to_string(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let set = r.set_cookie.clone().expect("a session cookie");
        // The cookie the contract asks for.
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(set.contains(part), "{set}");
        }
        let cookie = set.split(';').next().unwrap().to_owned();
        Login {
            http,
            cookie,
            csrf: r.json()["csrf"].as_str().unwrap().to_owned(),
        }
    }

    async fn get(&self, path: &str) -> webcommon::Reply {
        self.http
            .request("GET", path, None, &[("cookie", &self.cookie)])
            .await
    }

    async fn send(&self, method: &str, path: &str, body: Value) -> webcommon::Reply {
        let body = body.to_string();
        self.http
            .request(
                method,
                path,
                Some(&body),
                &[("cookie", &self.cookie), ("x-csrf-token", &self.csrf)],
            )
            .await
    }
}

fn add_user(hub: &TestHub, name: &str, role: Role, agencies: Option<Vec<&str>>) {
    let cfg = Config::parse(&hall_config(100, "")).unwrap();
    let agencies = agencies.map(|a| a.into_iter().map(str::to_owned).collect());
    users::add(&hub.db, &cfg, "test", name, role, agencies, PASSWORD).expect("user added");
}

#[tokio::test]
async fn logging_in_checks_the_password_and_locks_after_five_wrong_ones() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    // Added while the hub runs: beside its own connection.
    add_user(&hub, "ani", Role::Admin, None);
    let http = Http::new(console);

    // No session: nothing is shown.
    let r = http.get("/console/api/v1/hall").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("login_required"))
    );

    // A wrong password and an unknown user get the same answer.
    let wrong = |user: &str, pw: &str| json!({"user": user, "password": pw}).to_string();
    let r = http
        .post("/console/api/v1/login", &wrong("budi", PASSWORD))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("wrong_login"))
    );
    let r = http
        .post("/console/api/v1/login", &wrong("ani", "salah-sekali-123"))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("wrong_login"))
    );

    // The right one opens a session.
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let hall = ani.get("/console/api/v1/hall").await;
    assert_eq!(hall.status, 200, "{}", hall.body);
    let h = hall.json();
    assert_eq!(h["hall"]["name"], "MPP Uji");
    assert_eq!(h["counters"].as_array().unwrap().len(), 3);
    assert_eq!(h["today"]["issued"], 0);

    // Four more wrong ones (five in all, one before the good login was forgotten by it)...
    for _ in 0..4 {
        let r = http
            .post("/console/api/v1/login", &wrong("ani", "salah-sekali-123"))
            .await;
        assert_eq!(r.status, 401);
    }
    let r = http
        .post("/console/api/v1/login", &wrong("ani", "salah-sekali-123"))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (429, json!("locked"))
    );
    // ...and now even the right password is refused.
    let r = http
        .post("/console/api/v1/login", &wrong("ani", PASSWORD))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (429, json!("locked"))
    );

    // The trail has the logins and the lock-out, and never the password.
    let audit = ani.get("/console/api/v1/audit").await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    let actions: Vec<String> = audit
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(actions.contains(&"login".to_owned()), "{actions:?}");
    assert_eq!(
        actions.iter().filter(|a| *a == "login_failed").count(),
        7,
        "{actions:?}"
    );
    assert!(actions.contains(&"locked".to_owned()), "{actions:?}");
    assert!(!audit.body.contains(PASSWORD) && !audit.body.contains("salah-sekali"));
    hub.stop().await;
}

#[tokio::test]
async fn changes_need_the_csrf_token_and_the_role() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    add_user(&hub, "vera", Role::Viewer, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let vera = Login::as_user(console, "vera", PASSWORD).await;

    // Without the header, and with another session's token: refused, nothing opened.
    let path = "/console/api/v1/counters/1/open";
    let body = json!({"officer": "Sri"}).to_string();
    let r = ani
        .http
        .request("POST", path, Some(&body), &[("cookie", &ani.cookie)])
        .await;
    assert_eq!((r.status, r.json()["error"].clone()), (403, json!("csrf")));
    let r = ani
        .http
        .request(
            "POST",
            path,
            Some(&body),
            &[("cookie", &ani.cookie), ("x-csrf-token", &vera.csrf)],
        )
        .await;
    assert_eq!((r.status, r.json()["error"].clone()), (403, json!("csrf")));
    // A viewer reads but never acts.
    let r = vera.send("POST", path, json!({"officer": "Sri"})).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (403, json!("forbidden"))
    );
    let r = vera
        .send(
            "POST",
            "/console/api/v1/devices",
            json!({"id": "kiosk-9", "role": "kiosk"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = vera.get("/console/api/v1/users").await;
    assert_eq!(r.status, 403);
    let h = ani.get("/console/api/v1/hall").await.json();
    assert_eq!(h["counters"][0]["open"], false);

    // Logged out: the cookie opens nothing any more.
    let r = ani.send("POST", "/console/api/v1/logout", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(ani.get("/console/api/v1/hall").await.status, 401);
    hub.stop().await;
}

#[tokio::test]
async fn the_console_acts_for_a_counter_and_the_devices_see_it() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let mut display = hub.connect("display-1").await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut sse = ani
        .http
        .sse("/console/api/v1/events", &[("cookie", &ani.cookie)])
        .await
        .unwrap_or_else(|r| panic!("{}", r.body));

    let r = ani
        .send(
            "POST",
            "/console/api/v1/counters/1/open",
            json!({"officer": "Sri"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(display.event().await["kind"], "counter_opened");
    let live = sse.next().await.json();
    assert_eq!(live["kind"], "counter_opened");
    assert_eq!(live["counter"], "1");

    // A pause with its reason reaches the wall display.
    let r = ani
        .send(
            "POST",
            "/console/api/v1/counters/1/pause",
            json!({"reason": "salat", "until": "12:30"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let e = display.event().await;
    assert_eq!(e["kind"], "counter_paused");
    assert_eq!(e["state"]["paused"]["reason"], "salat");
    assert_eq!(e["state"]["paused"]["until"], "12:30");
    let h = ani.get("/console/api/v1/hall").await.json();
    assert_eq!(
        h["counters"][0]["paused"]["reason"], "salat",
        "{}",
        h["counters"][0]
    );
    // While paused the queue's own rule answers, as a 409 with the protocol's code.
    let r = ani
        .send("POST", "/console/api/v1/counters/1/call_next", json!({}))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (409, json!("counter_paused"))
    );
    let r = ani
        .send("POST", "/console/api/v1/counters/1/resume", json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // A ticket, called and cancelled on a counter's behalf.
    let code = kiosk.issue("ktp", None).await;
    let second = kiosk.issue("ktp", None).await;
    let r = ani
        .send("POST", "/console/api/v1/counters/1/call_next", json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["ticket"]["code"], json!(code));
    let r = ani
        .send(
            "POST",
            &format!("/console/api/v1/tickets/{second}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let h = ani.get("/console/api/v1/hall").await.json();
    assert_eq!(h["counters"][0]["current"]["code"], json!(code));
    assert_eq!(h["today"]["issued"], 2);
    assert_eq!(h["today"]["cancelled"], 1);
    let ktp = h["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["service"] == "ktp")
        .unwrap()
        .clone();
    assert_eq!(ktp["count"], 0);

    // Recorded with the console user's name.
    let audit = ani.get("/console/api/v1/audit").await.json();
    let mine: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["user"] == "ani")
        .collect();
    let actions: Vec<&str> = mine.iter().map(|a| a["action"].as_str().unwrap()).collect();
    for a in [
        "counter_open",
        "counter_pause",
        "counter_resume",
        "counter_call_next",
        "ticket_cancel",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    // A refused act is not recorded as done.
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "counter_call_next")
            .count(),
        1
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_service_changed_in_the_console_reaches_a_connected_kiosk() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let mut kiosk = hub.connect("kiosk-1").await;

    let put = |name: &str, prefix: &str, quota: Value| {
        json!({
            "agency": "dukcapil", "name": name, "prefix": prefix, "daily_quota": quota,
            "hours": "08:00-15:00", "max_wait_min": 30,
        })
    };
    // Every problem at once, each with its field; nothing changes.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/services/ktp",
            put("", "a1", json!(0)),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("invalid")),
        "{}",
        r.body
    );
    let fields: Vec<String> = r.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap_or("").to_owned())
        .collect();
    for f in ["prefix", "name", "daily_quota"] {
        assert!(
            fields.contains(&f.to_owned()),
            "{f} not in {fields:?}: {}",
            r.body
        );
    }
    // Prefix B is BPJS's: agencies may not share one.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/services/ktp",
            put("KTP-el", "B", json!(100)),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("prefix"), "{}", r.body);

    let r = ani
        .send(
            "PUT",
            "/console/api/v1/services/ktp",
            put("KTP-el Baru", "A", json!(120)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let e = kiosk.event().await;
    assert_eq!(e["kind"], "hall_changed", "{e}");
    let ktp = e["hall"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "ktp")
        .unwrap()
        .clone();
    assert_eq!(ktp["name"], "KTP-el Baru");
    assert_eq!(ktp["daily_quota"], 120);
    assert_eq!(ktp["max_wait_min"], 30);
    // The hub serves by it at once: a new connection's welcome has it.
    let (_, w) = hub.connect_since("kiosk-2", 0).await;
    let ktp = w["hall"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "ktp")
        .unwrap()
        .clone();
    assert_eq!(ktp["name"], "KTP-el Baru");

    // A service with tickets today cannot be deleted; one without can.
    kiosk.issue("kk", None).await;
    let r = ani
        .send("DELETE", "/console/api/v1/services/kk", json!({}))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (409, json!("in_use")),
        "{}",
        r.body
    );
    let r = ani
        .send(
            "POST",
            "/console/api/v1/services",
            json!({
        "id": "akta", "agency": "dukcapil", "name": "Akta Kelahiran", "prefix": "C"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // Running text.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/running_text",
            json!(["Selamat datang", "Jam layanan 08.00–15.00"]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, w) = hub.connect_since("kiosk-2", 0).await;
    assert_eq!(
        w["hall"]["running_text"],
        json!(["Selamat datang", "Jam layanan 08.00–15.00"])
    );

    // The trail has the change with what it was before.
    let audit = ani.get("/console/api/v1/audit").await.json();
    let update = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "service_update")
        .unwrap()
        .clone();
    assert_eq!(update["target"], "ktp");
    assert!(
        update["before"]
            .as_str()
            .unwrap()
            .contains("KTP Elektronik"),
        "{update}"
    );
    assert!(
        update["after"].as_str().unwrap().contains("KTP-el Baru"),
        "{update}"
    );
    let (dir, clock) = (std::sync::Arc::clone(&hub.dir), hub.clock.clone());
    hub.stop().await;

    // The change outlives a restart: the database holds the catalogue now.
    let hub = TestHub::start_in(&hall_config(100, ""), dir, clock, None).await;
    let (_, w) = hub.connect_since("kiosk-1", 0).await;
    let names: Vec<&str> = w["hall"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"KTP-el Baru") && names.contains(&"Akta Kelahiran"),
        "{names:?}"
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_supervisor_sees_and_changes_its_agencies_only() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "bayu", Role::Supervisor, Some(vec!["bpjs"]));
    let bayu = Login::as_user(console, "bayu", PASSWORD).await;
    let h = bayu.get("/console/api/v1/hall").await.json();
    let services: Vec<&str> = h["hall"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["bpjs"]);
    let counters: Vec<&str> = h["counters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(counters, ["3"]);
    let waiting: Vec<&str> = h["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["service"].as_str().unwrap())
        .collect();
    assert_eq!(waiting, ["bpjs"]);

    let r = bayu
        .send(
            "POST",
            "/console/api/v1/counters/1/open",
            json!({"officer": "X"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = bayu
        .send(
            "POST",
            "/console/api/v1/counters/3/open",
            json!({"officer": "Bayu"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let svc = json!({"agency": "bpjs", "name": "Peserta BPJS Kesehatan", "prefix": "B"});
    assert_eq!(
        bayu.send("PUT", "/console/api/v1/services/bpjs", svc)
            .await
            .status,
        200
    );
    let ktp = json!({"agency": "dukcapil", "name": "KTP", "prefix": "A"});
    assert_eq!(
        bayu.send("PUT", "/console/api/v1/services/ktp", ktp)
            .await
            .status,
        403
    );
    // Moving its service into another agency is moving it out of its reach.
    let moved = json!({"agency": "dukcapil", "name": "BPJS", "prefix": "A"});
    assert_eq!(
        bayu.send("PUT", "/console/api/v1/services/bpjs", moved)
            .await
            .status,
        403
    );
    assert_eq!(bayu.get("/console/api/v1/devices").await.status, 403);
    hub.stop().await;
}

#[tokio::test]
async fn a_device_pairs_with_its_code_once_and_a_revoked_one_is_cut_off() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;

    let r = ani
        .send(
            "POST",
            "/console/api/v1/devices",
            json!({"id": "kiosk-9", "role": "kiosk"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["pairing_code"].as_str().unwrap().to_owned();
    assert!(code.chars().count() >= 8, "{code}");
    let devices = ani.get("/console/api/v1/devices").await.json();
    assert!(devices
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == "kiosk-9"));

    // Before pairing, no token opens it.
    let pair = |code: &str| json!({"type": "pair", "protocol": 1, "code": code});
    let mut c = Raw::connect(hub.addr).await;
    c.send(&pair("WRONGCODE1")).await;
    let a = c.recv().await;
    assert_eq!(
        (a["type"].clone(), a["code"].clone()),
        (json!("error"), json!("unauthorized")),
        "{a}"
    );

    let mut c = Raw::connect(hub.addr).await;
    c.send(&pair(&code)).await;
    let paired = c.recv().await;
    assert_eq!(paired["type"], "paired", "{paired}");
    assert_eq!(paired["device"], "kiosk-9");
    assert_eq!(paired["role"], "kiosk");
    let token = paired["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 43, "32 bytes in base64url: {token}");
    assert!(c.try_recv().await.is_none(), "the hub closes after paired");

    // Used once only.
    let mut c = Raw::connect(hub.addr).await;
    c.send(&pair(&code)).await;
    assert_eq!(c.recv().await["code"], "unauthorized");

    // The token says hello.
    let hello = json!({"type":"hello","protocol":1,"device":"kiosk-9","token":token,"since":0});
    let mut k = Raw::connect(hub.addr).await;
    k.send(&hello).await;
    assert_eq!(k.recv().await["type"], "welcome");
    let issued = k
        .ok(json!({"type":"issue_ticket","service":"bpjs","priority":null}))
        .await;
    assert_eq!(issued["ticket"]["code"], "B-001");

    // Revoked: its connection closes at once with `unauthorized`, and the token is refused.
    let r = ani
        .send("DELETE", "/console/api/v1/devices/kiosk-9", json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Devices are not in the hall object: no `hall_changed` for them, only the close.
    let last = loop {
        let v = k.recv().await;
        if v["type"] != "event" {
            break v;
        }
        assert_ne!(v["kind"], "hall_changed", "{v}");
    };
    assert_eq!(
        (last["code"].clone(), last["message"].clone()),
        (json!("unauthorized"), json!("revoked")),
        "{last}"
    );
    assert!(k.try_recv().await.is_none());
    let mut again = Raw::connect(hub.addr).await;
    again.send(&hello).await;
    assert_eq!(again.recv().await["code"], "unauthorized");

    // Never a token or a code in the trail.
    let audit = ani.get("/console/api/v1/audit").await;
    assert!(
        !audit.body.contains(&token) && !audit.body.contains(&code),
        "{}",
        audit.body
    );
    for a in [
        "device_add",
        "device_pairing_code",
        "device_paired",
        "device_revoke",
    ] {
        assert!(audit.body.contains(a), "{a} missing: {}", audit.body);
    }
    hub.stop().await;
}

#[tokio::test]
async fn guessing_pairing_codes_is_stopped_after_five() {
    let hub = TestHub::start(&hall_config(100, "")).await;
    for i in 0..5 {
        let mut c = Raw::connect(hub.addr).await;
        c.send(&json!({"type": "pair", "protocol": 1, "code": format!("GUESS{i:05}")}))
            .await;
        assert_eq!(c.recv().await["code"], "unauthorized");
    }
    let mut c = Raw::connect(hub.addr).await;
    c.send(&json!({"type": "pair", "protocol": 1, "code": "GUESS99999"}))
        .await;
    assert_eq!(c.recv().await["code"], "busy");
    hub.stop().await;
}

#[tokio::test]
async fn the_console_is_not_on_the_visitors_listener() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let visitors = Http::new(web);
    for path in [
        "/console",
        "/console/api/v1/hall",
        "/console/assets/console.js",
    ] {
        assert_eq!(visitors.get(path).await.status, 404, "{path}");
    }
    let r = visitors
        .post(
            "/console/api/v1/login",
            &json!({"user": "ani", "password": PASSWORD}).to_string(),
        )
        .await;
    assert_eq!(r.status, 404);
    // And the console does not serve the visitors' pages.
    let staff = Http::new(console);
    assert_eq!(staff.get("/console").await.status, 200);
    assert_eq!(staff.get("/api/v1/tickets/A-001").await.status, 404);
    hub.stop().await;
}

#[tokio::test]
async fn counters_agencies_and_holidays_change_while_the_hall_runs() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let mut desk = hub.connect("counter-1").await;
    let (mut kiosk, w) = hub.connect_since("kiosk-1", 0).await;
    let today = w["hall"]["day"].as_str().unwrap().to_owned();

    // Loket 1 serves KK only from now on; its officer's terminal hears it.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/counters/1",
            json!({"name": "Loket 1 (KK)", "services": ["kk"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let e = desk.event().await;
    assert_eq!(e["kind"], "hall_changed");
    let one = e["hall"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "1")
        .unwrap()
        .clone();
    assert_eq!(
        (one["name"].clone(), one["services"].clone()),
        (json!("Loket 1 (KK)"), json!(["kk"]))
    );
    // A counter serving a service nobody defined: refused, with the field.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/counters/1",
            json!({"name": "Loket 1", "services": ["paspor"]}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["field"], "services", "{}", r.body);
    // An open counter is not removed; a new one is added.
    desk.open("1", "Sri").await;
    let r = ani
        .send("DELETE", "/console/api/v1/counters/1", json!({}))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (409, json!("in_use")),
        "{}",
        r.body
    );
    let r = ani
        .send(
            "POST",
            "/console/api/v1/counters",
            json!({"id": "4", "name": "Loket 4", "services": ["bpjs"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let list = ani.get("/console/api/v1/counters").await.json();
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");

    // Agencies: a colour must be #rrggbb; one with services stays.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/agencies/bpjs",
            json!({"name": "BPJS Kesehatan", "color": "biru"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["field"], "color", "{}", r.body);
    let r = ani
        .send("DELETE", "/console/api/v1/agencies/dukcapil", json!({}))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (409, json!("in_use")),
        "{}",
        r.body
    );
    let r = ani
        .send(
            "POST",
            "/console/api/v1/agencies",
            json!({"id": "bapenda", "name": "Bapenda", "color": "#2e7d32"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // A holiday today: no ticket, and the kiosk is told why.
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/holidays",
            json!([{"date": "2026-13-01", "reason": "x"}]),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["problems"][0]["field"], "date", "{}", r.body);
    let r = ani
        .send(
            "PUT",
            "/console/api/v1/holidays",
            json!([{"date": today, "reason": "Cuti bersama"}]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let e = loop {
        let e = kiosk.event().await;
        if e["kind"] == "hall_changed" && e["hall"]["holidays"].is_array() {
            break e;
        }
    };
    assert_eq!(
        e["hall"]["holidays"],
        json!([{"date": today, "reason": "Cuti bersama"}])
    );
    assert!(
        e["hall"]["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["open"] == false),
        "{e}"
    );
    let refused = kiosk
        .err(
            json!({"type":"issue_ticket","service":"bpjs","priority":null}),
            "service_closed",
        )
        .await;
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("Cuti bersama"),
        "{refused}"
    );
    assert_eq!(
        ani.get("/console/api/v1/holidays").await.json(),
        json!([{"date": today, "reason": "Cuti bersama"}])
    );
    let r = ani.send("PUT", "/console/api/v1/holidays", json!([])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    kiosk.issue("bpjs", None).await;
    hub.stop().await;
}

#[tokio::test]
async fn the_report_comes_in_three_formats_and_a_supervisors_holds_its_agencies() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    add_user(&hub, "bayu", Role::Supervisor, Some(vec!["bpjs"]));
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let bayu = Login::as_user(console, "bayu", PASSWORD).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    kiosk.issue("ktp", None).await;
    kiosk.issue("kk", None).await;
    kiosk.issue("bpjs", None).await;

    let all = ani.get("/console/api/v1/report").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.json()["totals"]["issued"], 3);
    let mine = bayu.get("/console/api/v1/report?format=json").await.json();
    assert_eq!(mine["totals"]["issued"], 1, "{mine}");
    assert_eq!(mine["agencies"], json!(["bpjs"]));
    let services: Vec<&str> = mine["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["bpjs"]);

    let html = ani.get("/console/api/v1/report?format=html").await;
    assert!(
        html.content_type.starts_with("text/html"),
        "{}",
        html.content_type
    );
    assert!(html.body.contains("<svg"), "charts as in the HTML report");
    let csv = ani.get("/console/api/v1/report?format=csv").await;
    assert_eq!(csv.content_type, "application/zip");
    assert!(csv.body.as_bytes().starts_with(b"PK"), "a zip file");

    // Bad dates, in words, all at once.
    let r = ani
        .get("/console/api/v1/report?from=kemarin&to=2026-01-01&format=pdf")
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let fields: Vec<String> = r.json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"from".to_owned()) && fields.contains(&"format".to_owned()),
        "{fields:?}"
    );
    hub.stop().await;
}

#[tokio::test]
async fn both_apis_describe_themselves_in_openapi() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let console = hub.start_console().await;
    let doc = Http::new(console).get("/console/api/v1/openapi.json").await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    let doc = doc.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    // Every path of CONSOLE.md, with its methods.
    for (path, methods) in [
        ("/console/api/v1/login", &["post"][..]),
        ("/console/api/v1/logout", &["post"]),
        ("/console/api/v1/hall", &["get"]),
        ("/console/api/v1/events", &["get"]),
        ("/console/api/v1/counters/{id}/{action}", &["post"]),
        ("/console/api/v1/tickets/{code}/cancel", &["post"]),
        ("/console/api/v1/services", &["get", "post"]),
        ("/console/api/v1/services/{id}", &["put", "delete"]),
        ("/console/api/v1/counters", &["get", "post"]),
        ("/console/api/v1/counters/{id}", &["put", "delete"]),
        ("/console/api/v1/agencies", &["get", "post"]),
        ("/console/api/v1/agencies/{id}", &["put", "delete"]),
        ("/console/api/v1/running_text", &["put"]),
        ("/console/api/v1/holidays", &["get", "put"]),
        ("/console/api/v1/devices", &["get", "post"]),
        ("/console/api/v1/devices/{id}", &["delete"]),
        ("/console/api/v1/users", &["get", "post"]),
        ("/console/api/v1/users/{name}", &["delete"]),
        ("/console/api/v1/audit", &["get"]),
        ("/console/api/v1/report", &["get"]),
    ] {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in the document"));
        for m in methods {
            assert!(item.get(*m).is_some(), "{m} {path} is not in the document");
        }
    }
    assert!(doc["components"]["schemas"]["ServiceBody"]["properties"]["max_wait_min"].is_object());

    let public = Http::new(web).get("/api/v1/openapi.json").await.json();
    let paths = public["paths"].as_object().unwrap();
    for path in [
        "/api/v1/tickets/{code}",
        "/api/v1/tickets/{code}/events",
        "/api/v1/tickets/{code}/survey",
        "/api/v1/tickets/{code}/cancel",
        "/api/v1/aspirations",
        "/api/v1/display/events",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} is not in the public document"
        );
    }
    assert!(
        !paths.keys().any(|p| p.starts_with("/console")),
        "the console is not the visitors' API"
    );
    hub.stop().await;
}

#[tokio::test]
async fn a_smart_tv_gets_its_address_with_the_token_and_a_qr_code() {
    let mut hub = TestHub::start(&hall_config(100, "")).await;
    let web = hub.start_web().await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    // Only a display can be one.
    let r = ani
        .send(
            "POST",
            "/console/api/v1/devices",
            json!({"id": "tv-x", "role": "kiosk", "web": true}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    let r = ani
        .send(
            "POST",
            "/console/api/v1/devices",
            json!({"id": "tv-2", "role": "display", "web": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let answer = r.json();
    let url = answer["display_url"].as_str().unwrap().to_owned();
    let (page, token) = url
        .split_once("#token=")
        .expect("the token in the fragment");
    assert!(page.ends_with("/display"), "{url}");
    assert!(token.len() >= 43);
    // The token opens the web display's feed.
    let feed = Http::new(web)
        .sse(
            "/api/v1/display/events",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert!(feed.is_ok(), "the TV's token opens its feed");

    // The QR code, read back by zbar from the picture ImageMagick makes of it, is the address.
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("qr.svg");
    let png = dir.path().join("qr.png");
    std::fs::write(&svg, answer["qr_svg"].as_str().unwrap()).unwrap();
    // Chromium draws the SVG (ImageMagick here has no SVG reader).
    let made = std::process::Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=600,600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", svg.display()))
        .output()
        .unwrap();
    assert!(png.exists(), "{}", String::from_utf8_lossy(&made.stderr));
    let read = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), url);

    // Never the token in the trail.
    let audit = ani.get("/console/api/v1/audit").await;
    assert!(audit.body.contains("device_web_display") && !audit.body.contains(token));
    hub.stop().await;
}

#[tokio::test]
async fn alerts_for_a_long_wait_a_device_offline_and_a_printer() {
    // KTP's limit: 30 minutes.
    let config = hall_config(100, "").replace(
        "hours = \"08:00-15:00\"",
        "hours = \"08:00-15:00\"\nmax_wait_min = 30",
    );
    let mut hub = TestHub::start(&config).await;
    let console = hub.start_console().await;
    add_user(&hub, "ani", Role::Admin, None);
    let ani = Login::as_user(console, "ani", PASSWORD).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let code = kiosk.issue("ktp", None).await;
    kiosk.issue("bpjs", None).await; // BPJS has no limit
    let kinds = |h: &Value| -> Vec<String> {
        h["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    // At first: nothing waited long, and no device has been away a minute.
    let h = ani.get("/console/api/v1/hall").await.json();
    assert!(kinds(&h).is_empty(), "{}", h["alerts"]);

    // 29 minutes later, still no long wait; the devices never seen are offline since start.
    hub.clock.advance(std::time::Duration::from_secs(29 * 60));
    let h = ani.get("/console/api/v1/hall").await.json();
    assert!(
        !kinds(&h).contains(&"long_wait".to_owned()),
        "{}",
        h["alerts"]
    );
    let offline: Vec<&str> = h["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "device_offline")
        .map(|a| a["device"].as_str().unwrap())
        .collect();
    assert!(
        offline.contains(&"counter-3") && !offline.contains(&"kiosk-1"),
        "{offline:?}"
    );

    // At 30 minutes the KTP ticket is past its limit; the BPJS one has none.
    hub.clock.advance(std::time::Duration::from_secs(60));
    let h = ani.get("/console/api/v1/hall").await.json();
    let long: Vec<&Value> = h["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "long_wait")
        .collect();
    assert_eq!(long.len(), 1, "{}", h["alerts"]);
    assert_eq!(
        (
            long[0]["ticket"].clone(),
            long[0]["service"].clone(),
            long[0]["waited_min"].clone()
        ),
        (json!(code), json!("ktp"), json!(30))
    );
    let ktp = h["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["service"] == "ktp")
        .unwrap()
        .clone();
    assert_eq!(ktp["longest_wait_min"], 30);

    // The kiosk's printer runs out of paper: an alert, also on the live stream.
    let mut sse = ani
        .http
        .sse("/console/api/v1/events", &[("cookie", &ani.cookie)])
        .await
        .unwrap_or_else(|r| panic!("{}", r.body));
    kiosk
        .ok(json!({"type":"device_status","printer":"paper_out","message":"Kertas habis"}))
        .await;
    let alert = loop {
        let e = sse.next_of("alert").await.json();
        if e["kind"] == "printer" {
            break e;
        }
    };
    assert_eq!(
        (alert["device"].clone(), alert["status"].clone()),
        (json!("kiosk-1"), json!("paper_out"))
    );
    hub.stop().await;
}
