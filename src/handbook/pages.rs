//! The pages of the site, as HTML strings. Every link is relative: a page
//! at depth `d` (0 for the top level, 1 for `sop/…`) reaches the top with
//! `d` times `../`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::history::{History, What};
use super::site::{Entry, Site};
use crate::model::Workflow;
use crate::render::Labels;
use crate::values::Date;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment for an `href` (file names keep the raw id).
pub use crate::render::encode_segment as encode;

/// A file-name-safe slug for a role or tag: letters and digits of any
/// script, `-`, `_` and `.`; anything else becomes `-`.
pub fn slug(text: &str) -> String {
    let s: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches(['-', '.']).to_lowercase();
    if s.is_empty() {
        "-".to_string()
    } else {
        s
    }
}

/// The longest name a page file gets, in bytes, without `.html`: file
/// systems allow 255 bytes per name (some fewer once encoded), and a
/// shorter name stays readable in a URL.
pub const MAX_PAGE_NAME: usize = 100;

/// `name` as a file name that fits [`MAX_PAGE_NAME`]: as it is when it
/// does; otherwise cut at a character boundary and followed by `~` and a
/// hash of the whole name. `~` is in no id and no slug, so a cut name is
/// never the name of another page.
pub fn fit(name: &str) -> String {
    if name.len() <= MAX_PAGE_NAME {
        return name.to_string();
    }
    let hash = format!("{:016x}", fnv1a(name));
    let mut cut = MAX_PAGE_NAME - 1 - hash.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{hash}", &name[..cut])
}

/// A hash that stays the same across builds, platforms and versions (page
/// names must not move): 64-bit FNV-1a.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The name of an SOP's page, without `.html`: its id, cut to fit.
pub fn sop_page(id: &str) -> String {
    fit(id)
}

pub fn up(depth: usize) -> String {
    "../".repeat(depth)
}

pub fn sop_href(depth: usize, id: &str) -> String {
    format!("{}sop/{}.html", up(depth), encode(&sop_page(id)))
}

/// Tags or roles as the site shows them, by [`group_key`]: spellings that
/// differ only in case are one tag (or role), shown as first written (in
/// the order of the SOPs, by id), with one page.
pub type Groups<T> = BTreeMap<String, Group<T>>;

/// One tag or role and what carries it.
pub struct Group<T> {
    /// The first spelling.
    pub shown: String,
    /// The page's file name under `tag/` or `role/`, without `.html`;
    /// unique among the groups.
    pub page: String,
    pub items: Vec<T>,
}

/// What makes two tags (or roles) the same: their text, ignoring case.
pub fn group_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Gives every group a page name of its own: its slug, cut to fit. When
/// slugs collide (`a b`, `a-b`, `a/b`), a name that is its own slug keeps
/// it, and the others (in order) get a hash of their name after it.
fn name_pages<T>(groups: &mut Groups<T>) {
    let mut keys: Vec<String> = groups.keys().cloned().collect();
    // Stable: the order of the keys is kept within each part.
    keys.sort_by_key(|key| slug(key) != *key);
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for key in keys {
        let base = fit(&slug(&key));
        let hash = format!("{:08x}", fnv1a(&key) as u32);
        let mut name = base.clone();
        let mut n = 1;
        while taken.contains(&name) {
            let suffix = if n == 1 {
                hash.clone()
            } else {
                format!("{hash}-{n}")
            };
            let mut cut = base.len().min(MAX_PAGE_NAME - 1 - suffix.len());
            while !base.is_char_boundary(cut) {
                cut -= 1;
            }
            name = format!("{}-{suffix}", &base[..cut]);
            n += 1;
        }
        taken.insert(name.clone());
        if let Some(group) = groups.get_mut(&key) {
            group.page = name;
        }
    }
}

/// Groups `items` by the name each is filed under, in their order.
fn group<T>(items: impl IntoIterator<Item = (String, T)>) -> Groups<T> {
    let mut groups: Groups<T> = BTreeMap::new();
    for (name, item) in items {
        groups
            .entry(group_key(&name))
            .or_insert_with(|| Group {
                shown: name.trim().to_string(),
                page: String::new(),
                items: Vec::new(),
            })
            .items
            .push(item);
    }
    name_pages(&mut groups);
    groups
}

