//! Source text: decoding bytes, and turning byte offsets into lines and columns.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;

/// A problem with the bytes of a file, found before parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingIssue {
    /// Offset in the file's bytes (counting a BOM).
    pub byte_offset: usize,
    /// Where the problem is in the decoded text.
    pub span: Span,
    pub kind: EncodingIssueKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingIssueKind {
    InvalidUtf8,
    Nul,
}

/// At most this many encoding problems are reported per file; a binary file
/// would otherwise produce one per byte.
pub const MAX_ENCODING_ISSUES: usize = 10;

/// One file's text, ready to parse.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    /// The decoded text, without a BOM. Invalid UTF-8 sequences are replaced
    /// by U+FFFD, so the rest of the file can still be checked.
    pub text: String,
    pub bom: bool,
    pub encoding_issues: Vec<EncodingIssue>,
    line_starts: OnceLock<Vec<usize>>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Source {
    /// Decodes a file's bytes.
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: &[u8]) -> Source {
        let bom = bytes.starts_with(BOM);
        let body = if bom { &bytes[BOM.len()..] } else { bytes };
        let base = if bom { BOM.len() } else { 0 };
        let mut issues = Vec::new();
        let text = match std::str::from_utf8(body) {
            Ok(text) => text.to_owned(),
            Err(_) => decode_lossy(body, base, &mut issues),
        };
        if memchr::memchr(0, text.as_bytes()).is_some() {
            // Offsets in `text` match the file's bytes only up to the first
            // invalid sequence, so compute byte offsets on the original.
            let mut text_pos = 0;
            for nul_in_body in memchr::memchr_iter(0, body) {
                if issues.len() >= MAX_ENCODING_ISSUES {
                    break;
                }
                text_pos = memchr::memchr(0, &text.as_bytes()[text_pos..])
                    .map_or(text.len(), |p| text_pos + p);
                issues.push(EncodingIssue {
                    byte_offset: base + nul_in_body,
                    span: Span::new(text_pos, (text_pos + 1).min(text.len())),
                    kind: EncodingIssueKind::Nul,
                });
                text_pos += 1;
            }
            issues.sort_by_key(|i| i.span.start);
            issues.truncate(MAX_ENCODING_ISSUES);
        }
        Source {
            path: path.into(),
            text,
            bom,
            encoding_issues: issues,
            line_starts: OnceLock::new(),
        }
    }

    /// A source from text, for tests and tools.
    pub fn from_text(path: impl Into<PathBuf>, text: &str) -> Source {
        Source::from_bytes(path, text.as_bytes())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// How many lines the text has (the text after the last line break is
    /// a line, empty or not).
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// 0-based index of the line that holds a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts().partition_point(|&s| s <= offset) - 1
    }

    /// Where line `index` (0-based) starts, and where the next one starts
    /// (the end of the text for the last line). `None` past the last line.
    pub fn line_bounds(&self, index: usize) -> Option<(usize, usize)> {
        let starts = self.line_starts();
        let start = *starts.get(index)?;
        let next = starts.get(index + 1).copied().unwrap_or(self.text.len());
        Some((start, next))
    }

    /// 1-based line and column of a byte offset; columns count characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let column = self.text[starts[line]..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// 1-based line and column of both ends of a span.
    pub fn span_position(&self, span: Span) -> Position {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end);
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Where a span lies, 1-based, in characters; the end is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn decode_lossy(mut body: &[u8], base: usize, issues: &mut Vec<EncodingIssue>) -> String {
    let mut text = String::with_capacity(body.len() + 16);
    let mut consumed = 0;
    loop {
        match std::str::from_utf8(body) {
            Ok(valid) => {
                text.push_str(valid);
                return text;
            }
            Err(err) => {
                let valid_len = err.valid_up_to();
                // SAFETY-free: the prefix was just validated.
                text.push_str(std::str::from_utf8(&body[..valid_len]).unwrap_or_default());
                let bad_len = err.error_len().unwrap_or(body.len() - valid_len);
                if issues.len() < MAX_ENCODING_ISSUES {
                    let at = text.len();
                    issues.push(EncodingIssue {
                        byte_offset: base + consumed + valid_len,
                        span: Span::new(at, at + '\u{FFFD}'.len_utf8()),
                        kind: EncodingIssueKind::InvalidUtf8,
                    });
                }
                text.push('\u{FFFD}');
                consumed += valid_len + bad_len;
                body = &body[valid_len + bad_len..];
            }
        }
    }
}

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// The smallest span that covers both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let src = Source::from_text("t.sop", "ab\n目的：x\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        // After "目的：" (three characters, nine bytes).
        assert_eq!(src.line_col(3 + 9), (2, 4));
    }

    #[test]
    fn bom_is_stripped_and_offsets_count_it() {
        let src = Source::from_bytes("t.sop", b"\xEF\xBB\xBFa\xFFb\0");
        assert!(src.bom);
        assert_eq!(src.text, "a\u{FFFD}b\0");
        let offsets: Vec<_> = src.encoding_issues.iter().map(|i| i.byte_offset).collect();
        assert_eq!(offsets, vec![4, 6]);
        for issue in &src.encoding_issues {
            assert!(src.text.get(issue.span.start..issue.span.end).is_some());
        }
    }

    #[test]
    fn lone_cr_is_not_a_line_break() {
        let src = Source::from_text("t.sop", "a\rb\nc");
        assert_eq!(src.line_col(4), (2, 1));
        assert_eq!(src.line_col(2), (1, 3));
    }
}
