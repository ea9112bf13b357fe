//! The words renderers print, per content language (`language:`).
//!
//! Adding a language means adding one table here and one line to
//! [`Labels::for_language`].

/// Every fixed word a rendered page shows.
#[derive(Debug)]
pub struct Labels {
    /// The primary language subtag: `en`, `zh`, `hu`.
    pub language: &'static str,
    pub id: &'static str,
    pub version: &'static str,
    pub owner: &'static str,
    pub status: &'static str,
    pub effective: &'static str,
    pub review: &'static str,
    pub next_review: &'static str,
    /// Marks a value that applies because the file sets none: "every 12
    /// months (default)".
    pub default_marker: &'static str,
    pub tags: &'static str,
    pub purpose: &'static str,
    pub scope: &'static str,
    pub roles: &'static str,
    pub role: &'static str,
    pub description: &'static str,
    pub steps: &'static str,
    pub step: &'static str,
    pub within: &'static str,
    pub say: &'static str,
    pub question: &'static str,
    pub go_to: &'static str,
    pub otherwise: &'static str,
    pub end: &'static str,
    pub hand_off: &'static str,
    pub flowchart: &'static str,
    pub definitions: &'static str,
    pub term: &'static str,
    pub definition: &'static str,
    pub metrics: &'static str,
    pub metric: &'static str,
    pub target: &'static str,
    pub notes: &'static str,
    pub references: &'static str,
    pub revisions: &'static str,
    pub date: &'static str,
    pub author: &'static str,
    pub change: &'static str,
    pub tip: &'static str,
    pub warning: &'static str,
    pub note: &'static str,
    pub draft: &'static str,
    pub active: &'static str,
    pub retired: &'static str,
    /// `every {n} {unit}`: the cadence words, singular and plural.
    pub every: &'static str,
    /// Languages that write a cadence as an adverb after its count, per
    /// day, week, month and year: Hungarian `6 havonta`, `évente`.
    pub cadence_adverbs: Option<[&'static str; 4]>,
    pub day: (&'static str, &'static str),
    pub week: (&'static str, &'static str),
    pub month: (&'static str, &'static str),
    pub year: (&'static str, &'static str),
    pub hour: (&'static str, &'static str),
    pub minute: (&'static str, &'static str),
    pub second: (&'static str, &'static str),
    /// The heading of the time analysis.
    pub time: &'static str,
    /// `sla:`, the limit of the whole procedure.
    pub sla: &'static str,
    pub worst_case: &'static str,
    pub worst_path: &'static str,
    /// Before a worst case that is a lower bound.
    pub at_least: &'static str,
    /// The steps of the worst path without a time limit.
    pub unbounded: &'static str,
    pub by_role: &'static str,
    /// After a worst case longer than `sla:`.
    pub exceeds_sla: &'static str,
    /// After a worst case within `sla:`.
    pub within_sla: &'static str,
    /// When the search stopped at its budget.
    pub inexact: &'static str,
    /// A timeout edge without a known limit.
    pub timeout: &'static str,
    /// A timeout edge: `{}` is the step's limit.
    pub timeout_after: &'static str,
    /// The swimlane of the steps that name no role.
    pub no_role: &'static str,
    /// The start event of an exported process.
    pub start: &'static str,
    /// Above a flowchart too large to read: `{steps}` is the number of
    /// steps, `{size}` how many each box of the overview holds.
    pub overview: &'static str,
    /// A box of the overview: `{first}` and `{last}` are step numbers.
    pub step_range: &'static str,
    /// The heading of the versions of the file recorded in git (the
    /// handbook's SOP pages).
    pub history: &'static str,
    /// The first version of a file.
    pub created: &'static str,
    /// A version that moved the file: `{}` is the path before.
    pub renamed_from: &'static str,
    /// Before a commit id.
    pub commit: &'static str,
    /// After a list cut short: `{}` is the number of versions left out,
    /// singular and plural.
    pub older_versions: (&'static str, &'static str),
    /// A version that has errors, so has no meaning to compare.
    pub version_has_errors: &'static str,
    /// A version whose previous version has errors.
    pub previous_has_errors: &'static str,
}

pub static EN: Labels = Labels {
    language: "en",
    id: "ID",
    version: "Version",
    owner: "Owner",
    status: "Status",
    effective: "Effective",
    review: "Review",
    next_review: "Next review due",
    default_marker: "default",
    tags: "Tags",
    purpose: "Purpose",
    scope: "Scope",
    roles: "Roles",
    role: "Role",
    description: "Description",
    steps: "Procedure",
    step: "Step",
    within: "Time limit",
    say: "Say",
    question: "Question",
    go_to: "Go to",
    otherwise: "Otherwise",
    end: "End",
    hand_off: "Hand off to",
    flowchart: "Flowchart",
    definitions: "Definitions",
    term: "Term",
    definition: "Definition",
    metrics: "Metrics",
    metric: "Metric",
    target: "Target",
    notes: "Notes",
    references: "References",
    revisions: "Revision history",
    date: "Date",
    author: "Author",
    change: "Change",
    tip: "Tip",
    warning: "Warning",
    note: "Note",
    draft: "Draft",
    active: "Active",
    retired: "Retired",
    every: "every",
    cadence_adverbs: None,
    day: ("day", "days"),
    week: ("week", "weeks"),
    month: ("month", "months"),
    year: ("year", "years"),
    hour: ("hour", "hours"),
    minute: ("minute", "minutes"),
    second: ("second", "seconds"),
    time: "Time",
    sla: "Time limit of the whole procedure",
    worst_case: "Worst case",
    worst_path: "Longest path",
    at_least: "at least",
    unbounded: "Steps without a time limit (counted as zero)",
    by_role: "Per role",
    exceeds_sla: "longer than the time limit of the whole procedure",
    within_sla: "within the time limit of the whole procedure",
    inexact:
        "The procedure has too many ways through one loop to try them all: a longer path may exist.",
    timeout: "timeout",
    timeout_after: "timeout after {}",
    no_role: "No role",
    start: "Start",
    overview: "This procedure has {steps} steps: too many for a flowchart that can be read on a page. This overview draws each run of {size} consecutive steps as one box; the number on an arrow counts the ways from one run into the other. Every step is in the procedure below.",
    step_range: "Steps {first}–{last}",
    history: "History",
    created: "created",
    renamed_from: "renamed from {}",
    commit: "commit",
    older_versions: ("and {} older version", "and {} older versions"),
    version_has_errors: "could not be compared: this version has errors",
    previous_has_errors: "could not be compared: the version before it has errors",
};

pub static ZH: Labels = Labels {
    language: "zh",
    id: "编号",
    version: "版本",
    owner: "负责人",
    status: "状态",
    effective: "生效日期",
    review: "审核周期",
    next_review: "下次审核",
    default_marker: "默认",
    tags: "标签",
    purpose: "目的",
    scope: "范围",
    roles: "角色",
    role: "角色",
    description: "说明",
    steps: "步骤",
    step: "步骤",
    within: "时限",
    say: "话术",
    question: "问题",
    go_to: "转到",
    otherwise: "其他情况",
    end: "结束",
    hand_off: "移交",
    flowchart: "流程图",
    definitions: "定义",
    term: "术语",
    definition: "定义",
    metrics: "指标",
    metric: "指标",
    target: "目标",
    notes: "备注",
    references: "参考文献",
    revisions: "修订历史",
    date: "日期",
    author: "作者",
    change: "修改内容",
    tip: "提示",
    warning: "警告",
    note: "注意",
    draft: "草稿",
    active: "生效",
    retired: "已废止",
    every: "每",
    cadence_adverbs: None,
    day: ("天", "天"),
    week: ("周", "周"),
    month: ("个月", "个月"),
    year: ("年", "年"),
    hour: ("小时", "小时"),
    minute: ("分钟", "分钟"),
    second: ("秒", "秒"),
    time: "时限分析",
    sla: "总时限",
    worst_case: "最长耗时",
    worst_path: "最长路径",
    at_least: "至少",
    unbounded: "未设时限的步骤（按零计）",
    by_role: "按角色",
    exceeds_sla: "超过总时限",
    within_sla: "未超过总时限",
    inexact: "流程中的某个循环路线过多，无法逐一计算：可能存在更长的路径。",
    timeout: "超时",
    timeout_after: "{}后超时",
    no_role: "未指定角色",
    start: "开始",
    overview: "本流程共{steps}个步骤，完整的流程图无法在一页中阅读。以下概览把每{size}个连续步骤画成一个方框，箭头上的数字是从一组步骤进入另一组的路径数。所有步骤见下方的流程。",
    step_range: "步骤{first}–{last}",
    history: "版本历史",
    created: "创建",
    renamed_from: "由{}重命名而来",
    commit: "提交",
    older_versions: ("以及更早的{}个版本", "以及更早的{}个版本"),
    version_has_errors: "无法比较：此版本有错误",
    previous_has_errors: "无法比较：上一个版本有错误",
};

pub static HU: Labels = Labels {
    language: "hu",
    id: "Azonosító",
    version: "Verzió",
    owner: "Felelős",
    status: "Állapot",
    effective: "Hatályos",
    review: "Felülvizsgálat",
    next_review: "Következő felülvizsgálat",
    default_marker: "alapértelmezett",
    tags: "Címkék",
    purpose: "Cél",
    scope: "Hatály",
    roles: "Szerepkörök",
    role: "Szerepkör",
    description: "Leírás",
    steps: "Eljárás",
    step: "Lépés",
    within: "Határidő",
    say: "Mondja",
    question: "Kérdés",
    go_to: "Tovább",
    otherwise: "Egyébként",
    end: "Vége",
    hand_off: "Átadás",
    flowchart: "Folyamatábra",
    definitions: "Fogalmak",
    term: "Fogalom",
    definition: "Meghatározás",
    metrics: "Mutatók",
    metric: "Mutató",
    target: "Cél",
    notes: "Megjegyzések",
    references: "Hivatkozások",
    revisions: "Változástörténet",
    date: "Dátum",
    author: "Szerző",
    change: "Változás",
    tip: "Tipp",
    warning: "Figyelem",
    note: "Megjegyzés",
    draft: "Tervezet",
    active: "Érvényes",
    retired: "Visszavonva",
    every: "minden",
    cadence_adverbs: Some(["naponta", "hetente", "havonta", "évente"]),
    day: ("nap", "nap"),
    week: ("hét", "hét"),
    month: ("hónap", "hónap"),
    year: ("év", "év"),
    hour: ("óra", "óra"),
    minute: ("perc", "perc"),
    second: ("másodperc", "másodperc"),
    time: "Időkeret",
    sla: "Teljes határidő",
    worst_case: "Legrosszabb eset",
    worst_path: "Leghosszabb út",
    at_least: "legalább",
    unbounded: "Határidő nélküli lépések (nullának számítva)",
    by_role: "Szerepenként",
    exceeds_sla: "hosszabb a teljes határidőnél",
    within_sla: "belefér a teljes határidőbe",
    inexact: "Az eljárás egy ciklusán túl sok út vezet át ahhoz, hogy mindet végig lehessen próbálni: lehet hosszabb út is.",
    timeout: "lejárt",
    timeout_after: "lejárt: {}",
    no_role: "Szerepkör nélkül",
    start: "Kezdés",
    overview: "Az eljárás {steps} lépésből áll: ennyi lépés folyamatábrája egy oldalon nem olvasható. Ez az áttekintés {size} egymást követő lépést rajzol egy dobozba; a nyílon álló szám azt mutatja, hány út vezet az egyik csoportból a másikba. Minden lépés megtalálható a lenti eljárásban.",
    step_range: "{first}–{last}. lépés",
    history: "Előzmények",
    created: "létrehozva",
    renamed_from: "átnevezve, korábbi neve: {}",
    commit: "véglegesítés",
    older_versions: ("és még {} korábbi változat", "és még {} korábbi változat"),
    version_has_errors: "nem hasonlítható össze: ez a változat hibás",
    previous_has_errors: "nem hasonlítható össze: az előző változat hibás",
};

impl Labels {
    /// The labels for a `language:` tag; English for anything unknown.
    /// Only the primary subtag counts: `zh-CN` and `zh-Hans` are `zh`.
    pub fn for_language(tag: Option<&str>) -> &'static Labels {
        let primary = tag
            .unwrap_or("en")
            .split(['-', '_'])
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => &ZH,
            "hu" => &HU,
            _ => &EN,
        }
    }

    /// `every 6 months` / `每6个月` / `6 havonta`: a spelling
    /// [`Cadence::parse`](crate::values::Cadence::parse) reads back.
    pub fn cadence(&self, cadence: crate::values::Cadence) -> String {
        use crate::values::CalendarUnit;
        let unit = match cadence.unit {
            CalendarUnit::Day => 0,
            CalendarUnit::Week => 1,
            CalendarUnit::Month => 2,
            CalendarUnit::Year => 3,
        };
        if let Some(adverbs) = self.cadence_adverbs {
            // `évente`, `6 havonta`.
            return match cadence.count {
                1 => adverbs[unit].to_string(),
                n => self.join(&[&n.to_string(), adverbs[unit]]),
            };
        }
        let (one, many) = [self.day, self.week, self.month, self.year][unit];
        if cadence.count == 1 {
            // `every year`, `每年`: no count for one.
            return self.join(&[self.every, one]);
        }
        self.join(&[self.every, &cadence.count.to_string(), many])
    }

    /// `1 hour 30 minutes` / `1小时30分钟` / `1 óra 30 perc`: a spelling
    /// [`Duration::parse`](crate::values::Duration::parse) reads back.
    pub fn duration(&self, d: crate::values::Duration) -> String {
        if d == crate::values::Duration::default() {
            return self.join(&["0", self.minute.1]);
        }
        let parts = [
            (d.weeks, self.week),
            (d.days, self.day),
            (d.hours, self.hour),
            (d.minutes, self.minute),
            (d.seconds, self.second),
        ];
        let words: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, (one, many))| self.join(&[&n.to_string(), if *n == 1 { one } else { many }]))
            .collect();
        self.join(&words.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The label of a timeout edge of a step with the limit `within`.
    pub fn timeout_label(&self, within: Option<crate::values::Duration>) -> String {
        match within {
            Some(d) => self.timeout_after.replace("{}", &self.duration(d)),
            None => self.timeout.to_string(),
        }
    }

    /// A worst case as a reader says it: `at least 2 hours` when it is a
    /// lower bound.
    pub fn worst_case_text(&self, analysis: &crate::model::Analysis) -> Option<String> {
        let d = analysis.worst_case?;
        let text = self.duration(d);
        Some(if analysis.is_lower_bound() {
            self.at_least_text(&text)
        } else {
            text
        })
    }

    /// The note above an overview.
    pub fn overview_text(&self, steps: usize, size: usize) -> String {
        self.overview
            .replace("{steps}", &steps.to_string())
            .replace("{size}", &size.to_string())
    }

    /// The title of an overview box.
    pub fn step_range_text(&self, first: usize, last: usize) -> String {
        self.step_range
            .replace("{first}", &first.to_string())
            .replace("{last}", &last.to_string())
    }

    /// `and 3 older versions`.
    pub fn older_versions_text(&self, n: usize) -> String {
        let (one, many) = self.older_versions;
        if n == 1 { one } else { many }.replace("{}", &n.to_string())
    }

    /// `{label}: {text}`, with the full-width colon in Chinese.
    pub fn field(&self, label: &str, text: &str) -> String {
        if std::ptr::eq(self, &ZH) {
            format!("{label}：{text}")
        } else {
            format!("{label}: {text}")
        }
    }

    /// `at least {text}`.
    pub fn at_least_text(&self, text: &str) -> String {
        self.join(&[self.at_least, text])
    }

    fn join(&self, words: &[&str]) -> String {
        // Chinese writes numbers and units without spaces between words.
        let sep = if std::ptr::eq(self, &ZH) { "" } else { " " };
        words.join(sep)
    }

    pub fn status(&self, status: crate::values::Status) -> &'static str {
        match status {
            crate::values::Status::Draft => self.draft,
            crate::values::Status::Active => self.active,
            crate::values::Status::Retired => self.retired,
        }
    }

    pub fn callout(&self, kind: crate::model::CalloutKind) -> &'static str {
        match kind {
            crate::model::CalloutKind::Tip => self.tip,
            crate::model::CalloutKind::Warning => self.warning,
            crate::model::CalloutKind::Note => self.note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{Cadence, Duration};

    #[test]
    fn picks_tables_by_primary_subtag() {
        assert_eq!(Labels::for_language(Some("zh-CN")).purpose, "目的");
        assert_eq!(Labels::for_language(Some("HU")).purpose, "Cél");
        assert_eq!(Labels::for_language(None).purpose, "Purpose");
        assert_eq!(Labels::for_language(Some("xx")).purpose, "Purpose");
    }

    #[test]
    fn words_for_values() {
        let c = Cadence::parse("every 6 months").unwrap();
        assert_eq!(EN.cadence(c), "every 6 months");
        assert_eq!(ZH.cadence(c), "每6个月");
        let yearly = Cadence::parse("every year").unwrap();
        assert_eq!(EN.cadence(yearly), "every year");
        assert_eq!(ZH.cadence(yearly), "每年");
        let d = Duration::parse("1h 30m").unwrap();
        assert_eq!(EN.duration(d), "1 hour 30 minutes");
        assert_eq!(HU.duration(d), "1 óra 30 perc");
        assert_eq!(ZH.duration(d), "1小时30分钟");
        let quarterly = Cadence::parse("quarterly").unwrap();
        assert_eq!(EN.cadence(quarterly), "every 3 months");
        assert_eq!(HU.cadence(quarterly), "3 havonta");
        assert_eq!(HU.cadence(yearly), "évente");
        assert_eq!(HU.cadence(c), "6 havonta");
    }

    /// A file written `within: 30s` reads naturally in its own language.
    #[test]
    fn english_values_render_in_the_files_language() {
        let d = Duration::parse("30s").unwrap();
        assert_eq!(EN.duration(d), "30 seconds");
        assert_eq!(ZH.duration(d), "30秒");
        assert_eq!(HU.duration(d), "30 másodperc");
        let c = Cadence::parse("every 6 months").unwrap();
        assert_eq!(HU.cadence(c), "6 havonta");
        let weekly = Cadence::parse("weekly").unwrap();
        assert_eq!(ZH.cadence(weekly), "每周");
        assert_eq!(HU.cadence(weekly), "hetente");
    }

    /// Whatever a page prints as a time limit or a cadence, in any language,
    /// the parser reads back as the same value.
    #[test]
    fn rendered_values_parse_back_to_the_same_value() {
        use crate::values::CalendarUnit;
        const AMOUNTS: [u64; 9] = [0, 1, 2, 7, 15, 30, 99, 120, 1000];
        for labels in [&EN, &ZH, &HU] {
            for weeks in AMOUNTS {
                for days in AMOUNTS {
                    for hours in AMOUNTS {
                        for minutes in AMOUNTS {
                            for seconds in AMOUNTS {
                                let d = Duration {
                                    weeks,
                                    days,
                                    hours,
                                    minutes,
                                    seconds,
                                };
                                if d == Duration::default() {
                                    continue;
                                }
                                let text = labels.duration(d);
                                assert_eq!(Duration::parse(&text), Some(d), "{text:?}");
                            }
                        }
                    }
                }
            }
            for unit in [
                CalendarUnit::Day,
                CalendarUnit::Week,
                CalendarUnit::Month,
                CalendarUnit::Year,
            ] {
                for count in (1..=400).chain([9999, u32::MAX]) {
                    let c = Cadence { count, unit };
                    let text = labels.cadence(c);
                    assert_eq!(Cadence::parse(&text), Some(c), "{text:?}");
                }
            }
        }
    }
}
