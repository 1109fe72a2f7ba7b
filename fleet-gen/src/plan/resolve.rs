//! Resolving a fleet into its [`Plan`]: every derived fact computed once — profile closures,
//! users per host, secrets per host and per file, build machines, colmena tags, flake inputs
//! used, hand-written modules found on disk. Resolving never fails: where the fleet is
//! ambiguous (two profiles of one name), the first definition is taken, and the checks report
//! the ambiguity.

use super::disk::DiskFacts;
use super::{
    FlakePlan, HostPlan, HostSecret, ModuleFile, ModuleOwners, OptionSetPlan, Plan, SecretFile, SecretsPlan, UserPlan,
};
use fleet_dsl::{
    Config, FleetData, HostData, InputData, Module, NixValue, Os, ProfileData, Scope, SecretSet, StateVersion, Target,
};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The plan of `fleet`, with hand-written modules looked up in `out_dir` (the only disk access).
pub fn resolve<'a>(fleet: &'a FleetData, out_dir: &Path) -> Plan<'a> {
    let profiles = profiles(fleet);
    let mut hosts: Vec<HostPlan<'a>> = fleet.hosts.iter().map(|h| host(fleet, h)).collect();
    let users = users(fleet, &hosts);
    let option_sets = option_sets(fleet, &profiles);
    let (owners, home_owners) = module_owners(fleet, &profiles, &users);
    let disk = DiskFacts::gather(&owners, &home_owners, out_dir);
    let modules = modules_of(&owners, "modules", &disk);
    let home_modules = modules_of(&home_owners, "home/modules", &disk);
    for i in 0..hosts.len() {
        let builders = builders_of(&hosts, i);
        hosts[i].builders = builders;
    }
    let mut systems = Vec::new();
    for h in &fleet.hosts {
        if !systems.contains(&h.system) {
            systems.push(h.system);
        }
    }
    let secrets = secrets(fleet, &hosts);
    let colmena = hosts.iter().any(|h| h.host.os == Os::Nixos && h.host.deploy.is_some());
    let flake = flake(fleet, &profiles, &modules);
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
        warnings: Vec::new(),
        flake,
        disk,
    }
}

/// Every profile any host uses, once by name (the first definition), in first-use order: each
/// host's profiles depth first, each before its imports.
fn profiles(fleet: &FleetData) -> Vec<&ProfileData> {
    let mut seen: IndexMap<&str, &Arc<ProfileData>> = IndexMap::new();
    let mut stack: Vec<&Arc<ProfileData>> = Vec::new();
    for h in &fleet.hosts {
        stack.extend(h.profiles.iter().rev());
        while let Some(p) = stack.pop() {
            if !seen.contains_key(p.name.as_str()) {
                seen.insert(p.name.as_str(), p);
                stack.extend(p.imports.iter().rev());
            }
        }
    }
    seen.into_values().map(AsRef::as_ref).collect()
}

