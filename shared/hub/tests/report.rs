//! The report: IKM arithmetic against numbers worked out by hand, a small day through a real
//! hub with every figure checked, and a generated busy day in all three formats through the
//! `antre-hub` command line.

mod common;

use antre_core::domain::ikm::{Category, Tally};
use antre_hub::config::Config;
use antre_hub::report::{self, Report};
use common::{hall_config, jakarta, Connect, TestHub};
use serde_json::{json, Value};
use std::process::Command;

fn tally(rows: &[[u8; 9]]) -> Tally {
    let mut t = Tally::default();
    for r in rows {
        t.add(r);
    }
    t
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Three respondents, worked out by hand:
///
/// ```text
///        U1 U2 U3 U4 U5 U6 U7 U8 U9   sum
/// R1      4  4  3  4  3  4  4  3  4    33
/// R2      3  3  3  2  3  3  4  3  2    26
/// R3      4  3  2  4  3  4  4  2  3    29
/// sums   11 10  8 10  9 11 12  8  9    88
/// NRR  = sums / 3  = 3.667 3.333 2.667 3.333 3 3.667 4 2.667 3;  Σ NRR = 88/3 = 29.333
/// IKM  = 25 × 29.333 / 9 = 2200/27 = 81.4815  → B (76.61–88.30), shown "81,48"
/// ```
#[test]
fn ikm_of_a_worked_example() {
    let ikm = tally(&[
        [4, 4, 3, 4, 3, 4, 4, 3, 4],
        [3, 3, 3, 2, 3, 3, 4, 3, 2],
        [4, 3, 2, 4, 3, 4, 4, 2, 3],
    ])
    .ikm()
    .unwrap();
    let expected_nrr = [
        11.0 / 3.0,
        10.0 / 3.0,
        8.0 / 3.0,
        10.0 / 3.0,
        3.0,
        11.0 / 3.0,
        4.0,
        8.0 / 3.0,
        3.0,
    ];
    for (got, want) in ikm.nrr().iter().zip(expected_nrr) {
        assert!(close(*got, want), "{got} != {want}");
    }
    assert!(close(ikm.value(), 2200.0 / 27.0), "{}", ikm.value());
    assert_eq!(ikm.value_display(), "81,48");
    assert_eq!(ikm.category(), Category::B);
    assert_eq!(ikm.respondents(), 3);
}

/// Nine respondents whose answers add up to 287, then to 286:
/// 287: 25 × 287 / 81 = 88.580 → A. With the printed weight 0.11 it would be
///      25 × (287/9) × 0.11 = 87.694 → B: the exact 1/9 is what keeps it in A.
/// 286: 25 × 286 / 81 = 88.272 → B (below 88.31).
#[test]
fn the_exact_weight_decides_a_category_near_its_boundary() {
    let threes = [3u8; 9];
    let fours = [4u8; 9];
    let one_three = [3, 4, 4, 4, 4, 4, 4, 4, 4];
    let two_threes = [3, 3, 4, 4, 4, 4, 4, 4, 4];
    let a = tally(&[
        threes, threes, threes, threes, one_three, fours, fours, fours, fours,
    ])
    .ikm()
    .unwrap();
    assert!(close(a.value(), 7175.0 / 81.0), "{}", a.value());
    assert_eq!(a.value_display(), "88,58");
    assert_eq!(a.category(), Category::A);
    let b = tally(&[
        threes, threes, threes, threes, two_threes, fours, fours, fours, fours,
    ])
    .ikm()
    .unwrap();
    assert_eq!(b.value_display(), "88,27");
    assert_eq!(b.category(), Category::B);
}

/// Values exactly on a threshold belong to the higher category; a hair below does not.
/// 2500 respondents with sums 79479: 25 × 79479 / 22500 = 88.31 exactly → A;
/// 79478 → 88.3089 → B, shown truncated as "88,30" (not rounded up to "88,31").
/// 5 respondents with 117: 25 × 117 / 45 = 65.00 exactly → C; 116 → 64.44 → D.
#[test]
fn thresholds_are_exact() {
    let spread = |respondents: u64, total: u64| {
        // Any split over the elements gives the same index; put the rest on U1.
        let mut sums = [0u64; 9];
        sums[0] = total;
        Tally { respondents, sums }.ikm().unwrap()
    };
    assert_eq!(spread(2500, 79479).category(), Category::A);
    assert_eq!(spread(2500, 79479).value_display(), "88,31");
    assert_eq!(spread(2500, 79478).category(), Category::B);
    assert_eq!(spread(2500, 79478).value_display(), "88,30");
    assert_eq!(spread(5, 117).category(), Category::C);
    assert_eq!(spread(5, 116).category(), Category::D);
    // 76.61: 100 respondents, 25 × T / 900 ≥ 76.61 ⇔ T ≥ 2757.96 → 2758 is B, 2757 is C.
    assert_eq!(spread(100, 2758).category(), Category::B);
    assert_eq!(spread(100, 2757).category(), Category::C);
}

/// A small day through the real hub, with every figure of the report worked out here.
#[tokio::test]
async fn a_small_day_reports_what_happened() {
    let config = hall_config(2, "");
    let hub = TestHub::start(&config).await;
    let clock = hub.clock.clone();
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    let mut c3 = hub.connect("counter-3").await;
    c1.open("1", "Sri").await;
    c3.open("3", "Budi").await;

    // 09:00 three KTP tickets (quota 2: the third is refused) and one BPJS.
    let a1 = kiosk.issue("ktp", None).await;
    let a2 = kiosk.issue("ktp", None).await;
    kiosk
        .err(
            json!({"type":"issue_ticket","service":"ktp","priority":null}),
            "quota_exhausted",
        )
        .await;
    let b1 = kiosk.issue("bpjs", None).await;
    // 09:10 counter 1 calls A-001 (waited 10 min), serves 6 min.
    clock.set(jakarta(9, 10));
    assert_eq!(c1.call_next("1").await, a1);
    c1.ok(json!({"type":"start_serving","counter":"1"})).await;
    clock.set(jakarta(9, 16));
    c1.ok(json!({"type":"finish","counter":"1"})).await;
    // 09:30 A-002 called (waited 30 min) and not present.
    clock.set(jakarta(9, 30));
    assert_eq!(c1.call_next("1").await, a2);
    c1.ok(json!({"type":"no_show","counter":"1"})).await;
    // 10:00 counter 3 calls B-001 (waited 60 min), serves 10 min, done at 10:10.
    clock.set(jakarta(10, 0));
    assert_eq!(c3.call_next("3").await, b1);
    c3.ok(json!({"type":"start_serving","counter":"3"})).await;
    clock.set(jakarta(10, 10));
    c3.ok(json!({"type":"finish","counter":"3"})).await;

    // Surveys: A-001 all 4s; B-001 all 2s; A-002 was not served; A-001 twice is refused.
    kiosk
        .ok(json!({"type":"survey","ticket":a1,"answers":[4,4,4,4,4,4,4,4,4]}))
        .await;
    kiosk
        .ok(json!({"type":"survey","ticket":b1,"answers":[2,2,2,2,2,2,2,2,2]}))
        .await;
    kiosk
        .err(
            json!({"type":"survey","ticket":a2,"answers":[4,4,4,4,4,4,4,4,4]}),
            "not_served",
        )
        .await;
    kiosk
        .err(
            json!({"type":"survey","ticket":a1,"answers":[1,1,1,1,1,1,1,1,1]}),
            "already_rated",
        )
        .await;
    for (kind, text) in [
        ("missing_service", "Layanan Paspor"),
        ("missing_service", "layanan   paspor"),
        ("complaint", "AC panas"),
    ] {
        kiosk
            .ok(json!({"type":"aspiration","kind":kind,"text":text}))
            .await;
    }

    let cfg = Config::parse(&config).unwrap();
    let conn = report::open(&hub.db).unwrap();
    let day = jakarta(9, 0).date_naive();
    let r = Report::read(&conn, &cfg, day, day).unwrap();
    let v: Value = serde_json::from_str(&r.json()).unwrap();

    assert_eq!(v["from"], "2026-11-27");
    assert_eq!(v["to"], "2026-11-27");
    let ktp = &v["services"][0];
    assert_eq!(ktp["service"], "ktp");
    assert_eq!(ktp["agency"], "dukcapil");
    assert_eq!(ktp["issued"], 2);
    assert_eq!(ktp["served"], 1);
    assert_eq!(ktp["no_show"], 1);
    assert_eq!(ktp["transferred_out"], 0);
    assert_eq!(ktp["wait_avg_min"], 20.0); // (10 + 30) / 2
    assert_eq!(ktp["wait_p90_min"], 30.0); // ⌈0.9 × 2⌉ = 2nd of [10, 30]
    assert_eq!(ktp["service_avg_min"], 6.0);
    let bpjs = &v["services"][2];
    assert_eq!(bpjs["service"], "bpjs");
    assert_eq!(bpjs["wait_avg_min"], 60.0);
    assert_eq!(bpjs["service_avg_min"], 10.0);

    assert_eq!(
        v["officers"],
        json!([
            {"officer":"Sri","counter":"1","served":1,"service_avg_min":6.0},
            {"officer":"Budi","counter":"3","served":1,"service_avg_min":10.0}
        ])
    );
    // IKM: (36 + 18) / (9 × 2) = 3 per element → 75.00, C.
    assert_eq!(v["ikm"]["respondents"], 2);
    assert_eq!(
        v["ikm"]["nrr"],
        json!([3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0])
    );
    assert_eq!(v["ikm"]["value"], 75.0);
    assert_eq!(v["ikm"]["category"], "C");
    assert_eq!(v["ikm_by_agency"][0]["agency"], "dukcapil");
    assert_eq!(v["ikm_by_agency"][0]["value"], 100.0);
    assert_eq!(v["ikm_by_agency"][0]["category"], "A");
    assert_eq!(v["ikm_by_agency"][1]["agency"], "bpjs");
    assert_eq!(v["ikm_by_agency"][1]["value"], 50.0);
    assert_eq!(v["ikm_by_agency"][1]["category"], "D");
    assert_eq!(v["ikm_by_service"][0]["service"], "ktp");
    assert_eq!(v["ikm_by_service"][0]["respondents"], 1);
    assert_eq!(
        v["unmet"],
        json!([{"service":"ktp","reason":"quota_exhausted","count":1}])
    );
    assert_eq!(
        v["aspirations"],
        json!([
            {"kind":"missing_service","text":"Layanan Paspor","count":2},
            {"kind":"complaint","text":"AC panas","count":1}
        ])
    );
    assert_eq!(v["totals"]["issued"], 3);
    assert_eq!(v["totals"]["served"], 2);
    assert_eq!(
        v["hours"],
        json!([{"hour":9,"arrivals":3,"served":1},{"hour":10,"arrivals":0,"served":1}])
    );
    // A-001 waited 10 min (class 10–15), A-002 30 min (30–45); B-001 60 min (≥ 60).
    assert_eq!(
        v["wait_distribution"],
        json!([
            {"agency":"dukcapil","counts":[0,0,1,0,0,1,0,0]},
            {"agency":"bpjs","counts":[0,0,0,0,0,0,0,1]}
        ])
    );

    // The next day is empty; a reversed period is refused in words.
    let next = day.succ_opt().unwrap();
    let empty = Report::read(&conn, &cfg, next, next).unwrap();
    assert_eq!(empty.totals.issued, 0);
    assert_eq!(empty.ikm.category, None);
    let err = Report::read(&conn, &cfg, next, day)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ends (2026-11-27) before it starts (2026-11-28)"),
        "{err}"
    );
    hub.stop().await;
}

