//! Validation: every problem of a fleet at once, before anything is written.

mod collector;
mod deploy;
pub(crate) mod flake;
pub(crate) mod machine;
mod secrets;
mod text;
mod values;

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Problem, Problems};
use crate::nix::scope::SYSTEM_ARGS;
use crate::plan::disk::{DiskFacts, Lookup};
use crate::plan::resolve::resolve;
use crate::plan::{HostPlan, ModuleOwners, Plan, UserPlan};
use crate::write::cache::Probe;
use collector::Diagnostics;
pub(crate) use fleet_dsl::rules::names::{check_hostname, is_login_name as is_user_name};
pub(crate) use fleet_dsl::rules::store::in_nix_store;
use fleet_dsl::{FleetData, HostData, Module, Os, ProfileData, StateVersion};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Resolves the fleet into its plan (looking up hand-written modules in the output directory,
/// the only disk access) and checks the plan.
pub fn validate<'a>(fleet: &'a FleetData, out_dir: &Path) -> Result<Plan<'a>, Problems> {
    validate_recorded(fleet, out_dir).map(|(plan, _)| plan)
}

/// [`validate`], also returning the look-ups made in the output directory, so a later run can
/// tell whether their answers changed.
pub fn validate_recorded<'a>(fleet: &'a FleetData, out_dir: &Path) -> Result<(Plan<'a>, Vec<Probe>), Problems> {
    let mut plan = resolve(fleet, out_dir);
    let diagnostics = check(&plan);
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.into_iter().partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(Problems(errors));
    }
    plan.warnings = warnings;
    let probes = std::mem::take(&mut plan.disk.probes);
    Ok((plan, probes))
}

/// Every problem and warning of a resolved fleet: a pure function of the plan.
pub fn check(plan: &Plan<'_>) -> Vec<Diagnostic> {
    let mut v = Validator { problems: Diagnostics::default(), warnings: Diagnostics::default() };
    v.run(plan);
    let mut out = v.problems.list;
    out.extend(v.warnings.list);
    out
}

struct Validator {
    problems: Diagnostics,
    warnings: Diagnostics,
}

impl Validator {
    fn run(&mut self, plan: &Plan<'_>) {
        let fleet = plan.fleet;
        self.problems.enter(&fleet.at);
        self.warnings.enter(&fleet.at);
        if !is_fleet_name(&fleet.name) {
            self.problems.push(Problem::FleetName { name: fleet.name.clone() });
        }
        if fleet.hosts.is_empty() {
            self.problems.push(Problem::NoHosts { fleet: fleet.name.clone() });
        }
        if !is_release(&fleet.nixos_state_version) {
            let version = fleet.nixos_state_version.clone();
            self.problems.push(Problem::StateVersion { host: "fleet default".into(), version });
        }
        self.check_host_names(fleet);
        self.check_profile_names(fleet);
        for p in &plan.profiles {
            self.check_profile(p);
        }
        self.check_texts(fleet, &plan.profiles);
        self.check_users(plan);
        self.check_option_sets(fleet, &plan.profiles);
        let (owners, home_owners) = crate::plan::resolve::module_owners(fleet, &plan.profiles, &plan.users);
        self.check_modules(&owners, "modules", &plan.disk);
        self.check_modules(&home_owners, "home/modules", &plan.disk);
        self.check_homes(&plan.users);
        self.check_standalone_homes(fleet);

        let required: Vec<&str> =
            fleet.spec.options.iter().filter(|o| o.effective_default().is_none()).map(|o| o.name.as_str()).collect();
        for h in &plan.hosts {
            self.check_host(fleet, h, &required);
        }
        self.check_secrets(fleet, &plan.hosts);
        self.check_deployment(&plan.hosts);
        let needs = flake::Needs {
            secrets: plan.secrets.is_some(),
            colmena: plan.colmena,
            home: plan.users.iter().any(|u| u.user.home.is_some()),
        };
        self.check_flake(fleet, plan, needs);
    }

