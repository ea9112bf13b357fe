#!/usr/bin/env bash
# Validates the workflow-engine exports of every example and every valid
# fixture, as the built `sop render` writes them, with the engines' own
# validators:
#
# - `--to serverless` with the CNCF Serverless Workflow TypeScript SDK
#   (its schema for DSL 1.0.0), plus what the schema leaves out: every
#   `then:` names a task of its own list, and a YAML 1.1 reader takes the
#   document exactly as a YAML 1.2 reader does;
# - `--to asl` with asl-validator (Amazon States Language).
#
# Each validator runs once, in one Node.js process, over all the files. The
# packages are installed under target/ci-tools/exports/ on the first run (and
# again when the pinned versions change); Node.js comes from apt when it is
# missing. The pinned versions run on Node.js 18 (Debian 12) and 20.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
tools=target/ci-tools/exports
packages=(@serverlessworkflow/sdk@1.0.1 asl-validator@4.0.0 yaml@2.9.1)

fail() {
  echo "validate-exports: $*" >&2
  exit 1
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends nodejs npm
fi
if [ "$(cat "$tools/installed" 2>/dev/null)" != "${packages[*]}" ]; then
  echo "Installing ${packages[*]} into $tools"
  rm -rf "$tools"
  mkdir -p "$tools"
  # The SDK declares Node.js 20 and npm 10 but runs on Node.js 18 and
  # installs with npm 9: do not let a strict engine setting refuse it.
  npm install --silent --no-audit --no-fund --engine-strict=false --save-exact \
    --prefix "$tools" "${packages[@]}"
  echo "${packages[*]}" >"$tools/installed"
fi

cargo build --locked --quiet
sop="$target/debug/sop"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
for file in examples/*.sop tests/fixtures/valid/*.sop; do
  name=$(echo "${file%.sop}" | tr '/' '_')
  "$sop" render "$file" --to serverless -o "$out/$name.sw.yaml" ||
    fail "$file: sop render --to serverless failed"
  "$sop" render "$file" --to asl -o "$out/$name.asl.json" ||
    fail "$file: sop render --to asl failed"
  echo "$file" >"$out/$name.source"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || fail "no .sop files found"

status=0

# --- Serverless Workflow
NODE_PATH="$tools/node_modules" node - "$out" <<'JS' || status=1
const fs = require("fs");
const path = require("path");
const { Classes } = require("@serverlessworkflow/sdk");
const YAML = require("yaml");
const version = require("@serverlessworkflow/sdk/package.json").version;

const out = process.argv[2];
const directives = new Set(["continue", "exit", "end"]);
let bad = 0;

// Every `then:` in a task list names a task of that list (flow directives
// cannot leave their own list), at every depth.
function danglingThens(list, where, found) {
  if (!Array.isArray(list)) return;
  const names = new Set(list.map((item) => Object.keys(item)[0]));
  list.forEach((item, i) => {
    const [name, task] = Object.entries(item)[0];
    const at = `${where}/${i}/${name}`;
    const thens = [task.then, ...(task.switch || []).map((c) => Object.values(c)[0].then)];
    for (const then of thens) {
      if (then !== undefined && !directives.has(then) && !names.has(then)) {
        found.push(`flow: at ${at}: then: ${then} names no task of its list`);
      }
    }
    danglingThens(task.do, `${at}/do`, found);
    danglingThens(task.try, `${at}/try`, found);
    danglingThens(task.catch && task.catch.do, `${at}/catch/do`, found);
  });
}

const files = fs.readdirSync(out).filter((n) => n.endsWith(".sw.yaml")).sort();
for (const name of files) {
  const source = fs.readFileSync(path.join(out, name.replace(/\.sw\.yaml$/, ".source")), "utf8").trim();
  const text = fs.readFileSync(path.join(out, name), "utf8");
  const problems = [];
  try {
    Classes.Workflow.deserialize(text);
  } catch (e) {
    problems.push(`Serverless Workflow SDK ${version}: ${String(e.message || e).split("\n\ndata:")[0]}`);
  }
  const doc = YAML.parse(text, { version: "1.2" });
  if (JSON.stringify(YAML.parse(text, { version: "1.1" })) !== JSON.stringify(doc)) {
    problems.push("YAML 1.1: read differently from YAML 1.2 (an unquoted yes, no, on, off, number or date)");
  }
  danglingThens(doc && doc.do, "/do", problems);
  for (const problem of problems) {
    bad += 1;
    console.error(`${source}: ${problem}`);
  }
}
if (bad) {
  console.error(`Serverless Workflow: ${bad} problems`);
  process.exit(1);
}
console.log(`Serverless Workflow SDK ${version}: ${files.length} documents are valid.`);
JS

# --- Step Functions
NODE_PATH="$tools/node_modules" node - "$out" <<'JS' || status=1
const fs = require("fs");
const path = require("path");
const validator = require("asl-validator");
const version = require("asl-validator/package.json").version;

const out = process.argv[2];
let bad = 0;
const files = fs.readdirSync(out).filter((n) => n.endsWith(".asl.json")).sort();
for (const name of files) {
  const source = fs.readFileSync(path.join(out, name.replace(/\.asl\.json$/, ".source")), "utf8").trim();
  const { isValid, errors } = validator(JSON.parse(fs.readFileSync(path.join(out, name), "utf8")));
  if (!isValid) {
    for (const e of errors) {
      bad += 1;
      console.error(`${source}: asl-validator ${version}: ${e["Error code"]}: ${e.Message}`);
    }
  }
}
if (bad) {
  console.error(`asl-validator: ${bad} errors`);
  process.exit(1);
}
console.log(`asl-validator ${version}: ${files.length} state machines are valid.`);
JS

# --- BPMN
# (BPMN 2.0 validation of `--to bpmn` goes here.)

[ "$status" -eq 0 ] || fail "some exports are not valid (see above)"
echo "validate-exports: $count SOPs, every export valid."
