//! The fleet's JSON Schema and inventory files: the schema is a valid schema specific to the
//! fleet, exports validate against it, and inventories are validated, explained and merged.
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::FleetData;
use fleet_gen::schema::fleet_schema;
use fleet_tests::fixtures;
use serde_json::Value;
use std::path::Path;

/// The host spec of the fleets below.
#[derive(fleet_dsl::HostSpec)]
pub struct Spec {
    /// Main user.
    pub primary_user: String,
    /// Kind of machine.
    pub role: Role,
    /// Runs headless.
    #[spec(default = false)]
    pub headless: bool,
    /// Nightly backups.
    #[spec(default)]
    pub backups: Vec<String>,
}

/// Kind of machine.
#[derive(fleet_dsl::NixEnum)]
pub enum Role {
    /// A desk machine.
    Workstation,
    /// A server.
    Server,
}

const KEY: &str = "age1sk6zu9czsa7g284hgyh7jkxgldz8cvs8k3ucltdtgt4g2wgydnssehwz00";

/// A fleet with one Rust host; `with_rust_box` adds `box` in Rust, `inventory` adds a file.
fn fleet(with_rust_box: bool, inventory: Option<&Path>) -> FleetData {
    let common = Profile::any("common").default("time.timeZone", "UTC");
    let server = Profile::nixos("server").import(&common).default("services.openssh.enable", true);
    let mut fleet =
        Fleet::new("inv").profile(&server).host(Host::nixos("desk", System::X86_64Linux).profile(&common).spec(Spec {
            primary_user: "me".into(),
            role: Role::Workstation,
            headless: false,
            backups: vec![],
        }));
    if with_rust_box {
        fleet = fleet.host(
            Host::nixos("box", System::Aarch64Linux)
                .channel(Channel::Unstable)
                .profile(&server)
                .age_key(KEY)
                .deploy(Deploy::ssh("box.lan").port(2222).tag("lab"))
                .spec(Spec {
                    primary_user: "me".into(),
                    role: Role::Server,
                    headless: true,
                    backups: vec!["/srv".into()],
                }),
        );
    }
    if let Some(path) = inventory {
        fleet = fleet.inventory(path);
    }
    fleet.into_data()
}

const BOX_TOML: &str = r#"
"$schema" = "./fleet.schema.json"

[[hosts]]
name = "box"
platform = "nixos"
system = "aarch64-linux"
channel = "unstable"
profiles = ["server"]
ageKey = "age1sk6zu9czsa7g284hgyh7jkxgldz8cvs8k3ucltdtgt4g2wgydnssehwz00"
deploy = { targetHost = "box.lan", targetPort = 2222, tags = ["lab"] }
spec = { primaryUser = "me", role = "server", headless = true, backups = ["/srv"] }
"#;

const BOX_YAML: &str = r#"# yaml-language-server: $schema=./fleet.schema.json
hosts:
  - name: box
    platform: nixos
    system: aarch64-linux
    channel: unstable
    profiles: [server]
    ageKey: age1sk6zu9czsa7g284hgyh7jkxgldz8cvs8k3ucltdtgt4g2wgydnssehwz00
    deploy: {targetHost: box.lan, targetPort: 2222, tags: [lab]}
    spec: {primaryUser: me, role: server, headless: true, backups: [/srv]}
"#;

fn generate(fleet: &FleetData, out: &Path) -> Result<fleet_gen::Tree, String> {
    fleet_gen::generate(fleet, out).map_err(|e| e.to_string())
}

#[test]
fn schema_is_valid_and_specific_to_the_fleet() {
    for (name, fleet) in fixtures().into_iter().chain([("inv", fleet(true, None))]) {
        let schema = fleet_schema(&fleet);
        assert!(jsonschema::meta::is_valid(&schema), "{name}: not a valid JSON Schema");
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        let spec = &schema["definitions"]["HostEntry"]["properties"]["spec"];
        for option in &fleet.spec.options {
            assert!(spec["properties"].get(&option.name).is_some(), "{name}: spec option {} missing", option.name);
        }
    }
    let schema = fleet_schema(&fleet(false, None));
    let spec = &schema["definitions"]["HostEntry"]["properties"]["spec"];
    assert_eq!(spec["properties"]["role"]["enum"], serde_json::json!(["workstation", "server"]));
    assert_eq!(spec["properties"]["headless"]["default"], false);
    assert_eq!(spec["required"], serde_json::json!(["primaryUser", "role"]));
    let profiles = &schema["definitions"]["HostEntry"]["properties"]["profiles"]["items"]["enum"];
    assert_eq!(profiles, &serde_json::json!(["common", "server"]));
}

#[test]
fn exports_validate_against_the_schema() {
    for (name, fleet) in fixtures().into_iter().chain([("inv", fleet(true, None))]) {
        let schema = fleet_schema(&fleet);
        let validator = jsonschema::validator_for(&schema).unwrap();
        let export = serde_json::to_value(fleet_gen::document::export(&fleet)).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&export).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: export does not validate:\n{}", errors.join("\n"));
        assert_eq!(export["hosts"].as_array().unwrap().len(), fleet.hosts.len());
    }
}

