#!/usr/bin/env bash
# Seeds the fuzzer's corpus from the examples and test fixtures, one file
# per input named by its content's hash, so re-running adds nothing twice.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/pipeline
find ../examples ../tests/fixtures -name '*.sop' -type f -print0 |
  while IFS= read -r -d '' file; do
    cp "$file" "corpus/pipeline/$(sha1sum "$file" | cut -c1-16)"
  done
