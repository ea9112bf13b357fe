//! The first pass: the pest grammar classifies each line on its own.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use crate::ast::{Dialect, Span, Text};

use super::keywords::{self, Keyword, Word};

#[derive(Parser)]
#[grammar = "../grammar/sop.pest"]
struct LineGrammar;

/// One classified line.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line without its line break.
    pub span: Span,
    /// The line without indentation and trailing whitespace.
    pub content: Text<'a>,
    /// Indentation in columns; a tab counts as four.
    pub indent: usize,
    pub form: Form<'a>,
}

/// What a line looks like, before its context is known.
#[derive(Debug, Clone, Copy)]
pub enum Form<'a> {
    Blank,
    /// `# …`
    Comment,
    /// `\…`
    Escape,
    /// `sop <head>: <value>`
    Header {
        head: Text<'a>,
        value: Text<'a>,
    },
    /// `step <head>: <value>`
    StepLine {
        head: Text<'a>,
        value: Text<'a>,
    },
    /// `-> <value>`
    Goto {
        value: Text<'a>,
    },
    /// `if <condition> -> <value>`; the condition and target are split at the
    /// last arrow when lowering. `keyword` is the `if` as written, with the
    /// spaces after it.
    If {
        keyword: Text<'a>,
    },
    /// `otherwise -> <value>` / `else -> <value>`
    Otherwise {
        value: Text<'a>,
    },
    /// `timeout -> <value>`
    Timeout {
        value: Text<'a>,
    },
    /// A known keyword and a colon.
    Keyword {
        keyword: Text<'a>,
        kind: Keyword,
        value: Text<'a>,
    },
    /// Some other `<key>: <value>`.
    Entry {
        key: Text<'a>,
        value: Text<'a>,
    },
    Prose,
}

/// The grammar runs on pieces of about this many bytes (whole lines), so
/// the tokens pest keeps for a piece stay small whatever the file's size.
const CHUNK: usize = 16 * 1024;

/// Classifies every line of `text`, a file written in `dialect`. A run of
/// blank lines is one [`Line`] whose span covers the run: blank lines carry
/// nothing but their number, and every reader of the tree treats several as
/// one.
pub fn classify(text: &str, dialect: Dialect) -> Vec<Line<'_>> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut start = 0;
    loop {
        // Lines are classified on their own, so a piece may end at any line
        // break.
        let end = match text.get(start + CHUNK..) {
            Some(rest) => memchr::memchr(b'\n', rest.as_bytes()).map(|i| start + CHUNK + i),
            None => None,
        };
        let piece = &text[start..end.unwrap_or(text.len())];
        classify_piece(piece, start, dialect, &mut lines);
        match end {
            Some(end) => start = end + 1,
            None => return lines,
        }
    }
}

/// Classifies the lines of `piece`, which starts at `base` in the file.
fn classify_piece<'a>(piece: &'a str, base: usize, dialect: Dialect, lines: &mut Vec<Line<'a>>) {
    let mut push = |line: Line<'a>| {
        let line = line.shifted(base);
        match lines.last_mut() {
            Some(last) if matches!(last.form, Form::Blank) && matches!(line.form, Form::Blank) => {
                last.span.end = line.span.end;
            }
            _ => lines.push(line),
        }
    };
    match LineGrammar::parse(Rule::file, piece) {
        Ok(mut pairs) => {
            let file = pairs.next().expect("the file rule always yields one pair");
            for pair in file.into_inner().filter(|p| p.as_rule() == Rule::line) {
                push(lower_line(piece, pair, dialect));
            }
        }
        // The grammar accepts every input (prose is the catch-all); should that
        // ever break, fall back to treating each line as prose rather than fail.
        Err(_) => fallback(piece).into_iter().for_each(push),
    }
}

impl<'a> Line<'a> {
    /// The line with its spans moved on by `by` bytes.
    fn shifted(self, by: usize) -> Line<'a> {
        if by == 0 {
            return self;
        }
        let span = |s: Span| Span::new(s.start + by, s.end + by);
        let text = |t: Text<'a>| Text::new(t.value, span(t.span));
        let form = match self.form {
            Form::Header { head, value } => Form::Header {
                head: text(head),
                value: text(value),
            },
            Form::StepLine { head, value } => Form::StepLine {
                head: text(head),
                value: text(value),
            },
            Form::Goto { value } => Form::Goto { value: text(value) },
            Form::Otherwise { value } => Form::Otherwise { value: text(value) },
            Form::Timeout { value } => Form::Timeout { value: text(value) },
            Form::Keyword {
                keyword,
                kind,
                value,
            } => Form::Keyword {
                keyword: text(keyword),
                kind,
                value: text(value),
            },
            Form::If { keyword } => Form::If {
                keyword: text(keyword),
            },
            Form::Entry { key, value } => Form::Entry {
                key: text(key),
                value: text(value),
            },
            form @ (Form::Blank | Form::Comment | Form::Escape | Form::Prose) => form,
        };
        Line {
            span: span(self.span),
            content: text(self.content),
            indent: self.indent,
            form,
        }
    }
}