/// The site's own stylesheet (`assets/site.css`).
pub const SITE_CSS: &str = include_str!("assets/site.css");

/// The site chrome around a page's content.
pub fn layout(
    site: &Site,
    depth: usize,
    title: &str,
    lang: &str,
    body: &str,
    extra_head: &str,
) -> String {
    let up = up(depth);
    let logo = site
        .logo
        .as_ref()
        .map(|l| {
            format!(
                "<img class=\"logo\" src=\"{up}assets/{}\" alt=\"\">",
                esc(&encode(&l.file_name()))
            )
        })
        .unwrap_or_default();
    let head = format!(
        "<link rel=\"stylesheet\" href=\"{up}assets/sop.css\">\n\
<link rel=\"stylesheet\" href=\"{up}assets/site.css\">\n{extra_head}"
    );
    let search = format!(
        "<form class=\"search\" action=\"{up}index.html\" method=\"get\" role=\"search\">\
<input type=\"search\" name=\"q\" placeholder=\"Search\" aria-label=\"Search the handbook\"></form>\n"
    );
    page(site, &up, title, lang, &head, &logo, &search, body)
}

/// A page around `body` with the site's header; `head` goes into `<head>`.
#[allow(clippy::too_many_arguments)]
fn page(
    site: &Site,
    up: &str,
    title: &str,
    lang: &str,
    head: &str,
    logo: &str,
    search: &str,
    body: &str,
) -> String {
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} · {site_title}</title>\n{head}</head>\n<body>\n\
<header class=\"site\"><a class=\"home\" href=\"{up}index.html\">{logo}<span>{site_title}</span></a>\n\
<nav><a href=\"{up}index.html\">All SOPs</a> <a href=\"{up}reviews.html\">Reviews</a> \
<a href=\"{up}roles.html\">Roles</a> <a href=\"{up}tags.html\">Tags</a> <a href=\"{up}print.html\">Print</a></nav>\n\
{search}</header>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        lang = esc(lang),
        title = esc(title),
        site_title = esc(&site.title),
    );
    out
}

fn status_label(wf: &Workflow) -> &'static str {
    wf.meta.status.map_or("", |s| s.name())
}

