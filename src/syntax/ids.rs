//! Branch targets. What an id is lives in [`crate::ids`].

use crate::ast::Target;
pub use crate::ids::{is_reserved, is_valid_id};

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
