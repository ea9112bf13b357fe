//! `sop parse FILE --format json`: dump the syntax tree.

use std::path::PathBuf;

use crate::source::Source;
use crate::syntax;

use super::{fail, print, EXIT_CLEAN};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TreeFormat {
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.sop` file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TreeFormat::Json)]
    format: TreeFormat,
}

pub fn run(args: Args) -> u8 {
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return fail(format!("{}: {e}", args.file.display())),
    };
    let source = Source::from_bytes(&args.file, &bytes);
    let doc = syntax::parse(&source);
    let TreeFormat::Json = args.format;
    let mut text = match serde_json::to_string_pretty(&doc) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot serialise the tree: {e}")),
    };
    text.push('\n');
    match print(&text) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => fail(format!("cannot write the output: {e}")),
    }
}
