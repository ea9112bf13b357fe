//! `sop handbook`: the site of the examples and of a generated repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::percent_decode;

fn sop(args: &[&str]) -> Output {
    crate::support::sop(args)
        .env("NO_COLOR", "1")
        .env("CI", "1")
        .output()
}

fn build(dir: &Path, out: &Path, today: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "handbook",
        dir.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--today",
        today,
    ];
    args.extend_from_slice(extra);
    sop(&args)
}

/// A valid SOP with no links to other SOPs.
fn standalone(id: &str) -> String {
    format!(
        "sop {id}: Follow up {id}\nowner: Ops\nreview: every year\ntags: follow-up\npurpose: Close the loop.\nscope: All agents.\nroles:\n  agent: Agent\nsteps:\n  step call: Call the customer\n    role: agent\n    within: 1 hour\n  step log: Log the call\n    role: agent\nrevisions:\n  1.0  2026-06-01  Ann: Created\n"
    )
}

fn html_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every `href="…"` and `src="…"` of a page, unescaped.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

/// The `id="…"` attributes of a page.
fn ids(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let end = rest.find('"').unwrap();
        out.insert(rest[..end].replace("&amp;", "&"));
    }
    out
}

/// Checks that every relative link of the site leads to an existing file
/// (and fragment), and that no link is absolute. External URLs are allowed
/// only when the authors wrote them in the sources.
fn assert_links_resolve(site: &Path, sources: &Path) {
    let authored: String = std::fs::read_dir(sources)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::read_dir(&p)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect::<Vec<_>>()
            } else {
                vec![p]
            }
        })
        .filter(|p| p.extension().is_some_and(|e| e == "sop"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut id_cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for page in html_files(site) {
        let html = std::fs::read_to_string(&page).unwrap();
        for link in links(&html) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                assert!(
                    authored.contains(&link),
                    "{}: external link {link} that no author wrote",
                    page.display()
                );
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{}: absolute link {link}",
                page.display()
            );
            assert!(
                !link.contains("://"),
                "{}: absolute URL {link}",
                page.display()
            );
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap();
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(percent_decode(path))
            };
            assert!(target.is_file(), "{}: broken link {link}", page.display());
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let target = target.canonicalize().unwrap();
                let ids = id_cache
                    .entry(target.clone())
                    .or_insert_with(|| ids(&std::fs::read_to_string(&target).unwrap()));
                assert!(
                    ids.contains(&percent_decode(fragment)),
                    "{}: link {link} to a missing anchor",
                    page.display()
                );
            }
        }
    }
}

#[test]
fn the_examples_handbook_links_resolve() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let result = build(Path::new("examples"), &site, "2026-11-23", &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for page in [
        "index.html",
        "reviews.html",
        "roles.html",
        "tags.html",
        "print.html",
        "404.html",
        "search/docs.js",
        "assets/site.js",
    ] {
        assert!(site.join(page).is_file(), "{page} missing");
    }
    let examples = std::fs::read_dir("examples")
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sop")
        })
        .count();
    assert_eq!(
        std::fs::read_dir(site.join("sop")).unwrap().count(),
        examples
    );
    assert_links_resolve(&site, Path::new("examples"));

    // [[ID]] references and hand-offs link to the other SOP's page, and the
    // target shows a backlink.
    let cs001 = std::fs::read_to_string(site.join("sop/CS-001.html")).unwrap();
    assert!(
        cs001.contains("href=\"CS-014.html"),
        "CS-001 links to CS-014"
    );
    let cs014 = std::fs::read_to_string(site.join("sop/CS-014.html")).unwrap();
    assert!(cs014.contains("Referenced by"));
    assert!(
        cs014.contains("href=\"CS-001.html\""),
        "CS-014 lists CS-001 as a backlink"
    );
}

