//! What reaches a terminal never acts on it: escape sequences, carriage
//! returns, C1 controls and bidirectional overrides in file names and file
//! contents are shown, in every format a terminal shows (human, short,
//! GitHub, `sop fmt`'s messages, `sop: …` failures). JSON keeps the exact
//! text.

use std::path::{Path, PathBuf};

use sop::terminal::acts_on_terminal;

use crate::support::{sop, Out};

/// A file name with an escape sequence in it.
const NAME: &str = "a\u{1b}[31m.sop";

/// A file whose errors quote an escape sequence, a screen clear, a C1
/// control sequence introducer and a right-to-left override.
const TEXT: &str = "sop T-1: Title\nversion: 1.0\nfoo\u{1b}[31m: bar\nstatus: act\u{1b}[2Jive\n\
tags: a\u{9b}31m\n\npurpose:\n  P.\n\nscope:\n  S.\n\nsteps:\n  step a: A\n    -> b\u{202e}x\r\n";

fn hostile_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(NAME);
    std::fs::write(&file, TEXT).unwrap();
    (dir, file)
}

/// Fails when the output holds a character that acts on a terminal (line
/// feeds aside).
#[track_caller]
fn assert_inert(out: &Out) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(c) = text.chars().find(|&c| c != '\n' && acts_on_terminal(c)) {
            panic!(
                "`{}` wrote {c:?} to {stream}:\n{}",
                out.shown,
                text.escape_debug()
            );
        }
    }
}

#[test]
fn check_formats_a_terminal_shows_are_inert() {
    let (dir, _) = hostile_dir();
    for format in ["human", "short", "github"] {
        let out = sop(&["check", "--format", format, "."])
            .current_dir(dir.path())
            .run();
        out.code(1);
        assert_inert(&out);
        assert!(out.stdout.contains("a\u{241b}[31m.sop"), "{}", out.stdout);
    }
    let short = sop(&["check", "--format", "short", "."])
        .current_dir(dir.path())
        .run();
    assert!(
        short
            .stdout
            .contains("unknown metadata key `foo\u{241b}[31m`"),
        "{}",
        short.stdout
    );
    // The GitHub format still escapes line breaks and its separators.
    let github = sop(&["check", "--format", "github", "."])
        .current_dir(dir.path())
        .run();
    assert!(github.stdout.contains("%0A%0A"), "{}", github.stdout);
    assert!(
        github.stdout.contains("file=a\u{241b}[31m.sop,line=3,"),
        "{}",
        github.stdout
    );
}

#[test]
fn json_keeps_the_exact_text() {
    let (dir, _) = hostile_dir();
    let out = sop(&["check", "--format", "json", "."])
        .current_dir(dir.path())
        .run();
    out.code(1);
    let json = out.json();
    let text = json.to_string();
    assert!(text.contains("a\\u001b[31m.sop"), "{text}");
    assert!(text.contains("foo\\u001b[31m"), "{text}");
}

#[test]
fn fmt_messages_are_inert() {
    let (dir, _) = hostile_dir();
    let out = sop(&["fmt", "."]).current_dir(dir.path()).run();
    out.code(1);
    assert_inert(&out);
    assert!(out.stderr.contains("a\u{241b}[31m.sop:"), "{}", out.stderr);
    // A file that is not there: the failure quotes its name.
    let missing = sop(&["fmt", "gone\u{1b}]0;title\u{7}.sop"])
        .current_dir(dir.path())
        .run();
    missing.code(2);
    assert_inert(&missing);
    assert!(
        missing.stderr.contains("gone\u{241b}]0;title\u{2407}.sop"),
        "{}",
        missing.stderr
    );
}

#[test]
fn fmt_check_diffs_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b\u{1b}[32m.sop"),
        "sop T-1: Title\r\n\r\npurpose:\r\n    P \u{1b}[31m red\u{202e}.\r\n",
    )
    .unwrap();
    let out = sop(&["fmt", "--check", "."]).current_dir(dir.path()).run();
    out.code(1);
    assert!(
        out.stdout.contains("--- a/b\u{241b}[32m.sop\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("-    P \u{241b}[31m red\u{fffd}.\r\n"),
        "{}",
        out.stdout
    );
    // CR before LF ends a line; nothing else acts.
    let without_crlf = Out {
        stdout: out.stdout.replace("\r\n", "\n"),
        ..out
    };
    assert_inert(&without_crlf);
}

#[test]
fn failures_quoting_a_path_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Path::new("no\u{1b}[2Jdir");
    for args in [
        vec!["check", missing.to_str().unwrap()],
        vec!["render", missing.to_str().unwrap(), "--to", "md"],
        vec!["handbook", missing.to_str().unwrap(), "-o", "site"],
    ] {
        let out = sop(&args).current_dir(dir.path()).run();
        out.code(2);
        assert_inert(&out);
    }
}
