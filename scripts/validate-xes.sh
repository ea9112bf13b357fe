#!/usr/bin/env bash
# Reads the exports of run records back with the tools their users have:
# the XES with PM4Py (`pm4py.read_xes` with its lxml parser and with its
# regular-expression one, and the event log object with its classifiers),
# the CSV with Python's csv module.
#
# Scripted runs walk every bundled example (English, Chinese, Hungarian)
# and a fixture with a time-out, three times each with different decisions;
# some runs skip a task, override a checklist, time out, or pause and are
# resumed by someone else. `sop log export` writes all the records to one
# XES and one CSV file. What PM4Py must find is computed from the records
# themselves: a trace per record, the events of docs/runs.md (a start and
# a finish per step occurrence) in order, as many variants as distinct
# sequences of steps, one step per activity name; the CSV must give back
# every field of every line. One Python process does the runs and the
# checks (importing PM4Py takes seconds).
#
# PM4Py (pinned) is installed into a virtual environment under
# target/ci-tools/python/ on the first run and reused afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
tools=target/ci-tools/python
venv="$tools/venv"
pm4py="pm4py==2.7.23.11"

fail() {
  echo "validate-xes: $*" >&2
  exit 1
}

command -v python3 >/dev/null || fail "python3 is missing: install it (apt-get install python3 python3-venv)"
if [ "$(cat "$tools/installed" 2>/dev/null)" != "$pm4py" ] || ! [ -x "$venv/bin/python" ]; then
  echo "Installing $pm4py into $venv"
  rm -rf "$tools"
  mkdir -p "$tools"
  python3 -m venv "$venv" || fail "python3 -m venv failed: install python3-venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pm4py"
  echo "$pm4py" >"$tools/installed"
fi

cargo build --locked --quiet
sop="$target/debug/sop"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