fn hub_cmd(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        // Hubs of tests and benchmarks run side by side: none takes the console's port.
        .env("ANTRE_CONSOLE", "off")
        .args(args)
        .env("ANTRE_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `antre-hub report` on the sample hall's config, for `db` and `date`, with `extra` flags.
fn report_cmd(db: &str, date: &str, extra: &[&str]) -> (bool, String, String) {
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    );
    let mut args = vec!["report", "--config", config, "--db", db, "--date", date];
    args.extend_from_slice(extra);
    hub_cmd(&args)
}

/// A generated busy day at MPP Among Warga, reported in all three formats by the command line.
#[test]
fn a_busy_day_in_json_csv_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    );
    let db = dir.path().join("busy.db");
    let db = db.to_str().unwrap();
    let (ok, out, err) = hub_cmd(&[
        "simulate-day",
        "--config",
        config,
        "--db",
        db,
        "--date",
        "2026-11-27",
        "--visitors",
        "2400",
    ]);
    assert!(ok, "{out}{err}");

    // What the database holds, counted here with plain SQL.
    let conn = rusqlite::Connection::open(db).unwrap();
    let count = |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let tickets = count("SELECT COUNT(*) FROM tickets");
    let surveys = count("SELECT COUNT(*) FROM surveys");
    let served = count("SELECT COUNT(*) FROM tickets WHERE status = 'done'");
    let answers_sum = count("SELECT SUM(u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9) FROM surveys");
    let aspirations = count("SELECT COUNT(*) FROM aspirations");
    let unmet = count("SELECT COUNT(*) FROM unmet_demand");
    assert!(tickets >= 1500, "a busy day: {tickets} tickets");
    assert!(surveys >= 200, "hundreds of surveys: {surveys}");

    let (ok, json_out, err) = hub_cmd(&[
        "report",
        "--config",
        config,
        "--db",
        db,
        "--date",
        "2026-11-27",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&json_out).unwrap();
    let sum = |table: &str, field: &str| -> u64 {
        v[table]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[field].as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum("services", "issued"), tickets);
    assert_eq!(sum("services", "served"), served);
    assert_eq!(sum("officers", "served"), served);
    assert_eq!(sum("hours", "arrivals"), tickets);
    assert_eq!(sum("unmet", "count"), unmet);
    assert_eq!(sum("aspirations", "count"), aspirations);
    assert_eq!(v["ikm"]["respondents"].as_u64().unwrap(), surveys);
    assert_eq!(sum("ikm_by_agency", "respondents"), surveys);
    assert_eq!(sum("ikm_by_service", "respondents"), surveys);
    // The index from the raw sums, computed here: 25 × Σ / (9 n).
    let expected = 25.0 * answers_sum as f64 / (9.0 * surveys as f64);
    assert!(close(v["ikm"]["value"].as_f64().unwrap(), expected));
    assert_eq!(v["ikm"]["nrr"].as_array().unwrap().len(), 9);
    for row in v["services"].as_array().unwrap() {
        for field in [
            "service",
            "agency",
            "issued",
            "served",
            "no_show",
            "transferred_out",
            "wait_avg_min",
            "wait_p90_min",
            "service_avg_min",
        ] {
            assert!(row.get(field).is_some(), "services[].{field} in {row}");
        }
    }
    // Grouped aspirations: case and spacing variants of the simulator's texts are one row.
    let texts: Vec<String> = v["aspirations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{}:{}",
                a["kind"],
                a["text"].as_str().unwrap().to_lowercase()
            )
        })
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), texts.len(), "{texts:?}");
    let counts: Vec<u64> = v["aspirations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    // CSV: one file per table, rows as in the JSON.
    let csv_dir = dir.path().join("csv");
    let (ok, out, err) = report_cmd(
        db,
        "2026-11-27",
        &["--format", "csv", "--out", csv_dir.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    // services, officers, ikm, unmet, aspirations, pauses, hours, wait-distribution.
    assert_eq!(out.lines().count(), 8, "{out}");
    let services_csv =
        std::fs::read_to_string(csv_dir.join("laporan-2026-11-27-services.csv")).unwrap();
    assert!(services_csv.starts_with("\u{feff}service,agency,name,issued,served"));
    assert_eq!(
        services_csv.lines().count() - 1,
        v["services"].as_array().unwrap().len()
    );
    let ikm_csv = std::fs::read_to_string(csv_dir.join("laporan-2026-11-27-ikm.csv")).unwrap();
    assert!(ikm_csv
        .lines()
        .nth(1)
        .unwrap()
        .starts_with(&format!("hall,,{surveys},")));

    // HTML: one page with its three charts and the figures.
    let html_dir = dir.path().join("html");
    let (ok, _, err) = report_cmd(
        db,
        "2026-11-27",
        &["--format", "html", "--out", html_dir.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    let html = std::fs::read_to_string(html_dir.join("laporan-2026-11-27.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    assert!(html.contains(v["ikm"]["value_display"].as_str().unwrap()));
    assert!(html.contains("Layanan yang belum tersedia"));
    assert!(html.contains("Jumat, 27 November 2026"));
    if let Ok(shots) = std::env::var("ANTRE_REPORT_OUT") {
        std::fs::copy(
            html_dir.join("laporan-2026-11-27.html"),
            std::path::Path::new(&shots).join("laporan-2026-11-27.html"),
        )
        .unwrap();
    }
}

#[test]
fn report_errors_are_words() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let (ok, _, err) = report_cmd(missing.to_str().unwrap(), "2026-11-27", &[]);
    assert!(!ok);
    assert!(err.contains("there is no database at"), "{err}");
    let (ok, _, err) = report_cmd("x.db", "27-11-2026", &[]);
    assert!(!ok);
    assert!(err.contains("write it as YYYY-MM-DD"), "{err}");
    let (ok, _, err) = report_cmd("x.db", "2026-11-27", &["--format", "csv"]);
    assert!(!ok);
    assert!(err.contains("give the folder with --out DIR"), "{err}");
}

/// What visitors and officers type reaches the spreadsheet as text: formulas are
/// neutralised (OWASP's rule), control characters never arrive.
#[tokio::test]
async fn typed_text_reaches_the_csv_as_text() {
    let config = hall_config(100, "");
    let hub = TestHub::start(&config).await;
    let mut kiosk = hub.connect("kiosk-1").await;
    let mut c1 = hub.connect("counter-1").await;
    // An officer name with a NUL and a terminal escape, and a ticket served by her.
    c1.open("1", "Sri\u{0}\u{1b}[31m Wahyuni").await;
    kiosk.issue("ktp", None).await;
    c1.call_next("1").await;
    c1.ok(json!({"type":"finish","counter":"1"})).await;
    let texts = [
        "=HYPERLINK(\"http://evil/\",\"klik\")",
        "+62 812 3456 7890",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
    ];
    for t in texts {
        kiosk
            .ok(json!({"type":"aspiration","kind":"suggestion","text":t}))
            .await;
    }
    let db = hub.db.clone();
    // The hub's folder goes with it: stop it after the report.
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("hall.toml");
    std::fs::write(&config_path, &config).unwrap();
    let out = dir.path().join("csv");
    let (ok, _, err) = hub_cmd(&[
        "report",
        "--config",
        config_path.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--date",
        "2026-11-27",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let aspirations =
        std::fs::read_to_string(out.join("laporan-2026-11-27-aspirations.csv")).unwrap();
    // By hand: each text with a ' in front, quoted where it holds a comma or a quote.
    for expected in [
        "\"'=HYPERLINK(\"\"http://evil/\"\",\"\"klik\"\")\"",
        "'+62 812 3456 7890",
        "'-2+3+cmd|' /C calc'!A0",
        "'@SUM(A1:A9)",
    ] {
        assert!(
            aspirations.lines().any(|l| l.contains(expected)),
            "{expected} not in:\n{aspirations}"
        );
    }
    let officers = std::fs::read_to_string(out.join("laporan-2026-11-27-officers.csv")).unwrap();
    assert!(officers.contains("Sri[31m Wahyuni"), "{officers}");
    assert!(!officers.contains(['\u{0}', '\u{1b}']), "{officers:?}");
    hub.stop().await;
}

/// The weeks and months of a long period, worked out by hand from a calendar.
#[test]
fn a_long_period_is_cut_into_weeks_or_months() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // A month or less: no trend.
    assert!(report::trend_buckets(d("2026-11-01"), d("2026-12-01")).is_empty());
    // 2 November 2026 is a Monday of ISO week 45; 20 December a Sunday of week 51: 49 days.
    let weeks = report::trend_buckets(d("2026-11-02"), d("2026-12-20"));
    let labels: Vec<&str> = weeks.iter().map(|(l, _, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        ["2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    );
    assert_eq!((weeks[0].1, weeks[0].2), (d("2026-11-02"), d("2026-11-08")));
    // A Thursday start: the first week is cut to the period (15–18 October, week 42).
    let cut = report::trend_buckets(d("2026-10-15"), d("2026-11-30"));
    assert_eq!(
        (cut[0].0.as_str(), cut[0].1, cut[0].2),
        ("2026-W42", d("2026-10-15"), d("2026-10-18"))
    );
    assert_eq!(cut.last().unwrap().2, d("2026-11-30"));
    // A year: twelve months, February with its 28 days.
    let months = report::trend_buckets(d("2026-01-01"), d("2026-12-31"));
    assert_eq!(months.len(), 12);
    assert_eq!(
        (months[1].0.as_str(), months[1].1, months[1].2),
        ("2026-02", d("2026-02-01"), d("2026-02-28"))
    );
    assert_eq!(months[11].0, "2026-12");
}

/// Two simulated days a month apart: the period's report has a weekly trend whose weeks add
/// up to the period (counted with plain SQL), a supervisor's holds its agency only, and the
/// wait chart's agency names fit (measured by ImageMagick in the font the page uses).
#[test]
fn a_period_has_its_trend_a_scope_and_whole_agency_names() {
    let dir = tempfile::tempdir().unwrap();
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    );
    let db = dir.path().join("period.db");
    let db_s = db.to_str().unwrap();
    for date in ["2026-11-03", "2026-11-27"] {
        let (ok, out, err) = hub_cmd(&[
            "simulate-day",
            "--config",
            config,
            "--db",
            db_s,
            "--date",
            date,
            "--visitors",
            "400",
        ]);
        assert!(ok, "{out}{err}");
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let all = count("SELECT COUNT(*) FROM tickets");
    let first_week =
        count("SELECT COUNT(*) FROM tickets WHERE day BETWEEN '2026-11-02' AND '2026-11-08'");
    let bpjs = count("SELECT COUNT(*) FROM tickets WHERE first_service LIKE 'bpjs-kes-%'");
    assert!(first_week > 0 && first_week < all);

    let cfg = Config::load(std::path::Path::new(config)).unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let reader = report::open(&db).unwrap();
    let r = Report::read(&reader, &cfg, d("2026-11-01"), d("2026-12-15")).unwrap();
    assert_eq!(r.totals.issued, all);
    assert_eq!(
        r.trend.iter().map(|t| t.issued).sum::<u64>(),
        all,
        "the weeks add up"
    );
    let week45 = r.trend.iter().find(|t| t.label == "2026-W45").unwrap();
    assert_eq!(week45.issued, first_week);
    assert!(report::html::page(&r, &cfg).contains("Tren per minggu"));
    assert!(report::csv::tables(&r)
        .iter()
        .any(|(name, _)| name.ends_with("-trend.csv")));

    // BPJS Kesehatan's supervisor sees BPJS Kesehatan only.
    let scope = vec!["bpjs-kesehatan".to_owned()];
    let mine = Report::read_for(
        &reader,
        &cfg,
        d("2026-11-01"),
        d("2026-12-15"),
        Some(&scope),
    )
    .unwrap();
    assert!(bpjs > 0);
    assert_eq!(mine.totals.issued, bpjs);
    assert!(
        mine.services.iter().all(|s| s.agency == "bpjs-kesehatan"),
        "{:?}",
        mine.services
    );
    assert!(mine.aspirations.is_empty());
    assert!(mine
        .wait_distribution
        .iter()
        .all(|w| w.agency == "bpjs-kesehatan"));

    // Every agency name in the wait chart fits left of its bar.
    let html = report::html::page(&r, &cfg);
    let mut checked = 0;
    for piece in html.split("<text ").skip(1) {
        let (attrs, rest) = piece.split_once('>').unwrap();
        let name = rest.split("</text>").next().unwrap().trim();
        if !attrs.contains("text-anchor=\"end\"") || !cfg.agencies.iter().any(|a| a.name == name) {
            continue;
        }
        let attr = |k: &str| -> f64 {
            let v = attrs
                .split(&format!("{k}=\""))
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            v.parse().unwrap()
        };
        let out = Command::new("convert")
            .args([
                "-font",
                "DejaVu-Sans",
                "-pointsize",
                &attr("font-size").to_string(),
            ])
            .arg(format!("label:{name}"))
            .args(["-format", "%w", "info:"])
            .output()
            .expect("ImageMagick is installed (apt imagemagick)");
        let width: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert!(
            attr("x") >= width,
            "{name:?} is {width} px wide but ends at x = {}",
            attr("x")
        );
        checked += 1;
    }
    assert!(
        checked >= 5,
        "the wait chart's agency names were found ({checked})"
    );
}
