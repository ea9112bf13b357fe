//! Writing the site: into a staging directory, swapped in at the end.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::outdir::{self, Marker, OutDir, STAGING_PREFIX};
use super::pages::{self, encode, esc, sop_page};
use super::site::Site;
use super::{search, Error, Options};
use crate::render::RenderContext;
use crate::workspace::CheckRun;

/// A directory the site is built in, next to its destination so the final
/// rename stays on one file system. It holds a locked marker from the
/// start (see `outdir`), and is removed on drop unless committed.
pub struct Staging {
    dir: Option<PathBuf>,
    marker: Option<Marker>,
}

impl Staging {
    pub fn new(out: &OutDir) -> Result<Staging, Error> {
        let parent = out.parent().to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::Io(parent.clone(), e))?;
        // Created with the mode the umask gives, like any folder: the site
        // must be readable by a web server, not only by its builder.
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&parent)
            .map_err(|e| Error::Io(parent.clone(), e))?
            .keep();
        let mut staging = Staging {
            dir: Some(dir.clone()),
            marker: None,
        };
        staging.marker = Some(Marker::create(&dir).map_err(|e| Error::Io(dir.clone(), e))?);
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new("."))
    }

    /// Replaces `out` with the staged site, whose files are `files`. The
    /// old site is moved aside and deleted only once the new one is in
    /// place. `out` is checked again first, in case it changed during the
    /// build.
    pub fn commit(mut self, out: &OutDir, files: Vec<String>) -> Result<(), Error> {
        let Some(staged) = self.dir.clone() else {
            return Ok(());
        };
        if let Some(marker) = &mut self.marker {
            marker
                .finish(files)
                .map_err(|e| Error::Io(staged.join(outdir::MARKER), e))?;
        }
        out.replaceable().map_err(Error::Output)?;
        let io = |e| Error::Io(out.shown.clone(), e);
        let target = &out.path;
        match std::fs::symlink_metadata(target) {
            Ok(_) => {
                let _lock = outdir::lock_site(target);
                let old = staged.with_extension("old");
                std::fs::rename(target, &old).map_err(io)?;
                if let Err(e) = std::fs::rename(&staged, target) {
                    let _ = std::fs::rename(&old, target);
                    return Err(io(e));
                }
                self.dir = None;
                let _ = outdir::remove_marked(&old);
            }
            Err(_) => {
                std::fs::rename(&staged, target).map_err(io)?;
                self.dir = None;
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = outdir::remove_marked(&dir);
        }
    }
}

/// Counts of what was written.
pub struct Written {
    pub pages: usize,
    pub bytes: u64,
    /// Every file written, relative to the site, for its marker.
    pub files: Vec<String>,
}

struct Writer<'r> {
    root: &'r Path,
    pages: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
    files: std::sync::Mutex<Vec<String>>,
}

