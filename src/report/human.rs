//! The human format: miette's graphical reports, then a summary line.

use rayon::prelude::*;

use super::graphical::{graphical_handler, FileReport};
use super::{Style, Summary};
use crate::check::CheckedFile;

pub fn render(files: &[CheckedFile], style: Style, summary: Summary) -> String {
    let handler = graphical_handler(style.color, style.width);
    let parts: Vec<String> = files
        .par_iter()
        .map(|file| {
            let mut out = String::new();
            for d in &file.diagnostics {
                let report = FileReport::new(d, &file.source);
                // Writing to a String cannot fail.
                let _ = handler.render_report(&mut out, &report);
                out.push('\n');
            }
            out
        })
        .collect();
    let mut out = parts.concat();
    out.push_str(&summary.line());
    out.push('\n');
    out
}
