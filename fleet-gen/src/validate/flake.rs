//! The flake beyond the hosts: extra inputs (their names, URLs, `follows`, the modules and files
//! taken from them), packages from nixpkgs-unstable, fleet overlays, extra outputs and the
//! deploy/rollback apps.

use super::Validator;
use crate::error::Problem;
use crate::nix::{raw, scope};
use crate::plan::resolve::{input_references, value_owners};
use crate::plan::Plan;
use fleet_dsl::{Channel, FleetData, InputData, Os, Target};
use indexmap::IndexMap;
use std::sync::Arc;

/// The inputs the generator declares itself: an extra input may not take their names.
pub const GENERATOR_INPUTS: [&str; 11] = [
    "nixpkgs",
    "nixpkgs-unstable",
    "nixpkgs-darwin",
    "flake-parts",
    "nix-darwin",
    "nix-darwin-unstable",
    "home-manager",
    "home-manager-unstable",
    "sops-nix",
    "disko",
    "colmena",
];

/// Arguments of a `perSystem` function and of the flake-parts module around it, which the
/// values of extra outputs may use.
pub const OUTPUT_ARGS: &[&str] = &["config", "inputs", "inputs'", "lib", "pkgs", "self", "self'", "system"];

impl Validator {
    /// Checks inputs (one per name; names, URLs, `follows`), the modules and files taken from
    /// them, the fleet's overlays and its extra outputs.
    pub(super) fn check_flake(&mut self, fleet: &FleetData, plan: &Plan<'_>, needs: Needs) {
        let mut first: IndexMap<&str, &Arc<InputData>> = IndexMap::new();
        for input in input_references(fleet, &plan.profiles) {
            match first.get(input.name.as_str()) {
                Some(known) if known.as_ref() != input.as_ref() => {
                    let (first, second) = (known.url.clone(), input.url.clone());
                    let problem = Problem::DuplicateInput { input: input.name.clone(), first, second };
                    self.problems.push_once(Some(&input.at), problem);
                }
                Some(_) => {}
                None => {
                    first.insert(input.name.as_str(), input);
                }
            }
        }
        for (owner, os, config) in &value_owners(fleet, &plan.profiles) {
            for m in &config.input_modules {
                self.check_input_module(owner, *os, m);
            }
        }
        for o in &fleet.overlays {
            self.check_value("the fleet", "nixpkgs.overlays", o, scope::SYSTEM_ARGS);
        }
        let outputs = &fleet.outputs;
        for (kind, attr, list) in [
            ("dev shell", "devShells", &outputs.dev_shells),
            ("package", "packages", &outputs.packages),
            ("check", "checks", &outputs.checks),
        ] {
            let mut seen: Vec<&str> = Vec::new();
            if kind == "dev shell" {
                seen.push("default");
            }
            for (name, value) in list {
                self.check_output_name(kind, name, &mut seen);
                self.check_value(
                    &format!("the fleet's {kind} `{name}`"),
                    &format!("{attr}.{name}"),
                    value,
                    OUTPUT_ARGS,
                );
            }
        }
        let mut seen = Vec::new();
        for (name, _) in &outputs.nixos_modules {
            self.check_output_name("exported module", name, &mut seen);
        }
        let unstable = plan.flake.unstable_overlay || plan.flake.unstable_outputs;
        let emitted = emitted_generator_inputs(fleet, needs, unstable);
        for input in &plan.flake.inputs {
            self.check_input(input, &plan.flake.inputs, &emitted);
        }
    }

