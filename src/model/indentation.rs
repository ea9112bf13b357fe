//! How the indentation of prose lines becomes Markdown.
//!
//! An author indents to show what belongs together, not to write code:
//! only a fence (```` ``` ````) makes code. So indentation is read for
//! what it can mean in a procedure, and the Markdown is written so that
//! every renderer reads the same:
//!
//! - a line indented deeper than a list item's marker belongs to that item:
//!   a nested item, or the item's continuation (a paragraph of its own
//!   after a blank line). It is written at the item's content column;
//! - every other line starts at its container's left edge (column 0, or
//!   right after a quote's `>`), however far it is indented;
//! - the space after a list marker or a `>` is one space;
//! - a fenced code block keeps its lines' indentation relative to the
//!   fence: that is code the author asked for.
//!
//! Only the order of indentations matters (deeper, the same, shallower),
//! never their width, so a block's own indentation, tabs, or a line that
//! sits outside the block's indentation (a column-0 line after the last
//! step) change nothing but what they belong to. The result is checked
//! with the Markdown parser; should it still hold an indented code block
//! (which the rules above leave no room for), every line is written at
//! its container's edge instead.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

/// How deeply list items may nest inside one container. Deeper markers on
/// a line are left to the Markdown reader; lines below stay at this depth.
const MAX_ITEMS: usize = 16;

/// One line of a prose block: `Some((indentation, text))`, or `None` for a
/// blank line. Indentation is in columns; only its order matters.
pub type ProseLine<'a> = Option<(usize, &'a str)>;

