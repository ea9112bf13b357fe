//! The offline search index.
//!
//! Built at build time and queried by `assets/site.js` in the browser, with
//! no server: the index is split into script files (`search/docs.js` and
//! `search/<n>.js`) that the page loads with `<script>` tags, which works
//! from `file://` where `fetch` does not. A token's shard is its FNV-1a hash
//! modulo the shard count, computed the same way in the script.
//!
//! Tokens: words of letters and digits, lower-cased; runs of CJK characters
//! as overlapping bigrams (a lone character as itself), so that `投诉` finds
//! a text containing `客户投诉处理` without a word segmenter.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::site::Site;

/// Field weights: a match in the title counts more than one in prose.
const TITLE: u32 = 10;
const STEP_TITLE: u32 = 3;
const PROSE: u32 = 1;

/// Postings per shard that make it worth another file.
const POSTINGS_PER_SHARD: usize = 40_000;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF | 0x20000..=0x2FFFF)
}

/// Splits text into search tokens. `assets/site.js` has the same function.
pub fn tokenize(text: &str, mut emit: impl FnMut(&str)) {
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut buf = String::new();
    let flush_cjk = |cjk: &mut Vec<char>, buf: &mut String, emit: &mut dyn FnMut(&str)| {
        if cjk.len() == 1 {
            buf.clear();
            buf.push(cjk[0]);
            emit(buf);
        }
        for pair in cjk.windows(2) {
            buf.clear();
            buf.push(pair[0]);
            buf.push(pair[1]);
            emit(buf);
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                if word.chars().count() > 1 {
                    emit(&word);
                }
                word.clear();
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            if !cjk.is_empty() {
                flush_cjk(&mut cjk, &mut buf, &mut emit);
            }
            word.extend(c.to_lowercase());
        } else {
            if !cjk.is_empty() {
                flush_cjk(&mut cjk, &mut buf, &mut emit);
            }
            if word.chars().count() > 1 {
                emit(&word);
            }
            word.clear();
        }
    }
    if !cjk.is_empty() {
        flush_cjk(&mut cjk, &mut buf, &mut emit);
    }
    if word.chars().count() > 1 {
        emit(&word);
    }
}

/// FNV-1a over the token's UTF-8 bytes.
pub fn hash(token: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in token.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The index files: (path relative to the site, contents).
pub fn build(site: &Site) -> Vec<(String, String)> {
    // token → doc → weight (the best field it appears in, summed over fields)
    let per_doc: Vec<BTreeMap<String, u32>> = {
        use rayon::prelude::*;
        site.entries
            .par_iter()
            .map(|e| {
                let wf = &e.workflow;
                let mut weights: BTreeMap<String, u32> = BTreeMap::new();
                let mut add = |text: &str, weight: u32| {
                    let mut seen = std::collections::BTreeSet::new();
                    tokenize(text, |t| {
                        if seen.insert(t.to_string()) {
                            *weights.entry(t.to_string()).or_default() += weight;
                        }
                    });
                };
                add(&wf.title, TITLE);
                add(&wf.id, TITLE);
                add(&wf.meta.tags.clone().unwrap_or_default().join(" "), TITLE);
                for node in &wf.nodes {
                    add(&node.title, STEP_TITLE);
                }
                let mut prose = String::new();
                for text in [&wf.purpose, &wf.scope] {
                    prose.push_str(text);
                    prose.push('\n');
                }
                for node in &wf.nodes {
                    prose.push_str(&node.text);
                    prose.push('\n');
                    for s in node.say.iter().chain(node.ask.iter()) {
                        prose.push_str(s);
                        prose.push('\n');
                    }
                    for c in &node.callouts {
                        prose.push_str(&c.text);
                        prose.push('\n');
                    }
                }
                if let Some(notes) = &wf.notes {
                    prose.push_str(&notes.text);
                }
                add(&prose, PROSE);
                weights
            })
            .collect()
    };
    let total: usize = per_doc.iter().map(BTreeMap::len).sum();
    let shards = total.div_ceil(POSTINGS_PER_SHARD).clamp(1, 256);
    let mut shard_maps: Vec<BTreeMap<&str, Vec<(usize, u32)>>> = vec![BTreeMap::new(); shards];
    for (doc, weights) in per_doc.iter().enumerate() {
        for (token, &w) in weights {
            let shard = hash(token) as usize % shards;
            shard_maps[shard]
                .entry(token.as_str())
                .or_default()
                .push((doc, w));
        }
    }
    let mut files = Vec::with_capacity(shards + 1);
    let mut docs = String::from("SOP.searchDocs([");
    for (i, e) in site.entries.iter().enumerate() {
        if i > 0 {
            docs.push(',');
        }
        let _ = write!(
            docs,
            "[{},{},{}]",
            json(&e.workflow.id),
            json(&e.workflow.title),
            json(&super::pages::sop_href(0, &e.workflow.id))
        );
    }
    let _ = writeln!(docs, "],{shards});");
    files.push(("search/docs.js".to_string(), docs));
    for (n, map) in shard_maps.into_iter().enumerate() {
        let mut out = format!("SOP.searchShard({n},{{");
        for (i, (token, postings)) in map.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json(token));
            out.push_str(":[");
            for (j, (doc, w)) in postings.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{doc},{w}");
            }
            out.push(']');
        }
        out.push_str("});\n");
        files.push((format!("search/{n}.js"), out));
    }
    files
}

/// A JSON string literal that is also safe inside a `<script>` file.
fn json(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(text, |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn words_and_cjk_bigrams() {
        assert_eq!(
            tokens("Refund the ORDER, please!"),
            ["refund", "the", "order", "please"]
        );
        assert_eq!(
            tokens("客户投诉处理"),
            ["客户", "户投", "投诉", "诉处", "处理"]
        );
        assert_eq!(tokens("a 诉 Ügyfél"), ["诉", "ügyfél"]);
        assert_eq!(tokens("SOP投诉"), ["sop", "投诉"]);
    }

    #[test]
    fn fnv1a() {
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
    }
}
