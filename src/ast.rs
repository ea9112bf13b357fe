//! The spanned syntax tree.
//!
//! The tree mirrors the document: header, metadata, sections, steps, and
//! inside them one node per line. Comments and blank lines are nodes too, in
//! their places, so a formatter can print the tree back without re-parsing.
//! Every node carries the byte span of its text in [`crate::source::Source`].
//! Values that have a type (dates, durations, versions) are parsed here;
//! a value that does not parse is kept as text with `None`, and the rule for
//! it reports the problem.

use serde::Serialize;

use crate::values::{Cadence, Date, Duration, Status, Version};

pub use crate::source::Span;

/// A piece of text with the span it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

pub type Text<'a> = Spanned<&'a str>;

/// A whole `.sop` file.
#[derive(Debug, Default, Serialize)]
pub struct Document<'a> {
    /// Comments and blank lines before the header.
    pub leading: Vec<Trivia<'a>>,
    pub header: Option<Header<'a>>,
    /// Metadata lines, comments and blank lines between header and first section.
    pub metadata: Vec<MetaItem<'a>>,
    pub sections: Vec<Section<'a>>,
    /// Lines that match no form allowed where they stand, in source order.
    pub errors: Vec<SyntaxError>,
    /// The first line that is neither blank nor a comment.
    pub first_content: Option<Span>,
    /// Every `[[ID]]` outside comments, in source order.
    pub sop_links: Vec<Text<'a>>,
    /// Whether the file uses CRLF line endings (judged by its first line break).
    pub crlf: bool,
    /// Whether the file started with a byte-order mark.
    pub bom: bool,
    /// The keyword dialect its `language:` selects.
    pub dialect: Dialect,
    /// Headings that name a section in other words (`Revision history:`),
    /// with the section they were read as.
    pub unknown_sections: Vec<UnknownSection<'a>>,
    /// Step lines that directly follow a prose line whose sentence goes on
    /// (`split-paragraph`).
    pub split_paragraphs: Vec<Span>,
}

/// The keyword dialect of a file: English keywords are valid in every
/// file; `language: zh` adds the Chinese ones, `language: hu` the
/// Hungarian ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    #[default]
    En,
    Zh,
    Hu,
}

impl Dialect {
    /// The dialect a `language:` value selects: `zh` and any `zh-*` tag
    /// Chinese, `hu` and `hu-*` Hungarian, anything else English.
    pub fn from_language(tag: &str) -> Dialect {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Dialect::Zh
        } else if primary.eq_ignore_ascii_case("hu") {
            Dialect::Hu
        } else {
            Dialect::En
        }
    }

    /// `en`, `zh` or `hu`.
    pub fn code(self) -> &'static str {
        match self {
            Dialect::En => "en",
            Dialect::Zh => "zh",
            Dialect::Hu => "hu",
        }
    }

    /// Parses `en`, `zh` or `hu`.
    pub fn parse(code: &str) -> Option<Dialect> {
        [Dialect::En, Dialect::Zh, Dialect::Hu]
            .into_iter()
            .find(|d| d.code().eq_ignore_ascii_case(code))
    }
}

/// A heading such as `Revision history:` or `目标：` that names a section in
/// other words: reported as `unknown-section`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct UnknownSection<'a> {
    pub heading: Text<'a>,
    /// The section it names.
    pub meant: SectionKind,
    /// Whether it is the keyword of that section in another dialect than
    /// the file's (`目的：` in a file without `language: zh`).
    pub dialect: Option<Dialect>,
}

/// A line that carries no content. A run of blank lines is one `Blank`,
/// whatever their number.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trivia<'a> {
    Blank { span: Span },
    Comment { text: Text<'a>, span: Span },
}

/// A syntax error found while lowering lines into the tree.
#[derive(Debug, Clone, Serialize)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub label: String,
    /// A second place that explains the error, such as the first of two defaults.
    pub related: Option<(Span, String)>,
}

/// `sop <ID>: <Title>`
#[derive(Debug, Serialize)]
pub struct Header<'a> {
    pub id: Text<'a>,
    pub title: Text<'a>,
    pub span: Span,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetaItem<'a> {
    Entry(MetaEntry<'a>),
    Trivia(Trivia<'a>),
}

/// One `key: value` line of metadata.
#[derive(Debug, Serialize)]
pub struct MetaEntry<'a> {
    /// The key as written (its case kept).
    pub key: Text<'a>,
    pub value: MetaValue<'a>,
    pub raw: Text<'a>,
    pub span: Span,
}

/// A metadata value, typed where the key has a type.
#[derive(Debug, Serialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum MetaValue<'a> {
    Version {
        parsed: Option<Version>,
    },
    Owner,
    Status {
        parsed: Option<Status>,
    },
    Effective {
        parsed: Option<Date>,
    },
    Review {
        parsed: Option<Cadence>,
    },
    /// `sla:`, the time limit of the whole procedure.
    Sla {
        parsed: Option<crate::values::Duration>,
    },
    Tags {
        tags: Vec<Text<'a>>,
    },
    Language,
    /// `x-<name>:` custom metadata.
    Custom,
    /// A key the language does not know.
    Unknown,
}

