//! What `sop run` asks the operator, and the two ways of asking: one answer
//! a line (standard input is not a terminal, or `--plain`), or the
//! interactive program on a terminal ([`super::terminal`]).

use std::io::BufRead;

use crate::terminal::sanitize_lines_for_terminal;

/// A question of a step.
pub enum Question<'q> {
    /// The checklist of a step: `items`, which of them are `ticked`, and
    /// the one asked about (`at`, not ticked).
    Item {
        items: &'q [String],
        ticked: &'q [bool],
        at: usize,
    },
    /// A task: done, skip or pause (and timeout where the step has one).
    Task,
    /// A decision: its options as (condition, where it goes), in the order
    /// written, `otherwise` last.
    Decision { options: Vec<(String, String)> },
    /// A hand-off: start a run of the SOP `id` (its title) now?
    HandOff { id: String, title: String },
}

/// The step's time limit, for the countdown and the timeout branch.
#[derive(Clone)]
pub struct Limit {
    /// When the step started.
    pub started: jiff::Timestamp,
    /// Its `within:` in seconds, if it has one.
    pub within: Option<u64>,
    /// How `within:` is written (ISO 8601).
    pub shown: String,
    /// Where `timeout ->` goes, if the step has it.
    pub timeout_to: Option<String>,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A checklist item ticked (its index), or `y` to a hand-off.
    Tick(usize),
    /// A checklist item not (yet) done, or `n` to a hand-off.
    No,
    /// The remaining checklist items are overridden, with a reason.
    Override(String),
    Done,
    Skip(String),
    Pause,
    Timeout,
    /// A decision's option, by index.
    Choose(usize),
    /// Something that is not an answer here, as typed.
    Unknown(String),
    /// Standard input ended.
    EndOfInput,
    /// Ctrl-C on the interactive terminal.
    Interrupt,
}

/// Asks questions of the operator.
pub trait Operator {
    /// Asks `question`; `limit` is the step's time limit, if any.
    fn ask(
        &mut self,
        question: &Question<'_>,
        limit: Option<&Limit>,
        now: &dyn Fn() -> jiff::Timestamp,
    ) -> std::io::Result<Answer>;

    /// Whether this is the interactive program (it shows the countdown
    /// itself).
    fn interactive(&self) -> bool {
        false
    }
}

/// One answer a line on standard input.
pub struct Lines {
    input: Box<dyn BufRead>,
    color: bool,
}

impl Lines {
    pub fn new(input: Box<dyn BufRead>, color: bool) -> Lines {
        Lines { input, color }
    }

    fn prompt(&self, question: &Question<'_>, limit: Option<&Limit>) -> String {
        let timeout = limit.and_then(|l| l.timeout_to.as_ref()).is_some();
        match question {
            Question::Item { items, at, .. } => format!("[ ] {} (y/n)", items[*at]),
            Question::Task => {
                let mut p = String::from("done, skip REASON or pause");
                if timeout {
                    p.push_str(", or timeout");
                }
                p
            }
            Question::Decision { options } => {
                let mut p = String::from("choose an option:");
                for (i, (when, to)) in options.iter().enumerate() {
                    p.push_str(&format!("\n  {}. {when} -> {to}", i + 1));
                }
                p.push_str(if timeout {
                    "\n  (or pause, timeout)"
                } else {
                    "\n  (or pause)"
                });
                p
            }
            Question::HandOff { id, title } => {
                format!("start a run of [[{id}]] {title} now? (y/n)")
            }
        }
    }
}

impl Operator for Lines {
    fn ask(
        &mut self,
        question: &Question<'_>,
        limit: Option<&Limit>,
        _now: &dyn Fn() -> jiff::Timestamp,
    ) -> std::io::Result<Answer> {
        let prompt = sanitize_lines_for_terminal(&self.prompt(question, limit)).into_owned();
        let prompt = if self.color {
            format!("\u{1b}[36m? {prompt}\u{1b}[0m\n")
        } else {
            format!("? {prompt}\n")
        };
        super::super::print(&prompt)?;
        let mut line = Vec::new();
        if self.input.read_until(b'\n', &mut line)? == 0 {
            return Ok(Answer::EndOfInput);
        }
        let answer = String::from_utf8_lossy(&line).trim().to_string();
        Ok(parse(question, &answer))
    }
}

