//! Run records as an IEEE 1849-2016 XES event log, for process-mining
//! tools (PM4Py, ProM, Disco, Celonis): a trace per run, an event per start
//! and per finish of a step (see docs/runs.md for the mapping).

use std::collections::HashMap;
use std::io::{self, Write};

use super::occurrence::{occurrences, Occurrence};
use super::record::{format_time, parse_time, Event};
use crate::render::xml_into;

/// The standard extensions the log uses, with their definitions' URIs.
const EXTENSIONS: &[(&str, &str, &str)] = &[
    (
        "Concept",
        "concept",
        "http://www.xes-standard.org/concept.xesext",
    ),
    (
        "Lifecycle",
        "lifecycle",
        "http://www.xes-standard.org/lifecycle.xesext",
    ),
    (
        "Organizational",
        "org",
        "http://www.xes-standard.org/org.xesext",
    ),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
];

const HEAD: &str = r#"  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
    <string key="sop:id" value="__INVALID__"/>
    <string key="sop:hash" value="__INVALID__"/>
    <string key="sop:outcome" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>
    <string key="org:resource" value="__INVALID__"/>
    <string key="sop:step" value="__INVALID__"/>
    <string key="sop:event" value="__INVALID__"/>
    <int key="sop:seq" value="0"/>
  </global>
  <classifier name="Activity" scope="event" keys="concept:name"/>
  <classifier name="Activity_transition" scope="event" keys="concept:name lifecycle:transition"/>
  <classifier name="Step" scope="event" keys="sop:step"/>
  <string key="lifecycle:model" value="standard"/>
"#;

/// The standard lifecycle transition of an event that starts or finishes
/// a step.
pub fn transition(event: &str) -> &'static str {
    match event {
        "step-start" => "start",
        "step-skipped" => "ate_abort",
        _ => "complete",
    }
}

/// What the activities are called, learnt from every record exported:
/// a step's title (its newest, in the order of the records), with the
/// step's id after it when another step of the same SOP has that title
/// too, so that an activity is always one step.
#[derive(Debug, Default)]
pub struct Activities {
    /// SOP id → step id → title.
    titles: HashMap<String, HashMap<String, String>>,
}

impl Activities {
    /// Learns the titles of a record's steps.
    pub fn learn(&mut self, events: &[Event]) {
        let Some(sop) = events.first().map(|e| e.sop.as_str()) else {
            return;
        };
        let steps = self.titles.entry(sop.to_string()).or_default();
        for occurrence in occurrences(events) {
            let title = occurrence.title().unwrap_or("").trim();
            match steps.get_mut(occurrence.step) {
                Some(known) if known == title => {}
                Some(known) => *known = title.to_string(),
                None => {
                    steps.insert(occurrence.step.to_string(), title.to_string());
                }
            }
        }
    }

    /// The names of the activities.
    pub fn names(self) -> Names {
        let mut names = HashMap::new();
        for (sop, steps) in self.titles {
            let mut steps_of_title: HashMap<&str, usize> = HashMap::new();
            for title in steps.values() {
                *steps_of_title.entry(title.as_str()).or_default() += 1;
            }
            let sop_names: HashMap<String, String> = steps
                .iter()
                .map(|(step, title)| {
                    let name = if title.is_empty() {
                        step.clone()
                    } else if steps_of_title.get(title.as_str()) > Some(&1) {
                        format!("{title} [{step}]")
                    } else {
                        title.clone()
                    };
                    (step.clone(), name)
                })
                .collect();
            names.insert(sop, sop_names);
        }
        Names { names }
    }
}

/// The activity name of each step of each SOP.
#[derive(Debug, Default)]
pub struct Names {
    names: HashMap<String, HashMap<String, String>>,
}

impl Names {
    fn of(&self, sop: &str, occurrence: &Occurrence<'_>) -> String {
        self.names
            .get(sop)
            .and_then(|steps| steps.get(occurrence.step))
            .cloned()
            .unwrap_or_else(|| {
                occurrence
                    .title()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .unwrap_or(occurrence.step)
                    .to_string()
            })
    }
}

/// Writes the log's opening: the extensions, the global attributes, the
/// classifiers.
pub fn head(out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <log xes.version=\"2.0\" xmlns=\"http://www.xes-standard.org/\">\n",
    );
    for (name, prefix, uri) in EXTENSIONS {
        text.push_str(&format!(
            "  <extension name=\"{name}\" prefix=\"{prefix}\" uri=\"{uri}\"/>\n"
        ));
    }
    text.push_str(HEAD);
    out.write_all(text.as_bytes())
}

/// Writes the log's end.
pub fn tail(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"</log>\n")
}

