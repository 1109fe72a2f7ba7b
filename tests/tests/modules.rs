//! Hosts evaluated through their imports by the module-system stand-in (tests/src/modsys.nix):
//! every option the repository declares resolves, with profile defaults under host values, and
//! type-checks. (The real nixpkgs module system is out of reach offline; this checks the
//! repository's own declarations and the priorities between its files.)
#![allow(clippy::unwrap_used)]

use fleet_dsl::prelude::*;
use fleet_dsl::{FleetData, NoSpec};
use fleet_tests::{eval_hosts, fixtures, nix_instantiate, render, write_tree};
use serde_json::{json, Value};
use std::path::Path;

fn evaluate(fleet: &FleetData) -> Result<Value, String> {
    let Some(nix) = nix_instantiate() else { return Ok(Value::Null) };
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(fleet, tmp.path());
    write_tree(&tree, tmp.path()).unwrap();
    eval_hosts(&nix, tmp.path())
}

#[test]
fn every_fixture_host_evaluates() {
    for (name, fleet) in fixtures() {
        let hosts = evaluate(&fleet).unwrap_or_else(|e| panic!("{name}: {e}"));
        if hosts.is_null() {
            return;
        }
        let names: Vec<&str> = hosts.as_object().unwrap().keys().map(String::as_str).collect();
        for h in &fleet.hosts {
            assert!(names.contains(&h.name.as_str()), "{name}: host {} was not evaluated", h.name);
        }
    }
}

/// The typed options of the test module.
#[derive(fleet_dsl::NixOptions)]
#[options(path = "modules.web")]
pub struct Web {
    /// Serve.
    #[spec(default = false)]
    pub enable: bool,
    /// Port.
    #[spec(port, default = 80)]
    pub port: u16,
}

fn web_fleet(host_port: Option<u16>) -> FleetData {
    let profile = Profile::nixos("web").options(Web { enable: true, port: 8080 });
    let mut host = Host::<Nixos, NoSpec>::nixos("a", System::X86_64Linux).profile(&profile);
    if let Some(port) = host_port {
        host = host.options(Web { enable: true, port });
    }
    Fleet::new("web").host(host).host(Host::nixos("b", System::X86_64Linux).profile(&profile)).into_data()
}

#[test]
fn host_values_override_profile_defaults() {
    let hosts = evaluate(&web_fleet(Some(443))).unwrap();
    if hosts.is_null() {
        return;
    }
    assert_eq!(hosts["a"]["config"]["modules"]["web"], json!({"enable": true, "port": 443}));
    assert_eq!(hosts["b"]["config"]["modules"]["web"], json!({"enable": true, "port": 8080}));
}

/// The stand-in is not toothless: a wrongly typed value, two plain definitions that disagree,
/// and an unset option without default each fail.
#[test]
fn the_stand_in_rejects_what_the_module_system_would() {
    let Some(nix) = nix_instantiate() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let tree = render(&web_fleet(None), tmp.path());
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    let profile = dir.path().join("profiles/web.nix");
    let text = std::fs::read_to_string(&profile).unwrap();
    let from = "modules.web.port = lib.mkDefault 8080;";
    assert!(text.contains(from), "{text}");
    std::fs::write(&profile, text.replace(from, "modules.web.port = lib.mkDefault \"8080\";")).unwrap();
    let err = eval_hosts(&nix, dir.path()).unwrap_err();
    assert!(err.contains("option `modules.web.port` is not of type `port`"), "{err}");

    let host = Path::new("hosts/a/default.nix");
    let dir = tempfile::tempdir().unwrap();
    write_tree(&tree, dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join(host)).unwrap();
    let conflicting = text
        .replace("networking.hostName", "modules.web.port = 1;\n  modules.web.enable = false;\n  networking.hostName");
    std::fs::write(dir.path().join(host), &conflicting).unwrap();
    let profile = dir.path().join("profiles/web.nix");
    let ptext = std::fs::read_to_string(&profile).unwrap().replace("lib.mkDefault 8080", "2");
    std::fs::write(&profile, ptext).unwrap();
    let err = eval_hosts(&nix, dir.path()).unwrap_err();
    assert!(err.contains("option `modules.web.port` has conflicting definitions"), "{err}");
}
