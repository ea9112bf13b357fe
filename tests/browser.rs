//! The HTML page in a real headless Chromium: every example (and the
//! hostile fixture) renders a visible flowchart with one linked node per
//! step, fetches nothing from the network, runs no script, and leaves a
//! screenshot under `target/browser-screenshots/<example>.png`.
//!
//! Needs `/usr/bin/chromium` (`.ci/run` installs it). Without it the test
//! fails, unless `SOP_SKIP_BROWSER=1` is set.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use headless_chrome::browser::tab::{RequestInterceptor, RequestPausedDecision};
use headless_chrome::browser::transport::{SessionId, Transport};
use headless_chrome::protocol::cdp::Fetch::events::RequestPausedEvent;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;
use sop::model::Workflow;
use sop::source::Source;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Records every request a page makes, and lets it through.
struct Recorder(Arc<Mutex<Vec<String>>>);

impl RequestInterceptor for Recorder {
    fn intercept(
        &self,
        _: Arc<Transport>,
        _: SessionId,
        event: RequestPausedEvent,
    ) -> RequestPausedDecision {
        self.0.lock().unwrap().push(event.params.request.url);
        RequestPausedDecision::Continue(None)
    }
}

fn browser() -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("SOP_SKIP_BROWSER").is_some_and(|v| v == "1"),
            "{CHROMIUM} is missing: install Debian's chromium package \
             (`apt-get install chromium`; .ci/run does), or set SOP_SKIP_BROWSER=1 to skip"
        );
        return None;
    }
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--hide-scrollbars",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from(CHROMIUM)))
        .sandbox(false)
        .headless(true)
        .window_size(Some((1200, 2000)))
        .args(args)
        .idle_browser_timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    Some(Browser::new(options).expect("Chromium starts"))
}

fn inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files.push(PathBuf::from("tests/fixtures/render/hostile.sop"));
    files
}

fn step_count(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    Workflow::from_document(&doc).nodes.len()
}

/// Runs a script in the page that returns a JSON string, and parses it.
fn measure(tab: &Tab, script: &str) -> Value {
    let result = tab.evaluate(script, false).unwrap();
    let text = result.value.and_then(|v| v.as_str().map(String::from));
    serde_json::from_str(&text.expect("the script returns a string")).unwrap()
}

const MEASURE: &str = r##"(() => {
  const svg = document.querySelector('svg.flowchart');
  const box = svg.getBoundingClientRect();
  const nodes = Array.from(svg.querySelectorAll('a[href^="#step-"]'));
  const target = a => document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
  const shown = a => { const b = a.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
  const handlers = Array.from(document.querySelectorAll('*'))
    .filter(e => Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on'))).length;
  return JSON.stringify({
    width: box.width, height: box.height, right: box.right,
    viewport: document.documentElement.clientWidth,
    nodes: nodes.length,
    shown: nodes.filter(shown).length,
    linked: nodes.filter(a => target(a) !== null).length,
    steps: document.querySelectorAll('article.step').length,
    scripts: document.scripts.length,
    handlers,
    styles: document.querySelectorAll('style').length,
  });
})()"##;

#[test]
fn every_example_renders_offline_in_chromium() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let tab = browser.new_tab().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    tab.enable_fetch(None, None).unwrap();
    tab.enable_request_interception(Arc::new(Recorder(requests.clone())))
        .unwrap();
    for input in inputs() {
        let name = input.file_stem().unwrap().to_string_lossy().to_string();
        let page = dir.path().join(format!("{name}.html"));
        let rendered = Command::new(env!("CARGO_BIN_EXE_sop"))
            .args(["render", input.to_str().unwrap(), "--to", "html", "-o"])
            .arg(&page)
            .args(["--today", "2026-11-23"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );

        requests.lock().unwrap().clear();
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        tab.navigate_to(&url).unwrap();
        tab.wait_until_navigated().unwrap();
        tab.wait_for_element("svg.flowchart").unwrap();

        let m = measure(&tab, MEASURE);
        let steps = step_count(&input);
        let number = |key: &str| m[key].as_f64().unwrap();
        assert!(
            number("width") > 100.0 && number("height") > 100.0,
            "{name}: the flowchart is visible: {m}"
        );
        assert!(
            number("right") <= number("viewport") + 0.5,
            "{name}: the flowchart fits the page: {m}"
        );
        assert_eq!(
            m["nodes"], steps,
            "{name}: one flowchart node per step: {m}"
        );
        assert_eq!(m["shown"], steps, "{name}: every node has a size: {m}");
        assert_eq!(
            m["linked"], steps,
            "{name}: every node links to its step: {m}"
        );
        assert_eq!(m["steps"], steps, "{name}: {m}");
        assert_eq!(m["scripts"], 0, "{name}: {m}");
        assert_eq!(m["handlers"], 0, "{name}: {m}");
        assert_eq!(m["styles"], 1, "{name}: {m}");

        let png = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap();
        assert!(png.len() > 1000, "{name}: a screenshot");
        std::fs::write(shots.join(format!("{name}.png")), &png).unwrap();

        let requests = requests.lock().unwrap().clone();
        let network: Vec<&String> = requests
            .iter()
            .filter(|u| !u.starts_with("file://"))
            .collect();
        assert!(network.is_empty(), "{name}: the page fetched {network:?}");
        assert_eq!(requests, [url], "{name}: only the page itself is loaded");
    }
}

#[test]
fn a_flowchart_node_jumps_to_its_step() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("cs-001.html");
    let rendered = Command::new(env!("CARGO_BIN_EXE_sop"))
        .args([
            "render",
            "examples/CS-001-customer-inquiries.sop",
            "--to",
            "html",
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!(
        "file://{}",
        page.canonicalize().unwrap().display()
    ))
    .unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("svg a[href='#step-verify']")
        .unwrap()
        .click()
        .unwrap();
    let mut hash = String::new();
    for _ in 0..50 {
        let value = tab.evaluate("location.hash", false).unwrap().value;
        hash = value
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        if hash == "#step-verify" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(hash, "#step-verify");
    let m = measure(
        &tab,
        "JSON.stringify({top: document.getElementById('step-verify').getBoundingClientRect().top})",
    );
    let top = m["top"].as_f64().unwrap();
    assert!(
        (0.0..100.0).contains(&top),
        "the step scrolled into view: {top}"
    );
}
