//! `sop explain CODE` and `sop explain --list`.

use crate::rules::{code_hint, rule, RULES};

use super::{fail, print, EXIT_CLEAN, EXIT_FAILURE};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The diagnostic code, such as `unknown-target`.
    #[arg(required_unless_present = "list")]
    code: Option<String>,
    /// List every code with its default severity and a one-line summary.
    #[arg(long, conflicts_with = "code")]
    list: bool,
}

pub fn run(args: Args) -> u8 {
    let text = if args.list {
        let width = RULES.iter().map(|r| r.code.len()).max().unwrap_or(0);
        RULES
            .iter()
            .map(|r| {
                format!(
                    "{:width$}  {:7}  {}\n",
                    r.code,
                    r.default_severity.name(),
                    r.summary()
                )
            })
            .collect()
    } else {
        let code = args.code.unwrap_or_default();
        match rule(&code) {
            Some(r) => format!(
                "# {} ({} by default)\n\n{}",
                r.code,
                r.default_severity.name(),
                r.explanation()
            ),
            None => {
                return fail(format!(
                    "unknown diagnostic code `{code}`{}",
                    code_hint(&code)
                ));
            }
        }
    };
    match print(&text) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => {
            eprintln!("sop: cannot write the output: {e}");
            EXIT_FAILURE
        }
    }
}