    fn check_host_names(&mut self, fleet: &FleetData) {
        let mut counts: IndexMap<&str, (usize, &HostData)> = IndexMap::new();
        for h in &fleet.hosts {
            counts.entry(h.name.as_str()).or_insert((0, h)).0 += 1;
        }
        let mut folded: HashMap<String, &str> = HashMap::new();
        for (host, (count, first)) in counts {
            let before = self.problems.enter(&first.at);
            if count > 1 {
                self.problems.push(Problem::DuplicateHost { host: host.to_owned(), count });
            }
            if let Err(reason) = check_hostname(host) {
                self.problems.push(Problem::HostName { host: host.to_owned(), reason });
            } else if host.eq_ignore_ascii_case("common") {
                let reason =
                    "it is `common`, the name of the secrets file every host can decrypt (secrets/common.yaml)";
                self.problems.push(Problem::HostName { host: host.to_owned(), reason });
            }
            if let Some(first) = folded.insert(host.to_ascii_lowercase(), host) {
                self.problems.push(Problem::HostCase { first: first.to_owned(), second: host.to_owned() });
            }
            self.problems.leave(before);
        }
    }

    fn check_host(&mut self, fleet: &FleetData, hp: &HostPlan<'_>, required: &[&str]) {
        let h = hp.host;
        let before = self.problems.enter(&h.at);
        let before_warnings = self.warnings.enter(&h.at);
        let owner = format!("host `{}`", h.name);
        if h.system.os() != h.os {
            let (host, os, system) = (h.name.clone(), h.os.label(), h.system.as_str());
            self.problems.push(Problem::SystemMismatch { host, os, system });
        }
        if h.spec.is_none() && !required.is_empty() {
            self.problems.push(Problem::MissingSpec {
                host: h.name.clone(),
                spec: fleet.spec.rust_name.clone(),
                fields: required.join(", "),
            });
        }
        for (name, value) in &hp.spec {
            self.check_value(&owner, &format!("hostSpec.{name}"), value, SYSTEM_ARGS);
        }
        if let StateVersion::Nixos(version) = &hp.state_version {
            if h.state_version.is_some() && !is_release(version) {
                self.problems.push(Problem::StateVersion { host: h.name.clone(), version: version.clone() });
            }
        }

        let mut generated = vec!["imports", "networking.hostName", "nixpkgs.hostPlatform", "system.stateVersion"];
        if !hp.spec.is_empty() {
            generated.push("hostSpec");
        }
        for p in &hp.profiles {
            for (user, _) in &p.user_groups {
                if !hp.users.contains(&user.as_str()) {
                    self.problems.push(Problem::GroupsForAbsentUser {
                        profile: p.name.clone(),
                        user: user.clone(),
                        host: h.name.clone(),
                    });
                }
            }
        }
        if h.os == Os::Darwin && !hp.users.is_empty() {
            generated.push("system.primaryUser");
        }
        if !h.secrets.is_empty() {
            generated.push("sops.secrets");
        }
        if let Some(file) = &h.age_key_file {
            generated.push("sops.age");
            if !file.starts_with('/') || in_nix_store(file) || file.contains(['\n', '\0']) {
                self.problems.push(Problem::Deployment {
                    host: h.name.clone(),
                    what: format!("age key file `{file}` must be an absolute path outside the Nix store"),
                });
            }
        }
        if !hp.trusted_users.is_empty() {
            generated.push("nix.settings.trusted-users");
        }
        if h.auto_upgrade.is_some() {
            generated.push(match h.os {
                Os::Nixos => "system.autoUpgrade",
                Os::Darwin => "launchd.daemons.fleet-auto-upgrade",
            });
        }
        self.check_machine(h);
        if !hp.builders.is_empty() {
            generated.extend(["nix.buildMachines", "nix.distributedBuilds"]);
        }
        self.check_host_homes(hp, &mut generated);
        self.check_config(&owner, &h.config, &generated, SYSTEM_ARGS);
        self.problems.leave(before);
        self.warnings.leave(before_warnings);
    }