/// An answer typed on a line, for `question`.
pub fn parse(question: &Question<'_>, answer: &str) -> Answer {
    let (word, rest) = split_answer(answer);
    let common = match word.as_str() {
        "pause" if rest.is_empty() => Some(Answer::Pause),
        "skip" if !rest.is_empty() => Some(Answer::Skip(rest.clone())),
        "timeout" if rest.is_empty() => Some(Answer::Timeout),
        _ => None,
    };
    let specific = match question {
        Question::Item { at, .. } => match word.as_str() {
            "y" | "yes" if rest.is_empty() => Some(Answer::Tick(*at)),
            "n" | "no" if rest.is_empty() => Some(Answer::No),
            "override" if !rest.is_empty() => Some(Answer::Override(rest.clone())),
            _ => None,
        },
        Question::Task => (word == "done" && rest.is_empty()).then_some(Answer::Done),
        Question::Decision { options } => answer
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|i| *i < options.len())
            .or_else(|| {
                options
                    .iter()
                    .position(|(when, _)| when.eq_ignore_ascii_case(answer.trim()))
            })
            .map(Answer::Choose),
        Question::HandOff { .. } => match word.as_str() {
            "y" | "yes" if rest.is_empty() => Some(Answer::Tick(0)),
            "n" | "no" if rest.is_empty() => Some(Answer::No),
            _ => None,
        },
    };
    specific
        .or(common)
        .unwrap_or_else(|| Answer::Unknown(answer.trim().to_string()))
}

/// The first word of an answer, lowercased, and the rest.
fn split_answer(answer: &str) -> (String, String) {
    let answer = answer.trim();
    match answer.split_once(char::is_whitespace) {
        Some((word, rest)) => (word.to_lowercase(), rest.trim().to_string()),
        None => (answer.to_lowercase(), String::new()),
    }
}

/// `seconds` as a countdown shows it: `m:ss`, or `h:mm:ss` from an hour.
pub fn clock_text(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_for_their_question() {
        let items = ["a".to_string(), "b".to_string()];
        let item = Question::Item {
            items: &items,
            ticked: &[false, false],
            at: 1,
        };
        assert_eq!(parse(&item, "Y"), Answer::Tick(1));
        assert_eq!(parse(&item, "no"), Answer::No);
        assert_eq!(
            parse(&item, "override  not in stock "),
            Answer::Override("not in stock".into())
        );
        assert_eq!(parse(&item, "override"), Answer::Unknown("override".into()));
        assert_eq!(parse(&item, "done"), Answer::Unknown("done".into()));
        assert_eq!(parse(&Question::Task, " done "), Answer::Done);
        assert_eq!(
            parse(&Question::Task, "skip"),
            Answer::Unknown("skip".into())
        );
        assert_eq!(
            parse(&Question::Task, "skip no stock"),
            Answer::Skip("no stock".into())
        );
        assert_eq!(parse(&Question::Task, "pause"), Answer::Pause);
        let decision = Question::Decision {
            options: vec![
                ("refund".into(), "s4".into()),
                ("otherwise".into(), "end".into()),
            ],
        };
        assert_eq!(parse(&decision, "2"), Answer::Choose(1));
        assert_eq!(parse(&decision, "3"), Answer::Unknown("3".into()));
        assert_eq!(parse(&decision, "0"), Answer::Unknown("0".into()));
        assert_eq!(parse(&decision, "REFUND"), Answer::Choose(0));
        assert_eq!(parse(&decision, "timeout"), Answer::Timeout);
    }

    #[test]
    fn countdowns_read_as_clocks() {
        assert_eq!(clock_text(0), "0:00");
        assert_eq!(clock_text(65), "1:05");
        assert_eq!(clock_text(3600 + 61), "1:01:01");
    }
}
