#!/usr/bin/env python3
"""Times `sop` on inputs that once took quadratic time or memory.

  scripts/speed-traps.py [--sop PATH] [--runs N] [--keep DIR] [CASE ...]

Each case is generated in a temporary directory (or DIR with --keep) and
`sop` runs on it N times (default 3) under /usr/bin/time -v. Printed per
case: the median wall time, the largest peak memory (max RSS), the bytes
written to standard output and the exit code. Cases:

  links         6,000 unknown `[[Qn]]` links on one 59 KB line, human format
  cycle         10,000 steps in one loop with no exit, human format
  targets       10,000 branches to unknown step ids in one file, JSON format
  valid-steps   40,000 steps with branches, all valid, short format
  nested-yaml   a 90 KB sop.yaml of nested lists
  blank-lines   a file of 1 million blank lines
  unknown-sop   3,009 generated SOPs, 3,004 of them with an unknown link
                (needs gen_corpus.py: ../shared/tools/gen_corpus.py next to
                this repository, or GEN_CORPUS)

Without --sop the release binary target/release/sop is used (build it
first with `cargo build --release`). The numbers are for comparing two
builds on one machine, not absolute.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = ["--today", "2026-11-23"]

HEADER = """sop CS-900: Generated stress case
version: 1.0
owner: Operations
status: active
review: every 12 months

purpose:
  Exercise the checker.

scope:
  Tests only.

"""
REVISIONS = "\nrevisions:\n  1.0  2026-01-05  Peter Wu: First version\n"


def project(path):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "sop.yaml"), "w") as f:
        f.write("")


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def case_links(d):
    project(d)
    links = " ".join(f"[[Q{i}]]" for i in range(6000))
    write(f"{d}/links.sop", HEADER + "steps:\n  step a: Do it\n    " + links + "\n" + REVISIONS)
    return [f"{d}/links.sop", "--format", "human"]


def case_cycle(d):
    project(d)
    steps = "".join(
        f"  step s{i}: Step {i}\n    -> s{(i + 1) % 10000}\n" for i in range(10000)
    )
    write(f"{d}/cycle.sop", HEADER + "steps:\n" + steps + REVISIONS)
    return [f"{d}/cycle.sop", "--format", "human"]


def case_targets(d):
    project(d)
    steps = "".join(
        f"  step step-{i}: Step {i}\n    if yes -> missing-{i}\n    otherwise -> next\n"
        for i in range(10000)
    )
    write(f"{d}/targets.sop", HEADER + "steps:\n" + steps + REVISIONS)
    return [f"{d}/targets.sop", "--format", "json"]


def case_valid_steps(d):
    project(d)
    n = 40000
    steps = "".join(
        f"  step s{i}: Step {i}\n    ask: Again?\n    if yes -> s{max(i - 1, 0)}\n"
        f"    otherwise -> {f's{i + 1}' if i + 1 < n else 'end'}\n"
        for i in range(n)
    )
    write(f"{d}/valid.sop", HEADER + "steps:\n" + steps + REVISIONS)
    return [f"{d}/valid.sop", "--format", "short"]


def case_nested_yaml(d):
    os.makedirs(d, exist_ok=True)
    write(f"{d}/sop.yaml", "exclude: " + "[" * 45000 + "]" * 45000 + "\n")
    write(f"{d}/a.sop", HEADER + "steps:\n  step a: Do it\n" + REVISIONS)
    return [f"{d}/a.sop", "--format", "short"]


def case_blank_lines(d):
    project(d)
    write(f"{d}/blank.sop", "\n" * 1_000_000)
    return [f"{d}/blank.sop", "--format", "short"]


def case_unknown_sop(d):
    gen = os.environ.get("GEN_CORPUS", os.path.join(ROOT, "..", "shared", "tools", "gen_corpus.py"))
    if not os.path.isfile(gen):
        return None
    subprocess.run([sys.executable, gen, f"{d}/corpus", "3009"], check=True, stdout=subprocess.DEVNULL)
    root = f"{d}/corpus/sop"
    project(root)
    files = sorted(
        os.path.join(dirpath, name)
        for dirpath, _, names in os.walk(root)
        for name in names
        if name.endswith(".sop")
    )
    link = re.compile(r"\[\[([A-Z]+)-(\d+)\]\]")
    for path in files[:3004]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        # A typo in the department: close to thousands of ids of the project.
        text = link.sub(lambda m: f"[[{m.group(1)[:-1]}-{m.group(2)}]]", text)
        write(path, text)
    return [root, "--format", "short"]


CASES = {
    "links": case_links,
    "cycle": case_cycle,
    "targets": case_targets,
    "valid-steps": case_valid_steps,
    "nested-yaml": case_nested_yaml,
    "blank-lines": case_blank_lines,
    "unknown-sop": case_unknown_sop,
}


def run(sop, args):
    out = tempfile.TemporaryFile()
    timing = tempfile.NamedTemporaryFile(mode="r", suffix=".time")
    cmd = ["/usr/bin/time", "-v", "-o", timing.name, sop, "check", *TODAY, *args]
    code = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL).returncode
    size = out.seek(0, os.SEEK_END)
    report = timing.read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", report)
    hours = int(wall.group(1) or 0)
    seconds = hours * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    return seconds, rss, size, code


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--sop", default=os.path.join(ROOT, "target", "release", "sop"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="generate the cases here and keep them")
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=[])
    opts = parser.parse_args()
    if not os.path.isfile(opts.sop):
        sys.exit(f"{opts.sop}: not found; build it with `cargo build --release` or pass --sop")
    work = opts.keep or tempfile.mkdtemp(prefix="sop-speed-")
    try:
        print(f"{'case':<12} {'median s':>9} {'max RSS MB':>11} {'stdout bytes':>13} {'exit':>5}")
        for name in opts.cases or CASES:
            args = CASES[name](os.path.join(work, name))
            if args is None:
                print(f"{name:<12} skipped (gen_corpus.py not found)")
                continue
            runs = [run(opts.sop, args) for _ in range(opts.runs)]
            wall = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs) / 1024
            print(f"{name:<12} {wall:>9.2f} {rss:>11.1f} {runs[0][2]:>13} {runs[0][3]:>5}", flush=True)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
