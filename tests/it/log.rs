//! `sop log export` (XES, CSV) and `sop log report` over records made by
//! scripted runs: snapshots of each output, the XES read back as XML, the
//! CSV read back cell by cell, and what a broken, truncated or garbled
//! record does.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use crate::run::{answers, model, read_events, records, run_id};
use crate::support::{root, sop, Out};

const CS003: &str = "examples/CS-003-card-payment-failure.sop";

/// Starts a run of `file` in `runs` with the test clock at `clock`.
fn run_at(file: &str, runs: &Path, input: &str, clock: &str, person: &str) -> Out {
    sop(&[
        "run".as_ref(),
        file.as_ref(),
        "--as".as_ref(),
        person.as_ref(),
        "--runs".as_ref(),
        runs.as_os_str(),
    ])
    .env("SOP_RUN_CLOCK", clock)
    .stdin(input)
    .run()
}

/// The newest record in `runs`: the one whose id has the latest time.
fn newest(runs: &Path) -> PathBuf {
    records(runs).pop().expect("a record")
}

/// CS-003 with everything a step can meet: a late greeting, a checklist
/// item not ticked then overridden, a skipped look-up, a pause, a resume
/// by another person, a decision.
fn rich_run(runs: &Path) -> PathBuf {
    run_at(
        CS003,
        runs,
        "what\ndone\ny\nn\ny\ny\nn\noverride the customer hung up\ndone\nskip gateway down\npause\n",
        "2026-11-30T09:00:00Z+60",
        "Tester",
    )
    .code(0);
    let record = newest(runs);
    sop(&[
        "run".as_ref(),
        "--resume".as_ref(),
        run_id(&record).as_ref(),
        "--as".as_ref(),
        "Other".as_ref(),
        "--runs".as_ref(),
        runs.as_os_str(),
    ])
    .env("SOP_RUN_CLOCK", "2026-11-30T10:00:00Z+120")
    .stdin("4\ndone\ndone\n1\ndone\ndone\n")
    .run()
    .code(0);
    record
}

/// The runs behind the report: CS-003 to its end, the rich run, CS-003
/// handed off to CS-014 with every step five minutes long, a paused
/// CS-003, the Chinese and the Hungarian examples to their ends, and a
/// fixture whose step loops and then times out.
fn many_runs(runs: &Path) {
    let cs003 = model(Path::new(CS003));
    let (to_end, _) = answers(&cs003, "greet");
    run_at(CS003, runs, &to_end, "2026-11-30T08:00:00Z+60", "Tester").code(0);
    rich_run(runs);
    run_at(
        CS003,
        runs,
        "done\ny\ny\ny\ny\ndone\ndone\n5\ndone\n2\n",
        "2026-11-30T11:00:00Z+300",
        "Tester",
    )
    .code(0);
    run_at(
        CS003,
        runs,
        "done\ny\npause\n",
        "2026-11-30T11:30:00Z+30",
        "Tester",
    )
    .code(0);
    for (file, clock) in [
        (
            "examples/CS-010-reception-and-needs.sop",
            "2026-11-30T12:00:00Z+30",
        ),
        (
            "examples/CS-020-telefonos-megkeresesek.sop",
            "2026-11-30T13:00:00Z+45",
        ),
    ] {
        let model = model(Path::new(file));
        let (input, _) = answers(&model, model["start"].as_str().unwrap());
        run_at(file, runs, &input, clock, "Tester").code(0);
    }
    run_at(
        "tests/fixtures/valid/timeouts.sop",
        runs,
        "done\ndone\ntimeout\ndone\n",
        "2026-11-30T14:00:00Z+200",
        "Tester",
    )
    .code(0);
}

