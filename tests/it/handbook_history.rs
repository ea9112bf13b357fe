//! `sop handbook` in a git work tree: each SOP's page lists the versions of
//! its file, newest first, with what each changed in meaning.

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

use crate::support::{diff_fixture as fixture, sop, Repo};

const SOP_YAML: &str = "# the project root\n";

/// Builds the handbook of the repository into `site` inside it (or
/// `out`, when given), with `extra` arguments; fails on a failed build.
fn build(repo: &Repo, out: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["handbook", ".", "-o", out, "--today", "2026-11-23"];
    args.extend_from_slice(extra);
    sop(&args)
        .current_dir(repo.path())
        .env("HOME", repo.path())
        .env("CI", "1")
        .run()
        .code(0);
    repo.path().join(out)
}

fn page(site: &Path, id: &str) -> String {
    std::fs::read_to_string(site.join(format!("sop/{id}.html"))).unwrap()
}

fn select<'a>(element: ElementRef<'a>, selector: &str) -> Vec<ElementRef<'a>> {
    element
        .select(&Selector::parse(selector).unwrap())
        .collect()
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect()
}

/// One listed version: date, author, subject, and the lines under it.
#[derive(Debug, PartialEq)]
struct Listed {
    date: String,
    author: String,
    subject: String,
    lines: Vec<String>,
}

/// The page's History section, as HTML, if it has one.
fn history_html(html: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    select(doc.root_element(), "section#history")
        .first()
        .map(|section| section.html())
}

/// The versions the page's History lists, newest first.
fn listed(html: &str) -> Vec<Listed> {
    let doc = Html::parse_document(html);
    let sections = select(doc.root_element(), "section#history");
    let [section] = sections.as_slice() else {
        panic!("one History section expected, found {}", sections.len());
    };
    select(*section, "ol.history > li")
        .into_iter()
        .map(|li| Listed {
            date: select(li, "time").into_iter().map(text).collect(),
            author: select(li, ".author").into_iter().map(text).collect(),
            subject: select(li, ".subject").into_iter().map(text).collect(),
            lines: select(li, "ul.changes > li")
                .into_iter()
                .map(text)
                .collect(),
        })
        .collect()
}

/// base.sop, then step-details.sop's content over it, a rename, and a
/// change of layout only; every file of the project committed.
fn refund_history(test: &str) -> Option<(Repo, Vec<String>)> {
    let repo = Repo::new(test)?;
    repo.write("sop.yaml", SOP_YAML);
    repo.write_diff_stubs();
    repo.write("refund.sop", &fixture("base"));
    let first = repo.commit("First version", "2026-10-01");
    repo.write("refund.sop", &fixture("step-details"));
    let details = repo.commit("Faster first answer", "2026-10-12");
    repo.git(&["mv", "refund.sop", "refunds.sop"], "2026-10-20");
    let rename = repo.commit("Rename", "2026-10-20");
    let tidied = fixture("step-details")
        .replace("\nsteps:\n", "\n# The steps, in order.\nsteps:\n")
        .replace("within: 5 minutes", "within:    5 minutes");
    repo.write("refunds.sop", &tidied);
    let layout = repo.commit("Tidy the layout", "2026-10-25");
    Some((repo, vec![layout, rename, details, first]))
}

