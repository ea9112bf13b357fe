//! `sop render PATH --to md|html|json|bpmn|serverless|asl [-o OUT]`

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::CheckedFile;
use crate::diagnostics::Severity;
use crate::model::Workflow;
use crate::output::write_if_changed;
use crate::render::{relative_href, Backend, RenderContext};
use crate::report::{render as render_diagnostics, Format, Style};
use crate::values::Date;
use crate::workspace::{SopFile, Workspace};

use super::{fail, print, ColorChoice, EXIT_CLEAN, EXIT_DIAGNOSTICS};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.sop` file, or a directory to render every `*.sop` file under it.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    to: Backend,
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
    let is_dir = args.path.is_dir();
    if is_dir && args.output.is_none() {
        return fail("rendering a directory needs an output directory: -o OUTDIR");
    }
    let workspace = match Workspace::discover(std::slice::from_ref(&args.path)) {
        Ok(ws) => ws,
        Err(e) => return fail(e),
    };
    if !is_dir && workspace.targets().is_empty() {
        return fail(format!(
            "{} is excluded by the `exclude:` patterns of sop.yaml; nothing to render",
            args.path.display()
        ));
    }
    let today = args.today.unwrap_or_else(Date::today);
    let checked = match workspace.check_with(today, |_, doc, diagnostics| {
        let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
        (!has_errors).then(|| Workflow::from_document(doc))
    }) {
        Ok(files) => files,
        Err(e) => return fail(e),
    };
    let (files, workflows): (Vec<CheckedFile>, Vec<Option<Workflow>>) = checked.into_iter().unzip();
    let style = Style {
        color: args.color.enabled_on_stderr(),
        width: 100,
    };
    // Diagnostics first, in path order, then the output.
    if files.iter().any(|f| !f.diagnostics.is_empty()) {
        eprint!("{}", render_diagnostics(Format::Human, &files, style));
    }
    let rendered: Vec<(&SopFile, &Workflow)> = workspace
        .targets()
        .iter()
        .zip(&workflows)
        .filter_map(|(file, workflow)| Some((file, workflow.as_ref()?)))
        .collect();
    let failed = rendered.len() < workflows.len();
    let written = match (is_dir, rendered.first()) {
        (true, _) => {
            let out_dir = args.output.as_deref().unwrap_or(Path::new("."));
            render_tree(&args.path, &rendered, out_dir, args.to, &workspace)
        }
        (false, Some((_, workflow))) => {
            render_file(workflow, args.output.as_deref(), args.to, &workspace)
        }
        (false, None) => Ok(()),
    };
    match written {
        Err(message) => fail(message),
        Ok(()) if failed => EXIT_DIAGNOSTICS,
        Ok(()) => EXIT_CLEAN,
    }
}

fn context<'a>(
    workspace: &Workspace,
    link: &'a dyn Fn(&str) -> Option<String>,
) -> RenderContext<'a> {
    RenderContext {
        default_review: workspace.config().default_review,
        sop_link: link,
        ..RenderContext::default()
    }
}

/// Renders one file to `out` or stdout. A single page has no site around
/// it, so its `[[ID]]` links stay text.
fn render_file(
    workflow: &Workflow,
    out: Option<&Path>,
    to: Backend,
    workspace: &Workspace,
) -> Result<(), String> {
    let text = to
        .renderer()
        .render(workflow, &context(workspace, &|_| None));
    match out {
        Some(out) => write_if_changed(out, text.as_bytes())
            .map(|_| ())
            .map_err(|e| match e.kind() {
                // Not a regular file (a pipe, a device): left alone.
                std::io::ErrorKind::InvalidInput => format!(
                    "{}: {e}; to write to standard output, leave out -o",
                    out.display()
                ),
                _ => format!("{}: {e}", out.display()),
            }),
        None => print(&text).map_err(|e| format!("cannot write the output: {e}")),
    }
}

/// Renders every target under `dir` into `out_dir`, mirroring the folders,
/// in parallel; files with errors are skipped. An `[[ID]]` link to an SOP
/// whose page is written in the same run links to that page.
fn render_tree(
    dir: &Path,
    rendered: &[(&SopFile, &Workflow)],
    out_dir: &Path,
    to: Backend,
    workspace: &Workspace,
) -> Result<(), String> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let extension = to.renderer().extension();
    let page_of = |file: &SopFile| -> PathBuf {
        file.path
            .strip_prefix(&dir)
            .unwrap_or(&file.path)
            .with_extension(extension)
    };
    // The page of each id rendered in this run (the first file in path
    // order when an id is declared twice, which `check` reports).
    let mut pages: HashMap<&str, PathBuf> = HashMap::new();
    for (file, workflow) in rendered {
        pages
            .entry(workflow.id.as_str())
            .or_insert_with(|| page_of(file));
    }
    rendered
        .par_iter()
        .map(|(file, workflow)| {
            let page = page_of(file);
            let link = |id: &str| pages.get(id).map(|target| relative_href(&page, target));
            let text = to.renderer().render(workflow, &context(workspace, &link));
            let out = out_dir.join(&page);
            write_if_changed(&out, text.as_bytes())
                .map(|_| ())
                .map_err(|e| format!("{}: {e}", out.display()))
        })
        .collect::<Result<Vec<()>, String>>()
        .map(|_| ())
}
