//! Diagnostics: every problem and warning of a fleet as one type, with a stable code, the place
//! in the user's code or inventory it comes from, and a rustc-like rendering of that place.

use annotate_snippets::{AnnotationKind, Element, Group, Level, Renderer, Snippet};
use fleet_dsl::Location;
use std::collections::HashMap;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The fleet is invalid; nothing is written.
    Error,
    /// Legal, but probably not what the fleet means; `generate` goes on.
    Warning,
}

/// One problem or warning, where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, `F…` for problems and `W…` for warnings (the README lists them).
    pub code: &'static str,
    /// The call in the fleet's Rust code, or the value of an inventory file, it is about.
    pub at: Option<Location>,
    /// What is wrong, naming the host, profile, user or option.
    pub message: String,
    /// How to fix it, when that is a sentence of its own.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic whose message and help are shown tidied: control characters escaped, long
    /// quoted values shortened.
    pub fn new(
        severity: Severity,
        code: &'static str,
        at: Option<&Location>,
        message: &str,
        help: Option<String>,
    ) -> Self {
        let message = crate::shown::tidy(message);
        Diagnostic { severity, code, at: at.cloned(), message, help: help.map(|h| crate::shown::tidy(&h)) }
    }

    /// The diagnostic as rustc prints one: a header with the code, `--> file:line:column`, the
    /// source line with a caret under the call, and the help. Without its source file (run from
    /// another directory), the location alone.
    pub fn render(&self, sources: &mut Sources) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str()).id(self.code);
        let mut elements: Vec<Element<'_>> = Vec::new();
        let mut shown_at = None;
        if let Some(at) = &self.at {
            match sources.line(at) {
                Some((text, range)) => elements.push(
                    Snippet::source(text)
                        .line_start(at.line as usize)
                        .path(at.file.as_ref())
                        .annotation(AnnotationKind::Primary.span(range))
                        .into(),
                ),
                None => shown_at = Some(at),
            }
        }
        if let Some(help) = self.help.as_deref() {
            elements.push(Level::HELP.message(help).into());
        }
        let group = Group::with_title(title).elements(elements);
        let mut out = Renderer::plain().render(&[group]);
        if let Some(at) = shown_at {
            // The file is not readable from here: say where, as rustc's header would.
            let header_end = out.find('\n').unwrap_or(out.len());
            out.insert_str(header_end, &format!("\n  --> {at}"));
        }
        out.push_str("\n\n");
        out
    }
}

impl fmt::Display for Diagnostic {
    /// One line: the message and its help, for logs and tests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, ": {help}")?;
        }
        Ok(())
    }
}

/// The fleet's source files, read once each, for the lines diagnostics show.
#[derive(Default)]
pub struct Sources {
    files: HashMap<String, Option<String>>,
}

impl Sources {
    /// The text of the line `at` is on and the range to underline in it: the call's name (from
    /// the column to the end of the path or identifier), or the value of an inventory.
    fn line(&mut self, at: &Location) -> Option<(&str, std::ops::Range<usize>)> {
        let text = self.files.entry(at.file.to_string()).or_insert_with(|| read_source(&at.file)).as_deref()?;
        let line = text.lines().nth((at.line as usize).checked_sub(1)?)?;
        let start = line.char_indices().nth((at.column as usize).checked_sub(1)?).map(|(i, _)| i)?;
        let rest = &line[start..];
        let len = token_len(rest).max(rest.chars().next().map_or(0, char::len_utf8));
        // A long line (a generated inventory, a huge value) is shown around the span only.
        let from = floor_char(line, start.saturating_sub(SHOWN_AROUND));
        let span_end = floor_char(line, start + len.min(SHOWN_SPAN)).max(start + 1).min(line.len());
        let to = floor_char(line, span_end + SHOWN_AROUND);
        Some((&line[from..to], start - from..span_end - from))
    }
}

/// Bytes of a long source line shown on each side of a span, and at most of the span itself.
const SHOWN_AROUND: usize = 80;
const SHOWN_SPAN: usize = 120;

/// The largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, i: usize) -> usize {
    (0..=i.min(s.len())).rev().find(|&b| s.is_char_boundary(b)).unwrap_or(0)
}

/// A source file by the path the compiler recorded: relative to the workspace root, which is the
/// working directory of `cargo run` or one of its ancestors (a package's directory under
/// `cargo test`).
fn read_source(file: &str) -> Option<String> {
    let path = std::path::Path::new(file);
    if path.is_absolute() {
        return std::fs::read_to_string(path).ok();
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().find_map(|dir| std::fs::read_to_string(dir.join(path)).ok())
}

/// The length of the path, identifier or quoted string `text` starts with (`Host::nixos`,
/// `set`, `"pi"`).
fn token_len(text: &str) -> usize {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => return i + 2,
                _ => escaped = false,
            }
        }
        return text.len();
    }
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' || c == '!' {
            end = i + c.len_utf8();
        } else if c == ':' && chars.peek().is_some_and(|(_, n)| *n == ':') {
            chars.next();
        } else {
            break;
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_shown_around_its_span() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("hosts.json");
        let value = "é".repeat(100_000);
        std::fs::write(&file, format!("{{\"hosts\": [{{\"system\": \"{value}\"}}]}}\n")).expect("write");
        let at = Location::in_file(file.display().to_string(), 1, 24);
        let d = Diagnostic {
            severity: Severity::Error,
            code: "F012",
            at: Some(at),
            message: "bad system".into(),
            help: None,
        };
        let shown = d.render(&mut Sources::default());
        assert!(shown.len() < 1_000, "{} bytes", shown.len());
        assert!(shown.contains("1 | {\"hosts\": [{\"system\": \"éé"), "{shown}");
    }

    #[test]
    fn token_lengths() {
        assert_eq!(token_len("Host::nixos(\"pi\", x)"), "Host::nixos".len());
        assert_eq!(token_len("set(\"a\", 1)"), 3);
        assert_eq!(token_len("\"pi\" # x"), 4);
        assert_eq!(token_len("\"a\\\"b\" x"), 6);
        assert_eq!(token_len("age_key!(\"x\")"), "age_key!".len());
    }

    #[test]
    fn renders_the_line_with_a_caret_and_the_help() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "fn fleet() {\n    Host::nixos(\"pi\", System::Aarch64Linux)\n}\n").expect("write");
        let at = Location::in_file(file.display().to_string(), 2, 5);
        let diagnostic = |at: &Location| Diagnostic {
            severity: Severity::Error,
            code: "F007",
            at: Some(at.clone()),
            message: "host `pi` sets no host spec, but `Spec` has fields without a default (role)".into(),
            help: Some("add `.spec(Spec { .. })` to the host".into()),
        };
        let shown = diagnostic(&at).render(&mut Sources::default());
        assert!(shown.starts_with("error[F007]: host `pi` sets no host spec"), "{shown}");
        assert!(shown.contains(&format!("--> {}:2:5", file.display())), "{shown}");
        assert!(shown.contains("2 |     Host::nixos(\"pi\", System::Aarch64Linux)"), "{shown}");
        assert!(shown.contains("  |     ^^^^^^^^^^^\n"), "{shown}");
        assert!(shown.contains("= help: add `.spec(Spec { .. })` to the host"), "{shown}");

        let elsewhere = Location::in_file("no/such/file.rs", 3, 1);
        let shown = diagnostic(&elsewhere).render(&mut Sources::default());
        assert!(shown.contains("  --> no/such/file.rs:3:1\n"), "{shown}");
    }
}
