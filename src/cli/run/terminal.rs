//! The interactive `sop run` on a terminal: a menu chosen with the arrow
//! keys, numbers or letters, and a live countdown of the step's time limit.
//!
//! The step itself is printed as ordinary lines; only the question at the
//! bottom is redrawn in place, in raw mode, which is left before every
//! return (and by the Ctrl-C handler), so the shell gets its terminal back
//! as it was.

use std::io::{self, BufRead, Write};
use std::time::Duration as StdDuration;

use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, terminal, QueueableCommand};
use unicode_width::UnicodeWidthChar;

use super::operator::{clock_text, Answer, Limit, Operator, Question};
use crate::terminal::sanitize_for_terminal;

/// The interactive program.
pub struct Terminal {
    color: bool,
}

impl Terminal {
    pub fn new(color: bool) -> Terminal {
        Terminal { color }
    }
}

/// What an entry of the menu does.
#[derive(Clone)]
enum Action {
    Answer(Answer),
    /// Asks for a reason on a line, then answers with it.
    Skip,
    Override,
}

struct Entry {
    label: String,
    action: Action,
    /// Shown but not selectable (a ticked checklist item).
    inert: bool,
}

/// The menu of a question and its keys.
struct Menu {
    title: String,
    entries: Vec<Entry>,
    keys: Vec<(char, Action)>,
    hint: String,
    cursor: usize,
    /// A checklist: `y` ticks the item under the cursor.
    checklist: bool,
}

fn entry(label: impl Into<String>, action: Action) -> Entry {
    Entry {
        label: label.into(),
        action,
        inert: false,
    }
}

impl Menu {
    fn of(question: &Question<'_>, limit: Option<&Limit>) -> Menu {
        let timeout = limit.and_then(|l| l.timeout_to.clone());
        let mut keys = vec![('p', Action::Answer(Answer::Pause))];
        if timeout.is_some() {
            keys.push(('t', Action::Answer(Answer::Timeout)));
        }
        let timeout_hint = timeout
            .as_ref()
            .map(|to| format!(" · t timeout → {to}"))
            .unwrap_or_default();
        match question {
            Question::Item { items, ticked, at } => {
                let entries = items
                    .iter()
                    .zip(ticked.iter())
                    .enumerate()
                    .map(|(i, (item, ticked))| Entry {
                        label: format!("[{}] {item}", if *ticked { "x" } else { " " }),
                        action: Action::Answer(Answer::Tick(i)),
                        inert: *ticked,
                    })
                    .collect();
                keys.extend([
                    ('n', Action::Answer(Answer::No)),
                    ('o', Action::Override),
                    ('s', Action::Skip),
                ]);
                Menu {
                    title: "Checklist: tick each item".into(),
                    entries,
                    keys,
                    hint: format!(
                        "↑↓ move · space/enter tick · n not yet · o override… · s skip… · p pause{timeout_hint}"
                    ),
                    cursor: *at,
                    checklist: true,
                }
            }
            Question::Task => {
                let mut entries = vec![
                    entry("Done", Action::Answer(Answer::Done)),
                    entry("Skip…", Action::Skip),
                    entry("Pause", Action::Answer(Answer::Pause)),
                ];
                if let Some(to) = &timeout {
                    entries.push(entry(
                        format!("Timeout → {to}"),
                        Action::Answer(Answer::Timeout),
                    ));
                }
                keys.extend([('d', Action::Answer(Answer::Done)), ('s', Action::Skip)]);
                Menu {
                    title: "Finish the step".into(),
                    entries,
                    keys,
                    hint: format!(
                        "↑↓ move · enter choose · d done · s skip… · p pause{timeout_hint}"
                    ),
                    cursor: 0,
                    checklist: false,
                }
            }
            Question::Decision { options } => {
                let mut entries: Vec<Entry> = options
                    .iter()
                    .enumerate()
                    .map(|(i, (when, to))| {
                        entry(
                            format!("{}. {when} → {to}", i + 1),
                            Action::Answer(Answer::Choose(i)),
                        )
                    })
                    .collect();
                entries.push(entry("Pause", Action::Answer(Answer::Pause)));
                if let Some(to) = &timeout {
                    entries.push(entry(
                        format!("Timeout → {to}"),
                        Action::Answer(Answer::Timeout),
                    ));
                }
                for i in 0..options.len().min(9) {
                    let digit = char::from_digit(i as u32 + 1, 10).unwrap_or('1');
                    keys.push((digit, Action::Answer(Answer::Choose(i))));
                }
                Menu {
                    title: "Choose an option".into(),
                    entries,
                    keys,
                    hint: format!("↑↓ move · enter or a number choose · p pause{timeout_hint}"),
                    cursor: 0,
                    checklist: false,
                }
            }
            Question::HandOff { id, title } => Menu {
                title: format!("Start a run of [[{id}]] {title} now?"),
                entries: vec![
                    entry("Yes, start it", Action::Answer(Answer::Tick(0))),
                    entry("No", Action::Answer(Answer::No)),
                ],
                keys: vec![
                    ('y', Action::Answer(Answer::Tick(0))),
                    ('n', Action::Answer(Answer::No)),
                ],
                hint: "↑↓ move · enter choose · y yes · n no".into(),
                cursor: 0,
                checklist: false,
            },
        }
    }

