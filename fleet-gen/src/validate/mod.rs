//! Validation: every problem of a fleet at once, before anything is written.

mod deploy;
pub(crate) mod flake;
pub(crate) mod machine;
mod secrets;
mod text;
mod values;

use crate::diagnostic::Diagnostics;
use crate::error::{Problem, Problems};
use crate::nix::scope::SYSTEM_ARGS;
use crate::plan::{HostPlan, ModuleFile, OptionSetPlan, UserPlan, Plan};
use crate::write::cache::Probe;
pub(crate) use fleet_dsl::rules::names::{check_hostname, is_login_name as is_user_name};
pub(crate) use fleet_dsl::rules::store::in_nix_store;
use fleet_dsl::{FleetData, HostData, Module, Os, ProfileData, StateVersion};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Generated files under `modules/` that hand-written modules must not take.
const RESERVED_MODULES: [&str; 8] =
    ["host-spec", "users", "users-darwin", "options", "secrets", "secrets-darwin", "home-manager", "overlays"];

/// Checks the fleet against the output directory (for hand-written modules) and builds the view.
pub fn validate<'a>(fleet: &'a FleetData, out_dir: &Path) -> Result<Plan<'a>, Problems> {
    validate_recorded(fleet, out_dir).map(|(view, _)| view)
}

/// [`validate`], also returning the look-ups it made in the output directory, so a later run
/// can tell whether their answers changed.
pub fn validate_recorded<'a>(fleet: &'a FleetData, out_dir: &Path) -> Result<(Plan<'a>, Vec<Probe>), Problems> {
    let mut v = Validator { problems: Diagnostics::default(), probes: Vec::new(), warnings: Diagnostics::default() };
    let view = v.run(fleet, out_dir);
    if !v.problems.has_errors() {
        Ok((view, v.probes))
    } else {
        Err(Problems(v.problems.list))
    }
}

struct Validator {
    problems: Diagnostics,
    probes: Vec<Probe>,
    warnings: Diagnostics,
}

