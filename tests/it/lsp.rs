//! `sop lsp` end to end: the real binary, spoken to over its pipes in
//! JSON-RPC, on a copy of the bundled examples (a project with `sop.yaml`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any answer may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for answers.
    notifications: Vec<Value>,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sop"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sop lsp starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        let (send, incoming) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("JSON from the server");
                if send.send(value).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
        };
        let uri = uri(root);
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "capabilities": {},
                "workspaceFolders": [{ "uri": uri, "name": "examples" }],
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "sop");
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    fn receive(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(value) => value,
            Err(RecvTimeoutError::Timeout) => panic!("no message from sop lsp in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("sop lsp closed its output"),
        }
    }

    /// Sends a request and returns its whole response.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let message = self.receive(deadline);
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Sends a request and returns its result; fails on an error.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + PATIENCE;
        let mut k = 0;
        loop {
            while k < self.notifications.len() {
                let n = &self.notifications[k];
                if n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri {
                    let n = self.notifications.remove(k);
                    return n["params"]["diagnostics"].as_array().unwrap().clone();
                }
                k += 1;
            }
            let message = self.receive(deadline);
            self.notifications.push(message);
        }
    }

    fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "sop", "version": 1, "text": text } }),
        );
        uri
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    url_of(&path)
}

fn url_of(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A copy of the examples in a temporary folder, the project root.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("examples");
    std::fs::create_dir(&root).unwrap();
    for entry in std::fs::read_dir(crate::support::root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, root.join(path.file_name().unwrap())).unwrap();
    }
    let root = root.canonicalize().unwrap();
    (dir, root)
}