/// Every user, once by name (the first definition), in first-use order, with the platforms of
/// the hosts that have that definition; then the users of standalone homes.
fn users<'a>(fleet: &'a FleetData, hosts: &[HostPlan<'a>]) -> Vec<UserPlan<'a>> {
    let mut users: IndexMap<&str, UserPlan<'a>> = IndexMap::new();
    for h in hosts {
        for u in h.profiles.iter().flat_map(|p| &p.users) {
            let entry = users.entry(u.name.as_str()).or_insert(UserPlan { user: u, on_nixos: false, on_darwin: false });
            if entry.user != u {
                continue;
            }
            match h.host.os {
                Os::Nixos => entry.on_nixos = true,
                Os::Darwin => entry.on_darwin = true,
            }
        }
    }
    for sh in &fleet.standalone_homes {
        users.entry(sh.user.name.as_str()).or_insert(UserPlan { user: &sh.user, on_nixos: false, on_darwin: false });
    }
    users.into_values().collect()
}

/// Typed option sets, once per path (the first declaration), in first-use order.
fn option_sets<'a>(fleet: &'a FleetData, profiles: &[&'a ProfileData]) -> Vec<OptionSetPlan<'a>> {
    let configs = profiles.iter().map(|p| &p.config).chain(fleet.hosts.iter().map(|h| &h.config));
    let mut sets: IndexMap<&'a str, OptionSetPlan<'a>> = IndexMap::new();
    for t in configs.flat_map(|c| &c.typed) {
        sets.entry(t.path.as_str())
            .or_insert_with(|| OptionSetPlan { path: t.path.split('.').collect(), options: &t.options });
    }
    sets.into_values().collect()
}

/// The owners of hand-written modules, in the order their modules are resolved.
pub(crate) fn module_owners<'a>(
    fleet: &'a FleetData,
    profiles: &[&'a ProfileData],
    users: &[UserPlan<'a>],
) -> (ModuleOwners<'a>, ModuleOwners<'a>) {
    let owners = profiles
        .iter()
        .map(|p| (format!("profile `{}`", p.name), p.config.modules.as_slice()))
        .chain(fleet.hosts.iter().map(|h| (format!("host `{}`", h.name), h.config.modules.as_slice())))
        .chain(fleet.outputs.nixos_modules.iter().map(|(name, m)| {
            (format!("the fleet's exported module `{}`", name.escape_debug()), std::slice::from_ref(m))
        }))
        .collect();
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
    (owners, home_owners)
}

/// The hand-written modules under `base` the owners import, once per path, in first-use order,
/// each resolved to the file or directory found on disk (or its scaffold). A module with a
/// malformed path or found nowhere is left out (the checks report it).
fn modules_of<'a>(owners: &ModuleOwners<'a>, base: &str, disk: &DiskFacts) -> Vec<ModuleFile<'a>> {
    let mut files: IndexMap<&'a str, ModuleFile<'a>> = IndexMap::new();
    let mut scaffolds: HashMap<&'a str, &'a Module> = HashMap::new();
    for (_, owned) in owners {
        for m in owned.iter() {
            if m.scaffold.is_some() || !scaffolds.contains_key(m.path.as_str()) {
                scaffolds.insert(m.path.as_str(), m);
            }
            if files.contains_key(m.path.as_str()) {
                continue;
            }
            if let Some(import) = disk.import(base, m) {
                files.insert(m.path.as_str(), ModuleFile { path: &m.path, import, scaffold: None });
            }
        }
    }
    for (path, file) in &mut files {
        file.scaffold = scaffolds.get(path).and_then(|m| m.scaffold.as_deref());
    }
    files.into_values().collect()
}

/// A host's plan: its profile closure, users, spec values, state version, secrets and tags (its
/// build machines are filled in once every host is resolved).
fn host<'a>(fleet: &'a FleetData, h: &'a HostData) -> HostPlan<'a> {
    let profiles: Vec<&'a ProfileData> = ProfileData::closure(&h.profiles).into_iter().map(AsRef::as_ref).collect();
    let mut users: Vec<&'a str> = Vec::new();
    for u in profiles.iter().flat_map(|p| &p.users) {
        if !users.contains(&u.name.as_str()) {
            users.push(&u.name);
        }
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
        None => Vec::new(),
    };
    let state_version = match &h.state_version {
        Some(v) => v.clone(),
        None => match h.os {
            Os::Nixos => StateVersion::Nixos(fleet.nixos_state_version.clone()),
            Os::Darwin => StateVersion::Darwin(fleet.darwin_state_version),
        },
    };
    let mut secret_sets: Vec<&'a SecretSet> = profiles.iter().flat_map(|p| &p.secrets).collect();
    secret_sets.extend(&h.secrets);
    let mut by_name: IndexMap<&'a str, HostSecret<'a>> = IndexMap::new();
    for set in &secret_sets {
        for decl in &set.secrets {
            by_name.entry(decl.name.as_str()).or_insert_with(|| HostSecret {
                decl,
                set,
                file: set.scope.file(&h.name),
            });
        }
    }
    let tags = tags(h, &profiles);
    let mut trusted_users: Vec<&'a str> = Vec::new();
    let builder_user = h.build_machine.as_ref().and_then(|b| b.ssh_user.as_deref());
    // Copying an unsigned closure into the host's store needs a trusted user (root is already).
    let deploy_user = h.deploy.as_ref().and_then(|d| d.target_user.as_deref()).filter(|_| h.os == Os::Nixos);
    for user in builder_user.into_iter().chain(deploy_user).filter(|u| *u != "root") {
        if !trusted_users.contains(&user) {
            trusted_users.push(user);
        }
    }
    HostPlan {
        host: h,
        profiles,
        users,
        spec,
        state_version,
        secret_sets,
        secrets: by_name.into_values().collect(),
        tags,
        trusted_users,
        builders: Vec::new(),
    }
}

/// Colmena tags of a NixOS host: its profiles, `nixos`, then its own tags, each once.
fn tags(h: &HostData, closure: &[&ProfileData]) -> Vec<String> {
    if h.os == Os::Darwin {
        return Vec::new();
    }
    let mut tags: Vec<String> = closure.iter().map(|p| p.name.clone()).collect();
    tags.push("nixos".to_owned());
    for tag in h.deploy.iter().flat_map(|d| &d.tags) {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    tags
}

/// The build machines host `i` uses: the other hosts building its system.
fn builders_of<'a>(hosts: &[HostPlan<'a>], i: usize) -> Vec<(&'a str, &'a fleet_dsl::BuildMachine)> {
    let h = hosts[i].host;
    hosts
        .iter()
        .filter_map(|other| Some((other.host, other.host.build_machine.as_ref()?)))
        .filter(|(other, b)| other.name != h.name && b.systems.contains(&h.system))
        .map(|(other, b)| (other.name.as_str(), b))
        .collect()
}

