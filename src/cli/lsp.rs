//! `sop lsp`: the language server, for editors (see `src/lsp/`).

use super::{EXIT_CLEAN, EXIT_FAILURE};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Editors start it; it speaks the Language Server Protocol (3.17) on standard
input and output and logs on standard error. See the README for VS Code,
Neovim, Helix and Zed.")]
pub struct Args {
    /// Accepted for editors that pass it; standard input and output are
    /// the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

pub fn run(_args: Args) -> u8 {
    match crate::lsp::run() {
        Ok(()) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("sop lsp: {e}");
            EXIT_FAILURE
        }
    }
}
