#!/usr/bin/env bash
# Times `sop check` over a generated corpus of N SOP files (default 10000).
#
#   scripts/bench-corpus.sh [N]
#
# The corpus is made by gen_corpus.py (default: ../shared/tools/gen_corpus.py
# next to this repository; set GEN_CORPUS to use another path) in a temporary
# directory, which is removed afterwards. The release binary is built first.
# With hyperfine installed the timing is hyperfine's; otherwise the check
# runs five times under /usr/bin/time -v, printing each wall time and the
# peak memory (max RSS).
set -euo pipefail

N="${1:-10000}"
case "$N" in
  '' | *[!0-9]*) echo "usage: $0 [N]   (N: number of SOP files, default 10000)" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GEN_CORPUS="${GEN_CORPUS:-$ROOT/../shared/tools/gen_corpus.py}"
if [[ ! -f "$GEN_CORPUS" ]]; then
  echo "$0: corpus generator not found: $GEN_CORPUS (set GEN_CORPUS)" >&2
  exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sop-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "Generating $N SOPs with $GEN_CORPUS ..."
python3 "$GEN_CORPUS" "$WORK/corpus" "$N"
CORPUS="$WORK/corpus/sop"
# sop.yaml makes the corpus its own project, whatever surrounds $TMPDIR.
: > "$CORPUS/sop.yaml"
FILES=$(find "$CORPUS" -name '*.sop' | wc -l)
BYTES=$(find "$CORPUS" -name '*.sop' -exec cat {} + | wc -c)
echo "Corpus: $FILES files, $BYTES bytes"

echo "Building the release binary ..."
(cd "$ROOT" && cargo build --release --quiet)
SOP="$ROOT/target/release/sop"
CMD=("$SOP" check "$CORPUS" --today 2026-11-23 --format short)

if command -v hyperfine > /dev/null; then
  # sop check exits with 1 when it finds errors; time it all the same.
  hyperfine --warmup 1 --runs 10 -i --output=null "$(printf '%q ' "${CMD[@]}")"
else
  echo "hyperfine not found: 5 runs with /usr/bin/time -v"
  for run in 1 2 3 4 5; do
    /usr/bin/time -v "${CMD[@]}" > /dev/null 2> "$WORK/time.txt" || true
    wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time.*: //p' "$WORK/time.txt")
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    echo "run $run: wall $wall, max RSS $rss KiB"
  done
fi
