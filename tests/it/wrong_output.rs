//! Output that used to come out wrong: SARIF URIs of file names that are
//! not UTF-8, handbook pages for long or colliding ids, tags and roles, the
//! 404 page served from a sub-path, and `<html lang>`.

use std::path::Path;

use crate::support::sop;

#[cfg(unix)]
#[test]
fn sarif_uris_keep_the_bytes_of_file_names() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = OsStr::from_bytes(b"caf\xFF \xE9.sop");
    std::fs::write(dir.path().join(name), "sop T-1: Title\n").unwrap();
    let out = sop(&["check", "--format", "sarif", "."])
        .current_dir(dir.path())
        .run();
    out.code(1);
    let sarif = out.json();
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(uri, "caf%FF%20%E9.sop");
    assert!(!out.stdout.contains('\u{fffd}'), "{}", out.stdout);
}

/// Writes `files` (name, text) into a new folder.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A valid SOP with an id, tags and a step for `role`.
fn sop_text(id: &str, tags: &str, role: &str, language: &str) -> String {
    format!(
        "sop {id}: Title of {id}\nversion: 1.0\nowner: Ops\nstatus: active\neffective: 2026-01-01\n\
review: every 12 months\ntags: {tags}\nlanguage: {language}\n\npurpose:\n  Why.\n\nscope:\n  Who.\n\n\
roles:\n  {role}: Someone\n\nsteps:\n  step a: Do it\n    role: {role}\n    Text.\n\n\
revisions:\n  1.0  2026-01-01  Ann: Created\n"
    )
}

/// Builds the handbook of `dir` into `dir/site`; returns the site folder.
fn build(dir: &Path) -> std::path::PathBuf {
    let out = sop(&["handbook", ".", "-o", "site", "--today", "2026-02-01"])
        .current_dir(dir)
        .run();
    out.code(0);
    dir.join("site")
}

/// Every file under `dir`, relative, with `/`.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.push(crate::support::percent_decode(
                    &relative.to_string_lossy().replace('\\', "/"),
                ));
            }
        }
    }
    found.sort();
    found
}

/// The `href`s of a page, resolved against the page's folder.
fn links(site: &Path, page: &str) -> Vec<String> {
    let html = std::fs::read_to_string(site.join(page)).unwrap();
    let folder = Path::new(page).parent().unwrap_or(Path::new(""));
    let doc = scraper::Html::parse_document(&html);
    let selector = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| !h.starts_with('#') && !h.contains(':'))
        .map(|h| {
            let h = h.split('#').next().unwrap();
            let mut parts: Vec<String> = folder
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            for segment in h.split('/') {
                match segment {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(crate::support::percent_decode(s)),
                }
            }
            parts.join("/")
        })
        .collect()
}

#[test]
fn long_ids_and_tags_get_page_names_that_fit() {
    let long_id = format!("OPS-{}", "A".repeat(300));
    let long_tag = "t".repeat(300);
    let long_role = format!("r{}", "o".repeat(300));
    let dir = repo(&[
        (
            "long.sop",
            &sop_text(&long_id, &format!("{long_tag}, short"), &long_role, "en"),
        ),
        ("other.sop", &sop_text("OPS-2", &long_tag, "agent", "en")),
    ]);
    let site = build(dir.path());
    let files = files_under(&site);
    for file in &files {
        for component in file.split('/') {
            assert!(
                component.len() <= 110,
                "{component} ({} bytes)",
                component.len()
            );
        }
    }
    // Every link of the index, the tag and role indexes and the SOP pages
    // leads to a page that is there.
    for page in ["index.html", "tags.html", "roles.html"] {
        for target in links(&site, page) {
            assert!(files.contains(&target), "{page} links to {target}, missing");
        }
    }
    let sop_pages: Vec<&String> = files.iter().filter(|f| f.starts_with("sop/")).collect();
    assert_eq!(sop_pages.len(), 2, "{files:?}");
    for page in &sop_pages {
        for target in links(&site, page) {
            assert!(files.contains(&target), "{page} links to {target}, missing");
        }
    }
    // The long tag's page lists both SOPs.
    let tag_pages: Vec<&String> = files.iter().filter(|f| f.starts_with("tag/t")).collect();
    assert_eq!(tag_pages.len(), 1, "{files:?}");
    let tag_page = std::fs::read_to_string(site.join(tag_pages[0])).unwrap();
    assert!(
        tag_page.contains("OPS-2") && tag_page.contains("OPS-AAAA"),
        "{tag_page}"
    );
}

