//! `sop new ID TITLE [--language en|zh|hu] [-o FILE]`: the skeleton's exact
//! text in each language, that it checks clean (no errors, no warnings)
//! and is already formatted, and that it never overwrites anything.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it new`
//! and read every changed `.snap` file before keeping it.

use std::path::Path;

use crate::support::sop;

const TODAY: &str = "2026-11-23";

/// The skeleton printed with `-o -`, dated [`TODAY`].
fn printed(id: &str, title: &str, language: &str) -> String {
    let out = sop(&[
        "new",
        id,
        title,
        "--language",
        language,
        "--today",
        TODAY,
        "-o",
        "-",
    ])
    .run();
    out.code(0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    out.stdout
}

/// Checks `file` (in `dir`) with today's date: it must be clean, warnings
/// included.
fn assert_checks_clean(dir: &Path, file: &str) {
    let out = sop(&["check", "--deny-warnings", file])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .run();
    out.code(0);
    assert!(
        out.stdout.contains("0 errors, 0 warnings"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    let out = sop(&["fmt", "--check", file]).current_dir(dir).run();
    out.code(0);
}

#[test]
fn the_english_skeleton() {
    insta::assert_snapshot!(
        "new-en",
        printed("CS-001", "Handle customer complaints", "en")
    );
}

#[test]
fn the_chinese_skeleton() {
    insta::assert_snapshot!("new-zh", printed("厨房-003", "厨房收尾", "zh"));
}

#[test]
fn the_hungarian_skeleton() {
    insta::assert_snapshot!(
        "new-hu",
        printed("KARB-ÉPÜLET-02", "A kazán heti ellenőrzése", "hu")
    );
}

#[test]
fn english_is_the_default_language() {
    assert_eq!(
        sop(&["new", "CS-001", "T", "--today", TODAY, "-o", "-"])
            .run()
            .stdout,
        printed("CS-001", "T", "en")
    );
}

/// Written today, without `--today`, into `<ID>.sop` in the current folder:
/// `sop check` (judging against today too) finds nothing, not even a
/// warning, and `sop fmt` would change nothing.
#[test]
fn the_english_skeleton_checks_clean_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = sop(&["new", "CS-001", "Handle customer complaints"])
        .current_dir(dir.path())
        .run();
    out.code(0);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr.contains("Created CS-001.sop") && out.stderr.contains("sop check CS-001.sop"),
        "{}",
        out.stderr
    );
    let written = std::fs::read_to_string(dir.path().join("CS-001.sop")).unwrap();
    assert!(written.starts_with("# A new SOP."), "{written}");
    assert_checks_clean(dir.path(), "CS-001.sop");
    // The JSON workflow: two steps, a decision that can end the procedure.
    let json = sop(&["render", "CS-001.sop", "--to", "json"])
        .current_dir(dir.path())
        .run()
        .json();
    assert_eq!(json["id"], "CS-001");
    assert_eq!(json["title"], "Handle customer complaints");
    assert_eq!(json["meta"]["status"], "draft");
    assert_eq!(json["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(json["nodes"][0]["kind"], "decision");
    assert_eq!(json["nodes"][0]["roles"][0], "operator");
    assert_eq!(json["nodes"][1]["roles"][0], "operator");
    let ends = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "end")
        .count();
    assert_eq!(ends, 2, "{}", json["edges"]);
}

/// The Chinese and Hungarian skeletons, in their keyword dialects, check
/// clean and are formatted too.
#[test]
fn every_language_checks_clean_as_written() {
    for (id, title, language) in [
        ("厨房-003", "厨房收尾", "zh"),
        ("KARB-ÉPÜLET-02", "A kazán heti ellenőrzése", "hu"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        sop(&["new", id, title, "--language", language])
            .current_dir(dir.path())
            .run()
            .code(0);
        let file = format!("{id}.sop");
        assert_checks_clean(dir.path(), &file);
        // Written entirely in the dialect: formatting it into English
        // keywords changes the keywords, not the meaning.
        let json = |path: &Path| {
            sop(&["render", path.to_str().unwrap(), "--to", "json"])
                .run()
                .json()
        };
        let native = json(&dir.path().join(&file));
        let english = sop(&["fmt", "--keywords", "en", "-"])
            .stdin(std::fs::read(dir.path().join(&file)).unwrap())
            .run();
        english.code(0);
        assert_ne!(
            english.stdout,
            std::fs::read_to_string(dir.path().join(&file)).unwrap()
        );
        let twin = dir.path().join("twin.sop");
        std::fs::write(&twin, &english.stdout).unwrap();
        assert_eq!(json(&twin), native, "{}", english.stdout);
        assert_eq!(native["meta"]["review"], "P1Y");
        assert_eq!(native["meta"]["language"], language);
    }
}

#[test]
fn it_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("CS-001.sop");
    std::fs::write(&path, "my work\n").unwrap();
    for args in [
        &["new", "CS-001", "Title"][..],
        &["new", "OTHER-1", "Title", "-o", "CS-001.sop"][..],
        &["new", "CS-001", "Title", "-o", "."][..],
    ] {
        let out = sop(args).current_dir(dir.path()).run();
        out.code(2);
        assert!(
            out.stderr.contains("CS-001.sop already exists")
                && out.stderr.contains("never overwrites")
                && out.stderr.contains("-o FILE"),
            "{}",
            out.stderr
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "my work\n");
    }
    // Nothing else was left behind (no temporary file).
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["CS-001.sop"]);
}

#[cfg(unix)]
#[test]
fn it_does_not_write_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("elsewhere.sop", dir.path().join("CS-001.sop")).unwrap();
    let out = sop(&["new", "CS-001", "Title"])
        .current_dir(dir.path())
        .run();
    out.code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert!(!dir.path().join("elsewhere.sop").exists());
}

