//! Did-you-mean suggestions, with bounded work per look-up.
//!
//! The spelling distance is quadratic in the length of the words, so with
//! many candidates it is computed for a bounded shortlist only: the
//! [`NEIGHBOURS`] candidates on either side of the place the word would take
//! in sorted order, and the same in the order of the reversed words. A
//! single typo leaves the word's start or its end as it was, and the longer
//! of the two keeps the near miss close by in one of the orders. Candidates
//! equal to the word but for case are always in the shortlist. With fewer
//! candidates than that, every one is compared and the nearest wins, as a
//! full search would have it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How many candidates on each side of a word's sorted place are compared.
pub const NEIGHBOURS: usize = 32;

/// The candidate closest to `word`, if it is close enough to be a typo: at
/// most a quarter of the word's characters changed (one at least), or a
/// difference only of case. Compares every candidate: for a few (keywords,
/// codes); use a [`Suggester`] for many.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let target = Word::new(word);
    nearest(&target, candidates)
}

/// Did-you-mean over many candidates: built once, in O(n log n); each
/// look-up then compares the word with at most `4 × NEIGHBOURS` of them.
#[derive(Debug, Default)]
pub struct Suggester<'c> {
    /// Lower-cased candidates with their index in `names`, sorted.
    forward: Vec<(String, usize)>,
    /// The same, each lower-cased candidate reversed.
    backward: Vec<(String, usize)>,
    names: Vec<&'c str>,
}

impl<'c> Suggester<'c> {
    pub fn new(candidates: impl IntoIterator<Item = &'c str>) -> Self {
        let mut names: Vec<&'c str> = candidates.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        let mut forward: Vec<(String, usize)> = names
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_lowercase(), i))
            .collect();
        let mut backward: Vec<(String, usize)> = forward
            .iter()
            .map(|(lower, i)| (lower.chars().rev().collect(), *i))
            .collect();
        forward.sort_unstable();
        backward.sort_unstable();
        Suggester {
            forward,
            backward,
            names,
        }
    }

    /// How many distinct candidates there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The nearest candidate to `word` in its shortlist, if it is close
    /// enough to be a typo (see [`did_you_mean`]).
    pub fn suggest(&self, word: &str) -> Option<&'c str> {
        let target = Word::new(word);
        nearest(&target, self.shortlist(&target.lower))
    }

    /// The candidates worth comparing with a lower-cased word.
    fn shortlist(&self, lower: &str) -> Vec<&'c str> {
        let reversed: String = lower.chars().rev().collect();
        let mut shortlist: Vec<usize> = Vec::with_capacity(4 * NEIGHBOURS);
        for (order, key) in [(&self.forward, lower), (&self.backward, &reversed)] {
            let at = order.partition_point(|(k, _)| k.as_str() < key);
            let from = at.saturating_sub(NEIGHBOURS);
            let to = (at + NEIGHBOURS).min(order.len());
            shortlist.extend(order[from..to].iter().map(|(_, i)| *i));
        }
        shortlist.sort_unstable();
        shortlist.dedup();
        shortlist.into_iter().map(|i| self.names[i]).collect()
    }
}

/// Did-you-mean over candidates that arrive sorted by bytes, such as the
/// ids of a project, without collecting or sorting them: one pass that
/// keeps the shortlist only (the sorted neighbours, the candidates that
/// share the longest endings with the word, and those equal to it but for
/// case). Each candidate costs a comparison or two; the spelling distance
/// is computed for at most `3 × NEIGHBOURS` candidates and the case-only matches.
pub fn suggest_sorted<'c>(
    word: &str,
    sorted: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let target = Word::new(word);
    nearest(&target, shortlist_sorted(word, sorted))
}

