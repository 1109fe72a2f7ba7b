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
    for (count, c) in text.chars().enumerate() {
        if count == MAX_SHOWN {
            let rest = text.chars().count() - count;
            let _ = write!(out, "… ({rest} more characters)");
            return out;
        }
        push_escaped(&mut out, c);
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

/// Longest message line, in characters; past it the line is cut.
pub const MAX_LINE: usize = 1_000;

/// A whole message as printed: control characters escaped, every `backticked` value longer
/// than [`MAX_SHOWN`] shortened, and the line cut past [`MAX_LINE`] characters.
pub fn tidy(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_LINE + 64));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 && part.chars().count() > MAX_SHOWN {
            out.push_str(&shown(part));
        } else {
            out.push_str(&escape_controls(part));
        }
    }
    if out.chars().count() > MAX_LINE {
        let total = out.chars().count();
        let mut cut: String = out.chars().take(MAX_LINE).collect();
        let _ = write!(cut, "… ({} more characters)", total - MAX_LINE);
        return cut;
    }
    out
}

/// Whether `c` must not reach a terminal (or a generated file) raw.
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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

    #[test]
    fn messages_are_tidied() {
        let long = format!("host `{}` is bad\u{1b}", "h".repeat(500));
        let t = tidy(&long);
        assert!(t.contains("(420 more characters)`"), "{t}");
        assert!(t.ends_with("is bad\\u{1b}"), "{t}");
        assert!(tidy(&"z".repeat(5_000)).ends_with("(4000 more characters)"));
        assert_eq!(tidy("plain `x` text"), "plain `x` text");
    }
}
