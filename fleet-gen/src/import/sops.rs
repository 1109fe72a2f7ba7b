//! `.sops.yaml`: its age keys (with their anchor names) and its creation rules.

use super::error::ImportError;
use yaml_rust2::{Yaml, YamlLoader};

/// The age keys and creation rules of a `.sops.yaml`.
#[derive(Clone, Debug, Default)]
pub struct SopsConfig {
    /// Every age key, with the anchor it is written under (`&admin_alice`), in order.
    pub keys: Vec<(Option<String>, String)>,
    /// Creation rules: the `path_regex` and the age keys of its key groups.
    pub rules: Vec<(String, Vec<String>)>,
}

impl SopsConfig {
    /// The anchor of a key, if it has one.
    pub fn anchor(&self, key: &str) -> Option<&str> {
        self.keys.iter().find(|(_, k)| k == key).and_then(|(a, _)| a.as_deref())
    }
}

/// Reads a `.sops.yaml`. Anchor names are read from the text (YAML loaders resolve aliases
/// and forget them); rules from the parsed document, aliases resolved.
pub fn parse(file: &str, text: &str) -> Result<SopsConfig, ImportError> {
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| ImportError::Sops { file: file.to_owned(), message: e.to_string() })?;
    let mut out = SopsConfig::default();
    for line in text.lines() {
        // `  - &admin_alice age1…`
        let t = line.trim_start().trim_start_matches('-').trim();
        if let Some(rest) = t.strip_prefix('&') {
            let mut parts = rest.split_whitespace();
            if let (Some(anchor), Some(key)) = (parts.next(), parts.next()) {
                if key.starts_with("age1") {
                    out.keys.push((Some(anchor.to_owned()), key.to_owned()));
                }
            }
        }
    }
    let Some(doc) = docs.first() else { return Ok(out) };
    let mut seen: Vec<String> = out.keys.iter().map(|(_, k)| k.clone()).collect();
    if let Yaml::Array(rules) = &doc["creation_rules"] {
        for rule in rules {
            let regex = rule["path_regex"].as_str().unwrap_or_default().to_owned();
            let mut keys = Vec::new();
            if let Yaml::Array(groups) = &rule["key_groups"] {
                for g in groups {
                    if let Yaml::Array(ages) = &g["age"] {
                        keys.extend(ages.iter().filter_map(Yaml::as_str).map(str::to_owned));
                    }
                }
            }
            if let Some(age) = rule["age"].as_str() {
                keys.extend(age.split(',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()));
            }
            for k in &keys {
                if !seen.contains(k) {
                    seen.push(k.clone());
                    out.keys.push((None, k.clone()));
                }
            }
            out.rules.push((regex, keys));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_rules_are_read() {
        let text = "keys:\n  - &admin_alice age1aaa\n  - &host_web age1bbb\ncreation_rules:\n  - path_regex: secrets/common\\.yaml$\n    key_groups:\n      - age:\n          - *admin_alice\n          - *host_web\n  - path_regex: secrets/web\\.yaml$\n    key_groups:\n      - age: [*admin_alice, *host_web]\n";
        let c = parse(".sops.yaml", text).unwrap_or_default();
        assert_eq!(c.anchor("age1aaa"), Some("admin_alice"));
        assert_eq!(c.rules.len(), 2);
        assert_eq!(c.rules[1].1, ["age1aaa", "age1bbb"]);
    }
}