/// The candidates worth comparing with `word`, read from a sorted sequence.
fn shortlist_sorted<'c>(word: &str, sorted: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let mut before: VecDeque<&'c str> = VecDeque::with_capacity(NEIGHBOURS);
    let mut shortlist: Vec<&'c str> = Vec::with_capacity(4 * NEIGHBOURS);
    let mut after = 0;
    // The candidates with the longest common endings, the shortest on top
    // (ties: the later in sorted order on top, so the earlier stay).
    let mut endings: BinaryHeap<Reverse<(usize, Reverse<usize>, &'c str)>> =
        BinaryHeap::with_capacity(NEIGHBOURS + 1);
    for (index, candidate) in sorted.into_iter().enumerate() {
        if candidate < word {
            if before.len() == NEIGHBOURS {
                before.pop_front();
            }
            before.push_back(candidate);
        } else if after < NEIGHBOURS {
            shortlist.push(candidate);
            after += 1;
        }
        if candidate.len() == word.len() && candidate.eq_ignore_ascii_case(word) {
            shortlist.push(candidate);
        }
        let common = common_ending(candidate, word);
        if common > 0 {
            let entry = Reverse((common, Reverse(index), candidate));
            if endings.len() < NEIGHBOURS {
                endings.push(entry);
            } else if endings.peek().is_some_and(|top| entry < *top) {
                endings.pop();
                endings.push(entry);
            }
        }
    }
    shortlist.extend(before);
    shortlist.extend(endings.into_iter().map(|Reverse((_, _, c))| c));
    shortlist.sort_unstable();
    shortlist.dedup();
    shortlist
}