fn date_cell(date: Option<Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// The index cell of an SOP's worst case: the sum of its time limits on
/// the longest path, sortable by its length in seconds (empty without
/// limits), marked when it is longer than `sla:`.
fn worst_cell(wf: &Workflow) -> String {
    let Some(worst) = wf.analysis.worst_case else {
        return "<td data-value=\"\"></td>".to_string();
    };
    let labels = &crate::render::labels::EN;
    let seconds = worst.saturating_seconds();
    let mut title = labels.worst_case_text(&wf.analysis).unwrap_or_default();
    // Short enough for a table column: `≥ 1d 7h` for "at least 1 day 7 hours".
    let mut short: Vec<String> = [
        (worst.days, "d"),
        (worst.hours, "h"),
        (worst.minutes, "m"),
        (worst.seconds, "s"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, unit)| format!("{n}{unit}"))
    .collect();
    if short.is_empty() {
        short.push("0m".into());
    }
    let mut text = short.join(" ");
    if wf.analysis.is_lower_bound() {
        text = format!("≥ {text}");
    }
    match wf.meta.sla {
        Some(sla) if wf.exceeds_sla() => {
            let _ = write!(title, ", {} ({})", labels.exceeds_sla, labels.duration(sla));
            format!(
                "<td data-value=\"{seconds}\" class=\"sla-exceeded\" title=\"{}\">{} ⚠</td>",
                esc(&title),
                esc(&text)
            )
        }
        _ => format!(
            "<td data-value=\"{seconds}\" title=\"{}\">{}</td>",
            esc(&title),
            esc(&text)
        ),
    }
}

/// The index: every SOP, grouped by folder, sortable and filterable.
pub fn index(site: &Site, tag_groups: &Groups<&Entry>) -> String {
    let mut owners = std::collections::BTreeSet::new();
    let mut tags = std::collections::BTreeSet::new();
    let mut statuses = std::collections::BTreeSet::new();
    // An SOP's tags as the site shows them: (shown, page).
    let tags_of = |wf: &Workflow| -> Vec<(&str, &str)> {
        let mut list: Vec<(&str, &str)> = Vec::new();
        for t in wf.meta.tags.iter().flatten() {
            if let Some(g) = tag_groups.get(&group_key(t)) {
                if !list.iter().any(|(shown, _)| *shown == g.shown) {
                    list.push((g.shown.as_str(), g.page.as_str()));
                }
            }
        }
        list
    };
    for e in &site.entries {
        if let Some(o) = &e.workflow.meta.owner {
            owners.insert(o.as_str());
        }
        for (shown, _) in tags_of(&e.workflow) {
            tags.insert(shown);
        }
        if let Some(s) = e.workflow.meta.status {
            statuses.insert(s.name());
        }
    }
    let select = |name: &str, label: &str, values: &std::collections::BTreeSet<&str>| {
        let mut s = format!(
            "<label>{label} <select data-filter=\"{name}\"><option value=\"\">all</option>"
        );
        for v in values {
            let _ = write!(s, "<option value=\"{0}\">{0}</option>", esc(v));
        }
        s.push_str("</select></label>");
        s
    };
    let mut body = String::with_capacity(site.entries.len() * 600 + 4096);
    let _ = write!(
        body,
        "<h1>{}</h1>\n<div id=\"search-results\" hidden></div>\n\
<p class=\"summary\">{} SOPs. Review dates as of {}.</p>\n\
<div class=\"filters\">{} {} {}</div>\n\
<table class=\"index sortable\">\n<thead><tr>\
<th data-sort=\"text\">ID</th><th data-sort=\"text\">Title</th><th data-sort=\"text\">Owner</th>\
<th data-sort=\"text\">Status</th><th>Tags</th><th data-sort=\"version\">Version</th>\
<th data-sort=\"text\">Last review</th><th data-sort=\"text\">Next review due</th>\
<th data-sort=\"number\">Worst case</th></tr></thead>\n",
        esc(&site.title),
        site.entries.len(),
        site.today,
        select("tag", "Tag", &tags),
        select("owner", "Owner", &owners),
        select("status", "Status", &statuses),
    );
    let mut by_folder: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &site.entries {
        by_folder.entry(e.folder.as_str()).or_default().push(e);
    }
    for (folder, heading) in &site.groups {
        let Some(entries) = by_folder.get(folder.as_str()) else {
            continue;
        };
        let _ = writeln!(
            body,
            "<tbody data-group=\"{}\"><tr class=\"group\"><th colspan=\"9\">{} <span class=\"count\">{}</span></th></tr>",
            esc(folder),
            esc(heading),
            entries.len()
        );
        for e in entries {
            let wf = &e.workflow;
            let tags = tags_of(wf);
            let due_class = match e.next_review {
                Some(d) if d < site.today => " class=\"overdue\"",
                Some(d) if site.today.days_until(d) <= 30 => " class=\"due-soon\"",
                _ => "",
            };
            let _ = writeln!(
                body,
                "<tr data-tags=\"{tags_attr}\" data-owner=\"{owner}\" data-status=\"{status}\">\
<td><a href=\"{href}\">{id}</a></td><td><a href=\"{href}\">{title}</a></td><td>{owner}</td>\
<td>{status}</td><td>{tag_links}</td><td>{version}</td><td>{last}</td><td{due_class}>{next}</td>{worst}</tr>",
                tags_attr = esc(
                    &tags
                        .iter()
                        .map(|(shown, _)| *shown)
                        .collect::<Vec<_>>()
                        .join("\u{1f}")
                ),
                owner = esc(wf.meta.owner.as_deref().unwrap_or("")),
                status = status_label(wf),
                href = sop_href(0, &wf.id),
                id = esc(&wf.id),
                title = esc(&wf.title),
                tag_links = tags
                    .iter()
                    .map(|(shown, page)| format!("<a class=\"tag\" href=\"tag/{}.html\">{}</a>", encode(page), esc(shown)))
                    .collect::<Vec<_>>()
                    .join(" "),
                version = esc(wf.meta.version.as_deref().unwrap_or("")),
                last = date_cell(e.last_review),
                next = date_cell(e.next_review),
                worst = worst_cell(wf),
            );
        }
        body.push_str("</tbody>\n");
    }
    body.push_str("</table>\n");
    if !site.problems.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"problems\"><a href=\"problems.html\">{} files were left out because of errors.</a></p>",
            site.problems.len()
        );
    }
    let head = "<script src=\"assets/site.js\" defer></script>\n<script src=\"search/docs.js\" defer></script>\n";
    layout(site, 0, "All SOPs", "en", &body, head)
}

