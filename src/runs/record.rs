//! The record of a run: an append-only JSON Lines file, one event a line,
//! each line chained to the one before by a SHA-256 (see docs/runs.md).

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{sha256_hex, sha256_hex_of};

/// The `prev` of a record's first line.
pub const FIRST_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One line of a record. Every key is written, `null` when it does not
/// apply; `hash` is always the last key.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub time: String,
    pub run: String,
    pub sop: String,
    pub version: Option<String>,
    pub sop_hash: String,
    pub event: String,
    pub step: Option<String>,
    pub title: Option<String>,
    pub by: String,
    pub role: Option<String>,
    pub answer: Option<String>,
    pub item: Option<String>,
    pub note: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub elapsed: Option<String>,
    pub file: Option<String>,
    /// On `start`: the run that handed off to this one; on `end`: the run
    /// started for the hand-off.
    #[serde(default)]
    pub linked: Option<String>,
    pub prev: String,
    /// Left out while the hash is computed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

/// The events of a run, in the order written.
pub const EVENTS: &[&str] = &[
    "start",
    "step-start",
    "step-done",
    "step-skipped",
    "checklist-item",
    "decision",
    "late",
    "timeout",
    "handoff",
    "pause",
    "resume",
    "end",
];

/// Serialises `event` (its `seq`, `prev` set, `hash` ignored) as one line,
/// without the newline, with its `hash` computed.
pub fn encode(event: &Event) -> String {
    let body = serde_json::to_string(&Event {
        hash: String::new(),
        ..event.clone()
    })
    .unwrap_or_default();
    let hash = sha256_hex(body.as_bytes());
    let open = body.strip_suffix('}').unwrap_or(&body);
    format!("{open},\"hash\":\"{hash}\"}}")
}

/// A record open for appending.
pub struct Writer {
    file: File,
    path: PathBuf,
    /// The length of the complete lines written.
    len: u64,
    next_seq: u64,
    prev: String,
}

impl Writer {
    /// Creates the record at `path`; never over an existing file.
    pub fn create(path: &Path) -> io::Result<Writer> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)?;
        Ok(Writer {
            file,
            path: path.to_path_buf(),
            len: 0,
            next_seq: 1,
            prev: FIRST_PREV.into(),
        })
    }

    /// Opens an existing record to go on after `read` (its complete lines):
    /// an incomplete last line is cut off first.
    pub fn append(path: &Path, read: &Read) -> io::Result<Writer> {
        let file = OpenOptions::new().append(true).open(path)?;
        if read.incomplete.is_some() {
            file.set_len(read.complete_len)?;
            file.sync_data()?;
        }
        Ok(Writer {
            file,
            path: path.to_path_buf(),
            len: read.complete_len,
            next_seq: read.events.len() as u64 + 1,
            prev: read
                .last_line
                .as_deref()
                .map(|l| sha256_hex(l.as_bytes()))
                .unwrap_or_else(|| FIRST_PREV.into()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `event` (its `seq`, `prev` and `hash` filled in), flushed to
    /// the disk before returning; returns the event as written.
    pub fn write(&mut self, mut event: Event) -> io::Result<Event> {
        event.seq = self.next_seq;
        event.prev = self.prev.clone();
        let line = encode(&event);
        event.hash = line
            .rsplit_once("\"hash\":\"")
            .map(|(_, h)| h.trim_end_matches("\"}").to_string())
            .unwrap_or_default();
        let mut bytes = line.clone().into_bytes();
        bytes.push(b'\n');
        let written = self
            .file
            .write_all(&bytes)
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // A line written in part (a full disk) is cut off again, so
            // the record ends with its last complete line.
            let _ = self.file.set_len(self.len);
            return Err(e);
        }
        self.len += bytes.len() as u64;
        self.next_seq += 1;
        self.prev = sha256_hex(line.as_bytes());
        Ok(event)
    }
}

/// A record as read back.
#[derive(Debug, Default)]
pub struct Read {
    /// The events of the complete lines that parse, up to the first one
    /// that does not.
    pub events: Vec<Event>,
    /// The last complete line, without its newline.
    pub last_line: Option<String>,
    /// The length in bytes of the complete lines.
    pub complete_len: u64,
    /// The 1-based number of a last line without its newline (a write cut
    /// short), left out of `events`.
    pub incomplete: Option<usize>,
}

/// What is wrong with a line of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// 1-based.
    pub line: usize,
    pub what: String,
}

/// Reads the record at `path` for resuming or showing: every complete line
/// must be an event; a last line without its newline is left out and
/// reported in [`Read::incomplete`].
pub fn read(path: &Path) -> Result<Read, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Read::default();
    let mut offset = 0u64;
    for (i, chunk) in text.split_inclusive('\n').enumerate() {
        let Some(line) = chunk.strip_suffix('\n') else {
            out.incomplete = Some(i + 1);
            break;
        };
        let event: Event = serde_json::from_str(line).map_err(|e| {
            format!(
                "{}:{}: not an event of a run record: {e}",
                path.display(),
                i + 1
            )
        })?;
        out.events.push(event);
        out.last_line = Some(line.to_string());
        offset += chunk.len() as u64;
    }
    out.complete_len = offset;
    if out.events.is_empty() {
        return Err(format!(
            "{}: not a run record: it has no complete event",
            path.display()
        ));
    }
    Ok(out)
}