#[test]
fn the_dashboard_lists_exactly_the_overdue_and_due_soon() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let sop_file = |id: &str, owner: &str, last: &str, review: &str| {
        format!(
            "sop {id}: Procedure {id}\nowner: {owner}\nreview: {review}\npurpose: P.\nscope: S.\nsteps:\n  step a: Do it\nrevisions:\n  1.0  {last}  Ann: Created\n"
        )
    };
    // today 2026-11-23
    let files = [
        ("OVER-1", "Ops", "2025-01-10", "every 6 months"), // due 2025-07-10: overdue
        ("OVER-2", "Quality", "2025-11-01", "every year"), // due 2026-11-01: overdue
        ("SOON-1", "Ops", "2026-06-10", "every 6 months"), // due 2026-12-10: in 17 days
        ("FRESH-1", "Ops", "2026-11-01", "every year"),    // due 2027-11-01
        ("EDGE-1", "Ops", "2026-05-24", "every 6 months"), // due 2026-11-24: tomorrow
        ("LATER-1", "Ops", "2026-06-24", "every 6 months"), // due 2026-12-24: in 31 days
    ];
    for (id, owner, last, review) in files {
        std::fs::write(
            src.join(format!("{id}.sop")),
            sop_file(id, owner, last, review),
        )
        .unwrap();
    }
    std::fs::write(src.join("sop.yaml"), "# handbook\n").unwrap();
    let site = dir.path().join("site");
    let result = build(&src, &site, "2026-11-23", &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let page = std::fs::read_to_string(site.join("reviews.html")).unwrap();
    let listed: BTreeSet<&str> = page
        .split("<tr data-id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        listed,
        BTreeSet::from(["OVER-1", "OVER-2", "SOON-1", "EDGE-1"])
    );
    assert!(page.contains("overdue by 501 days"), "{page}");
    assert!(page.contains("overdue by 22 days"));
    assert!(page.contains("due in 17 days"));
    assert!(page.contains("due in 1 day<"));
    // Grouped by owner.
    assert!(page.find("<h2>Ops</h2>").unwrap() < page.find("<h2>Quality</h2>").unwrap());
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.sop"), standalone("FU-1")).unwrap();
    std::fs::write(src.join("sop.yaml"), "# handbook\n").unwrap();
    let site = dir.path().join("site");
    assert_eq!(build(&src, &site, "2026-11-23", &[]).status.code(), Some(0));
    let snapshot = |root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        let mut map = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    map.insert(
                        p.strip_prefix(root).unwrap().to_path_buf(),
                        std::fs::read(&p).unwrap(),
                    );
                }
            }
        }
        map
    };
    let before = snapshot(&site);
    std::fs::copy(
        "tests/fixtures/diagnostics/unknown-target.sop",
        src.join("broken.sop"),
    )
    .unwrap();
    let result = build(&src, &site, "2026-11-23", &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("unknown-target"), "{stderr}");
    assert_eq!(snapshot(&site), before, "the previous site changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no staging directories left behind: {leftovers:?}"
    );
}

#[test]
fn keep_going_builds_the_valid_files_and_lists_the_problems() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.sop"), standalone("FU-1")).unwrap();
    std::fs::copy(
        "tests/fixtures/diagnostics/unknown-target.sop",
        src.join("broken.sop"),
    )
    .unwrap();
    std::fs::write(src.join("sop.yaml"), "# handbook\n").unwrap();
    let site = dir.path().join("site");
    let result = build(&src, &site, "2026-11-23", &["--keep-going"]);
    assert_eq!(
        result.status.code(),
        Some(1),
        "left-out files still fail the build's exit code"
    );
    assert!(site.join("sop/FU-1.html").is_file());
    let problems = std::fs::read_to_string(site.join("problems.html")).unwrap();
    assert!(problems.contains("broken.sop"));
    assert!(problems.contains("unknown-target"));
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("problems.html"));
}

#[test]
fn handbook_settings_come_from_sop_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("support")).unwrap();
    std::fs::create_dir_all(src.join("billing")).unwrap();
    std::fs::write(src.join("support/a.sop"), standalone("FU-1")).unwrap();
    std::fs::write(src.join("billing/b.sop"), standalone("FU-2")).unwrap();
    std::fs::write(
        src.join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(
        src.join("sop.yaml"),
        "handbook:\n  title: Service Handbook\n  logo: logo.svg\n  groups:\n    support: Customer support\n    billing: Billing and payments\n",
    )
    .unwrap();
    let site = dir.path().join("site");
    let result = build(&src, &site, "2026-11-23", &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("Service Handbook"));
    let logo = std::fs::read_dir(site.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("logo-") && n.ends_with(".svg"));
    assert!(
        logo.is_some(),
        "the logo is published under a name of its own"
    );
    let support = index.find("Customer support").unwrap();
    let billing = index.find("Billing and payments").unwrap();
    assert!(support < billing, "groups in the configured order");
}

