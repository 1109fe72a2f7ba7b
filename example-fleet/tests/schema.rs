//! The checked-in JSON Schema of the example fleet stays current, and the fleet's export and
//! inventory validate against it.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn fleet(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_example-fleet")).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn checked_in() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fleet.schema.json")).unwrap()
}

#[test]
fn checked_in_schema_is_current() {
    let current = fleet(&["schema"]);
    assert!(
        current == checked_in(),
        "example-fleet/fleet.schema.json is stale: refresh it with\n\n    cargo run -- schema > example-fleet/fleet.schema.json\n"
    );
}

#[test]
fn export_and_inventory_validate_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&checked_in()).unwrap();
    assert!(jsonschema::meta::is_valid(&schema));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let export: serde_json::Value = serde_json::from_str(&fleet(&["export"])).unwrap();
    let errors: Vec<String> = validator.iter_errors(&export).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let hosts: Vec<&str> = export["hosts"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert!(hosts.contains(&"pi2"), "the inventory host is exported: {hosts:?}");

    let inventory = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fleet.toml")).unwrap();
    let inventory: serde_json::Value = toml::from_str(&inventory).unwrap();
    assert!(validator.is_valid(&inventory));
}
