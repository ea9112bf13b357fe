//! The keywords of the language in every dialect: what the grammar
//! recognises by name. One table for the parser, the formatter, the rules
//! that suggest keywords and `sop new`.
//!
//! English keywords are valid in every file. A file's `language:` selects
//! one more set of spellings, its [`Dialect`]: Chinese or Hungarian. English
//! keywords match ASCII-case-insensitively; Hungarian ones also without
//! accents (`lepes` = `lépés`); Chinese ones exactly.

use std::collections::HashMap;

use crate::ast::{CalloutKind, Dialect, SectionKind};

/// A keyword the grammar recognised on a `key:` line, by what it introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Section(SectionKind),
    Meta(&'static str),
    Attribute(&'static str),
    Callout(CalloutKind),
}

/// Any word of the language: the `key:` keywords, and the words that
/// start step and branch lines, the reserved targets and the status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    Key(Keyword),
    Step,
    If,
    Otherwise,
    Timeout,
    Next,
    End,
    /// A value of `status:`, by its English name.
    Status(&'static str),
}

/// The metadata keys, in their canonical spelling.
pub const META_KEYS: [&str; 8] = [
    "version",
    "owner",
    "status",
    "effective",
    "review",
    "tags",
    "language",
    "sla",
];
/// The attributes of a step.
pub const ATTRIBUTES: [&str; 4] = ["role", "within", "say", "ask"];

/// One word and its spellings: English, Chinese, Hungarian. The first
/// spelling of each is the canonical one, which `sop fmt` writes.
struct Spellings {
    word: Word,
    en: &'static [&'static str],
    zh: &'static [&'static str],
    hu: &'static [&'static str],
}

/// Every spelling of every word, in every dialect (for tools that must
/// know them all, such as the editor grammar's test).
pub fn all_spellings() -> impl Iterator<Item = (Word, &'static str)> {
    TABLE.iter().flat_map(|entry| {
        entry
            .en
            .iter()
            .chain(entry.zh)
            .chain(entry.hu)
            .map(move |spelling| (entry.word, *spelling))
    })
}

const fn sp(
    word: Word,
    en: &'static [&'static str],
    zh: &'static [&'static str],
    hu: &'static [&'static str],
) -> Spellings {
    Spellings { word, en, zh, hu }
}

use Keyword::{Attribute, Callout, Meta, Section};
use SectionKind as S;

