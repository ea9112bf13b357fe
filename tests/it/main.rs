//! The integration tests, in one binary: one link step, and one place for
//! what the tests share (`support`).
//!
//! Browser tests need `/usr/bin/chromium`; without it they skip with a
//! note, and `SOP_BROWSER_TESTS=1` (set by `.ci/run`) makes it required.

mod support;

mod bpmn;
mod browser;
mod cli;
mod dialects;
mod diff;
mod diff_git;
mod docs;
mod editor_grammar;
mod exports;
mod fmt;
mod handbook;
mod handbook_browser;
mod handbook_history;
mod indentation;
mod log;
mod lsp;
mod markdown_safety;
mod misreadings;
mod new;
mod render_html;
mod render_json;
mod render_markdown;
mod robustness;
mod run;
mod run_terminal;
mod safety;
mod schema;
mod serve;
mod snapshots;
mod speed;
mod terminal;
mod timeouts;
mod units;
mod workspace;
mod wrong_output;
