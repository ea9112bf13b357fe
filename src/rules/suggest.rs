//! Did-you-mean suggestions.

/// The candidate closest to `word`, if it is close enough to be a typo:
/// at most a quarter of the word's characters changed (one at least), or a
/// difference only of case.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 4).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_near_misses_only() {
        let keys = ["review", "version", "owner"];
        assert_eq!(did_you_mean("reveiw", keys), Some("review"));
        assert_eq!(did_you_mean("onwer", keys), Some("owner"));
        assert_eq!(did_you_mean("colour", keys), None);
        assert_eq!(did_you_mean("lisen", ["listen", "close"]), Some("listen"));
        assert_eq!(did_you_mean("Listen", ["listen"]), Some("listen"));
    }
}