    fn check_profile(&mut self, p: &ProfileData) {
        let before = self.problems.enter(&p.at);
        let before_warnings = self.warnings.enter(&p.at);
        if !is_profile_name(&p.name) {
            self.problems.push(Problem::ProfileName { profile: p.name.clone() });
        }
        let owner = format!("profile `{}`", p.name);
        let mut generated = vec!["imports".to_owned()];
        if !p.users.is_empty() {
            generated.push("fleet.users".to_owned());
        }
        if !p.secrets.is_empty() {
            generated.push("sops.secrets".to_owned());
        }
        for (user, groups) in &p.user_groups {
            generated.push(format!("users.users.\"{}\".extraGroups", user.replace('\\', "\\\\").replace('"', "\\\"")));
            for group in groups.iter().filter(|g| !is_user_name(g)) {
                self.problems.push(Problem::UserField {
                    user: user.clone(),
                    what: format!("group `{group}` from profile `{}`, which is not a group name (lowercase letters, digits, `_`, `-`)", p.name),
                });
            }
        }
        if !p.groups_for_users.is_empty() {
            // One binding holds them all (with the per-user groups, when there are both).
            generated.retain(|g| !g.starts_with("users.users."));
            generated.push("users.users".to_owned());
        }
        for group in p.groups_for_users.iter().filter(|g| !is_user_name(g)) {
            self.problems.push(Problem::ProfileGroup { profile: p.name.clone(), group: group.clone() });
        }
        let generated: Vec<&str> = generated.iter().map(String::as_str).collect();
        self.check_config(&owner, &p.config, &generated, SYSTEM_ARGS);
        self.problems.leave(before);
        self.warnings.leave(before_warnings);
    }

    /// Two different profiles of one name, anywhere in the hosts' import graphs.
    fn check_profile_names(&mut self, fleet: &FleetData) {
        let mut seen: IndexMap<&str, &Arc<ProfileData>> = IndexMap::new();
        let mut reported = HashSet::new();
        let mut stack: Vec<&Arc<ProfileData>> = Vec::new();
        for h in &fleet.hosts {
            stack.extend(h.profiles.iter().rev());
            while let Some(p) = stack.pop() {
                match seen.get(p.name.as_str()) {
                    Some(known) => {
                        if !Arc::ptr_eq(known, p) && known.as_ref() != p.as_ref() && reported.insert(p.name.as_str()) {
                            self.problems.at(&p.at, Problem::DuplicateProfile { profile: p.name.clone() });
                        }
                    }
                    None => {
                        seen.insert(p.name.as_str(), p);
                        stack.extend(p.imports.iter().rev());
                    }
                }
            }
        }
    }

