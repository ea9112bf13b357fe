#!/usr/bin/env bash
# Times `sop check` on a generated corpus of N SOP files (default 10000)
# in a git repository with COMMITS commits (default 50), so the
# `unrecorded-change` pass reads the history.
#
#   scripts/bench-history.sh [N] [COMMITS]
#
# The first commit adds the corpus; each later one, a day apart, changes
# the time limit of a step in 20 files (a change of meaning after their
# last revision date, which the check reports) and re-indents 20 others
# (a change of layout, which it does not). The same check with --no-git
# is timed too: the difference is the cost of the history. The corpus is
# made by gen_corpus.py (GEN_CORPUS, default ../shared/tools/gen_corpus.py
# next to this repository) in a temporary directory, removed afterwards.
# With hyperfine installed the timing is hyperfine's; otherwise each
# command runs five times and the median wall time is printed.
set -euo pipefail

N="${1:-10000}"
COMMITS="${2:-50}"
for v in "$N" "$COMMITS"; do
  case "$v" in
    '' | *[!0-9]*) echo "usage: $0 [N] [COMMITS]" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GEN_CORPUS="${GEN_CORPUS:-$ROOT/../shared/tools/gen_corpus.py}"
if [[ ! -f "$GEN_CORPUS" ]]; then
  echo "$0: corpus generator not found: $GEN_CORPUS (set GEN_CORPUS)" >&2
  exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sop-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "Generating $N SOPs ..."
python3 "$GEN_CORPUS" "$WORK/corpus" "$N" > /dev/null
REPO="$WORK/corpus/sop"
: > "$REPO/sop.yaml"

echo "Making $COMMITS commits ..."
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com"
export GIT_COMMITTER_NAME="Bench" GIT_COMMITTER_EMAIL="bench@example.com"
git -C "$REPO" -c init.defaultBranch=main init -q
git -C "$REPO" add -A
GIT_AUTHOR_DATE="2026-01-01T10:00:00Z" GIT_COMMITTER_DATE="2026-01-01T10:00:00Z" \
  git -C "$REPO" -c commit.gpgsign=false commit -q -m "The corpus"
python3 - "$REPO" "$COMMITS" <<'PY'
import os, random, re, subprocess, sys
repo, commits = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(repo) if ".git" not in d for f in fs if f.endswith(".sop"))
rng = random.Random(7)
for c in range(1, commits):
    day = f"2026-{1 + c // 28:02d}-{1 + c % 28:02d}T10:00:00Z"
    for path in rng.sample(files, min(20, len(files))):
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"within: (\d+)", lambda m: f"within: {int(m.group(1)) + 1}", text, count=1)
        open(path, "w", encoding="utf-8").write(text)
    for path in rng.sample(files, min(20, len(files))):
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("\n\nsteps:", "\n\n\nsteps:", 1))
    env = dict(os.environ, GIT_AUTHOR_DATE=day, GIT_COMMITTER_DATE=day)
    subprocess.run(["git", "-C", repo, "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", f"Change {c}"], check=True, env=env)
PY
FILES=$(find "$REPO" -name '*.sop' | wc -l)
echo "Repository: $FILES files, $(git -C "$REPO" rev-list --count HEAD) commits"

echo "Building the release binary ..."
(cd "$ROOT" && cargo build --release --quiet)
SOP="$ROOT/target/release/sop"
WITH=("$SOP" check "$REPO" --today 2026-11-23 --format short)
WITHOUT=("${WITH[@]}" --no-git)
echo "unrecorded-change warnings: $("${WITH[@]}" 2>/dev/null | grep -c 'unrecorded-change' || true)"

if command -v hyperfine > /dev/null; then
  hyperfine --warmup 1 --runs 10 -i --output=null \
    "$(printf '%q ' "${WITH[@]}")" "$(printf '%q ' "${WITHOUT[@]}")"
else
  median() {
    python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(5):
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.3f}")
PY
  }
  echo "median of 5, with the history:    $(median "${WITH[@]}") s"
  echo "median of 5, --no-git:            $(median "${WITHOUT[@]}") s"
fi