/// Who decrypts which file, when any host reads a secret.
fn secrets<'a>(fleet: &'a FleetData, hosts: &[HostPlan<'a>]) -> Option<SecretsPlan<'a>> {
    if hosts.iter().all(|h| h.secrets.is_empty()) {
        return None;
    }
    let admins = fleet.admins.iter().map(|(name, key)| (name.as_str(), key.as_str())).collect();
    let keyed = hosts.iter().filter_map(|h| Some((h.host.name.as_str(), h.host.age_key.as_ref()?.as_str()))).collect();
    Some(SecretsPlan { admins, hosts: keyed, files: secret_files(hosts) })
}

/// The encrypted files: common (if read), groups in first-use order, then every keyed host's own.
fn secret_files<'a>(hosts: &[HostPlan<'a>]) -> Vec<SecretFile<'a>> {
    let keyed = |h: &&HostPlan<'a>| h.host.age_key.is_some();
    let mut shared: IndexMap<String, SecretFile<'a>> = IndexMap::new();
    for h in hosts.iter().filter(keyed) {
        for s in h.secrets.iter().filter(|s| s.set.scope != Scope::Host) {
            let file = shared.entry(s.file.clone()).or_insert_with(|| SecretFile {
                path: s.file.clone(),
                hosts: Vec::new(),
                secrets: Vec::new(),
            });
            if !file.secrets.contains(&s.decl) {
                file.secrets.push(s.decl);
            }
            // Hosts are visited one after the other, so a host already listed is the last one
            // (names are unique in a valid fleet): no scan of the whole list per secret.
            if s.set.scope != Scope::Common && file.hosts.last() != Some(&h.host.name.as_str()) {
                file.hosts.push(&h.host.name);
            }
        }
    }
    if let Some(common) = shared.get_mut("secrets/common.yaml") {
        common.hosts = hosts.iter().filter(keyed).map(|h| h.host.name.as_str()).collect();
    }
    shared.sort_by(|a, _, b, _| (a != "secrets/common.yaml").cmp(&(b != "secrets/common.yaml")));
    let mut files: Vec<SecretFile<'a>> = shared.into_values().collect();
    // A host's own file only when it reads host-scoped secrets: no rule for a file nobody reads.
    for h in hosts.iter().filter(keyed) {
        let secrets: Vec<_> = h.secrets.iter().filter(|s| s.set.scope == Scope::Host).map(|s| s.decl).collect();
        if !secrets.is_empty() {
            files.push(SecretFile { path: Scope::Host.file(&h.host.name), hosts: vec![&h.host.name], secrets });
        }
    }
    files
}

