//! The flake beyond the hosts: extra inputs (their names, URLs, `follows`, the modules and files
//! taken from them), packages from nixpkgs-unstable, fleet overlays, extra outputs and the
//! deploy/rollback apps.

use super::Validator;
use crate::diagnostic::Diagnostics;
use crate::error::Problem;
use crate::nix::{raw, scope};
use crate::plan::{FlakePlan, ModuleFile};
use fleet_dsl::{Channel, Config, FleetData, InputData, NixValue, Os, ProfileData, Target};
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

/// Where the values of the fleet are, with their owners: every profile, every host (its spec,
/// values and homes), the users' homes and the fleet's overlays.
fn value_owners<'a>(fleet: &'a FleetData, profiles: &[&'a ProfileData]) -> Vec<(String, Option<Os>, &'a Config)> {
    let mut out: Vec<(String, Option<Os>, &'a Config)> = Vec::new();
    for p in profiles {
        let os = match p.target {
            Target::Any => None,
            Target::Only(os) => Some(os),
        };
        out.push((format!("profile `{}`", p.name), os, &p.config));
        for u in &p.users {
            if let Some(home) = &u.home {
                out.push((format!("the home of user `{}`", u.name), None, &home.config));
            }
        }
    }
    for h in &fleet.hosts {
        out.push((format!("host `{}`", h.name), Some(h.os), &h.config));
        for (user, home) in &h.homes {
            out.push((format!("host `{}`, home of user `{user}`", h.name), None, &home.config));
        }
    }
    out
}

/// Calls `f` on `value` and every value inside it.
fn walk<'a>(value: &'a NixValue, f: &mut impl FnMut(&'a NixValue)) {
    f(value);
    match value {
        NixValue::List(items) => items.iter().for_each(|i| walk(i, f)),
        NixValue::Attrs(map) => map.values().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// Every value of a config: untyped and typed.
fn config_values(config: &Config) -> impl Iterator<Item = &NixValue> {
    config.settings.iter().map(|s| &s.value).chain(config.typed.iter().flat_map(|t| t.values.values()))
}

impl Validator {
    /// Checks inputs, input modules and files, outputs, and resolves what the flake needs.
    pub(super) fn check_flake<'a>(
        &mut self,
        fleet: &'a FleetData,
        profiles: &[&'a ProfileData],
        modules: &[ModuleFile<'a>],
        needs: Needs,
    ) -> FlakePlan<'a> {
        let owners = value_owners(fleet, profiles);
        // Inputs in first-use order: modules, then values; then the outputs' values.
        let mut used: IndexMap<&'a str, &'a Arc<InputData>> = IndexMap::new();
        let mut uses = |input: &'a Arc<InputData>, problems: &mut Diagnostics| match used.get(input.name.as_str()) {
            Some(known) if known.as_ref() != input.as_ref() => {
                let (first, second) = (known.url.clone(), input.url.clone());
                problems
                    .push_once(Some(&input.at), Problem::DuplicateInput { input: input.name.clone(), first, second });
            }
            Some(_) => {}
            None => {
                used.insert(input.name.as_str(), input);
            }
        };
        let mut unstable_overlay = false;
        for (owner, os, config) in &owners {
            for m in &config.input_modules {
                uses(&m.input, &mut self.problems);
                self.check_input_module(owner, *os, m);
            }
            for v in config_values(config) {
                walk(v, &mut |v| match v {
                    NixValue::InputFile(f) => uses(&f.input, &mut self.problems),
                    NixValue::UnstablePackage(_) => unstable_overlay = true,
                    _ => {}
                });
            }
        }
        for h in &fleet.hosts {
            for v in h.spec.iter().flat_map(|s| s.values()) {
                walk(v, &mut |v| match v {
                    NixValue::InputFile(f) => uses(&f.input, &mut self.problems),
                    NixValue::UnstablePackage(_) => unstable_overlay = true,
                    _ => {}
                });
            }
        }
        for o in &fleet.overlays {
            self.check_value("the fleet", "nixpkgs.overlays", o, scope::SYSTEM_ARGS);
            walk(o, &mut |v| match v {
                NixValue::InputFile(f) => uses(&f.input, &mut self.problems),
                NixValue::UnstablePackage(_) => unstable_overlay = true,
                _ => {}
            });
        }
        let outputs = &fleet.outputs;
        let mut unstable_outputs = false;
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
                walk(value, &mut |v| match v {
                    NixValue::InputFile(f) => uses(&f.input, &mut self.problems),
                    NixValue::UnstablePackage(_) => unstable_outputs = true,
                    _ => {}
                });
            }
        }
        let mut seen = Vec::new();
        let mut exports = Vec::new();
        for (name, module) in &outputs.nixos_modules {
            self.check_output_name("exported module", name, &mut seen);
            // Resolved with the other hand-written modules (collect_modules reported a missing one).
            if let Some(file) = modules.iter().find(|f| f.path == module.path) {
                exports.push((name.as_str(), file.import.clone()));
            }
        }
        let inputs: Vec<&'a InputData> = used.into_values().map(AsRef::as_ref).collect();
        let unstable = unstable_overlay || unstable_outputs;
        let emitted = emitted_generator_inputs(fleet, needs, unstable);
        for input in &inputs {
            self.check_input(input, &inputs, &emitted);
        }
        FlakePlan { inputs, unstable_overlay, unstable_outputs, exports }
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
