//! The first pass: the pest grammar classifies each line on its own.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;

use crate::ast::{Span, Text};

use super::keywords::Keyword;

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
    /// last arrow when lowering.
    If,
    /// `otherwise -> <value>` / `else -> <value>`
    Otherwise {
        value: Text<'a>,
    },
    /// A known keyword and a colon.
    Keyword {
        keyword: Text<'a>,
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

/// Classifies every line of `text`. A run of blank lines is one [`Line`]
/// whose span covers the run: blank lines carry nothing but their number,
/// and every reader of the tree treats several as one.
pub fn classify(text: &str) -> Vec<Line<'_>> {
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
        classify_piece(piece, start, &mut lines);
        match end {
            Some(end) => start = end + 1,
            None => return lines,
        }
    }
}

/// Classifies the lines of `piece`, which starts at `base` in the file.
fn classify_piece<'a>(piece: &'a str, base: usize, lines: &mut Vec<Line<'a>>) {
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
                push(lower_line(piece, pair));
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
            Form::Keyword { keyword, value } => Form::Keyword {
                keyword: text(keyword),
                value: text(value),
            },
            Form::Entry { key, value } => Form::Entry {
                key: text(key),
                value: text(value),
            },
            form @ (Form::Blank | Form::Comment | Form::Escape | Form::If | Form::Prose) => form,
        };
        Line {
            span: span(self.span),
            content: text(self.content),
            indent: self.indent,
            form,
        }
    }
}

fn lower_line<'a>(text: &'a str, line: Pair<'a, Rule>) -> Line<'a> {
    let span = line.as_span();
    let mut inner = line.into_inner();
    let indent_pair = inner.next();
    let indent_text = indent_pair.as_ref().map_or("", |p| p.as_str());
    let indent = indent_text
        .bytes()
        .map(|b| if b == b'\t' { 4 } else { 1 })
        .sum();
    let content_start = span.start() + indent_text.len();
    let content_text = text[content_start..span.end()].trim_end();
    let content = Text::new(
        content_text,
        Span::new(content_start, content_start + content_text.len()),
    );
    let form = match inner.next() {
        _ if content_text.is_empty() => Form::Blank,
        None => Form::Blank,
        Some(pair) => form_of(pair),
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

fn form_of(pair: Pair<'_, Rule>) -> Form<'_> {
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
        Rule::step_line => Form::StepLine {
            head: next(),
            value: next(),
        },
        Rule::goto => Form::Goto { value: next() },
        Rule::if_option => Form::If,
        Rule::default_option => Form::Otherwise { value: next() },
        Rule::entry => {
            let (key, value) = (next(), next());
            if Keyword::classify(key.value).is_some() {
                Form::Keyword {
                    keyword: key,
                    value,
                }
            } else {
                Form::Entry { key, value }
            }
        }
        _ => Form::Prose,
    }
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
        let body = raw.trim_start_matches([' ', '\t']);
        let content_start = start + (raw.len() - body.len());
        let content = body.trim_end();
        lines.push(Line {
            span: Span::new(start, line_end),
            content: Text::new(
                content,
                Span::new(content_start, content_start + content.len()),
            ),
            indent: raw.len() - body.len(),
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
        let lines = classify(line);
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
        let lines = classify(text);
        let spans: Vec<_> = lines.iter().map(|l| (l.span.start, l.span.end)).collect();
        assert_eq!(spans, vec![(0, 1), (2, 7), (8, 9), (10, 11)]);
        assert!(matches!(lines[1].form, Form::Blank));
        let blank = "\n".repeat(1_000_000);
        let lines = classify(&blank);
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
        let lines = classify(&text);
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
        let lines = classify("a\r\nb\rc\n\nd");
        let contents: Vec<_> = lines.iter().map(|l| l.content.value).collect();
        assert_eq!(contents, vec!["a", "b\rc", "", "d"]);
    }
}
