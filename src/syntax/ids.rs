//! Identifiers and branch targets.

use crate::ast::Target;

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

/// Whether a step id is one of the reserved targets `end` and `next`.
pub fn is_reserved(id: &str) -> bool {
    id.eq_ignore_ascii_case("end") || id.eq_ignore_ascii_case("next")
}

/// Parses a branch target token: a step id, `next`, `end` or `[[SOP-ID]]`.
/// Returns `None` for anything else, including several words.
pub fn parse_target(token: &str) -> Option<Target<'_>> {
    if let Some(inner) = token.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
        return is_valid_id(inner).then_some(Target::Sop(inner));
    }
    if token.eq_ignore_ascii_case("next") {
        return Some(Target::Next);
    }
    if token.eq_ignore_ascii_case("end") {
        return Some(Target::End);
    }
    is_valid_id(token).then_some(Target::Step(token))
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

    #[test]
    fn targets() {
        assert_eq!(parse_target("solve"), Some(Target::Step("solve")));
        assert_eq!(parse_target("END"), Some(Target::End));
        assert_eq!(parse_target("Next"), Some(Target::Next));
        assert_eq!(parse_target("[[CS-014]]"), Some(Target::Sop("CS-014")));
        assert_eq!(parse_target("[[bad id]]"), None);
        assert_eq!(parse_target("two words"), None);
        assert_eq!(parse_target(""), None);
    }
}
