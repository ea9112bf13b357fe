//! Positions: LSP lines and columns ↔ byte offsets in a buffer.
//!
//! Columns count UTF-16 code units unless the client agreed to UTF-8
//! (`positionEncoding`, LSP 3.17). A position past the end of a line is
//! the end of the line; past the last line, the end of the text.

use lsp_types::{Position, Range};

use crate::source::Span;

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The line starts of one buffer.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    /// The byte offset of a position, on a character boundary.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line_text = &self.text[start..end];
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let want = position.character as usize;
        let mut units = 0;
        for (i, c) in line_text.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + line_text.len()
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let before = &self.text[self.starts[line]..offset];
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// The span of a range.
    pub fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        Span::new(start, self.offset(range.end).max(start))
    }

    /// The text of the line holding `offset`, from its start to `offset`.
    pub fn line_before(&self, offset: usize) -> &'t str {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        &self.text[self.starts[line]..offset]
    }

    /// The whole text.
    pub fn text(&self) -> &'t str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_round_trip() {
        let text = "步骤 问候：主动\r\nsay: 😀 hi\nlast";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let index = LineIndex::new(text, encoding);
            for (offset, _) in text.char_indices() {
                if text[offset..].starts_with('\n') {
                    continue;
                }
                let position = index.position(offset);
                assert_eq!(index.offset(position), offset, "{encoding:?} {offset}");
            }
        }
        let index = LineIndex::new(text, Encoding::Utf16);
        // `😀` is two UTF-16 units: `hi` starts at column 8.
        assert_eq!(index.offset(Position::new(1, 8)), text.find("hi").unwrap());
        // Past the end of a line, and past the last line.
        assert_eq!(index.offset(Position::new(0, 99)), text.find('\r').unwrap());
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        // Inside a surrogate pair: the next character.
        assert_eq!(index.offset(Position::new(1, 6)), text.find(" hi").unwrap());
    }
}
