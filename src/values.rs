//! Typed metadata values: dates, durations, review cadences, versions, status.
//!
//! Each type parses from the text an author writes and prints the canonical
//! form the JSON workflow definition uses. Calendar arithmetic is jiff's.

use std::cmp::Ordering;
use std::fmt;

use serde::{Serialize, Serializer};

/// A calendar date, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl Date {
    /// Parses exactly `YYYY-MM-DD` with a real month and day.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        let year: i16 = text[0..4].parse().ok()?;
        let month: i8 = text[5..7].parse().ok()?;
        let day: i8 = text[8..10].parse().ok()?;
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    pub fn today() -> Date {
        Date(jiff::Zoned::now().date())
    }

    /// Adds a review cadence; adding months clamps to the month's end.
    pub fn plus(self, cadence: Cadence) -> Option<Date> {
        let n = i64::from(cadence.count);
        let span = match cadence.unit {
            CalendarUnit::Day => jiff::Span::new().try_days(n).ok()?,
            CalendarUnit::Week => jiff::Span::new().try_weeks(n).ok()?,
            CalendarUnit::Month => jiff::Span::new().try_months(n).ok()?,
            CalendarUnit::Year => jiff::Span::new().try_years(n).ok()?,
        };
        self.0.checked_add(span).ok().map(Date)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later
            .0
            .since((jiff::Unit::Day, self.0))
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A unit of a time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeUnit {
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

impl TimeUnit {
    fn seconds(self) -> u64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        }
    }
}

/// The words for the units of a time limit, folded (see [`fold`]): English,
/// and Hungarian with the forms `belül` ("within") takes (`30 percen
/// belül`).
const TIME_WORDS: &[(&str, TimeUnit)] = &[
    ("s", TimeUnit::Second),
    ("sec", TimeUnit::Second),
    ("secs", TimeUnit::Second),
    ("second", TimeUnit::Second),
    ("seconds", TimeUnit::Second),
    ("masodperc", TimeUnit::Second),
    ("masodpercen", TimeUnit::Second),
    ("mp", TimeUnit::Second),
    ("m", TimeUnit::Minute),
    ("min", TimeUnit::Minute),
    ("mins", TimeUnit::Minute),
    ("minute", TimeUnit::Minute),
    ("minutes", TimeUnit::Minute),
    ("perc", TimeUnit::Minute),
    ("percen", TimeUnit::Minute),
    ("h", TimeUnit::Hour),
    ("hr", TimeUnit::Hour),
    ("hrs", TimeUnit::Hour),
    ("hour", TimeUnit::Hour),
    ("hours", TimeUnit::Hour),
    ("ora", TimeUnit::Hour),
    ("oran", TimeUnit::Hour),
    ("d", TimeUnit::Day),
    ("day", TimeUnit::Day),
    ("days", TimeUnit::Day),
    ("nap", TimeUnit::Day),
    ("napon", TimeUnit::Day),
    ("w", TimeUnit::Week),
    ("week", TimeUnit::Week),
    ("weeks", TimeUnit::Week),
    ("het", TimeUnit::Week),
    ("heten", TimeUnit::Week),
];

/// The Chinese units of a time limit, each before any it starts with.
const TIME_HANZI: &[(&str, TimeUnit)] = &[
    ("秒钟", TimeUnit::Second),
    ("秒", TimeUnit::Second),
    ("分钟", TimeUnit::Minute),
    ("分", TimeUnit::Minute),
    ("小时", TimeUnit::Hour),
    ("钟头", TimeUnit::Hour),
    ("天", TimeUnit::Day),
    ("日", TimeUnit::Day),
    ("星期", TimeUnit::Week),
    ("礼拜", TimeUnit::Week),
    ("周", TimeUnit::Week),
];

/// A part of a unit written with the amount: `半小时`, `fél óra`,
/// `negyedóra`, `1个半小时`, `half an hour`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fraction {
    Whole,
    Half,
    Quarters(u64),
}

/// A time limit such as `30s`, `1h 30m`, `24 hours`, `PT30S`, `1小时30分钟`
/// or `1 óra 30 perc`.
///
/// The amounts are kept per unit as written, so `24 hours` stays `PT24H`
/// and `1 day` stays `P1D`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Duration {
    pub weeks: u64,
    pub days: u64,
    pub hours: u64,
    pub minutes: u64,
    pub seconds: u64,
}

impl Duration {
    /// Reads a time limit in English, Chinese or Hungarian units, or ISO
    /// 8601. `None` when it is not one; [`Duration::read`] says why.
    pub fn parse(text: &str) -> Option<Duration> {
        let text = text.trim();
        if text.len() > 1 && text.starts_with(['P', 'p']) {
            return Duration::parse_iso(text);
        }
        Duration::parse_words(text)
    }

    /// Like [`Duration::parse`], and when the text is not a time limit,
    /// why: working days are told apart from anything else.
    pub fn read(text: &str) -> Result<Duration, Unparsed> {
        Duration::parse(text).ok_or_else(|| Unparsed::of(text))
    }

    fn parse_words(text: &str) -> Option<Duration> {
        let mut d = Duration::default();
        let mut scan = Scan { rest: text };
        let mut any = false;
        loop {
            scan.skip_separators(any);
            if scan.rest.is_empty() {
                break;
            }
            if any && scan.eat_within_word() {
                scan.skip_separators(true);
                if scan.rest.is_empty() {
                    break;
                }
                return None;
            }
            d.read_part(&mut scan)?;
            any = true;
        }
        (any && d.total_seconds().is_some_and(|s| s > 0)).then_some(d)
    }

    /// One amount and its unit: `30s`, `两个小时`, `1个半小时`, `fél óra`.
    fn read_part(&mut self, scan: &mut Scan<'_>) -> Option<()> {
        let (whole, fraction) = scan.amount()?;
        scan.skip_spaces();
        let unit = scan.time_unit()?;
        match (fraction, unit) {
            (Fraction::Whole, unit) => self.add(unit, whole),
            (Fraction::Half, TimeUnit::Hour) => {
                self.add(TimeUnit::Hour, whole)?;
                self.add(TimeUnit::Minute, 30)
            }
            (Fraction::Half, TimeUnit::Minute) => {
                self.add(TimeUnit::Minute, whole)?;
                self.add(TimeUnit::Second, 30)
            }
            (Fraction::Quarters(n), TimeUnit::Hour) if whole == 0 => {
                self.add(TimeUnit::Minute, 15 * n)
            }
            // Half a day or half a week: a working day or a calendar one?
            // Say it in hours.
            _ => None,
        }
    }

