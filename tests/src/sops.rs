//! `.sops.yaml`: parsing the generated file and checking its rules against the fleet.

/// Why `key` is not an age X25519 recipient, or `Ok` when it is one: the fleet's one rule
/// ([`fleet_dsl::rules::age::check_age_key`]), with the key in the message.
pub fn check_age_recipient(key: &str) -> Result<(), String> {
    fleet_dsl::rules::age::check_age_key(key).map_err(|reason| format!("`{key}` is not an age public key: {reason}"))
}

/// One creation rule of a `.sops.yaml`, aliases resolved.
#[derive(Clone, Debug)]
pub struct SopsRule {
    /// `path_regex`, as written.
    pub path_regex: String,
    /// The compiled `path_regex`.
    pub regex: regex::Regex,
    /// Every age recipient of every key group, in order.
    pub recipients: Vec<String>,
}

/// A parsed `.sops.yaml`: its `keys` and `creation_rules`, aliases resolved.
#[derive(Clone, Debug)]
pub struct SopsConfig {
    /// The `keys` list.
    pub keys: Vec<String>,
    /// The creation rules, in order (sops uses the first whose `path_regex` matches).
    pub rules: Vec<SopsRule>,
}

impl SopsConfig {
    /// The rule sops uses for `path` (relative to the repository root): the first that matches.
    pub fn rule_for(&self, path: &str) -> Option<&SopsRule> {
        self.rules.iter().find(|r| r.regex.is_match(path))
    }

    /// Every rule whose `path_regex` matches `path`.
    pub fn rules_matching<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a SopsRule> + 'a {
        self.rules.iter().filter(move |r| r.regex.is_match(path))
    }
}

