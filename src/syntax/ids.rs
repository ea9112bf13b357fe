//! Branch targets. What an id is lives in [`crate::ids`].

use crate::ast::{Dialect, Target};
pub use crate::ids::is_valid_id;

use super::keywords::{reserved_target, Word};

/// Parses a branch target token in a file of `dialect`: a step id, `next`,
/// `end` (or their spellings in the dialect: `下一步`, `结束`, `következő`,
/// `vége`) or `[[SOP-ID]]`. Returns `None` for anything else, including
/// several words.
pub fn parse_target(token: &str, dialect: Dialect) -> Option<Target<'_>> {
    if let Some(inner) = token.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
        return is_valid_id(inner).then_some(Target::Sop(inner));
    }
    match reserved_target(token, dialect) {
        Some(Word::Next) => return Some(Target::Next),
        Some(Word::End) => return Some(Target::End),
        _ => {}
    }
    is_valid_id(token).then_some(Target::Step(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let en = Dialect::En;
        assert_eq!(parse_target("solve", en), Some(Target::Step("solve")));
        assert_eq!(parse_target("END", en), Some(Target::End));
        assert_eq!(parse_target("Next", en), Some(Target::Next));
        assert_eq!(parse_target("[[CS-014]]", en), Some(Target::Sop("CS-014")));
        assert_eq!(parse_target("[[bad id]]", en), None);
        assert_eq!(parse_target("two words", en), None);
        assert_eq!(parse_target("", en), None);
        assert_eq!(parse_target("结束", en), Some(Target::Step("结束")));
        assert_eq!(parse_target("结束", Dialect::Zh), Some(Target::End));
        assert_eq!(parse_target("下一步", Dialect::Zh), Some(Target::Next));
        assert_eq!(parse_target("vege", Dialect::Hu), Some(Target::End));
        assert_eq!(parse_target("Következő", Dialect::Hu), Some(Target::Next));
    }
}