/// The position (line, UTF-16 column) of the `n`th occurrence of `needle`
/// in `text`, plus `shift` characters.
fn at(text: &str, needle: &str, n: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle:?} #{n} not in the text"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[start..offset].encode_utf16().count() + shift;
    json!({ "line": line, "character": column })
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_feature_on_the_examples() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    let complaint_path = root.join("CS-012-complaint-handling.sop");
    let complaint = std::fs::read_to_string(&complaint_path).unwrap();
    let uri = client.open(&complaint_path, &complaint);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // A typo in a branch target: the same code and place as `sop check`.
    let typo = complaint.replace("    otherwise -> 升级\n", "    otherwise -> 升极\n");
    client.change(&uri, 2, &typo);
    let diagnostics = client.diagnostics(&uri);
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown-target", "unreachable-step"]);
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(diagnostics[0]["range"]["start"], at(&typo, "升极", 0, 0));
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("升级"));
    // Its rule is one hover away.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(&typo, "升极", 0, 1) }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("`unknown-target`"),
        "{hover}"
    );
    client.change(&uri, 3, &complaint);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // Completion: step ids after `->`, roles after `role:`, SOPs after `[[`.
    let position = |needle: &str, shift| json!({ "textDocument": { "uri": uri }, "position": at(&complaint, needle, 0, shift) });
    let targets = client.request("textDocument/completion", position("otherwise -> 升级", 13));
    let targets = labels(&targets);
    for id in ["安抚", "升级", "结案", "结束"] {
        assert!(targets.contains(&id.to_string()), "{id} in {targets:?}");
    }
    let roles = client.request("textDocument/completion", position("role: 经理", 6));
    assert_eq!(labels(&roles), ["客服", "经理"]);
    let sops = client.request(
        "textDocument/completion",
        position("[[CS-014]] Escalate", 2),
    );
    let sops = sops.as_array().unwrap();
    let escalation = sops.iter().find(|i| i["label"] == "CS-014").unwrap();
    assert_eq!(escalation["detail"], "Escalate a customer case");
    assert_eq!(sops.len(), 10);
    let keywords = client.request("textDocument/completion", position("    ask: 经理", 4));
    let keywords = labels(&keywords);
    for word in ["步骤", "角色", "时限", "如果", "超时", "step", "within"] {
        assert!(
            keywords.contains(&word.to_string()),
            "{word} in {keywords:?}"
        );
    }
    let units = client.request("textDocument/completion", position("within: 4 hours", 10));
    assert!(labels(&units).contains(&"小时".to_string()));

    // Definition and references of a step id, a role, an SOP.
    let definition = client.request("textDocument/definition", position("-> 升级", 3));
    assert_eq!(
        definition["range"]["start"],
        at(&complaint, "升级: 升级至客服经理", 0, 0)
    );
    let definition = client.request("textDocument/definition", position("role: 经理", 6));
    assert_eq!(
        definition["range"]["start"],
        at(&complaint, "经理: 客服经理", 0, 0)
    );
    let definition = client.request(
        "textDocument/definition",
        position("[[CS-014]] Escalate", 3),
    );
    assert!(definition["uri"]
        .as_str()
        .unwrap()
        .ends_with("CS-014-escalation.sop"));
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 2, "character": 4 })
    );
    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": at(&complaint, "role: 客服", 0, 6),
                "context": { "includeDeclaration": true } }),
    );
    assert_eq!(
        references.as_array().unwrap().len(),
        complaint.matches("客服\n").count() + 1,
        "{references}"
    );
    let links = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": at(&complaint, "[[CS-014]] Escalate", 0, 3),
                "context": { "includeDeclaration": false } }),
    );
    let linking: std::collections::BTreeSet<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert!(linking.len() >= 3, "{linking:?}");
    assert!(linking.contains("CS-012-complaint-handling.sop"));

    // Hover: a step, and another SOP.
    let hover = client.request("textDocument/hover", position("-> 升级", 3));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("Step 6. 升级至客服经理"), "{text}");
    assert!(text.contains("经理") && text.contains("4 hours"), "{text}");
    let hover = client.request("textDocument/hover", position("[[CS-014]] Escalate", 3));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("CS-014: Escalate a customer case"), "{text}");
    assert!(text.contains("Owner: Head of Customer Service"), "{text}");

    // Rename a step in the file, and an SOP across the project.
    let edit = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": at(&complaint, "-> 升级", 0, 3), "newName": "经理介入" }),
    );
    let edits = edit["changes"][&uri].as_array().unwrap();
    assert_eq!(
        edits.len(),
        complaint.matches("升级\n").count() + 1,
        "{edits:?}"
    );
    assert!(edits.iter().all(|e| e["newText"] == "经理介入"));
    let refused = client.call(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": at(&complaint, "-> 升级", 0, 3), "newName": "two words" }),
    );
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not an id"));
    let edit = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": at(&complaint, "[[CS-014]] Escalate", 0, 3), "newName": "CS-114" }),
    );
    let files: Vec<&String> = edit["changes"].as_object().unwrap().keys().collect();
    assert!(files.len() >= 3, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("CS-014-escalation.sop")));

    // Outline, folding, formatting.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let steps = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "steps")
        .expect("the steps section");
    assert_eq!(steps["children"][0]["name"], "1. 安抚客户情绪");
    assert_eq!(steps["children"].as_array().unwrap().len(), 7);
    let folds = client.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(folds.as_array().unwrap().len() >= 10, "{folds}");
    let messy = complaint.replace("  step 结案", "  STEP   结案");
    client.change(&uri, 4, &messy);
    client.diagnostics(&uri);
    let formatting = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let expected = sop::fmt::format_source(&messy).unwrap();
    assert_eq!(formatting[0]["newText"], expected);

    // Cross-file: a link to an SOP that does not exist yet, then a new
    // buffer that declares it.
    let linking = complaint.replace("[[CS-014]] Escalate", "[[CS-099]] Escalate");
    client.change(&uri, 5, &linking);
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "unknown-sop"),
        "{diagnostics:#?}"
    );
    let new_path = root.join("CS-099.sop");
    let new_uri = client.open(
        &new_path,
        "sop CS-099: A new procedure\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> end\nrevisions:\n  1.0  2026-11-01  A: Created\n",
    );
    // The new id is known: the complaint's diagnostics are published again.
    let again = client.diagnostics(&uri);
    assert!(
        !again.iter().any(|d| d["code"] == "unknown-sop"),
        "{again:#?}"
    );
    assert_eq!(client.diagnostics(&new_uri), Vec::<Value>::new());

    // Preview: the page `sop render --to html` makes; with errors, the last
    // good one, marked stale.
    client.change(&uri, 6, &complaint);
    client.diagnostics(&uri);
    let preview = client.request("sop/preview", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(preview["stale"], false);
    let page = preview["html"].as_str().unwrap().to_string();
    assert!(page.contains("<h1>投诉处理与情绪安抚</h1>"), "{page}");
    assert!(page.contains("<svg"), "the flowchart");
    client.change(&uri, 7, &typo);
    client.diagnostics(&uri);
    let preview = client.request("sop/preview", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(preview["stale"], true);
    assert_eq!(preview["html"].as_str().unwrap(), page);
    assert_eq!(preview["diagnostics"][0]["code"], "unknown-target");

    // Quick fix: the suggestion of `unknown-target`.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": at(&typo, "升极", 0, 0), "end": at(&typo, "升极", 0, 0) },
                "context": { "diagnostics": [] } }),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "Change `升极` to `升级`");
    assert_eq!(fix["edit"]["changes"][&uri][0]["newText"], "升级");

    // Semantic tokens: keywords, ids, targets, values, in the file's dialect.
    client.change(&uri, 8, &complaint);
    client.diagnostics(&uri);
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    let lines: Vec<&str> = complaint.lines().collect();
    let (mut line, mut column) = (0usize, 0usize);
    let mut seen: Vec<(String, u64)> = Vec::new();
    for token in data.chunks(5) {
        if token[0] > 0 {
            line += token[0] as usize;
            column = token[1] as usize;
        } else {
            column += token[1] as usize;
        }
        let utf16: Vec<u16> = lines[line].encode_utf16().collect();
        let text = String::from_utf16(&utf16[column..column + token[2] as usize]).unwrap();
        seen.push((text, token[3]));
    }
    let kind_of = |text: &str| seen.iter().find(|(t, _)| t == text).map(|(_, k)| *k);
    assert_eq!(kind_of("step"), Some(0), "{seen:?}");
    assert_eq!(kind_of("otherwise"), Some(0));
    assert_eq!(kind_of("CS-012"), Some(1));
    assert_eq!(kind_of("安抚"), Some(2));
    assert_eq!(kind_of("客服"), Some(3));
    assert_eq!(kind_of("结案"), Some(4), "the target of `if 满意 -> 结案`");
    assert_eq!(kind_of("1 hour"), Some(5));

    // A revision dated today for a review that is overdue.
    let stale_path = root.join("stale.sop");
    let stale = "sop ST-1: Stale\nreview: every 6 months\npurpose: p\nscope: s\nsteps:\n  step a: A\n    -> end\nrevisions:\n  1.0  2020-01-01  Ann: Created\n";
    let stale_uri = client.open(&stale_path, stale);
    let diagnostics = client.diagnostics(&stale_uri);
    let overdue = diagnostics
        .iter()
        .find(|d| d["code"] == "stale-review")
        .expect("stale-review");
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": stale_uri }, "range": overdue["range"], "context": { "diagnostics": [] } }),
    );
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Add a revision dated")
        })
        .expect("a revision line");
    let new_text = add["edit"]["changes"][&stale_uri][0]["newText"]
        .as_str()
        .unwrap();
    assert!(new_text.starts_with("  1.1  20"), "{new_text:?}");
    assert!(new_text.ends_with("  Ann: Reviewed\n"), "{new_text:?}");

    // A decision with one option, and a line that only looks like a branch.
    let branchy_path = root.join("branchy.sop");
    let branchy = "sop BR-1: Branches\npurpose: p\nscope: s\nsteps:\n  step a: A\n    ask: Ready?\n    if yes -> b\n  step b: B\n    otherwise => a\n    -> end\nrevisions:\n  1.0  2026-11-01  A: Created\n";
    let branchy_uri = client.open(&branchy_path, branchy);
    let diagnostics = client.diagnostics(&branchy_uri);
    let titles_for = |client: &mut Client, code: &str| -> Vec<(String, String)> {
        let d = diagnostics
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {diagnostics:#?}"));
        let actions = client.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": branchy_uri }, "range": d["range"], "context": { "diagnostics": [] } }),
        );
        actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap().to_string(),
                    a["edit"]["changes"][&branchy_uri][0]["newText"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let single = titles_for(&mut client, "single-option");
    assert!(
        single.contains(&(
            "Add `otherwise -> next`".into(),
            "    otherwise -> next\n".into()
        )),
        "{single:?}"
    );
    let suspicious = titles_for(&mut client, "suspicious-branch");
    assert!(
        suspicious.iter().any(|(_, text)| text == "otherwise -> a"),
        "{suspicious:?}"
    );
    assert!(
        suspicious.iter().any(|(_, text)| text == "\\"),
        "{suspicious:?}"
    );

    // Unknown methods are refused, and the server goes on.
    let unknown = client.call("sop/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let hover = client.request("textDocument/hover", position("-> 升级", 3));
    assert!(hover["contents"]["value"].is_string());

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn garbage_buffers_get_answers_and_the_server_lives_on() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    let path = root.join("garbage.sop");
    // Bytes that are not text become U+FFFD on the way in.
    let mut state = 0x2545_F491_u64;
    let garbage: String = (0..20_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from_u32((state % 0x3000) as u32).unwrap_or('\u{FFFD}')
        })
        .collect();
    let uri = client.open(&path, &garbage);
    client.diagnostics(&uri);
    for method in ["textDocument/documentSymbol", "textDocument/foldingRange"] {
        client.request(method, json!({ "textDocument": { "uri": uri } }));
    }
    for line in [0, 1, 5000] {
        let position =
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 3 } });
        client.request("textDocument/hover", position.clone());
        client.request("textDocument/completion", position.clone());
        client.request("textDocument/definition", position);
    }
    // One line of 50 MB.
    let huge = format!("sop X-1: {}\n", "a".repeat(50 * 1024 * 1024));
    client.change(&uri, 2, &huge);
    let diagnostics = client.diagnostics(&uri);
    assert!(!diagnostics.is_empty());
    let hover = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 30_000_000 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    // Still alive.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(symbols.is_array());
}