    fn check_output_name<'n>(&mut self, kind: &'static str, name: &'n str, seen: &mut Vec<&'n str>) {
        let reason = if !is_input_name(name) {
            Some("is not a flake attribute name: use letters, digits, `-` and `_`, starting with a letter or `_`")
        } else if seen.contains(&name) {
            Some(if name == "default" && kind == "dev shell" {
                "is the generated default shell (sops, age, the formatter): give yours another name"
            } else {
                "is declared twice: give each its own name"
            })
        } else {
            None
        };
        if let Some(reason) = reason {
            let shown = name.escape_debug().to_string();
            self.problems.push_once(None, Problem::FlakeOutput { kind, name: shown, reason });
        }
        seen.push(name);
    }

    fn check_input(&mut self, input: &InputData, all: &[&InputData], emitted: &[&str]) {
        let name = &input.name;
        if !is_input_name(name) {
            self.problems.push(Problem::InputName {
                input: name.escape_debug().to_string(),
                reason: "use letters, digits, `-` and `_`, starting with a letter or `_`",
            });
        } else if GENERATOR_INPUTS.contains(&name.as_str()) || name == "self" {
            self.problems.push(Problem::InputName {
                input: name.clone(),
                reason: "the generator declares an input of that name itself (nixpkgs, nixpkgs-unstable, nixpkgs-darwin, flake-parts, nix-darwin, nix-darwin-unstable, home-manager, home-manager-unstable, sops-nix, disko, colmena); to change its URL use `Fleet::inputs(Inputs { .. })`, else choose another name",
            });
        }
        let url_problem = if input.url.is_empty() {
            Some("is empty")
        } else if input.url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("contains whitespace or control characters")
        } else {
            None
        };
        if let Some(reason) = url_problem {
            let url = input.url.escape_debug().to_string();
            self.problems.push(Problem::InputUrl { input: name.escape_debug().to_string(), url, reason });
        }
        for f in &input.follows {
            let target = f.target.as_deref().unwrap_or("nixpkgs");
            let reason = if !is_input_name(&f.input) {
                Some("the overridden input's name is not an input name (letters, digits, `-`, `_`)".to_owned())
            } else if !input.flake {
                Some("the input is not a flake (`.not_flake()`), so it has no inputs to override".to_owned())
            } else if !emitted.contains(&target) && !all.iter().any(|i| i.name == target) {
                Some(format!(
                    "this fleet's flake has no input `{target}` (it declares {}{}): follow one of those",
                    emitted.join(", "),
                    all.iter().map(|i| format!(", {}", i.name)).collect::<String>()
                ))
            } else if target == input.name {
                Some("an input cannot follow itself".to_owned())
            } else {
                None
            };
            if let Some(reason) = reason {
                self.problems.push(Problem::InputFollows {
                    input: name.escape_debug().to_string(),
                    follows: f.input.escape_debug().to_string(),
                    target: target.escape_debug().to_string(),
                    reason,
                });
            }
        }
    }

    fn check_input_module(&mut self, owner: &str, os: Option<Os>, m: &fleet_dsl::InputModuleData) {
        let fail = |reason: String| Problem::InputModule {
            owner: owner.to_owned(),
            input: m.input.name.escape_debug().to_string(),
            path: m.path.escape_debug().to_string(),
            reason,
        };
        let problem = if let Err(e) = raw::package(&m.path) {
            let e = e.replace("package", "the module path").replace("of nixpkgs", "of the input");
            Some(fail(format!("{e}: write it like `nixosModules.framework-16-7040-amd`")))
        } else if !m.input.flake {
            Some(fail(
                "the input is not a flake (`.not_flake()`), so it has no modules: import a file of it as a value with `.file(..)`, or drop `.not_flake()`".to_owned(),
            ))
        } else {
            let first = m.path.split('.').next().unwrap_or_default();
            let wrong = match (first, os) {
                ("nixosModules", Some(Os::Darwin) | None) if m.target == Target::Any => Some("nix-darwin"),
                ("darwinModules", Some(Os::Nixos) | None) if m.target == Target::Any => Some("NixOS"),
                _ => None,
            };
            wrong.map(|platform| {
                let place = if os.is_none() { "a profile for every platform" } else { "a host or profile" };
                fail(format!(
                    "`{first}` are for one platform and this is {place} that reaches {platform} hosts: import it on a profile or host of the module's platform (`nixos_module(..)` / `darwin_module(..)` make the compiler check it)"
                ))
            })
        };
        if let Some(p) = problem {
            self.problems.push(p);
        }
    }
}

/// What of the generator's own the fleet uses, besides its hosts' channels.
#[derive(Clone, Copy, Debug)]
pub(super) struct Needs {
    /// Some host reads secrets (sops-nix).
    pub secrets: bool,
    /// Colmena deploys some host.
    pub colmena: bool,
    /// Some user has a home (home-manager).
    pub home: bool,
}

/// The generator's inputs `flake.nix` declares for this fleet (what `render::flake` emits).
fn emitted_generator_inputs(fleet: &FleetData, needs: Needs, unstable: bool) -> Vec<&'static str> {
    let nixpkgs = |os: Os, channel: Channel| match (os, channel) {
        (Os::Nixos, Channel::Stable) => "nixpkgs",
        (Os::Darwin, Channel::Stable) => "nixpkgs-darwin",
        (_, Channel::Unstable) => "nixpkgs-unstable",
    };
    let mut out: Vec<&'static str> = Vec::new();
    let mut push = |name: &'static str| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    let builds = |name: &str| fleet.hosts.iter().any(|h| nixpkgs(h.os, h.channel) == name);
    if builds("nixpkgs") || !(builds("nixpkgs-unstable") || builds("nixpkgs-darwin")) {
        push("nixpkgs");
    }
    if builds("nixpkgs-unstable") || unstable {
        push("nixpkgs-unstable");
    }
    if builds("nixpkgs-darwin") {
        push("nixpkgs-darwin");
    }
    push("flake-parts");
    for h in fleet.hosts.iter().filter(|h| h.os == Os::Darwin) {
        push(match h.channel {
            Channel::Stable => "nix-darwin",
            Channel::Unstable => "nix-darwin-unstable",
        });
    }
    if needs.secrets {
        push("sops-nix");
    }
    if needs.home {
        for h in &fleet.hosts {
            push(match h.channel {
                Channel::Stable => "home-manager",
                Channel::Unstable => "home-manager-unstable",
            });
        }
    }
    if fleet.hosts.iter().any(|h| !h.disks.is_empty()) {
        push("disko");
    }
    if needs.colmena {
        push("colmena");
    }
    out
}

/// A file path inside an input: relative, without `..`, without control characters.
pub(crate) fn check_input_file(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    if path.starts_with('/') {
        return Err("is absolute");
    }
    if path.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if path.split('/').any(|s| s == ".." || s.is_empty()) {
        return Err("has an empty or `..` segment");
    }
    Ok(())
}

/// Letters, digits, `-` and `_`, starting with a letter or `_`: a flake input or output name
/// that needs no quoting.
pub(crate) fn is_input_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_names_and_files() {
        assert!(is_input_name("nixos-hardware") && is_input_name("nix_secrets") && is_input_name("a1"));
        for bad in ["", "1a", "-a", "a.b", "a b", "a\"b", "${x}"] {
            assert!(!is_input_name(bad), "{bad:?}");
        }
        assert!(check_input_file("secrets.yaml").is_ok() && check_input_file("hosts/a.yaml").is_ok());
        for bad in ["", "/etc/x", "../x", "a//b", "a/../b", "a\nb", "a\0b"] {
            assert!(check_input_file(bad).is_err(), "{bad:?}");
        }
    }
}