/// Parses a `.sops.yaml` with a YAML parser that resolves anchors and aliases, checking its
/// shape: each anchor defined once, every alias defined, `keys` a list of valid age
/// recipients, each creation rule a compiling `path_regex` with `key_groups` of `age` lists
/// only, every recipient one of `keys`.
pub fn parse_sops_config(sops_yaml: &str) -> Result<SopsConfig, String> {
    use yaml_rust2::{Yaml, YamlLoader};
    let mut problems = Vec::new();

    // Anchors: YAML allows redefining one (the later wins), which would silently change who
    // decrypts a file, so each must be defined once.
    let anchor = regex::Regex::new(r"(?:^|[\s\[{,])&([^\s\[\]{},]+)").map_err(|e| e.to_string())?;
    let mut anchors: Vec<&str> = Vec::new();
    for line in sops_yaml.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for c in anchor.captures_iter(line) {
            let name = c.get(1).map_or("", |m| m.as_str());
            if anchors.contains(&name) {
                problems.push(format!("anchor `&{name}` is defined more than once"));
            }
            anchors.push(name);
        }
    }

    let docs = match YamlLoader::load_from_str(sops_yaml) {
        Ok(docs) => docs,
        Err(e) => {
            problems.push(format!(".sops.yaml is not YAML: {e}"));
            return Err(problems.join("\n"));
        }
    };
    let [doc] = docs.as_slice() else {
        return Err(format!(".sops.yaml holds {} YAML documents, not 1", docs.len()));
    };
    let field = |y: &'_ Yaml, name: &str| -> Option<Yaml> { y.as_hash()?.get(&Yaml::String(name.to_owned())).cloned() };
    let strings = |y: Option<Yaml>, what: &str, problems: &mut Vec<String>| -> Vec<String> {
        match y.as_ref().and_then(Yaml::as_vec) {
            Some(items) => items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) => Some(s.to_owned()),
                    None => {
                        problems.push(format!("{what}: {i:?} is not a string (an undefined alias?)"));
                        None
                    }
                })
                .collect(),
            None => {
                problems.push(format!("{what} is not a list: {y:?}"));
                Vec::new()
            }
        }
    };

    if let Some(hash) = doc.as_hash() {
        for k in hash.keys() {
            if !matches!(k.as_str(), Some("keys" | "creation_rules")) {
                problems.push(format!("unexpected top-level key {k:?}"));
            }
        }
    } else {
        return Err(format!(".sops.yaml is not a mapping: {doc:?}"));
    }
    let keys = strings(field(doc, "keys"), "keys", &mut problems);
    for (i, k) in keys.iter().enumerate() {
        if let Err(e) = check_age_recipient(k) {
            problems.push(format!("keys[{i}]: {e}"));
        }
        if keys[..i].contains(k) {
            problems.push(format!("keys[{i}]: `{k}` is listed twice"));
        }
    }

    let mut rules = Vec::new();
    let raw_rules = field(doc, "creation_rules");
    let raw_rules = raw_rules.as_ref().and_then(Yaml::as_vec).cloned().unwrap_or_else(|| {
        problems.push("creation_rules is not a list".to_owned());
        Vec::new()
    });
    if raw_rules.is_empty() {
        problems.push("creation_rules is empty".to_owned());
    }
    for (i, r) in raw_rules.iter().enumerate() {
        let Some(path_regex) = field(r, "path_regex").and_then(|y| y.as_str().map(str::to_owned)) else {
            problems.push(format!("creation_rules[{i}] has no string path_regex: {r:?}"));
            continue;
        };
        let regex = match regex::Regex::new(&path_regex) {
            Ok(re) => re,
            Err(e) => {
                problems.push(format!("creation_rules[{i}]: path_regex `{path_regex}` does not compile: {e}"));
                continue;
            }
        };
        if let Some(hash) = r.as_hash() {
            for k in hash.keys() {
                if !matches!(k.as_str(), Some("path_regex" | "key_groups")) {
                    problems.push(format!("creation_rules[{i}]: unexpected key {k:?}"));
                }
            }
        }
        let mut recipients = Vec::new();
        let groups = field(r, "key_groups");
        let groups = groups.as_ref().and_then(Yaml::as_vec).cloned().unwrap_or_default();
        if groups.is_empty() {
            problems.push(format!("creation_rules[{i}] (`{path_regex}`) has no key_groups"));
        }
        for (g, group) in groups.iter().enumerate() {
            let what = format!("creation_rules[{i}].key_groups[{g}]");
            match group.as_hash() {
                Some(hash) => {
                    for k in hash.keys() {
                        if k.as_str() != Some("age") {
                            problems.push(format!("{what}: unexpected key type {k:?}"));
                        }
                    }
                }
                None => problems.push(format!("{what} is not a mapping: {group:?}")),
            }
            for key in strings(field(group, "age"), &format!("{what}.age"), &mut problems) {
                if !keys.contains(&key) {
                    problems.push(format!("{what}: recipient `{key}` is not one of `keys`"));
                }
                if recipients.contains(&key) {
                    problems.push(format!("{what}: recipient `{key}` is listed twice"));
                }
                recipients.push(key);
            }
        }
        rules.push(SopsRule { path_regex, regex, recipients });
    }
    if problems.is_empty() {
        Ok(SopsConfig { keys, rules })
    } else {
        Err(problems.join("\n"))
    }
}