    fn parse_iso(text: &str) -> Option<Duration> {
        let upper = text.to_ascii_uppercase();
        let body = upper.strip_prefix('P')?;
        let (date_part, time_part) = match body.split_once('T') {
            Some((d, t)) if !t.is_empty() => (d, Some(t)),
            Some(_) => return None,
            None => (body, None),
        };
        let mut d = Duration::default();
        let mut any = false;
        for (part, in_time) in [(date_part, false), (time_part.unwrap_or(""), true)] {
            let mut num = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() {
                    num.push(c);
                    continue;
                }
                if num.is_empty() {
                    return None;
                }
                let amount: u64 = num.parse().ok()?;
                num.clear();
                let unit = match (c, in_time) {
                    ('W', false) => TimeUnit::Week,
                    ('D', false) => TimeUnit::Day,
                    ('H', true) => TimeUnit::Hour,
                    ('M', true) => TimeUnit::Minute,
                    ('S', true) => TimeUnit::Second,
                    _ => return None,
                };
                d.add(unit, amount)?;
                any = true;
            }
            if !num.is_empty() {
                return None;
            }
        }
        (any && d.total_seconds().is_some_and(|s| s > 0)).then_some(d)
    }

    fn add(&mut self, unit: TimeUnit, amount: u64) -> Option<()> {
        let slot = match unit {
            TimeUnit::Week => &mut self.weeks,
            TimeUnit::Day => &mut self.days,
            TimeUnit::Hour => &mut self.hours,
            TimeUnit::Minute => &mut self.minutes,
            TimeUnit::Second => &mut self.seconds,
        };
        *slot = slot.checked_add(amount)?;
        Some(())
    }

    /// The length in seconds, `u64::MAX` when it is longer than that.
    pub fn saturating_seconds(&self) -> u64 {
        self.total_seconds().unwrap_or(u64::MAX)
    }

    /// The length in seconds, `None` on overflow.
    pub fn total_seconds(&self) -> Option<u64> {
        [
            (self.weeks, TimeUnit::Week),
            (self.days, TimeUnit::Day),
            (self.hours, TimeUnit::Hour),
            (self.minutes, TimeUnit::Minute),
            (self.seconds, TimeUnit::Second),
        ]
        .into_iter()
        .try_fold(0u64, |acc, (n, unit)| {
            acc.checked_add(n.checked_mul(unit.seconds())?)
        })
    }

    /// A length in seconds as days of 24 hours, hours, minutes and
    /// seconds, each below the next unit (the canonical form of XML
    /// Schema's `dayTimeDuration`): 93,600 seconds is `P1DT2H`. Days beyond
    /// what fits are capped.
    pub fn from_seconds(total: u128) -> Duration {
        let part = |n: u128| u64::try_from(n).unwrap_or(u64::MAX);
        Duration {
            weeks: 0,
            days: part(total / 86_400),
            hours: part(total % 86_400 / 3_600),
            minutes: part(total % 3_600 / 60),
            seconds: part(total % 60),
        }
    }

    /// ISO 8601, in the units written: `PT30S`, `PT1H30M`, `P1D`, `P2W`.
    /// Weeks mixed with other units are written as days, since ISO 8601
    /// allows `W` only on its own. Nothing at all is `PT0S`.
    pub fn iso(&self) -> String {
        if *self == Duration::default() {
            return "PT0S".into();
        }
        let mut out = String::from("P");
        let only_weeks = self.weeks > 0
            && self.days == 0
            && self.hours == 0
            && self.minutes == 0
            && self.seconds == 0;
        if only_weeks {
            out.push_str(&format!("{}W", self.weeks));
            return out;
        }
        let days = self.days + self.weeks * 7;
        if days > 0 {
            out.push_str(&format!("{days}D"));
        }
        if self.hours > 0 || self.minutes > 0 || self.seconds > 0 {
            out.push('T');
            for (n, u) in [(self.hours, 'H'), (self.minutes, 'M'), (self.seconds, 'S')] {
                if n > 0 {
                    out.push_str(&format!("{n}{u}"));
                }
            }
        }
        out
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

/// A calendar unit of a review cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CalendarUnit {
    Day,
    Week,
    Month,
    Year,
}

/// The words of a review cadence, folded (see [`fold`]), with the number of
/// units each stands for: English, then Hungarian.
const CADENCE_WORDS: &[(&str, CalendarUnit, u32)] = &[
    ("d", CalendarUnit::Day, 1),
    ("day", CalendarUnit::Day, 1),
    ("days", CalendarUnit::Day, 1),
    ("daily", CalendarUnit::Day, 1),
    ("w", CalendarUnit::Week, 1),
    ("week", CalendarUnit::Week, 1),
    ("weeks", CalendarUnit::Week, 1),
    ("weekly", CalendarUnit::Week, 1),
    ("fortnight", CalendarUnit::Week, 2),
    ("fortnights", CalendarUnit::Week, 2),
    ("fortnightly", CalendarUnit::Week, 2),
    ("month", CalendarUnit::Month, 1),
    ("months", CalendarUnit::Month, 1),
    ("monthly", CalendarUnit::Month, 1),
    ("quarter", CalendarUnit::Month, 3),
    ("quarters", CalendarUnit::Month, 3),
    ("quarterly", CalendarUnit::Month, 3),
    ("half-year", CalendarUnit::Month, 6),
    ("half-yearly", CalendarUnit::Month, 6),
    ("halfyearly", CalendarUnit::Month, 6),
    ("semi-annually", CalendarUnit::Month, 6),
    ("semiannually", CalendarUnit::Month, 6),
    ("y", CalendarUnit::Year, 1),
    ("year", CalendarUnit::Year, 1),
    ("years", CalendarUnit::Year, 1),
    ("yearly", CalendarUnit::Year, 1),
    ("annually", CalendarUnit::Year, 1),
    ("biennially", CalendarUnit::Year, 2),
    ("nap", CalendarUnit::Day, 1),
    ("napon", CalendarUnit::Day, 1),
    ("naponta", CalendarUnit::Day, 1),
    ("het", CalendarUnit::Week, 1),
    ("heten", CalendarUnit::Week, 1),
    ("hetente", CalendarUnit::Week, 1),
    ("honap", CalendarUnit::Month, 1),
    ("honapban", CalendarUnit::Month, 1),
    ("havonta", CalendarUnit::Month, 1),
    ("negyedev", CalendarUnit::Month, 3),
    ("negyedevben", CalendarUnit::Month, 3),
    ("negyedevente", CalendarUnit::Month, 3),
    ("felev", CalendarUnit::Month, 6),
    ("felevben", CalendarUnit::Month, 6),
    ("felevente", CalendarUnit::Month, 6),
    ("ev", CalendarUnit::Year, 1),
    ("evben", CalendarUnit::Year, 1),
    ("evente", CalendarUnit::Year, 1),
];