/// The review dashboard: SOPs overdue or due within 30 days, by owner.
pub fn reviews(site: &Site) -> String {
    let horizon = 30;
    let mut by_owner: BTreeMap<&str, Vec<(&Entry, Date, i64)>> = BTreeMap::new();
    for e in &site.entries {
        let Some(due) = e.next_review else { continue };
        let days_left = site.today.days_until(due);
        if days_left <= horizon {
            let owner = e.workflow.meta.owner.as_deref().unwrap_or("(no owner)");
            by_owner.entry(owner).or_default().push((e, due, days_left));
        }
    }
    let total: usize = by_owner.values().map(Vec::len).sum();
    let overdue: usize = by_owner
        .values()
        .flatten()
        .filter(|(_, _, d)| *d < 0)
        .count();
    let mut body = format!(
        "<h1>Reviews</h1>\n<p class=\"summary\">As of {}: {} overdue, {} due within {} days.</p>\n",
        site.today,
        overdue,
        total - overdue,
        horizon
    );
    if total == 0 {
        body.push_str("<p>Every SOP is reviewed and none is due within 30 days.</p>\n");
    }
    for (owner, mut items) in by_owner {
        items.sort_by(|a, b| (a.2, &a.0.workflow.id).cmp(&(b.2, &b.0.workflow.id)));
        let _ = write!(
            body,
            "<section class=\"owner\"><h2>{}</h2>\n<table class=\"reviews\"><thead><tr><th>ID</th><th>Title</th><th>Last review</th><th>Due</th><th>State</th></tr></thead><tbody>\n",
            esc(owner)
        );
        for (e, due, days_left) in items {
            let state = match days_left {
                d if d < 0 => format!(
                    "<strong class=\"overdue\">overdue by {} day{}</strong>",
                    -d,
                    if d == -1 { "" } else { "s" }
                ),
                0 => "<span class=\"due-soon\">due today</span>".to_string(),
                d => format!(
                    "<span class=\"due-soon\">due in {d} day{}</span>",
                    if d == 1 { "" } else { "s" }
                ),
            };
            let _ = writeln!(
                body,
                "<tr data-id=\"{id}\"><td><a href=\"{href}\">{id}</a></td><td>{title}</td><td>{last}</td><td>{due}</td><td>{state}</td></tr>",
                id = esc(&e.workflow.id),
                href = sop_href(0, &e.workflow.id),
                title = esc(&e.workflow.title),
                last = date_cell(e.last_review),
            );
        }
        body.push_str("</tbody></table></section>\n");
    }
    layout(site, 0, "Reviews", "en", &body, "")
}

/// One step a role performs.
pub struct Duty<'s> {
    pub entry: &'s Entry,
    pub step: &'s crate::model::Node,
}

/// Role → every step that names it, across the site.
pub fn duties(site: &Site) -> Groups<Duty<'_>> {
    group(site.entries.iter().flat_map(|e| {
        e.workflow.nodes.iter().flat_map(move |node| {
            node.roles.iter().map(move |role| {
                (
                    role.clone(),
                    Duty {
                        entry: e,
                        step: node,
                    },
                )
            })
        })
    }))
}

pub fn roles_index(site: &Site, duties: &Groups<Duty<'_>>) -> String {
    let mut body = String::from("<h1>Roles</h1>\n<p class=\"summary\">Who does what: every step each role performs, across all SOPs.</p>\n<ul class=\"columns\">\n");
    for role in duties.values() {
        let _ = writeln!(
            body,
            "<li><a href=\"role/{}.html\">{}</a> <span class=\"count\">{} steps</span></li>",
            encode(&role.page),
            esc(&role.shown),
            role.items.len()
        );
    }
    body.push_str("</ul>\n");
    layout(site, 0, "Roles", "en", &body, "")
}

