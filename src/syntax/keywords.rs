//! The keywords of the language: what the grammar recognises by name. One
//! table for the parser and the rules that suggest keywords.

use crate::ast::{CalloutKind, SectionKind};

/// A keyword the grammar recognised, by what it introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Section(SectionKind),
    Meta(&'static str),
    Attribute(&'static str),
    Callout(CalloutKind),
}

/// The metadata keys, in their canonical spelling.
pub const META_KEYS: [&str; 7] = [
    "version",
    "owner",
    "status",
    "effective",
    "review",
    "tags",
    "language",
];
/// The attributes of a step.
pub const ATTRIBUTES: [&str; 4] = ["role", "within", "say", "ask"];

impl Keyword {
    pub fn classify(word: &str) -> Option<Keyword> {
        if let Some(kind) = SectionKind::from_keyword(word) {
            return Some(Keyword::Section(kind));
        }
        if let Some(key) = META_KEYS.iter().find(|k| k.eq_ignore_ascii_case(word)) {
            return Some(Keyword::Meta(key));
        }
        if let Some(attr) = ATTRIBUTES.iter().find(|k| k.eq_ignore_ascii_case(word)) {
            return Some(Keyword::Attribute(attr));
        }
        [CalloutKind::Tip, CalloutKind::Warning, CalloutKind::Note]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(word))
            .map(Keyword::Callout)
    }
}