/// How many bytes `a` and `b` share at their ends.
fn common_ending(a: &str, b: &str) -> usize {
    a.bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Names for a help text, quoted, at most `shown` of them: "`a`, `b`, `c`
/// and 9,997 more".
pub fn listing(names: &[&str], shown: usize) -> String {
    let quoted: Vec<String> = names.iter().take(shown).map(|n| format!("`{n}`")).collect();
    let rest = names.len() - quoted.len();
    if rest == 0 {
        quoted.join(", ")
    } else {
        format!("{} and {} more", quoted.join(", "), thousands(rest))
    }
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A word to find a near miss for.
struct Word<'w> {
    word: &'w str,
    lower: String,
    chars: usize,
    /// The largest distance that still counts as a typo.
    limit: usize,
}

impl<'w> Word<'w> {
    fn new(word: &'w str) -> Self {
        let chars = word.chars().count();
        Word {
            word,
            lower: word.to_lowercase(),
            chars,
            limit: (chars / 4).max(1),
        }
    }

    /// The distance to `candidate`, `None` when it is too far. Candidates
    /// whose length alone puts them too far are not compared.
    fn distance(&self, candidate: &str) -> Option<usize> {
        if candidate == self.word {
            return None;
        }
        // A character is at most four bytes: a cheap bound before counting.
        let (short, long) = if candidate.len() < self.word.len() {
            (candidate.len(), self.word.len())
        } else {
            (self.word.len(), candidate.len())
        };
        if long > 4 * short + 4 * self.limit {
            return None;
        }
        if candidate.chars().count().abs_diff(self.chars) > self.limit {
            return None;
        }
        let lower = candidate.to_lowercase();
        if bag_distance(&self.lower, &lower) > self.limit {
            return None;
        }
        let d = strsim::damerau_levenshtein(&self.lower, &lower);
        (d <= self.limit).then_some(d)
    }
}

/// A lower bound of the edit distance, in linear time: how many more
/// times some characters occur in one word than in the other (each edit
/// changes that by one at most; a transposition not at all). 0 (no bound)
/// unless both words are ASCII.
fn bag_distance(a: &str, b: &str) -> usize {
    if !a.is_ascii() || !b.is_ascii() {
        return 0;
    }
    let mut counts = [0i32; 128];
    for c in a.bytes() {
        counts[usize::from(c)] += 1;
    }
    for c in b.bytes() {
        counts[usize::from(c)] -= 1;
    }
    let (mut more, mut fewer) = (0usize, 0usize);
    for n in counts {
        if n > 0 {
            more += n as usize;
        } else {
            fewer += n.unsigned_abs() as usize;
        }
    }
    more.max(fewer)
}

fn nearest<'c>(
    target: &Word<'_>,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .filter_map(|c| target.distance(c).map(|d| (d, c)))
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["review", "version", "owner"];
        assert_eq!(did_you_mean("reveiw", keys), Some("review"));
        assert_eq!(did_you_mean("onwer", keys), Some("owner"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("lisen", ["listen", "close"]), Some("listen"));
        assert_eq!(did_you_mean("Listen", ["listen"]), Some("listen"));
    }

    #[test]
    fn suggester_agrees_with_a_full_search_on_small_sets() {
        let ids = ["listen", "close", "verify", "escalate", "Solve"];
        let suggester = Suggester::new(ids);
        for word in [
            "lisen", "Listen", "clsoe", "verfy", "solve", "nothing", "escalte",
        ] {
            assert_eq!(suggester.suggest(word), did_you_mean(word, ids), "{word}");
            let mut sorted = ids;
            sorted.sort_unstable();
            assert_eq!(
                suggest_sorted(word, sorted),
                did_you_mean(word, ids),
                "{word}"
            );
        }
    }

    #[test]
    fn many_candidates_are_searched_near_the_word_only() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("step-{i:06}")).collect();
        let suggester = Suggester::new(ids.iter().map(String::as_str));
        assert_eq!(suggester.len(), 100_000);
        // Typos at the end, at the start, and of case.
        assert_eq!(suggester.suggest("step-00421x"), Some("step-004210"));
        assert_eq!(suggester.suggest("stepp-004217"), Some("step-004217"));
        assert_eq!(suggester.suggest("xtep-004217"), Some("step-004217"));
        assert_eq!(suggester.suggest("STEP-004217"), Some("step-004217"));
        assert_eq!(suggester.suggest("zzzz"), None);
        let sorted = || ids.iter().map(String::as_str);
        assert_eq!(suggest_sorted("step-00421x", sorted()), Some("step-004210"));
        assert_eq!(
            suggest_sorted("stepp-004217", sorted()),
            Some("step-004217")
        );
        assert_eq!(suggest_sorted("STEP-004217", sorted()), Some("step-004217"));
    }

    #[test]
    fn the_spelling_distance_is_computed_for_a_shortlist_only() {
        // Every candidate is as near to the word as can be: a full search
        // would compute the distance to each of them.
        let ids: Vec<String> = (0..10_000).map(|i| format!("a{i:04}0")).collect();
        let suggester = Suggester::new(ids.iter().map(String::as_str));
        for word in ["a50000", "a0000", "zzzzzz", "A12340"] {
            let lower = word.to_lowercase();
            assert!(
                suggester.shortlist(&lower).len() <= 4 * NEIGHBOURS,
                "{word}"
            );
            let sorted = ids.iter().map(String::as_str);
            assert!(
                shortlist_sorted(word, sorted).len() <= 4 * NEIGHBOURS + 1,
                "{word}"
            );
        }
        assert_eq!(suggester.suggest("a1234"), Some("a12340"));
    }

    #[test]
    fn the_bag_distance_bounds_the_edit_distance() {
        let words = [
            "listen",
            "silent",
            "lisen",
            "step-12",
            "missing-12",
            "ab",
            "ba",
            "",
        ];
        for a in words {
            for b in words {
                let bound = bag_distance(a, b);
                assert!(bound <= strsim::damerau_levenshtein(a, b), "{a} {b}");
            }
        }
        assert_eq!(bag_distance("missing-12", "step-99"), 8);
        assert_eq!(bag_distance("ab", "ba"), 0);
    }

    #[test]
    fn listings_are_short() {
        assert_eq!(listing(&[], 5), "");
        assert_eq!(listing(&["a"], 5), "`a`");
        assert_eq!(listing(&["a", "b", "c"], 5), "`a`, `b`, `c`");
        let many: Vec<String> = (0..10_000).map(|i| format!("s{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            listing(&many, 5),
            "`s0`, `s1`, `s2`, `s3`, `s4` and 9,995 more"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn case_only_differences_are_found_in_a_sorted_scan() {
        let ids: Vec<String> = (0..1000).map(|i| format!("CS-{i:03}")).collect();
        let sorted = ids.iter().map(String::as_str);
        assert_eq!(suggest_sorted("cs-500", sorted), Some("CS-500"));
    }
}