#[test]
fn each_page_lists_the_versions_of_its_file_newest_first_with_what_changed() {
    let Some((repo, commits)) = refund_history("handbook_history") else {
        return;
    };
    let site = build(&repo, "site", &[]);
    let html = page(&site, "DIFF-001");
    let versions = listed(&html);
    let summary: Vec<(&str, &str)> = versions
        .iter()
        .map(|v| (v.date.as_str(), v.subject.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-10-25", "Tidy the layout"),
            ("2026-10-20", "Rename"),
            ("2026-10-12", "Faster first answer"),
            ("2026-10-01", "First version"),
        ]
    );
    assert!(versions.iter().all(|v| v.author == "Anna Kovács"));
    assert_eq!(versions[0].lines, ["no change in meaning"]);
    assert_eq!(versions[1].lines, ["renamed from refund.sop"]);
    assert_eq!(
        versions[2].lines,
        [
            "step receive: role agent → agent, lead",
            "step receive: time limit 10 minutes → 5 minutes",
            "step receive: script “I am sorry the order arrived damaged. Could you send me a \
             photo?” → “I am sorry the order arrived damaged. Could you send me a photo, please?”",
            "step receive: callouts none → “warning: Never promise a refund before the damage \
             is assessed.”",
            "step assess: question “Is the damage covered?” → “Does the policy cover the damage?”",
            "step refund: callouts “tip: Refunds over 500 EUR need the shift lead's approval.” \
             → none",
        ]
    );
    assert_eq!(versions[3].lines, ["created"]);
    // Under the revision history the file records, at the end of the SOP.
    let revisions = html.find("<section id=\"revisions\">").unwrap();
    let history = html.find("<section id=\"history\"").unwrap();
    assert!(revisions < history);
    // The SOPs it hands off to have their own, in their content, before
    // what refers to them.
    let stub_html = page(&site, "DIFF-002");
    let stub = listed(&stub_html);
    assert_eq!(stub.len(), 1);
    assert_eq!(stub[0].lines, ["created"]);
    let history = stub_html.find("<section id=\"history\"").unwrap();
    let end = stub_html[history..].find("</main>").unwrap();
    let backlinks = stub_html[history..].find("Referenced by").unwrap();
    assert!(end < backlinks);
    // Not in the print edition.
    let print = std::fs::read_to_string(site.join("print.html")).unwrap();
    assert!(!print.contains("id=\"history\""));

    let mut section = history_html(&html).unwrap();
    for (n, id) in commits.iter().enumerate() {
        section = section
            .replace(id.as_str(), &format!("COMMIT-{n}"))
            .replace(&id[..7], &format!("SHORT-{n}"));
    }
    insta::assert_snapshot!("handbook-history-section", section);
}

#[test]
fn the_same_repository_gives_the_same_site() {
    let Some((repo, _)) = refund_history("handbook_history_deterministic") else {
        return;
    };
    let one = build(&repo, "one", &[]);
    let two = build(&repo, "two", &[]);
    for page in ["sop/DIFF-001.html", "sop/DIFF-002.html", "index.html"] {
        assert_eq!(
            std::fs::read(one.join(page)).unwrap(),
            std::fs::read(two.join(page)).unwrap(),
            "{page}"
        );
    }
}

