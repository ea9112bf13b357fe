//! End to end in a real headless Chromium: open the handbook of the
//! examples, search for 投诉, follow a result and a cross-link, check that
//! nothing was fetched from the network, and keep a screenshot under
//! `target/browser-screenshots/`.
//!
//! Needs `/usr/bin/chromium`: without it the test skips with a note, unless
//! `SOP_BROWSER_TESTS=1` (set by `.ci/run`, which installs it) requires it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::Tab;

use crate::support::{self, chromium, screenshots_dir, Recorder};

fn url_of(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn wait_for_url(tab: &Tab, ends_with: &str) {
    for _ in 0..100 {
        if crate::support::percent_decode(&tab.get_url()).contains(ends_with) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("never reached {ends_with}; at {}", tab.get_url());
}

#[test]
fn search_and_navigate_the_handbook_offline() {
    let Some(browser) = chromium(module_path!(), 1280, 1600) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let built = support::sop(&[
        "handbook",
        "examples",
        "-o",
        site.to_str().unwrap(),
        "--today",
        "2026-11-23",
    ])
    .env("CI", "1")
    .output();
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
    let shots = screenshots_dir();
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::write(shots.join("handbook.png"), &png).unwrap();
    assert!(png.len() > 1000);

    tab.navigate_to(&url_of(&site.join("index.html"))).unwrap();
    tab.wait_until_navigated().unwrap();
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(shots.join("handbook-index.png"), &png).unwrap();

    // Sort the index by the worst case, shortest first, then longest first.
    let worst_order = || -> Vec<u64> {
        let js = "Array.from(document.querySelectorAll('table.index tr[data-owner]')).map(r => r.lastElementChild.dataset.value).join(',')";
        let value = tab.evaluate(js, false).unwrap().value.unwrap();
        value
            .as_str()
            .unwrap()
            .split(',')
            .map(|v| v.parse().expect("every example has a time limit"))
            .collect()
    };
    let header = tab
        .find_elements("table.index th[data-sort]")
        .unwrap()
        .into_iter()
        .find(|th| {
            th.get_inner_text()
                .unwrap_or_default()
                .contains("Worst case")
        })
        .expect("a worst case column");
    header.click().unwrap();
    let ascending = worst_order();
    assert!(ascending.len() >= 10, "{ascending:?}");
    assert!(ascending.is_sorted(), "{ascending:?}");
    header.click().unwrap();
    let descending = worst_order();
    assert!(descending.iter().rev().is_sorted(), "{descending:?}");

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
