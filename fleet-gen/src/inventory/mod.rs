//! Inventory files: hosts in TOML, JSON or YAML, validated against the fleet's JSON Schema and merged
//! into the fleet before anything else is checked.

mod json;
mod spans;
mod yaml;

pub use json::parse_json;
pub use spans::Spans;
pub use yaml::{parse_yaml, parse_yaml_spanned, MAX_ALIAS_NODES, MAX_DEPTH};

/// An inventory file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`: duplicate keys rejected.
    Json,
    /// `.toml`.
    Toml,
    /// `.yaml` / `.yml`: one document, nesting and alias expansion bounded.
    Yaml,
}

/// Parses an inventory's bytes as JSON data, or says (in a sentence that follows the file's
/// name) why it cannot. Never panics, and stays linear in the input.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Value, String> {
    parse_spanned(format, bytes).map(|(value, _)| value)
}

/// [`parse`], also returning where each value is written.
pub fn parse_spanned(format: Format, bytes: &[u8]) -> Result<(Value, Spans), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("is not UTF-8 text: {e}"))?;
    match format {
        Format::Json => Ok((parse_json(text)?, Spans::of_json(text))),
        Format::Toml => {
            let value: Value =
                toml::from_str(text).map_err(|e| format!("is not valid TOML: {}", shown_long(&e.to_string())))?;
            check_depth(&value, 0)?;
            Ok((value, Spans::of_toml(text)))
        }
        Format::Yaml => parse_yaml_spanned(text),
    }
}

/// A parser's message, shortened: parsers quote the offending text.
fn shown_long(message: &str) -> String {
    let flat: String = message.split('\n').map(str::trim_end).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let mut out = crate::shown::escape_controls(&flat);
    if out.chars().count() > 300 {
        out = out.chars().take(300).collect::<String>() + "…";
    }
    out
}

/// Rejects data nested deeper than [`MAX_DEPTH`] (dropping it would recurse that deep).
fn check_depth(value: &Value, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("nests deeper than {MAX_DEPTH} levels; an inventory needs a handful"));
    }
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| check_depth(v, depth + 1)),
        Value::Object(map) => map.values().try_for_each(|v| check_depth(v, depth + 1)),
        _ => Ok(()),
    }
}

use crate::diagnostic::Diagnostic;
use crate::document::types::FleetDocument;
use crate::document::{import_host, suggestion};
use crate::error::{Problem, Problems};
use crate::schema::fleet_schema;
use fleet_dsl::FleetData;
use fleet_dsl::Location;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;

/// The fleet with the hosts of its inventory files added, or every problem of those files.
pub fn merge(fleet: &FleetData) -> Result<Cow<'_, FleetData>, Problems> {
    let (merged, problems) = merge_all(fleet);
    if problems.is_empty() {
        Ok(merged)
    } else {
        Err(Problems(problems))
    }
}

/// The fleet with the valid hosts of its inventory files added, and every problem of those
/// files, located in them: `generate` goes on to check the Rust fleet too, so one run reports
/// the problems of both.
pub fn merge_all(fleet: &FleetData) -> (Cow<'_, FleetData>, Vec<Diagnostic>) {
    let (fleet, mut problems) = with_features(fleet);
    if fleet.inventories.is_empty() {
        return (fleet, problems);
    }
    let schema = fleet_schema(&fleet);
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => {
            let file = "the fleet's JSON Schema".to_owned();
            let problem = Problem::Inventory { file, pointer: String::new(), message: e.to_string() };
            problems.push(problem.at(None));
            return (fleet, problems);
        }
    };
    let mut merged = fleet.as_ref().clone();
    for path in &fleet.inventories {
        let file = shown_file(path);
        let mut spans = Spans::default();
        let mut bad = |spans: &Spans, pointer: String, message: String| {
            let at = spans.locate(&pointer).map(|(line, column)| Location::in_file(file.clone(), line, column));
            let problem = Problem::Inventory { file: file.clone(), pointer, message };
            problems.push(problem.at(at.as_ref()));
        };
        let value = match load(path) {
            Ok((value, located)) => {
                spans = located;
                value
            }
            Err(message) => {
                bad(&spans, String::new(), message);
                continue;
            }
        };
        let errors: Vec<_> = validator.iter_errors(&value).collect();
        if !errors.is_empty() {
            for e in errors {
                bad(&spans, e.instance_path().to_string(), explain(&fleet, &e, &value));
            }
            continue;
        }
        let doc: FleetDocument = match serde_json::from_value(value) {
            Ok(doc) => doc,
            Err(e) => {
                bad(&spans, String::new(), format!("does not match the fleet document: {e}"));
                continue;
            }
        };
        let extra = [
            ("/name", doc.name.is_some()),
            ("/admins", !doc.admins.is_empty()),
            ("/profiles", !doc.profiles.is_empty()),
        ];
        for (pointer, present) in extra {
            if present {
                bad(&spans, pointer.into(), "inventory files add hosts only; define this in the Rust fleet".into());
            }
        }
        for (i, entry) in doc.hosts.iter().enumerate() {
            let pointer = format!("/hosts/{i}");
            let (line, column) = spans.locate(&pointer).unwrap_or((1, 1));
            let at = Location::in_file(file.clone(), line, column);
            match import_host(&fleet, entry, &pointer, at) {
                Ok(host) => merged.hosts.push(host),
                Err(list) => list.into_iter().for_each(|p| bad(&spans, p.pointer, p.message)),
            }
        }
    }
    (Cow::Owned(merged), problems)
}