/// The table of the contract (docs/language.md, "Keyword dialects").
const TABLE: &[Spellings] = &[
    sp(
        Word::Key(Section(S::Purpose)),
        &["purpose"],
        &["目的"],
        &["cél"],
    ),
    sp(
        Word::Key(Section(S::Scope)),
        &["scope"],
        &["范围", "适用范围"],
        &["hatály", "hatókör"],
    ),
    sp(
        Word::Key(Section(S::Roles)),
        &["roles"],
        &["职责", "角色分工"],
        &["szerepkörök"],
    ),
    sp(
        Word::Key(Section(S::Definitions)),
        &["definitions"],
        &["定义", "术语"],
        &["fogalmak"],
    ),
    sp(
        Word::Key(Section(S::Steps)),
        &["steps"],
        &["流程", "程序", "过程"],
        &["lépések", "eljárás"],
    ),
    sp(
        Word::Key(Section(S::Metrics)),
        &["metrics"],
        &["指标"],
        &["mutatók"],
    ),
    sp(
        Word::Key(Section(S::Notes)),
        &["notes"],
        &["备注"],
        &["megjegyzések"],
    ),
    sp(
        Word::Key(Section(S::References)),
        &["references"],
        &["参考", "参考资料", "相关文件"],
        &["hivatkozások"],
    ),
    sp(
        Word::Key(Section(S::Revisions)),
        &["revisions"],
        &["修订记录", "修订历史"],
        &["változások", "változástörténet"],
    ),
    sp(Word::Step, &["step"], &["步骤"], &["lépés"]),
    sp(
        Word::Key(Attribute("role")),
        &["role"],
        &["角色"],
        &["szerepkör"],
    ),
    sp(
        Word::Key(Attribute("within")),
        &["within"],
        &["时限"],
        &["határidő"],
    ),
    sp(
        Word::Key(Attribute("say")),
        &["say"],
        &["话术"],
        &["mondja"],
    ),
    sp(
        Word::Key(Attribute("ask")),
        &["ask"],
        &["询问"],
        &["kérdés"],
    ),
    sp(
        Word::Key(Callout(CalloutKind::Tip)),
        &["tip"],
        &["提示"],
        &["tipp"],
    ),
    sp(
        Word::Key(Callout(CalloutKind::Warning)),
        &["warning"],
        &["警告"],
        &["figyelem"],
    ),
    sp(
        Word::Key(Callout(CalloutKind::Note)),
        &["note"],
        &["注意"],
        &["megjegyzés"],
    ),
    sp(Word::If, &["if"], &["如果"], &["ha"]),
    sp(
        Word::Otherwise,
        &["otherwise", "else"],
        &["否则"],
        &["egyébként", "különben"],
    ),
    sp(Word::Timeout, &["timeout"], &["超时"], &["lejárt"]),
    sp(Word::Next, &["next"], &["下一步"], &["következő"]),
    sp(Word::End, &["end"], &["结束"], &["vége"]),
    sp(
        Word::Key(Meta("version")),
        &["version"],
        &["版本"],
        &["verzió"],
    ),
    sp(
        Word::Key(Meta("owner")),
        &["owner"],
        &["负责人"],
        &["felelős"],
    ),
    sp(
        Word::Key(Meta("status")),
        &["status"],
        &["状态"],
        &["állapot"],
    ),
    sp(
        Word::Key(Meta("effective")),
        &["effective"],
        &["生效日期"],
        &["hatályos"],
    ),
    sp(
        Word::Key(Meta("review")),
        &["review"],
        &["审核周期"],
        &["felülvizsgálat"],
    ),
    sp(Word::Key(Meta("tags")), &["tags"], &["标签"], &["címkék"]),
    sp(
        Word::Key(Meta("sla")),
        &["sla"],
        &["总时限"],
        &["teljes határidő"],
    ),
    sp(
        Word::Key(Meta("language")),
        &["language"],
        &["语言"],
        &["nyelv"],
    ),
    sp(Word::Status("draft"), &["draft"], &["草稿"], &["vázlat"]),
    sp(
        Word::Status("active"),
        &["active"],
        &["生效"],
        &["érvényes"],
    ),
    sp(
        Word::Status("retired"),
        &["retired"],
        &["废止"],
        &["visszavont"],
    ),
];

/// Headings that name a section in other words (`Revision history:`,
/// `目标：`), for `unknown-section` and `unknown-key`. Compared after
/// [`normalize_heading`]; Hungarian ones without accents.
const SECTION_SYNONYMS: &[(SectionKind, &[&str])] = &[
    (
        S::Purpose,
        &[
            "objective",
            "objectives",
            "goal",
            "goals",
            "目标",
            "宗旨",
            "目的和范围",
            "编制目的",
            "celkituzes",
            "celja",
            "az eljaras celja",
        ],
    ),
    (
        S::Scope,
        &[
            "applicability",
            "scope of application",
            "应用范围",
            "使用范围",
            "alkalmazasi terulet",
            "ervenyessegi kor",
            "hatalya",
            "ervenyesseg",
        ],
    ),
    (
        S::Roles,
        &[
            "responsibilities",
            "roles and responsibilities",
            "raci",
            "岗位职责",
            "职责分工",
            "人员职责",
            "felelossegek",
            "feladatok es felelossegek",
            "szerepek",
            "felelosok",
        ],
    ),
    (
        S::Definitions,
        &[
            "glossary",
            "terminology",
            "abbreviations",
            "terms and definitions",
            "名词解释",
            "术语定义",
            "术语和定义",
            "名词定义",
            "fogalommeghatarozasok",
            "definiciok",
            "szoszedet",
            "fogalomtar",
            "roviditesek",
        ],
    ),
    (
        S::Steps,
        &[
            "procedure",
            "procedures",
            "instructions",
            "workflow",
            "procedure steps",
            "操作步骤",
            "工作流程",
            "操作流程",
            "处理流程",
            "服务流程",
            "工作程序",
            "eljarasrend",
            "folyamatleiras",
            "munkafolyamat",
        ],
    ),
    (
        S::Metrics,
        &[
            "kpi",
            "kpis",
            "key performance indicators",
            "考核指标",
            "绩效指标",
            "关键指标",
            "kpi指标",
            "teljesitmenymutatok",
            "meroszamok",
            "kpi-k",
        ],
    ),
    (
        S::Notes,
        &[
            "remarks",
            "additional notes",
            "附注",
            "注意事项",
            "备注说明",
            "eszrevetelek",
            "megjegyzesek es tippek",
        ],
    ),
    (
        S::References,
        &[
            "related documents",
            "see also",
            "related procedures",
            "参考文件",
            "引用文件",
            "相关文档",
            "相关流程",
            "相关制度",
            "kapcsolodo dokumentumok",
            "forrasok",
            "hivatkozott dokumentumok",
            "kapcsolodo eljarasok",
        ],
    ),
    (
        S::Revisions,
        &[
            "revision history",
            "change log",
            "changelog",
            "version history",
            "document history",
            "修订",
            "版本记录",
            "变更记录",
            "修改记录",
            "版本历史",
            "modositasok",
            "verziotortenet",
            "valtozaskezeles",
            "verziok",
        ],
    ),
];

