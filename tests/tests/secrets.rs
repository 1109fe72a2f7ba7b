//! The bars of the secrets feature, on the [`secrets_fleet`] fixture: `.sops.yaml` parses (aliases
//! resolved), its keys are age recipients and its regexes compile; hosts are isolated from each
//! other's files, shared files reach exactly their members; every file a host's secrets come
//! from (found by evaluating the generated Nix) is encrypted for that host; the declarations
//! evaluate to exactly the options set in Rust; nothing under `secrets/` and no store path is
//! generated; the README names every file. The checker itself is shown to reject broken configs.
#![allow(clippy::unwrap_used)]

use fleet_dsl::{FleetData, ProfileData, Scope, SecretDecl, SecretSet};
use fleet_gen::tree::Tree;
use fleet_tests::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

fn tree() -> Tree {
    let out = tempfile::tempdir().unwrap();
    render(&secrets_fleet(), out.path())
}

fn sops_yaml(tree: &Tree) -> &str {
    &tree.files.get(".sops.yaml").expect("the secrets fixture has a .sops.yaml").text
}

fn admin_keys() -> Vec<&'static str> {
    SECRETS_ADMINS.iter().map(|(_, k)| *k).collect()
}

fn keyed_hosts() -> Vec<&'static str> {
    SECRETS_HOSTS.iter().map(|(h, _)| *h).collect()
}

/// The shared files of the fixture with their member hosts.
fn shared() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![("secrets/common.yaml", keyed_hosts()), ("secrets/media.yaml", MEDIA_HOSTS.to_vec())]
}

fn check(yaml: &str) -> Result<(), String> {
    let shared = shared();
    let shared: Vec<(&str, &[&str])> = shared.iter().map(|(p, m)| (*p, m.as_slice())).collect();
    check_sops_config(yaml, &SECRETS_HOSTS, &admin_keys(), &shared, &keyed_hosts())
}

/// Every file the fixture's hosts may read, in `.sops.yaml` order.
fn secret_files() -> Vec<String> {
    let mut files: Vec<String> = shared().iter().map(|(p, _)| (*p).to_owned()).collect();
    files.extend(SECRETS_HOSTS.iter().map(|(h, _)| format!("secrets/{h}.yaml")));
    files
}

// ---------------------------------------------------------------------------------------------
// .sops.yaml

#[test]
fn fixture_keys_are_the_constants() {
    let fleet = secrets_fleet();
    let admins: Vec<(&str, &str)> = fleet.admins.iter().map(|(n, k)| (n.as_str(), k.as_str())).collect();
    assert_eq!(admins, SECRETS_ADMINS);
    let keyed: Vec<(&str, &str)> =
        fleet.hosts.iter().filter_map(|h| h.age_key.as_ref().map(|k| (h.name.as_str(), k.as_str()))).collect();
    assert_eq!(keyed, SECRETS_HOSTS);
    let plain = fleet.hosts.iter().find(|h| h.name == UNKEYED_HOST).unwrap();
    assert!(plain.age_key.is_none() && plain.secrets.is_empty() && plain.profiles.is_empty());
    for (_, key) in SECRETS_ADMINS.iter().chain(&SECRETS_HOSTS) {
        check_age_recipient(key).unwrap();
    }
}

#[test]
fn sops_yaml_passes_the_checker() {
    let tree = tree();
    if let Err(e) = check(sops_yaml(&tree)) {
        panic!("{e}\n--- .sops.yaml:\n{}", sops_yaml(&tree));
    }
}

/// The host without key and secrets gets no rule of its own and is nobody's recipient; every
/// rule is for one of the files hosts read.
#[test]
fn unkeyed_host_gets_no_rule() {
    let tree = tree();
    let yaml = sops_yaml(&tree);
    let config = parse_sops_config(yaml).unwrap();
    let plain = format!("secrets/{UNKEYED_HOST}.yaml");
    assert!(config.rule_for(&plain).is_none(), "a rule matches {plain}:\n{yaml}");
    assert!(!yaml.contains(UNKEYED_HOST), "{yaml}");
    assert_eq!(config.rules.len(), secret_files().len(), "{yaml}");
    for (rule, file) in config.rules.iter().zip(secret_files()) {
        assert!(rule.regex.is_match(&file), "rule `{}` is not the one of {file}", rule.path_regex);
    }
    let host = &tree.files[&format!("hosts/{UNKEYED_HOST}/default.nix")].text;
    assert!(!host.contains("sops"), "{host}");
}

