//! `sop fmt [PATH]...`

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::fmt::{format_document_with, FormatError, FormatOptions};
use crate::output::write_atomic;
use crate::project::{excluder, is_excluded, walk};
use crate::source::Source;
use crate::syntax;
use crate::terminal::{sanitize_for_terminal, sanitize_lines_for_terminal};

use super::{fail, print, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, and directories searched recursively for `*.sop` (honouring
    /// `.gitignore`). `-` reads standard input and writes standard output.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff for each file that would change,
    /// and exit with 1 if any would.
    #[arg(long)]
    check: bool,
    /// Keep CRLF line endings in files that use them (default: LF).
    #[arg(long)]
    keep_crlf: bool,
}

/// What happened to one file.
enum Outcome {
    /// Already in the canonical layout.
    Unchanged,
    /// Rewritten, or (with `--check`) would be: the unified diff.
    Changed(String),
    /// Not formatted: syntax errors, invalid bytes, or an internal error.
    Refused(FormatError),
    /// Could not be read or written.
    Io(String),
}

pub fn run(args: Args) -> u8 {
    let options = FormatOptions {
        keep_crlf: args.keep_crlf,
    };
    let stdin = Path::new("-");
    for path in &args.paths {
        if path != stdin && !path.exists() {
            return fail(format!("{}: no such file or directory", path.display()));
        }
    }

    let mut code = EXIT_CLEAN;
    let mut stdin_done = false;
    let mut files: Vec<PathBuf> = Vec::new();
    for path in &args.paths {
        if path == stdin {
            if !stdin_done {
                stdin_done = true;
                code = code.max(format_stdin(&options, args.check));
            }
        } else {
            // The project's `exclude:` patterns apply, as in `sop check`, so
            // a pre-commit hook can pass every changed file.
            let absolute = path.canonicalize().unwrap_or_else(|_| path.clone());
            let anchor = if absolute.is_dir() {
                absolute.clone()
            } else {
                absolute.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            let config = match Config::find(&anchor).map(|p| Config::load(&p)) {
                Some(Ok(config)) => config,
                Some(Err(e)) => return fail(format!("invalid configuration: {e}")),
                None => Config::default(),
            };
            let excluded = excluder(&config);
            if path.is_dir() {
                let cwd = std::env::current_dir()
                    .and_then(|d| d.canonicalize())
                    .unwrap_or_default();
                files.extend(
                    walk(&absolute, &excluded)
                        .into_iter()
                        .map(|f| f.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(f)),
                );
            } else if !is_excluded(&excluded, &absolute, false) {
                files.push(path.clone());
            }
        }
    }
    files.sort_unstable();
    files.dedup();

    let outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|path| format_file(path, &options, args.check))
        .collect();

    let mut changed = 0;
    let mut unchanged = 0;
    let mut refused = 0;
    let mut diffs = String::new();
    for (path, outcome) in files.iter().zip(&outcomes) {
        match outcome {
            Outcome::Unchanged => unchanged += 1,
            Outcome::Changed(diff) => {
                changed += 1;
                diffs.push_str(diff);
            }
            Outcome::Refused(error) => {
                refused += 1;
                report(path, error);
            }
            Outcome::Io(message) => {
                code = fail(format!("{}: {message}", path.display()));
            }
        }
    }
    if args.check && !diffs.is_empty() {
        if let Err(e) = print(&diffs) {
            return fail(format!("cannot write the output: {e}"));
        }
    }
    if !files.is_empty() {
        eprintln!("{}", summary(args.check, changed, unchanged, refused));
    }
    if refused > 0 || (args.check && changed > 0) {
        code = code.max(EXIT_DIAGNOSTICS);
    }
    code
}

fn summary(check: bool, changed: usize, unchanged: usize, refused: usize) -> String {
    let files = |n: usize| format!("{n} {}", if n == 1 { "file" } else { "files" });
    let mut text = if check {
        format!(
            "{} would be reformatted, {unchanged} already formatted",
            files(changed)
        )
    } else {
        format!(
            "Formatted {}, {unchanged} already formatted",
            files(changed)
        )
    };
    if refused > 0 {
        text.push_str(&format!(", {} with errors left unchanged", files(refused)));
    }
    text.push('.');
    text
}

/// Prints why a file was not formatted: `file:line:column: message`, with
/// what would act on a terminal shown instead.
fn report(path: &Path, error: &FormatError) {
    let shown = path.display().to_string();
    let shown = sanitize_for_terminal(&shown);
    match error {
        FormatError::Invalid(problems) => {
            for p in problems {
                eprintln!(
                    "{shown}:{}:{}: {}",
                    p.line,
                    p.column,
                    sanitize_for_terminal(&p.message)
                );
            }
        }
        FormatError::Unfaithful(_) => {
            eprintln!(
                "{shown}: {}",
                sanitize_lines_for_terminal(&error.to_string())
            );
        }
    }
}

fn format_file(path: &Path, options: &FormatOptions, check: bool) -> Outcome {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Outcome::Io(e.to_string()),
    };
    let formatted = match format_bytes(path, &bytes, options) {
        Ok(text) => text,
        Err(e) => return Outcome::Refused(e),
    };
    if formatted.as_bytes() == bytes.as_slice() {
        return Outcome::Unchanged;
    }
    if check {
        return Outcome::Changed(diff(path, &bytes, &formatted));
    }
    match write_in_place(path, formatted.as_bytes()) {
        Ok(()) => Outcome::Changed(String::new()),
        Err(e) => Outcome::Io(e.to_string()),
    }
}