pub fn role_page(site: &Site, group: &Group<Duty<'_>>) -> String {
    let (role, list) = (group.shown.as_str(), &group.items);
    let key = group_key(role);
    let mut descriptions: Vec<&str> = site
        .entries
        .iter()
        .flat_map(|e| e.workflow.roles.iter())
        .filter(|r| group_key(&r.id) == key)
        .map(|r| r.description.as_str())
        .collect();
    descriptions.sort_unstable();
    descriptions.dedup();
    let mut body = format!("<h1>Role: {}</h1>\n", esc(role));
    if !descriptions.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"summary\">{}</p>",
            esc(&descriptions.join(" · "))
        );
    }
    body.push_str("<table class=\"duties\"><thead><tr><th>SOP</th><th>Step</th><th>Time limit</th></tr></thead><tbody>\n");
    for duty in list {
        let wf = &duty.entry.workflow;
        let labels = Labels::for_language(wf.meta.language.as_deref());
        let anchor = step_anchor(&duty.step.id);
        let _ = writeln!(
            body,
            "<tr><td><a href=\"{href}\">{id}</a> {title}</td><td><a href=\"{href}#{anchor}\">{n}. {step}</a></td><td>{within}</td></tr>",
            href = sop_href(1, &wf.id),
            id = esc(&wf.id),
            title = esc(&wf.title),
            anchor = esc(&encode(&anchor)),
            n = duty.step.number,
            step = esc(&duty.step.title),
            within = duty.step.within.map(|d| esc(&labels.duration(d))).unwrap_or_default(),
        );
    }
    body.push_str("</tbody></table>\n");
    layout(site, 1, &format!("Role: {role}"), "en", &body, "")
}

/// The anchor of a step on its SOP's page.
pub fn step_anchor(node_id: &str) -> String {
    match node_id.strip_prefix('#') {
        Some(n) => format!("step-{n}"),
        None => format!("step-{node_id}"),
    }
}

/// Tag → the entries that carry it (each once, though it spell the tag
/// two ways).
pub fn tagged(site: &Site) -> Groups<&Entry> {
    let mut groups = group(site.entries.iter().flat_map(|e| {
        e.workflow
            .meta
            .tags
            .iter()
            .flatten()
            .map(move |t| (t.clone(), e))
    }));
    for g in groups.values_mut() {
        g.items.dedup_by(|a, b| std::ptr::eq(*a, *b));
    }
    groups
}

pub fn tags_index(site: &Site, tags: &Groups<&Entry>) -> String {
    let mut body = String::from("<h1>Tags</h1>\n<ul class=\"columns\">\n");
    for tag in tags.values() {
        let _ = writeln!(
            body,
            "<li><a class=\"tag\" href=\"tag/{}.html\">{}</a> <span class=\"count\">{}</span></li>",
            encode(&tag.page),
            esc(&tag.shown),
            tag.items.len()
        );
    }
    body.push_str("</ul>\n");
    layout(site, 0, "Tags", "en", &body, "")
}

pub fn tag_page(site: &Site, group: &Group<&Entry>) -> String {
    let (tag, list) = (group.shown.as_str(), &group.items);
    let mut body = format!("<h1>Tag: {}</h1>\n<ul>\n", esc(tag));
    for e in list {
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a> {}</li>",
            sop_href(1, &e.workflow.id),
            esc(&e.workflow.id),
            esc(&e.workflow.title)
        );
    }
    body.push_str("</ul>\n");
    layout(site, 1, &format!("Tag: {tag}"), "en", &body, "")
}

/// "Referenced by" on an SOP's page.
pub fn backlinks(site: &Site, id: &str) -> String {
    let Some(list) = site.backlinks.get(id) else {
        return String::new();
    };
    let mut out = String::from("<aside class=\"backlinks\"><h2>Referenced by</h2>\n<ul>\n");
    for &i in list {
        let wf = &site.entries[i].workflow;
        let _ = writeln!(
            out,
            "<li><a href=\"{}.html\">{}</a> {}</li>",
            encode(&sop_page(&wf.id)),
            esc(&wf.id),
            esc(&wf.title)
        );
    }
    out.push_str("</ul></aside>\n");
    out
}