/// Writes one run as a trace.
pub fn trace(out: &mut dyn Write, events: &[Event], names: &Names) -> io::Result<()> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let mut text = String::from("  <trace>\n");
    let attribute = |text: &mut String, indent: &str, kind: &str, key: &str, value: &str| {
        text.push_str(&format!("{indent}<{kind} key=\"{key}\" value=\""));
        xml_into(text, value);
        text.push_str("\"/>\n");
    };
    let trace_string = |text: &mut String, key: &str, value: &str| {
        attribute(text, "    ", "string", key, value);
    };
    trace_string(&mut text, "concept:name", &first.run);
    trace_string(&mut text, "sop:id", &first.sop);
    if let Some(title) = &first.title {
        trace_string(&mut text, "sop:title", title);
    }
    if let Some(version) = &first.version {
        trace_string(&mut text, "sop:version", version);
    }
    trace_string(&mut text, "sop:hash", &first.sop_hash);
    trace_string(&mut text, "sop:outcome", &outcome(events));
    // Runs linked by a hand-off: the run this one came from, and the run
    // started for the SOP it handed off to.
    if let Some(from) = &first.linked {
        trace_string(&mut text, "sop:from-run", from);
    }
    if let Some(to) = events
        .last()
        .filter(|e| e.event == "end")
        .and_then(|e| e.linked.as_ref())
    {
        trace_string(&mut text, "sop:to-run", to);
    }
    for occurrence in occurrences(events) {
        let name = names.of(&first.sop, &occurrence);
        for event in [occurrence.start, occurrence.finish].into_iter().flatten() {
            let finishing = event.event != "step-start";
            let field = |text: &mut String, key: &str, value: &Option<String>| {
                if let Some(value) = value {
                    attribute(text, "      ", "string", key, value);
                }
            };
            text.push_str("    <event>\n");
            attribute(&mut text, "      ", "string", "concept:name", &name);
            attribute(
                &mut text,
                "      ",
                "string",
                "lifecycle:transition",
                transition(&event.event),
            );
            let time = parse_time(&event.time).map_or_else(|| event.time.clone(), format_time);
            attribute(&mut text, "      ", "date", "time:timestamp", &time);
            attribute(&mut text, "      ", "string", "org:resource", &event.by);
            field(&mut text, "org:role", &event.role);
            attribute(&mut text, "      ", "string", "sop:step", occurrence.step);
            attribute(&mut text, "      ", "string", "sop:event", &event.event);
            attribute(
                &mut text,
                "      ",
                "int",
                "sop:seq",
                &event.seq.min(i64::MAX as u64).to_string(),
            );
            field(&mut text, "sop:limit", &event.limit);
            if finishing {
                field(&mut text, "sop:answer", &event.answer);
                field(&mut text, "sop:to", &event.to);
                field(&mut text, "sop:elapsed", &event.elapsed);
                let late = if occurrence.late { "true" } else { "false" };
                attribute(&mut text, "      ", "boolean", "sop:late", late);
                if let Some(reason) = occurrence.overridden {
                    attribute(&mut text, "      ", "string", "sop:override", reason);
                }
            }
            text.push_str("    </event>\n");
        }
    }
    text.push_str("  </trace>\n");
    out.write_all(text.as_bytes())
}

/// How a run ended: `end`, `sop:<ID>` after a hand-off, or `open` (paused
/// or interrupted).
pub fn outcome(events: &[Event]) -> String {
    match events.last() {
        Some(last) if last.event == "end" => last.to.clone().unwrap_or_else(|| "end".into()),
        _ => "open".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, step: &str, title: &str) -> Event {
        Event {
            run: "r".into(),
            sop: "S".into(),
            event: kind.into(),
            step: (!step.is_empty()).then(|| step.into()),
            title: (!title.is_empty()).then(|| title.into()),
            time: "2026-11-30T20:45:00.000Z".into(),
            by: "me".into(),
            ..Event::default()
        }
    }

    #[test]
    fn a_title_shared_by_two_steps_gets_the_step_ids() {
        let events = vec![
            event("start", "", "The SOP"),
            event("step-start", "a", "Call"),
            event("step-done", "a", "Call"),
            event("step-start", "b", "Call"),
            event("step-done", "b", "Call"),
            event("step-start", "c", "Write"),
            event("step-done", "c", "Write"),
            event("step-start", "#4", ""),
        ];
        let mut activities = Activities::default();
        activities.learn(&events);
        let names = activities.names();
        let found: Vec<String> = occurrences(&events)
            .iter()
            .map(|o| names.of("S", o))
            .collect();
        assert_eq!(found, ["Call [a]", "Call [b]", "Write", "#4"]);
    }

    #[test]
    fn user_text_cannot_break_the_xml() {
        let mut done = event("step-skipped", "a", "<&\"'>\u{1}\u{7}\t\r\n");
        done.answer = Some("]]><x/>\u{0}".into());
        let events = vec![
            event("start", "", "t"),
            event("step-start", "a", "<&\"'>\u{1}\u{7}\t\r\n"),
            done,
        ];
        let mut activities = Activities::default();
        activities.learn(&events);
        let mut out = Vec::new();
        head(&mut out).unwrap();
        trace(&mut out, &events, &activities.names()).unwrap();
        tail(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1}') && !text.contains('\u{0}'));
        assert!(text.contains("value=\"&lt;&amp;&quot;&apos;&gt;\"/>"));
        assert!(text.contains("value=\"]]&gt;&lt;x/&gt;\"/>"));
        assert!(text.contains("<string key=\"lifecycle:transition\" value=\"ate_abort\"/>"));
    }
}
