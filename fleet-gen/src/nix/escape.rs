//! Escaping of user strings into Nix source: the only way user text reaches a `.nix` file.

/// Nix keywords, which cannot be bare attribute names.
const KEYWORDS: [&str; 10] = ["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"];

/// A Nix double-quoted string literal with `"`, `\`, `${` and control characters escaped.
pub fn string(s: &str) -> String {
    format!("\"{}\"", string_content(s, false))
}

/// The inside of a double-quoted string literal. `before_interpolation`: an interpolation
/// follows, so a final `$` is escaped too (`$${` would not interpolate).
pub fn string_content(s: &str, before_interpolation: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            '$' if chars.peek().is_none() && before_interpolation => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out
}

/// One line of an indented (`''`) string: `''` and `${` escaped, everything else literal.
///
/// A run of quotes that is longer than one, or that an escape follows, is written quote by
/// quote as `''\'` so no quote can join the next `''` into another token.
pub fn indented_content(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\'' => {
                let run = chars[i..].iter().take_while(|&&c| c == '\'').count();
                let next = i + run;
                let escape_follows = chars.get(next) == Some(&'$') && chars.get(next + 1) == Some(&'{');
                if run > 1 || escape_follows {
                    out.push_str(&"''\\'".repeat(run));
                } else {
                    out.push('\'');
                }
                i = next;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                out.push_str("''$");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Whether `name` can be written as a bare attribute name.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-')) && !KEYWORDS.contains(&name)
}

/// An attribute name: bare when it is an identifier, a quoted string otherwise.
pub fn attr_name(name: &str) -> String {
    if is_identifier(name) {
        name.to_owned()
    } else {
        string(name)
    }
}

/// A dotted attribute path with each segment escaped as needed.
pub fn attr_path<S: AsRef<str>>(segments: &[S]) -> String {
    segments.iter().map(|s| attr_name(s.as_ref())).collect::<Vec<_>>().join(".")
}

/// One comment line per line of `text`, each starting with `# `; `#` alone for blank lines.
/// A lone `\r` ends a line too: Nix ends a comment at either, so it must not end one silently.
pub fn comment(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .lines()
        .map(|l| {
            let l = l.trim_end();
            if l.is_empty() {
                "#\n".to_owned()
            } else {
                format!("# {l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_nix_interprets() {
        assert_eq!(string(r#"a"b"#), r#""a\"b""#);
        assert_eq!(string(r"a\b"), r#""a\\b""#);
        assert_eq!(string("${x}"), r#""\${x}""#);
        assert_eq!(string("$x $"), r#""$x $""#);
        assert_eq!(string("''"), r#""''""#);
        assert_eq!(string("a\nb\tc\r"), r#""a\nb\tc\r""#);
        assert_eq!(string("ünï ✓"), "\"ünï ✓\"");
    }

    #[test]
    fn quotes_attribute_names_that_are_not_identifiers() {
        assert_eq!(attr_name("enable"), "enable");
        assert_eq!(attr_name("ssh-to-age"), "ssh-to-age");
        assert_eq!(attr_name("vm.laptop_mode"), r#""vm.laptop_mode""#);
        assert_eq!(attr_name("in"), r#""in""#);
        assert_eq!(attr_name("1password"), r#""1password""#);
        assert_eq!(attr_name(""), r#""""#);
        assert_eq!(
            attr_path(&["boot", "kernel", "sysctl", "vm.laptop_mode"]),
            r#"boot.kernel.sysctl."vm.laptop_mode""#
        );
    }

    #[test]
    fn comments_cannot_escape_their_line() {
        assert_eq!(comment("a\nb\n\nc"), "# a\n# b\n#\n# c\n");
        assert_eq!(comment("a\rb\r\nc"), "# a\n# b\n# c\n");
    }
}