fn export(inputs: &[&Path], to: &str, out: &Path, extra: &[&str]) -> Out {
    let mut args: Vec<&std::ffi::OsStr> = vec!["log".as_ref(), "export".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend(["--to".as_ref(), to.as_ref(), "-o".as_ref(), out.as_os_str()]);
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    sop(&args).run()
}

fn report(inputs: &[&Path], extra: &[&str]) -> Out {
    let mut args: Vec<&std::ffi::OsStr> = vec!["log".as_ref(), "report".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    sop(&args).run()
}

/// `text` with what differs between test runs made stable: run ids (their
/// last four hex digits are random) become `RUN-1`, `RUN-2`… in the order
/// of `records`, SHA-256 digests (the chain depends on the run id)
/// `<sha256>`, and the crate root `ROOT`.
fn stable(text: &str, records: &[PathBuf]) -> String {
    let mut text = text.to_string();
    for (i, record) in records.iter().enumerate() {
        text = text.replace(&run_id(record), &format!("RUN-{}", i + 1));
    }
    text = text.replace(&root().display().to_string(), "ROOT");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let hex = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        if hex == 64 {
            out.push_str("<sha256>");
            rest = &rest[64..];
        } else {
            let skip = hex.max(rest.chars().next().map_or(1, char::len_utf8));
            out.push_str(&rest[..skip]);
            rest = &rest[skip..];
        }
    }
    out
}

/// Reads RFC 4180 CSV strictly: quoted cells with doubled quotes, every
/// record ending with CRLF, no bare line break outside quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            ',' => {
                row.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
                was_quoted = false;
            }
            '"' | '\r' | '\n' => panic!("{c:?} outside quotes in CSV: {cell:?}"),
            _ if was_quoted => panic!("text after a closing quote: {cell:?}{c}"),
            _ => cell.push(c),
        }
    }
    assert!(!quoted, "a quoted cell is not closed");
    assert!(
        row.is_empty() && cell.is_empty(),
        "the last record does not end with CRLF"
    );
    rows
}