#[test]
fn tags_and_roles_that_collide_keep_every_sop() {
    let dir = repo(&[
        ("a.sop", &sop_text("OPS-1", "Billing, a b", "Agent", "en")),
        ("b.sop", &sop_text("OPS-2", "billing, a-b", "agent", "en")),
        ("c.sop", &sop_text("OPS-3", "a/b, BILLING", "Lead", "en")),
    ]);
    let site = build(dir.path());
    let files = files_under(&site);
    let tags_index = std::fs::read_to_string(site.join("tags.html")).unwrap();
    let tag_links = links(&site, "tags.html");
    // `Billing`, `billing` and `BILLING` are one tag, shown as first
    // written; `a b`, `a-b` and `a/b` are three.
    let tag_targets: Vec<&String> = tag_links.iter().filter(|l| l.starts_with("tag/")).collect();
    assert_eq!(tag_targets.len(), 4, "{tag_targets:?}\n{tags_index}");
    let unique: std::collections::BTreeSet<&&String> = tag_targets.iter().collect();
    assert_eq!(unique.len(), 4, "{tag_targets:?}");
    assert!(tags_index.contains(">Billing</a>"), "{tags_index}");
    assert!(!tags_index.contains(">billing</a>"), "{tags_index}");
    for target in &tag_targets {
        assert!(files.contains(target), "{target} is missing");
    }
    let page_of = |shown: &str| -> String {
        let doc = scraper::Html::parse_document(&tags_index);
        let selector = scraper::Selector::parse("a.tag").unwrap();
        let href = doc
            .select(&selector)
            .find(|a| a.text().collect::<String>() == shown)
            .and_then(|a| a.value().attr("href"))
            .unwrap_or_else(|| panic!("no link to the tag {shown}"))
            .to_string();
        std::fs::read_to_string(site.join(crate::support::percent_decode(&href))).unwrap()
    };
    let billing = page_of("Billing");
    for id in ["OPS-1", "OPS-2", "OPS-3"] {
        assert!(billing.contains(id), "{id} missing from\n{billing}");
    }
    for (tag, id) in [("a b", "OPS-1"), ("a-b", "OPS-2"), ("a/b", "OPS-3")] {
        let page = page_of(tag);
        assert!(page.contains(id), "{id} missing from the page of {tag}");
        let others = ["OPS-1", "OPS-2", "OPS-3"].into_iter().filter(|o| *o != id);
        for other in others {
            assert!(!page.contains(other), "{other} on the page of {tag}");
        }
    }
    // Roles: `Agent` and `agent` are one role, with both SOPs' steps.
    let role_links: Vec<String> = links(&site, "roles.html")
        .into_iter()
        .filter(|l| l.starts_with("role/"))
        .collect();
    assert_eq!(role_links.len(), 2, "{role_links:?}");
    let agent = role_links
        .iter()
        .map(|l| std::fs::read_to_string(site.join(l)).unwrap())
        .find(|page| page.contains("OPS-1"))
        .unwrap();
    assert!(agent.contains("OPS-2"), "{agent}");
    // Built twice, the site is the same.
    let again = build(dir.path());
    assert_eq!(files_under(&again), files);
}

#[test]
fn the_404_page_works_from_any_path() {
    let dir = repo(&[("a.sop", &sop_text("OPS-1", "x", "agent", "en"))]);
    let site = build(dir.path());
    let html = std::fs::read_to_string(site.join("404.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let relative = |selector: &str, attribute: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(selector).unwrap();
        doc.select(&selector)
            .filter_map(|e| e.value().attr(attribute))
            .filter(|v| !v.starts_with('#') && !v.starts_with("data:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(relative("link[href]", "href"), Vec::<String>::new());
    assert_eq!(relative("script[src]", "src"), Vec::<String>::new());
    assert_eq!(relative("img[src]", "src"), Vec::<String>::new());
    // Its styles are in the page.
    assert!(html.contains("<style>"), "{html}");
    assert!(
        html.contains("header.site"),
        "the site's stylesheet is missing"
    );
}

#[test]
fn html_lang_is_a_language_tag() {
    let dir = repo(&[
        (
            "a.sop",
            &sop_text("OPS-1", "x", "agent", "en\"><script>x</script>"),
        ),
        ("b.sop", &sop_text("OPS-2", "x", "agent", "zh_Hans-CN")),
        ("c.sop", &sop_text("OPS-3", "x", "agent", "hu")),
    ]);
    let site = build(dir.path());
    let lang = |page: &str| -> String {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let start = html.find("<html lang=\"").unwrap() + 12;
        html[start..start + html[start..].find('"').unwrap()].to_string()
    };
    assert_eq!(lang("sop/OPS-1.html"), "und");
    assert_eq!(lang("sop/OPS-2.html"), "zh-Hans-CN");
    assert_eq!(lang("sop/OPS-3.html"), "hu");
    // `sop render --to html` too.
    for (file, expected) in [("a.sop", "und"), ("b.sop", "zh-Hans-CN")] {
        let out = sop(&["render", file, "--to", "html"])
            .current_dir(dir.path())
            .run();
        out.code(0);
        let tag = format!("<html lang=\"{expected}\">");
        assert!(out.stdout.contains(&tag), "{}", out.stdout);
    }
}
