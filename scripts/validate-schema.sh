#!/usr/bin/env bash
# Validates the JSON workflow of every example and every valid fixture, as
# the built `sop render --to json` writes it, against
# docs/schema/sop-workflow.v1.schema.json with the validators consumers use:
# Python's `jsonschema` (the schema checked first, Draft 2020-12) and ajv
# (draft 2020-12). The Rust `jsonschema` crate does the same in `cargo test`
# (tests/it/render_json.rs). Python also recomputes each workflow's `hash`
# and every node's `hash` the way docs/workflow-json.md tells consumers to.
#
# The validators are installed under target/ci-tools/ on the first run and
# reused afterwards; Node.js comes from apt when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
tools=target/ci-tools
py="$tools/py"
node_dir="$tools/node"

fail() {
  echo "validate-schema: $*" >&2
  exit 1
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

command -v python3 >/dev/null || fail "python3 is missing: install it (apt-get install python3 python3-pip)"
if ! PYTHONPATH="$py" python3 -c 'import jsonschema' 2>/dev/null; then
  echo "Installing Python jsonschema into $py"
  python3 -m pip install --quiet --disable-pip-version-check --target "$py" 'jsonschema>=4.18,<5'
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends nodejs npm
fi
if [ ! -f "$node_dir/node_modules/ajv/dist/2020.js" ]; then
  echo "Installing ajv into $node_dir"
  mkdir -p "$node_dir"
  npm install --silent --no-audit --no-fund --prefix "$node_dir" 'ajv@^8'
fi

cargo build --locked --quiet
sop="$target/debug/sop"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
for file in examples/*.sop tests/fixtures/valid/*.sop; do
  name=$(echo "${file%.sop}" | tr '/' '_').json
  "$sop" render "$file" --to json -o "$out/$name" ||
    fail "$file: sop render --to json failed"
  echo "$file" >"$out/$name.source"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || fail "no .sop files found"

schema=docs/schema/sop-workflow.v1.schema.json
status=0

PYTHONPATH="$py" python3 - "$schema" "$out" <<'PY' || status=1
import hashlib, json, os, sys
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

schema_path, out = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
try:
    Draft202012Validator.check_schema(schema)
except SchemaError as e:
    sys.exit(f"{schema_path}: not a valid Draft 2020-12 schema for Python jsonschema: {e.message} "
             f"(at {'/'.join(map(str, e.absolute_path)) or 'the root'})")
validator = Draft202012Validator(schema)
compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()


def hash_errors(doc):
    """The hashes of a workflow that are not what docs/workflow-json.md says."""
    if not isinstance(doc.get("nodes"), list) or not isinstance(doc.get("edges"), list):
        return
    doc = json.loads(json.dumps(doc))
    for k, node in enumerate(doc["nodes"]):
        own = {key: v for key, v in node.items() if key not in ("number", "hash")}
        edges = b"".join(compact(e) for e in doc["edges"] if e.get("from") == node.get("id"))
        if hashlib.sha256(compact(own) + edges).hexdigest() != node.get("hash"):
            yield f"/nodes/{k}/hash", "is not the SHA-256 of the node and its outgoing edges"
        node.pop("hash", None)
    meaning = {key: v for key, v in doc.items() if key != "hash"}
    if hashlib.sha256(compact(meaning)).hexdigest() != doc.get("hash"):
        yield "/hash", "is not the SHA-256 of the workflow without its hashes"


bad = 0
files = sorted(n for n in os.listdir(out) if n.endswith(".json"))
for name in files:
    with open(os.path.join(out, name + ".source"), encoding="utf-8") as f:
        source = f.read().strip()
    with open(os.path.join(out, name), encoding="utf-8") as f:
        doc = json.load(f)
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        bad += 1
        where = "/" + "/".join(map(str, error.absolute_path))
        print(f"{source}: Python jsonschema: at {where}: {error.message}", file=sys.stderr)
    for where, message in hash_errors(doc):
        bad += 1
        print(f"{source}: Python: at {where}: {message}", file=sys.stderr)
if bad:
    sys.exit(f"Python jsonschema and hashes: {bad} errors")
print(f"Python jsonschema: {len(files)} JSON workflows match the schema and their hashes.")
PY

NODE_PATH="$node_dir/node_modules" node - "$schema" "$out" <<'JS' || status=1
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");

const [schemaPath, out] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
let validate;
try {
  validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
} catch (e) {
  console.error(`${schemaPath}: ajv (draft 2020-12) cannot compile the schema: ${e.message}`);
  process.exit(1);
}
let bad = 0;
const files = fs.readdirSync(out).filter((n) => n.endsWith(".json")).sort();
for (const name of files) {
  const source = fs.readFileSync(path.join(out, name + ".source"), "utf8").trim();
  const doc = JSON.parse(fs.readFileSync(path.join(out, name), "utf8"));
  if (!validate(doc)) {
    for (const e of validate.errors) {
      bad += 1;
      console.error(`${source}: ajv: at ${e.instancePath || "/"}: ${e.message}`);
    }
  }
}
if (bad) {
  console.error(`ajv: ${bad} errors`);
  process.exit(1);
}
console.log(`ajv: ${files.length} JSON workflows match the schema.`);
JS

[ "$status" -eq 0 ] || fail "the JSON workflows do not all match $schema in every validator (see above)"
