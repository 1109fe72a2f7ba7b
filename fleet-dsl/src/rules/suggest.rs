//! "Did you mean …?": the one policy for names that do not resolve, at compile time and after.

/// The known name closest to `wanted` (Jaro-Winkler similarity, case-insensitive, at least 0.8),
/// when it is close enough to be a likely typo.
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

/// `"; did you mean `x`?"` for the known name closest to `wanted`, or nothing: the tail of a
/// message about a name that does not resolve.
pub fn did_you_mean(wanted: &str, known: &[String]) -> String {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    closest(wanted, &known).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean};

    #[test]
    fn message_tails() {
        let known = vec!["server".to_owned(), "desktop".to_owned()];
        assert_eq!(did_you_mean("servr", &known), "; did you mean `server`?");
        assert_eq!(did_you_mean("zzz", &known), "");
    }

    #[test]
    fn suggestions() {
        let names = ["default", "rename", "port", "scope", "desktop", "server"];
        let cases: [(&str, Option<&str>); 6] = [
            ("defualt", Some("default")),
            ("scop", Some("scope")),
            ("Desktop", Some("desktop")),
            ("sever", Some("server")),
            ("zzz", None),
            ("", None),
        ];
        for (wanted, expected) in cases {
            assert_eq!(closest(wanted, &names), expected, "{wanted:?}");
        }
        assert_eq!(closest(&"x".repeat(300), &names), None);
    }
}