#[test]
fn output_to_a_file_or_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = sop(args).current_dir(dir.path()).run();
        out.code(0);
        out.stderr
    };
    let stderr = run(&["new", "A-1", "One", "-o", "procedures/one.sop"]);
    assert!(stderr.contains("procedures/one.sop"), "{stderr}");
    assert!(dir.path().join("procedures/one.sop").is_file());
    // An existing folder, and a new one named with a trailing slash.
    run(&["new", "A-2", "Two", "-o", "procedures"]);
    assert!(dir.path().join("procedures/A-2.sop").is_file());
    run(&[
        "new",
        "厨房-003",
        "厨房收尾",
        "--language",
        "zh",
        "-o",
        "kitchen/",
    ]);
    assert!(dir.path().join("kitchen/厨房-003.sop").is_file());
    // What `-o -` prints is what is written.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("procedures/A-2.sop")).unwrap(),
        sop(&["new", "A-2", "Two", "-o", "-"]).run().stdout
    );
}

#[test]
fn an_invalid_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["CS 001", "-x", "", "a/b", "[[X]]"] {
        let out = sop(&["new", "--", id, "Title"])
            .current_dir(dir.path())
            .run();
        out.code(2);
        assert!(
            out.stderr.contains("is not a valid SOP id") && out.stderr.contains("CS-001"),
            "{id}: {}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_title_is_one_line_of_text() {
    let dir = tempfile::tempdir().unwrap();
    for title in ["", "   ", "two\nlines", "a\u{1b}[31mred"] {
        let out = sop(&["new", "CS-001", title]).current_dir(dir.path()).run();
        out.code(2);
        assert!(
            out.stderr.contains("the title must be one line of text"),
            "{title:?}: {}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Around it, spaces are dropped.
    let text = sop(&["new", "CS-001", "  Title  ", "-o", "-"]).run().stdout;
    assert!(text.contains("\nsop CS-001: Title\n"), "{text}");
}

#[test]
fn an_unknown_language_is_a_usage_error() {
    let out = sop(&["new", "CS-001", "Title", "--language", "fr", "-o", "-"]).run();
    out.code(2);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("en, zh, hu"), "{}", out.stderr);
}