    /// Users: one definition per name, valid names, descriptions, groups and keys.
    fn check_users(&mut self, plan: &Plan<'_>) {
        let (fleet, users) = (plan.fleet, &plan.users);
        let mut first: IndexMap<&str, (&fleet_dsl::User, String)> = IndexMap::new();
        let mut reported = HashSet::new();
        let attached = plan.hosts.iter().flat_map(|h| {
            h.profiles.iter().flat_map(|p| p.users.iter().map(move |u| (p.name.clone(), p.name.clone(), u)))
        });
        let standalone = fleet
            .standalone_homes
            .iter()
            .map(|sh| ("standalone homes".to_owned(), format!("standalone home {}", sh.name()), &sh.user));
        for (place, named, u) in attached.chain(standalone) {
            let entry = first.entry(u.name.as_str()).or_insert((u, place));
            if entry.0 != u && reported.insert(u.name.as_str()) {
                let (user, first, second) = (u.name.clone(), entry.1.clone(), named);
                self.problems.at(&u.at, Problem::DuplicateUser { user, first, second });
            }
        }
        let profile_of = |name: &str| first.get(name).map(|(_, p)| p.clone()).unwrap_or_default();
        let users: IndexMap<&str, (&UserPlan<'_>, String)> =
            users.iter().map(|u| (u.user.name.as_str(), (u, profile_of(&u.user.name)))).collect();
        let mut named = HashSet::new();
        for (name, (entry, profile)) in &users {
            let before = self.problems.enter(&entry.user.at);
            if !is_user_name(name) && named.insert(*name) {
                let (user, profile) = ((*name).to_owned(), profile.clone());
                self.problems.push(Problem::UserName { user, profile });
            }
            if let Some(d) = entry.user.description.as_deref().filter(|d| d.contains(['\n', '\r', ':'])) {
                let shown: String = d.chars().take(40).collect::<String>().escape_debug().collect();
                self.problems.push(Problem::UserField {
                    user: (*name).to_owned(),
                    what: format!("description `{shown}`, which holds a newline or a colon: /etc/passwd cannot (NixOS rejects it); use one line without `:`"),
                });
            }
            for group in entry.user.groups.iter().filter(|g| !is_user_name(g)) {
                self.problems.push(Problem::UserField {
                    user: (*name).to_owned(),
                    what: format!("group `{group}`, which is not a group name (lowercase letters, digits, `_`, `-`)"),
                });
            }
            for key in &entry.user.ssh_keys {
                let known =
                    ["ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-", "sk-ssh-ed25519@openssh.com ", "sk-ecdsa-sha2-"];
                if !known.iter().any(|k| key.starts_with(k)) || key.contains(['\n', '\r']) {
                    let shown: String = key.chars().take(24).collect::<String>().escape_debug().collect();
                    self.problems.push(Problem::UserField {
                        user: (*name).to_owned(),
                        what: format!("ssh key `{shown}…`, which is not one OpenSSH public key line (`ssh-ed25519 AAAA… comment`)"),
                    });
                }
            }
            self.problems.leave(before);
        }
    }

    /// One option type per typed option path.
    fn check_option_sets(&mut self, fleet: &FleetData, profiles: &[&ProfileData]) {
        let configs = profiles.iter().map(|p| &p.config).chain(fleet.hosts.iter().map(|h| &h.config));
        let mut sets: IndexMap<&str, &fleet_dsl::TypedSetting> = IndexMap::new();
        for t in configs.flat_map(|c| &c.typed) {
            match sets.get(t.path.as_str()) {
                Some(known) if known.options != t.options => self.problems.at(
                    &t.at,
                    Problem::ConflictingOptions {
                        path: t.path.clone(),
                        first: known.options.rust_name.clone(),
                        second: t.options.rust_name.clone(),
                    },
                ),
                Some(_) => {}
                None => {
                    sets.insert(t.path.as_str(), t);
                }
            }
        }
    }

    /// The hand-written modules `owners` import under `base` (`modules` or `home/modules`):
    /// paths that can be module paths, found in the output directory or scaffolded, one
    /// scaffold per path.
    fn check_modules(&mut self, owners: &ModuleOwners<'_>, base: &str, disk: &DiskFacts) {
        let mut scaffolds: HashMap<&str, &Module> = HashMap::new();
        let mut found: HashSet<&str> = HashSet::new();
        for (owner, owned) in owners {
            for m in owned.iter() {
                let before = self.problems.enter(&m.at);
                if let Some(prev) = scaffolds.get(m.path.as_str()) {
                    if prev.scaffold.is_some() && m.scaffold.is_some() && prev.scaffold != m.scaffold {
                        self.problems.push(Problem::ConflictingScaffold { module: m.path.clone() });
                    }
                }
                if m.scaffold.is_some() || !scaffolds.contains_key(m.path.as_str()) {
                    scaffolds.insert(m.path.as_str(), m);
                }
                if !found.contains(m.path.as_str()) {
                    let module = m.path.clone();
                    match disk.lookup(base, m) {
                        Some(Lookup::Found(_)) => {
                            found.insert(m.path.as_str());
                        }
                        Some(Lookup::Invalid(reason)) => {
                            self.problems.push(Problem::ModulePath { owner: owner.clone(), module, reason });
                        }
                        Some(Lookup::Missing { expected, module_dir }) => {
                            let (expected, module_dir) = (expected.clone(), module_dir.clone());
                            self.problems.push(Problem::UnknownModule {
                                owner: owner.clone(),
                                module,
                                expected,
                                module_dir,
                            });
                        }
                        None => {}
                    }
                }
                self.problems.leave(before);
            }
        }
    }
}

fn is_fleet_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_profile_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

pub(crate) fn is_release(v: &str) -> bool {
    let mut parts = v.split('.');
    let ok = |p: Option<&str>| p.is_some_and(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases() {
        assert!(is_release("24.05"));
        assert!(!is_release("24.5"));
        assert!(!is_release("unstable"));
    }
}
