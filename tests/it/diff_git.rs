//! `sop diff` against git revisions, `unrecorded-change` and `sop revise`,
//! in temporary repositories built commit by commit with set dates.

use crate::support::{diff_fixture as fixture, sop, Repo};

/// `sop check` of the whole repository, as JSON.
fn check(repo: &Repo, extra: &[&str]) -> crate::support::Out {
    let mut args = vec!["check", ".", "--today", "2026-11-23", "--format", "json"];
    args.extend(extra);
    sop(&args)
        .current_dir(repo.path())
        .env("HOME", repo.path())
        .run()
}

/// The `unrecorded-change` diagnostics of a check, as (file, message).
fn unrecorded(out: &crate::support::Out) -> Vec<(String, String)> {
    let json = out.json();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unrecorded-change")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const SOP_YAML: &str = "# the project root\n";

#[test]
fn diff_between_revisions_reports_every_file_added_removed_renamed_and_changed() {
    let Some(repo) = Repo::new("diff_between_revisions") else {
        return;
    };
    repo.write("sop.yaml", SOP_YAML);
    repo.write("refund.sop", &fixture("base"));
    repo.write("store/open.sop", &fixture("base-unnamed"));
    repo.write("zh.sop", &fixture("zh-old"));
    let first = repo.commit("First", "2026-10-01");
    repo.write("refund.sop", &fixture("step-text"));
    std::fs::remove_file(repo.path().join("zh.sop")).unwrap();
    repo.write("hu.sop", &fixture("hu-old"));
    repo.git(&["add", "-A"], "2026-10-05");
    repo.git(&["mv", "store/open.sop", "store/opening.sop"], "2026-10-05");
    repo.commit("Second", "2026-10-05");
    let out = sop(&["diff", &first, "HEAD", "--format", "json"])
        .current_dir(repo.path())
        .run();
    out.code(1);
    let json = out.json();
    let files: Vec<(String, String, String)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["old_path"].as_str().unwrap_or("-").to_string(),
                f["new_path"].as_str().unwrap_or("-").to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("-", "hu.sop", "added"),
        ("refund.sop", "refund.sop", "modified"),
        ("zh.sop", "-", "removed"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(files, expected, "{json:#}");
    // The renamed file did not change: it is not listed.
    let human = sop(&["diff", &first, "HEAD", "--color", "never"])
        .current_dir(repo.path())
        .run();
    insta::assert_snapshot!("diff-git-revisions", human.stdout);
}

#[test]
fn a_renamed_and_edited_file_is_one_file_with_its_changes() {
    let Some(repo) = Repo::new("renamed_and_edited") else {
        return;
    };
    repo.write("sop.yaml", SOP_YAML);
    repo.write("refund.sop", &fixture("base"));
    repo.commit("First", "2026-10-01");
    repo.git(&["mv", "refund.sop", "refunds.sop"], "2026-10-02");
    repo.write("refunds.sop", &fixture("step-retitled"));
    repo.commit("Rename", "2026-10-02");
    let out = sop(&["diff", "HEAD~1", "HEAD", "--format", "json"])
        .current_dir(repo.path())
        .run();
    out.code(1);
    let json = out.json();
    let file = &json["files"][0];
    assert_eq!(json["files"].as_array().unwrap().len(), 1, "{json:#}");
    assert_eq!(file["old_path"], "refund.sop");
    assert_eq!(file["new_path"], "refunds.sop");
    assert_eq!(file["changes"][0]["kind"], "step-retitled");
}

#[test]
fn diff_of_a_revision_and_the_working_tree_for_one_file() {
    let Some(repo) = Repo::new("revision_and_working_tree") else {
        return;
    };
    repo.write("sop.yaml", SOP_YAML);
    repo.write("refund.sop", &fixture("base"));
    repo.write("other.sop", &fixture("hu-old"));
    repo.commit("First", "2026-10-01");
    repo.write("refund.sop", &fixture("step-details"));
    repo.write("other.sop", &fixture("hu-new"));
    let out = sop(&["diff", "HEAD", "--format", "json", "--", "refund.sop"])
        .current_dir(repo.path())
        .run();
    out.code(1);
    let json = out.json();
    assert_eq!(json["files"].as_array().unwrap().len(), 1, "{json:#}");
    assert_eq!(json["files"][0]["new_path"], "refund.sop");
    // From a subfolder, paths are relative to it.
    std::fs::create_dir(repo.path().join("sub")).unwrap();
    let out = sop(&["diff", "HEAD", "--format", "json", "--", "../other.sop"])
        .current_dir(repo.path().join("sub"))
        .run();
    out.code(1);
    assert_eq!(out.json()["files"][0]["new_path"], "other.sop");
    // Unchanged: exit 0 and the plain sentence.
    repo.commit("Second", "2026-10-02");
    let out = sop(&["diff", "HEAD", "--", "refund.sop"])
        .current_dir(repo.path())
        .run();
    out.code(0);
    assert_eq!(out.stdout, "no change in meaning\n");
}

#[test]
fn bad_revisions_and_paths_are_clear_errors() {
    let Some(repo) = Repo::new("bad_revisions") else {
        return;
    };
    repo.write("refund.sop", &fixture("base"));
    repo.commit("First", "2026-10-01");
    for (args, says) in [
        (
            vec!["diff", "nope", "HEAD"],
            "`nope` is neither a file nor a revision",
        ),
        (vec!["diff", "--", "HEAD"], ""),
        (vec!["diff", "HEAD", "--", "/etc"], "outside the repository"),
        (vec!["diff", "-x"], ""),
    ] {
        let out = sop(&args).current_dir(repo.path()).run();
        out.code(2);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    let outside = tempfile::tempdir().unwrap();
    let out = sop(&["diff", "HEAD~1", "HEAD"])
        .current_dir(outside.path())
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .run();
    out.code(2);
    assert!(out.stderr.contains("git repository"), "{}", out.stderr);
}

/// The history of the tests of `unrecorded-change`: base.sop, last revised
/// 2026-10-01.
fn history_repo(test: &str) -> Option<Repo> {
    let repo = Repo::new(test)?;
    repo.write("sop.yaml", SOP_YAML);
    repo.write_diff_stubs();
    repo.write("refund.sop", &fixture("base"));
    repo.commit("First version", "2026-10-01");
    Some(repo)
}

#[test]
fn a_change_committed_after_the_last_revision_is_reported_with_its_commit() {
    let Some(repo) = history_repo("unrecorded_change") else {
        return;
    };
    // Layout and comments only: not a change.
    repo.write("refund.sop", &fixture("layout-only"));
    repo.commit("Tidy the layout", "2026-10-10");
    assert_eq!(unrecorded(&check(&repo, &[])), []);
    // The time limit cut, no revision line.
    repo.write("refund.sop", &fixture("step-details"));
    let commit = repo.commit("Faster first answer", "2026-10-12");
    let out = check(&repo, &[]);
    out.code(0);
    let found = unrecorded(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "refund.sop");
    assert!(found[0].1.contains(&commit[..7]), "{}", found[0].1);
    assert!(found[0].1.contains("2026-10-12"), "{}", found[0].1);
    assert!(found[0].1.contains("Faster first answer"), "{}", found[0].1);
    // Under --deny-warnings, CI fails.
    check(&repo, &["--deny-warnings"]).code(1);
    // --no-git, or the rule switched off: no history read.
    assert_eq!(unrecorded(&check(&repo, &["--no-git"])), []);
    repo.write("sop.yaml", "rules:\n  unrecorded-change: off\n");
    assert_eq!(unrecorded(&check(&repo, &[])), []);
    repo.write("sop.yaml", SOP_YAML);
    // The human format names the commit and what changed.
    let human = sop(&[
        "check",
        "refund.sop",
        "--today",
        "2026-11-23",
        "--color",
        "never",
    ])
    .current_dir(repo.path())
    .env("HOME", repo.path())
    .run();
    let text = human.stdout.replace(&commit[..7], "<commit>");
    insta::assert_snapshot!("unrecorded-change-human", text);
}

#[test]
fn sop_revise_appends_the_line_and_the_warning_goes() {
    let Some(repo) = history_repo("sop_revise") else {
        return;
    };
    repo.write("refund.sop", &fixture("step-added"));
    repo.commit("Check the photo first", "2026-10-12");
    assert_eq!(unrecorded(&check(&repo, &[])).len(), 1);
    let out = sop(&[
        "revise",
        "refund.sop",
        "--today",
        "2026-10-13",
        "--author",
        "Anna Kovács",
    ])
    .current_dir(repo.path())
    .env("HOME", repo.path())
    .run();
    out.code(0);
    let text = std::fs::read_to_string(repo.path().join("refund.sop")).unwrap();
    assert!(
        text.contains("  2.0  2026-10-13  Anna Kovács: added step “Check the photo”\n"),
        "{text}"
    );
    assert!(text.contains("\nversion: 2.0\n"), "{text}");
    // Still in the canonical layout, and clean.
    sop(&["fmt", "--check", "refund.sop"])
        .current_dir(repo.path())
        .run()
        .code(0);
    repo.commit("Revision 2.0", "2026-10-13");
    let out = check(&repo, &[]);
    out.code(0);
    assert_eq!(unrecorded(&out), []);
    // Nothing new since: nothing to add, the file untouched.
    let out = sop(&[
        "revise",
        "refund.sop",
        "--today",
        "2026-10-14",
        "--author",
        "Anna Kovács",
    ])
    .current_dir(repo.path())
    .run();
    out.code(0);
    assert!(
        out.stderr.contains("nothing changed in meaning"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("refund.sop")).unwrap(),
        text
    );
}

#[test]
fn a_revision_line_in_the_same_commit_records_the_change() {
    let Some(repo) = history_repo("revision_in_same_commit") else {
        return;
    };
    // The change and a line dated before the commit, in one commit.
    let text = fixture("step-text").replace(
        "  1.2  2026-10-01  Anna Kovács: Shorter refund limit\n",
        "  1.2  2026-10-01  Anna Kovács: Shorter refund limit\n  1.3  2026-10-03  Anna Kovács: Clearer refund step\n",
    );
    repo.write("refund.sop", &text.replace("version: 1.2", "version: 1.3"));
    repo.commit("Clearer refund step", "2026-10-05");
    assert_eq!(unrecorded(&check(&repo, &[])), []);
}

#[test]
fn changes_on_a_merged_branch_and_under_a_new_name_are_found() {
    let Some(repo) = history_repo("merged_and_renamed") else {
        return;
    };
    repo.git(&["checkout", "-q", "-b", "feature"], "2026-10-02");
    repo.write("refund.sop", &fixture("branch-retargeted"));
    let branch_commit = repo.commit("Declined claims end the case", "2026-10-20");
    repo.git(&["checkout", "-q", "main"], "2026-10-21");
    repo.write("other.sop", &fixture("hu-old"));
    repo.commit("Another SOP", "2026-10-21");
    repo.git(
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
        "2026-10-22",
    );
    // Renamed afterwards, with no change of meaning.
    repo.git(&["mv", "refund.sop", "refunds.sop"], "2026-10-23");
    repo.commit("Rename", "2026-10-23");
    let found = unrecorded(&check(&repo, &[]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "refunds.sop");
    assert!(found[0].1.contains(&branch_commit[..7]), "{}", found[0].1);
}

#[test]
fn outside_git_the_history_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sop.yaml"), SOP_YAML).unwrap();
    std::fs::write(dir.path().join("refund.sop"), fixture("base")).unwrap();
    for id in ["DIFF-002", "DIFF-003"] {
        let stub = fixture("base-unnamed").replace("DIFF-010", id);
        std::fs::write(dir.path().join(format!("{id}.sop")), stub).unwrap();
    }
    let out = sop(&["check", ".", "--today", "2026-11-23", "--format", "json"])
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .run();
    out.code(0);
    assert_eq!(unrecorded(&out), []);
}