impl Writer<'_> {
    fn write(&self, relative: &str, contents: &[u8]) -> Result<(), Error> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io(parent.to_path_buf(), e))?;
        }
        std::fs::write(&path, contents).map_err(|e| Error::Io(path.clone(), e))?;
        self.wrote(relative);
        if relative.ends_with(".html") {
            self.pages
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        self.bytes
            .fetch_add(contents.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn wrote(&self, relative: &str) {
        if let Ok(mut files) = self.files.lock() {
            files.push(relative.to_string());
        }
    }
}

pub fn write_site(
    site: &Site,
    _run: &CheckRun,
    root: &Path,
    options: &Options,
) -> Result<Written, Error> {
    let w = Writer {
        root,
        pages: Default::default(),
        bytes: Default::default(),
        files: Default::default(),
    };
    let progress = progress_bar(options.progress, site.entries.len() as u64);
    let link = |id: &str| {
        site.by_id
            .contains_key(id)
            .then(|| format!("{}.html", encode(&sop_page(id))))
    };
    write_pages_and_print(site, &w, &link, &progress)?;
    progress.finish_and_clear();

    let tags = pages::tagged(site);
    w.write("index.html", pages::index(site, &tags).as_bytes())?;
    w.write("reviews.html", pages::reviews(site).as_bytes())?;
    let duties = pages::duties(site);
    w.write("roles.html", pages::roles_index(site, &duties).as_bytes())?;
    for role in duties.values() {
        w.write(
            &format!("role/{}.html", role.page),
            pages::role_page(site, role).as_bytes(),
        )?;
    }
    w.write("tags.html", pages::tags_index(site, &tags).as_bytes())?;
    for tag in tags.values() {
        w.write(
            &format!("tag/{}.html", tag.page),
            pages::tag_page(site, tag).as_bytes(),
        )?;
    }
    w.write("404.html", pages::not_found(site).as_bytes())?;
    if !site.problems.is_empty() {
        w.write("problems.html", pages::problems(site).as_bytes())?;
    }
    for (path, contents) in search::build(site) {
        w.write(&path, contents.as_bytes())?;
    }
    w.write("assets/site.css", pages::SITE_CSS.as_bytes())?;
    w.write("assets/site.js", include_str!("assets/site.js").as_bytes())?;
    w.write("assets/sop.css", super::sop_stylesheet().as_bytes())?;
    if let Some(logo) = &site.logo {
        w.write(&format!("assets/{}", logo.file_name()), &logo.bytes)?;
    }
    Ok(Written {
        pages: w.pages.into_inner(),
        bytes: w.bytes.into_inner(),
        files: w.files.into_inner().unwrap_or_default(),
    })
}

/// Every SOP's page, and the whole handbook as one print page: a table of
/// contents, then every SOP starting on a new page. Each SOP's body is
/// rendered once and used for both; the print page is streamed to disk in
/// chunks, so memory does not grow with the size of the handbook.
fn write_pages_and_print(
    site: &Site,
    w: &Writer<'_>,
    link: &(dyn Fn(&str) -> Option<String> + Sync),
    progress: &indicatif::ProgressBar,
) -> Result<(), Error> {
    let path = w.root.join("print.html");
    let file = std::fs::File::create(&path).map_err(|e| Error::Io(path.clone(), e))?;
    w.wrote("print.html");
    let mut out = std::io::BufWriter::new(file);
    let io = |e| Error::Io(path.clone(), e);
    let mut toc = String::from("<h1>");
    toc.push_str(&esc(&site.title));
    toc.push_str("</h1>\n<nav class=\"toc\"><h2>Contents</h2><ol>\n");
    for e in &site.entries {
        toc.push_str(&format!(
            "<li><a href=\"#sop-{}\">{} {}</a></li>\n",
            esc(&encode(&e.workflow.id)),
            esc(&e.workflow.id),
            esc(&e.workflow.title)
        ));
    }
    toc.push_str("</ol></nav>\n");
    let shell = pages::layout(site, 0, "Print edition", "en", "\u{0}", "");
    let (head, tail) = shell.split_once('\u{0}').unwrap_or((&shell, ""));
    let mut bytes = head.len() + toc.len();
    out.write_all(head.as_bytes()).map_err(io)?;
    out.write_all(toc.as_bytes()).map_err(io)?;
    for chunk in site.entries.chunks(256) {
        let parts: Vec<Result<String, Error>> = chunk
            .par_iter()
            .map(|entry| {
                let wf = &entry.workflow;
                let context = RenderContext {
                    default_review: site.config.default_review,
                    sop_link: link,
                    today: Some(site.today),
                };
                let body = super::sop_body(wf, &context);
                let page_body = format!(
                    "{}\n{}",
                    with_history(&body, entry),
                    pages::backlinks(site, &wf.id)
                );
                let lang = crate::render::html::language_tag(wf.meta.language.as_deref());
                let title = format!("{} {}", wf.id, wf.title);
                let html = pages::layout(site, 1, &title, &lang, &page_body, "");
                w.write(&format!("sop/{}.html", sop_page(&wf.id)), html.as_bytes())?;
                progress.inc(1);
                Ok(print_part(site, entry, &body))
            })
            .collect();
        for part in parts {
            let part = part?;
            bytes += part.len();
            out.write_all(part.as_bytes()).map_err(io)?;
        }
    }
    out.write_all(tail.as_bytes()).map_err(io)?;
    out.flush().map_err(io)?;
    w.pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    w.bytes.fetch_add(
        (bytes + tail.len()) as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    Ok(())
}

/// An SOP's body for its page: with its History, if it has one, at the
/// end of its content, after the revision history the file records. The
/// print edition leaves it out.
fn with_history(body: &str, entry: &super::site::Entry) -> String {
    let Some(history) = &entry.history else {
        return body.to_string();
    };
    let labels = crate::render::Labels::for_language(entry.workflow.meta.language.as_deref());
    let section = pages::history(history, labels);
    match body.strip_suffix("</main>\n") {
        Some(content) => format!("{content}{section}</main>\n"),
        None => format!("{body}{section}"),
    }
}

/// An SOP's body for the print page: links to other SOPs point into the
/// page (`#sop-ID`), and step anchors, which repeat across SOPs, get the
/// SOP id as a prefix.
fn print_part(site: &Site, entry: &super::site::Entry, body: &str) -> String {
    let id = &entry.workflow.id;
    let mut body = body
        .replace("id=\"step-", &format!("id=\"{}-step-", esc(id)))
        .replace(
            "href=\"#step-",
            &format!("href=\"#{}-step-", esc(&encode(id))),
        );
    for target in entry.links.iter().filter(|t| site.by_id.contains_key(*t)) {
        body = body.replace(
            &format!("href=\"{}.html\"", encode(&sop_page(target))),
            &format!("href=\"#sop-{}\"", encode(target)),
        );
    }
    format!(
        "<article class=\"print-sop\" id=\"sop-{}\">\n{body}\n</article>\n",
        esc(id)
    )
}

fn progress_bar(enabled: bool, len: u64) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} rendering {pos}/{len} SOPs {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