    fn step(&mut self, down: bool) {
        let n = self.entries.len();
        for k in 1..=n {
            let i = if down {
                (self.cursor + k) % n
            } else {
                (self.cursor + n - k) % n
            };
            if !self.entries[i].inert {
                self.cursor = i;
                return;
            }
        }
    }
}

/// Leaves raw mode when dropped, whatever happens in between.
struct RawMode;

impl RawMode {
    fn enter() -> io::Result<RawMode> {
        terminal::enable_raw_mode()?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

/// The lines at the bottom of the screen that are redrawn in place.
struct Region {
    drawn: u16,
}

impl Region {
    /// Replaces what was drawn with `lines`, each cut to the terminal's
    /// width so that none wraps (the count of lines to go back up over
    /// stays right).
    fn draw(&mut self, out: &mut impl Write, lines: &[String]) -> io::Result<()> {
        self.clear(out)?;
        let width = terminal::size().map(|(w, _)| w as usize).unwrap_or(80);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\r\n")?;
            }
            out.write_all(fit(line, width.saturating_sub(1).max(10)).as_bytes())?;
        }
        self.drawn = lines.len() as u16;
        out.flush()
    }

    fn clear(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.queue(cursor::MoveToColumn(0))?;
        if self.drawn > 1 {
            out.queue(cursor::MoveUp(self.drawn - 1))?;
        }
        out.queue(terminal::Clear(terminal::ClearType::FromCursorDown))?;
        self.drawn = 0;
        Ok(())
    }
}

/// `line` cut to `width` columns; colour codes (ESC … m) take none.
fn fit(line: &str, width: usize) -> String {
    let mut out = String::with_capacity(line.len());
    let mut used = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            out.push(c);
            for c in chars.by_ref() {
                out.push(c);
                if c == 'm' {
                    break;
                }
            }
            continue;
        }
        let w = c.width().unwrap_or(0);
        if used + w > width {
            out.push_str("\u{1b}[0m");
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

impl Terminal {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }

    /// The countdown line of `limit` at `now`.
    fn countdown(&self, limit: &Limit, now: jiff::Timestamp) -> Option<String> {
        let within = limit.within?;
        let spent = now
            .duration_since(limit.started)
            .as_secs()
            .max(0)
            .unsigned_abs();
        Some(if spent <= within {
            let left = within - spent;
            let text = format!("⏱ {} left (within {})", clock_text(left), limit.shown);
            self.paint(if left * 5 < within { "33" } else { "32" }, &text)
        } else {
            let mut text = format!(
                "⏱ {} over the limit (within {})",
                clock_text(spent - within),
                limit.shown
            );
            if let Some(to) = &limit.timeout_to {
                text.push_str(&format!(": t takes timeout → {to}"));
            }
            self.paint("1;31", &text)
        })
    }

    fn lines(&self, menu: &Menu, limit: Option<&Limit>, now: jiff::Timestamp) -> Vec<String> {
        let mut lines = Vec::with_capacity(menu.entries.len() + 3);
        if let Some(line) = limit.and_then(|l| self.countdown(l, now)) {
            lines.push(line);
        }
        lines.push(self.paint("1;36", &sanitize_for_terminal(&menu.title)));
        for (i, e) in menu.entries.iter().enumerate() {
            let label = sanitize_for_terminal(&e.label);
            lines.push(if e.inert {
                self.paint("2", &format!("  {label}"))
            } else if i == menu.cursor {
                self.paint("1;7", &format!("› {label}"))
            } else {
                format!("  {label}")
            });
        }
        lines.push(self.paint("2", &menu.hint));
        lines
    }

    /// Reads a reason on a line, out of raw mode; `None` when it is empty
    /// (back to the menu) or the input ended.
    fn reason(&self, what: &str) -> io::Result<Option<String>> {
        let mut out = io::stdout().lock();
        write!(out, "{}", self.paint("36", &format!("{what}: ")))?;
        out.flush()?;
        drop(out);
        let mut line = String::new();
        if io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim();
        Ok((!line.is_empty()).then(|| line.to_string()))
    }
}

/// How many events that are not keys, or polls that end at once, may come
/// in a row before the terminal counts as gone.
const IDLE_EVENTS: u32 = 10_000;

