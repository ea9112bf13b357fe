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
    fn parse(word: &str) -> Option<TimeUnit> {
        let w = word.to_ascii_lowercase();
        Some(match w.as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => TimeUnit::Second,
            "m" | "min" | "mins" | "minute" | "minutes" => TimeUnit::Minute,
            "h" | "hr" | "hrs" | "hour" | "hours" => TimeUnit::Hour,
            "d" | "day" | "days" => TimeUnit::Day,
            "w" | "week" | "weeks" => TimeUnit::Week,
            _ => return None,
        })
    }

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

/// A time limit such as `30s`, `1h 30m`, `24 hours` or `PT30S`.
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
    pub fn parse(text: &str) -> Option<Duration> {
        let text = text.trim();
        if text.len() > 1 && (text.starts_with('P') || text.starts_with('p')) {
            return Duration::parse_iso(text);
        }
        let mut d = Duration::default();
        let mut any = false;
        let mut rest = text;
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                break;
            }
            if let Some(after_and) = strip_word(rest, "and") {
                rest = after_and;
                continue;
            }
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let amount: u64 = rest[..digits].parse().ok()?;
            rest = rest[digits..].trim_start_matches([' ', '\t']);
            let unit_len = rest.bytes().take_while(|c| c.is_ascii_alphabetic()).count();
            let unit = TimeUnit::parse(&rest[..unit_len])?;
            rest = &rest[unit_len..];
            d.add(unit, amount)?;
            any = true;
        }
        (any && d.total_seconds().is_some_and(|s| s > 0)).then_some(d)
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

    /// ISO 8601, in the units written: `PT30S`, `PT1H30M`, `P1D`, `P2W`.
    /// Weeks mixed with other units are written as days, since ISO 8601
    /// allows `W` only on its own.
    pub fn iso(&self) -> String {
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

fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let head = text.get(..word.len())?;
    let tail = &text[word.len()..];
    (head.eq_ignore_ascii_case(word) && tail.starts_with([' ', '\t'])).then_some(tail)
}

/// A calendar unit of a review cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CalendarUnit {
    Day,
    Week,
    Month,
    Year,
}

/// How often an SOP must be reviewed: `every 6 months`, `every year`, `P90D`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cadence {
    pub count: u32,
    pub unit: CalendarUnit,
}

impl Cadence {
    pub fn parse(text: &str) -> Option<Cadence> {
        let text = text.trim();
        if let Some(iso) = Cadence::parse_iso(text) {
            return Some(iso);
        }
        let text = strip_word(text, "every").map_or(text, str::trim_start);
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let count: u32 = if digits == 0 {
            1
        } else {
            text[..digits].parse().ok()?
        };
        let unit_word = text[digits..].trim();
        let unit = match unit_word.to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => CalendarUnit::Day,
            "w" | "week" | "weeks" => CalendarUnit::Week,
            "month" | "months" => CalendarUnit::Month,
            "y" | "year" | "years" => CalendarUnit::Year,
            _ => return None,
        };
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
