//! Run records as CSV (RFC 4180) for spreadsheets: a row per event, a
//! column per key of the record, guarded against formula injection (see
//! docs/runs.md).

use std::io::{self, Write};

use super::record::Event;

/// The columns: the record's keys, in the record's order.
pub const COLUMNS: &[&str] = &[
    "seq", "time", "run", "sop", "version", "sop_hash", "event", "step", "title", "by", "role",
    "answer", "item", "note", "to", "limit", "elapsed", "file", "linked", "prev", "hash",
];

/// The UTF-8 byte order mark, which tells Excel the file is UTF-8.
pub const BOM: &str = "\u{feff}";

/// Writes the header row, after the byte order mark when `bom`.
pub fn head(out: &mut dyn Write, bom: bool) -> io::Result<()> {
    let mut text = String::new();
    if bom {
        text.push_str(BOM);
    }
    text.push_str(&COLUMNS.join(","));
    text.push_str("\r\n");
    out.write_all(text.as_bytes())
}

/// Writes a row per event.
pub fn rows(out: &mut dyn Write, events: &[Event]) -> io::Result<()> {
    let mut text = String::new();
    for e in events {
        let seq = e.seq.to_string();
        let cells: [Option<&str>; 21] = [
            Some(&seq),
            Some(&e.time),
            Some(&e.run),
            Some(&e.sop),
            e.version.as_deref(),
            Some(&e.sop_hash),
            Some(&e.event),
            e.step.as_deref(),
            e.title.as_deref(),
            Some(&e.by),
            e.role.as_deref(),
            e.answer.as_deref(),
            e.item.as_deref(),
            e.note.as_deref(),
            e.to.as_deref(),
            e.limit.as_deref(),
            e.elapsed.as_deref(),
            e.file.as_deref(),
            e.linked.as_deref(),
            Some(&e.prev),
            Some(&e.hash),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            cell_into(&mut text, cell.unwrap_or(""));
        }
        text.push_str("\r\n");
    }
    out.write_all(text.as_bytes())
}

/// Whether a spreadsheet could take a cell beginning with `c` for a
/// formula (or the guard itself, so that the guard is always removable).
fn guarded(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\0' | '\'')
}

/// Appends one cell: with a `'` before it when it begins with a character
/// a spreadsheet could take for a formula, quoted when it holds a quote, a
/// comma or a line break, or begins or ends with a space.
fn cell_into(out: &mut String, text: &str) {
    let guard = text.starts_with(guarded);
    let quote = guard
        || text.contains(['"', ',', '\r', '\n'])
        || text.starts_with(' ')
        || text.ends_with(' ');
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if text.contains('"') {
        out.push_str(&text.replace('"', "\"\""));
    } else {
        out.push_str(text);
    }
    if quote {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> String {
        let mut out = String::new();
        cell_into(&mut out, text);
        out
    }

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+1"), "\"'=1+1\"");
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("'quoted"), "\"''quoted\"");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell("处理投诉"), "处理投诉");
    }
}