fn format_bytes(path: &Path, bytes: &[u8], options: &FormatOptions) -> Result<String, FormatError> {
    let source = Source::from_bytes(path, bytes);
    let doc = syntax::parse(&source);
    format_document_with(&source, &doc, options)
}

/// Replaces a file's content atomically, keeping its permissions; a
/// symbolic link keeps pointing at the file it pointed at.
fn write_in_place(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        std::fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let permissions = std::fs::metadata(&target)?.permissions();
    write_atomic(&target, bytes)?;
    std::fs::set_permissions(&target, permissions)
}

/// A unified diff with `--- a/path` and `+++ b/path` headers. What the
/// name and the lines hold is shown, never acts on the terminal (a CR that
/// ends a CRLF line stays).
fn diff(path: &Path, old: &[u8], new: &str) -> String {
    let old = String::from_utf8_lossy(old);
    let shown = path.to_string_lossy();
    let shown = shown.trim_start_matches("./").trim_start_matches('/');
    // A deadline keeps a huge, thoroughly changed file from taking long;
    // the diff is then less minimal, never wrong.
    let text = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_lines(old.as_ref(), new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n').trim_end_matches('\r');
        out.push_str(&sanitize_for_terminal(body));
        out.push_str(&line[body.len()..]);
    }
    out
}

/// `sop fmt -`: standard input to standard output. A text that cannot be
/// formatted is written back unchanged (so an editor filter keeps the
/// buffer) and reported on stderr.
fn format_stdin(options: &FormatOptions, check: bool) -> u8 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        return fail(format!("cannot read standard input: {e}"));
    }
    let path = Path::new("<stdin>");
    let (result, code) = match format_bytes(path, &bytes, options) {
        Ok(formatted) if formatted.as_bytes() == bytes.as_slice() && check => (Ok(()), EXIT_CLEAN),
        Ok(formatted) if check => (print(&diff(path, &bytes, &formatted)), EXIT_DIAGNOSTICS),
        Ok(formatted) => (print(&formatted), EXIT_CLEAN),
        Err(error) => {
            report(path, &error);
            // Echoed byte for byte, invalid bytes included.
            let echo = if check { Ok(()) } else { write_stdout(&bytes) };
            (echo, EXIT_DIAGNOSTICS)
        }
    };
    match result {
        Ok(()) => code,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}

fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
