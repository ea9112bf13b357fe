//! Text on its way to a terminal: what a file name or a file's content
//! holds must show there, never act. An escape sequence (`ESC [2J`) would
//! clear or recolour the reader's screen or forge output, a carriage
//! return overwrite a line, a bidirectional override reorder what is shown
//! (CVE-2021-42574). Every format a terminal shows (the human, short and
//! GitHub formats, `sop fmt`'s messages, `sop: …` failures) passes its text
//! through [`sanitize_for_terminal`]; the JSON and SARIF formats are for
//! programs and keep the exact text.

use std::borrow::Cow;

/// Whether a character acts on a terminal instead of showing: a C0 control
/// character other than tab, DEL, a C1 control character, or a
/// bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069).
pub fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What shows instead of a character that would act on a terminal: the
/// Unicode picture of a C0 control character (`␛`, `␊`), `␡` for DEL, and
/// `�` for the others.
pub fn stand_in(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// `text` as a terminal may show it on one line: every character that
/// would act on the terminal, line breaks included, replaced by its
/// [`stand_in`].
pub fn sanitize_for_terminal(text: &str) -> Cow<'_, str> {
    sanitize(text, false)
}

/// As [`sanitize_for_terminal`], but line feeds stay: for messages that may
/// span lines.
pub fn sanitize_lines_for_terminal(text: &str) -> Cow<'_, str> {
    sanitize(text, true)
}

fn sanitize(text: &str, keep_line_feeds: bool) -> Cow<'_, str> {
    let replaced = |c: char| acts_on_terminal(c) && !(keep_line_feeds && c == '\n');
    if !text.chars().any(replaced) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if replaced(c) { stand_in(c) } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_instead_of_acting() {
        assert_eq!(
            sanitize_for_terminal("a\u{1b}[31mred\0\r\n\tb"),
            "a\u{241b}[31mred\u{2400}\u{240d}\u{240a}\tb"
        );
        assert_eq!(
            sanitize_lines_for_terminal("a\u{1b}[2J\r\nb"),
            "a\u{241b}[2J\u{240d}\nb"
        );
        assert_eq!(
            sanitize_for_terminal("x\u{7f}\u{9b}31m"),
            "x\u{2421}\u{fffd}31m"
        );
        assert_eq!(
            sanitize_for_terminal("abc\u{202e}fed\u{2066}\u{2069}\u{202a}"),
            "abc\u{fffd}fed\u{fffd}\u{fffd}\u{fffd}"
        );
        assert!(matches!(
            sanitize_for_terminal("plain 目的 \u{200f}"),
            Cow::Borrowed(_)
        ));
    }
}
