//! The HTML page in a real headless Chromium: every example (and the
//! hostile fixture) renders a visible flowchart with one linked node per
//! step, fetches nothing from the network, runs no script, and leaves a
//! screenshot under `target/browser-screenshots/<example>.png`.
//!
//! Needs `/usr/bin/chromium`: without it the tests skip with a note, unless
//! `SOP_BROWSER_TESTS=1` (set by `.ci/run`, which installs it) requires it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::Tab;

use crate::support::{self, chromium, screenshots_dir, Recorder};
use serde_json::Value;
use sop::model::Workflow;
use sop::source::Source;

fn inputs() -> Vec<PathBuf> {
    let mut files = support::sop_files("examples");
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
    let Some(browser) = chromium(module_path!(), 1200, 2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shots = screenshots_dir();
    std::fs::create_dir_all(&shots).unwrap();
    let tab = browser.new_tab().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    tab.enable_fetch(None, None).unwrap();
    tab.enable_request_interception(Arc::new(Recorder(requests.clone())))
        .unwrap();
    for input in inputs() {
        let name = input.file_stem().unwrap().to_string_lossy().to_string();
        let page = dir.path().join(format!("{name}.html"));
        let rendered = support::sop(&[
            "render",
            input.to_str().unwrap(),
            "--to",
            "html",
            "-o",
            page.to_str().unwrap(),
            "--today",
            "2026-11-23",
        ])
        .env("NO_COLOR", "1")
        .output();
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
    let Some(browser) = chromium(module_path!(), 1200, 2000) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("cs-001.html");
    let rendered = support::sop(&[
        "render",
        "examples/CS-001-customer-inquiries.sop",
        "--to",
        "html",
        "-o",
        page.to_str().unwrap(),
    ])
    .output();
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
