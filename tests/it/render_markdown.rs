//! The Markdown output: snapshots of every example, determinism, the
//! Mermaid flowchart, step anchors, labels in the content's language, and
//! `sop render --to md` as a command.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sop::model::{EdgeTo, NodeKind, Workflow};
use sop::render::markdown::Markdown;
use sop::render::{RenderContext, Renderer};
use sop::source::Source;

use crate::support::sop_files;

fn all_inputs() -> Vec<PathBuf> {
    let mut files = sop_files("examples");
    files.extend(sop_files("tests/fixtures/valid"));
    files
}

fn workflow_of_text(path: &Path, text: &str) -> Workflow {
    let source = Source::from_text(path, text);
    let doc = sop::syntax::parse(&source);
    assert!(
        doc.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        doc.errors
    );
    Workflow::from_document(&doc)
}

fn workflow(path: &Path) -> Workflow {
    let bytes = std::fs::read(path).unwrap();
    let source = Source::from_bytes(path, &bytes);
    let doc = sop::syntax::parse(&source);
    assert!(
        doc.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        doc.errors
    );
    Workflow::from_document(&doc)
}

fn markdown(path: &Path) -> String {
    Markdown.render(&workflow(path), &RenderContext::default())
}

/// The lines of the ```` ```mermaid ```` block.
fn mermaid_block(md: &str) -> Vec<&str> {
    md.lines()
        .skip_while(|l| *l != "```mermaid")
        .skip(1)
        .take_while(|l| *l != "```")
        .collect()
}

#[test]
fn snapshots_of_every_example() {
    for path in sop_files("examples") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, markdown(&path));
    }
}

#[test]
fn output_is_deterministic_and_ends_with_one_newline() {
    for path in all_inputs() {
        let first = markdown(&path);
        assert_eq!(first, markdown(&path), "{}", path.display());
        assert!(
            first.ends_with('\n') && !first.ends_with("\n\n"),
            "{}",
            path.display()
        );
        assert!(!first.contains("\n\n\n"), "{}", path.display());
    }
}

#[test]
fn the_flowchart_has_a_node_per_step_and_a_diamond_per_decision() {
    let path = Path::new("examples/CS-003-card-payment-failure.sop");
    let wf = workflow(path);
    let md = Markdown.render(&wf, &RenderContext::default());
    let block = mermaid_block(&md);
    assert_eq!(block.first(), Some(&"flowchart TD"));
    let decisions = wf
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Decision)
        .count();
    assert_eq!(decisions, 3);
    for node in &wf.nodes {
        let id = format!("s{}", node.number);
        let definitions: Vec<&&str> = block
            .iter()
            .filter(|l| {
                l.trim_start()
                    .strip_prefix(id.as_str())
                    .is_some_and(|rest| rest.starts_with(['(', '{', '[']))
            })
            .collect();
        assert_eq!(definitions.len(), 1, "{id}: {definitions:?}");
        let diamond = definitions[0].trim_start()[id.len()..].starts_with("{\"");
        assert_eq!(diamond, node.kind == NodeKind::Decision, "{id}");
        assert!(
            definitions[0].contains(&format!("{}#46; ", node.number)),
            "{id}: {}",
            definitions[0]
        );
    }
    let diamonds = block.iter().filter(|l| l.contains("{\"")).count();
    assert_eq!(diamonds, decisions);
    // Every edge of the model is drawn; the end and the hand-off once each.
    let edges = block
        .iter()
        .filter(|l| l.contains(" --> ") || l.contains(" -->|"))
        .count();
    assert_eq!(edges, wf.edges.len());
    assert_eq!(
        block
            .iter()
            .filter(|l| l.contains("done([\"End\"])"))
            .count(),
        1
    );
    assert_eq!(
        block
            .iter()
            .filter(|l| l.contains("h_1[[\"Hand off to CS-014\"]]"))
            .count(),
        1
    );
    assert!(block.contains(&"    s10 -->|\"yes\"| s11"), "{block:#?}");
    assert!(
        block.contains(&"    s14 -->|\"Otherwise\"| h_1"),
        "{block:#?}"
    );
}

