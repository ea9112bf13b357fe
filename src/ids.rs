//! Identifiers, and `[[ID]]` references to other SOPs: the one definition
//! the parser, the rules and every renderer share.

use std::ops::Range;

/// The ID rule: one or more word characters (`XID_Continue`: letters,
/// combining marks, digits, `_`) or `.` and `-`, starting with a word
/// character. Used for SOP ids, step ids and role ids.
pub fn is_valid_id(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if unicode_ident::is_xid_continue(first) => {}
        _ => return false,
    }
    chars.all(|c| unicode_ident::is_xid_continue(c) || c == '.' || c == '-')
}

/// One `[[ID]]` reference in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SopLink<'a> {
    /// The whole reference, brackets included, in bytes of the text.
    pub range: Range<usize>,
    /// The id, without the spaces around it.
    pub id: &'a str,
}

/// The `[[ID]]` references of a text, in order: an id between `[[` and
/// `]]`, spaces around it trimmed. A `[[` preceded by a backslash is
/// literal text (`\[[X]]` is not a reference), and so is a pair whose
/// inside is not an id (`[[two words]]`). The id is read forwards from the
/// brackets, so every byte is looked at a bounded number of times: linear
/// even in text full of unclosed `[[`.
pub fn sop_links(text: &str) -> impl Iterator<Item = SopLink<'_>> {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let open = from + memchr::memmem::find(&bytes[from..], b"[[")?;
        from = open + 1;
        if is_escaped(bytes, open) {
            continue;
        }
        let inside = &text[open + 2..];
        let rest = inside.trim_start();
        let id_len = rest
            .find(|c: char| !(unicode_ident::is_xid_continue(c) || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let id = &rest[..id_len];
        let after = &rest[id_len..];
        let spaces = after.len() - after.trim_start().len();
        if after[spaces..].starts_with("]]") && is_valid_id(id) {
            let end = open + 2 + (inside.len() - rest.len()) + id_len + spaces + 2;
            from = end;
            return Some(SopLink {
                range: open..end,
                id,
            });
        }
    })
}

/// Whether the byte at `at` is escaped: preceded by an odd number of
/// backslashes.
pub(crate) fn is_escaped(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["CS-001", "greet", "问候", "ügyfél_1", "a.b-c", "1", "_x"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-x", ".x", "two words", "a/b", "a:b", "[[x]]"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    fn links(text: &str) -> Vec<(&str, &str)> {
        sop_links(text)
            .map(|l| (&text[l.range.clone()], l.id))
            .collect()
    }

    #[test]
    fn references() {
        assert_eq!(links("see [[CS-014]]."), [("[[CS-014]]", "CS-014")]);
        assert_eq!(
            links("[[ A ]] and [[B]]"),
            [("[[ A ]]", "A"), ("[[B]]", "B")]
        );
        assert_eq!(links("[[two words]] [[C]]"), [("[[C]]", "C")]);
        assert_eq!(links("[[投诉-1]]"), [("[[投诉-1]]", "投诉-1")]);
        assert_eq!(links("[[open"), []);
        assert_eq!(links("[[]]"), []);
    }

    #[test]
    fn unclosed_brackets_take_linear_time() {
        // Each `[[` reads at most its own id: no search for a far `]]`.
        let text = format!("{}]]", "[[a ".repeat(50_000));
        assert_eq!(sop_links(&text).count(), 1);
    }

    #[test]
    fn a_backslash_keeps_the_brackets_literal() {
        assert_eq!(links(r"\[[CS-014]]"), []);
        assert_eq!(links(r"\\[[CS-014]]"), [("[[CS-014]]", "CS-014")]);
        assert_eq!(links(r"\[[X]] then [[Y]]"), [("[[Y]]", "Y")]);
    }
}