impl Operator for Terminal {
    fn ask(
        &mut self,
        question: &Question<'_>,
        limit: Option<&Limit>,
        now: &dyn Fn() -> jiff::Timestamp,
    ) -> io::Result<Answer> {
        let mut menu = Menu::of(question, limit);
        if menu.entries.get(menu.cursor).is_some_and(|e| e.inert) {
            menu.step(true);
        }
        loop {
            let action = {
                let _raw = RawMode::enter()?;
                let mut out = io::stdout().lock();
                out.queue(cursor::Hide)?;
                let mut region = Region { drawn: 0 };
                let mut shown = self.lines(&menu, limit, now());
                region.draw(&mut out, &shown)?;
                // Events that are not keys, one after the other without a
                // wait: a terminal that hung up reports them endlessly.
                let mut idle = 0u32;
                let action = loop {
                    if idle > IDLE_EVENTS {
                        return Err(io::Error::other("the terminal went away"));
                    }
                    let asked = std::time::Instant::now();
                    if !event::poll(StdDuration::from_millis(250))? {
                        // A poll that ends at once, with nothing to read,
                        // is a closed input, not a wait.
                        if asked.elapsed() < StdDuration::from_millis(100) {
                            idle += 1;
                        } else {
                            idle = 0;
                        }
                        let lines = self.lines(&menu, limit, now());
                        if lines != shown {
                            shown = lines;
                            region.draw(&mut out, &shown)?;
                        }
                        continue;
                    }
                    let key = match event::read()? {
                        TermEvent::Key(key) if key.kind != KeyEventKind::Release => key,
                        TermEvent::Resize(..) => {
                            idle += 1;
                            region.draw(&mut out, &shown)?;
                            continue;
                        }
                        _ => {
                            idle += 1;
                            continue;
                        }
                    };
                    idle = 0;
                    if let Some(action) = self.key(&mut menu, key) {
                        break action;
                    }
                    shown = self.lines(&menu, limit, now());
                    region.draw(&mut out, &shown)?;
                };
                // What was chosen stays on the screen, but for checklist
                // items: the list is drawn afresh for the next one.
                region.clear(&mut out)?;
                if !matches!(question, Question::Item { .. }) {
                    let label = match &action {
                        Action::Skip => "Skip…".to_string(),
                        Action::Override => "Override…".to_string(),
                        Action::Answer(a) => menu
                            .entries
                            .iter()
                            .find(|e| matches!(&e.action, Action::Answer(b) if b == a))
                            .map(|e| e.label.clone())
                            .unwrap_or_default(),
                    };
                    if !label.is_empty() {
                        write!(
                            out,
                            "{}\r\n",
                            self.paint("36", &format!("› {}", sanitize_for_terminal(&label)))
                        )?;
                    }
                }
                out.queue(cursor::Show)?;
                out.flush()?;
                action
            };
            match action {
                Action::Answer(answer) => return Ok(answer),
                Action::Skip => {
                    if let Some(reason) = self.reason("reason for skipping (empty: back)")? {
                        return Ok(Answer::Skip(reason));
                    }
                }
                Action::Override => {
                    if let Some(reason) =
                        self.reason("reason for overriding the checklist (empty: back)")?
                    {
                        return Ok(Answer::Override(reason));
                    }
                }
            }
        }
    }

    fn interactive(&self) -> bool {
        true
    }
}

impl Terminal {
    /// What `key` does in `menu`: an action, or `None` after moving.
    fn key(&self, menu: &mut Menu, key: KeyEvent) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') | KeyCode::Char('d') if ctrl => {
                Some(Action::Answer(Answer::Interrupt))
            }
            KeyCode::Up | KeyCode::Char('k') if !ctrl => {
                menu.step(false);
                None
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab if !ctrl => {
                menu.step(true);
                None
            }
            KeyCode::Enter | KeyCode::Char(' ') => menu
                .entries
                .get(menu.cursor)
                .filter(|e| !e.inert)
                .map(|e| e.action.clone()),
            KeyCode::Char(c) if !ctrl => {
                let c = c.to_ascii_lowercase();
                if c == 'y' && menu.checklist {
                    // `y` ticks the item under the cursor.
                    return menu
                        .entries
                        .get(menu.cursor)
                        .filter(|e| !e.inert)
                        .map(|e| e.action.clone());
                }
                menu.keys
                    .iter()
                    .find(|(k, _)| *k == c)
                    .map(|(_, a)| a.clone())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_to_the_width_in_columns() {
        assert_eq!(fit("abcdef", 4), "abcd\u{1b}[0m");
        assert_eq!(fit("退款退款", 5), "退款\u{1b}[0m");
        assert_eq!(fit("\u{1b}[1mab\u{1b}[0m", 2), "\u{1b}[1mab\u{1b}[0m");
        assert_eq!(fit("ab", 10), "ab");
    }

    #[test]
    fn the_cursor_skips_ticked_items() {
        let items = ["a".to_string(), "b".to_string(), "c".to_string()];
        let q = Question::Item {
            items: &items,
            ticked: &[false, true, false],
            at: 0,
        };
        let mut menu = Menu::of(&q, None);
        menu.step(true);
        assert_eq!(menu.cursor, 2);
        menu.step(true);
        assert_eq!(menu.cursor, 0);
        menu.step(false);
        assert_eq!(menu.cursor, 2);
    }
}