#[test]
fn commit_subjects_and_author_names_are_text_not_markup() {
    let Some(repo) = Repo::new("handbook_history_escaping") else {
        return;
    };
    repo.write("sop.yaml", SOP_YAML);
    repo.write("a.sop", &standalone("FU-1", "en", "1 hour"));
    repo.commit("<script>alert(1)</script>", "2026-10-01");
    repo.write("a.sop", &standalone("FU-1", "en", "30 minutes"));
    repo.git(&["add", "-A"], "2026-10-02");
    repo.git(
        &[
            "-c",
            "user.name=O'Brien & \"Sons\" <b>",
            "commit",
            "-q",
            "-m",
            "See <a href=\"https://example.com\">this</a> & [that](https://example.com)",
        ],
        "2026-10-02",
    );
    let site = build(&repo, "site", &[]);
    let html = page(&site, "FU-1");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("example.com\">"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    let versions = listed(&html);
    // Git itself keeps no `<` or `>` in a name.
    assert_eq!(versions[0].author, "O'Brien & \"Sons\" b");
    assert!(
        html.contains("O&#39;Brien &amp; &quot;Sons&quot;"),
        "{html}"
    );
    assert_eq!(
        versions[0].subject,
        "See <a href=\"https://example.com\">this</a> & [that](https://example.com)"
    );
    assert_eq!(
        versions[0].lines,
        ["step call: time limit 1 hour → 30 minutes"]
    );
    assert_eq!(versions[1].subject, "<script>alert(1)</script>");
    let doc = Html::parse_document(&html);
    let section = select(doc.root_element(), "section#history")[0];
    assert!(select(section, "a, img, script").is_empty());
}

#[test]
fn no_git_and_a_folder_outside_git_give_no_history() {
    let Some((repo, _)) = refund_history("handbook_history_no_git") else {
        return;
    };
    let site = build(&repo, "site", &["--no-git"]);
    let html = page(&site, "DIFF-001");
    assert_eq!(history_html(&html), None);
    assert!(html.contains("<section id=\"revisions\">"));

    let outside = tempfile::tempdir().unwrap();
    for file in ["sop.yaml", "refunds.sop", "DIFF-002.sop", "DIFF-003.sop"] {
        std::fs::copy(repo.path().join(file), outside.path().join(file)).unwrap();
    }
    let out = sop(&["handbook", ".", "-o", "site", "--today", "2026-11-23"])
        .current_dir(outside.path())
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .env("CI", "1")
        .run();
    out.code(0);
    assert!(!out.stderr.contains("History"), "{}", out.stderr);
    assert_eq!(
        history_html(&page(&outside.path().join("site"), "DIFF-001")),
        None
    );
}

/// A valid SOP with one time limit, in `language`.
fn standalone(id: &str, language: &str, within: &str) -> String {
    format!(
        "sop {id}: Follow up {id}\nowner: Ops\nreview: every year\nlanguage: {language}\n\
         purpose: Close the loop.\nscope: All agents.\nroles:\n  agent: Agent\nsteps:\n  \
         step call: Call the customer\n    role: agent\n    within: {within}\n  \
         step log: Log the call\n    role: agent\nrevisions:\n  1.0  2026-06-01  Ann: Created\n"
    )
}

#[test]
fn a_long_history_is_cut_and_versions_with_errors_are_not_compared() {
    let Some(repo) = Repo::new("handbook_history_long") else {
        return;
    };
    repo.write("sop.yaml", SOP_YAML);
    repo.write("a.sop", &standalone("ZH-1", "zh", "1 hour"));
    repo.commit("创建", "2026-06-01");
    for i in 0..50 {
        let within = if i % 2 == 0 { "30 minutes" } else { "1 hour" };
        repo.write("a.sop", &standalone("ZH-1", "zh", within));
        let date = format!("2026-{:02}-{:02}", 7 + i / 28, 1 + i % 28);
        repo.git(&["commit", "-q", "-a", "-m", &format!("Change {i}")], &date);
    }
    let broken = standalone("ZH-1", "zh", "1 hour").replace(
        "    within: 1 hour\n",
        "    within: 1 hour\n    -> nowhere\n",
    );
    repo.write("a.sop", &broken);
    repo.commit("Broken", "2026-10-01");
    repo.write("a.sop", &standalone("ZH-1", "zh", "30 minutes"));
    repo.commit("Fixed", "2026-10-02");

    let site = build(&repo, "site", &[]);
    let html = page(&site, "ZH-1");
    let versions = listed(&html);
    assert_eq!(versions.len(), 50);
    assert_eq!(versions[0].subject, "Fixed");
    assert_eq!(versions[0].lines, ["无法比较：上一个版本有错误"]);
    assert_eq!(versions[1].subject, "Broken");
    assert_eq!(versions[1].lines, ["无法比较：此版本有错误"]);
    // The last of the 50 changes went back from 30 minutes to 1 hour.
    assert_eq!(versions[2].subject, "Change 49");
    assert_eq!(versions[2].lines, ["步骤call：时限30分钟 → 1小时"]);
    assert_eq!(versions[49].subject, "Change 2");
    let doc = Html::parse_document(&html);
    let section = select(doc.root_element(), "section#history")[0];
    assert_eq!(
        select(section, "h2")
            .into_iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["版本历史"]
    );
    assert_eq!(
        select(section, "p.older")
            .into_iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["以及更早的3个版本"]
    );
}