fn lower_line<'a>(text: &'a str, line: Pair<'a, Rule>, dialect: Dialect) -> Line<'a> {
    let span = line.as_span();
    let mut inner = line.into_inner();
    let indent_pair = inner.next();
    let indent_text = indent_pair.as_ref().map_or("", |p| p.as_str());
    let indent = indent_width(indent_text);
    let content_start = span.start() + indent_text.len();
    let content_text = text[content_start..span.end()].trim_end();
    let content = Text::new(
        content_text,
        Span::new(content_start, content_start + content_text.len()),
    );
    let form = match inner.next() {
        _ if content_text.is_empty() => Form::Blank,
        None => Form::Blank,
        Some(pair) => form_of(pair, content, dialect),
    };
    // The CR of a CRLF line break belongs to the break, not the line.
    let end = if text[..span.end()].ends_with('\r') {
        span.end() - 1
    } else {
        span.end()
    };
    Line {
        span: Span::new(span.start(), end.max(span.start())),
        content,
        indent,
        form,
    }
}

fn form_of<'a>(pair: Pair<'a, Rule>, content: Text<'a>, dialect: Dialect) -> Form<'a> {
    let rule = pair.as_rule();
    let mut parts = pair.into_inner().map(trimmed);
    let mut next = || parts.next().unwrap_or_default();
    match rule {
        Rule::comment => Form::Comment,
        Rule::escape => Form::Escape,
        Rule::header => Form::Header {
            head: next(),
            value: next(),
        },
        Rule::goto => Form::Goto { value: next() },
        Rule::if_option => {
            let text = content.value;
            let len = text.find(is_space).unwrap_or(text.len());
            Form::If {
                keyword: Text::new(
                    &text[..len],
                    Span::new(content.span.start, content.span.start + len),
                ),
            }
        }
        Rule::default_option => Form::Otherwise { value: next() },
        Rule::timeout_option => Form::Timeout { value: next() },
        Rule::entry => {
            dialect_branch(content, dialect).unwrap_or_else(|| entry_form(next(), next(), dialect))
        }
        _ => dialect_branch(content, dialect).unwrap_or(Form::Prose),
    }
}