/// The History section of an SOP's page: the versions of its file
/// recorded in git, newest first. Commit subjects, author names and paths
/// come from whoever made the commits: they are text, escaped, never
/// markup or links.
pub fn history(history: &History, labels: &Labels) -> String {
    let mut out = String::with_capacity(history.versions.len() * 400 + 256);
    let _ = write!(
        out,
        "<section id=\"history\" class=\"history\">\n<h2>{}</h2>\n<ol class=\"history\">\n",
        esc(labels.history)
    );
    for version in &history.versions {
        let short = version.commit.get(..7).unwrap_or(&version.commit);
        let _ = write!(
            out,
            "<li><p class=\"version\"><time datetime=\"{date}\">{date}</time> · \
<bdi class=\"author\">{author}</bdi> · <bdi class=\"subject\">{subject}</bdi> \
<code class=\"commit\" title=\"{commit} {id}\">{short}</code></p>\n<ul class=\"changes\">\n",
            date = esc(&version.date),
            author = esc(&one_line(&version.author)),
            subject = esc(&one_line(&version.subject)),
            commit = esc(labels.commit),
            id = esc(&version.commit),
            short = esc(short),
        );
        let item = |out: &mut String, class: &str, html: &str| {
            let _ = writeln!(out, "<li class=\"{class}\">{html}</li>");
        };
        if let Some(from) = &version.renamed_from {
            let from = format!("<code>{}</code>", esc(&one_line(from)));
            let text = esc(labels.renamed_from).replace("{}", &from);
            item(&mut out, "renamed", &text);
        }
        match &version.what {
            What::Created => item(&mut out, "created", &esc(labels.created)),
            What::Deleted => item(
                &mut out,
                "removed",
                &esc(crate::diff::output::removed_text(labels)),
            ),
            What::Changes(changes) => {
                for (sign, sentence) in changes {
                    let class = match *sign {
                        "+" => "added",
                        "-" => "removed",
                        _ => "changed",
                    };
                    item(&mut out, class, sentence);
                }
            }
            // A rename says what it did; otherwise the version's meaning
            // stayed as it was.
            What::Unchanged if version.renamed_from.is_some() => {}
            What::Unchanged => item(
                &mut out,
                "unchanged",
                &esc(crate::diff::output::unchanged_text(labels)),
            ),
            What::HasErrors => item(&mut out, "errors", &esc(labels.version_has_errors)),
            What::PreviousHasErrors => item(&mut out, "errors", &esc(labels.previous_has_errors)),
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ol>\n");
    if history.older > 0 {
        let _ = writeln!(
            out,
            "<p class=\"older\">{}</p>",
            esc(&labels.older_versions_text(history.older))
        );
    }
    out.push_str("</section>\n");
    out
}

/// Text from outside the project (a commit's author or subject) on one
/// line, without control characters.
fn one_line(text: &str) -> String {
    text.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page a web server shows for any missing URL, at any depth
/// (`/sop/OLD.html`, `/a/b/c`): relative links to its stylesheets would
/// miss there, so its styles are in the page, and it has no logo or search
/// form to fetch or submit relative to it. The links of its header lead
/// home from a top-level URL.
pub fn not_found(site: &Site) -> String {
    let body = "<h1>Page not found</h1>\n<p>This page does not exist. It may have been renamed or retired.</p>\n<p><a href=\"index.html\">All SOPs</a> · <a href=\"reviews.html\">Reviews</a></p>\n";
    let head = format!("<style>\n{}\n{SITE_CSS}</style>\n", super::sop_stylesheet());
    page(site, "", "Page not found", "en", &head, "", "", body)
}

pub fn problems(site: &Site) -> String {
    let mut body = format!(
        "<h1>Problems</h1>\n<p class=\"summary\">{} files have errors and were left out of this site. Run <code>sop check</code> on them for details.</p>\n",
        site.problems.len()
    );
    for p in &site.problems {
        let _ = write!(
            body,
            "<section class=\"problem\"><h2>{}</h2>\n<ul>\n",
            esc(&super::url_path(&p.source))
        );
        for e in &p.errors {
            let _ = writeln!(body, "<li><code>{}</code></li>", esc(e));
        }
        body.push_str("</ul></section>\n");
    }
    layout(site, 0, "Problems", "en", &body, "")
}