/// The Hungarian cadence adverbs that take a number written into the word:
/// `kétévente`, `hathavonta`.
const HU_ADVERBS: &[(&str, CalendarUnit)] = &[
    ("naponta", CalendarUnit::Day),
    ("hetente", CalendarUnit::Week),
    ("havonta", CalendarUnit::Month),
    ("evente", CalendarUnit::Year),
];

/// The Chinese units of a cadence, each before any it starts with.
const CADENCE_HANZI: &[(&str, CalendarUnit, u32)] = &[
    ("季度", CalendarUnit::Month, 3),
    ("季", CalendarUnit::Month, 3),
    ("半年", CalendarUnit::Month, 6),
    ("天", CalendarUnit::Day, 1),
    ("日", CalendarUnit::Day, 1),
    ("星期", CalendarUnit::Week, 1),
    ("礼拜", CalendarUnit::Week, 1),
    ("周", CalendarUnit::Week, 1),
    ("月", CalendarUnit::Month, 1),
    ("年", CalendarUnit::Year, 1),
];

/// How often an SOP must be reviewed: `every 6 months`, `quarterly`,
/// `每半年`, `6 havonta`, `P90D`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cadence {
    pub count: u32,
    pub unit: CalendarUnit,
}

/// A cadence unit as read: the unit, how many of it the word means
/// (`quarterly` is 3 months, `kétévente` 2 years), and whether the word
/// carried its own number (`kétévente`), which leaves no room for another.
type CadenceWord = (CalendarUnit, u32, bool);

impl Cadence {
    /// Reads a cadence in English, Chinese or Hungarian, or ISO 8601.
    /// `None` when it is not one; [`Cadence::read`] says why.
    pub fn parse(text: &str) -> Option<Cadence> {
        let text = text.trim();
        if let Some(iso) = Cadence::parse_iso(text) {
            return Some(iso);
        }
        let text = text.trim_end_matches(['.', '。']).trim_end();
        let mut scan = Scan { rest: text };
        scan.lead_words();
        // A unit on its own (`every year`, `hetente`, `每季度`) first, so
        // that `minden hét` is every week; then a count and a unit (`hét
        // naponta` is every seven days).
        let mut alone = scan;
        if let Some(word) = alone.cadence_unit() {
            if let Some(cadence) = Cadence::finish(alone, None, word) {
                return Some(cadence);
            }
        }
        let count = if scan.eat_word("other") {
            Some(2)
        } else if scan.eat("半") || scan.eat_word("half") || scan.eat_word("fel") {
            None
        } else {
            Some(u32::try_from(scan.count()?).ok()?)
        };
        scan.skip_spaces();
        let (unit, n, numbered) = scan.cadence_unit()?;
        let word = match count {
            Some(_) => (unit, n, numbered),
            // Half a year; half of anything else is not a whole unit.
            None if unit == CalendarUnit::Year && n == 1 && !numbered => {
                (CalendarUnit::Month, 6, true)
            }
            None => return None,
        };
        Cadence::finish(scan, count, word)
    }

    /// Like [`Cadence::parse`], and when the text is not a cadence, why:
    /// working days are told apart from anything else.
    pub fn read(text: &str) -> Result<Cadence, Unparsed> {
        Cadence::parse(text).ok_or_else(|| Unparsed::of(text))
    }

    /// The end of a cadence after its unit: `一次` / `egyszer` ("once")
    /// may follow, nothing else.
    fn finish(mut scan: Scan<'_>, count: Option<u32>, word: CadenceWord) -> Option<Cadence> {
        let (unit, n, numbered) = word;
        if numbered && count.is_some() {
            return None;
        }
        scan.skip_spaces();
        let _ = scan.eat("一次") || scan.eat("1次") || scan.eat_word("egyszer");
        scan.skip_spaces();
        if !scan.rest.is_empty() {
            return None;
        }
        let count = count.unwrap_or(1).checked_mul(n)?;
        (count > 0).then_some(Cadence { count, unit })
    }

    fn parse_iso(text: &str) -> Option<Cadence> {
        let body = text.strip_prefix(['P', 'p'])?;
        let unit = match body.chars().last()?.to_ascii_uppercase() {
            'D' => CalendarUnit::Day,
            'W' => CalendarUnit::Week,
            'M' => CalendarUnit::Month,
            'Y' => CalendarUnit::Year,
            _ => return None,
        };
        let count: u32 = body[..body.len() - 1].parse().ok()?;
        (count > 0).then_some(Cadence { count, unit })
    }

    pub fn iso(&self) -> String {
        let unit = match self.unit {
            CalendarUnit::Day => 'D',
            CalendarUnit::Week => 'W',
            CalendarUnit::Month => 'M',
            CalendarUnit::Year => 'Y',
        };
        format!("P{}{}", self.count, unit)
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            CalendarUnit::Day => "day",
            CalendarUnit::Week => "week",
            CalendarUnit::Month => "month",
            CalendarUnit::Year => "year",
        };
        let plural = if self.count == 1 { "" } else { "s" };
        write!(f, "every {} {unit}{plural}", self.count)
    }
}

