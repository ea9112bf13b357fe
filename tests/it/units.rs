//! Time limits and review cadences in the author's language: Chinese and
//! Hungarian units check clean and become ISO 8601 in JSON, pages print the
//! values in the file's language in spellings the parser reads back, and
//! working days are an `invalid-duration` that says why.

use sop::values::{Cadence, Duration};

use crate::support::sop;

const ZH: &str = "tests/fixtures/units/zh.sop";
const HU: &str = "tests/fixtures/units/hu.sop";
const WORKING_DAYS: &str = "tests/fixtures/units/working-days.sop";

#[test]
fn local_units_check_clean() {
    for file in [ZH, HU] {
        let out = sop(&["check", "--today", "2026-11-23", "--color", "never", file]).run();
        out.code(0);
        assert!(
            out.stdout.contains("0 errors, 0 warnings"),
            "{file}:\n{}",
            out.stdout
        );
    }
}

/// The step ids and `within:` values of a file's JSON, and its `review:`.
fn json_values(file: &str) -> (String, Vec<(String, String)>) {
    let json = sop(&["render", "--to", "json", file]).run().code(0).json();
    let review = json["meta"]["review"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let within = json["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap_or_default().to_string(),
                n["within"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (review, within)
}

#[test]
fn chinese_units_are_iso_8601_in_json() {
    let (review, within) = json_values(ZH);
    assert_eq!(review, "P6M", "每半年");
    let expected = [
        ("接听", "PT30S"),   // 30秒
        ("核实", "PT2H"),    // 两个小时
        ("解决", "PT30M"),   // 半小时
        ("回访", "PT1H30M"), // 1小时30分钟
        ("复盘", "P3D"),     // 三天
        ("汇总", "P1W"),     // 1个星期
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(id, iso)| (id.to_string(), iso.to_string()))
        .collect();
    assert_eq!(within, expected);
}

#[test]
fn hungarian_units_are_iso_8601_in_json() {
    let (review, within) = json_values(HU);
    assert_eq!(review, "P3M", "negyedévente");
    let expected = [
        ("fogadas", "PT30S"),    // 30 másodperc
        ("azonositas", "PT5M"),  // 5 perc
        ("megoldas", "PT1H30M"), // 1 óra 30 perc
        ("visszahivas", "P2D"),  // 2 napon belül
        ("osszegzes", "P1W"),    // 1 hét
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(id, iso)| (id.to_string(), iso.to_string()))
        .collect();
    assert_eq!(within, expected);
}

/// The values after `label` on the lines of a Markdown page:
/// `**时限:** 30秒` gives `30秒`.
fn labelled_values(page: &str, label: &str) -> Vec<String> {
    let bold = format!("**{label}:** ");
    let cell = format!("| {label} | ");
    page.lines()
        .filter_map(|line| {
            line.strip_prefix(&bold)
                .or_else(|| line.strip_prefix(&cell).and_then(|v| v.strip_suffix(" |")))
        })
        .map(str::to_string)
        .collect()
}

/// What the Markdown page prints for each time limit and for the cadence
/// reads back as the value the JSON holds.
#[test]
fn pages_print_values_the_parser_reads_back() {
    for (file, within_label, review_label) in
        [(ZH, "时限", "审核周期"), (HU, "Határidő", "Felülvizsgálat")]
    {
        let page = sop(&["render", "--to", "md", file])
            .run()
            .code(0)
            .stdout
            .clone();
        let (review, within) = json_values(file);
        let printed = labelled_values(&page, within_label);
        assert_eq!(printed.len(), within.len(), "{file}:\n{page}");
        for (text, (_, iso)) in printed.iter().zip(&within) {
            let parsed = Duration::parse(text).unwrap_or_else(|| panic!("{file}: {text:?}"));
            assert_eq!(&parsed.iso(), iso, "{file}: {text:?}");
        }
        let printed = labelled_values(&page, review_label);
        assert_eq!(printed.len(), 1, "{file}:\n{page}");
        let parsed = Cadence::parse(&printed[0]).unwrap_or_else(|| panic!("{file}: {printed:?}"));
        assert_eq!(parsed.iso(), review, "{file}");
    }
}

/// A file written with English units reads in its own language.
#[test]
fn english_units_render_in_the_files_language() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "en",
            "**Time limit:** 30 seconds",
            "| Review | every 6 months |",
        ),
        ("zh", "**时限:** 30秒", "| 审核周期 | 每6个月 |"),
        (
            "hu",
            "**Határidő:** 30 másodperc",
            "| Felülvizsgálat | 6 havonta |",
        ),
    ];
    for (language, within, review) in cases {
        let path = dir.path().join(format!("{language}.sop"));
        let text = format!(
            "sop UNITS-{language}: Answer\nversion: 1.0\nowner: Lead\nstatus: active\nreview: every 6 months\nlanguage: {language}\n\npurpose:\n  Answer.\n\nscope:\n  Everyone.\n\nsteps:\n  step answer: Answer\n    within: 30s\n    Answer the call.\n\nrevisions:\n  1.0  2026-10-01  Jane Doe: Created\n"
        );
        std::fs::write(&path, text).unwrap();
        let path = path.to_string_lossy().into_owned();
        let page = sop(&["render", "--to", "md", &path])
            .run()
            .code(0)
            .stdout
            .clone();
        assert!(
            page.contains(within),
            "{language}: no {within:?} in\n{page}"
        );
        assert!(
            page.contains(review),
            "{language}: no {review:?} in\n{page}"
        );
        let html = sop(&["render", "--to", "html", &path])
            .run()
            .code(0)
            .stdout
            .clone();
        let value = within.rsplit("** ").next().unwrap_or_default();
        assert!(
            html.contains(value),
            "{language}: no {value:?} in the HTML page"
        );
    }
}

#[test]
fn working_days_are_explained() {
    let out = sop(&[
        "check",
        "--today",
        "2026-11-23",
        "--color",
        "never",
        WORKING_DAYS,
    ])
    .run();
    out.code(1);
    insta::with_settings!({
        description => format!("sop check --today 2026-11-23 --color never {WORKING_DAYS}"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!("working-days", out.stdout);
    });
    let short = sop(&[
        "check",
        "--today",
        "2026-11-23",
        "--format",
        "short",
        WORKING_DAYS,
    ])
    .run();
    let codes: Vec<&str> = short
        .stdout
        .lines()
        .filter(|l| l.contains("error["))
        .collect();
    assert_eq!(codes.len(), 5, "{}", short.stdout);
    assert!(
        codes.iter().all(|l| l.contains("error[invalid-duration]")),
        "{}",
        short.stdout
    );
}
