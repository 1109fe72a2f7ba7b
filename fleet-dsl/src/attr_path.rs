//! Dotted option paths such as `services.xserver.enable` or `boot.kernel.sysctl."vm.laptop_mode"`.

use std::fmt;

/// A parsed option path: its segments, unquoted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(pub Vec<String>);

/// Why a dotted path could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrPathError {
    /// The path as written.
    pub path: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for AttrPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "option path `{}` {}", self.path, self.reason)
    }
}

impl AttrPath {
    /// Parses `a.b."c.d"`: segments separated by dots, a segment may be double-quoted to hold
    /// dots or other characters (`\"` and `\\` escape inside quotes).
    pub fn parse(path: &str) -> Result<Self, AttrPathError> {
        let err = |reason| AttrPathError { path: path.to_owned(), reason };
        let mut segments = Vec::new();
        let mut chars = path.chars().peekable();
        loop {
            let mut seg = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(err("has an unterminated quote")),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => seg.push(c),
                            None => return Err(err("ends inside an escape")),
                        },
                        Some(c) => seg.push(c),
                    }
                }
                if !matches!(chars.peek(), None | Some('.')) {
                    return Err(err("has text after a closing quote; put a dot between segments"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    if c == '"' {
                        return Err(err("has a quote inside a segment; quote the whole segment"));
                    }
                    seg.push(c);
                    chars.next();
                }
                if seg.is_empty() {
                    return Err(err("has an empty segment (two dots, or a leading/trailing dot)"));
                }
            }
            segments.push(seg);
            match chars.next() {
                None => return Ok(AttrPath(segments)),
                Some(_) => {
                    if chars.peek().is_none() {
                        return Err(err("has an empty segment (two dots, or a leading/trailing dot)"));
                    }
                }
            }
        }
    }

    /// Whether `self` is `other` or one is a prefix of the other, so both cannot be set in one file.
    pub fn overlaps(&self, other: &AttrPath) -> bool {
        let n = self.0.len().min(other.0.len());
        self.0[..n] == other.0[..n]
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_quoted_segments() {
        assert_eq!(AttrPath::parse("a.b.c").unwrap().0, ["a", "b", "c"]);
        assert_eq!(
            AttrPath::parse(r#"boot.kernel.sysctl."vm.laptop_mode""#).unwrap().0,
            ["boot", "kernel", "sysctl", "vm.laptop_mode"]
        );
        assert_eq!(AttrPath::parse(r#""a\"b".c"#).unwrap().0, ["a\"b", "c"]);
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in ["", "a..b", ".a", "a.", r#"a."b"#, r#"a"b".c"#, r#""a"b"#] {
            assert!(AttrPath::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn overlap_is_prefix_either_way() {
        let p = |s| AttrPath::parse(s).unwrap();
        assert!(p("a.b").overlaps(&p("a.b.c")));
        assert!(p("a.b.c").overlaps(&p("a.b")));
        assert!(!p("a.b").overlaps(&p("a.c")));
    }
}