/// Checks a fleet's `.sops.yaml` ([`parse_sops_config`]) and who it lets decrypt what, by
/// matching every rule's `path_regex` against the candidate paths (never by anchor names):
///
/// - `hosts` (name, age key) are the hosts with a key, `admins` the admins' age keys, and
///   `shared` the shared files (`secrets/common.yaml`, group files) with their member hosts,
///   `own` the hosts that read secrets of their own (`secrets/<host>.yaml`); no rule may
///   match the file of a keyed host outside `own`, which nobody reads;
/// - every host and admin key is in `keys`, and `keys` holds nothing else;
/// - the rule sops uses (the first match) for `secrets/<host>.yaml` has exactly the admins
///   and that host as recipients, and for each shared file exactly the admins and its members;
/// - isolation: for every candidate file, no rule matching it (first or not) lists the key of
///   a host that is not one of its members (for `secrets/<B>.yaml` the only member is `B`);
/// - every rule matches exactly one candidate path, and near misses (`secrets/<h>.yaml.bak`,
///   `secrets/<h>Xyaml`, `x/secrets/<h>.yaml`, `secrets/<h>.yml`) match none.
pub fn check_sops_config(
    sops_yaml: &str,
    hosts: &[(&str, &str)],
    admins: &[&str],
    shared: &[(&str, &[&str])],
    own: &[&str],
) -> Result<(), String> {
    let config = parse_sops_config(sops_yaml)?;
    let mut problems = Vec::new();
    let key_of = |host: &str| hosts.iter().find(|(h, _)| *h == host).map(|(_, k)| *k);
    let name_of = |key: &str| -> String {
        hosts
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(h, _)| format!("host `{h}`"))
            .or_else(|| admins.iter().position(|a| *a == key).map(|i| format!("admin #{i}")))
            .unwrap_or_else(|| format!("unknown key `{key}`"))
    };

    let mut expected_keys: Vec<&str> = admins.to_vec();
    expected_keys.extend(hosts.iter().map(|(_, k)| *k));
    for k in &expected_keys {
        if !config.keys.iter().any(|c| c == k) {
            problems.push(format!("keys lacks {}", name_of(k)));
        }
    }
    for k in &config.keys {
        if !expected_keys.contains(&k.as_str()) {
            problems.push(format!("keys holds `{k}`, which is neither an admin's nor a host's"));
        }
    }

    // (path, member hosts) of every file some host may read.
    let mut candidates: Vec<(String, Vec<&str>)> =
        hosts.iter().filter(|(h, _)| own.contains(h)).map(|(h, _)| (format!("secrets/{h}.yaml"), vec![*h])).collect();
    for (h, _) in hosts.iter().filter(|(h, _)| !own.contains(h)) {
        let path = format!("secrets/{h}.yaml");
        if config.rule_for(&path).is_some() {
            problems.push(format!("a rule matches {path}, but `{h}` reads no secrets of its own"));
        }
    }
    candidates.extend(shared.iter().map(|(path, members)| ((*path).to_owned(), members.to_vec())));
    for (path, members) in &candidates {
        for m in members {
            if key_of(m).is_none() {
                problems.push(format!("{path}: member `{m}` is not a host with a key"));
            }
        }
        let mut expected: Vec<&str> = admins.to_vec();
        expected.extend(members.iter().filter_map(|m| key_of(m)));
        match config.rule_for(path) {
            None => problems.push(format!("no creation rule matches {path}")),
            Some(rule) => {
                let mut actual: Vec<&str> = rule.recipients.iter().map(String::as_str).collect();
                actual.sort_unstable();
                let mut want = expected.clone();
                want.sort_unstable();
                if actual != want {
                    let names = |keys: &[&str]| keys.iter().map(|k| name_of(k)).collect::<Vec<_>>().join(", ");
                    problems.push(format!(
                        "{path} (rule `{}`): recipients are [{}], expected [{}]",
                        rule.path_regex,
                        names(&actual),
                        names(&want)
                    ));
                }
            }
        }
        // Isolation, over every matching rule (not only the first).
        for rule in config.rules_matching(path) {
            for (other, key) in hosts {
                if !members.contains(other) && rule.recipients.iter().any(|r| r == key) {
                    problems.push(format!(
                        "isolation: host `{other}` can decrypt {path} through rule `{}`",
                        rule.path_regex
                    ));
                }
            }
        }
    }

    for rule in &config.rules {
        let matched: Vec<&str> =
            candidates.iter().map(|(p, _)| p.as_str()).filter(|p| rule.regex.is_match(p)).collect();
        if matched.len() != 1 {
            problems.push(format!("rule `{}` matches {matched:?}, expected exactly one file", rule.path_regex));
        }
    }
    for (path, _) in &candidates {
        let stem = path.trim_end_matches(".yaml");
        for near in [format!("{path}.bak"), format!("{stem}Xyaml"), format!("x/{path}"), format!("{stem}.yml")] {
            if let Some(rule) = config.rule_for(&near) {
                problems.push(format!("rule `{}` matches the near miss `{near}`", rule.path_regex));
            }
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