/// A cell's text: the `'` guard taken off.
fn unguarded(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// The XES events a record makes: a start per step-start (a step shown
/// again after a resume goes on with its start), a finish per finishing
/// event; as (step, lifecycle transition).
fn expected_xes_events(events: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    // The step whose start was the last event pushed, not finished yet.
    let mut open: Option<String> = None;
    for e in events {
        let step = e["step"].as_str().unwrap_or("").to_string();
        let transition = match e["event"].as_str().unwrap() {
            "step-start" => {
                if open.take().as_ref() == Some(&step) {
                    out.pop();
                }
                open = Some(step.clone());
                "start"
            }
            "step-done" | "decision" | "timeout" => "complete",
            "step-skipped" => "ate_abort",
            _ => continue,
        };
        if transition != "start" {
            open = None;
        }
        out.push((step, transition.to_string()));
    }
    out
}

/// The value of the attribute `key` of an XES element.
fn attr<'a>(element: roxmltree::Node<'a, 'a>, key: &str) -> Option<&'a str> {
    element
        .children()
        .find(|c| c.attribute("key") == Some(key))
        .and_then(|c| c.attribute("value"))
}

#[test]
fn xes_export_is_a_trace_per_run_and_an_event_per_start_and_finish() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    many_runs(&runs);
    let out = dir.path().join("runs.xes");
    export(&[&runs], "xes", &out, &[]).code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let log = doc.root_element();
    assert_eq!(log.tag_name().name(), "log");
    assert_eq!(
        log.tag_name().namespace(),
        Some("http://www.xes-standard.org/")
    );
    assert_eq!(log.attribute("xes.version"), Some("2.0"));
    let extensions: Vec<(&str, &str)> = log
        .children()
        .filter(|c| c.has_tag_name("extension"))
        .map(|c| (c.attribute("prefix").unwrap(), c.attribute("uri").unwrap()))
        .collect();
    for prefix in ["concept", "lifecycle", "org", "time"] {
        let uri = format!("http://www.xes-standard.org/{prefix}.xesext");
        assert!(extensions.contains(&(prefix, uri.as_str())), "{prefix}");
    }
    let event_globals: Vec<&str> = log
        .children()
        .find(|c| c.has_tag_name("global") && c.attribute("scope") == Some("event"))
        .unwrap()
        .children()
        .filter_map(|c| c.attribute("key"))
        .collect();
    let records = records(&runs);
    let traces: Vec<_> = log.children().filter(|c| c.has_tag_name("trace")).collect();
    assert_eq!(traces.len(), records.len());
    for (trace, record) in traces.iter().zip(&records) {
        let events = read_events(record);
        assert_eq!(attr(*trace, "concept:name"), Some(run_id(record).as_str()));
        assert_eq!(attr(*trace, "sop:id"), events[0]["sop"].as_str());
        assert_eq!(attr(*trace, "sop:hash"), events[0]["sop_hash"].as_str());
        let found: Vec<(String, String)> = trace
            .children()
            .filter(|c| c.has_tag_name("event"))
            .map(|e| {
                for key in &event_globals {
                    assert!(attr(e, key).is_some(), "an event without {key}");
                }
                (
                    attr(e, "sop:step").unwrap().to_string(),
                    attr(e, "lifecycle:transition").unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(found, expected_xes_events(&events), "{}", record.display());
        // Timestamps in record order.
        let times: Vec<&str> = trace
            .children()
            .filter(|c| c.has_tag_name("event"))
            .map(|e| attr(e, "time:timestamp").unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }
    // The outcomes: ended, handed off, not ended.
    let outcomes: Vec<&str> = traces
        .iter()
        .map(|t| attr(*t, "sop:outcome").unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "end",
            "end",
            "sop:CS-014",
            "open",
            "sop:CS-012",
            "end",
            "end"
        ]
    );
    // A directory is its records by name: the same export as naming them.
    let named = dir.path().join("named.xes");
    let paths: Vec<&Path> = records.iter().map(PathBuf::as_path).collect();
    export(&paths, "xes", &named, &[]).code(0);
    assert_eq!(std::fs::read(&named).unwrap(), text.as_bytes());
}

#[test]
fn xes_and_csv_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    rich_run(&runs);
    let model = model(Path::new("examples/CS-010-reception-and-needs.sop"));
    let (input, _) = answers(&model, model["start"].as_str().unwrap());
    run_at(
        "examples/CS-010-reception-and-needs.sop",
        &runs,
        &input,
        "2026-11-30T12:00:00Z+30",
        "王芳",
    )
    .code(0);
    let records = records(&runs);
    let xes = dir.path().join("out/runs.xes");
    export(&[&runs], "xes", &xes, &[]).code(0);
    insta::assert_snapshot!(
        "export-xes",
        stable(&std::fs::read_to_string(&xes).unwrap(), &records)
    );
    let csv = export(&[&records[0]], "csv", Path::new("-"), &[]);
    csv.code(0);
    let text = csv.stdout.strip_prefix('\u{feff}').expect("a BOM first");
    assert!(text.ends_with("\r\n"));
    insta::assert_snapshot!("export-csv", stable(&text.replace("\r\n", "\n"), &records));
    let no_bom = export(&[&records[0]], "csv", Path::new("-"), &["--no-bom"]);
    no_bom.code(0);
    assert_eq!(no_bom.stdout, text);
}

#[test]
fn csv_keeps_every_field_of_every_event_and_defuses_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let person = "@Ada \"Lovelace\", 数据\nline two\t<&>\u{1}";
    run_at(
        CS003,
        &runs,
        "done\ny\noverride +1, \"quoted\"; 客户挂断\ndone\nskip =HYPERLINK(\"http://x\"), 网关 -2\npause\n",
        "2026-11-30T09:00:00Z+60",
        person,
    )
    .code(0);
    let record = newest(&runs);
    let events = read_events(&record);
    let out = dir.path().join("runs.csv");
    export(&[&runs], "csv", &out, &[]).code(0);
    let bytes = std::fs::read(&out).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let rows = parse_csv(text.strip_prefix('\u{feff}').unwrap());
    let columns = [
        "seq", "time", "run", "sop", "version", "sop_hash", "event", "step", "title", "by", "role",
        "answer", "item", "note", "to", "limit", "elapsed", "file", "linked", "prev", "hash",
    ];
    assert_eq!(rows[0], columns);
    assert_eq!(rows.len(), events.len() + 1);
    for (row, event) in rows[1..].iter().zip(&events) {
        assert_eq!(row.len(), columns.len());
        for (cell, column) in row.iter().zip(columns) {
            let expected = match &event[column] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(unguarded(cell), expected, "{column}");
            // Nothing a spreadsheet would take for a formula.
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\"), 网关 -2\""));
    assert!(text.contains("\"'@Ada \"\"Lovelace\"\", 数据\nline two\t<&>\u{1}\""));

    // The same record in XES: well-formed, the text kept but for the
    // control character XML cannot hold.
    let xes = dir.path().join("runs.xes");
    export(&[&runs], "xes", &xes, &[]).code(0);
    let text = std::fs::read_to_string(&xes).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let event = doc.descendants().find(|n| n.has_tag_name("event")).unwrap();
    assert_eq!(
        attr(event, "org:resource"),
        Some("@Ada \"Lovelace\", 数据\nline two\t<&>")
    );
    let skipped = doc
        .descendants()
        .find(|n| n.has_tag_name("event") && attr(*n, "sop:event") == Some("step-skipped"))
        .unwrap();
    assert_eq!(
        attr(skipped, "sop:answer"),
        Some("=HYPERLINK(\"http://x\"), 网关 -2")
    );
    assert_eq!(attr(skipped, "lifecycle:transition"), Some("ate_abort"));
    let symptoms = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("event")
                && attr(*n, "sop:event") == Some("step-done")
                && attr(*n, "sop:step") == Some("symptoms")
        })
        .unwrap();
    assert_eq!(
        attr(symptoms, "sop:override"),
        Some("+1, \"quoted\"; 客户挂断")
    );
}

