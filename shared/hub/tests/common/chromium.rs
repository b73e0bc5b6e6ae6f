//! Headless Chromium for the web pages' tests: `chromedriver` on a free port, a browser
//! session at a given viewport, waiting on the page, screenshots, and Lighthouse's
//! accessibility audit. Shared by the hub's and the city's service's browser tests
//! (`#[path]`-included by each).

#![allow(dead_code)] // each test file uses its own part

use fantoccini::{Client as Browser, ClientBuilder, Locator};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PATIENCE: Duration = Duration::from_secs(30);

/// `chromedriver` on a free port, killed at the end.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn chromedriver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (apt chromium-driver)");
    // It says when it is ready.
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    loop {
        let line = lines
            .next()
            .expect("chromedriver starts")
            .expect("chromedriver's output");
        if line.contains("started successfully") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

pub async fn browser(driver: &Driver, profile: &std::path::Path, size: (u32, u32)) -> Browser {
    let chromium = which("chromium").expect("chromium is installed (apt chromium)");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={},{}", size.0, size.1),
            ]
        }),
    );
    let b = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    // The window's size includes what the browser draws around the page: grow it until the
    // page itself (the viewport) has the size of the phone's or the TV's screen.
    b.set_window_size(size.0, size.1).await.unwrap();
    let inner = b
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (w, h) = (
        inner[0].as_u64().unwrap() as u32,
        inner[1].as_u64().unwrap() as u32,
    );
    b.set_window_size(2 * size.0 - w, 2 * size.1 - h)
        .await
        .unwrap();
    b
}

pub fn which(name: &str) -> Option<String> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

/// Waits until the page's `script` (an expression) is true.
pub async fn until(b: &Browser, what: &str, script: &str) {
    let start = Instant::now();
    loop {
        let v = b
            .execute(&format!("return !!({script});"), vec![])
            .await
            .unwrap();
        if v == json!(true) {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the element `css` selects.
pub async fn click(b: &Browser, css: &str) {
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Types `text` into the field with id `id`.
pub async fn type_into(b: &Browser, id: &str, text: &str) {
    b.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

pub async fn text(b: &Browser, id: &str) -> String {
    b.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

pub async fn shot(b: &Browser, name: &str) {
    let dir = std::env::var_os("ANTRE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let png = b.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Lighthouse's accessibility audit of `url` (desktop, at `size`), with `headers` on every
/// request: the score, and the audits that failed.
pub fn lighthouse_accessibility(
    url: &str,
    headers: Option<&str>,
    size: (u32, u32),
) -> (f64, Vec<String>) {
    let lighthouse = which("lighthouse")
        .expect("lighthouse is installed (npm install -g lighthouse@12.2.3, see .ci/run)");
    let profiles = tempfile::tempdir().unwrap();
    let report = profiles.path().join("lighthouse.json");
    let chrome_flags = format!(
        "--headless=new --no-sandbox --disable-gpu --disable-background-networking \
         --disable-component-update --disable-sync --no-first-run --user-data-dir={}",
        profiles.path().join("lh").display()
    );
    let mut cmd = Command::new(&lighthouse);
    cmd.arg(url).args([
        "--only-categories=accessibility",
        "--output=json",
        "--quiet",
        "--preset=desktop",
        // The pages keep their event streams open: they never go quiet.
        "--max-wait-for-load=15000",
    ]);
    cmd.arg(format!("--screenEmulation.width={}", size.0))
        .arg(format!("--screenEmulation.height={}", size.1));
    if let Some(h) = headers {
        cmd.arg(format!("--extra-headers={h}"));
    }
    let out = cmd
        .arg(format!("--output-path={}", report.display()))
        .arg(format!("--chrome-flags={chrome_flags}"))
        .env("CHROME_PATH", which("chromium").expect("chromium"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lighthouse failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lh: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let failing = lh["audits"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, a)| a["score"] == json!(0))
        .map(|(id, a)| format!("{id}: {}", a["title"]))
        .collect();
    (
        lh["categories"]["accessibility"]["score"]
            .as_f64()
            .unwrap_or(0.0),
        failing,
    )
}
