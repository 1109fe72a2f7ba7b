//! Where each value of an inventory file is written: its line and column, by JSON pointer, so a
//! problem found in the parsed data (a schema violation, a bad host) points at the text.

use std::collections::HashMap;

/// Line and column (from 1) of each value of a parsed inventory, by JSON pointer (`/hosts/0/name`).
#[derive(Debug, Default, Clone)]
pub struct Spans {
    at: HashMap<String, (u32, u32)>,
}

impl Spans {
    /// Records where the value at `pointer` starts.
    pub(super) fn record(&mut self, pointer: String, line: u32, column: u32) {
        self.at.entry(pointer).or_insert((line, column));
    }

    /// Where the value at `pointer` is written; for a value the file lacks (a missing field), where
    /// its nearest enclosing value is.
    pub fn locate(&self, pointer: &str) -> Option<(u32, u32)> {
        let mut p = pointer;
        loop {
            if let Some(at) = self.at.get(p) {
                return Some(*at);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }

    /// The spans of a TOML document, from the `toml` crate's spanned parse.
    pub fn of_toml(text: &str) -> Spans {
        let mut spans = Spans::default();
        let Ok(root) = toml::de::DeTable::parse(text) else { return spans };
        let lines = LineStarts::new(text);
        let (line, column) = lines.at(root.span().start);
        spans.record(String::new(), line, column);
        toml_table(root.get_ref(), "", &lines, &mut spans);
        spans
    }

    /// The spans of a JSON document (already parsed, so well-formed).
    pub fn of_json(text: &str) -> Spans {
        let mut spans = Spans::default();
        let mut walker = JsonWalker { text: text.as_bytes(), pos: 0, lines: LineStarts::new(text), spans: &mut spans };
        walker.value(String::new(), 0);
        spans
    }
}

fn toml_table(table: &toml::de::DeTable<'_>, pointer: &str, lines: &LineStarts, spans: &mut Spans) {
    for (key, value) in table.iter() {
        let child = format!("{pointer}/{}", escape_pointer(key.get_ref()));
        // A table's span may be its whole body: point at its key; at a value itself otherwise.
        let start = match value.get_ref() {
            toml::de::DeValue::Table(_) => key.span().start,
            _ => value.span().start,
        };
        let (line, column) = lines.at(start);
        spans.record(child.clone(), line, column);
        toml_value(value.get_ref(), &child, lines, spans);
    }
}

fn toml_value(value: &toml::de::DeValue<'_>, pointer: &str, lines: &LineStarts, spans: &mut Spans) {
    match value {
        toml::de::DeValue::Table(t) => toml_table(t, pointer, lines, spans),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let child = format!("{pointer}/{i}");
                let (line, column) = lines.at(item.span().start);
                spans.record(child.clone(), line, column);
                toml_value(item.get_ref(), &child, lines, spans);
            }
        }
        _ => {}
    }
}

/// A JSON pointer segment: `~` and `/` escaped (RFC 6901).
pub(super) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Byte offsets of line starts, to turn an offset into a line and a column (in characters).
pub(super) struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineStarts { text, starts }
    }

    pub(super) fn at(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset.min(self.text.len())).map_or(0, |s| s.chars().count());
        (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column + 1).unwrap_or(u32::MAX))
    }
}

/// Walks well-formed JSON text, recording where each value starts.
struct JsonWalker<'t, 's> {
    text: &'t [u8],
    pos: usize,
    lines: LineStarts<'t>,
    spans: &'s mut Spans,
}

impl JsonWalker<'_, '_> {
    fn skip_ws(&mut self) {
        while self.text.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// The value at the cursor, recorded under `pointer`; `depth` bounds the recursion as the
    /// parser bounded the nesting.
    fn value(&mut self, pointer: String, depth: usize) {
        self.skip_ws();
        let (line, column) = self.lines.at(self.pos);
        self.spans.record(pointer.clone(), line, column);
        if depth > super::MAX_DEPTH + 1 {
            return;
        }
        match self.text.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.text.get(self.pos) {
                        Some(b'"') => {
                            let key = self.string();
                            self.skip_ws();
                            self.pos += 1; // `:`
                            self.value(format!("{pointer}/{}", escape_pointer(&key)), depth + 1);
                        }
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut i = 0;
                loop {
                    self.skip_ws();
                    match self.text.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            return;
                        }
                        Some(b',') => self.pos += 1,
                        Some(_) => {
                            self.value(format!("{pointer}/{i}"), depth + 1);
                            i += 1;
                        }
                        None => return,
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self
                    .text
                    .get(self.pos)
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
            }
            None => {}
        }
    }

    /// The string at the cursor, decoded; the cursor moves past it.
    fn string(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.text.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = self.text.get(start..self.pos).unwrap_or_default();
        serde_json::from_slice::<String>(raw).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_values_by_pointer() {
        let text = "[[hosts]]\nname = \"a\"\n\n[[hosts]]\nname = \"b\"\nprofiles = [\"x\",\n  \"y\"]\n[hosts.spec]\nrole = \"server\"\n";
        let spans = Spans::of_toml(text);
        assert_eq!(spans.locate("/hosts/1/name"), Some((5, 8)));
        assert_eq!(spans.locate("/hosts/1/profiles/1"), Some((7, 3)));
        assert_eq!(spans.locate("/hosts/1/spec/role"), Some((9, 8)));
        assert_eq!(spans.locate("/hosts/1/spec"), Some((8, 8)));
        // A missing field points at the value it is missing from.
        assert_eq!(spans.locate("/hosts/0/platform"), spans.locate("/hosts/0"));
        assert!(spans.locate("/hosts/0").is_some());
    }

    #[test]
    fn json_values_by_pointer() {
        let text = "{\n  \"hosts\": [\n    {\"name\": \"a\", \"a/b\": 1},\n    {\"name\": \"é\\\"b\", \"profiles\": [\"x\", \"y\"]}\n  ]\n}\n";
        let spans = Spans::of_json(text);
        assert_eq!(spans.locate("/hosts/0/name"), Some((3, 14)));
        assert_eq!(spans.locate("/hosts/0/a~1b"), Some((3, 26)));
        assert_eq!(spans.locate("/hosts/1/profiles/1"), Some((4, 40)));
        assert_eq!(spans.locate("/hosts/1/system"), Some((4, 5)));
    }

    #[test]
    fn columns_count_characters() {
        let lines = LineStarts::new("é = 1\nb");
        assert_eq!(lines.at(4), (1, 4));
        assert_eq!(lines.at(7), (2, 1));
    }
}