impl Serialize for Cadence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

/// Why a time limit or a cadence did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unparsed {
    /// It counts working days (`3个工作日`, `3 munkanap`, `3 working days`),
    /// which depend on weekends and holidays; `sop` counts calendar time.
    WorkingDays(WorkingDays),
    /// Anything else: an unknown unit, no unit, a zero, a fraction…
    Unreadable,
}

/// Working days written where calendar time is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingDays {
    /// The number written before them, when there is one.
    pub count: Option<u64>,
    /// The language the words for working days were written in.
    pub language: UnitLanguage,
}

impl WorkingDays {
    /// The most calendar days `count` working days can take: one weekend
    /// for every five working days begun (3 working days from a Friday end
    /// on a Wednesday, 5 days later). Holidays are not counted.
    pub fn calendar_days(&self) -> Option<u64> {
        let n = self.count?;
        n.checked_add(n.div_ceil(5).checked_mul(2)?)
    }
}

/// The language a unit was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitLanguage {
    English,
    Chinese,
    Hungarian,
}

impl UnitLanguage {
    /// The `language:` tag of the language.
    pub fn tag(self) -> &'static str {
        match self {
            UnitLanguage::English => "en",
            UnitLanguage::Chinese => "zh",
            UnitLanguage::Hungarian => "hu",
        }
    }
}

/// The words for working days, folded, and their language.
const WORKING_DAY_WORDS: &[(&str, UnitLanguage)] = &[
    ("工作日", UnitLanguage::Chinese),
    ("munkanap", UnitLanguage::Hungarian),
    ("working day", UnitLanguage::English),
    ("working-day", UnitLanguage::English),
    ("work day", UnitLanguage::English),
    ("workday", UnitLanguage::English),
    ("business day", UnitLanguage::English),
    ("business-day", UnitLanguage::English),
];

impl Unparsed {
    /// Why `text` is neither a time limit nor a cadence.
    fn of(text: &str) -> Unparsed {
        let text = text.trim();
        for (at, _) in text.char_indices() {
            let tail = &text[at..];
            for &(words, language) in WORKING_DAY_WORDS {
                if strip_folded(tail, words).is_some() {
                    return Unparsed::WorkingDays(WorkingDays {
                        count: count_at_end(&text[..at]),
                        language,
                    });
                }
            }
        }
        Unparsed::Unreadable
    }
}

/// The number `text` ends with (`3`, `三个`, `három`), if any.
fn count_at_end(text: &str) -> Option<u64> {
    let text = text.trim_end_matches(|c| is_space(c) || c == '个');
    let start = text
        .char_indices()
        .rev()
        .take_while(|&(_, c)| digit(c).is_some() || hanzi_digit(c).is_some() || is_hanzi_unit(c))
        .last()
        .map(|(i, _)| i);
    let last = match start {
        Some(i) => &text[i..],
        None => {
            let start = text
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_word_char(c))
                .last()
                .map_or(text.len(), |(i, _)| i);
            &text[start..]
        }
    };
    let mut scan = Scan { rest: last };
    let n = scan.count()?;
    scan.rest.is_empty().then_some(n)
}

// ---------------------------------------------------------------------------
// Reading amounts and units, in one pass over the text
// ---------------------------------------------------------------------------

/// Folds a character for matching English and Hungarian words: lower case,
/// accents dropped (`Ó`, `ö`, `ő` → `o`), so `ÓRA`, `óra` and `ora` match.
fn fold(c: char) -> char {
    match c {
        'á' | 'Á' | 'à' | 'À' | 'â' | 'Â' | 'ä' | 'Ä' => 'a',
        'é' | 'É' | 'è' | 'È' | 'ê' | 'Ê' | 'ë' | 'Ë' => 'e',
        'í' | 'Í' | 'ì' | 'Ì' | 'î' | 'Î' | 'ï' | 'Ï' => 'i',
        'ó' | 'Ó' | 'ö' | 'Ö' | 'ő' | 'Ő' | 'õ' | 'Õ' | 'ô' | 'Ô' | 'ò' | 'Ò' => 'o',
        'ú' | 'Ú' | 'ü' | 'Ü' | 'ű' | 'Ű' | 'û' | 'Û' | 'ù' | 'Ù' => 'u',
        c => c.to_ascii_lowercase(),
    }
}

/// `text` after `word` (folded, ASCII), if it starts with it folded.
fn strip_folded<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let mut chars = text.chars();
    for w in word.chars() {
        if fold(chars.next()?) != w {
            return None;
        }
    }
    Some(chars.as_str())
}

/// `text` before `word` (folded, ASCII), if it ends with it folded.
fn strip_folded_suffix<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let mut chars = text.chars();
    for w in word.chars().rev() {
        if fold(chars.next_back()?) != w {
            return None;
        }
    }
    Some(chars.as_str())
}

fn eq_folded(text: &str, word: &str) -> bool {
    strip_folded(text, word) == Some("")
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{a0}')
}

/// A letter of an English or Hungarian word: CJK characters are not.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() && (c as u32) < 0x2E80
}

/// An ASCII or full-width digit.
fn digit(c: char) -> Option<u64> {
    match c {
        '0'..='9' => Some(u64::from(c) - u64::from('0')),
        '０'..='９' => Some(u64::from(c) - u64::from('０')),
        _ => None,
    }
}

fn hanzi_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn is_hanzi_unit(c: char) -> bool {
    matches!(c, '十' | '百' | '千')
}

/// A number in Chinese numerals at the start of `text` (`三`, `十五`,
/// `二十四`, `一百零五`) and its length in bytes; `Some(None)` when there is
/// none, `None` when the numerals are malformed (`二二`, `十十`).
fn hanzi_number(text: &str) -> Option<Option<(u64, usize)>> {
    let mut total = 0;
    let mut pending: Option<u64> = None;
    let mut last_unit = u64::MAX;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if let Some(d) = hanzi_digit(c) {
            if pending.is_some() {
                return None;
            }
            // `零` only holds a place: `一百零五`.
            if d != 0 {
                pending = Some(d);
            }
        } else if is_hanzi_unit(c) {
            let unit = match c {
                '十' => 10,
                '百' => 100,
                _ => 1000,
            };
            if unit >= last_unit {
                return None;
            }
            total += pending.take().unwrap_or(1) * unit;
            last_unit = unit;
        } else {
            break;
        }
        end = i + c.len_utf8();
    }
    if end == 0 {
        return Some(None);
    }
    Some(Some((total + pending.unwrap_or(0), end)))
}