#[test]
fn mermaid_ids_are_safe_for_any_step_id() {
    // Chinese step ids, an anonymous step, and a step reaching no end.
    let wf = workflow(Path::new("examples/CS-010-reception-and-needs.sop"));
    let md = Markdown.render(&wf, &RenderContext::default());
    for line in mermaid_block(&md).iter().skip(1) {
        let head = line.trim_start();
        let id: String = head
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(!id.is_empty(), "{line}");
    }
    assert!(!md.contains("done("), "no edge reaches the end");
    let wf = workflow(Path::new("examples/CS-002-security-camera-alert.sop"));
    let md = Markdown.render(&wf, &RenderContext::default());
    assert!(md.contains("    s7(\"7#46; Save and back up the video footage\")"));
    assert!(md.contains("<a id=\"step-7\"></a>\n### 7. Save and back up the video footage"));
}

#[test]
fn every_step_link_has_an_anchor() {
    for path in all_inputs() {
        let md = markdown(&path);
        let mut anchors = BTreeSet::new();
        for (i, _) in md.match_indices("<a id=\"step-") {
            let rest = &md[i + "<a id=\"".len()..];
            let id = &rest[..rest.find('"').unwrap()];
            assert!(
                anchors.insert(id.to_string()),
                "{}: {id} twice",
                path.display()
            );
        }
        let wf = workflow(&path);
        assert_eq!(anchors.len(), wf.nodes.len(), "{}", path.display());
        let mut links = 0;
        for (i, _) in md.match_indices("](#") {
            let rest = &md[i + 3..];
            let target = &rest[..rest.find(')').unwrap()];
            assert!(
                anchors.contains(target),
                "{}: link to #{target} has no anchor",
                path.display()
            );
            links += 1;
        }
        let jumps = wf
            .edges
            .iter()
            .filter(|e| e.when.is_some() && matches!(e.to, EdgeTo::Node(_)))
            .count();
        assert!(links >= jumps, "{}: {links} links", path.display());
    }
}

