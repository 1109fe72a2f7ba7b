//! User text as an error message shows it: control characters escaped (a terminal never sees a
//! raw escape sequence from a fleet), long values shortened.

use std::fmt::Write as _;
use std::path::Path;

/// Longest value quoted in full, in characters.
pub const MAX_SHOWN: usize = 80;

/// `text` with control characters escaped (`\n`, `\u{1b}`) and, past [`MAX_SHOWN`] characters,
/// cut with a note of how much was left out.
pub fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        if count == MAX_SHOWN {
            let rest = text.chars().count() - count;
            let _ = write!(out, "… ({rest} more characters)");
            return out;
        }
        push_escaped(&mut out, c);
        count += 1;
    }
    out
}

/// A path as [`shown`] shows text.
pub fn shown_path(path: &Path) -> String {
    escape_controls(&path.to_string_lossy())
}

/// Escapes every control character of a whole message, keeping its length.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Whether `c` must not reach a terminal (or a generated file) raw.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    if is_control(c) {
        let escaped = c.escape_debug().to_string();
        if escaped.starts_with('\\') {
            out.push_str(&escaped);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_long_values_cut() {
        assert_eq!(shown("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(shown("x\0"), "x\\0");
        let long = "y".repeat(10_000);
        let s = shown(&long);
        assert!(s.len() < 120 && s.ends_with("(9920 more characters)"), "{s}");
        assert_eq!(shown("\u{202e}evil"), "\\u{202e}evil");
    }
}
