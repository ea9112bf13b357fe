//! `sop render PATH --to md|html|json [-o OUT]`

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::{check_document, CheckOptions};
use crate::config::Config;
use crate::diagnostics::{render as render_diagnostics, Format, Severity, Style};
use crate::model::Workflow;
use crate::output::write_if_changed;
use crate::project::{walk, CheckedFile};
use crate::render::{RenderContext, Target};
use crate::source::Source;
use crate::syntax;
use crate::values::Date;

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.sop` file, or a directory to render every `*.sop` file under it.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    to: Target,
    /// Output file (default: stdout); for a directory, the output directory.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// The date warnings are judged against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,
    /// Colour the diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub fn run(args: Args) -> u8 {
    if !args.path.exists() {
        return fail(format!(
            "{}: no such file or directory",
            args.path.display()
        ));
    }
    let dir = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let anchor = dir.canonicalize().unwrap_or(dir);
    let config = match Config::find(&anchor).map(|p| Config::load(&p)) {
        Some(Ok(c)) => c,
        Some(Err(e)) => return fail(format!("invalid configuration: {e}")),
        None => Config::default(),
    };
    let options = CheckOptions {
        today: args.today.unwrap_or_else(Date::today),
        config,
    };
    let style = Style {
        color: args.color.enabled_on_stderr(),
        width: 100,
    };
    if args.path.is_dir() {
        let Some(out_dir) = &args.output else {
            return fail("rendering a directory needs an output directory: -o OUTDIR");
        };
        render_tree(&args.path, out_dir, args.to, &options, style)
    } else {
        match render_file(&args.path, args.to, &options, style) {
            Ok(Some(text)) => match &args.output {
                Some(out) => match write_if_changed(out, text.as_bytes()) {
                    Ok(_) => EXIT_CLEAN,
                    // Not a regular file (a pipe, a device): left alone.
                    Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => fail(format!(
                        "{}: {e}; to write to standard output, leave out -o",
                        out.display()
                    )),
                    Err(e) => fail(format!("{}: {e}", out.display())),
                },
                None => match print(&text) {
                    Ok(()) => EXIT_CLEAN,
                    Err(e) => fail(format!("cannot write the output: {e}")),
                },
            },
            Ok(None) => EXIT_DIAGNOSTICS,
            Err(code) => code,
        }
    }
}

/// One file checked and, when it has no errors, rendered.
struct Rendered {
    /// The output; `None` when the file has errors.
    text: Option<String>,
    /// The human report of its diagnostics, empty when there are none.
    report: String,
}

/// Checks and renders one file; `Err` is an I/O failure.
fn render_one(
    path: &Path,
    to: Target,
    options: &CheckOptions,
    style: Style,
) -> Result<Rendered, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let source = Source::from_bytes(path, &bytes);
    let doc = syntax::parse(&source);
    let diagnostics = check_document(&source, &doc, options, None);
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let workflow = (!has_errors).then(|| Workflow::from_document(&doc));
    drop(doc);
    let report = if diagnostics.is_empty() {
        String::new()
    } else {
        let checked = [CheckedFile {
            path: path.to_path_buf(),
            source,
            diagnostics,
        }];
        render_diagnostics(Format::Human, &checked, style)
    };
    let context = RenderContext {
        default_review: options.config.default_review,
        ..RenderContext::default()
    };
    let text = workflow.map(|w| to.renderer().render(&w, &context));
    Ok(Rendered { text, report })
}

/// Checks and renders one file. Diagnostics go to stderr; `Ok(None)` when
/// the file has errors and was not rendered.
fn render_file(
    path: &Path,
    to: Target,
    options: &CheckOptions,
    style: Style,
) -> Result<Option<String>, u8> {
    let rendered = render_one(path, to, options, style).map_err(fail)?;
    eprint!("{}", rendered.report);
    Ok(rendered.text)
}

/// Renders every `*.sop` under `dir` into `out_dir`, mirroring the folders,
/// in parallel. Files with errors are reported (in path order) and skipped;
/// the exit code is then 1.
fn render_tree(dir: &Path, out_dir: &Path, to: Target, options: &CheckOptions, style: Style) -> u8 {
    let files = walk(dir, &None);
    let extension = to.renderer().extension();
    let results: Vec<Result<Rendered, String>> = files
        .par_iter()
        .map(|file| {
            let mut rendered = render_one(file, to, options, style)?;
            if let Some(text) = rendered.text.take() {
                let relative = file.strip_prefix(dir).unwrap_or(file);
                let out = out_dir.join(relative).with_extension(extension);
                write_if_changed(&out, text.as_bytes())
                    .map_err(|e| format!("{}: {e}", out.display()))?;
                rendered.text = Some(String::new());
            }
            Ok(rendered)
        })
        .collect();
    let mut code = EXIT_CLEAN;
    for result in results {
        match result {
            Ok(rendered) => {
                eprint!("{}", rendered.report);
                if rendered.text.is_none() {
                    code = code.max(EXIT_DIAGNOSTICS);
                }
            }
            Err(e) => return fail(e),
        }
    }
    code
}