#[test]
fn report_per_step_and_per_decision() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    many_runs(&runs);
    let records = records(&runs);
    let human = report(&[&runs], &[]);
    human.code(0);
    insta::assert_snapshot!("report-human", stable(&human.stdout, &records));
    let json = report(&[&runs], &["--format", "json"]);
    json.code(0);
    insta::assert_snapshot!("report-json", stable(&json.stdout, &records));
    let value = json.json();
    let sops: Vec<&str> = value["sops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sop"].as_str().unwrap())
        .collect();
    assert_eq!(sops, ["CS-003", "CS-010", "CS-020", "VAL-TIMEOUTS"]);
    // The numbers agree with the records: per step, the runs that reached
    // it and the durations of its finishing events.
    let cs003 = &value["sops"][0];
    assert_eq!(cs003["runs"], 4);
    assert_eq!(cs003["ended"], 2);
    assert_eq!(cs003["handed_off"], 1);
    assert_eq!(cs003["open"], 1);
    let step = |id: &str| {
        cs003["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == id)
            .unwrap()
            .clone()
    };
    let greet = step("greet");
    assert_eq!(greet["runs"], 4);
    assert_eq!(greet["late"], 2);
    // Greetings of one, two and five minutes, and one of half a minute:
    // nearest rank, the median is the second of four, P90 the fourth.
    assert_eq!(greet["duration"]["median_seconds"], 60);
    assert_eq!(greet["duration"]["p90_seconds"], 300);
    assert_eq!(greet["limit_seconds"], 60);
    let diagnose = step("diagnose");
    let options: Vec<(&str, u64)> = diagnose["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["to"].as_str().unwrap(), o["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(options, [("technical", 1), ("bank", 1), ("escalate", 1)]);
    assert_eq!(step("lookup")["skipped"], 1);
    let timeouts = &value["sops"][3]["steps"];
    assert_eq!(timeouts[1]["step"], "wait");
    assert_eq!(timeouts[1]["times"], 2);
    assert_eq!(timeouts[1]["timeouts"], 1);
    // Steps in the order walked: a branch first met in a later run comes
    // before the step it led back to.
    let order: Vec<&str> = cs003["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "greet",
            "symptoms",
            "lookup",
            "diagnose",
            "technical",
            "bank",
            "hold",
            "retry",
            "confirm",
            "record",
            "escalate",
            "billing-review"
        ]
    );
}