#[test]
fn labels_follow_the_content_language() {
    let zh = markdown(Path::new("examples/CS-010-reception-and-needs.sop"));
    for heading in [
        "## 目的",
        "## 范围",
        "## 角色",
        "## 流程图",
        "## 步骤",
        "## 修订历史",
    ] {
        assert!(zh.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(zh.contains("| 审核周期 | 每6个月 |"), "{zh}");
    assert!(zh.contains("**时限:** 30秒"), "{zh}");
    assert!(zh.contains("- *其他情况* → [5. 复述并确认需求](#step-确认需求)"));
    assert!(zh.contains("→ 移交 **CS-011**"));
    assert!(!zh.contains("## Purpose"));

    let hu = markdown(Path::new("examples/CS-020-telefonos-megkeresesek.sop"));
    for heading in [
        "## Cél",
        "## Hatály",
        "## Szerepkörök",
        "## Folyamatábra",
        "## Eljárás",
    ] {
        assert!(hu.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(hu.contains("| Állapot | Érvényes |"), "{hu}");
    assert!(hu.contains("**Határidő:** 20 másodperc"), "{hu}");
    assert!(hu.contains("- *Egyébként* →"));
    assert!(!hu.contains("## Procedure"));
}

#[test]
fn metadata_steps_and_alerts() {
    let md = markdown(Path::new("examples/CS-001-customer-inquiries.sop"));
    assert!(md.starts_with(
        "# Handle customer inquiries with empathy\n\n| ID | CS-001 |\n| --- | --- |\n"
    ));
    assert!(md.contains("| Status | Active |"));
    assert!(md.contains("| Review | every 12 months |"));
    assert!(md.contains("| Next review due | 2027-04-01 |"));
    assert!(md.contains("| Tags | `customer-service` `communication` `empathy` |"));
    assert!(md.contains("**Role:** agent · **Time limit:** 30 seconds"));
    assert!(md.contains("**Roles:** agent, lead"));
    assert!(md.contains("> **Say:** I understand why this would be upsetting."));
    assert!(md.contains("> [!TIP]\n> On the phone, smile while you speak."));
    assert!(md.contains("> [!WARNING]\n> Never argue"));
    assert!(md.contains("> [!NOTE]\n> A complaint about staff"));
    assert!(md.contains("**Did the customer confirm your summary?**\n\n- yes → [5. Offer a solution](#step-solve)\n- *Otherwise* → [2. Listen actively](#step-listen)\n"));
    assert!(md.contains("- it is a complaint → Hand off to **CS-012**"));
    assert!(md.contains("→ Hand off to **CS-014**"));
    assert!(md.contains("\n→ **End**\n"));
    // Fall-through to the next step needs no line.
    assert!(!md.contains("→ Go to [2. Listen actively]"));
    assert!(md.contains("continue in **CS-012** once"));
    assert!(md.contains("- **CS-012** 投诉处理与情绪安抚 (complaint handling)"));
    assert!(md.contains("| Version | Date | Author | Change |\n| --- | --- | --- | --- |\n| 1.0 | 2024-06-27 | Peter Wu | Created |"));

    let md = markdown(Path::new("examples/CS-003-card-payment-failure.sop"));
    assert!(md.contains("→ Go to [10. Retry the payment](#step-retry)"));
    assert!(md.contains("**Time limit:** 1 hour 30 minutes"));
    assert!(md.contains("| **AVS** | Address Verification Service."));
    assert!(md.contains("| Payments recovered on the first contact | >= 70% |"));
}

#[test]
fn sop_links_use_the_context_and_the_default_review_is_marked() {
    let text = "sop T-1: Links\neffective: 2026-01-15\npurpose: See [[CS-014]], not `[[CS-015]]`.\nscope: **All of [[CS-014]]**.\nsteps:\n  step a: A\n    if x -> [[CS-014]]\n    otherwise -> end\nreferences:\n  - [[CS-015]] Follow-up\n";
    let wf = workflow_of_text(Path::new("t.sop"), text);
    let link = |id: &str| Some(format!("../{id}.md"));
    let ctx = RenderContext {
        sop_link: &link,
        ..RenderContext::default()
    };
    let md = Markdown.render(&wf, &ctx);
    assert!(
        md.contains("See [CS-014](../CS-014.md), not `[[CS-015]]`."),
        "{md}"
    );
    assert!(md.contains("**All of [CS-014](../CS-014.md)**."), "{md}");
    assert!(
        md.contains("- x → Hand off to [CS-014](../CS-014.md)"),
        "{md}"
    );
    assert!(md.contains("- [CS-015](../CS-015.md) Follow-up"), "{md}");
    assert!(
        md.contains("| Review | every 12 months (default) |"),
        "{md}"
    );
    assert!(md.contains("| Next review due | 2027-01-15 |"), "{md}");
    assert!(!md.contains("| Version |"), "absent rows are omitted: {md}");

    let plain = Markdown.render(&wf, &RenderContext::default());
    assert!(
        plain.contains("See **CS-014**, not `[[CS-015]]`."),
        "{plain}"
    );
    assert!(plain.contains("**All of CS-014**."), "{plain}");
    assert!(plain.contains("- **CS-015** Follow-up"), "{plain}");
}

#[test]
fn user_text_cannot_break_the_document() {
    let text = "sop T-2: A <b>title</b> | with *stars*\nowner: R&D | ops\npurpose: Fine.\n  <!-- never closed\nscope:\n  ```\n  a fence never closed\nroles:\n  agent: Does a | b\nsteps:\n  step a: The \"first\" <step>\n    role: agent\n    if 1. yes | no -> b\n    if # x -> end\n    otherwise -> b\n  step b: B\n    tip: - looks like a list\n    [bad](javascript:alert(1))\n    -> end\n";
    let wf = workflow_of_text(Path::new("t.sop"), text);
    let md = Markdown.render(&wf, &RenderContext::default());
    assert!(
        md.starts_with("# A \\<b>title\\</b> | with \\*stars\\*\n"),
        "{md}"
    );
    assert!(md.contains("| Owner | R&D \\| ops |"), "{md}");
    assert!(md.contains("Fine.\n\\<\\!\\-\\- never closed\n"), "{md}");
    assert!(
        md.contains("```\na fence never closed\n```\n\n## Roles"),
        "{md}"
    );
    assert!(md.contains("| agent | Does a \\| b |"), "{md}");
    assert!(md.contains("### 1. The \"first\" \\<step>"), "{md}");
    assert!(md.contains("- 1\\. yes | no → [2. B](#step-b)"), "{md}");
    assert!(md.contains("- \\# x → **End**"), "{md}");
    assert!(md.contains("> [!TIP]\n> \\- looks like a list"), "{md}");
    assert!(md.contains("\nbad\n"), "{md}");
    assert!(!md.contains("javascript:"), "{md}");
    let block = mermaid_block(&md);
    assert!(
        block.contains(&"    s1{\"1#46; The #quot;first#quot; #lt;step#gt;\"}"),
        "{block:#?}"
    );
    assert!(
        block.contains(&"    s1 -->|\"1#46; yes #124; no\"| s2"),
        "{block:#?}"
    );
}

fn sop(args: &[&str]) -> std::process::Output {
    crate::support::sop(args).env("NO_COLOR", "1").output()
}

#[test]
fn render_to_md_writes_the_output_file_or_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs/CS-003.md");
    let input = "examples/CS-003-card-payment-failure.sop";
    let today = ["--today", "2026-11-23"];
    let stdout = sop(&[&["render", input, "--to", "md"][..], &today].concat());
    assert_eq!(
        stdout.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&stdout.stderr)
    );
    let to_file = sop(&[
        &["render", input, "--to", "md", "-o", out.to_str().unwrap()][..],
        &today,
    ]
    .concat());
    assert_eq!(
        to_file.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&to_file.stderr)
    );
    assert!(to_file.stdout.is_empty());
    let written = std::fs::read(&out).unwrap();
    assert_eq!(written, stdout.stdout);
    assert_eq!(
        String::from_utf8(written).unwrap(),
        markdown(Path::new(input))
    );
}

#[test]
fn roles_become_subgraphs_and_a_long_procedure_an_overview() {
    let md = markdown(Path::new("tests/fixtures/valid/returns-sixty-steps.sop"));
    let block = mermaid_block(&md);
    let lanes: Vec<&str> = block
        .iter()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .map(|l| l.trim())
        .collect();
    assert_eq!(
        lanes,
        [
            "subgraph lane1[\"Customer service agent\"]",
            "subgraph lane2[\"Warehouse operator\"]",
            "subgraph lane3[\"Courier liaison\"]",
            "subgraph lane4[\"Finance clerk\"]",
            "subgraph lane5[\"Returns manager\"]",
        ]
    );
    // Sixty steps, each declared once, inside its role's subgraph.
    let declared = block.iter().filter(|l| l.starts_with("        s")).count();
    assert_eq!(declared, 60);

    // 450 steps in Hungarian: an overview of runs of 12 steps, said so.
    let mut text =
        String::from("sop HU-450: Hosszú eljárás\nlanguage: hu\ncél: c\nhatókör: h\nlépések:\n");
    for i in 1..=450 {
        text.push_str(&format!("  lépés s{i}: {i}. teendő\n"));
        if i % 5 == 0 && i > 10 {
            text.push_str(&format!(
                "    ha újra -> s{}\n    különben -> next\n",
                i - 7
            ));
        }
    }
    let workflow = workflow_of_text(Path::new("hu.sop"), &text);
    let md = Markdown.render(&workflow, &RenderContext::default());
    assert!(
        md.contains("Az eljárás 450 lépésből áll"),
        "{}",
        &md[..md.len().min(2000)]
    );
    let block = mermaid_block(&md);
    assert_eq!(block[0], "flowchart TD");
    assert!(block.contains(&"    r1(\"1–12. lépés\")"), "{block:?}");
    let boxes = block
        .iter()
        .filter(|l| l.starts_with("    r") && l.contains("(\""))
        .count();
    assert_eq!(boxes, 450_usize.div_ceil(12));
    // Loops inside a run stay inside; those across runs are counted.
    assert!(block
        .iter()
        .any(|l| l.contains(" -->|\"") || l.contains(" --> ")));
}