/// Each kind of broken `.sops.yaml` is caught: the checker is not vacuous.
#[test]
fn checker_rejects_broken_configs() {
    let tree = tree();
    let good = sops_yaml(&tree).to_owned();
    let alpha_rule = "  - path_regex: ^secrets/alpha\\.yaml$\n    key_groups:\n      - age:\n";
    assert!(good.contains(alpha_rule), "{good}");
    let (alice_key, bob_key) = (SECRETS_ADMINS[0].1, SECRETS_ADMINS[1].1);
    let hrp = bech32::Hrp::parse("age").unwrap();
    let bech32m = bech32::encode::<bech32::Bech32m>(hrp, &[7; 32]).unwrap();
    let short = bech32::encode::<bech32::Bech32>(hrp, &[7; 31]).unwrap();
    let other = bech32::encode::<bech32::Bech32>(hrp, &[9; 32]).unwrap();
    let flipped = {
        let mut k = alice_key.to_owned();
        let last = if k.ends_with('q') { 'p' } else { 'q' };
        k.pop();
        k.push(last);
        k
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "another host's key on alpha's file",
            good.replace(alpha_rule, &format!("{alpha_rule}          - *host_beta\n")),
            "isolation: host `beta` can decrypt secrets/alpha.yaml",
        ),
        (
            "a catch-all rule first",
            good.replacen(
                "creation_rules:\n",
                "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - *admin_alice\n",
                1,
            ),
            "recipients are",
        ),
        ("an admin dropped from every file", good.replace("          - *admin_bob\n", ""), "recipients are"),
        (
            "an anchor redefined (later aliases take the new key)",
            good.replacen("creation_rules:\n", &format!("  - &admin_alice {other}\ncreation_rules:\n"), 1),
            "defined more than once",
        ),
        ("an undefined alias", good.replace("*host_gamma", "*host_delta"), "not YAML"),
        ("a key that fails its checksum", good.replace(alice_key, &flipped), "keys[0]"),
        ("a bech32m key", good.replace(bob_key, &bech32m), "keys[1]"),
        ("a 31-byte key", good.replace(bob_key, &short), "31 bytes"),
        (
            "a regex that does not compile",
            good.replace("^secrets/alpha\\.yaml$", "^secrets/(alpha\\.yaml$"),
            "does not compile",
        ),
        ("an unanchored regex", good.replace("^secrets/alpha\\.yaml$", "secrets/alpha\\.yaml"), "near miss"),
        ("an unescaped dot", good.replace("^secrets/alpha\\.yaml$", "^secrets/alpha.yaml$"), "near miss"),
        (
            "a pgp key group",
            good.replace(
                "          - *host_alpha\n  - path_regex: ^secrets/beta",
                "          - *host_alpha\n        pgp: []\n  - path_regex: ^secrets/beta",
            ),
            "unexpected key type",
        ),
        ("not YAML at all", "keys: [\n".to_owned(), "not YAML"),
    ];
    let mut failures = Vec::new();
    for (what, yaml, expected) in &cases {
        assert_ne!(yaml, &good, "{what}: the mutation changed nothing");
        match check(yaml) {
            Ok(()) => failures.push(format!("{what}: accepted\n{yaml}")),
            Err(e) if !e.contains(expected) => failures.push(format!("{what}: expected `{expected}` in:\n{e}")),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// The generated tree

#[test]
fn no_store_paths_and_no_secret_files() {
    let tree = tree();
    for (path, file) in &tree.files {
        assert!(!file.text.contains("/nix/store"), "{path} mentions /nix/store:\n{}", file.text);
        assert!(!path.starts_with("secrets/") && !path.contains("/secrets/"), "{path} is generated");
        if path.ends_with(".yaml") {
            assert_eq!(path, ".sops.yaml", "unexpected YAML file {path}");
        }
    }
}

#[test]
fn readme_lists_every_secret_file() {
    let tree = tree();
    let readme = &tree.files["README.md"].text;
    for file in secret_files() {
        assert!(readme.contains(&format!("`sops {file}`")), "README lacks `sops {file}`:\n{readme}");
    }
    assert!(!readme.contains(&format!("secrets/{UNKEYED_HOST}.yaml")), "{readme}");
}

// ---------------------------------------------------------------------------------------------
// Through the stub harness

struct Written {
    tree: Tree,
    dir: tempfile::TempDir,
    /// `dir`, canonical, as Nix prints paths in it.
    root: String,
}

fn written() -> Written {
    let tree = tree();
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    write_harness(&tree, dir.path()).unwrap();
    let root = dir.path().canonicalize().unwrap().to_string_lossy().into_owned();
    Written { tree, dir, root }
}

fn eval_file(nix: &Path, w: &Written, path: &str) -> Value {
    let text = nix_eval_json(nix, w.dir.path(), &eval_file_expr(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// `"<path:ROOT/x>"` (a sanitized path) as `x`, relative to the tree.
fn relative(w: &Written, v: &Value) -> Option<String> {
    let s = v.as_str()?.strip_prefix("<path:")?.strip_suffix('>')?;
    Some(s.strip_prefix(&w.root)?.strip_prefix('/')?.to_owned())
}

/// The generated files a host's module loads (its own and its profiles', transitively), each
/// with its evaluation, found by following `imports` in the evaluated Nix.
fn host_files(nix: &Path, w: &Written, host: &str) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut stack = vec![format!("hosts/{host}/default.nix")];
    while let Some(path) = stack.pop() {
        if out.iter().any(|(p, _)| *p == path) {
            continue;
        }
        let v = eval_file(nix, w, &path);
        for import in v.get("imports").and_then(Value::as_array).into_iter().flatten() {
            let rel = relative(w, import).unwrap_or_else(|| panic!("{path}: import {import} is outside the tree"));
            let rel = if w.tree.files.contains_key(&rel) { rel } else { format!("{rel}/default.nix") };
            if rel.starts_with("profiles/") || rel.starts_with("hosts/") && rel.ends_with("/default.nix") {
                stack.push(rel);
            }
        }
        out.push((path, v));
    }
    out
}

/// The default sops file is the host's own: `defaultSopsFile` of the shared sops-nix modules is
/// `secrets/<networking.hostName>.yaml`.
#[test]
fn default_sops_file_is_the_hosts_own() {
    let Some(nix) = nix_instantiate() else { return };
    let w = written();
    for module in ["modules/secrets.nix", "modules/secrets-darwin.nix"] {
        let v = eval_file(&nix, &w, module);
        assert_eq!(relative(&w, &v["sops"]["defaultSopsFile"]).as_deref(), Some("secrets/stub-host.yaml"), "{v}");
        assert_eq!(v["sops"]["validateSopsFiles"], json!(false));
    }
    let hosts = &w.tree.files["parts/hosts.nix"].text;
    assert!(hosts.contains("../modules/secrets.nix") && hosts.contains("../modules/secrets-darwin.nix"), "{hosts}");
}

/// Every file a host's `sops.secrets.*.sopsFile` points at (its host file when none) is
/// encrypted for that host by the rule sops uses for it; and each host reads exactly the
/// files its scopes give it.
#[test]
fn every_file_a_host_reads_is_encrypted_for_it() {
    let Some(nix) = nix_instantiate() else { return };
    let w = written();
    let config = parse_sops_config(sops_yaml(&w.tree)).unwrap();
    let expected: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("alpha", vec!["secrets/alpha.yaml", "secrets/common.yaml"]),
        ("beta", vec!["secrets/beta.yaml", "secrets/common.yaml", "secrets/media.yaml"]),
        ("gamma", vec!["secrets/common.yaml", "secrets/gamma.yaml", "secrets/media.yaml"]),
        ("mac", vec!["secrets/common.yaml", "secrets/mac.yaml"]),
        (UNKEYED_HOST, vec![]),
    ]);
    let mut failures = Vec::new();
    for (host, want) in &expected {
        let key = SECRETS_HOSTS.iter().find(|(h, _)| h == host).map(|(_, k)| *k);
        let mut read: Vec<String> = Vec::new();
        for (file, v) in host_files(&nix, &w, host) {
            for (name, decl) in v.pointer("/sops/secrets").and_then(Value::as_object).into_iter().flatten() {
                let source = match decl.get("sopsFile") {
                    Some(f) => relative(&w, f).unwrap_or_else(|| panic!("{file}: {name}: sopsFile {f}")),
                    None => format!("secrets/{host}.yaml"),
                };
                let readable = config
                    .rule_for(&source)
                    .is_some_and(|rule| key.is_some_and(|k| rule.recipients.iter().any(|r| r == k)));
                if !readable {
                    failures.push(format!("{host}: {file} declares {name} from {source}, not encrypted for {host}"));
                }
                if !read.contains(&source) {
                    read.push(source);
                }
            }
        }
        read.sort();
        if read != *want {
            failures.push(format!("{host} reads {read:?}, expected {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The JSON a declaration evaluates to: exactly the options set in Rust (`sopsFile` relative).
fn expected_decl(set: &SecretSet, d: &SecretDecl) -> Value {
    let mut m = Map::new();
    if set.scope != Scope::Host {
        m.insert("sopsFile".into(), json!(set.scope.file("")));
    }
    for (k, v) in [("key", &d.key), ("owner", &d.owner), ("group", &d.group), ("mode", &d.mode), ("path", &d.path)] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if let Some(f) = d.format {
        m.insert("format".into(), json!(f.as_str()));
    }
    if d.needed_for_users {
        m.insert("neededForUsers".into(), json!(true));
    }
    if !d.restart_units.is_empty() {
        m.insert("restartUnits".into(), json!(d.restart_units));
    }
    if !d.reload_units.is_empty() {
        m.insert("reloadUnits".into(), json!(d.reload_units));
    }
    Value::Object(m)
}

fn expected_sets(fleet: &FleetData) -> BTreeMap<String, Vec<SecretSet>> {
    fn profile(p: &ProfileData, out: &mut BTreeMap<String, Vec<SecretSet>>) {
        for i in &p.imports {
            profile(i, out);
        }
        out.insert(format!("profiles/{}.nix", p.name), p.secrets.clone());
    }
    let mut out = BTreeMap::new();
    for h in &fleet.hosts {
        for p in &h.profiles {
            profile(p, &mut out);
        }
        out.insert(format!("hosts/{}/default.nix", h.name), h.secrets.clone());
    }
    out
}

/// Every profile's and host's `sops.secrets` evaluates to exactly the declarations of the sets
/// attached to it in Rust; and the secret with every option, spelt out literally.
#[test]
fn declarations_evaluate_to_the_rust_options() {
    let Some(nix) = nix_instantiate() else { return };
    let w = written();
    let fleet = secrets_fleet();
    let mut failures = Vec::new();
    let mut all = Map::new();
    for (file, sets) in expected_sets(&fleet) {
        let mut expected = Map::new();
        for set in &sets {
            for d in &set.secrets {
                expected.insert(d.name.clone(), expected_decl(set, d));
            }
        }
        let v = eval_file(&nix, &w, &file);
        let mut actual = v.pointer("/sops/secrets").cloned().unwrap_or_else(|| json!({}));
        for decl in actual.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            if let Some(f) = decl.get("sopsFile").cloned() {
                decl["sopsFile"] = relative(&w, &f).map_or(f, Value::from);
            }
        }
        if actual != Value::Object(expected.clone()) {
            failures.push(format!("{file}:\n  expected {}\n  actual   {actual}", Value::Object(expected)));
        }
        if let Some(o) = actual.as_object() {
            all.extend(o.clone());
        }
    }
    let literal = json!({
        "key": "db/root-password",
        "owner": "root",
        "group": "root",
        "mode": "0440",
        "path": "/var/lib/db/root-password",
        "format": "yaml",
        "neededForUsers": true,
        "restartUnits": ["postgresql.service", "pgbouncer.service"],
        "reloadUnits": ["nginx.service"],
    });
    if all.get("db-root-password") != Some(&literal) {
        failures.push(format!("db-root-password: expected {literal}, got {:?}", all.get("db-root-password")));
    }
    for (name, file) in [("user-password", "secrets/common.yaml"), ("smb-credentials", "secrets/media.yaml")] {
        if all.get(name).and_then(|d| d.get("sopsFile")) != Some(&json!(file)) {
            failures.push(format!("{name}: sopsFile is not {file}: {:?}", all.get(name)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `ops`'s password comes from the `neededForUsers` secret its profile declares.
#[test]
fn user_password_is_a_needed_for_users_secret() {
    let Some(nix) = nix_instantiate() else { return };
    let w = written();
    let users = eval_file(&nix, &w, "modules/users.nix");
    let blocks = users["config"].as_array().unwrap();
    let ops = blocks.iter().find_map(|b| b.pointer("/users/users/ops")).unwrap();
    assert_eq!(ops["hashedPasswordFile"], json!("/run/secrets/user-password"), "{ops}");
    let base = eval_file(&nix, &w, "profiles/base.nix");
    assert_eq!(base.pointer("/sops/secrets/user-password/neededForUsers"), Some(&json!(true)), "{base}");
    let darwin = eval_file(&nix, &w, "modules/users-darwin.nix");
    assert!(!darwin.to_string().contains("hashedPasswordFile"), "{darwin}");
}
