//! Closest-name suggestions for names that do not resolve (profiles, enum values).

/// The known name closest to `wanted`, when it is close enough to be a likely typo.
pub fn closest<'n>(wanted: &str, names: &[&'n str]) -> Option<&'n str> {
    // A typo is short; comparing a huge value would cost time for no suggestion.
    if wanted.len() > 256 {
        return None;
    }
    let wanted = wanted.to_lowercase();
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(&wanted, &n.to_lowercase()), *n))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, n)| n)
}
