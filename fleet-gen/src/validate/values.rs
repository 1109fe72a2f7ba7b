//! Values of profiles, hosts and homes: option paths parse and do not collide, raw Nix parses
//! and uses only what is in scope, packages are attribute paths, and default lists are flagged.

use super::Validator;
use crate::error::{Problem, Warning};
use crate::nix::{raw, scope};
use crate::plan::typed_leaves;
use fleet_dsl::Location;
use fleet_dsl::{AttrPath, Config, NixValue, Priority};

/// Options nixpkgs (or home-manager) defines itself at normal priority: a default list for
/// them is always dropped.
const NORMAL_PRIORITY_LISTS: [&str; 8] = [
    "environment.systemPackages",
    "fonts.packages",
    "environment.shells",
    "boot.kernelModules",
    "boot.initrd.availableKernelModules",
    "networking.firewall.allowedTCPPorts",
    "networking.firewall.allowedUDPPorts",
    "home.packages",
];

impl Validator {
    /// Option paths parse, values are sound, and no two paths of one file collide (items added
    /// to one list several times are joined, so they do not collide).
    pub(super) fn check_config(&mut self, owner: &str, config: &Config, generated: &[&str], args: &[&str]) {
        let mut paths: Vec<(AttrPath, String, Option<&Location>)> = Vec::new();
        for g in generated {
            if let Ok(p) = AttrPath::parse(g) {
                paths.push((p, (*g).to_owned(), None));
            }
        }
        let mut added: Vec<AttrPath> = Vec::new();
        for s in &config.settings {
            let before = self.problems.enter(&s.at);
            match AttrPath::parse(&s.path) {
                Ok(p) => {
                    if s.priority == Priority::Default {
                        self.check_default_lists(owner, &p.0, &s.value);
                    }
                    let joined = s.priority == Priority::Add && added.contains(&p);
                    if s.priority == Priority::Add && !joined {
                        added.push(p.clone());
                    }
                    if !joined {
                        paths.push((p, s.path.clone(), Some(&s.at)));
                    }
                }
                Err(e) => self.problems.push(Problem::OptionPath { owner: owner.to_owned(), error: e.to_string() }),
            }
            self.check_value(owner, &s.path, &s.value, args);
            self.problems.leave(before);
        }
        for t in &config.typed {
            let before = self.problems.enter(&t.at);
            for leaf in typed_leaves(t) {
                let shown = leaf.path.join(".");
                self.check_value(owner, &shown, leaf.value, args);
                paths.push((AttrPath(leaf.path.clone()), shown, Some(&t.at)));
            }
            self.problems.leave(before);
        }
        paths.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        for pair in paths.windows(2) {
            if pair[0].0.overlaps(&pair[1].0) {
                let problem = Problem::PathCollision {
                    owner: owner.to_owned(),
                    first: pair[0].1.clone(),
                    second: pair[1].1.clone(),
                };
                match pair[1].2.or(pair[0].2) {
                    Some(at) => self.problems.at(at, problem),
                    None => self.problems.push(problem),
                }
            }
        }
    }

    /// A list under `.default` (after splitting attribute sets into leaves): an error where
    /// nixpkgs defines the option itself, a warning elsewhere.
    fn check_default_lists(&mut self, owner: &str, path: &[String], value: &NixValue) {
        match value {
            NixValue::Attrs(map) if !map.is_empty() => {
                for (name, inner) in map {
                    let mut path = path.to_vec();
                    path.push(name.clone());
                    self.check_default_lists(owner, &path, inner);
                }
            }
            NixValue::List(_) => {
                let shown = path.join(".");
                let owner = owner.to_owned();
                if NORMAL_PRIORITY_LISTS.contains(&shown.as_str()) {
                    self.problems.push(Problem::DefaultListDropped { owner, path: shown });
                } else {
                    self.warnings.warn(&Warning::DefaultList { owner, path: shown });
                }
            }
            _ => {}
        }
    }

    /// One value: no NUL in its strings, raw Nix that parses and uses only `args` and
    /// builtins, packages that are attribute paths.
    pub(super) fn check_value(&mut self, owner: &str, path: &str, value: &NixValue, args: &[&str]) {
        let nul = match value {
            NixValue::Str(s) => s.contains('\0'),
            NixValue::Raw(r) => {
                self.check_raw(owner, path, &r.0, args);
                false
            }
            NixValue::Package(p) => {
                if let Err(error) = raw::package(&p.0) {
                    self.problems.push(Problem::Package { owner: owner.to_owned(), path: path.to_owned(), error });
                }
                false
            }
            NixValue::UnstablePackage(p) => {
                if let Err(error) = raw::package(&p.0) {
                    self.problems.push(Problem::Package { owner: owner.to_owned(), path: path.to_owned(), error });
                }
                false
            }
            NixValue::InputFile(f) => {
                if let Err(reason) = super::flake::check_input_file(&f.path) {
                    self.problems.push(Problem::InputFile {
                        owner: owner.to_owned(),
                        path: path.to_owned(),
                        input: f.input.name.clone(),
                        file: f.path.escape_debug().to_string(),
                        reason,
                    });
                }
                false
            }
            NixValue::List(items) => {
                items.iter().for_each(|i| self.check_value(owner, path, i, args));
                false
            }
            NixValue::Attrs(map) => {
                map.values().for_each(|v| self.check_value(owner, path, v, args));
                map.keys().any(|k| k.contains('\0'))
            }
            NixValue::SecretPath(link) => {
                // Homes are home-manager modules: their `config` has no `sops.secrets`.
                if args.contains(&"osConfig") {
                    self.problems.push(Problem::SecretPathInHome {
                        owner: owner.to_owned(),
                        path: path.to_owned(),
                        secret: link.name.clone(),
                    });
                }
                false
            }
            NixValue::Null | NixValue::Bool(_) | NixValue::Int(_) => false,
        };
        if nul {
            let field = format!("the value of `{}`", crate::shown::shown(path));
            self.problems.push(Problem::NulInString { owner: owner.to_owned(), field });
        }
    }

    fn check_raw(&mut self, owner: &str, path: &str, text: &str, args: &[&str]) {
        let expr = match raw::parse(text) {
            Ok(e) => e,
            Err(e) => {
                self.problems.push(Problem::RawNix {
                    owner: owner.to_owned(),
                    path: path.to_owned(),
                    error: e.to_string(),
                });
                return;
            }
        };
        for name in scope::free_variables(&expr).outside_with {
            if !args.contains(&name.as_str()) {
                self.problems.push(Problem::UndefinedVariable {
                    owner: owner.to_owned(),
                    path: path.to_owned(),
                    name,
                    in_scope: args.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "),
                });
            }
        }
    }
}

/// Whether raw Nix among the config's values reads `name` as a free variable.
pub(super) fn reads_variable(config: &Config, name: &str) -> bool {
    fn value_reads(v: &NixValue, name: &str) -> bool {
        match v {
            NixValue::Raw(r) => raw::parse(&r.0).is_ok_and(|e| scope::free_variables(&e).all().any(|f| f == name)),
            NixValue::List(items) => items.iter().any(|i| value_reads(i, name)),
            NixValue::Attrs(map) => map.values().any(|i| value_reads(i, name)),
            _ => false,
        }
    }
    config.settings.iter().any(|s| value_reads(&s.value, name))
        || config.typed.iter().any(|t| t.values.values().any(|v| value_reads(v, name)))
}
