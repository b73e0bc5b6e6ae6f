//! The `antre-hub` command line: config checks name the problem.

use std::process::Command;

#[test]
fn check_config_accepts_the_sample_hall() {
    let out = Command::new(env!("CARGO_BIN_EXE_antre-hub"))
        .args([
            "check-config",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../config/mpp-among-warga.toml"
            ),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("MPP Among Warga Kota Batu: ok — 15 agencies"),
        "{stdout}"
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
