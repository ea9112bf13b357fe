//! Word-level diffs of prose: words, spaces and punctuation are tokens,
//! and each CJK character is a token of its own (Chinese has no spaces
//! between words).

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::{Op, Piece};

/// Above this many token comparisons (the product of the two lengths) a
/// text is shown as replaced whole: a diff's cost grows with both lengths
/// times the differences, and a wholly rewritten long text gains nothing
/// from a word-by-word diff.
const MAX_WORK: usize = 4_000_000;

/// The diff of two texts, as runs of equal, deleted and inserted text.
pub fn diff(old: &str, new: &str) -> Vec<Piece> {
    let a = tokens(old);
    let b = tokens(new);
    let mut pieces: Vec<Piece> = Vec::new();
    if a.len().saturating_mul(b.len()) > MAX_WORK {
        push(&mut pieces, Op::Delete, old);
        push(&mut pieces, Op::Insert, new);
        return pieces;
    }
    // Spaces compare by kind only (a line break is a space, a blank line a
    // paragraph break), so re-wrapped lines do not show as changes.
    fn key<'t>(t: &&'t str) -> &'t str {
        if t.chars().all(char::is_whitespace) {
            if t.matches('\n').count() >= 2 {
                "\n\n"
            } else {
                " "
            }
        } else {
            t
        }
    }
    let ka: Vec<&str> = a.iter().map(key).collect();
    let kb: Vec<&str> = b.iter().map(key).collect();
    for op in capture_diff_slices(Algorithm::Myers, &ka, &kb) {
        match op {
            DiffOp::Equal { new_index, len, .. } => {
                for t in &b[new_index..new_index + len] {
                    push(&mut pieces, Op::Equal, t);
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for t in &a[old_index..old_index + old_len] {
                    push(&mut pieces, Op::Delete, t);
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for t in &b[new_index..new_index + new_len] {
                    push(&mut pieces, Op::Insert, t);
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for t in &a[old_index..old_index + old_len] {
                    push(&mut pieces, Op::Delete, t);
                }
                for t in &b[new_index..new_index + new_len] {
                    push(&mut pieces, Op::Insert, t);
                }
            }
        }
    }
    tidy(pieces)
}

fn push(pieces: &mut Vec<Piece>, op: Op, text: &str) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => pieces.push(Piece {
            op,
            text: text.to_string(),
        }),
    }
}

/// Reads better: a space or a single character alone between two changes
/// (`[-a-] {+c+}`, `{+顾+}客[-户-]`) joins them, so whole phrases and words
/// are replaced.
fn tidy(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        let p = &pieces[i];
        // A space, or one character (a Chinese character, a comma), alone
        // between two changes.
        let small = (p.text.chars().all(char::is_whitespace) && !p.text.contains("\n\n"))
            || p.text.chars().count() == 1;
        let between_changes = p.op == Op::Equal
            && small
            && i > 0
            && pieces[i - 1].op != Op::Equal
            && pieces.get(i + 1).is_some_and(|n| n.op != Op::Equal);
        if between_changes {
            // The space goes to both sides.
            push(&mut out, Op::Delete, &p.text);
            push(&mut out, Op::Insert, &p.text);
        } else {
            push(&mut out, p.op, &p.text);
        }
        i += 1;
    }
    // Deletions before insertions within each changed run.
    let mut sorted: Vec<Piece> = Vec::with_capacity(out.len());
    let mut run: (String, String) = (String::new(), String::new());
    for p in out {
        match p.op {
            Op::Delete => run.0.push_str(&p.text),
            Op::Insert => run.1.push_str(&p.text),
            Op::Equal => {
                flush(&mut sorted, &mut run);
                push(&mut sorted, Op::Equal, &p.text);
            }
        }
    }
    flush(&mut sorted, &mut run);
    sorted
}

fn flush(out: &mut Vec<Piece>, run: &mut (String, String)) {
    push(out, Op::Delete, &std::mem::take(&mut run.0));
    push(out, Op::Insert, &std::mem::take(&mut run.1));
}

/// Whether a character is written without spaces around it: CJK
/// ideographs, kana, Hangul and their punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// Words (letters, digits, `_`, an apostrophe or hyphen inside a word),
/// runs of spaces, and every other character alone.
fn tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Single,
    }
    let class = |c: char| {
        if is_cjk(c) {
            Class::Single
        } else if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Single
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<Class> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let mut k = class(c);
        // `don't`, `e-mail`: one word.
        if (c == '\'' || c == '-' || c == '’') && current == Some(Class::Word) {
            if let Some(&(_, next)) = chars.peek() {
                if class(next) == Class::Word {
                    k = Class::Word;
                }
            }
        }
        let joins = current == Some(k) && k != Class::Single;
        if !joins {
            if i > start {
                out.push(&text[start..i]);
            }
            start = i;
        }
        current = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p.op {
                Op::Equal => p.text.clone(),
                Op::Delete => format!("[-{}-]", p.text),
                Op::Insert => format!("{{+{}+}}", p.text),
            })
            .collect()
    }

    #[test]
    fn words_are_replaced_whole() {
        assert_eq!(
            show(&diff(
                "Ask the customer for the order number.",
                "Ask the guest for their order number."
            )),
            "Ask the [-customer-]{+guest+} for [-the-]{+their+} order number."
        );
    }

    #[test]
    fn adjacent_changed_words_read_as_one_phrase() {
        assert_eq!(
            show(&diff(
                "Call the duty manager now.",
                "Email a senior engineer now."
            )),
            "[-Call the duty manager-]{+Email a senior engineer+} now."
        );
    }

    #[test]
    fn chinese_is_compared_per_character() {
        assert_eq!(
            show(&diff("确认客户需求", "确认顾客需求")),
            "确认[-客户-]{+顾客+}需求"
        );
    }

    #[test]
    fn hungarian_words_with_accents_are_words() {
        assert_eq!(
            show(&diff(
                "Kérd el az ügyfél számát.",
                "Kérd el a vendég számát."
            )),
            "Kérd el [-az ügyfél-]{+a vendég+} számát."
        );
    }

    #[test]
    fn contractions_and_hyphens_stay_in_their_word() {
        assert_eq!(tokens("don't e-mail"), vec!["don't", " ", "e-mail"]);
    }

    #[test]
    fn a_long_rewrite_is_shown_replaced_whole() {
        let a = "a ".repeat(3000);
        let b = "b ".repeat(3000);
        let pieces = diff(&a, &b);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].op, Op::Delete);
        assert_eq!(pieces[1].op, Op::Insert);
    }

    #[test]
    fn rewrapped_lines_are_no_change() {
        let pieces = diff("one two\nthree four", "one\ntwo three four");
        assert!(pieces.iter().all(|p| p.op == Op::Equal), "{pieces:?}");
    }

    #[test]
    fn a_new_paragraph_break_is_a_change() {
        let pieces = diff("one two", "one\n\ntwo");
        assert!(pieces.iter().any(|p| p.op != Op::Equal), "{pieces:?}");
    }

    #[test]
    fn equal_texts_are_one_piece() {
        assert_eq!(
            diff("same", "same"),
            vec![Piece {
                op: Op::Equal,
                text: "same".into()
            }]
        );
    }
}