/// A repository like `gen_corpus.py` writes: departments, cross-references,
/// decisions with loops, Chinese content every fifth file.
fn generate(dir: &Path, n: usize) {
    let depts = ["support", "billing", "security"];
    for i in 0..n {
        let dept = depts[i % depts.len()];
        let id = format!("{}-{i:04}", dept.to_uppercase());
        let other = (i * 7 + 3) % n;
        let other_id = format!("{}-{other:04}", depts[other % depts.len()].to_uppercase());
        let zh = i % 5 == 0;
        let title = if zh {
            format!("客户投诉处理 {i}")
        } else {
            format!("Handle refund case {i}")
        };
        let mut text = format!(
            "sop {id}: {title}\nversion: 1.1\nowner: Team {}\nstatus: active\nreview: every 36 months\ntags: generated, {dept}\n{}\npurpose:\n  Handle the refund quickly.\nscope:\n  All agents.\nroles:\n  agent: Agent\n  lead: Lead\nsteps:\n",
            i % 4,
            if zh { "language: zh" } else { "" }
        );
        for s in 1..=8 {
            text.push_str(&format!("  step s{s}: Step {s} of {i}\n    role: {}\n    within: 5 min\n    Verify the order and record the response.\n", if s % 2 == 0 { "lead" } else { "agent" }));
            if s == 4 {
                text.push_str("    ask: Is it solved?\n    if yes -> s6\n    if no -> s2\n    otherwise -> next\n");
            }
        }
        text.push_str(&format!("references:\n  - [[{other_id}]]\nrevisions:\n  1.0  2024-01-10  Ann: Created\n  1.1  2025-02-01  Ann: Reviewed\n"));
        std::fs::create_dir_all(dir.join(dept)).unwrap();
        std::fs::write(dir.join(dept).join(format!("{id}.sop")), text).unwrap();
    }
    std::fs::write(dir.join("sop.yaml"), "# generated\n").unwrap();
}

#[test]
fn a_generated_repository_builds_with_working_links_and_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    generate(&src, 120);
    let site = dir.path().join("site");
    let result = build(&src, &site, "2026-11-23", &[]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert_eq!(std::fs::read_dir(site.join("sop")).unwrap().count(), 120);
    assert_links_resolve(&site, &src);
    // The search index holds CJK bigrams.
    let shards: String = std::fs::read_dir(site.join("search"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(shards.contains("\"投诉\":["), "CJK bigram indexed");
    assert!(shards.contains("\"refund\":["));
    // Pages do not grow with the number of pages: no page carries the
    // whole table of contents.
    let page = std::fs::metadata(site.join("sop/SUPPORT-0003.html"))
        .unwrap()
        .len();
    assert!(page < 200_000, "a single SOP page is {page} bytes");
}

#[test]
fn the_index_shows_each_worst_case_and_marks_a_broken_sla() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let fixtures = crate::support::root().join("tests/fixtures");
    for file in [
        "diagnostics/sla-exceeded.sop",
        "valid/sla-at-limit.sop",
        "valid/worst-path-loop.sop",
    ] {
        let from = fixtures.join(file);
        std::fs::copy(&from, src.join(from.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        src.join("plain.sop"),
        standalone("PL-1").replace("    within: 1 hour\n", ""),
    )
    .unwrap();
    // The loop hands off to CS-014.
    std::fs::write(src.join("escalation.sop"), standalone("CS-014")).unwrap();
    let out = dir.path().join("site");
    let built = build(&src, &out, "2026-11-23", &[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let row = |id: &str| -> String {
        let at = index
            .find(&format!(">{id}</a>"))
            .unwrap_or_else(|| panic!("{id} in the index"));
        let end = at + index[at..].find("</tr>").unwrap();
        index[at..end].to_string()
    };
    // 31 hours, a lower bound, longer than the promised 24 hours.
    let exceeded = row("DX-SLA-EXCEEDED");
    assert!(
        exceeded.contains("<td data-value=\"111600\" class=\"sla-exceeded\""),
        "{exceeded}"
    );
    assert!(exceeded.contains(">≥ 1d 7h ⚠</td>"), "{exceeded}");
    // Exactly at the limit keeps it.
    let at_limit = row("VAL-SLA-AT-LIMIT");
    assert!(
        at_limit.contains("<td data-value=\"10800\" title=\"3 hours\">3h</td>"),
        "{at_limit}"
    );
    let looped = row("VAL-WORST-LOOP");
    assert!(looped.contains(">1d 4h 15m 30s</td>"), "{looped}");
    // No limits at all: an empty cell, sorted last.
    assert!(
        row("PL-1").ends_with("<td data-value=\"\"></td>"),
        "{}",
        row("PL-1")
    );
}
