#!/usr/bin/env bash
# Validates the BPMN 2.0 of every example and every valid fixture, as the
# built `sop render --to bpmn` writes it, with what BPMN tools use:
#   - the official XSD (it ships in npm bpmn-moddle), with `xmllint --schema`;
#   - bpmnlint, recommended rules, `--max-warnings=0`;
#   - bpmn-js in headless Chromium: every file imports with no warning and
#     shows one visible shape per flow node, lane and pool.
# Each tool runs once over all files. The npm packages are installed under
# target/ci-tools/bpmn/ on the first run (versions pinned to run on Node 18,
# Debian 12's, and later); xmllint, Node.js and Chromium come from apt.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
tools=target/ci-tools/bpmn

fail() {
  echo "validate-bpmn: $*" >&2
  exit 1
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
need=()
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v chromium >/dev/null || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${need[@]}"
fi
if [ ! -f "$tools/node_modules/bpmn-js/dist/bpmn-viewer.production.min.js" ] ||
  [ ! -x "$tools/node_modules/.bin/bpmnlint" ]; then
  echo "Installing bpmnlint, bpmn-moddle and bpmn-js into $tools"
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" \
    bpmnlint@10.3.1 bpmn-moddle@9.0.4 bpmn-js@18.31.1
fi

cargo build --locked --quiet
sop="$target/debug/sop"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$sop" render examples --to bpmn -o "$out/examples" || fail "sop render examples --to bpmn failed"
"$sop" render tests/fixtures/valid --to bpmn -o "$out/valid" ||
  fail "sop render tests/fixtures/valid --to bpmn failed"
mapfile -t files < <(find "$out" -name '*.bpmn' | sort)
[ "${#files[@]}" -ge 20 ] || fail "expected every example and fixture, found ${#files[@]} files"
echo "validate-bpmn: ${#files[@]} files"

xsd="$tools/node_modules/bpmn-moddle/resources/bpmn/xsd/BPMN20.xsd"
xmllint --noout --schema "$xsd" "${files[@]}" 2>"$out/xsd.log" || {
  grep -v ' validates$' "$out/xsd.log" >&2
  fail "the BPMN XSD rejects some files"
}
echo "validate-bpmn: XSD: all valid"

echo '{ "extends": "bpmnlint:recommended" }' >"$out/.bpmnlintrc"
(cd "$out" && "$OLDPWD/$tools/node_modules/.bin/bpmnlint" --max-warnings=0 "${files[@]}") ||
  fail "bpmnlint reports problems"
echo "validate-bpmn: bpmnlint (recommended): no problem"

node scripts/bpmn-js-page.mjs "$tools/node_modules/bpmn-js/dist/bpmn-viewer.production.min.js" \
  "${files[@]}" >"$out/page.html"
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --allow-file-access-from-files --virtual-time-budget=120000 --dump-dom \
  "file://$out/page.html" 2>/dev/null >"$out/dom.html"
node scripts/bpmn-js-page.mjs --report "$out/dom.html" || fail "bpmn-js does not show every file cleanly"