impl Keyword {
    /// The keyword a `key:` line's key is in a file of `dialect`, if any.
    pub fn classify(word: &str, dialect: Dialect) -> Option<Keyword> {
        match lookup(word, dialect)? {
            (Word::Key(keyword), _) => Some(keyword),
            _ => None,
        }
    }
}

/// Looks `word` up among the English spellings and those of `dialect`;
/// returns the word and the dialect of the spelling that matched. The
/// `language:` key matches in every spelling in every file.
pub fn lookup(word: &str, dialect: Dialect) -> Option<(Word, Dialect)> {
    let hits = candidates(word)?;
    let mut found = None;
    for &(w, d, spelling) in hits {
        if !same(spelling, word, d) {
            continue;
        }
        if d == Dialect::En {
            return Some((w, d));
        }
        if found.is_none() && (d == dialect || w == Word::Key(Meta("language"))) {
            found = Some((w, d));
        }
    }
    found
}

/// Looks `word` up in the dialects other than English and `dialect`: a
/// keyword written for another language than the file's. Only words with a
/// letter outside ASCII count, so that English words that happen to be
/// Hungarian keywords without their accents stay text.
pub fn foreign(word: &str, dialect: Dialect) -> Option<(Word, Dialect)> {
    // Chinese keywords, and Hungarian ones written with their accents, are
    // never ASCII: an ASCII word (`cel`, `tipp`) is read as English text.
    if word.is_ascii() {
        return None;
    }
    candidates(word)?
        .iter()
        .find(|&&(_, d, spelling)| d != Dialect::En && d != dialect && same(spelling, word, d))
        .map(|&(w, d, _)| (w, d))
}

/// Every spelling of the table by its folded form (lower case, Hungarian
/// accents dropped), so that a look-up is one hash probe, not a scan.
type Spelled = (Word, Dialect, &'static str);

static BY_FOLDED: std::sync::LazyLock<HashMap<String, Vec<Spelled>>> =
    std::sync::LazyLock::new(|| {
        let mut map: HashMap<String, Vec<Spelled>> = HashMap::new();
        for entry in TABLE {
            for dialect in [Dialect::En, Dialect::Zh, Dialect::Hu] {
                for &spelling in spellings(entry, dialect) {
                    let folded: String = spelling.chars().map(fold).collect();
                    map.entry(folded)
                        .or_default()
                        .push((entry.word, dialect, spelling));
                }
            }
        }
        map
    });

/// The longest spelling, in bytes: longer words are no keyword.
const LONGEST: usize = 48;

/// The spellings whose folded form is the folded `word`.
fn candidates(word: &str) -> Option<&'static [Spelled]> {
    if word.len() > LONGEST {
        return None;
    }
    let mut buf = [0u8; LONGEST * 2];
    let mut len = 0;
    for c in word.chars().map(fold) {
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let folded = std::str::from_utf8(&buf[..len]).ok()?;
    BY_FOLDED.get(folded).map(Vec::as_slice)
}

/// The canonical spelling of `word` in `dialect`.
pub fn spelling(word: Word, dialect: Dialect) -> &'static str {
    TABLE
        .iter()
        .find(|e| e.word == word)
        .map_or("", |e| spellings(e, dialect)[0])
}