PM4PY_SHOW_PROGRESS_BAR=False PM4PY_SHOW_INTERNAL_WARNINGS=False \
  "$venv/bin/python" - "$sop" "$out" examples/*.sop tests/fixtures/valid/timeouts.sop <<'PY' ||
import csv, json, os, re, subprocess, sys, warnings

sop, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = os.path.join(out, "runs")
CHECKLIST = re.compile(r"^\s*[-*+] \[[ xX]\]\s*\S")


def fail(message):
    sys.exit(f"validate-xes: {message}")


def sop_run(args, answers, clock, person):
    result = subprocess.run(
        [sop, "run", *args, "--as", person, "--runs", runs],
        input="".join(a + "\n" for a in answers), text=True, capture_output=True,
        env={**os.environ, "SOP_RUN_CLOCK": clock},
    )
    if result.returncode != 0:
        fail(f"sop run {' '.join(args)} exited with {result.returncode}:\n{result.stderr}")


def walk(model, variant):
    """Answers that walk `model` to an end: at a decision the option
    `variant` picks, until the run has been there twice, then the least
    visited way out; variant 0 pauses at its third step, variant 1 skips its
    second task, variant 2 overrides its first checklist and takes its first
    time-out (any variant takes a time-out out of a loop)."""
    nodes = {n["id"]: n for n in model["nodes"]}
    answers, visits, at = [], {}, model["start"]
    overridden = timed_out = False
    tasks = 0
    for _ in range(300):
        node = nodes[at]
        visits[at] = visits.get(at, 0) + 1
        if variant == 0 and sum(visits.values()) == 3:
            answers.append("pause")
        items = sum(1 for line in node["text"].splitlines() if CHECKLIST.match(line))
        if items and variant == 2 and not overridden:
            answers += ["n", "override =1+1 the customer left, \"early\""]
            overridden = True
        else:
            answers += ["y"] * items
        edges = [e for e in model["edges"] if e["from"] == at and "on" not in e]
        edges = [e for e in edges if e["when"] != "otherwise"] + [e for e in edges if e["when"] == "otherwise"]
        timeout = next((e for e in model["edges"] if e["from"] == at and e.get("on") == "timeout"), None)
        decision = node["kind"] == "decision" or len(edges) > 1
        if timeout and ((variant == 2 and not timed_out) or visits[at] > 2):
            answers.append("timeout")
            timed_out = True
            to = timeout["to"]
        elif decision:
            i = (variant + visits[at] - 1) % len(edges)
            if visits[at] > 2:
                i = min(range(len(edges)), key=lambda k: (visits.get(edges[k]["to"], 0), -k))
            answers.append(str(i + 1))
            to = edges[i]["to"]
        else:
            tasks += 1
            answers.append("skip -2 no time, 稍后" if variant == 1 and tasks == 2 else "done")
            to = edges[0]["to"] if edges else "end"
        if to == "end" or to.startswith("sop:"):
            return answers
        at = to
    fail(f"{model['id']}: the walk does not end")


people = ["Kovács Anna", "王芳", "@ops Ada \"Lovelace\", 数据"]
count = 0
for n, file in enumerate(files):
    model = json.loads(subprocess.run([sop, "render", file, "--to", "json"], capture_output=True,
                                      text=True, check=True).stdout)
    for variant in range(3):
        answers = walk(model, variant)
        clock = f"2026-11-{n + 1:02d}T{8 + variant:02d}:00:00Z+{30 + 15 * variant}"
        before = set(os.listdir(runs)) if os.path.isdir(runs) else set()
        if "pause" in answers:
            cut = answers.index("pause")
            sop_run([file], answers[: cut + 1], clock, people[variant])
            (record,) = set(os.listdir(runs)) - before
            resume = f"2026-11-{n + 1:02d}T{18 + variant:02d}:00:00Z+60"
            sop_run(["--resume", record[: -len(".jsonl")]], answers[cut + 1:], resume, people[(variant + 1) % 3])
        else:
            sop_run([file], answers, clock, people[variant])
        count += 1

records = sorted(os.path.join(runs, f) for f in os.listdir(runs) if f.endswith(".jsonl"))
if len(records) != count:
    fail(f"{count} runs made {len(records)} records")
xes, table = os.path.join(out, "runs.xes"), os.path.join(out, "runs.csv")
for to, path in (("xes", xes), ("csv", table)):
    result = subprocess.run([sop, "log", "export", runs, "--to", to, "-o", path], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"sop log export --to {to} exited with {result.returncode}:\n{result.stderr}")

# What the records say: per trace, (step, transition) for each start and
# finish; a step shown again after a resume goes on with its start.
lines, expected = [], []
for record in records:
    with open(record, encoding="utf-8") as f:
        events = [json.loads(line) for line in f]
    lines += events
    trace, open_step = [], None
    for e in events:
        kind = e["event"]
        if kind == "step-start":
            if open_step == e["step"]:
                trace.pop()
            open_step = e["step"]
            trace.append((e["step"], "start"))
        elif kind in ("step-done", "decision", "timeout", "step-skipped"):
            open_step = None
            trace.append((e["step"], "ate_abort" if kind == "step-skipped" else "complete"))
    expected.append((events[0]["run"], events[0]["sop"], trace))
# PM4Py's variants are sequences of activity names, one name per step.
variants = {(sop_id, tuple(step for step, _ in trace)) for _, sop_id, trace in expected}
kinds = {e["event"] for e in lines}
for kind in ("pause", "resume", "step-skipped", "timeout", "late", "handoff", "decision"):
    if kind not in kinds:
        fail(f"no run recorded a {kind} event: the scripted runs must cover it")

sys._pm4py_welcome_shown = True
warnings.filterwarnings("ignore")
import pm4py  # noqa: E402

events_total = sum(len(t) for _, _, t in expected)
for variant in ("iterparse", "chunk_regex"):
    df = pm4py.read_xes(xes, variant=variant)
    if df["case:concept:name"].nunique() != len(records):
        fail(f"PM4Py ({variant}) reads {df['case:concept:name'].nunique()} traces, expected {len(records)}")
    if len(df) != events_total:
        fail(f"PM4Py ({variant}) reads {len(df)} events, expected {events_total}")
    for run, sop_id, trace in expected:
        rows = df[df["case:concept:name"] == run]
        found = list(zip(rows["sop:step"], rows["lifecycle:transition"]))
        if found != trace:
            fail(f"PM4Py ({variant}), trace {run}: {found} != {trace}")
        if set(rows["case:sop:id"]) != {sop_id}:
            fail(f"PM4Py ({variant}), trace {run}: sop:id {set(rows['case:sop:id'])}")
    steps_of = df.groupby(["case:sop:id", "concept:name"])["sop:step"].nunique()
    if (steps_of != 1).any():
        fail(f"PM4Py ({variant}): an activity name stands for several steps: {steps_of[steps_of != 1]}")
    found_variants = len(pm4py.get_variants(df))
    if found_variants != len(variants):
        fail(f"PM4Py ({variant}) finds {found_variants} variants, expected {len(variants)}")
log = pm4py.read_xes(xes, variant="iterparse", return_legacy_log_object=True)
if set(log.classifiers) != {"Activity", "Activity_transition", "Step"}:
    fail(f"PM4Py reads the classifiers {log.classifiers}")
if set(log.extensions) != {"Concept", "Lifecycle", "Organizational", "Time"}:
    fail(f"PM4Py reads the extensions {set(log.extensions)}")
print(f"PM4Py {pm4py.__version__}: {len(records)} traces, {events_total} events, "
      f"{len(variants)} variants, as the records say.")

columns = ["seq", "time", "run", "sop", "version", "sop_hash", "event", "step", "title", "by", "role",
           "answer", "item", "note", "to", "limit", "elapsed", "file", "linked", "prev", "hash"]
with open(table, encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f, strict=True))
if rows[0] != columns:
    fail(f"CSV header {rows[0]}")
if len(rows) != len(lines) + 1:
    fail(f"CSV has {len(rows) - 1} rows, the records {len(lines)} lines")
for row, event in zip(rows[1:], lines):
    for cell, column in zip(row, columns):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            fail(f"CSV cell {cell!r} could run as a formula")
        value = event.get(column)
        value = "" if value is None else str(value)
        if (cell[1:] if cell.startswith("'") else cell) != value:
            fail(f"CSV {column} {cell!r} is not {value!r}")
print(f"Python csv: {len(rows) - 1} rows of {len(columns)} columns, every field as recorded.")
PY
  fail "the exports do not read back as expected (see above)"
