//! YAML inventories, built from the parser's events with two bounds the plain loader lacks:
//! nesting deeper than [`MAX_DEPTH`] and aliases expanding to more than [`MAX_ALIAS_NODES`]
//! nodes are errors (the loader recurses, overflowing the stack of a debug build, and copies
//! every alias, so a "billion laughs" file grows memory exponentially). A key given twice in
//! one mapping is an error too, as in JSON.

use super::shown_long;
use super::spans::Spans;
use crate::shown::shown;
use serde_json::{Map, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::Yaml;

/// Deepest nesting of lists and maps accepted.
pub const MAX_DEPTH: usize = 64;

/// Most nodes all aliases together may expand to.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A collection being built.
enum Frame {
    Seq { items: Vec<Value>, anchor: usize },
    Map { map: Map<String, Value>, key: Option<String>, anchor: usize },
}

/// Parses YAML text (one document) into JSON data.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    parse_yaml_spanned(text).map(|(value, _)| value)
}

/// Where a node about to be placed goes: the pointer of the frame it goes into and its own
/// segment, or `None` for a mapping key.
fn node_pointer(stack: &[Frame], paths: &[String]) -> Option<String> {
    let parent = paths.last().map_or("", String::as_str);
    match stack.last() {
        None => Some(String::new()),
        Some(Frame::Seq { items, .. }) => Some(format!("{parent}/{}", items.len())),
        Some(Frame::Map { key: Some(k), .. }) => Some(format!("{parent}/{}", super::spans::escape_pointer(k))),
        Some(Frame::Map { key: None, .. }) => None,
    }
}

/// [`parse_yaml`], also returning where each value is written.
pub fn parse_yaml_spanned(text: &str) -> Result<(Value, Spans), String> {
    let mut parser = Parser::new_from_str(text);
    let mut spans = Spans::default();
    let mut paths: Vec<String> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    let mut expanded = 0usize;
    let mut docs: Vec<Value> = Vec::new();
    loop {
        let (event, mark) =
            parser.next_token().map_err(|e| format!("is not valid YAML: {}", shown_long(&e.to_string())))?;
        let at = || format!("(line {}, column {})", mark.line(), mark.col() + 1);
        let starts_node =
            matches!(event, Event::SequenceStart(..) | Event::MappingStart(..) | Event::Scalar(..) | Event::Alias(_));
        let pointer = if starts_node { node_pointer(&stack, &paths) } else { None };
        if let Some(pointer) = &pointer {
            let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
            spans.record(pointer.clone(), line, u32::try_from(mark.col() + 1).unwrap_or(u32::MAX));
        }
        let node = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => continue,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) if stack.len() >= MAX_DEPTH => {
                let _ = anchor;
                return Err(format!("nests deeper than {MAX_DEPTH} levels {}; an inventory needs a handful", at()));
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq { items: Vec::new(), anchor });
                paths.push(pointer.unwrap_or_default());
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map { map: Map::new(), key: None, anchor });
                paths.push(pointer.unwrap_or_default());
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match (stack.pop(), paths.pop()).0 {
                Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                Some(Frame::Map { map, key: None, anchor }) => (Value::Object(map), anchor),
                Some(Frame::Map { key: Some(_), .. }) | None => {
                    return Err(format!("is not valid YAML: an unbalanced collection {}", at()))
                }
            },
            Event::Scalar(text, style, anchor, tag) => {
                (scalar(text, style, tag.as_ref()).map_err(|e| format!("{e} {}", at()))?, anchor)
            }
            Event::Alias(id) => {
                let Some((value, size)) = anchors.get(&id) else {
                    return Err(format!("uses an alias to an unknown anchor {}", at()));
                };
                expanded = expanded.saturating_add(*size);
                if expanded > MAX_ALIAS_NODES {
                    return Err(format!(
                        "expands its aliases to more than {MAX_ALIAS_NODES} values {}: an alias bomb, or far more than an inventory holds",
                        at()
                    ));
                }
                if stack.len() + depth(value) > MAX_DEPTH {
                    return Err(format!("nests deeper than {MAX_DEPTH} levels {} through an alias", at()));
                }
                (value.clone(), 0)
            }
        };
        let (value, anchor) = node;
        if anchor > 0 {
            let size = count(&value);
            anchors.insert(anchor, (value.clone(), size));
        }
        match stack.last_mut() {
            None => docs.push(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => match value {
                    Value::String(k) => {
                        if map.contains_key(&k) {
                            return Err(format!(
                                "gives the key `{}` twice in one mapping {} (only one can count; remove the other)",
                                shown(&k),
                                at()
                            ));
                        }
                        *key = Some(k);
                    }
                    other => return Err(format!("has a key that is not a string ({}) {}", kind(&other), at())),
                },
                Some(k) => {
                    map.insert(k, value);
                }
            },
        }
    }
    match docs.len() {
        1 => Ok((docs.pop().unwrap_or(Value::Null), spans)),
        n => Err(format!("holds {n} YAML documents; an inventory is one")),
    }
}

/// A scalar as YAML's core schema reads it: plain scalars may be null, booleans or numbers.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let core = tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!").map(|t| t.suffix.as_str());
    if style != TScalarStyle::Plain || core == Some("str") {
        return Ok(Value::String(text));
    }
    Ok(match Yaml::from_str(&text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::from(i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("has `{}`, a number JSON cannot hold", shown(&r)))?,
        _ => Value::String(text),
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// How many nodes a value has (depth is bounded, so the recursion is too).
fn count(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count).sum::<usize>(),
        _ => 1,
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_yaml_reads_as_the_loader_reads_it() {
        let v = parse_yaml("hosts:\n  - name: a\n    port: 22\n    on: true\n    x: ~\n    s: '22'\n").unwrap();
        assert_eq!(v, serde_json::json!({"hosts": [{"name": "a", "port": 22, "on": true, "x": null, "s": "22"}]}));
        let v = parse_yaml("base: &b {a: 1}\nuse: *b\n").unwrap();
        assert_eq!(v["use"], serde_json::json!({"a": 1}));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(50_000) + &"]".repeat(50_000);
        assert!(parse_yaml(&deep).is_err());
        let block: String = (0..10_000).map(|i| format!("{}- \n", "  ".repeat(i))).collect();
        let e = parse_yaml(&block).unwrap_err();
        assert!(e.contains("nests deeper than 64 levels"), "{e}");
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let e = parse_yaml(&bomb).unwrap_err();
        assert!(e.contains("expands its aliases to more than 100000 values"), "{e}");
    }

    #[test]
    fn duplicate_keys_and_odd_keys() {
        assert!(parse_yaml("a: 1\na: 2\n").unwrap_err().contains("gives the key `a` twice"));
        assert!(parse_yaml("? [1]\n: 2\n").unwrap_err().contains("not a string"));
        assert!(parse_yaml("a: 1\n---\nb: 2\n").unwrap_err().contains("2 YAML documents"));
    }
}