fn spellings(entry: &Spellings, dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::En => entry.en,
        Dialect::Zh => entry.zh,
        Dialect::Hu => entry.hu,
    }
}

/// Whether `written` is the spelling `canonical` of `dialect`.
fn same(canonical: &str, written: &str, dialect: Dialect) -> bool {
    match dialect {
        Dialect::En => canonical.eq_ignore_ascii_case(written),
        Dialect::Zh => canonical == written,
        Dialect::Hu => canonical.chars().map(fold).eq(written.chars().map(fold)),
    }
}

/// A Hungarian letter in lower case without its accent.
pub fn fold(c: char) -> char {
    match c {
        'á' | 'Á' => 'a',
        'é' | 'É' => 'e',
        'í' | 'Í' => 'i',
        'ó' | 'Ó' | 'ö' | 'Ö' | 'ő' | 'Ő' => 'o',
        'ú' | 'Ú' | 'ü' | 'Ü' | 'ű' | 'Ű' => 'u',
        c => c.to_ascii_lowercase(),
    }
}

/// Whether a text starts with the step keyword of English or `dialect`,
/// and where the rest of the line starts: `step`, `步骤`, `lépés`,
/// followed by whitespace, the end, or (after `步骤`) a digit or an ASCII
/// letter (`步骤1`).
pub fn step_keyword(text: &str, dialect: Dialect) -> Option<usize> {
    // Called on every prose line of a step: compared directly, not looked
    // up.
    let word_end = text
        .find(|c: char| c.is_whitespace() || c == ':' || c == '：')
        .unwrap_or(text.len());
    let word = &text[..word_end];
    let step = word.eq_ignore_ascii_case("step")
        || match dialect {
            Dialect::En => false,
            Dialect::Zh => word == "步骤",
            Dialect::Hu => word.len() <= "lépés".len() && same("lépés", word, Dialect::Hu),
        };
    if step {
        return Some(word_end);
    }
    if dialect == Dialect::Zh {
        let rest = text.strip_prefix("步骤")?;
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Some("步骤".len());
        }
    }
    None
}

/// The status a `status:` value names, in any dialect.
pub fn status_value(text: &str) -> Option<&'static str> {
    let text = text.trim();
    [Dialect::En, Dialect::Zh, Dialect::Hu]
        .into_iter()
        .find_map(|d| match lookup(text, d) {
            Some((Word::Status(s), _)) => Some(s),
            _ => None,
        })
}

/// A reserved target (`next`, `end`, `下一步`, `vége`…) in a file of
/// `dialect`.
pub fn reserved_target(token: &str, dialect: Dialect) -> Option<Word> {
    match lookup(token, dialect) {
        Some((w @ (Word::Next | Word::End), _)) => Some(w),
        _ => None,
    }
}

/// The section a heading names in other words (`Revision history`,
/// `目标`), in any language.
pub fn section_synonym(heading: &str) -> Option<SectionKind> {
    let normal = normalize_heading(heading);
    SECTION_SYNONYMS
        .iter()
        .find(|(_, words)| words.iter().any(|w| *w == normal))
        .map(|(kind, _)| *kind)
}

/// A heading in lower case, without Hungarian accents, with runs of
/// whitespace as one space.
fn normalize_heading(heading: &str) -> String {
    let mut out = String::with_capacity(heading.len());
    for word in heading.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(fold));
    }
    out
}

