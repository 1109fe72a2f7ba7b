//! Rust literals in the emitted fleet crate.

/// A Rust string literal of `s` (a raw string when it holds quotes or backslashes).
pub fn rust_str(s: &str) -> String {
    let plain = s.chars().all(|c| !c.is_control() || c == '\n');
    if plain && (s.contains('"') || s.contains('\\')) && !s.contains("\"#") && !s.contains('\n') {
        return format!("r#\"{s}\"#");
    }
    format!("{s:?}")
}