/// A Hungarian number word from one to ninety-nine, folded: `két`,
/// `kettő`, `öt`, `tizenöt`, `huszonnégy`, `harminc`.
fn hu_number(word: &str) -> Option<u64> {
    const TENS: &[(&str, u64)] = &[
        ("tizen", 10),
        ("huszon", 20),
        ("harminc", 30),
        ("negyven", 40),
        ("otven", 50),
        ("hatvan", 60),
        ("hetven", 70),
        ("nyolcvan", 80),
        ("kilencven", 90),
    ];
    const ONES: &[(&str, u64)] = &[
        ("ketto", 2),
        ("ket", 2),
        ("egy", 1),
        ("harom", 3),
        ("negy", 4),
        ("ot", 5),
        ("hat", 6),
        ("het", 7),
        ("nyolc", 8),
        ("kilenc", 9),
    ];
    if eq_folded(word, "tiz") {
        return Some(10);
    }
    if eq_folded(word, "husz") {
        return Some(20);
    }
    let (tens, rest, needs_ones) = TENS
        .iter()
        .find_map(|&(w, n)| strip_folded(word, w).map(|rest| (n, rest, n < 30)))
        .unwrap_or((0, word, true));
    if rest.is_empty() && !needs_ones {
        return Some(tens);
    }
    ONES.iter()
        .find(|&&(w, _)| eq_folded(rest, w))
        .map(|&(_, n)| tens + n)
}

/// A cursor over the text of a time limit or a cadence. Every step moves
/// forwards or fails, and looks ahead at most one word.
#[derive(Clone, Copy)]
struct Scan<'t> {
    rest: &'t str,
}

impl<'t> Scan<'t> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start_matches(is_space);
    }

    /// Spaces, and between two amounts also commas, full stops, `and` and
    /// `és`.
    fn skip_separators(&mut self, between: bool) {
        if !between {
            self.skip_spaces();
            return;
        }
        loop {
            let before = self.rest.len();
            self.rest = self
                .rest
                .trim_start_matches(|c| is_space(c) || matches!(c, ',' | '，' | '、' | '.' | '。'));
            let _ = self.eat_word("and") || self.eat_word("es");
            if self.rest.len() == before {
                break;
            }
        }
    }

    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// The next word: letters and inner hyphens (`half-yearly`).
    fn word(&self) -> &'t str {
        let end = self
            .rest
            .char_indices()
            .find(|&(_, c)| !(is_word_char(c) || c == '-'))
            .map_or(self.rest.len(), |(i, _)| i);
        &self.rest[..end]
    }

    /// Eats the next word if it is `folded`, folded.
    fn eat_word(&mut self, folded: &str) -> bool {
        let word = self.word();
        if eq_folded(word, folded) {
            self.rest = &self.rest[word.len()..];
            true
        } else {
            false
        }
    }

    /// Eats `words`, each after optional spaces, or nothing.
    fn eat_words(&mut self, words: &[&str]) -> bool {
        let mut ahead = *self;
        for word in words {
            ahead.skip_spaces();
            if !ahead.eat_word(word) {
                return false;
            }
        }
        *self = ahead;
        true
    }

    /// Eats `folded` from the start of the next word, leaving the rest of the
    /// word (`negyedóra`: `negyed`, then `óra`).
    fn eat_word_start(&mut self, folded: &str) -> bool {
        match strip_folded(self.word(), folded) {
            Some(rest) => {
                let eaten = self.word().len() - rest.len();
                self.rest = &self.rest[eaten..];
                true
            }
            None => false,
        }
    }

    /// The words that may open a cadence: `every`, `once a`, `minden`,
    /// `每`, `每隔`.
    fn lead_words(&mut self) {
        if self.eat_word("once") {
            self.skip_spaces();
            let _ = self.eat_word("a")
                || self.eat_word("an")
                || self.eat_word("per")
                || self.eat_word("every");
        } else {
            let _ = self.eat("每隔")
                || self.eat("每")
                || self.eat_word("every")
                || self.eat_word("minden");
        }
        self.skip_spaces();
    }

    /// A count: digits (ASCII or full-width), Chinese numerals or a
    /// Hungarian number word. `None` when there is none, or it overflows.
    fn count(&mut self) -> Option<u64> {
        let mut n: u64 = 0;
        let mut end = 0;
        for (i, c) in self.rest.char_indices() {
            let Some(d) = digit(c) else { break };
            n = n.checked_mul(10)?.checked_add(d)?;
            end = i + c.len_utf8();
        }
        if end > 0 {
            self.rest = &self.rest[end..];
            return Some(n);
        }
        if let Some((n, end)) = hanzi_number(self.rest)? {
            self.rest = &self.rest[end..];
            return Some(n);
        }
        let word = self.word();
        let n = hu_number(word)?;
        self.rest = &self.rest[word.len()..];
        Some(n)
    }

    /// The amount of one part of a time limit: a whole number, a half or
    /// quarters, or both (`1个半`, `másfél`, `két és fél`, `1 and a half`).
    fn amount(&mut self) -> Option<(u64, Fraction)> {
        if self.eat("半") {
            self.eat("个");
            return Some((0, Fraction::Half));
        }
        if self.eat_word("half") {
            self.skip_spaces();
            let _ = self.eat_word("an") || self.eat_word("a");
            return Some((0, Fraction::Half));
        }
        for (start, whole, fraction) in [
            ("haromnegyed", 0, Fraction::Quarters(3)),
            ("negyed", 0, Fraction::Quarters(1)),
            ("masfel", 1, Fraction::Half),
            ("fel", 0, Fraction::Half),
        ] {
            if self.eat_word_start(start) {
                return Some((whole, fraction));
            }
        }
        let whole = self.count()?;
        let mut half = *self;
        half.skip_spaces();
        half.eat("个");
        if half.eat("半") {
            half.eat("个");
            *self = half;
            return Some((whole, Fraction::Half));
        }
        if self.eat_words(&["es", "fel"]) || self.eat_words(&["and", "a", "half"]) {
            return Some((whole, Fraction::Half));
        }
        Some((whole, Fraction::Whole))
    }

    /// The unit of one part of a time limit.
    fn time_unit(&mut self) -> Option<TimeUnit> {
        self.eat("个");
        for &(hanzi, unit) in TIME_HANZI {
            if self.eat(hanzi) {
                return Some(unit);
            }
        }
        let word = self.word();
        let &(_, unit) = TIME_WORDS.iter().find(|(w, _)| eq_folded(word, w))?;
        self.rest = &self.rest[word.len()..];
        Some(unit)
    }

    /// `内`, `以内`, `之内`, `belül`, `alatt`: "within", after the last part
    /// of a time limit.
    fn eat_within_word(&mut self) -> bool {
        self.eat("以内")
            || self.eat("之内")
            || self.eat("内")
            || self.eat_word("belul")
            || self.eat_word("alatt")
    }

    /// The unit of a cadence, with the number written into a Hungarian
    /// adverb (`kétévente`).
    fn cadence_unit(&mut self) -> Option<CadenceWord> {
        self.eat("个");
        for &(hanzi, unit, n) in CADENCE_HANZI {
            if self.eat(hanzi) {
                return Some((unit, n, false));
            }
        }
        let word = self.word();
        let found = CADENCE_WORDS
            .iter()
            .find(|(w, _, _)| eq_folded(word, w))
            .map(|&(_, unit, n)| (unit, n, false))
            .or_else(|| {
                HU_ADVERBS.iter().find_map(|&(adverb, unit)| {
                    let number = strip_folded_suffix(word, adverb)?;
                    let n = u32::try_from(hu_number(number)?).ok()?;
                    Some((unit, n, true))
                })
            })?;
        self.rest = &self.rest[word.len()..];
        Some(found)
    }
}