#[test]
fn a_broken_record_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let record = rich_run(&runs);
    let text = std::fs::read_to_string(&record).unwrap();
    let edited = text.replacen("\"by\":\"Other\"", "\"by\":\"Another\"", 1);
    let line = text
        .lines()
        .position(|l| l.contains("\"by\":\"Other\""))
        .unwrap()
        + 1;
    std::fs::write(&record, edited).unwrap();
    let out = dir.path().join("out.xes");
    std::fs::write(&out, "before").unwrap();
    for to in ["xes", "csv"] {
        let result = export(&[&runs], to, &out, &[]);
        result.code(1);
        let expected = format!(":{line}: line {line} was changed");
        assert!(result.stderr.contains(&expected), "{}", result.stderr);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "before");
    }
    let result = report(&[&runs], &[]);
    result.code(1);
    assert!(result.stdout.is_empty());
    // Empty, garbled or binary records: exit 1, no panic.
    for (name, bytes) in [
        ("empty.jsonl", Vec::new()),
        (
            "garbage.jsonl",
            b"\x00\xff\xfe binary \x89PNG\r\n\x1a\n".to_vec(),
        ),
        ("json.jsonl", b"{\"seq\":1}\n".to_vec()),
        ("cut.jsonl", b"{\"seq\":1,\"ti".to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let result = export(&[&path], "csv", Path::new("-"), &[]);
        result.code(1);
        assert!(result.stdout.is_empty(), "{name}");
        assert!(
            result.stderr.contains(":1: line 1 "),
            "{name}: {}",
            result.stderr
        );
        report(&[&path], &["--format", "json"]).code(1);
    }
}

#[test]
fn a_truncated_last_line_is_noted_and_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    run_at(
        CS003,
        &runs,
        "done\ny\npause\n",
        "2026-11-30T09:00:00Z+60",
        "Tester",
    )
    .code(0);
    let record = newest(&runs);
    let text = std::fs::read_to_string(&record).unwrap();
    let lines = text.lines().count();
    std::fs::write(&record, &text[..text.len() - 40]).unwrap();
    let out = export(&[&runs], "csv", Path::new("-"), &[]);
    out.code(0);
    assert!(
        out.stderr
            .contains(&format!(":{lines}: the last line is incomplete")),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout.matches("\r\n").count(), lines);
    report(&[&record], &[]).code(0);
}

#[test]
fn usage_and_output_errors_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    run_at(
        CS003,
        &runs,
        "done\npause\n",
        "2026-11-30T09:00:00Z+60",
        "Tester",
    )
    .code(0);
    let record = newest(&runs);
    let before = std::fs::read(&record).unwrap();
    // A missing run, an empty directory.
    let out = export(
        &[Path::new("20261130T000000Z-NONE-0000")],
        "csv",
        &dir.path().join("x.csv"),
        &[],
    );
    out.code(2);
    assert!(out.stderr.contains("no run record"), "{}", out.stderr);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    report(&[&empty], &[]).code(2);
    // The same run twice: a copy of its record.
    let copy = dir.path().join("copy.jsonl");
    std::fs::copy(&record, &copy).unwrap();
    let out = report(&[&runs, &copy], &[]);
    out.code(2);
    assert!(out.stderr.contains("both records of run"), "{}", out.stderr);
    // The same file twice is read once.
    report(&[&runs, &record], &[]).code(0);
    // Over the record itself, over a directory.
    let out = export(&[&record], "csv", &record, &[]);
    out.code(2);
    assert_eq!(std::fs::read(&record).unwrap(), before);
    let out = export(&[&record], "xes", &runs, &[]);
    out.code(2);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    // --no-bom is for CSV; --to and -o are required.
    export(&[&record], "xes", &dir.path().join("x.xes"), &["--no-bom"]).code(2);
    sop(&[
        "log".as_ref(),
        "export".as_ref(),
        record.as_os_str(),
        "--to".as_ref(),
        "csv".as_ref(),
    ])
    .run()
    .code(2);
    assert!(!dir.path().join("x.xes").exists());
}

