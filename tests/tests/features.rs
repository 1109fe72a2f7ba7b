//! Feature flags: the fleet maps features to profiles; a Rust host with `.features(..)` and an
//! inventory host with `features = [..]` get the same profiles; features that cannot apply are
//! errors naming the host (and, in an inventory, the JSON pointer).
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use std::path::Path;

/// Features of the fleet below.
#[derive(fleet_dsl::NixEnum, Clone, Copy)]
pub enum Feature {
    /// Compilers and containers.
    Development,
    /// Steam.
    Gaming,
    /// Declared but mapped to nothing.
    Unused,
}

fn fleet(inventory: Option<&Path>, rust_features: &[Feature]) -> FleetData {
    let dev = Profile::any("development").add("environment.systemPackages", [pkg("git")]);
    let gaming = Profile::nixos("gaming").default("programs.steam.enable", true);
    let gamemode = Profile::nixos("gamemode").default("programs.gamemode.enable", true);
    let mut fleet = Fleet::<NoSpec>::new("features")
        .feature(Feature::Development, &dev)
        .feature(Feature::Gaming, &gaming)
        .feature(Feature::Gaming, &gamemode)
        .host(Host::nixos("rusty", System::X86_64Linux).features(rust_features.iter().copied()));
    if let Some(path) = inventory {
        fleet = fleet.inventory(path);
    }
    fleet.into_data()
}

fn generate(fleet: &FleetData) -> Result<fleet_gen::Tree, String> {
    let tmp = tempfile::tempdir().unwrap();
    fleet_gen::generate(fleet, tmp.path()).map_err(|e| e.to_string())
}

fn inventory(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fleet.toml"), text).unwrap();
    dir
}

#[test]
fn rust_and_inventory_hosts_get_the_same_profiles() {
    let dir = inventory("[[hosts]]\nname = \"listed\"\nplatform = \"nixos\"\nsystem = \"x86_64-linux\"\nfeatures = [\"gaming\", \"development\"]\n");
    let tree =
        generate(&fleet(Some(&dir.path().join("fleet.toml")), &[Feature::Gaming, Feature::Development])).unwrap();
    let imports = |host: &str| {
        let text = &tree.files[&format!("hosts/{host}/default.nix")].text;
        text.lines().filter(|l| l.contains("profiles/")).map(str::trim).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(
        imports("rusty"),
        "../../profiles/gaming.nix ../../profiles/gamemode.nix ../../profiles/development.nix"
    );
    assert_eq!(imports("listed"), imports("rusty"));
    let schema = &tree.files["fleet.schema.json"].text;
    assert!(schema.contains("\"development\",\n") && schema.contains("\"unused\""), "every variant may be named");
}

#[test]
fn features_that_cannot_apply_are_errors() {
    let err = generate(&fleet(None, &[Feature::Unused])).unwrap_err();
    assert!(err.contains("host `rusty`: feature `unused` maps to no profile"), "{err}");

    let dir = inventory(
        "[[hosts]]\nname = \"mac\"\nplatform = \"darwin\"\nsystem = \"aarch64-darwin\"\nfeatures = [\"development\", \"gaming\"]\n",
    );
    let err = generate(&fleet(Some(&dir.path().join("fleet.toml")), &[])).unwrap_err();
    assert!(
        err.contains(
            "at `/hosts/0/features/1`: feature `gaming` gives profile `gaming`, which is not for nix-darwin hosts"
        ),
        "{err}"
    );
    assert!(!err.contains("features/0"), "development is for any platform: {err}");

    let dir =
        inventory("[[hosts]]\nname = \"x\"\nplatform = \"nixos\"\nsystem = \"x86_64-linux\"\nfeatures = [\"gamin\"]\n");
    let err = generate(&fleet(Some(&dir.path().join("fleet.toml")), &[])).unwrap_err();
    assert!(err.contains("/hosts/0/features/0"), "the schema lists the fleet's features: {err}");
}