/// The Markdown of a block's lines. Blank lines are kept as given (the
/// caller drops leading and trailing ones and joins runs).
pub fn markdown(lines: &[ProseLine<'_>]) -> String {
    let out = write(lines, false);
    if has_deep_indentation(&out) && has_indented_code(&out) {
        write(lines, true)
    } else {
        out
    }
}

fn write(lines: &[ProseLine<'_>], flat: bool) -> String {
    let mut writer = Writer {
        levels: Vec::new(),
        flat,
        serial: 0,
        paragraph: false,
    };
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match line {
            None => writer.blank(),
            Some((indent, text)) => writer.line(&mut out, *indent, text),
        }
    }
    out
}

/// Lines are written level by level: level 0 is the block itself, level
/// `n + 1` the inside of a quote (`>`) on level `n`.
struct Writer {
    levels: Vec<Level>,
    /// Write every line at its container's edge (the fallback).
    flat: bool,
    /// The number of the next list item, so that a quote can tell whether
    /// it continues in the same item.
    serial: u64,
    /// Whether the line before was a paragraph's text, which the next line
    /// continues unless it starts a block that may interrupt a paragraph.
    paragraph: bool,
}

#[derive(Default)]
struct Level {
    /// The open list items, innermost last.
    items: Vec<Item>,
    fence: Option<Fence>,
    /// For a quote's inside: the list item of the level above it stands in
    /// (its serial, 0 for none) and the column of its `>`.
    opened_in: (u64, usize),
}

struct Item {
    serial: u64,
    /// The author's indentation of the marker line.
    indent: usize,
    /// The column (in this level's Markdown) where its content starts.
    content: usize,
    /// Whether anything is in it yet: an empty item ends at a blank line.
    filled: bool,
}

struct Fence {
    char: u8,
    len: usize,
    indent: usize,
    column: usize,
}

impl Level {
    fn column(&self) -> usize {
        self.items.last().map_or(0, |i| i.content)
    }

    fn serial(&self) -> u64 {
        self.items.last().map_or(0, |i| i.serial)
    }

    /// A blank line: an empty list item ends (a fence goes on).
    fn blank(&mut self) {
        if self.fence.is_none() {
            while self.items.last().is_some_and(|i| !i.filled) {
                self.items.pop();
            }
        }
    }
}

impl Writer {
    fn blank(&mut self) {
        // A blank line ends every quote.
        self.paragraph = false;
        self.levels.truncate(1);
        if let Some(level) = self.levels.first_mut() {
            level.blank();
        }
    }

    fn line(&mut self, out: &mut String, indent: usize, text: &str) {
        let (mut indent, mut text) = split_indent(indent, text);
        let mut depth = 0;
        loop {
            if self.levels.len() == depth {
                self.levels.push(Level::default());
            }
            let flat = self.flat;
            let level = &mut self.levels[depth];
            if let Some(fence) = &level.fence {
                // Code: its indentation beyond the fence's is kept.
                let closing = closes(fence, text);
                let column = if closing || flat {
                    fence.column
                } else {
                    fence.column + indent.saturating_sub(fence.indent)
                };
                push_spaces(out, column);
                out.push_str(text);
                if closing {
                    level.fence = None;
                }
                self.paragraph = false;
                break;
            }
            while level.items.last().is_some_and(|i| i.indent >= indent) {
                level.items.pop();
            }
            if let Some(item) = level.items.last_mut() {
                item.filled = true;
            }
            let mut column = level.column();
            push_spaces(out, column);
            let mut first = true;
            let breaks = ThematicBreaks::of(text);
            while let Some((marker, rest)) = list_marker(text, &breaks) {
                // An empty item, or a numbered one that does not start at
                // 1, cannot interrupt a paragraph: the line continues it.
                if first && self.paragraph && (rest.is_empty() || !starts_at_one(marker)) {
                    break;
                }
                first = false;
                out.push_str(marker);
                if !rest.is_empty() {
                    out.push(' ');
                }
                text = rest;
                if flat || level.items.len() >= MAX_ITEMS {
                    continue;
                }
                if let Some(item) = level.items.last_mut() {
                    item.filled = true;
                }
                self.serial += 1;
                column += marker.len() + 1;
                level.items.push(Item {
                    serial: self.serial,
                    indent,
                    content: column,
                    filled: !rest.is_empty(),
                });
            }
            if let Some((char, len)) = fence_opening(text) {
                level.fence = Some(Fence {
                    char,
                    len,
                    indent,
                    column,
                });
                out.push_str(text);
                self.paragraph = false;
                break;
            }
            let Some(inside) = text.strip_prefix('>') else {
                out.push_str(text);
                self.paragraph =
                    !text.is_empty() && !is_heading(text) && !ThematicBreaks::of(text).at(text);
                break;
            };
            // A quote: its inside is the next level, which goes on from
            // the line before only if that was a quote in the same place.
            let opened_in = (level.serial(), column);
            out.push('>');
            self.levels.truncate(depth + 2);
            if self
                .levels
                .get(depth + 1)
                .is_some_and(|l| l.opened_in != opened_in)
            {
                self.levels.truncate(depth + 1);
            }
            let inside = inside.strip_prefix([' ', '\t']).unwrap_or(inside);
            let (inner_indent, inner_text) = split_indent(0, inside);
            if inner_text.is_empty() {
                self.paragraph = false;
                if let Some(level) = self.levels.get_mut(depth + 1) {
                    level.blank();
                }
                return;
            }
            if self.levels.len() == depth + 1 {
                self.levels.push(Level {
                    opened_in,
                    ..Level::default()
                });
            }
            out.push(' ');
            depth += 1;
            indent = inner_indent;
            text = inner_text;
        }
        // The quotes this line is not in have ended.
        self.levels.truncate(depth + 1);
    }
}

/// Moves the spaces and tabs at the start of `text` into the indentation
/// (a tab counts as four columns, as in the parser).
fn split_indent(indent: usize, text: &str) -> (usize, &str) {
    let rest = text.trim_start_matches([' ', '\t']);
    let extra: usize = text[..text.len() - rest.len()]
        .bytes()
        .map(|b| if b == b'\t' { 4 } else { 1 })
        .sum();
    (indent.saturating_add(extra), rest)
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A list marker at the start of `text` (`-`, `+`, `*`, `1.`, `1)`) and the
/// text after it, without its leading whitespace. A thematic break
/// (`- - -`, `***`) is not a list item.
fn list_marker<'t>(text: &'t str, breaks: &ThematicBreaks<'_>) -> Option<(&'t str, &'t str)> {
    let bytes = text.as_bytes();
    let len = match bytes.first()? {
        b'-' | b'+' | b'*' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || !matches!(bytes.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    if !matches!(bytes.get(len), None | Some(b' ' | b'\t')) || breaks.at(text) {
        return None;
    }
    Some((&text[..len], text[len..].trim_start_matches([' ', '\t'])))
}

/// Where the thematic breaks (`- - -`, `***`, `___`) among the tails of a
/// line can start: a tail made only of `-` (or `*`, or `_`) and whitespace
/// starts at or after the offset kept for that character. Found once per
/// line, so that a line of many markers (`- - - … x`) is read in linear
/// time.
struct ThematicBreaks<'a> {
    line: &'a str,
    /// For `-`, `*` and `_`: the offset after the last other character.
    from: [usize; 3],
}

impl<'a> ThematicBreaks<'a> {
    fn of(line: &'a str) -> Self {
        let from = |c: u8| {
            line.bytes()
                .rposition(|b| b != c && b != b' ' && b != b'\t')
                .map_or(0, |i| i + 1)
        };
        ThematicBreaks {
            line,
            from: [from(b'-'), from(b'*'), from(b'_')],
        }
    }

    /// Whether `tail`, a tail of the line, is a thematic break: three or
    /// more of one of `-`, `*`, `_`, and nothing else but whitespace.
    fn at(&self, tail: &str) -> bool {
        let offset = self.line.len() - tail.len();
        let (c, from) = match tail.as_bytes().first() {
            Some(b'-') => (b'-', self.from[0]),
            Some(b'*') => (b'*', self.from[1]),
            Some(b'_') => (b'_', self.from[2]),
            _ => return false,
        };
        offset >= from && tail.bytes().filter(|&b| b == c).count() >= 3
    }
}

/// Whether `text` is an ATX heading (`#` to `######`, then a space or
/// nothing).
fn is_heading(text: &str) -> bool {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && matches!(text.as_bytes().get(hashes), None | Some(b' ' | b'\t'))
}

/// Whether a list marker is a bullet or the number 1.
fn starts_at_one(marker: &str) -> bool {
    match marker.strip_suffix(['.', ')']) {
        Some(digits) => digits.trim_start_matches('0') == "1",
        None => true,
    }
}

/// A code fence opening at the start of `text`: its character and length.
fn fence_opening(text: &str) -> Option<(u8, usize)> {
    let c = *text.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let len = text.bytes().take_while(|&b| b == c).count();
    // A backtick fence's info string holds no backtick (else it is code
    // inside a paragraph).
    let info_ok = c == b'~' || !text[len..].contains('`');
    (len >= 3 && info_ok).then_some((c, len))
}

fn closes(fence: &Fence, text: &str) -> bool {
    let len = text.bytes().take_while(|&b| b == fence.char).count();
    len >= fence.len && text[len..].trim().is_empty()
}

/// Whether some line starts (after any `>`) with four or more columns of
/// indentation: only then can the Markdown hold an indented code block.
fn has_deep_indentation(markdown: &str) -> bool {
    markdown.lines().any(|line| {
        let mut columns = 0;
        for b in line.bytes() {
            match b {
                b' ' => columns += 1,
                b'\t' => columns += 4,
                b'>' => columns = 0,
                _ => break,
            }
            if columns >= 4 {
                return true;
            }
        }
        false
    })
}

fn has_indented_code(markdown: &str) -> bool {
    Parser::new_ext(markdown, crate::render::prose::markdown_options())
        .any(|event| matches!(event, Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines written as in a file: leading spaces are the indentation, an
    /// empty line is blank.
    fn md(text: &str) -> String {
        let lines: Vec<ProseLine<'_>> = text
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                (!body.is_empty()).then_some((l.len() - body.len(), body))
            })
            .collect();
        markdown(&lines)
    }

    #[test]
    fn a_line_outside_the_block_changes_nothing_above_it() {
        assert_eq!(
            md("    Check the door.\n    Lock it.\nRemember to smile."),
            "Check the door.\nLock it.\nRemember to smile."
        );
    }

    #[test]
    fn a_deeper_paragraph_is_a_paragraph() {
        assert_eq!(
            md("  Text.\n\n        More text.\n\n  End."),
            "Text.\n\nMore text.\n\nEnd."
        );
    }

    #[test]
    fn nested_lists_keep_their_nesting() {
        assert_eq!(
            md("    - a\n      - b\n          - c\n    - d"),
            "- a\n  - b\n    - c\n- d"
        );
        assert_eq!(md("- a\n - b"), "- a\n  - b");
        assert_eq!(
            md("1. one\n   more of one\n\n   another paragraph of one\n2. two"),
            "1. one\n   more of one\n\n   another paragraph of one\n2. two"
        );
        assert_eq!(md("10.   ten\n      x"), "10. ten\n    x");
        assert_eq!(md("- - a\n    b"), "- - a\n    b");
    }

    #[test]
    fn marker_spacing_is_one_space() {
        assert_eq!(md("-      code?"), "- code?");
        assert_eq!(md(">      code?"), "> code?");
        assert_eq!(md("-\ttab"), "- tab");
    }

    #[test]
    fn an_empty_item_ends_at_a_blank_line() {
        assert_eq!(md("-\n\n    text"), "-\n\ntext");
    }

    #[test]
    fn quotes_nest_like_the_block() {
        assert_eq!(
            md("> - a\n>     - b\n>\n>         text"),
            "> - a\n>   - b\n>\n>     text"
        );
        assert_eq!(
            md("- a\n  > quoted\n  >      more"),
            "- a\n  > quoted\n  > more"
        );
        assert_eq!(md("> > a\n> >        b"), "> > a\n> > b");
    }

    #[test]
    fn fenced_code_keeps_its_indentation() {
        assert_eq!(
            md("  ```\n  fn main() {\n      body();\n  }\n  ```\n      after"),
            "```\nfn main() {\n    body();\n}\n```\nafter"
        );
        assert_eq!(
            md("- item\n      ~~~\n        x\n      ~~~"),
            "- item\n  ~~~\n    x\n  ~~~"
        );
        // Not a fence: a code span in a paragraph.
        assert_eq!(md("``` a ` b\n        c"), "``` a ` b\nc");
    }

    #[test]
    fn thematic_breaks_are_not_items() {
        assert_eq!(md("- - -\n    text"), "- - -\ntext");
    }

    #[test]
    fn a_long_line_of_markers_is_read_in_linear_time() {
        let line = format!("{}x", "- ".repeat(200_000));
        let start = std::time::Instant::now();
        let out = md(&line);
        assert_eq!(out, line);
        assert!(start.elapsed().as_secs() < 2, "{:?}", start.elapsed());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let markers = "- ".repeat(10_000);
        let text = format!("{markers}x\n  y\n  z");
        let out = md(&text);
        assert!(out.len() < text.len() + 200, "{}", out.len());
        let quotes = "> ".repeat(10_000);
        let out = md(&format!("{quotes}x\n{quotes}    y"));
        assert!(!has_indented_code(&out));
    }

    /// No arrangement of indentation, markers, quotes and fences gives an
    /// indented code block; the fallback is rarely needed.
    #[test]
    fn never_an_indented_code_block() {
        let pieces = [
            "text",
            "- item",
            "1. one",
            "123456789. x",
            "-",
            "2.",
            "> q",
            ">",
            "> - a",
            "```",
            "~~~",
            "* * *",
            "# h",
            "| a |",
            "a\\",
            "- > - b",
            "\\   x",
            "<div>",
        ];
        let indents = [0usize, 1, 2, 3, 4, 5, 8, 13];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut fallbacks = 0;
        for _ in 0..20_000 {
            let count = next(8) + 1;
            let lines: Vec<ProseLine<'_>> = (0..count)
                .map(|_| {
                    (next(6) != 0)
                        .then(|| (indents[next(indents.len())], pieces[next(pieces.len())]))
                })
                .collect();
            let out = markdown(&lines);
            assert!(!has_indented_code(&out), "{lines:?}\n{out}");
            if has_indented_code(&write(&lines, false)) {
                fallbacks += 1;
            }
        }
        assert!(fallbacks < 200, "{fallbacks} fallbacks");
    }

    #[test]
    fn the_fallback_writes_every_line_at_its_edge() {
        // Inside an HTML block a list marker starts no item, so the line
        // after the blank is not inside one.
        let lines = [
            Some((0, "<div>")),
            Some((0, "- a")),
            Some((2, "- b")),
            None,
            Some((4, "c")),
        ];
        assert!(has_indented_code(&write(&lines, false)));
        assert_eq!(markdown(&lines), "<div>\n- a\n- b\n\nc");
    }

    #[test]
    fn a_numbered_line_that_continues_a_paragraph_opens_no_item() {
        assert_eq!(
            md("Call back at\n2. floor\n\n     later"),
            "Call back at\n2. floor\n\nlater"
        );
        assert_eq!(md("Text\n-\n  more"), "Text\n-\nmore");
        assert_eq!(md("Text\n1. one\n   more"), "Text\n1. one\n   more");
    }
}