#[test]
fn verify_takes_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    for clock in ["2026-11-30T09:00:00Z+60", "2026-11-30T10:00:00Z+60"] {
        run_at(CS003, &runs, "done\npause\n", clock, "Tester").code(0);
    }
    let out = sop(&["log".as_ref(), "verify".as_ref(), runs.as_os_str()]).run();
    out.code(0);
    assert_eq!(
        out.stdout.matches(": intact, ").count(),
        2,
        "{}",
        out.stdout
    );
}

/// Text as XML 1.0 can hold it: what the XES keeps of a value.
fn xml_kept(text: &str) -> String {
    text.chars()
        .filter(|&c| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any text in a record (a person, an answer, a note, a title) comes
    /// out of the XES as well-formed XML with the text kept, and out of the
    /// CSV cell for cell.
    #[test]
    fn any_text_survives_both_exports(
        by in any::<String>(),
        title in any::<String>(),
        answer in any::<String>(),
        note in any::<String>(),
    ) {
        use sop::runs::record::{Event, Writer};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let mut writer = Writer::create(&path).unwrap();
        let base = Event {
            run: "r".into(),
            sop: "S".into(),
            sop_hash: "h".into(),
            by: by.clone(),
            time: "2026-11-30T20:45:00.000Z".into(),
            ..Event::default()
        };
        for (kind, step) in [("start", None), ("step-start", Some("a")), ("checklist-item", Some("a")), ("step-skipped", Some("a"))] {
            let mut event = Event { event: kind.into(), step: step.map(Into::into), ..base.clone() };
            if step.is_some() {
                event.title = Some(title.clone());
            }
            if kind == "checklist-item" {
                event.answer = Some("override".into());
                event.note = Some(note.clone());
            }
            if kind == "step-skipped" {
                event.answer = Some(answer.clone());
            }
            writer.write(event).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        let checked = sop::runs::record::check(&bytes, None).unwrap();
        let events = checked.events;

        let mut activities = sop::runs::xes::Activities::default();
        activities.learn(&events);
        let mut xes = Vec::new();
        sop::runs::xes::head(&mut xes).unwrap();
        sop::runs::xes::trace(&mut xes, &events, &activities.names()).unwrap();
        sop::runs::xes::tail(&mut xes).unwrap();
        let xes = String::from_utf8(xes).unwrap();
        let doc = roxmltree::Document::parse(&xes).map_err(|e| TestCaseError::fail(format!("{e}\n{xes}")))?;
        let finish = doc.descendants().filter(|n| n.has_tag_name("event")).nth(1).unwrap();
        prop_assert_eq!(attr(finish, "org:resource").map(String::from), Some(xml_kept(&by)));
        prop_assert_eq!(attr(finish, "sop:answer").map(String::from), Some(xml_kept(&answer)));
        prop_assert_eq!(attr(finish, "sop:override").map(String::from), Some(xml_kept(&note)));

        let mut csv = Vec::new();
        sop::runs::csv::head(&mut csv, false).unwrap();
        sop::runs::csv::rows(&mut csv, &events).unwrap();
        let rows = parse_csv(std::str::from_utf8(&csv).unwrap());
        prop_assert_eq!(rows.len(), events.len() + 1);
        for (row, event) in rows[1..].iter().zip(&events) {
            prop_assert_eq!(unguarded(&row[9]), event.by.as_str());
            prop_assert_eq!(unguarded(&row[8]), event.title.as_deref().unwrap_or(""));
            prop_assert_eq!(unguarded(&row[11]), event.answer.as_deref().unwrap_or(""));
            prop_assert_eq!(unguarded(&row[13]), event.note.as_deref().unwrap_or(""));
        }
    }

    /// Any bytes are checked without a panic, and whatever passes exports.
    #[test]
    fn any_bytes_are_checked_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(checked) = sop::runs::record::check(&bytes, None) {
            let mut report = sop::runs::report::Report::default();
            report.add(&checked.events);
            let _ = report.human();
        }
    }
}