/// A branch with the Chinese or Hungarian `if` or `otherwise` of the
/// file's dialect: `如果满意 -> 结案` (no space needed after `如果`),
/// `否则 -> 升级`, `ha igen -> vége`, `egyebkent -> b`.
fn dialect_branch(content: Text<'_>, dialect: Dialect) -> Option<Form<'_>> {
    let text = content.value;
    let (len, word) = match dialect {
        Dialect::En => return None,
        Dialect::Zh => {
            if text.starts_with("如果") {
                ("如果".len(), Word::If)
            } else if text.starts_with("否则") {
                ("否则".len(), Word::Otherwise)
            } else if text.starts_with("超时") {
                ("超时".len(), Word::Timeout)
            } else {
                return None;
            }
        }
        Dialect::Hu => {
            let end = text
                .find(|c: char| is_space(c) || c == '-' || c == '→')
                .unwrap_or(text.len());
            match keywords::lookup(&text[..end], dialect) {
                Some((w @ (Word::If | Word::Otherwise | Word::Timeout), Dialect::Hu)) => (end, w),
                _ => return None,
            }
        }
    };
    let rest = &text[len..];
    if word == Word::If {
        // `ha` needs a space after it; `如果` does not.
        if dialect == Dialect::Hu && !rest.starts_with(is_space) {
            return None;
        }
        if !rest.contains("->") && !rest.contains('→') {
            return None;
        }
        let keyword = Text::new(
            &text[..len],
            Span::new(content.span.start, content.span.start + len),
        );
        return Some(Form::If { keyword });
    }
    let after = rest.trim_start_matches(is_space);
    let arrow = if after.starts_with("->") {
        2
    } else if after.starts_with('→') {
        '→'.len_utf8()
    } else {
        return None;
    };
    let from = text.len() - after.len() + arrow;
    let value = sub(content, from, text.len());
    Some(if word == Word::Timeout {
        Form::Timeout { value }
    } else {
        Form::Otherwise { value }
    })
}

/// A `<key>: <value>` line: a step line, a keyword, or another entry.
fn entry_form<'a>(key: Text<'a>, value: Text<'a>, dialect: Dialect) -> Form<'a> {
    if let Some(at) = keywords::step_keyword(key.value, dialect) {
        let rest = &key.value[at..];
        let head = rest.trim_start_matches(is_space);
        let start = key.span.start + key.value.len() - head.len();
        return Form::StepLine {
            head: Text::new(head, Span::new(start, key.span.end)),
            value,
        };
    }
    match Keyword::classify(key.value, dialect) {
        Some(kind) => Form::Keyword {
            keyword: key,
            kind,
            value,
        },
        None => Form::Entry { key, value },
    }
}

/// A trimmed piece of a text, with its span.
fn sub(text: Text<'_>, from: usize, to: usize) -> Text<'_> {
    let raw = &text.value[from..to];
    let trimmed = raw.trim();
    let start = text.span.start + from + (raw.len() - raw.trim_start().len());
    Text::new(trimmed, Span::new(start, start + trimmed.len()))
}

/// Whether a character is indentation: a space, a tab, or the full-width
/// space U+3000.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}')
}

/// The width of an indentation in columns: a tab counts as four, a
/// full-width space as two.
fn indent_width(indent: &str) -> usize {
    indent
        .chars()
        .map(|c| match c {
            '\t' => 4,
            '\u{3000}' => 2,
            _ => 1,
        })
        .sum()
}

/// A pair's text without surrounding whitespace, with its span.
fn trimmed(pair: Pair<'_, Rule>) -> Text<'_> {
    let raw = pair.as_str();
    let start = pair.as_span().start() + (raw.len() - raw.trim_start().len());
    let value = raw.trim();
    Text::new(value, Span::new(start, start + value.len()))
}

impl Default for Text<'_> {
    fn default() -> Self {
        Text::new("", Span::default())
    }
}

fn fallback(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for piece in text.split('\n') {
        let end = start + piece.len();
        let line_end = if piece.ends_with('\r') { end - 1 } else { end };
        let raw = &text[start..line_end];
        let body = raw.trim_start_matches(is_space);
        let content_start = start + (raw.len() - body.len());
        let content = body.trim_end();
        lines.push(Line {
            span: Span::new(start, line_end),
            content: Text::new(
                content,
                Span::new(content_start, content_start + content.len()),
            ),
            indent: indent_width(&raw[..raw.len() - body.len()]),
            form: if content.is_empty() {
                Form::Blank
            } else {
                Form::Prose
            },
        });
        start = end + 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(line: &str) -> String {
        let lines = classify(line, Dialect::En);
        let f = format!("{:?}", lines[0].form);
        f.split([' ', '{']).next().unwrap_or_default().to_string()
    }

    #[test]
    fn classifies_lines() {
        let cases = [
            ("# c", "Comment"),
            ("  \\step x: y", "Escape"),
            ("sop CS-1: Title", "Header"),
            ("step greet: Greet", "StepLine"),
            ("Step: Untitled", "StepLine"),
            ("steps:", "Keyword"),
            ("-> end", "Goto"),
            ("if yes -> solve", "If"),
            ("If a -> b -> c", "If"),
            ("otherwise -> close", "Otherwise"),
            ("else->close", "Otherwise"),
            ("Purpose：x", "Keyword"),
            ("notes:", "Keyword"),
            ("Note: x", "Keyword"),
            ("Notes and more: x", "Entry"),
            ("x-team: ops", "Entry"),
            ("If the customer is angry, stay calm.", "Prose"),
            ("Settings -> Privacy", "Prose"),
            ("   ", "Blank"),
            ("", "Blank"),
        ];
        for (line, expected) in cases {
            assert_eq!(form(line), expected, "{line:?}");
        }
    }

    #[test]
    fn runs_of_blank_lines_are_one_line() {
        let text = "a\n\n  \n\t\nb\n\n";
        let lines = classify(text, Dialect::En);
        let spans: Vec<_> = lines.iter().map(|l| (l.span.start, l.span.end)).collect();
        assert_eq!(spans, vec![(0, 1), (2, 7), (8, 9), (10, 11)]);
        assert!(matches!(lines[1].form, Form::Blank));
        let blank = "\n".repeat(1_000_000);
        let lines = classify(&blank, Dialect::En);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].span, Span::new(0, blank.len()));
    }

    #[test]
    fn large_files_are_classified_in_pieces_with_the_file_offsets() {
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&format!("step s{i}: Title {i}\n  -> s{}\r\n", i + 1));
        }
        assert!(text.len() > 4 * CHUNK);
        let lines = classify(&text, Dialect::En);
        assert_eq!(lines.len(), 10_001);
        for line in &lines[..10_000] {
            assert_eq!(
                &text[line.content.span.start..line.content.span.end],
                line.content.value
            );
            let expected = text[line.span.start..line.span.end].trim();
            assert_eq!(line.content.value, expected);
            match line.form {
                Form::StepLine { head, value } => {
                    assert_eq!(&text[head.span.start..head.span.end], head.value);
                    assert_eq!(&text[value.span.start..value.span.end], value.value);
                }
                Form::Goto { value } => {
                    assert_eq!(&text[value.span.start..value.span.end], value.value)
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn line_breaks() {
        let lines = classify("a\r\nb\rc\n\nd", Dialect::En);
        let contents: Vec<_> = lines.iter().map(|l| l.content.value).collect();
        assert_eq!(contents, vec!["a", "b\rc", "", "d"]);
    }
}
