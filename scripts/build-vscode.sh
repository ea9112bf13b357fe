#!/usr/bin/env bash
# Builds and tests the VS Code extension (editors/vscode/) the way CI does:
# installs its npm packages (from package-lock.json) under
# target/ci-tools/vscode/, compiles the TypeScript, runs the TextMate grammar
# tests (vscode-tmgrammar-test) on the fixtures in all three dialects, and
# packages the extension with vsce into target/sop.vsix.
#
#   scripts/build-vscode.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXT="$ROOT/editors/vscode"
WORK="$ROOT/target/ci-tools/vscode"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Node.js and npm"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends nodejs npm
fi

# A copy of the extension next to its installed packages, so that the
# repository stays free of node_modules; packages are installed again only
# when the lock file changes.
mkdir -p "$WORK"
for item in package.json package-lock.json tsconfig.json language-configuration.json .vscodeignore README.md src syntaxes tests; do
  rm -rf "${WORK:?}/$item"
  cp -R "$EXT/$item" "$WORK/$item"
done
if ! cmp -s "$EXT/package-lock.json" "$WORK/.installed-lock.json"; then
  echo "Installing the extension's npm packages into $WORK"
  (cd "$WORK" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$EXT/package-lock.json" "$WORK/.installed-lock.json"
fi
cd "$WORK"
rm -rf out
npx --no-install tsc -p .
npx --no-install vscode-tmgrammar-test -g syntaxes/sop.tmLanguage.json "tests/*.sop"
npx --no-install vsce package --allow-missing-repository --skip-license -o "$ROOT/target/sop.vsix" >/dev/null
echo "VS Code extension: grammar tests passed; packaged target/sop.vsix ($(du -k "$ROOT/target/sop.vsix" | cut -f1) KB)"
