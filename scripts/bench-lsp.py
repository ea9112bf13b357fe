#!/usr/bin/env python3
"""Times `sop lsp` as an editor sees it, with the release binary.

    scripts/bench-lsp.py [--files N] [--steps S] [--changes K]

1. Start-up: a project of N generated SOPs (default 10,000, made by
   gen_corpus.py; set GEN_CORPUS to use another path). The time from
   sending `initialize` to the server's log line saying the project was
   read, and the server's own figure.
2. Diagnostics: a file of S steps (default 2,000) opened in that project,
   then K edits (default 21) of one line each. For each edit, the time from
   sending `didChange` to receiving its `publishDiagnostics`. Prints the
   median and the slowest.

Nothing here is a test: the figures depend on the machine. They go in the
notes of changes that touch the server.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    def __init__(self, binary, cwd):
        self.proc = subprocess.Popen(
            [binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message):
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()
        return time.perf_counter()

    def request(self, method, params):
        self.next_id += 1
        return self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})

    def notify(self, method, params):
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, predicate, timeout=120):
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.messages.get(timeout=max(0.01, deadline - time.perf_counter()))
            if predicate(message):
                return at, message

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def long_sop(steps, marker):
    lines = [
        "sop BENCH-LSP: A long procedure",
        "purpose: Measure the language server.",
        "scope: Benchmarks.",
        "roles:",
        "  agent: Agent",
        "steps:",
    ]
    for i in range(steps):
        lines.append(f"  step s{i}: Step {i} {marker if i == steps // 2 else ''}".rstrip())
        lines.append("    role: agent")
        lines.append(f"    within: {1 + i % 7} min")
        lines.append("    Do what the step says, and write it down.")
        if i % 5 == 4 and i + 2 < steps:
            lines.append(f"    ask: Did step {i} work?")
            lines.append(f"    if yes -> s{i + 2}")
            lines.append("    otherwise -> next")
    lines.append("    -> end")
    lines.append("revisions:")
    lines.append("  1.0  2026-11-01  A: Created")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=21)
    args = parser.parse_args()

    gen = Path(os.environ.get("GEN_CORPUS", ROOT.parent / "shared/tools/gen_corpus.py"))
    if not gen.exists():
        sys.exit(f"corpus generator not found: {gen} (set GEN_CORPUS)")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = str(ROOT / "target/release/sop")

    with tempfile.TemporaryDirectory(prefix="sop-bench-lsp.") as work:
        corpus = Path(work) / "corpus"
        subprocess.run([sys.executable, str(gen), str(corpus), str(args.files)],
                       check=True, stdout=subprocess.DEVNULL)
        (corpus / "sop.yaml").touch()
        files = sum(1 for _ in corpus.rglob("*.sop"))
        uri = corpus.resolve().as_uri()

        server = Server(binary, corpus)
        sent = server.request("initialize", {
            "processId": None, "rootUri": uri, "capabilities": {},
            "workspaceFolders": [{"uri": uri, "name": "corpus"}]})
        server.notify("initialized", {})
        at, log = server.wait(lambda m: m.get("method") == "window/logMessage")
        print(f"start-up: {files} SOP files; {1000 * (at - sent):.0f} ms to the log line "
              f"({log['params']['message']})")

        path = corpus / "bench-long.sop"
        text = long_sop(args.steps, "")
        doc_uri = path.resolve().as_uri()
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": doc_uri, "languageId": "sop", "version": 1, "text": text}})
        server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                    and m["params"]["uri"] == doc_uri)
        times = []
        for version in range(2, args.changes + 2):
            changed = long_sop(args.steps, f"(edit {version})")
            sent = server.notify("textDocument/didChange", {
                "textDocument": {"uri": doc_uri, "version": version},
                "contentChanges": [{"text": changed}]})
            at, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"].get("version") == version)
            times.append(1000 * (at - sent))
        print(f"diagnostics after an edit, {args.steps} steps ({len(text) // 1024} KB), "
              f"{len(times)} edits: median {statistics.median(times):.1f} ms, "
              f"slowest {max(times):.1f} ms")
        server.close()


if __name__ == "__main__":
    main()