/// The dialect a file is written in: the value of its `language:` line
/// (spelled `language`, `语言` or `nyelv`) among the lines before its first
/// section. Read before parsing, since the dialect also holds for the
/// lines above the `language:` line.
pub fn dialect_of(text: &str) -> Dialect {
    for raw in text.split('\n') {
        let line = raw.trim_matches(|c: char| c.is_whitespace());
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once([':', '：']) else {
            continue;
        };
        let key = key.trim();
        if [Dialect::Zh, Dialect::Hu, Dialect::En]
            .into_iter()
            .any(|d| matches!(lookup(key, d), Some((Word::Key(Meta("language")), _))))
        {
            return Dialect::from_language(value.trim());
        }
        let section = [Dialect::En, Dialect::Zh, Dialect::Hu]
            .into_iter()
            .any(|d| matches!(lookup(key, d), Some((Word::Key(Section(_)), _))));
        if section {
            break;
        }
    }
    Dialect::En
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_valid_everywhere_and_dialects_only_in_their_files() {
        for d in [Dialect::En, Dialect::Zh, Dialect::Hu] {
            assert_eq!(
                Keyword::classify("PURPOSE", d),
                Some(Section(S::Purpose)),
                "{d:?}"
            );
        }
        assert_eq!(Keyword::classify("目的", Dialect::En), None);
        assert_eq!(
            Keyword::classify("目的", Dialect::Zh),
            Some(Section(S::Purpose))
        );
        assert_eq!(Keyword::classify("cél", Dialect::Zh), None);
        assert_eq!(
            Keyword::classify("Cel", Dialect::Hu),
            Some(Section(S::Purpose))
        );
        assert_eq!(
            Keyword::classify("LEPESEK", Dialect::Hu),
            Some(Section(S::Steps))
        );
        assert_eq!(
            Keyword::classify("határido", Dialect::Hu),
            Some(Attribute("within"))
        );
        for d in [Dialect::En, Dialect::Zh, Dialect::Hu] {
            assert_eq!(Keyword::classify("语言", d), Some(Meta("language")));
            assert_eq!(Keyword::classify("Nyelv", d), Some(Meta("language")));
        }
    }

    #[test]
    fn step_keywords() {
        assert_eq!(step_keyword("step a: A", Dialect::En), Some(4));
        assert_eq!(step_keyword("Step: A", Dialect::En), Some(4));
        assert_eq!(step_keyword("steps: A", Dialect::En), None);
        assert_eq!(step_keyword("步骤 a：A", Dialect::Zh), Some(6));
        assert_eq!(step_keyword("步骤1：A", Dialect::Zh), Some(6));
        assert_eq!(step_keyword("步骤说明：A", Dialect::Zh), None);
        assert_eq!(step_keyword("步骤 a：A", Dialect::En), None);
        assert_eq!(step_keyword("Lepes a: A", Dialect::Hu), Some(5));
    }

    #[test]
    fn dialect_of_a_file() {
        assert_eq!(
            dialect_of("sop A: T\n版本：1.0\n语言：zh-CN\n目的：x\n"),
            Dialect::Zh
        );
        assert_eq!(dialect_of("sop A: T\nnyelv: hu\n"), Dialect::Hu);
        assert_eq!(dialect_of("sop A: T\nsteps:\nlanguage: zh\n"), Dialect::En);
        assert_eq!(dialect_of("sop A: T\nlanguage: en\n"), Dialect::En);
    }

    #[test]
    fn no_spelling_is_longer_than_the_look_up_buffer() {
        for entry in TABLE {
            for d in [Dialect::En, Dialect::Zh, Dialect::Hu] {
                for s in spellings(entry, d) {
                    assert!(s.len() <= LONGEST, "{s}");
                }
            }
        }
        // Folding never makes a word longer: accented letters are two
        // bytes, their plain forms one.
        assert_eq!(lookup(&"é".repeat(LONGEST / 2), Dialect::Hu), None);
        assert_eq!(lookup(&"x".repeat(1000), Dialect::En), None);
    }

    #[test]
    fn every_word_has_a_spelling_in_every_dialect() {
        for entry in TABLE {
            for d in [Dialect::En, Dialect::Zh, Dialect::Hu] {
                let s = spelling(entry.word, d);
                assert!(!s.is_empty());
                assert_eq!(lookup(s, d).map(|(w, _)| w), Some(entry.word), "{s}");
            }
        }
    }

    #[test]
    fn synonyms() {
        assert_eq!(section_synonym("Revision  History"), Some(S::Revisions));
        assert_eq!(section_synonym("目标"), Some(S::Purpose));
        assert_eq!(section_synonym("Eljárásrend"), Some(S::Steps));
        assert_eq!(section_synonym("Settings"), None);
        // No synonym is a keyword of any dialect.
        for (_, words) in SECTION_SYNONYMS {
            for w in *words {
                for d in [Dialect::En, Dialect::Zh, Dialect::Hu] {
                    assert!(lookup(w, d).is_none(), "{w}");
                }
            }
        }
    }
}
