//! The occurrences of steps in a run: each time the run was on a step,
//! from its `step-start` to the event that finished it. The export to XES
//! and `sop log report` both count in occurrences (see docs/runs.md).

use super::record::Event;

/// The events that finish a step.
pub const FINISHING: &[&str] = &["step-done", "step-skipped", "decision", "timeout"];

/// One time a run was on a step.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence<'a> {
    pub step: &'a str,
    /// The step's latest `step-start`: a resumed run shows the step again
    /// and its time is counted from there, as the record's `elapsed` is.
    /// `None` only in a record whose finishing event has no `step-start`
    /// before it.
    pub start: Option<&'a Event>,
    /// `step-done`, `step-skipped`, `decision` or `timeout`; `None` while
    /// the step is not finished (a paused or interrupted run).
    pub finish: Option<&'a Event>,
    /// A `late` event follows the finishing event.
    pub late: bool,
    /// The reason given for the checklist items overridden in it.
    pub overridden: Option<&'a str>,
}

impl<'a> Occurrence<'a> {
    fn new(step: &'a str) -> Occurrence<'a> {
        Occurrence {
            step,
            start: None,
            finish: None,
            late: false,
            overridden: None,
        }
    }

    /// The step's title as the record gives it.
    pub fn title(&self) -> Option<&'a str> {
        self.start
            .and_then(|e| e.title.as_deref())
            .or_else(|| self.finish.and_then(|e| e.title.as_deref()))
    }

    /// Whole seconds from the step's start to its finishing event, as the
    /// record's `elapsed` counts them; `None` when it did not finish.
    pub fn seconds(&self) -> Option<u64> {
        let start = super::record::parse_time(&self.start?.time)?;
        let finish = super::record::parse_time(&self.finish?.time)?;
        Some(u64::try_from(finish.as_second() - start.as_second()).unwrap_or(0))
    }
}

/// The occurrences of steps in a run's events, in order. A `step-start` of
/// the step that is not finished yet (shown again after a resume) goes on
/// with that occurrence; pauses, resumes, checklist items, hand-offs and
/// the run's start and end are not occurrences.
pub fn occurrences(events: &[Event]) -> Vec<Occurrence<'_>> {
    let mut out: Vec<Occurrence<'_>> = Vec::new();
    let mut open: Option<Occurrence<'_>> = None;
    for event in events {
        let kind = event.event.as_str();
        if kind == "late" {
            if let (None, Some(last)) = (&open, out.last_mut()) {
                if last.finish.is_some() && last.step == event.step.as_deref().unwrap_or("") {
                    last.late = true;
                }
            }
            continue;
        }
        let Some(step) = event.step.as_deref() else {
            continue;
        };
        match kind {
            "step-start" => {
                let going_on = open.as_ref().is_some_and(|o| o.step == step);
                if !going_on {
                    out.extend(open.take());
                }
                open.get_or_insert_with(|| Occurrence::new(step)).start = Some(event);
            }
            "checklist-item" if event.answer.as_deref() == Some("override") => {
                if let Some(o) = open.as_mut().filter(|o| o.step == step) {
                    o.overridden = o.overridden.or(event.note.as_deref());
                }
            }
            kind if FINISHING.contains(&kind) => {
                let mut occurrence = match open.take() {
                    Some(o) if o.step == step => o,
                    other => {
                        out.extend(other);
                        Occurrence::new(step)
                    }
                };
                occurrence.finish = Some(event);
                out.push(occurrence);
            }
            _ => {}
        }
    }
    out.extend(open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, step: &str, time: &str) -> Event {
        Event {
            event: kind.into(),
            step: (!step.is_empty()).then(|| step.into()),
            time: format!("2026-11-30T20:{time}.000Z"),
            ..Event::default()
        }
    }

    #[test]
    fn a_resumed_step_is_one_occurrence_timed_from_its_last_start() {
        let mut override_item = event("checklist-item", "b", "51:00");
        override_item.answer = Some("override".into());
        override_item.note = Some("no time".into());
        let events = vec![
            event("start", "", "45:00"),
            event("step-start", "a", "45:00"),
            event("step-done", "a", "46:00"),
            event("late", "a", "46:00"),
            event("step-start", "b", "46:00"),
            event("pause", "b", "47:00"),
            event("resume", "b", "50:00"),
            event("step-start", "b", "50:00"),
            override_item,
            event("step-skipped", "b", "52:00"),
            event("step-start", "a", "52:00"),
            event("pause", "a", "53:00"),
        ];
        let found = occurrences(&events);
        let summary: Vec<(&str, Option<u64>, bool, Option<&str>)> = found
            .iter()
            .map(|o| (o.step, o.seconds(), o.late, o.overridden))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a", Some(60), true, None),
                ("b", Some(120), false, Some("no time")),
                ("a", None, false, None),
            ]
        );
        assert_eq!(found[1].start.unwrap().time, "2026-11-30T20:50:00.000Z");
    }

    #[test]
    fn a_finish_without_a_start_is_still_an_occurrence() {
        let events = vec![
            event("start", "", "45:00"),
            event("step-start", "a", "45:00"),
            event("decision", "b", "46:00"),
        ];
        let found = occurrences(&events);
        assert_eq!(found.len(), 2);
        assert!(found[0].finish.is_none());
        assert!(found[1].start.is_none());
        assert_eq!(found[1].seconds(), None);
    }
}
