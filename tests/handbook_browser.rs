//! End to end in a real headless Chromium: open the handbook of the
//! examples, search for 投诉, follow a result and a cross-link, check that
//! nothing was fetched from the network, and keep a screenshot under
//! `target/browser-screenshots/`.
//!
//! Needs `/usr/bin/chromium` (`.ci/run` installs it). Set
//! `SOP_SKIP_BROWSER=1` to skip on a machine without it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use headless_chrome::browser::tab::{RequestInterceptor, RequestPausedDecision};
use headless_chrome::browser::transport::{SessionId, Transport};
use headless_chrome::protocol::cdp::Fetch::events::RequestPausedEvent;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Records every request the page makes and lets it through.
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
            std::env::var_os("SOP_SKIP_BROWSER").is_some(),
            "{CHROMIUM} is missing: install Debian's chromium package (.ci/run does), or set SOP_SKIP_BROWSER=1"
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
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from(CHROMIUM)))
        .sandbox(false)
        .headless(true)
        .window_size(Some((1280, 1600)))
        .args(args)
        .idle_browser_timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap();
    Some(Browser::new(options).expect("Chromium starts"))
}

fn url_of(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn wait_for_url(tab: &Tab, ends_with: &str) {
    for _ in 0..100 {
        if percent_decoded(&tab.get_url()).contains(ends_with) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("never reached {ends_with}; at {}", tab.get_url());
}

fn percent_decoded(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&url[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn search_and_navigate_the_handbook_offline() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_sop"))
        .args([
            "handbook",
            "examples",
            "-o",
            site.to_str().unwrap(),
            "--today",
            "2026-11-23",
        ])
        .env("CI", "1")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let tab = browser.new_tab().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    tab.enable_fetch(None, None).unwrap();
    tab.enable_request_interception(Arc::new(Recorder(requests.clone())))
        .unwrap();

    tab.navigate_to(&url_of(&site.join("index.html"))).unwrap();
    tab.wait_until_navigated().unwrap();
    tab.wait_for_element("table.index").unwrap();

    // Type a query into the search box and submit it.
    tab.wait_for_element("form.search input")
        .unwrap()
        .click()
        .unwrap();
    tab.type_str("投诉").unwrap().press_key("Enter").unwrap();
    wait_for_url(&tab, "?q=投诉");
    let first = tab.wait_for_element("#search-results li a").unwrap();
    let results = tab
        .evaluate("Array.from(document.querySelectorAll('#search-results li a')).map(a => a.textContent).join('\\n')", false)
        .unwrap()
        .value
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        results.contains("CS-012"),
        "searching 投诉 finds the complaint procedure: {results}"
    );
    let _ = first;

    // Follow the complaint procedure's result.
    let complaint = tab
        .find_elements("#search-results li a")
        .unwrap()
        .into_iter()
        .find(|a| a.get_inner_text().unwrap_or_default().starts_with("CS-012"))
        .unwrap();
    complaint.click().unwrap();
    wait_for_url(&tab, "sop/CS-012.html");
    tab.wait_for_element("main").unwrap();

    // Follow a cross-link to another SOP of the handbook.
    let link = tab
        .find_elements("main a[href$='.html']")
        .unwrap()
        .into_iter()
        .find(|a| {
            let href = a
                .get_attribute_value("href")
                .ok()
                .flatten()
                .unwrap_or_default();
            href.starts_with("CS-") && !href.starts_with("CS-012")
        })
        .expect("the complaint procedure links to another SOP");
    let target = link.get_attribute_value("href").unwrap().unwrap();
    link.click().unwrap();
    wait_for_url(&tab, &format!("sop/{target}"));
    tab.wait_for_element("main h1").unwrap();

    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("handbook.png"), &png).unwrap();
    assert!(png.len() > 1000);

    tab.navigate_to(&url_of(&site.join("index.html"))).unwrap();
    tab.wait_until_navigated().unwrap();
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(shots.join("handbook-index.png"), &png).unwrap();

    let requests = requests.lock().unwrap();
    let network: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with("file://"))
        .collect();
    assert!(
        network.is_empty(),
        "the handbook fetched from the network: {network:?}"
    );
    assert!(
        !requests.is_empty(),
        "the recorder saw the page's own requests"
    );
}