/// Where the values of the fleet are, with their owners: every profile, every host (its spec,
/// values and homes), the users' homes and the fleet's overlays.
pub(crate) fn value_owners<'a>(
    fleet: &'a FleetData,
    profiles: &[&'a ProfileData],
) -> Vec<(String, Option<Os>, &'a Config)> {
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
pub(crate) fn walk<'a>(value: &'a NixValue, f: &mut impl FnMut(&'a NixValue)) {
    f(value);
    match value {
        NixValue::List(items) => items.iter().for_each(|i| walk(i, f)),
        NixValue::Attrs(map) => map.values().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// Every value of a config: untyped and typed.
pub(crate) fn config_values(config: &Config) -> impl Iterator<Item = &NixValue> {
    config.settings.iter().map(|s| &s.value).chain(config.typed.iter().flat_map(|t| t.values.values()))
}

/// Every flake input the fleet references, in first-use order (modules, then values, then the
/// hosts' specs, the overlays and the extra outputs), each time with where it is referenced:
/// the first reference of a name is the input the flake declares.
pub(crate) fn input_references<'a>(fleet: &'a FleetData, profiles: &[&'a ProfileData]) -> Vec<&'a Arc<InputData>> {
    let mut out: Vec<&'a Arc<InputData>> = Vec::new();
    let files = |v: &'a NixValue, out: &mut Vec<&'a Arc<InputData>>| {
        walk(v, &mut |v| {
            if let NixValue::InputFile(f) = v {
                out.push(&f.input);
            }
        })
    };
    for (_, _, config) in value_owners(fleet, profiles) {
        out.extend(config.input_modules.iter().map(|m| &m.input));
        for v in config_values(config) {
            files(v, &mut out);
        }
    }
    for v in fleet.hosts.iter().flat_map(|h| h.spec.iter().flat_map(|s| s.values())) {
        files(v, &mut out);
    }
    for o in &fleet.overlays {
        files(o, &mut out);
    }
    let outputs = &fleet.outputs;
    for (_, value) in outputs.dev_shells.iter().chain(&outputs.packages).chain(&outputs.checks) {
        files(value, &mut out);
    }
    out
}

fn uses_unstable(value: &NixValue) -> bool {
    let mut found = false;
    walk(value, &mut |v| found |= matches!(v, NixValue::UnstablePackage(_)));
    found
}

/// The flake beyond the hosts: the inputs used, whether `pkgs.unstable` is needed, the exported
/// modules' files.
fn flake<'a>(fleet: &'a FleetData, profiles: &[&'a ProfileData], modules: &[ModuleFile<'a>]) -> FlakePlan<'a> {
    let mut used: IndexMap<&'a str, &'a Arc<InputData>> = IndexMap::new();
    for input in input_references(fleet, profiles) {
        used.entry(input.name.as_str()).or_insert(input);
    }
    let owners = value_owners(fleet, profiles);
    let unstable_overlay = owners.iter().flat_map(|(_, _, c)| config_values(c)).any(uses_unstable)
        || fleet.hosts.iter().flat_map(|h| h.spec.iter().flat_map(|s| s.values())).any(uses_unstable)
        || fleet.overlays.iter().any(uses_unstable);
    let outputs = &fleet.outputs;
    let unstable_outputs =
        outputs.dev_shells.iter().chain(&outputs.packages).chain(&outputs.checks).any(|(_, v)| uses_unstable(v));
    let exports = outputs
        .nixos_modules
        .iter()
        .filter_map(|(name, module)| {
            let file = modules.iter().find(|f| f.path == module.path)?;
            Some((name.as_str(), file.import.clone()))
        })
        .collect();
    FlakePlan { inputs: used.into_values().map(AsRef::as_ref).collect(), unstable_overlay, unstable_outputs, exports }
}