/// A version such as `1.1` or `V2.0.3`: dot-separated numbers.
///
/// Versions compare part by part, ignoring the prefix and trailing `.0`
/// parts, so `1.0` equals `V1.0.0`.
#[derive(Clone, Debug)]
pub struct Version {
    parts: Vec<u64>,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let body = text.strip_prefix(['v', 'V']).unwrap_or(text);
        if body.is_empty() {
            return None;
        }
        let parts = body
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect::<Option<Vec<u64>>>()?;
        Some(Version { parts })
    }

    fn significant(&self) -> &[u64] {
        let len = self
            .parts
            .iter()
            .rposition(|&p| p != 0)
            .map_or(0, |i| i + 1);
        &self.parts[..len]
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.significant() == other.significant()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        let len = a.len().max(b.len());
        (0..len)
            .map(|i| {
                a.get(i)
                    .copied()
                    .unwrap_or(0)
                    .cmp(&b.get(i).copied().unwrap_or(0))
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The life-cycle state of an SOP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Active,
    Retired,
}

impl Status {
    pub fn parse(text: &str) -> Option<Status> {
        [Status::Draft, Status::Active, Status::Retired]
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Retired => "retired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_written_units() {
        let cases = [
            ("30s", "PT30S"),
            ("5 min", "PT5M"),
            ("2h", "PT2H"),
            ("1 hour", "PT1H"),
            ("24 hours", "PT24H"),
            ("3 days", "P3D"),
            ("1 day", "P1D"),
            ("PT30S", "PT30S"),
            ("1h 30m", "PT1H30M"),
            ("1 hour 30 minutes", "PT1H30M"),
            ("1 hour and 30 minutes", "PT1H30M"),
            ("2 weeks", "P2W"),
            ("1 week 2 days", "P9D"),
            ("P1DT2H", "P1DT2H"),
            ("90 Min", "PT90M"),
        ];
        for (text, iso) in cases {
            let d = Duration::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert_eq!(d.iso(), iso, "{text}");
        }
    }

    #[test]
    fn sums_are_written_in_canonical_units() {
        let iso = |seconds: u128| Duration::from_seconds(seconds).iso();
        assert_eq!(iso(0), "PT0S");
        assert_eq!(iso(90 * 60), "PT1H30M");
        assert_eq!(iso(26 * 3600), "P1DT2H");
        assert_eq!(iso(3 * 86_400), "P3D");
        assert_eq!(iso(86_400 + 61), "P1DT1M1S");
        // Far beyond any calendar, and still no panic.
        assert!(iso(u128::MAX).starts_with('P'));
    }

    #[test]
    fn bad_durations_are_rejected() {
        for text in [
            "",
            "soon",
            "5",
            "5 parsecs",
            "0s",
            "P",
            "PT",
            "1.5 hours",
            "m5",
            "P5X",
        ] {
            assert_eq!(Duration::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn cadences() {
        let cases = [
            ("every 6 months", "P6M"),
            ("every year", "P1Y"),
            ("every 90 days", "P90D"),
            ("2 weeks", "P2W"),
            ("Every 12 Months", "P12M"),
            ("P6M", "P6M"),
        ];
        for (text, iso) in cases {
            assert_eq!(Cadence::parse(text).map(|c| c.iso()).as_deref(), Some(iso));
        }
        for text in ["every", "every 0 days", "monthly-ish", "every 6 minutes"] {
            assert_eq!(Cadence::parse(text), None, "{text:?}");
        }
    }

    /// Every form of the contract ("Durations and cadences in the author's
    /// language") and the ISO 8601 it becomes.
    #[test]
    fn durations_in_chinese() {
        let cases = [
            ("30秒", "PT30S"),
            ("30 秒", "PT30S"),
            ("30秒钟", "PT30S"),
            ("5分钟", "PT5M"),
            ("5分", "PT5M"),
            ("5 分钟", "PT5M"),
            ("1小时", "PT1H"),
            ("1个小时", "PT1H"),
            ("1 个小时", "PT1H"),
            ("2天", "P2D"),
            ("3日", "P3D"),
            ("1周", "P1W"),
            ("1个星期", "P1W"),
            ("1小时30分钟", "PT1H30M"),
            ("1 小时 30 分钟", "PT1H30M"),
            ("1小时30分", "PT1H30M"),
            ("两小时", "PT2H"),
            ("两个小时", "PT2H"),
            ("三天", "P3D"),
            ("十五分钟", "PT15M"),
            ("二十四小时", "PT24H"),
            ("九十九天", "P99D"),
            ("一百二十分钟", "PT120M"),
            ("一小时零五分钟", "PT1H5M"),
            ("半小时", "PT30M"),
            ("半个小时", "PT30M"),
            ("1个半小时", "PT1H30M"),
            ("一个半小时", "PT1H30M"),
            ("半分钟", "PT30S"),
            ("３０秒", "PT30S"),
            ("30分钟内", "PT30M"),
            ("30分钟以内", "PT30M"),
            ("2小时之内", "PT2H"),
            ("1天2小时", "P1DT2H"),
            ("1周2天", "P9D"),
        ];
        for (text, iso) in cases {
            let d = Duration::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert_eq!(d.iso(), iso, "{text}");
        }
    }

    #[test]
    fn durations_in_hungarian() {
        let cases = [
            ("30 másodperc", "PT30S"),
            ("30 masodperc", "PT30S"),
            ("30 mp", "PT30S"),
            ("30 mp.", "PT30S"),
            ("30mp", "PT30S"),
            ("5 perc", "PT5M"),
            ("5 PERC", "PT5M"),
            ("1 óra", "PT1H"),
            ("1 ora", "PT1H"),
            ("1 ÓRA", "PT1H"),
            ("2 nap", "P2D"),
            ("1 hét", "P1W"),
            ("1 het", "P1W"),
            ("1 óra 30 perc", "PT1H30M"),
            ("1 óra és 30 perc", "PT1H30M"),
            ("1 óra, 30 perc", "PT1H30M"),
            ("két óra", "PT2H"),
            ("kettő nap", "P2D"),
            ("öt perc", "PT5M"),
            ("hét nap", "P7D"),
            ("tíz perc", "PT10M"),
            ("tizenöt perc", "PT15M"),
            ("huszonnégy óra", "PT24H"),
            ("harminc perc", "PT30M"),
            ("fél óra", "PT30M"),
            ("félóra", "PT30M"),
            ("másfél óra", "PT1H30M"),
            ("két és fél óra", "PT2H30M"),
            ("negyedóra", "PT15M"),
            ("negyed óra", "PT15M"),
            ("háromnegyed óra", "PT45M"),
            ("fél perc", "PT30S"),
            ("30 percen belül", "PT30M"),
            ("30 másodpercen belül", "PT30S"),
            ("2 órán belül", "PT2H"),
            ("3 napon belül", "P3D"),
            ("1 héten belül", "P1W"),
            ("30 perc alatt", "PT30M"),
        ];
        for (text, iso) in cases {
            let d = Duration::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert_eq!(d.iso(), iso, "{text}");
        }
    }

    #[test]
    fn durations_in_english_additions() {
        for (text, iso) in [
            ("half an hour", "PT30M"),
            ("half hour", "PT30M"),
            ("1 and a half hours", "PT1H30M"),
            ("5 min.", "PT5M"),
        ] {
            let d = Duration::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert_eq!(d.iso(), iso, "{text}");
        }
    }

    #[test]
    fn bad_local_durations_are_rejected() {
        for text in [
            "秒",
            "小时",
            "30",
            "三",
            "0秒",
            "零分钟",
            "二二分钟",
            "十十分钟",
            "半天",
            "半周",
            "1个月",
            "内",
            "30分钟内外",
            "30分钟 内 30秒",
            "perc",
            "5 percek",
            "fél",
            "fél nap",
            "negyed perc",
            "tizen perc",
            "belül",
            "30 perc belül 5 perc",
            "half",
            "half a day",
            "and 5 min",
            ".5 hours",
        ] {
            assert_eq!(Duration::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn huge_amounts_are_rejected_not_wrapped() {
        for text in [
            "99999999999999999999s",
            "18446744073709551615 weeks",
            "99999999999999 weeks",
            "18446744073709551615s 1s",
            "每99999999999天",
            "every 4294967296 days",
            "4294967295 quarters",
            "每9999999999个季度",
        ] {
            assert_eq!(Duration::parse(text), None, "{text:?}");
            assert_eq!(Cadence::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn cadences_in_chinese_hungarian_and_english_words() {
        let cases = [
            ("每6个月", "P6M"),
            ("每六个月", "P6M"),
            ("每 6 个月", "P6M"),
            ("每年", "P1Y"),
            ("每两年", "P2Y"),
            ("每季度", "P3M"),
            ("每个季度", "P3M"),
            ("每半年", "P6M"),
            ("每月", "P1M"),
            ("每个月", "P1M"),
            ("每周", "P1W"),
            ("每星期", "P1W"),
            ("每天", "P1D"),
            ("每90天", "P90D"),
            ("每九十天", "P90D"),
            ("每十二个月", "P12M"),
            ("6个月", "P6M"),
            ("半年", "P6M"),
            ("两年", "P2Y"),
            ("每隔三个月", "P3M"),
            ("每年一次", "P1Y"),
            ("一年一次", "P1Y"),
            ("半年一次", "P6M"),
            ("每６个月", "P6M"),
            ("naponta", "P1D"),
            ("hetente", "P1W"),
            ("havonta", "P1M"),
            ("negyedévente", "P3M"),
            ("negyedevente", "P3M"),
            ("félévente", "P6M"),
            ("felevente", "P6M"),
            ("évente", "P1Y"),
            ("Évente", "P1Y"),
            ("kétévente", "P2Y"),
            ("ketevente", "P2Y"),
            ("két évente", "P2Y"),
            ("2 évente", "P2Y"),
            ("6 havonta", "P6M"),
            ("6havonta", "P6M"),
            ("hathavonta", "P6M"),
            ("háromhavonta", "P3M"),
            ("kéthetente", "P2W"),
            ("90 naponta", "P90D"),
            ("hét naponta", "P7D"),
            ("évente egyszer", "P1Y"),
            ("minden évben", "P1Y"),
            ("minden hónapban", "P1M"),
            ("minden héten", "P1W"),
            ("minden hét", "P1W"),
            ("minden nap", "P1D"),
            ("minden negyedévben", "P3M"),
            ("minden 6 hónapban", "P6M"),
            ("6 hónap", "P6M"),
            ("fél év", "P6M"),
            ("daily", "P1D"),
            ("weekly", "P1W"),
            ("fortnightly", "P2W"),
            ("monthly", "P1M"),
            ("Monthly", "P1M"),
            ("quarterly", "P3M"),
            ("half-yearly", "P6M"),
            ("semi-annually", "P6M"),
            ("yearly", "P1Y"),
            ("annually", "P1Y"),
            ("biennially", "P2Y"),
            ("every quarter", "P3M"),
            ("every 2 quarters", "P6M"),
            ("every half year", "P6M"),
            ("every half-year", "P6M"),
            ("every other year", "P2Y"),
            ("every other week", "P2W"),
            ("every fortnight", "P2W"),
            ("once a year", "P1Y"),
            ("once a quarter", "P3M"),
            ("once every 2 years", "P2Y"),
            ("every year.", "P1Y"),
        ];
        for (text, iso) in cases {
            let c = Cadence::parse(text).unwrap_or_else(|| panic!("{text} should parse"));
            assert_eq!(c.iso(), iso, "{text}");
        }
        for text in [
            "每",
            "每半个月",
            "每半周",
            "每0天",
            "每6个小时",
            "每年两次",
            "minden",
            "2 kétévente",
            "fél hét",
            "évente kétszer",
            "every half month",
            "every other",
            "twice a year",
            "quarterly-ish",
            "every 6 minutes",
        ] {
            assert_eq!(Cadence::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn working_days_are_told_apart() {
        let wd = |count, language| Some(Unparsed::WorkingDays(WorkingDays { count, language }));
        use UnitLanguage::*;
        assert_eq!(Duration::read("3个工作日").err(), wd(Some(3), Chinese));
        assert_eq!(Duration::read("三个工作日内").err(), wd(Some(3), Chinese));
        assert_eq!(Duration::read("3工作日").err(), wd(Some(3), Chinese));
        assert_eq!(Duration::read("3 munkanap").err(), wd(Some(3), Hungarian));
        assert_eq!(
            Duration::read("három munkanapon belül").err(),
            wd(Some(3), Hungarian)
        );
        assert_eq!(Duration::read("3 working days").err(), wd(Some(3), English));
        assert_eq!(
            Duration::read("3 Business Days").err(),
            wd(Some(3), English)
        );
        assert_eq!(Duration::read("10 workdays").err(), wd(Some(10), English));
        assert_eq!(
            Duration::read("a few working days").err(),
            wd(None, English)
        );
        assert_eq!(Cadence::read("每5个工作日").err(), wd(Some(5), Chinese));
        assert_eq!(
            Cadence::read("every 5 business days").err(),
            wd(Some(5), English)
        );
        assert_eq!(
            Duration::read("5 minuets").err(),
            Some(Unparsed::Unreadable)
        );
        assert_eq!(
            Cadence::read("quarterly-ish").err(),
            Some(Unparsed::Unreadable)
        );
        assert_eq!(
            Duration::read("3天").map(|d| d.iso()),
            Ok("P3D".to_string())
        );
        let days = |n| {
            WorkingDays {
                count: Some(n),
                language: English,
            }
            .calendar_days()
        };
        assert_eq!(days(1), Some(3));
        assert_eq!(days(3), Some(5));
        assert_eq!(days(5), Some(7));
        assert_eq!(days(6), Some(10));
        assert_eq!(days(u64::MAX), None);
        assert_eq!(
            WorkingDays {
                count: None,
                language: English
            }
            .calendar_days(),
            None
        );
    }

    /// Short mixtures of the characters the parsers look at: no panic, and
    /// whatever parses has a length.
    #[test]
    fn mixtures_of_unit_characters_never_panic() {
        const PIECES: [&str; 24] = [
            "1",
            "０",
            " ",
            "半",
            "个",
            "小时",
            "分",
            "每",
            "年",
            "两",
            "十",
            "工作日",
            "ó",
            "fél",
            "ra",
            "és",
            "evente",
            "P",
            "T",
            "-",
            ".",
            "内",
            "\u{3000}",
            "ő",
        ];
        for a in PIECES {
            for b in PIECES {
                for c in PIECES {
                    for d in ["", "h", "天", "perc", "every", "s"] {
                        let text = format!("{a}{b}{c}{d}");
                        if let Some(duration) = Duration::parse(&text) {
                            assert!(duration.total_seconds().is_some_and(|s| s > 0), "{text:?}");
                        }
                        if let Some(cadence) = Cadence::parse(&text) {
                            assert!(cadence.count > 0, "{text:?}");
                        }
                        let _ = Duration::read(&text);
                        let _ = Cadence::read(&text);
                    }
                }
            }
        }
    }

    /// Long values are read in one pass: no input takes long.
    #[test]
    fn long_values_take_linear_time() {
        let start = std::time::Instant::now();
        for unit in [
            "1s ", "1小时", "一", "十", "a", "fél", "1 and ", "1个半", "munka", "每",
        ] {
            let text = unit.repeat(50_000);
            let _ = Duration::read(&text);
            let _ = Cadence::read(&text);
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn month_addition_clamps() {
        let d = Date::parse("2024-01-31").unwrap();
        let c = Cadence::parse("every month").unwrap();
        assert_eq!(d.plus(c).unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn dates_are_strict() {
        assert!(Date::parse("2024-02-29").is_some());
        for text in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
            "2024-1-01",
        ] {
            assert!(Date::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn versions_compare_numerically() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(v("1.0"), v("V1.0.0"));
        assert!(v("1.10") > v("1.9"));
        assert!(v("2") > v("1.9.9"));
        for bad in ["", "v", "1..2", "1.a", "1.0-beta"] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