#[test]
fn toml_and_json_inventories_equal_the_rust_definition() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toml_path = tmp.path().join("fleet.toml");
    std::fs::write(&toml_path, BOX_TOML).unwrap();
    let yaml_path = tmp.path().join("fleet.yaml");
    std::fs::write(&yaml_path, BOX_YAML).unwrap();
    let json_path = tmp.path().join("fleet.json");
    let as_json: Value = toml::from_str(BOX_TOML).unwrap();
    std::fs::write(&json_path, serde_json::to_string_pretty(&as_json).unwrap()).unwrap();

    let rust = generate(&fleet(true, None), &out).unwrap();
    for path in [&toml_path, &json_path, &yaml_path] {
        let merged = generate(&fleet(false, Some(path)), &out).unwrap();
        for (file, f) in &rust.files {
            let other = merged.files.get(file).unwrap_or_else(|| panic!("{} lacks {file}", path.display()));
            assert_eq!(f.text, other.text, "{file} differs with {}", path.display());
        }
        assert_eq!(rust.files.len(), merged.files.len());
    }
}

fn inventory_problems(text: &str, ext: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(format!("fleet.{ext}"));
    std::fs::write(&path, text).unwrap();
    match generate(&fleet(false, Some(&path)), &tmp.path().join("out")) {
        Ok(_) => panic!("the inventory was accepted:\n{text}"),
        Err(e) => e.replace(&path.display().to_string(), "fleet.inv"),
    }
}

#[test]
fn invalid_inventories_are_explained_one_message_per_problem() {
    let text = r#"
[[hosts]]
name = "box"
platform = "nixoss"
system = "aarch64-linux"
colour = "blue"
profiles = ["sever"]
spec = { primaryUser = 7, role = "server", headles = true }
"#;
    let err = inventory_problems(text, "toml");
    for expected in [
        "fleet.inv at `/hosts/0/platform`: `nixoss` is not one of `nixos`, `darwin`; did you mean `nixos`?",
        "fleet.inv at `/hosts/0`: unknown field `colour`",
        "fleet.inv at `/hosts/0/profiles/0`: `sever` is not one of `common`, `server`; did you mean `server`?",
        "fleet.inv at `/hosts/0/spec/primaryUser`: 7 is not of type \"string\"",
        "fleet.inv at `/hosts/0/spec`: unknown field `headles`",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    assert!(err.contains("(5 problems)"), "one message per problem:\n{err}");
}

#[test]
fn inventory_names_are_resolved_against_the_fleet() {
    // The schema refuses a profile of the other platform (editors flag it too), with the
    // same message the merge gives.
    let text = r#"{"hosts": [
        {"name": "mac", "platform": "darwin", "system": "aarch64-darwin", "profiles": ["server"],
         "spec": {"primaryUser": "me", "role": "workstation"}}
    ]}"#;
    let err = inventory_problems(text, "json");
    let expected =
        "fleet.inv at `/hosts/0/profiles/0`: profile `server` is for NixOS hosts only, and this host is nix-darwin";
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    let text = r#"{"hosts": [
        {"name": "mac", "platform": "darwin", "system": "aarch64-darwin", "profiles": ["common"],
         "deploy": {"targetHost": "mac.lan"}, "stateVersion": "24.05",
         "spec": {"primaryUser": "me", "role": "workstation"}},
        {"name": "desk", "platform": "nixos", "system": "x86_64-linux",
         "spec": {"primaryUser": "me", "role": "workstation"}}
    ]}"#;
    let err = inventory_problems(text, "json");
    for expected in [
        "fleet.inv at `/hosts/0/deploy`: colmena cannot deploy nix-darwin hosts",
        "fleet.inv at `/hosts/0/stateVersion`: NixOS state versions are strings",
    ] {
        assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    }
    let dup = r#"{"hosts": [{"name": "desk", "platform": "nixos", "system": "x86_64-linux",
        "spec": {"primaryUser": "me", "role": "workstation"}}]}"#;
    assert!(inventory_problems(dup, "json").contains("host `desk` is defined 2 times"));
    assert!(inventory_problems("hosts = 3", "toml").contains("fleet.inv at `/hosts`: 3 is not of type \"array\""));
    assert!(inventory_problems("not toml [", "toml").contains("fleet.inv: is not valid TOML"));
    assert!(inventory_problems("{}", "ini").contains("has none of the extensions `.toml`, `.json`, `.yaml`"));
    assert!(inventory_problems("hosts: [", "yaml").contains("fleet.inv: is not valid YAML"));
    assert!(inventory_problems(r#"{"name": "x", "hosts": []}"#, "json").contains("inventory files add hosts only"));
}

/// The schema flags what an editor should while the inventory is written: a NixOS-only
/// profile on a Mac, and a host without the spec fields that have no default.
#[test]
fn the_schema_catches_platform_mistakes_and_missing_spec() {
    let schema = fleet_schema(&fleet(false, None));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors = |doc: serde_json::Value| -> Vec<String> {
        validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
    };
    let spec = serde_json::json!({"primaryUser": "me", "role": "server"});
    let mac = serde_json::json!({"hosts": [
        {"name": "mac", "platform": "darwin", "system": "aarch64-darwin", "profiles": ["server"], "spec": spec}
    ]});
    let found = errors(mac);
    assert!(found.iter().any(|e| e.starts_with("/hosts/0/profiles/0") && e.contains("server")), "{found:?}");
    let fine = serde_json::json!({"hosts": [
        {"name": "mac", "platform": "darwin", "system": "aarch64-darwin", "profiles": ["common"], "spec": spec},
        {"name": "srv", "platform": "nixos", "system": "x86_64-linux", "profiles": ["server"], "spec": spec}
    ]});
    assert_eq!(errors(fine), Vec::<String>::new());
    let no_spec = serde_json::json!({"hosts": [{"name": "srv", "platform": "nixos", "system": "x86_64-linux"}]});
    let found = errors(no_spec);
    assert!(
        found.iter().any(|e| e.starts_with("/hosts/0") && e.contains("\"spec\" is a required property")),
        "{found:?}"
    );
}