/// Checks a record's text: every line ends with a newline, parses as an
/// event, has `seq` equal to its line number, a `hash` of its own bytes,
/// a `prev` equal to the SHA-256 of the line before (zeros on the first),
/// the run id of the first line, and a `time` that is an RFC 3339 time.
/// Returns the number of lines, or the first broken line.
pub fn verify(bytes: &[u8]) -> Result<usize, Broken> {
    let mut count = 0;
    walk(bytes, |_| count += 1)?;
    Ok(count)
}

/// A record read for export or a report: its checked events.
#[derive(Debug, Default)]
pub struct Checked {
    /// The events of the complete lines, every one checked as
    /// [`verify`] checks it.
    pub events: Vec<Event>,
    /// The 1-based number of a last line without its newline (a write cut
    /// short), left out of `events`.
    pub incomplete: Option<usize>,
}

/// Checks a record's text as [`verify`] does, except that a last line
/// without its newline is left out (and reported in
/// [`Checked::incomplete`]) instead of being an error, and returns the
/// events. At most `limit` lines are read, when given.
pub fn check(bytes: &[u8], limit: Option<usize>) -> Result<Checked, Broken> {
    let complete = match memchr::memrchr(b'\n', bytes) {
        Some(last) => &bytes[..=last],
        None => &bytes[..0],
    };
    let incomplete =
        (complete.len() < bytes.len()).then(|| memchr::memchr_iter(b'\n', complete).count() + 1);
    let complete = match limit {
        Some(0) => &complete[..0],
        Some(n) => match memchr::memchr_iter(b'\n', complete).nth(n - 1) {
            Some(end) => &complete[..=end],
            None => complete,
        },
        None => complete,
    };
    if complete.is_empty() && incomplete.is_some() {
        return Err(Broken {
            line: 1,
            what: "is incomplete (no newline at its end) and the record has no complete line"
                .into(),
        });
    }
    let mut events = Vec::new();
    walk(complete, |event| events.push(event))?;
    Ok(Checked { events, incomplete })
}

/// Checks every line of a record, as [`verify`] describes, handing each
/// event to `each`; stops at the first broken line.
fn walk(bytes: &[u8], mut each: impl FnMut(Event)) -> Result<(), Broken> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Broken {
            line,
            what: "is not UTF-8".into(),
        }
    })?;
    if text.is_empty() {
        return Err(Broken {
            line: 1,
            what: "the record is empty".into(),
        });
    }
    let mut prev = FIRST_PREV.to_string();
    let mut run: Option<String> = None;
    for (i, chunk) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let broken = |what: String| Broken { line: n, what };
        let Some(line) = chunk.strip_suffix('\n') else {
            return Err(broken(
                "is incomplete (no newline at its end): a write was cut short".into(),
            ));
        };
        let event: Event = serde_json::from_str(line)
            .map_err(|e| broken(format!("is not an event of a run record: {e}")))?;
        if event.seq != n as u64 {
            return Err(broken(format!(
                "has seq {}, expected {n}: a line was deleted, added or moved",
                event.seq
            )));
        }
        let (body, _) = line
            .rsplit_once(",\"hash\":\"")
            .ok_or_else(|| broken("has no hash as its last key".into()))?;
        // The line's own hash: of its bytes without `,"hash":"…"`, ending
        // in `}`.
        if sha256_hex_of(&[body.as_bytes(), b"}"]) != event.hash || !line.ends_with("\"}") {
            return Err(broken(
                "was changed: its hash does not match its content".into(),
            ));
        }
        if event.prev != prev {
            return Err(broken(format!(
                "does not follow line {}: its prev is not the SHA-256 of that line",
                n - 1
            )));
        }
        match &run {
            None => run = Some(event.run.clone()),
            Some(r) if *r != event.run => {
                return Err(broken(format!(
                    "belongs to run {}, not {r}",
                    crate::terminal::sanitize_for_terminal(&event.run)
                )))
            }
            Some(_) => {}
        }
        if n == 1 && event.event != "start" {
            return Err(broken(format!(
                "is a {} event; a record starts with start",
                event.event
            )));
        }
        if !EVENTS.contains(&event.event.as_str()) {
            return Err(broken(format!("has an unknown event `{}`", event.event)));
        }
        if parse_time(&event.time).is_none() {
            return Err(broken(format!(
                "has the time `{}`, which is not an RFC 3339 time",
                crate::terminal::sanitize_for_terminal(&event.time)
            )));
        }
        prev = sha256_hex(line.as_bytes());
        each(event);
    }
    Ok(())
}

