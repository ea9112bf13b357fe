use std::collections::HashSet;

use super::{Context, Reporter};
use crate::ast::{BlockItem, BranchKind, Document, Span, StepItem};
use crate::ids::is_valid_id;
use crate::syntax::keywords::{self, Word};

declare_rule! {
    /// ## What it does
    /// Reports a line inside a step that an author can only have meant as
    /// a branch, but that is not written as one.
    ///
    /// Such a line would silently stay prose. It is:
    ///
    /// - an answer and an arrow without `if`: `yes -> solve`, `是 -> 解决`,
    ///   or with a word that means "then": `then -> close`;
    /// - `:` instead of the arrow: `otherwise: limit`, `if yes: solve`,
    ///   `否则：结案`, or no arrow at all: `otherwise limit`;
    /// - an arrow look-alike instead of `->`: `=>`, `==>`, `-->`, `-》`,
    ///   `－>`, `—>`, `–>`, `⇒`;
    /// - a branch written as a list item: `- yes -> solve`;
    /// - `如果`, `否则`, `ha` or `egyébként` in a file whose `language:`
    ///   does not make them keywords.
    ///
    /// The target must be a step id of the file, `next`, `end` (or their
    /// Chinese and Hungarian forms) or `[[SOP-ID]]`; when the line starts
    /// with an arrow look-alike, or with `otherwise` and one, any single
    /// word counts. Prose such as `Settings -> Privacy`, whose last word is
    /// not a target, is left alone, and so are lines starting with `\`,
    /// lines inside fenced code blocks, and prose outside the steps.
    ///
    /// ## Why is this bad?
    /// The line reads like a branch to a person, but `sop` reads it as
    /// text: the decision loses an option, and whoever follows the
    /// procedure is sent to the next step instead.
    ///
    /// ## Example
    /// ```text
    /// step verify: Confirm the issue
    ///   ask: Did the customer confirm your summary?
    ///   yes -> solve
    ///   otherwise: listen
    /// ```
    ///
    /// ## How to fix
    /// Write the branch in one of its forms: `if yes -> solve`,
    /// `otherwise -> listen`, `-> close`. The help gives the corrected
    /// line. If the line really is prose, start it with `\` to keep it as
    /// text: `\yes -> solve`.
    pub struct SuspiciousBranch {
        code: "suspicious-branch",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context<'_, '_>, out: &mut Reporter<'_>) {
    let steps = ctx.doc.steps();
    if steps.is_empty() {
        return;
    }
    let ids: HashSet<&str> = steps.iter().filter_map(|s| s.id.map(|i| i.value)).collect();
    let dialect = Dialect::of(ctx.doc);
    let text = ctx.source.text.as_str();
    for step in steps {
        let mut fence = Fence::default();
        for item in &step.items {
            match item {
                StepItem::Block(BlockItem::Prose {
                    text: line,
                    escaped,
                    ..
                }) => {
                    // Code blocks hold examples, not the procedure.
                    if fence.line(line.value) || *escaped {
                        continue;
                    }
                    if let Some(finding) = analyse(line.value, &ids, dialect) {
                        report(out, line.span, finding);
                    }
                }
                StepItem::Branch(branch) => {
                    if let BranchKind::If { condition } = branch.kind {
                        if let Some(finding) = long_arrow_option(text, branch.span, condition.value)
                        {
                            report(out, branch.span, finding);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn report(out: &mut Reporter<'_>, span: Span, finding: Finding) {
    let mut help = format!("If it is a branch, write `{}`", finding.corrected);
    if let Some(note) = &finding.note {
        help.push_str(note);
    }
    help.push_str(". If it is prose, start the line with `\\` to keep it as text.");
    out.push(
        out.diagnostic(span, finding.message)
            .label(finding.label)
            .help(help),
    );
}

/// What is wrong with a line, and the line as it should be.
#[derive(Debug)]
struct Finding {
    message: String,
    label: String,
    corrected: String,
    /// Said after the corrected line, such as which `language:` makes a
    /// keyword work.
    note: Option<String>,
}

// ---------------------------------------------------------------------------
// The file's dialect
// ---------------------------------------------------------------------------

/// The keyword dialect of a file, from its `language:` value: `zh` and
/// `zh-*` are Chinese, `hu` and `hu-*` Hungarian, anything else English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    En,
    Zh,
    Hu,
}

impl Dialect {
    fn of(doc: &Document<'_>) -> Dialect {
        match doc.dialect {
            crate::ast::Dialect::En => Dialect::En,
            crate::ast::Dialect::Zh => Dialect::Zh,
            crate::ast::Dialect::Hu => Dialect::Hu,
        }
    }

    fn ast(self) -> crate::ast::Dialect {
        match self {
            Dialect::En => crate::ast::Dialect::En,
            Dialect::Zh => crate::ast::Dialect::Zh,
            Dialect::Hu => crate::ast::Dialect::Hu,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Dialect::En => "en",
            Dialect::Zh => "zh",
            Dialect::Hu => "hu",
        }
    }

    fn if_keyword(self) -> &'static str {
        keywords::spelling(Word::If, self.ast())
    }

    fn otherwise_keyword(self) -> &'static str {
        keywords::spelling(Word::Otherwise, self.ast())
    }

    fn reserved(self, target: Reserved) -> &'static str {
        let word = match target {
            Reserved::Next => Word::Next,
            Reserved::End => Word::End,
        };
        keywords::spelling(word, self.ast())
    }

    /// Whether a word of dialect `of` is a keyword in a file of this
    /// dialect: English words are keywords everywhere.
    fn accepts(self, of: Dialect) -> bool {
        of == Dialect::En || of == self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reserved {
    Next,
    End,
}

/// Lower case, and Hungarian accents dropped: `Egyébként` → `egyebkent`.
fn fold(word: &str) -> String {
    word.chars().map(keywords::fold).collect()
}

/// The longest keyword or reserved word compared, in bytes: longer words
/// are not folded at all.
const LONGEST_WORD: usize = 24;

/// `otherwise`, `else` and their Chinese and Hungarian forms.
fn otherwise_dialect(word: &str) -> Option<Dialect> {
    if word.len() > LONGEST_WORD {
        return None;
    }
    if word.eq_ignore_ascii_case("otherwise") || word.eq_ignore_ascii_case("else") {
        return Some(Dialect::En);
    }
    if word == "否则" {
        return Some(Dialect::Zh);
    }
    matches!(fold(word).as_str(), "egyebkent" | "kulonben").then_some(Dialect::Hu)
}

/// `next` and `end` in any dialect, with the dialect of the spelling.
fn reserved_target(word: &str) -> Option<(Reserved, Dialect)> {
    if word.len() > LONGEST_WORD {
        return None;
    }
    Some(match fold(word).as_str() {
        "next" => (Reserved::Next, Dialect::En),
        "end" => (Reserved::End, Dialect::En),
        "下一步" => (Reserved::Next, Dialect::Zh),
        "结束" => (Reserved::End, Dialect::Zh),
        "kovetkezo" => (Reserved::Next, Dialect::Hu),
        "vege" => (Reserved::End, Dialect::Hu),
        _ => return None,
    })
}

/// An `if` keyword at the start of `text`, with its dialect and the rest
/// (the condition, untrimmed). English and Hungarian need a space after
/// the keyword; Chinese `如果` does not.
fn if_prefix(text: &str) -> Option<(&str, Dialect, &str)> {
    if let Some(rest) = text.strip_prefix("如果") {
        return Some(("如果", Dialect::Zh, rest));
    }
    for (word, dialect) in [("if", Dialect::En), ("ha", Dialect::Hu)] {
        let Some(head) = text.get(..word.len()) else {
            continue;
        };
        let rest = &text[word.len()..];
        if head.eq_ignore_ascii_case(word) && rest.starts_with([' ', '\t']) {
            return Some((head, dialect, rest));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Reading a line
// ---------------------------------------------------------------------------

/// An arrow in a line: `->` and `→` are arrows, the rest look-alikes.
#[derive(Debug, Clone, Copy)]
struct Arrow {
    start: usize,
    end: usize,
    real: bool,
}

/// Characters that make the shaft of a typed arrow: hyphens, dashes,
/// minus signs and equals signs, in their ASCII and full-width forms.
fn is_shaft(c: char) -> bool {
    matches!(
        c,
        '-' | '－' | '—' | '–' | '‐' | '‑' | '−' | '=' | '＝' | '─' | '━'
    )
}

/// Characters that make the head of a typed arrow.
fn is_head(c: char) -> bool {
    matches!(c, '>' | '》' | '＞' | '〉' | '›')
}

/// Arrows that are one character: `→` is an arrow; the others look like one.
fn single_arrow(c: char) -> Option<bool> {
    match c {
        '→' => Some(true),
        '⇒' | '⟹' | '⟶' | '➔' | '➜' | '➝' | '➞' | '➡' | '⇨' | '⇾' | '⟾' | '↦' => {
            Some(false)
        }
        _ => None,
    }
}

/// The last arrow or look-alike of a line, in one pass: a run of shaft
/// characters followed by a head (`->`, `=>`, `-->`, `-》`, `—>`), or a
/// single arrow character (`→`, `⇒`).
fn last_arrow(line: &str) -> Option<Arrow> {
    let mut last = None;
    let mut shaft: Option<usize> = None;
    for (i, c) in line.char_indices() {
        if let Some(real) = single_arrow(c) {
            last = Some(Arrow {
                start: i,
                end: i + c.len_utf8(),
                real,
            });
            shaft = None;
        } else if is_shaft(c) {
            shaft.get_or_insert(i);
        } else if let (true, Some(start)) = (is_head(c), shaft) {
            let end = i + c.len_utf8();
            last = Some(Arrow {
                start,
                end,
                real: &line[start..end] == "->",
            });
            shaft = None;
        } else {
            shaft = None;
        }
    }
    last
}

/// A Markdown list marker at the start of a line (`- `, `* `, `+ `,
/// `1. `, `1) `): the rest of the line, or `None` when there is none.
fn strip_list_marker(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let after = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            match bytes.get(digits) {
                Some(b'.' | b')') if digits <= 9 => digits + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    let rest = &line[after..];
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

const COLONS: [char; 2] = [':', '：'];

/// What separates the target from the rest of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep<'a> {
    /// `->` or `→`.
    Arrow,
    /// `=>`, `-》`…, as written.
    LookAlike(&'a str),
    /// `:` or `：`.
    Colon,
    /// Nothing: `otherwise close`.
    Nothing,
}

/// What comes before the separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead<'a> {
    /// Nothing: `=> close`.
    Bare,
    /// `if <condition>` (or `else if <condition>`), with its keyword as
    /// written and the dialect of that keyword; `else_if` holds the `else`
    /// or `otherwise` written before `if`.
    If {
        keyword: &'a str,
        dialect: Dialect,
        condition: &'a str,
        else_if: Option<&'a str>,
    },
    /// `otherwise`, `else`, `否则`… as written; `colon` when a `:`
    /// follows it before the arrow (`otherwise: -> close`).
    Otherwise {
        keyword: &'a str,
        dialect: Dialect,
        colon: bool,
    },
    /// A word that means "then" (`then`, `next`, `然后`, `majd`): a
    /// plain `-> target` meant.
    Then(&'a str),
    /// Other words: the answer of a decision without its `if`.
    Words(&'a str),
}

/// Words that say "and then go on to", folded (see [`fold`]). Not `done`
/// or `ok`: those are answers (`done -> close`, `not done -> wait`).
const THEN: [&str; 22] = [
    "then",
    "next",
    "after that",
    "afterwards",
    "finally",
    "continue",
    "go",
    "go to",
    "goto",
    "然后",
    "接着",
    "之后",
    "随后",
    "最后",
    "完成后",
    "majd",
    "aztan",
    "azutan",
    "utana",
    "ezutan",
    "vegul",
    "tovabb",
];

fn read_lead(before: &str) -> Lead<'_> {
    if before.is_empty() {
        return Lead::Bare;
    }
    let bare = before.trim_end_matches(COLONS).trim_end();
    if let Some(dialect) = otherwise_dialect(bare) {
        return Lead::Otherwise {
            keyword: bare,
            dialect,
            colon: bare.len() != before.len(),
        };
    }
    // `else if yes` / `otherwise if yes`.
    if let Some((first, rest)) = before.split_once([' ', '\t']) {
        if otherwise_dialect(first) == Some(Dialect::En) {
            if let Some((keyword, dialect, condition)) = if_prefix(rest.trim_start()) {
                let condition = condition.trim();
                if !condition.is_empty() && dialect == Dialect::En {
                    return Lead::If {
                        keyword,
                        dialect,
                        condition,
                        else_if: Some(first),
                    };
                }
            }
        }
    }
    if let Some((keyword, dialect, condition)) = if_prefix(before) {
        let condition = condition.trim();
        if !condition.is_empty() {
            return Lead::If {
                keyword,
                dialect,
                condition,
                else_if: None,
            };
        }
    }
    if before.len() <= LONGEST_WORD && THEN.contains(&fold(bare).as_str()) {
        return Lead::Then(bare);
    }
    Lead::Words(before)
}

/// A branch target read from the end of a line.
#[derive(Debug)]
struct TargetWord {
    /// As the corrected line writes it.
    text: String,
    /// A step id of the file, `next`, `end` or `[[SOP-ID]]`; otherwise
    /// only a single word.
    known: bool,
}

/// Sentence punctuation after a target: `yes -> solve.`, `是 -> 解决。`.
const TRAILING: [char; 10] = ['.', '。', '!', '！', ';', '；', ',', '，', '?', '？'];

/// Reads the target: one word, or `None`.
fn read_target(text: &str, ids: &HashSet<&str>, dialect: Dialect) -> Option<TargetWord> {
    if text.is_empty() || text.contains(char::is_whitespace) {
        return None;
    }
    let word = if ids.contains(text) {
        text
    } else {
        text.trim_end_matches(TRAILING)
    };
    if ids.contains(word) {
        return Some(TargetWord {
            text: word.to_string(),
            known: true,
        });
    }
    if let Some((reserved, of)) = reserved_target(word) {
        // A spelling the file's dialect does not know is written in it.
        let text = if dialect.accepts(of) {
            word.to_string()
        } else {
            dialect.reserved(reserved).to_string()
        };
        return Some(TargetWord { text, known: true });
    }
    if let Some(inner) = word.strip_prefix("[[").and_then(|w| w.strip_suffix("]]")) {
        return is_valid_id(inner.trim()).then(|| TargetWord {
            text: format!("[[{}]]", inner.trim()),
            known: true,
        });
    }
    is_valid_id(word).then(|| TargetWord {
        text: word.to_string(),
        known: false,
    })
}

/// Reads a step's prose line; a [`Finding`] when it can only have been
/// meant as a branch.
fn analyse(line: &str, ids: &HashSet<&str>, dialect: Dialect) -> Option<Finding> {
    let (list_item, body) = match strip_list_marker(line) {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if !may_be_branch(body) {
        return None;
    }
    let (before, sep, target) = if let Some(arrow) = last_arrow(body) {
        let sep = if arrow.real {
            Sep::Arrow
        } else {
            Sep::LookAlike(&body[arrow.start..arrow.end])
        };
        (body[..arrow.start].trim(), sep, body[arrow.end..].trim())
    } else if let Some(colon) = body.find(COLONS) {
        let after = &body[colon..];
        let after = &after[after.chars().next().map_or(0, char::len_utf8)..];
        (body[..colon].trim(), Sep::Colon, after.trim())
    } else {
        // `otherwise close`: the keyword, a space and one word.
        let (first, rest) = body.split_once([' ', '\t'])?;
        otherwise_dialect(first)?;
        (first, Sep::Nothing, rest.trim())
    };
    let target = read_target(target, ids, dialect)?;
    let lead = read_lead(before);

    // What the grammar reads as a branch in this file's dialect never gets
    // here, except with `→` before the grammar knew it: leave it alone.
    let keyword_works = match lead {
        Lead::Bare => true,
        Lead::If {
            dialect: of,
            else_if,
            ..
        } => else_if.is_none() && dialect.accepts(of),
        Lead::Otherwise {
            dialect: of, colon, ..
        } => !colon && dialect.accepts(of),
        Lead::Then(_) | Lead::Words(_) => false,
    };
    if sep == Sep::Arrow && !list_item && keyword_works {
        return None;
    }
    // Where the line can only be a branch (it starts with an arrow, or
    // with `otherwise` and an arrow), any single word is taken as its
    // target; elsewhere the target must be one this file knows.
    let certain = !list_item
        && matches!(sep, Sep::Arrow | Sep::LookAlike(_))
        && matches!(lead, Lead::Bare | Lead::Otherwise { colon: false, .. });
    if !target.known && !certain {
        return None;
    }
    match (lead, sep) {
        // `Note: close` and `yes close` are prose; `: close` is nothing.
        (Lead::Words(_) | Lead::Then(_) | Lead::Bare, Sep::Colon | Sep::Nothing) => return None,
        (Lead::If { .. }, Sep::Nothing) => return None,
        _ => {}
    }
    Some(finding(list_item, lead, sep, &target.text, dialect))
}

/// Whether a line can be read as a branch at all, judged from its end:
/// the target is the line's last word, so an arrow (or a look-alike, or a
/// colon) is inside that word or right before it, or the rest of the line
/// is `otherwise`. Ordinary prose is turned away here after a look at its
/// last word, whatever the length of the line.
fn may_be_branch(body: &str) -> bool {
    let (before, last) = match body.rfind(char::is_whitespace) {
        Some(at) => {
            let space = body[at..].chars().next().map_or(1, char::len_utf8);
            (body[..at].trim_end(), &body[at + space..])
        }
        None => ("", body),
    };
    let separator = |c: char| is_head(c) || single_arrow(c).is_some() || COLONS.contains(&c);
    last.contains(separator)
        || before.chars().next_back().is_some_and(separator)
        || otherwise_dialect(before).is_some()
}

/// Says what is wrong, and writes the line as it should be.
fn finding(
    list_item: bool,
    lead: Lead<'_>,
    sep: Sep<'_>,
    target: &str,
    dialect: Dialect,
) -> Finding {
    // (clause for the message, short label)
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut note = None;
    if list_item {
        problems.push(("it is written as a list item".into(), "list item".into()));
    }
    match sep {
        Sep::LookAlike(arrow) => problems.push((
            format!("`{arrow}` is not an arrow (write `->`)"),
            format!("`{arrow}` is not `->`"),
        )),
        Sep::Colon => problems.push((
            "it has `:` where the arrow `->` belongs".into(),
            "`:` instead of `->`".into(),
        )),
        Sep::Nothing => problems.push((
            "it has no arrow `->` before its target".into(),
            "no `->`".into(),
        )),
        Sep::Arrow => {}
    }
    let form;
    let corrected = match lead {
        Lead::Bare => {
            form = "a branch";
            format!("-> {target}")
        }
        Lead::Then(word) => {
            form = "a branch";
            problems.push((
                format!("`{word}` is not a keyword: a branch starts with the arrow"),
                format!("`{word}` is not a keyword"),
            ));
            format!("-> {target}")
        }
        Lead::Words(words) => {
            form = "a branch";
            problems.push(("it has no `if`".into(), "no `if`".into()));
            let words = words.trim_end_matches(COLONS).trim_end();
            format!("{} -> {target}", if_line(dialect.if_keyword(), words))
        }
        Lead::If {
            keyword,
            dialect: of,
            condition,
            else_if,
        } => {
            form = "an option of a decision";
            if let Some(word) = else_if {
                problems.push((
                    format!(
                        "`{word} {keyword}` is not a keyword: each option is its own `if` line"
                    ),
                    format!("`{word} {keyword}`"),
                ));
            }
            let keyword = if dialect.accepts(of) {
                keyword
            } else {
                problems.push(foreign_keyword(keyword, "if", of));
                note = Some(language_note(keyword, "if", of));
                dialect.if_keyword()
            };
            format!("{} -> {target}", if_line(keyword, condition))
        }
        Lead::Otherwise {
            keyword,
            dialect: of,
            colon,
        } => {
            form = "a default branch";
            if colon && sep != Sep::Colon {
                problems.push((
                    format!("it has `:` after `{keyword}`"),
                    "`:` before the arrow".into(),
                ));
            }
            let keyword = if dialect.accepts(of) {
                keyword
            } else {
                problems.push(foreign_keyword(keyword, "otherwise", of));
                note = Some(language_note(keyword, "otherwise", of));
                dialect.otherwise_keyword()
            };
            format!("{keyword} -> {target}")
        }
    };
    let clauses: Vec<&str> = problems.iter().map(|(c, _)| c.as_str()).collect();
    let message = format!("this line looks like {form}, but {}", and_list(&clauses));
    let label = problems
        .first()
        .map_or_else(|| "not a branch".to_string(), |(_, l)| l.clone());
    Finding {
        message,
        label,
        corrected,
        note,
    }
}

fn foreign_keyword(keyword: &str, english: &str, of: Dialect) -> (String, String) {
    (
        format!(
            "`{keyword}` means `{english}` only in a file with `language: {}`",
            of.tag()
        ),
        format!("`{keyword}` is not a keyword here"),
    )
}

fn language_note(keyword: &str, english: &str, of: Dialect) -> String {
    format!(
        " (or add `language: {}` to the metadata, where `{keyword}` means `{english}`)",
        of.tag()
    )
}

/// `if` and a condition: Chinese `如果` takes no space before Chinese text.
fn if_line(keyword: &str, condition: &str) -> String {
    let joined = keyword == "如果"
        && condition
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii_alphanumeric());
    if joined {
        format!("{keyword}{condition}")
    } else {
        format!("{keyword} {condition}")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(clauses: &[&str]) -> String {
    match clauses {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `if yes --> solve`: the grammar reads the `->` at the end of `-->` as
/// the arrow, and the condition becomes `yes -`. `condition` is the
/// condition as the grammar read it.
fn long_arrow_option(text: &str, span: Span, condition: &str) -> Option<Finding> {
    let line = text.get(span.start..span.end)?;
    let at = line.rfind("->")?;
    let head = &line[..at];
    let shaft_start = head.trim_end_matches(is_shaft).len();
    if shaft_start == head.len() {
        return None;
    }
    let arrow = &line[shaft_start..at + 2];
    let target = line[at + 2..].trim();
    let Lead::If {
        keyword,
        condition: meant,
        ..
    } = read_lead(line[..shaft_start].trim())
    else {
        return None;
    };
    Some(Finding {
        message: format!(
            "this line looks like an option of a decision, but `{arrow}` is not an arrow (write `->`): its condition reads `{condition}`"
        ),
        label: format!("`{arrow}` is not `->`"),
        corrected: format!("{} -> {target}", if_line(keyword, meant)),
        note: None,
    })
}

/// Fenced code blocks (```` ``` ```` or `~~~`) in a step's prose.
#[derive(Debug, Default)]
struct Fence {
    /// The open fence's character and length.
    open: Option<(char, usize)>,
}

impl Fence {
    /// Reads a prose line; true when it is a fence line or inside a block.
    fn line(&mut self, line: &str) -> bool {
        let marker = line.chars().next().filter(|c| matches!(c, '`' | '~'));
        let run = marker.map_or(0, |m| line.chars().take_while(|&c| c == m).count());
        match (self.open, marker) {
            (None, Some(m)) if run >= 3 => {
                self.open = Some((m, run));
                true
            }
            (Some((m, len)), Some(c))
                if c == m && run >= len && line[run * m.len_utf8()..].trim().is_empty() =>
            {
                self.open = None;
                true
            }
            (Some(_), _) => true,
            (None, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> HashSet<&'static str> {
        [
            "solve",
            "listen",
            "limit",
            "close",
            "解决",
            "倾听",
            "结案",
            "megoldás",
            "1.2",
        ]
        .into_iter()
        .collect()
    }

    fn corrected(line: &str, dialect: Dialect) -> Option<String> {
        analyse(line, &ids(), dialect).map(|f| f.corrected)
    }

    #[test]
    fn answers_without_if() {
        let en = Dialect::En;
        assert_eq!(corrected("yes -> solve", en).unwrap(), "if yes -> solve");
        assert_eq!(
            corrected("是 -> 解决", Dialect::Zh).unwrap(),
            "如果是 -> 解决"
        );
        assert_eq!(
            corrected("否 -> 倾听", Dialect::Zh).unwrap(),
            "如果否 -> 倾听"
        );
        assert_eq!(
            corrected("igen -> megoldás", Dialect::Hu).unwrap(),
            "ha igen -> megoldás"
        );
        assert_eq!(corrected("是 -> 解决", en).unwrap(), "if 是 -> 解决");
        assert_eq!(corrected("yes → solve", en).unwrap(), "if yes -> solve");
        assert_eq!(corrected("no -> end", en).unwrap(), "if no -> end");
        assert_eq!(corrected("no -> END.", en).unwrap(), "if no -> END");
        assert_eq!(corrected("不 -> 结束", en).unwrap(), "if 不 -> end");
        assert_eq!(
            corrected("不 -> 结束", Dialect::Zh).unwrap(),
            "如果不 -> 结束"
        );
        assert_eq!(
            corrected("nem -> Vege", Dialect::Hu).unwrap(),
            "ha nem -> Vege"
        );
        assert_eq!(
            corrected("complaint -> [[CS-012]]", en).unwrap(),
            "if complaint -> [[CS-012]]"
        );
        assert_eq!(corrected("yes -> solve.", en).unwrap(), "if yes -> solve");
        assert_eq!(corrected("版本 -> 1.2", en).unwrap(), "if 版本 -> 1.2");
        assert_eq!(corrected("- yes -> solve", en).unwrap(), "if yes -> solve");
        assert_eq!(corrected("2. yes -> solve", en).unwrap(), "if yes -> solve");
        assert_eq!(corrected("- -> solve", en).unwrap(), "-> solve");
        assert_eq!(
            corrected("- if yes -> solve", en).unwrap(),
            "if yes -> solve"
        );
    }

    #[test]
    fn colons_and_missing_arrows() {
        let en = Dialect::En;
        assert_eq!(
            corrected("otherwise: limit", en).unwrap(),
            "otherwise -> limit"
        );
        assert_eq!(corrected("Else: close", en).unwrap(), "Else -> close");
        assert_eq!(
            corrected("otherwise close", en).unwrap(),
            "otherwise -> close"
        );
        assert_eq!(
            corrected("otherwise: -> close", en).unwrap(),
            "otherwise -> close"
        );
        assert_eq!(
            corrected("否则：结案", Dialect::Zh).unwrap(),
            "否则 -> 结案"
        );
        assert_eq!(corrected("否则:结案", Dialect::Zh).unwrap(), "否则 -> 结案");
        assert_eq!(corrected("否则：结案", en).unwrap(), "otherwise -> 结案");
        assert_eq!(
            corrected("egyébként: megoldás", Dialect::Hu).unwrap(),
            "egyébként -> megoldás"
        );
        assert_eq!(
            corrected("kulonben: megoldás", Dialect::Hu).unwrap(),
            "kulonben -> megoldás"
        );
        assert_eq!(corrected("if yes: solve", en).unwrap(), "if yes -> solve");
        assert_eq!(corrected("If yes: solve", en).unwrap(), "If yes -> solve");
        assert_eq!(
            corrected("如果满意：结案", Dialect::Zh).unwrap(),
            "如果满意 -> 结案"
        );
        assert_eq!(corrected("如果满意：结案", en).unwrap(), "if 满意 -> 结案");
        assert_eq!(
            corrected("ha igen: megoldás", Dialect::Hu).unwrap(),
            "ha igen -> megoldás"
        );
        assert_eq!(
            corrected("else if no -> listen", en).unwrap(),
            "if no -> listen"
        );
        assert_eq!(corrected("then -> close", en).unwrap(), "-> close");
        assert_eq!(corrected("Go to: -> close", en).unwrap(), "-> close");
        assert_eq!(corrected("然后 -> 结案", Dialect::Zh).unwrap(), "-> 结案");
        assert_eq!(
            corrected("Utána -> megoldás", Dialect::Hu).unwrap(),
            "-> megoldás"
        );
        assert_eq!(corrected("then: close", en), None);
        assert_eq!(corrected("Then -> Save", en), None);
    }

    #[test]
    fn look_alike_arrows() {
        let en = Dialect::En;
        for arrow in [
            "=>", "==>", "-->", "-》", "－>", "—>", "–>", "⇒", "——>", "－＞",
        ] {
            assert_eq!(
                corrected(&format!("{arrow} solve"), en).unwrap(),
                "-> solve",
                "{arrow}"
            );
            assert_eq!(
                corrected(&format!("if yes {arrow} solve"), en).unwrap(),
                "if yes -> solve",
                "{arrow}"
            );
            assert_eq!(
                corrected(&format!("otherwise {arrow} limit"), en).unwrap(),
                "otherwise -> limit",
                "{arrow}"
            );
            assert_eq!(
                corrected(&format!("yes {arrow} solve"), en).unwrap(),
                "if yes -> solve",
                "{arrow}"
            );
        }
        // At the start of the line or after `otherwise`, any one word.
        assert_eq!(corrected("=> wait", en).unwrap(), "-> wait");
        assert_eq!(corrected("else => wait", en).unwrap(), "else -> wait");
        assert_eq!(
            corrected("如果满意 -》 结案", Dialect::Zh).unwrap(),
            "如果满意 -> 结案"
        );
        // Elsewhere the target must be known.
        assert_eq!(corrected("yes => wait", en), None);
        assert_eq!(corrected("if yes => wait", en), None);
    }

    #[test]
    fn prose_stays_prose() {
        let en = Dialect::En;
        for line in [
            "Settings -> Privacy",
            "Click Save -> Close",
            "Menu → Settings → Privacy",
            "Open Settings -> Privacy and check.",
            "If in doubt -> ask the lead before you change anything.",
            "The rule x => y holds when the total is large",
            "Note: close the window first",
            "Otherwise: call the customer back",
            "yes close",
            "if yes solve",
            "<!-- a comment -->",
            "-->",
            "=> two words",
            "a >= b -> solve it",
            "- Settings -> Privacy",
            "",
            "->",
            // Branches in the file's dialect are the grammar's.
            "-> solve",
            "→ solve",
            "if yes → solve",
            "otherwise → solve",
        ] {
            assert_eq!(corrected(line, en), None, "{line}");
        }
        assert_eq!(corrected("如果满意 -> 结案", Dialect::Zh), None);
        assert_eq!(corrected("否则 -> 结案", Dialect::Zh), None);
        assert_eq!(corrected("ha igen -> megoldás", Dialect::Hu), None);
        assert_eq!(corrected("Egyebkent -> megoldás", Dialect::Hu), None);
    }

    #[test]
    fn keywords_of_another_dialect() {
        let f = analyse("如果满意 -> 结案", &ids(), Dialect::En).unwrap();
        assert_eq!(f.corrected, "if 满意 -> 结案");
        assert!(f.message.contains("`language: zh`"), "{}", f.message);
        assert!(f.note.unwrap().contains("language: zh"));
        let f = analyse("否则 -> 随便", &ids(), Dialect::En).unwrap();
        assert_eq!(f.corrected, "otherwise -> 随便");
        let f = analyse("egyébként -> megoldás", &ids(), Dialect::Zh).unwrap();
        assert_eq!(f.corrected, "否则 -> megoldás");
    }

    #[test]
    fn messages_name_the_form_and_the_problem() {
        let ids = ids();
        let message = |line| analyse(line, &ids, Dialect::En).unwrap().message;
        assert_eq!(
            message("yes -> solve"),
            "this line looks like a branch, but it has no `if`"
        );
        assert_eq!(
            message("yes => solve"),
            "this line looks like a branch, but `=>` is not an arrow (write `->`) and it has no `if`"
        );
        assert_eq!(
            message("otherwise: limit"),
            "this line looks like a default branch, but it has `:` where the arrow `->` belongs"
        );
        assert_eq!(
            message("if yes: solve"),
            "this line looks like an option of a decision, but it has `:` where the arrow `->` belongs"
        );
    }

    #[test]
    fn only_lines_that_end_like_a_branch_are_read() {
        for line in [
            "yes -> solve",
            "yes->solve",
            "否则：结案",
            "otherwise close",
            "egyébként  vége",
            "if yes: solve",
            "if yes:\tsolve",
            "=> solve",
            "是 → 解决",
        ] {
            assert!(may_be_branch(line), "{line}");
        }
        for line in [
            "Settings -> Privacy and more",
            "Call the customer.",
            "",
            "a: b c",
        ] {
            assert!(!may_be_branch(line), "{line}");
        }
    }

    #[test]
    fn arrows() {
        fn find(s: &str) -> Option<(&str, bool)> {
            last_arrow(s).map(|a| (&s[a.start..a.end], a.real))
        }
        assert_eq!(find("a -> b"), Some(("->", true)));
        assert_eq!(find("a --> b"), Some(("-->", false)));
        assert_eq!(find("a -> b => c"), Some(("=>", false)));
        assert_eq!(find("a → b"), Some(("→", true)));
        assert_eq!(find("a - > b"), None);
        assert_eq!(find("a >= b"), None);
        assert_eq!(find("a -》b"), Some(("-》", false)));
    }

    #[test]
    fn long_arrows_in_options() {
        let text = "if yes --> solve";
        let f = long_arrow_option(text, Span::new(0, text.len()), "yes -").unwrap();
        assert_eq!(f.corrected, "if yes -> solve");
        assert!(f.message.contains("`yes -`"), "{}", f.message);
        let text = "if a -> b -> solve";
        assert!(long_arrow_option(text, Span::new(0, text.len()), "a -> b").is_none());
        let text = "if yes ==-> solve";
        let f = long_arrow_option(text, Span::new(0, text.len()), "yes ==").unwrap();
        assert_eq!(f.corrected, "if yes -> solve");
    }

    #[test]
    fn fences() {
        let mut fence = Fence::default();
        let inside: Vec<bool> = ["a", "```text", "yes -> solve", "~~~", "```", "b"]
            .into_iter()
            .map(|l| fence.line(l))
            .collect();
        assert_eq!(inside, [false, true, true, true, true, false]);
    }

    #[test]
    fn dialect_tags() {
        use crate::ast::Dialect as D;
        assert_eq!(D::from_language("zh"), D::Zh);
        assert_eq!(D::from_language("zh-Hans"), D::Zh);
        assert_eq!(D::from_language("ZH_cn"), D::Zh);
        assert_eq!(D::from_language("hu-HU"), D::Hu);
        assert_eq!(D::from_language("en"), D::En);
        assert_eq!(D::from_language("zhx"), D::En);
        assert_eq!(D::from_language("de"), D::En);
    }
}
