//! The `antre-hub` command line: config checks name the problem.

use std::process::Command;

fn sample_hall() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    ))
    .unwrap()
}

fn check_config(text: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        // Hubs of tests and benchmarks run side by side: none takes the console's port.
        .env("ANTRE_CONSOLE", "off")
        .args(["check-config", path.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_sample_hall_is_refused_on_the_network_until_its_tokens_are_replaced() {
    // As shipped: 0.0.0.0 and public SAMPLE- tokens.
    let (ok, _, err) = check_config(&sample_hall());
    assert!(!ok, "{err}");
    assert!(err.contains("refusing to serve on 0.0.0.0:7878"), "{err}");
    assert!(
        err.contains("kiosk-1, kiosk-2, survey-1, counter-1"),
        "{err}"
    );
    // On loopback (the demo's way), the samples are fine.
    let local = sample_hall()
        .replace("listen = \"0.0.0.0:7878\"", "listen = \"127.0.0.1:7878\"")
        .replace(
            "http_listen = \"0.0.0.0:8080\"",
            "http_listen = \"127.0.0.1:8080\"",
        );
    let (ok, out, err) = check_config(&local);
    assert!(ok, "{out} {err}");
    // With tokens of their own, on the network.
    let own = sample_hall().replace("token = \"SAMPLE-", "token = \"own-");
    let (ok, out, err) = check_config(&own);
    assert!(ok, "{out} {err}");
    assert!(
        out.contains("MPP Among Warga Kota Batu: ok — 15 agencies"),
        "{out}"
    );
}

#[test]
fn two_devices_with_one_token_are_both_named() {
    let own = sample_hall().replace("token = \"SAMPLE-", "token = \"own-");
    let shared = own.replace("own-kiosk-2-change-me", "own-kiosk-1-change-me");
    let (ok, _, err) = check_config(&shared);
    assert!(!ok);
    assert!(
        err.contains("devices \"kiosk-1\" and \"kiosk-2\" have the same token"),
        "{err}"
    );
}

#[test]
fn a_wrong_config_is_refused_with_the_line_named() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/mpp-among-warga.toml"
    ))
    .unwrap();
    // Samsat's services now claim an agency the hall does not have.
    let bad = sample.replacen("agency = \"samsat\"", "agency = \"samsatt\"", 1);
    let line = bad.lines().position(|l| l.contains("samsatt")).unwrap() + 1;
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, bad).unwrap();
    for args in [
        vec!["check-config", path.to_str().unwrap()],
        vec![
            "serve",
            "--config",
            path.to_str().unwrap(),
            "--db",
            "/nonexistent/x.db",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
            // Hubs of tests and benchmarks run side by side: none takes the console's port.
            .env("ANTRE_CONSOLE", "off")
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("samsatt"), "{err}");
        assert!(
            err.contains(&format!("line {line}:")),
            "line {line} not named: {err}"
        );
    }
}
