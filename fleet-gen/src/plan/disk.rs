//! What the plan needs from the output directory, gathered once before anything is checked:
//! where each hand-written module is (`modules/<path>.nix` or `modules/<path>/default.nix`).

use super::ModuleOwners;
use crate::write::cache::Probe;
use fleet_dsl::Module;
use std::collections::HashMap;
use std::path::Path;

/// Generated files under `modules/` that hand-written modules must not take.
const RESERVED_MODULES: [&str; 8] =
    ["host-spec", "users", "users-darwin", "options", "secrets", "secrets-darwin", "home-manager", "overlays"];

/// Where a hand-written module was looked for, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Its path cannot be a module path (the reason).
    Invalid(&'static str),
    /// Neither file exists and it has no scaffold: the file and directory looked for.
    Missing {
        /// `<out>/modules/<path>.nix`.
        expected: String,
        /// `<out>/modules/<path>`.
        module_dir: String,
    },
    /// What imports it: the file (or its scaffold) or the directory, relative to the repository.
    Found(String),
}

/// The hand-written modules looked up in the output directory, and the look-ups made (for the
/// no-op cache, see [`crate::write::cache`]).
#[derive(Debug, Default)]
pub struct DiskFacts {
    lookups: HashMap<(String, String, bool), Lookup>,
    /// Every look-up made in the output directory, in order.
    pub probes: Vec<Probe>,
}

impl DiskFacts {
    /// Looks up every module the owners import (system modules under `modules/`, home modules
    /// under `home/modules/`), each path once.
    pub fn gather(owners: &ModuleOwners<'_>, home_owners: &ModuleOwners<'_>, out_dir: &Path) -> Self {
        let mut facts = DiskFacts::default();
        for (base, owners) in [("modules", owners), ("home/modules", home_owners)] {
            for m in owners.iter().flat_map(|(_, owned)| owned.iter()) {
                let key = (base.to_owned(), m.path.clone(), m.scaffold.is_some());
                if facts.lookups.contains_key(&key) {
                    continue;
                }
                let lookup = match check_module_path(&m.path, base == "modules") {
                    Err(reason) => Lookup::Invalid(reason),
                    Ok(()) => {
                        let file = format!("{base}/{}.nix", m.path);
                        let dir = format!("{base}/{}", m.path);
                        let mut probe = Probe::new(file.clone(), format!("{dir}/default.nix"), m.scaffold.is_some());
                        let chosen = probe.resolve(|rel| out_dir.join(rel).is_file());
                        facts.probes.push(probe);
                        match chosen {
                            Some(true) => Lookup::Found(file),
                            Some(false) => Lookup::Found(dir),
                            None => Lookup::Missing {
                                expected: format!("{}/{file}", out_dir.display()),
                                module_dir: format!("{}/{dir}", out_dir.display()),
                            },
                        }
                    }
                };
                facts.lookups.insert(key, lookup);
            }
        }
        facts
    }

    /// What was found for module `m` under `base` (`None`: it was not among the owners').
    pub fn lookup(&self, base: &str, m: &Module) -> Option<&Lookup> {
        self.lookups.get(&(base.to_owned(), m.path.clone(), m.scaffold.is_some()))
    }

    /// What imports module `m` under `base`, when it was found.
    pub fn import(&self, base: &str, m: &Module) -> Option<String> {
        match self.lookup(base, m)? {
            Lookup::Found(import) => Some(import.clone()),
            _ => None,
        }
    }
}

/// Why `path` cannot name a hand-written module (under `modules/` when `reserve_generated`).
pub(crate) fn check_module_path(path: &str, reserve_generated: bool) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("the path is empty");
    }
    if path.ends_with(".nix") {
        return Err("write the path without `.nix` (`desktop/gnome` means modules/desktop/gnome.nix)");
    }
    let segments_ok = path.split('/').all(|s| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    });
    if !segments_ok {
        return Err("use `/`-separated segments of letters, digits, `_`, `-` and `.` (no `..`, no absolute paths)");
    }
    let first = path.split('/').next().unwrap_or_default();
    if reserve_generated && RESERVED_MODULES.contains(&first) {
        return Err("the generator writes that path itself; choose another name");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_stay_inside_modules() {
        assert!(check_module_path("desktop/gnome", true).is_ok());
        for bad in ["", "../x", "/etc/x", "a//b", "users", "options/x", "x.nix", "a b"] {
            assert!(check_module_path(bad, true).is_err(), "{bad:?}");
        }
        assert!(check_module_path("users", false).is_ok(), "home modules have no generated neighbours");
    }
}
