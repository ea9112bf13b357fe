//! `sop fmt [PATH]...`

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::fmt::{format_document_with, FormatError, FormatOptions};
use crate::output::{rewrite, Snapshot};
use crate::source::Source;
use crate::syntax;
use crate::terminal::{sanitize_for_terminal, sanitize_lines_for_terminal};
use crate::workspace::Workspace;

use super::{fail, print, EXIT_CLEAN, EXIT_DIAGNOSTICS, EXIT_FAILURE};

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
    /// Write every keyword in one language: `en`, or the file's own
    /// language (`zh`, `hu`). Without it, each keyword stays in the
    /// language it was written in.
    #[arg(long, value_name = "LANGUAGE", value_parser = parse_keywords)]
    keywords: Option<crate::ast::Dialect>,
}

fn parse_keywords(text: &str) -> Result<crate::ast::Dialect, String> {
    crate::ast::Dialect::parse(text)
        .ok_or_else(|| format!("`{text}` is not a keyword language; use `en`, `zh` or `hu`"))
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
        keywords: args.keywords,
    };
    let stdin = Path::new("-");
    // One workspace for every path: the project's `exclude:` patterns
    // apply as in `sop check`, so a pre-commit hook can pass every changed
    // file.
    let paths: Vec<PathBuf> = args.paths.iter().filter(|p| *p != stdin).cloned().collect();
    let files: Vec<PathBuf> = if paths.is_empty() {
        Vec::new()
    } else {
        match Workspace::discover(&paths) {
            Ok(ws) => ws.targets().iter().map(|t| t.shown.clone()).collect(),
            Err(e) => return fail(e),
        }
    };
    let mut code = EXIT_CLEAN;
    if args.paths.iter().any(|p| p == stdin) {
        code = code.max(format_stdin(&options, args.check));
    }

    let outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|path| format_file(path, &options, args.check))
        .collect();

    let mut changed = 0;
    let mut unchanged = 0;
    let mut refused = 0;
    let mut failed = 0;
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
                let line = format!("{}: {message}", path.display());
                eprintln!("sop: {}", sanitize_for_terminal(&line));
                failed += 1;
                code = EXIT_FAILURE;
            }
        }
    }
    if args.check && !diffs.is_empty() {
        if let Err(e) = print(&diffs) {
            return fail(format!("cannot write the output: {e}"));
        }
    }
    if !files.is_empty() {
        eprintln!(
            "{}",
            summary(args.check, changed, unchanged, refused, failed)
        );
    }
    if refused > 0 || (args.check && changed > 0) {
        code = code.max(EXIT_DIAGNOSTICS);
    }
    code
}

fn summary(check: bool, changed: usize, unchanged: usize, refused: usize, failed: usize) -> String {
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
    if failed > 0 {
        text.push_str(&format!(", {} not read or not written", files(failed)));
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
        FormatError::Unfaithful(_) | FormatError::Keywords { .. } => {
            eprintln!(
                "{shown}: {}",
                sanitize_lines_for_terminal(&error.to_string())
            );
        }
    }
}

fn format_file(path: &Path, options: &FormatOptions, check: bool) -> Outcome {
    let snapshot = match Snapshot::read(path) {
        Ok(s) => s,
        Err(e) => return Outcome::Io(e.to_string()),
    };
    let bytes = &snapshot.bytes;
    let formatted = match format_bytes(path, bytes, options) {
        Ok(text) => text,
        Err(e) => return Outcome::Refused(e),
    };
    if formatted.as_bytes() == bytes.as_slice() {
        return Outcome::Unchanged;
    }
    if check {
        return Outcome::Changed(diff(path, bytes, &formatted));
    }
    // Read-only files, an owner that cannot be kept and edits saved while
    // formatting leave the file as it is; see `output::rewrite`.
    match rewrite(&snapshot, formatted.as_bytes()) {
        Ok(()) => Outcome::Changed(String::new()),
        Err(e) => Outcome::Io(e.to_string()),
    }
}

fn format_bytes(path: &Path, bytes: &[u8], options: &FormatOptions) -> Result<String, FormatError> {
    let source = Source::from_bytes(path, bytes);
    let doc = syntax::parse(&source);
    format_document_with(&source, &doc, options)
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
