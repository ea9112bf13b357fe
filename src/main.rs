//! The `sop` command: a thin wrapper around the library.

fn main() -> std::process::ExitCode {
    sop::cli::run()
}