/// An inventory's path as the user gave it, relative to the working directory when inside it.
fn shown_file(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative.as_deref().unwrap_or(path).display().to_string()
}

/// The fleet with the Rust hosts' features turned into profiles, and the problems of features
/// that cannot be.
fn with_features(fleet: &FleetData) -> (Cow<'_, FleetData>, Vec<Diagnostic>) {
    if fleet.hosts.iter().all(|h| h.features.is_empty()) {
        return (Cow::Borrowed(fleet), Vec::new());
    }
    let mut resolved = fleet.clone();
    let mut problems = Vec::new();
    for host in &mut resolved.hosts {
        for (_, message) in crate::features::apply(fleet, host) {
            let problem = Problem::Feature { host: host.name.clone(), message };
            problems.push(problem.at(Some(&host.at)));
        }
    }
    (Cow::Owned(resolved), problems)
}

/// Reads a `.toml`, `.json` or `.yaml` file as JSON.
fn load(path: &Path) -> Result<(Value, Spans), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("toml") => Format::Toml,
        Some("yaml" | "yml") => Format::Yaml,
        _ => return Err("has none of the extensions `.toml`, `.json`, `.yaml`".into()),
    };
    parse_spanned(format, &bytes)
}

/// A schema violation as a sentence: what was found, what is expected, a suggestion for names.
fn explain(fleet: &FleetData, e: &jsonschema::ValidationError<'_>, instance: &Value) -> String {
    let pointer = e.instance_path().to_string();
    let found = instance.pointer(&pointer);
    match e.kind() {
        ValidationErrorKind::Enum { .. } if misplaced(fleet, &pointer, instance).is_some() => {
            misplaced(fleet, &pointer, instance).unwrap_or_default()
        }
        ValidationErrorKind::Enum { options } => {
            let known: Vec<String> =
                options.as_array().into_iter().flatten().filter_map(|o| o.as_str().map(str::to_owned)).collect();
            let listed = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            let given = found.and_then(Value::as_str).unwrap_or_default();
            format!("`{given}` is not one of {listed}{}", suggestion(given, &known))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names = unexpected.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ");
            format!("unknown field {names}: check the spelling against the schema (`cargo run -- schema`)")
        }
        _ => shown_long(&e.to_string()),
    }
}

/// For a profile or feature the schema refused on a host of the other platform
/// (`/hosts/N/profiles/M`, `/hosts/N/features/M`), the message that says so.
fn misplaced(fleet: &FleetData, pointer: &str, instance: &Value) -> Option<String> {
    let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let ["hosts", host, list @ ("profiles" | "features"), _] = segments.as_slice() else { return None };
    let name = instance.pointer(pointer)?.as_str()?;
    let os: fleet_dsl::Os = instance.pointer(&format!("/hosts/{host}/platform"))?.as_str()?.parse().ok()?;
    if *list == "features" {
        return crate::features::misfit(fleet, name, os);
    }
    crate::document::misplaced_profile(fleet, name, os).then(|| crate::document::wrong_platform(name, os))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_toml_is_an_error_not_a_crash() {
        let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(Format::Toml, deep.as_bytes()).is_err());
        let inline = format!("a = {}{}\n", "{b = ".repeat(50_000), "}".repeat(50_000));
        assert!(parse(Format::Toml, inline.as_bytes()).is_err());
        let medium = format!("a = {}{}\n", "[".repeat(80), "]".repeat(80));
        assert!(parse(Format::Toml, medium.as_bytes()).unwrap_err().contains("deeper than 64"));
    }

    #[test]
    fn not_utf8_is_an_error() {
        assert!(parse(Format::Json, b"\xff\xfe").unwrap_err().contains("not UTF-8"));
    }
}