impl MetaValue<'_> {
    /// The canonical (lower-case) name of the key, `None` for custom and unknown keys.
    pub fn key_name(&self) -> Option<&'static str> {
        Some(match self {
            MetaValue::Version { .. } => "version",
            MetaValue::Owner => "owner",
            MetaValue::Status { .. } => "status",
            MetaValue::Effective { .. } => "effective",
            MetaValue::Review { .. } => "review",
            MetaValue::Sla { .. } => "sla",
            MetaValue::Tags { .. } => "tags",
            MetaValue::Language => "language",
            MetaValue::Custom | MetaValue::Unknown => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Purpose,
    Scope,
    Roles,
    Definitions,
    Steps,
    Metrics,
    Notes,
    References,
    Revisions,
}

impl SectionKind {
    pub const ALL: [SectionKind; 9] = [
        SectionKind::Purpose,
        SectionKind::Scope,
        SectionKind::Roles,
        SectionKind::Definitions,
        SectionKind::Steps,
        SectionKind::Metrics,
        SectionKind::Notes,
        SectionKind::References,
        SectionKind::Revisions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Purpose => "purpose",
            SectionKind::Scope => "scope",
            SectionKind::Roles => "roles",
            SectionKind::Definitions => "definitions",
            SectionKind::Steps => "steps",
            SectionKind::Metrics => "metrics",
            SectionKind::Notes => "notes",
            SectionKind::References => "references",
            SectionKind::Revisions => "revisions",
        }
    }

    pub fn from_keyword(word: &str) -> Option<SectionKind> {
        SectionKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(word))
    }

    /// Whether the section holds prose (and so accepts text on its keyword line).
    pub fn holds_prose(self) -> bool {
        matches!(
            self,
            SectionKind::Purpose | SectionKind::Scope | SectionKind::Notes
        )
    }
}

/// A section: its keyword line and its body.
#[derive(Debug, Serialize)]
pub struct Section<'a> {
    pub kind: SectionKind,
    /// The keyword as written, without the colon.
    pub keyword: Text<'a>,
    /// The keyword line.
    pub head: Span,
    /// The whole section, keyword line to last content line.
    pub span: Span,
    /// Text on the keyword line of a prose section: the first line of its prose.
    pub inline: Option<Text<'a>>,
    pub body: SectionBody<'a>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum SectionBody<'a> {
    /// purpose, scope, notes. The text on the keyword line is the first item.
    Prose(Vec<BlockItem<'a>>),
    /// roles, definitions, metrics.
    Entries(Vec<EntryItem<'a>>),
    Steps(Steps<'a>),
    References(Vec<ReferenceItem<'a>>),
    Revisions(Vec<RevisionItem<'a>>),
}

/// A line inside a prose-holding block (a prose section or a step).
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockItem<'a> {
    /// A prose line: `text` is the line without indentation and trailing
    /// whitespace (an escape's backslash removed); `indent` is its indentation
    /// in columns (a tab counts as 4), for dedenting.
    Prose {
        text: Text<'a>,
        indent: usize,
        escaped: bool,
    },
    Callout(Callout<'a>),
    Trivia(Trivia<'a>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CalloutKind {
    Tip,
    Warning,
    Note,
}

impl CalloutKind {
    pub fn name(self) -> &'static str {
        match self {
            CalloutKind::Tip => "tip",
            CalloutKind::Warning => "warning",
            CalloutKind::Note => "note",
        }
    }
}

/// `tip:`, `warning:` or `note:` and its text.
#[derive(Debug, Serialize)]
pub struct Callout<'a> {
    pub kind: CalloutKind,
    pub text: Text<'a>,
    pub span: Span,
}

/// A line of roles, definitions or metrics.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryItem<'a> {
    Entry(Entry<'a>),
    Trivia(Trivia<'a>),
}

/// `<name>: <value>`: a role, a definition or a metric.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    pub name: Text<'a>,
    pub value: Text<'a>,
    pub span: Span,
}

#[derive(Debug, Default, Serialize)]
pub struct Steps<'a> {
    /// Comments and blank lines before the first step.
    pub leading: Vec<Trivia<'a>>,
    pub steps: Vec<Step<'a>>,
}

/// One step block.
#[derive(Debug, Serialize)]
pub struct Step<'a> {
    /// 1-based position among the file's steps.
    pub number: usize,
    pub id: Option<Text<'a>>,
    pub title: Text<'a>,
    /// The `step` line.
    pub head: Span,
    /// The whole step.
    pub span: Span,
    pub items: Vec<StepItem<'a>>,
}

impl<'a> Step<'a> {
    pub fn roles(&self) -> impl Iterator<Item = &Text<'a>> {
        self.items.iter().flat_map(|item| match item {
            StepItem::Role { roles, .. } => roles.as_slice(),
            _ => &[],
        })
    }

    pub fn branches(&self) -> impl Iterator<Item = &Branch<'a>> {
        self.items.iter().filter_map(|item| match item {
            StepItem::Branch(b) => Some(b),
            _ => None,
        })
    }

    /// The step's time limit: its first `within:` that parses.
    pub fn within(&self) -> Option<Duration> {
        self.items.iter().find_map(|item| match item {
            StepItem::Within { parsed, .. } => *parsed,
            _ => None,
        })
    }

    pub fn is_decision(&self) -> bool {
        self.branches()
            .any(|b| matches!(b.kind, BranchKind::If { .. }))
    }
}