impl Validator {
    fn run<'a>(&mut self, fleet: &'a FleetData, out_dir: &Path) -> Plan<'a> {
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

        let profiles = self.collect_profiles(fleet);
        for p in &profiles {
            self.check_profile(p);
        }
        self.check_texts(fleet, &profiles);
        let users = self.collect_users(fleet);
        let option_sets = self.collect_option_sets(fleet, &profiles);
        let owners = profiles
            .iter()
            .map(|p| (format!("profile `{}`", p.name), p.config.modules.as_slice()))
            .chain(fleet.hosts.iter().map(|h| (format!("host `{}`", h.name), h.config.modules.as_slice())))
            .chain(fleet.outputs.nixos_modules.iter().map(|(name, m)| {
                (format!("the fleet's exported module `{}`", name.escape_debug()), std::slice::from_ref(m))
            }))
            .collect();
        let modules = self.collect_modules(owners, "modules", out_dir);
        let home_owners = users
            .iter()
            .filter_map(|u| {
                Some((format!("the home of user `{}`", u.user.name), u.user.home.as_ref()?.config.modules.as_slice()))
            })
            .chain(fleet.hosts.iter().flat_map(|h| {
                h.homes.iter().map(|(user, home)| {
                    (format!("host `{}`, home of user `{user}`", h.name), home.config.modules.as_slice())
                })
            }))
            .chain(
                fleet
                    .standalone_homes
                    .iter()
                    .map(|sh| (format!("standalone home `{}`", sh.name()), sh.home.config.modules.as_slice())),
            )
            .collect();
        let home_modules = self.collect_modules(home_owners, "home/modules", out_dir);
        self.check_homes(&users);
        self.check_standalone_homes(fleet);

        let required: Vec<&str> =
            fleet.spec.options.iter().filter(|o| o.effective_default().is_none()).map(|o| o.name.as_str()).collect();
        // Build machines, found once: each host looks for those building its system.
        let builders: Vec<&HostData> = fleet.hosts.iter().filter(|h| h.build_machine.is_some()).collect();
        let mut hosts: Vec<HostPlan<'a>> =
            fleet.hosts.iter().map(|h| self.host_view(fleet, h, &required, &builders)).collect();
        let secrets = self.check_secrets(fleet, &mut hosts);
        let colmena = self.check_deployment(&mut hosts);
        let needs =
            flake::Needs { secrets: secrets.is_some(), colmena, home: users.iter().any(|u| u.user.home.is_some()) };
        let flake = self.check_flake(fleet, &profiles, &modules, needs);

        let mut systems = Vec::new();
        for h in &fleet.hosts {
            if !systems.contains(&h.system) {
                systems.push(h.system);
            }
        }
        let warnings = std::mem::take(&mut self.warnings.list);
        Plan {
            fleet,
            hosts,
            profiles,
            users,
            option_sets,
            modules,
            home_modules,
            systems,
            secrets,
            colmena,
            warnings,
            flake,
        }
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

    fn host_view<'a>(
        &mut self,
        fleet: &'a FleetData,
        h: &'a HostData,
        required: &[&str],
        builders: &[&HostData],
    ) -> HostPlan<'a> {
        let before = self.problems.enter(&h.at);
        let before_warnings = self.warnings.enter(&h.at);
        let owner = format!("host `{}`", h.name);
        if h.system.os() != h.os {
            let (host, os, system) = (h.name.clone(), h.os.label(), h.system.as_str());
            self.problems.push(Problem::SystemMismatch { host, os, system });
        }
        let spec = match &h.spec {
            Some(values) => fleet
                .spec
                .options
                .iter()
                .filter_map(|decl| {
                    let value = values.get(&decl.name)?;
                    (decl.effective_default().as_ref() != Some(value)).then_some((decl.name.as_str(), value))
                })
                .collect(),
            None => {
                if !required.is_empty() {
                    self.problems.push(Problem::MissingSpec {
                        host: h.name.clone(),
                        spec: fleet.spec.rust_name.clone(),
                        fields: required.join(", "),
                    });
                }
                Vec::new()
            }
        };
        for (name, value) in &spec {
            self.check_value(&owner, &format!("hostSpec.{name}"), value, SYSTEM_ARGS);
        }
        let state_version = match &h.state_version {
            Some(v) => v.clone(),
            None => match h.os {
                Os::Nixos => StateVersion::Nixos(fleet.nixos_state_version.clone()),
                Os::Darwin => StateVersion::Darwin(fleet.darwin_state_version),
            },
        };
        if let StateVersion::Nixos(version) = &state_version {
            if h.state_version.is_some() && !is_release(version) {
                self.problems.push(Problem::StateVersion { host: h.name.clone(), version: version.clone() });
            }
        }

        let mut generated = vec!["imports", "networking.hostName", "nixpkgs.hostPlatform", "system.stateVersion"];
        if !spec.is_empty() {
            generated.push("hostSpec");
        }
        let mut users: Vec<&str> = Vec::new();
        for u in ProfileData::closure(&h.profiles).into_iter().flat_map(|p| &p.users) {
            if !users.contains(&u.name.as_str()) {
                users.push(&u.name);
            }
        }
        for p in ProfileData::closure(&h.profiles) {
            for (user, _) in &p.user_groups {
                if !users.contains(&user.as_str()) {
                    self.problems.push(Problem::GroupsForAbsentUser {
                        profile: p.name.clone(),
                        user: user.clone(),
                        host: h.name.clone(),
                    });
                }
            }
        }
        if h.os == Os::Darwin && !users.is_empty() {
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
        if h.build_machine.as_ref().is_some_and(|b| b.ssh_user.is_some()) {
            generated.push("nix.settings.trusted-users");
        }
        if h.auto_upgrade.is_some() {
            generated.push(match h.os {
                Os::Nixos => "system.autoUpgrade",
                Os::Darwin => "launchd.daemons.fleet-auto-upgrade",
            });
        }
        self.check_machine(h);
        let uses_builder = builders.iter().any(|other| {
            other.name != h.name && other.build_machine.as_ref().is_some_and(|b| b.systems.contains(&h.system))
        });
        if uses_builder {
            generated.extend(["nix.buildMachines", "nix.distributedBuilds"]);
        }
        self.check_host_homes(h, &mut generated);
        self.check_config(&owner, &h.config, &generated, SYSTEM_ARGS);
        self.problems.leave(before);
        self.warnings.leave(before_warnings);
        HostPlan { host: h, users, spec, state_version, secrets: Vec::new(), tags: Vec::new(), builders: Vec::new() }
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

    fn collect_profiles<'a>(&mut self, fleet: &'a FleetData) -> Vec<&'a ProfileData> {
        let mut seen: IndexMap<&'a str, &'a Arc<ProfileData>> = IndexMap::new();
        let mut reported = HashSet::new();
        let mut stack: Vec<&'a Arc<ProfileData>> = Vec::new();
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
        seen.into_values().map(AsRef::as_ref).collect()
    }

    fn collect_users<'a>(&mut self, fleet: &'a FleetData) -> Vec<UserPlan<'a>> {
        let mut users: IndexMap<&'a str, (UserPlan<'a>, &'a str)> = IndexMap::new();
        let mut reported = HashSet::new();
        for h in &fleet.hosts {
            let attached =
                ProfileData::closure(&h.profiles).into_iter().flat_map(|p| p.users.iter().map(move |u| (p, u)));
            for (p, u) in attached {
                {
                    let entry = users.entry(u.name.as_str()).or_insert_with(|| {
                        let view = UserPlan { user: u, on_nixos: false, on_darwin: false };
                        (view, p.name.as_str())
                    });
                    if entry.0.user != u {
                        if reported.insert(u.name.as_str()) {
                            self.problems.at(
                                &u.at,
                                Problem::DuplicateUser {
                                    user: u.name.clone(),
                                    first: entry.1.to_owned(),
                                    second: p.name.clone(),
                                },
                            );
                        }
                        continue;
                    }
                    match h.os {
                        Os::Nixos => entry.0.on_nixos = true,
                        Os::Darwin => entry.0.on_darwin = true,
                    }
                }
            }
        }
        for sh in &fleet.standalone_homes {
            let u = &sh.user;
            let entry = users
                .entry(u.name.as_str())
                .or_insert_with(|| (UserPlan { user: u, on_nixos: false, on_darwin: false }, "standalone homes"));
            if entry.0.user != u && reported.insert(u.name.as_str()) {
                self.problems.at(
                    &u.at,
                    Problem::DuplicateUser {
                        user: u.name.clone(),
                        first: entry.1.to_owned(),
                        second: format!("standalone home {}", sh.name()),
                    },
                );
            }
        }
        let mut named = HashSet::new();
        for (name, (view, profile)) in &users {
            let before = self.problems.enter(&view.user.at);
            if !is_user_name(name) && named.insert(*name) {
                let (user, profile) = ((*name).to_owned(), (*profile).to_owned());
                self.problems.push(Problem::UserName { user, profile });
            }
            if let Some(d) = view.user.description.as_deref().filter(|d| d.contains(['\n', '\r', ':'])) {
                let shown: String = d.chars().take(40).collect::<String>().escape_debug().collect();
                self.problems.push(Problem::UserField {
                    user: (*name).to_owned(),
                    what: format!("description `{shown}`, which holds a newline or a colon: /etc/passwd cannot (NixOS rejects it); use one line without `:`"),
                });
            }
            for group in view.user.groups.iter().filter(|g| !is_user_name(g)) {
                self.problems.push(Problem::UserField {
                    user: (*name).to_owned(),
                    what: format!("group `{group}`, which is not a group name (lowercase letters, digits, `_`, `-`)"),
                });
            }
            for key in &view.user.ssh_keys {
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
        users.into_values().map(|(v, _)| v).collect()
    }

    fn collect_option_sets<'a>(
        &mut self,
        fleet: &'a FleetData,
        profiles: &[&'a ProfileData],
    ) -> Vec<OptionSetPlan<'a>> {
        let configs = profiles.iter().map(|p| &p.config).chain(fleet.hosts.iter().map(|h| &h.config));
        let mut sets: IndexMap<&'a str, OptionSetPlan<'a>> = IndexMap::new();
        for t in configs.flat_map(|c| &c.typed) {
            let path: Vec<&str> = t.path.split('.').collect();
            match sets.get(t.path.as_str()) {
                Some(known) if known.options != &t.options => self.problems.at(
                    &t.at,
                    Problem::ConflictingOptions {
                        path: t.path.clone(),
                        first: known.options.rust_name.clone(),
                        second: t.options.rust_name.clone(),
                    },
                ),
                Some(_) => {}
                None => {
                    sets.insert(t.path.as_str(), OptionSetPlan { path, options: &t.options });
                }
            }
        }
        sets.into_values().collect()
    }

    /// Resolves the hand-written modules `owners` import to files under `base` (`modules` or
    /// `home/modules`) of the output directory, or to their scaffolds.
    fn collect_modules<'a>(
        &mut self,
        owners: Vec<(String, &'a [Module])>,
        base: &str,
        out_dir: &Path,
    ) -> Vec<ModuleFile<'a>> {
        let mut files: IndexMap<&'a str, ModuleFile<'a>> = IndexMap::new();
        let mut scaffolds: HashMap<&'a str, &'a Module> = HashMap::new();
        for (owner, owned) in owners {
            for m in owned {
                let before = self.problems.enter(&m.at);
                self.collect_module(&owner, m, base, out_dir, &mut files, &mut scaffolds);
                self.problems.leave(before);
            }
        }
        for (path, file) in &mut files {
            file.scaffold = scaffolds.get(path).and_then(|m| m.scaffold.as_deref());
        }
        files.into_values().collect()
    }

    /// One module of [`Self::collect_modules`].
    fn collect_module<'a>(
        &mut self,
        owner: &str,
        m: &'a Module,
        base: &str,
        out_dir: &Path,
        files: &mut IndexMap<&'a str, ModuleFile<'a>>,
        scaffolds: &mut HashMap<&'a str, &'a Module>,
    ) {
        if let Some(prev) = scaffolds.get(m.path.as_str()) {
            if prev.scaffold.is_some() && m.scaffold.is_some() && prev.scaffold != m.scaffold {
                self.problems.push(Problem::ConflictingScaffold { module: m.path.clone() });
            }
        }
        if m.scaffold.is_some() || !scaffolds.contains_key(m.path.as_str()) {
            scaffolds.insert(m.path.as_str(), m);
        }
        if files.contains_key(m.path.as_str()) {
            return;
        }
        if let Err(reason) = check_module_path(&m.path, base == "modules") {
            let module = m.path.clone();
            self.problems.push(Problem::ModulePath { owner: owner.to_owned(), module, reason });
            return;
        }
        let file = format!("{base}/{}.nix", m.path);
        let dir = format!("{base}/{}", m.path);
        let mut probe = Probe::new(file.clone(), format!("{dir}/default.nix"), m.scaffold.is_some());
        let chosen = probe.resolve(|rel| out_dir.join(rel).is_file());
        self.probes.push(probe);
        let import = if chosen == Some(true) {
            file
        } else if chosen == Some(false) {
            dir
        } else {
            let module = m.path.clone();
            let (expected, module_dir) =
                (format!("{}/{file}", out_dir.display()), format!("{}/{dir}", out_dir.display()));
            self.problems.push(Problem::UnknownModule { owner: owner.to_owned(), module, expected, module_dir });
            return;
        };
        files.insert(m.path.as_str(), ModuleFile { path: &m.path, import, scaffold: None });
    }
}

fn check_module_path(path: &str, reserve_generated: bool) -> Result<(), &'static str> {
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
    fn module_paths_stay_inside_modules() {
        assert!(check_module_path("desktop/gnome", true).is_ok());
        for bad in ["", "../x", "/etc/x", "a//b", "users", "options/x", "x.nix", "a b"] {
            assert!(check_module_path(bad, true).is_err(), "{bad:?}");
        }
        assert!(check_module_path("users", false).is_ok(), "home modules have no generated neighbours");
    }

    #[test]
    fn releases() {
        assert!(is_release("24.05"));
        assert!(!is_release("24.5"));
        assert!(!is_release("unstable"));
    }
}
