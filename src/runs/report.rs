//! `sop log report`: what many runs of the same SOPs say about each step:
//! how many runs reached it, how long it took against its limit, how often
//! it was late or skipped, which option each decision took (see
//! docs/runs.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::occurrence::occurrences;
use super::record::{parse_time, Event};
use crate::terminal::sanitize_for_terminal;
use crate::values::Duration;

/// The runs read so far, per SOP.
#[derive(Debug, Default)]
pub struct Report {
    sops: BTreeMap<String, SopRuns>,
}

#[derive(Debug, Default)]
struct SopRuns {
    title: String,
    versions: Vec<String>,
    runs: usize,
    ended: usize,
    handed_off: usize,
    open: usize,
    /// Seconds from start to end of the runs that ended.
    durations: Vec<u64>,
    /// Step ids in report order.
    order: Vec<String>,
    position: HashMap<String, usize>,
    steps: HashMap<String, StepRuns>,
}

#[derive(Debug, Default)]
struct StepRuns {
    title: String,
    limit: Option<String>,
    runs: usize,
    times: usize,
    durations: Vec<u64>,
    late: usize,
    skipped: usize,
    timeouts: usize,
    options: Vec<Choice>,
    option_index: HashMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
struct Choice {
    answer: String,
    to: Option<String>,
    count: usize,
}

impl Report {
    /// Adds a run (a checked record's events).
    pub fn add(&mut self, events: &[Event]) {
        let (Some(first), Some(last)) = (events.first(), events.last()) else {
            return;
        };
        let sop = self.sops.entry(first.sop.clone()).or_default();
        sop.runs += 1;
        if let Some(title) = &first.title {
            sop.title.clone_from(title);
        }
        if let Some(version) = &first.version {
            if !sop.versions.contains(version) {
                sop.versions.push(version.clone());
            }
        }
        if last.event == "end" {
            if last.to.is_some() {
                sop.handed_off += 1;
            } else {
                sop.ended += 1;
            }
            if let (Some(a), Some(b)) = (parse_time(&first.time), parse_time(&last.time)) {
                sop.durations
                    .push(u64::try_from(b.as_second() - a.as_second()).unwrap_or(0));
            }
        } else {
            sop.open += 1;
        }
        let mut walked: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for occurrence in occurrences(events) {
            let step = sop.steps.entry(occurrence.step.to_string()).or_default();
            if let Some(title) = occurrence.title() {
                step.title = title.to_string();
            }
            step.limit = occurrence
                .start
                .or(occurrence.finish)
                .and_then(|e| e.limit.clone());
            step.times += 1;
            if seen.insert(occurrence.step) {
                step.runs += 1;
                walked.push(occurrence.step);
            }
            let Some(finish) = occurrence.finish else {
                continue;
            };
            if let Some(seconds) = occurrence.seconds() {
                step.durations.push(seconds);
            }
            step.late += usize::from(occurrence.late);
            match finish.event.as_str() {
                "step-skipped" => step.skipped += 1,
                "timeout" => step.timeouts += 1,
                "decision" => {
                    let answer = finish.answer.clone().unwrap_or_default();
                    match step.option_index.get(&answer) {
                        Some(&i) => {
                            step.options[i].count += 1;
                            step.options[i].to.clone_from(&finish.to);
                        }
                        None => {
                            step.option_index.insert(answer.clone(), step.options.len());
                            step.options.push(Choice {
                                answer,
                                to: finish.to.clone(),
                                count: 1,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        sop.place(&walked);
    }

    /// The report for programs: one JSON document.
    pub fn json(&self) -> String {
        let sops: Vec<JsonSop> = self
            .sops
            .iter()
            .map(|(id, sop)| JsonSop {
                sop: id.clone(),
                title: sop.title.clone(),
                versions: sop.versions.clone(),
                runs: sop.runs,
                ended: sop.ended,
                handed_off: sop.handed_off,
                open: sop.open,
                duration: Quantiles::of(&sop.durations),
                steps: sop
                    .order
                    .iter()
                    .filter_map(|id| Some((id, sop.steps.get(id)?)))
                    .map(|(id, step)| JsonStep {
                        step: id.clone(),
                        title: step.title.clone(),
                        runs: step.runs,
                        times: step.times,
                        finished: step.durations.len(),
                        duration: Quantiles::of(&step.durations),
                        limit: step.limit.clone(),
                        limit_seconds: step.limit_seconds(),
                        late: step.late,
                        skipped: step.skipped,
                        timeouts: step.timeouts,
                        options: step.options.clone(),
                    })
                    .collect(),
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&JsonReport { sops }).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The report for people: a table of steps per SOP, then the choices
    /// made at each decision.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for (id, sop) in &self.sops {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "{}: {}\n",
                sanitize_for_terminal(id),
                sanitize_for_terminal(&sop.title)
            ));
            let durations = Quantiles::of(&sop.durations);
            out.push_str(&format!(
                "{} {}: {} ended, {} handed off, {} not ended",
                sop.runs,
                if sop.runs == 1 { "run" } else { "runs" },
                sop.ended,
                sop.handed_off,
                sop.open
            ));
            if let (Some(median), Some(p90)) = (&durations.median, &durations.p90) {
                out.push_str(&format!(
                    "; time per run: median {median}, 90th percentile {p90}"
                ));
            }
            out.push('\n');
            if !sop.versions.is_empty() {
                out.push_str(&format!(
                    "{}: {}\n",
                    if sop.versions.len() == 1 {
                        "Version"
                    } else {
                        "Versions"
                    },
                    sanitize_for_terminal(&sop.versions.join(", "))
                ));
            }
            out.push('\n');
            out.push_str(&sop.table());
            let decisions: Vec<(&String, &StepRuns)> = sop
                .order
                .iter()
                .filter_map(|id| Some((id, sop.steps.get(id)?)))
                .filter(|(_, step)| !step.options.is_empty())
                .collect();
            if !decisions.is_empty() {
                out.push_str("\nDecisions\n");
                for (id, step) in decisions {
                    out.push_str(&format!(
                        "  {}: {}\n",
                        sanitize_for_terminal(id),
                        sanitize_for_terminal(&step.title)
                    ));
                    let width = step
                        .options
                        .iter()
                        .map(|o| o.count.to_string().len())
                        .max()
                        .unwrap_or(1);
                    for option in &step.options {
                        out.push_str(&format!(
                            "    {:>width$}  {} -> {}\n",
                            option.count,
                            sanitize_for_terminal(&option.answer),
                            sanitize_for_terminal(option.to.as_deref().unwrap_or("?"))
                        ));
                    }
                }
            }
        }
        if !out.is_empty() {
            out.push_str(
                "\nRuns: the runs that reached the step. Times: how often it was started.\n\
                 Median, P90: the time from its start to its finish (nearest rank).\n",
            );
        }
        out
    }
}

impl SopRuns {
    /// Places the steps a run walked (each once, in the order first met)
    /// in the report's order: a step not met before goes before the next
    /// step of that run already placed, or at the end.
    fn place(&mut self, walked: &[&str]) {
        let mut pending: Vec<String> = Vec::new();
        let mut after: Option<usize> = None;
        for &step in walked {
            let Some(&at) = self.position.get(step) else {
                pending.push(step.to_string());
                continue;
            };
            if !pending.is_empty() {
                let at = match after {
                    Some(a) if a >= at => a + 1,
                    _ => at,
                };
                self.order.splice(at..at, pending.drain(..));
                self.reindex();
            }
            after = self.position.get(step).copied();
        }
        if !pending.is_empty() {
            self.order.append(&mut pending);
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        self.position = self
            .order
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect();
    }

    /// The table of steps, numbers right-aligned, the step last.
    fn table(&self) -> String {
        let dash = || "-".to_string();
        let mut rows: Vec<[String; 9]> = vec![[
            "Runs".into(),
            "Times".into(),
            "Median".into(),
            "P90".into(),
            "Limit".into(),
            "Late".into(),
            "Skipped".into(),
            "Timeouts".into(),
            "Step".into(),
        ]];
        for id in &self.order {
            let Some(step) = self.steps.get(id) else {
                continue;
            };
            let q = Quantiles::of(&step.durations);
            rows.push([
                step.runs.to_string(),
                step.times.to_string(),
                q.median.unwrap_or_else(dash),
                q.p90.unwrap_or_else(dash),
                step.limit
                    .as_deref()
                    .map(|l| sanitize_for_terminal(l).into_owned())
                    .unwrap_or_else(dash),
                step.late.to_string(),
                step.skipped.to_string(),
                step.timeouts.to_string(),
                format!(
                    "{}: {}",
                    sanitize_for_terminal(id),
                    sanitize_for_terminal(&step.title)
                ),
            ]);
        }
        let mut widths = [0usize; 8];
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row.iter()) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in &rows {
            let mut line = String::new();
            for (cell, w) in row.iter().zip(widths) {
                line.push_str(&format!("{cell:>w$}  "));
            }
            line.push_str(&row[8]);
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

impl StepRuns {
    fn limit_seconds(&self) -> Option<u64> {
        Duration::parse(self.limit.as_deref()?)?.total_seconds()
    }
}

/// The `p`-th percentile of sorted values by nearest rank: the value at
/// rank ⌈p/100 × n⌉ (1-based), so always a value that occurred; the median
/// of an even number of values is the lower middle one.
pub fn percentile(sorted: &[u64], p: u64) -> Option<u64> {
    let n = sorted.len() as u64;
    let rank = (p.min(100) * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

#[derive(Serialize)]
struct JsonReport {
    sops: Vec<JsonSop>,
}

#[derive(Serialize)]
struct JsonSop {
    sop: String,
    title: String,
    versions: Vec<String>,
    runs: usize,
    ended: usize,
    handed_off: usize,
    open: usize,
    duration: Quantiles,
    steps: Vec<JsonStep>,
}

#[derive(Serialize)]
struct JsonStep {
    step: String,
    title: String,
    runs: usize,
    times: usize,
    finished: usize,
    duration: Quantiles,
    limit: Option<String>,
    limit_seconds: Option<u64>,
    late: usize,
    skipped: usize,
    timeouts: usize,
    options: Vec<Choice>,
}

/// The median and the 90th percentile of durations, as ISO 8601 and in
/// seconds; `None` without any duration.
#[derive(Serialize)]
struct Quantiles {
    median: Option<String>,
    median_seconds: Option<u64>,
    p90: Option<String>,
    p90_seconds: Option<u64>,
}

impl Quantiles {
    fn of(values: &[u64]) -> Quantiles {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let median = percentile(&sorted, 50);
        let p90 = percentile(&sorted, 90);
        let iso = |s: u64| Duration::from_seconds(s.into()).iso();
        Quantiles {
            median: median.map(iso),
            median_seconds: median,
            p90: p90.map(iso),
            p90_seconds: p90,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 50), Some(7));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2], 50), Some(1));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50), Some(5));
        assert_eq!(percentile(&ten, 90), Some(9));
        let eleven: Vec<u64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 90), Some(10));
        assert_eq!(percentile(&eleven, 100), Some(11));
    }

    fn runs(order: &[&[&str]]) -> Vec<String> {
        let mut sop = SopRuns::default();
        for walked in order {
            sop.place(walked);
        }
        sop.order
    }

    #[test]
    fn steps_are_ordered_as_the_runs_walk_them() {
        assert_eq!(
            runs(&[&["a", "b", "d"], &["a", "c", "d"], &["a", "e"]]),
            ["a", "b", "c", "d", "e"]
        );
        // A run that walks placed steps in another order: the new step
        // goes after the one it came from.
        assert_eq!(
            runs(&[&["a", "b", "c"], &["c", "x", "a"]]),
            ["a", "b", "c", "x"]
        );
        assert_eq!(runs(&[&["b", "c"], &["a", "b"]]), ["a", "b", "c"]);
    }
}