/// A line inside a step.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepItem<'a> {
    /// `role: a, b`
    Role {
        roles: Vec<Text<'a>>,
        span: Span,
    },
    /// `within: <duration>`
    Within {
        text: Text<'a>,
        parsed: Option<Duration>,
        span: Span,
    },
    /// `say: <script>`
    Say {
        text: Text<'a>,
        span: Span,
    },
    /// `ask: <question>`
    Ask {
        text: Text<'a>,
        span: Span,
    },
    Branch(Branch<'a>),
    /// Prose, callouts, comments and blank lines.
    Block(BlockItem<'a>),
}

impl StepItem<'_> {
    /// The attribute keyword, for attributes that may appear once per step.
    pub fn unique_attribute(&self) -> Option<(&'static str, Span)> {
        match self {
            StepItem::Role { span, .. } => Some(("role", *span)),
            StepItem::Within { span, .. } => Some(("within", *span)),
            StepItem::Ask { span, .. } => Some(("ask", *span)),
            _ => None,
        }
    }
}

/// A branch line.
#[derive(Debug, Serialize)]
pub struct Branch<'a> {
    pub kind: BranchKind<'a>,
    pub target: Target<'a>,
    /// The target token.
    pub target_span: Span,
    pub span: Span,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BranchKind<'a> {
    /// `-> target`
    Goto,
    /// `if <condition> -> target`
    If { condition: Text<'a> },
    /// `otherwise -> target` or `else -> target`
    Otherwise,
    /// `timeout -> target`: taken when the step's `within:` runs out.
    Timeout,
}

/// Where a branch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Target<'a> {
    Step(&'a str),
    Next,
    End,
    Sop(&'a str),
}

/// `- <text>` in references.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReferenceItem<'a> {
    Item { text: Text<'a>, span: Span },
    Trivia(Trivia<'a>),
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RevisionItem<'a> {
    Revision(Revision<'a>),
    Trivia(Trivia<'a>),
}

/// `<version> <YYYY-MM-DD> [<author>]: <description>`
#[derive(Debug, Serialize)]
pub struct Revision<'a> {
    pub version: Text<'a>,
    pub version_parsed: Option<Version>,
    pub date: Text<'a>,
    pub date_parsed: Option<Date>,
    pub author: Option<Text<'a>>,
    pub description: Text<'a>,
    pub span: Span,
}

impl<'a> Document<'a> {
    pub fn section(&self, kind: SectionKind) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    pub fn steps(&self) -> &[Step<'a>] {
        self.sections
            .iter()
            .find_map(|s| match &s.body {
                SectionBody::Steps(steps) => Some(steps.steps.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    pub fn meta_entries(&self) -> impl Iterator<Item = &MetaEntry<'a>> {
        self.metadata.iter().filter_map(|m| match m {
            MetaItem::Entry(e) => Some(e),
            MetaItem::Trivia(_) => None,
        })
    }

    pub fn revisions(&self) -> impl Iterator<Item = &Revision<'a>> {
        self.sections
            .iter()
            .filter_map(|s| match &s.body {
                SectionBody::Revisions(items) => Some(items),
                _ => None,
            })
            .flatten()
            .filter_map(|r| match r {
                RevisionItem::Revision(r) => Some(r),
                RevisionItem::Trivia(_) => None,
            })
    }

    /// The entries of the first roles, definitions or metrics section of `kind`.
    pub fn entries(&self, kind: SectionKind) -> impl Iterator<Item = &Entry<'a>> {
        self.sections
            .iter()
            .filter(move |s| s.kind == kind)
            .filter_map(|s| match &s.body {
                SectionBody::Entries(items) => Some(items),
                _ => None,
            })
            .flatten()
            .filter_map(|e| match e {
                EntryItem::Entry(e) => Some(e),
                EntryItem::Trivia(_) => None,
            })
    }

    pub fn id(&self) -> Option<&'a str> {
        self.header.as_ref().map(|h| h.id.value)
    }
}
