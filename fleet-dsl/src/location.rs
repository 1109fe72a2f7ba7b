//! Where in the user's code (or inventory file) something of the fleet was written, so the
//! generator's diagnostics can point at the line.

use std::borrow::Cow;
use std::fmt;

/// A `file:line:column` in the fleet's sources: the call of a builder method (recorded with
/// `#[track_caller]`), or a value of an inventory file.
///
/// Locations never take part in comparisons: two hosts, profiles or users written identically
/// in two places are the same value, as two equal tokens are in `syn`.
#[derive(Clone)]
pub struct Location {
    /// The file, as the compiler saw it (relative to the workspace root for a workspace member)
    /// or as the inventory was given.
    pub file: Cow<'static, str>,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl Location {
    /// The location of the user's call that reached this function through `#[track_caller]`
    /// builder methods.
    #[track_caller]
    pub fn caller() -> Self {
        let at = std::panic::Location::caller();
        Location { file: normal(at.file()), line: at.line(), column: at.column() }
    }

    /// A location in a file read at run time (an inventory).
    pub fn in_file(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location { file: Cow::Owned(file.into()), line, column }
    }
}

/// `file` with `.` and `dir/..` segments removed (a module included with `#[path = "../x.rs"]`
/// is named through them), so diagnostics name each file one way.
fn normal(file: &'static str) -> Cow<'static, str> {
    if !file.split(['/', '\\']).any(|s| s == "." || s == "..") {
        return Cow::Borrowed(file);
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in file.split('/') {
        match segment {
            "." => {}
            ".." if kept.last().is_some_and(|s| *s != ".." && !s.is_empty()) => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    Cow::Owned(kept.join("/"))
}

impl PartialEq for Location {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Location {}

impl std::hash::Hash for Location {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn recorded() -> Location {
        Location::caller()
    }

    #[test]
    fn records_the_callers_line_and_ignores_it_in_comparisons() {
        let (a, line) = (recorded(), line!());
        assert_eq!((a.file.as_ref(), a.line), (file!(), line));
        assert_eq!(a, Location::in_file("fleet.toml", 9, 1));
        assert_eq!(a.to_string(), format!("{}:{line}:{}", file!(), a.column));
    }

    #[test]
    fn paths_through_dot_dot_are_normalised() {
        assert_eq!(normal("example-fleet/tests/../src/main.rs"), "example-fleet/src/main.rs");
        assert_eq!(normal("a/./b.rs"), "a/b.rs");
        assert_eq!(normal("../x/main.rs"), "../x/main.rs");
        assert_eq!(normal("src/main.rs"), "src/main.rs");
    }
}