/// A record's `time` as an instant: an RFC 3339 time with its offset, in
/// the years 1 to 9999.
pub fn parse_time(time: &str) -> Option<jiff::Timestamp> {
    let t: jiff::Timestamp = time.parse().ok()?;
    let year = t.to_zoned(jiff::tz::TimeZone::UTC).year();
    (year >= 1).then_some(t)
}

/// The time now, or the test clock (`SOP_RUN_CLOCK`, see docs/runs.md).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<(jiff::Timestamp, i64)>,
}

impl Clock {
    /// The system clock, unless `SOP_RUN_CLOCK=<RFC 3339>[+<seconds>]` is
    /// set: then time starts there and moves on by `<seconds>` (default 60)
    /// with each answer read, so tests never wait.
    pub fn from_env() -> Result<Clock, String> {
        let Some(spec) = std::env::var_os("SOP_RUN_CLOCK") else {
            return Ok(Clock { fixed: None });
        };
        let spec = spec.to_string_lossy();
        let (start, tick) = match spec.rsplit_once('+') {
            Some((s, t)) if !t.contains(':') => (s, t.parse::<i64>().ok()),
            _ => (spec.as_ref(), Some(60)),
        };
        let start: jiff::Timestamp = start.parse().map_err(|e| format!("SOP_RUN_CLOCK: {e}"))?;
        let tick = tick.ok_or("SOP_RUN_CLOCK: the tick after `+` is whole seconds")?;
        Ok(Clock {
            fixed: Some((start, tick)),
        })
    }

    pub fn now(&self) -> jiff::Timestamp {
        match self.fixed {
            Some((t, _)) => t,
            None => jiff::Timestamp::now(),
        }
    }

    /// An answer was read: the test clock moves on.
    pub fn tick(&mut self) {
        if let Some((t, step)) = &mut self.fixed {
            *t = t
                .checked_add(jiff::SignedDuration::from_secs(*step))
                .unwrap_or(*t);
        }
    }
}

/// A time as the record writes it: UTC, RFC 3339, milliseconds.
pub fn format_time(t: jiff::Timestamp) -> String {
    format!("{t:.3}")
}

/// Whole seconds from `a` to `b` (zero when `b` is earlier).
pub fn seconds_between(a: &str, b: &str) -> u64 {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(a), Ok(b)) => u64::try_from(b.as_second() - a.as_second()).unwrap_or(0),
        _ => 0,
    }
}

/// A new run id: the UTC time, the SOP id and 4 random hex digits, e.g.
/// `20261130T204500Z-CS-003-a1b2`. Sorts by time.
pub fn run_id(now: jiff::Timestamp, sop: &str) -> String {
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let safe: String = sop
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stamp}-{safe}-{:04x}", fastrand::u16(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> Event {
        Event {
            run: "r".into(),
            sop: "S".into(),
            sop_hash: "h".into(),
            event: kind.into(),
            by: "me".into(),
            time: "2026-11-30T20:45:00.000Z".into(),
            ..Event::default()
        }
    }

    #[test]
    fn a_written_record_verifies_and_an_edit_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let mut w = Writer::create(&path).unwrap();
        w.write(event("start")).unwrap();
        w.write(event("step-start")).unwrap();
        w.write(event("end")).unwrap();
        assert!(Writer::create(&path).is_err());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(verify(&bytes), Ok(3));
        let edited =
            String::from_utf8(bytes)
                .unwrap()
                .replacen("\"by\":\"me\"", "\"by\":\"mo\"", 2);
        assert_eq!(verify(edited.as_bytes()).unwrap_err().line, 1);
        let read = read(&path).unwrap();
        assert_eq!(read.events.len(), 3);
        assert_eq!(read.events[2].seq, 3);
    }

    #[test]
    fn the_test_clock_ticks() {
        let t: jiff::Timestamp = "2026-11-30T20:45:00Z".parse().unwrap();
        assert_eq!(format_time(t), "2026-11-30T20:45:00.000Z");
        assert!(run_id(t, "CS-003").starts_with("20261130T204500Z-CS-003-"));
        assert_eq!(
            seconds_between("2026-11-30T20:45:00.000Z", "2026-11-30T20:47:30.000Z"),
            150
        );
    }
}
