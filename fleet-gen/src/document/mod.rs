//! Fleets to and from documents: `export`, and the hosts of inventory files. The document
//! types ([`types`]) live here, with the generator, so a fleet binary's model carries no
//! serialisation code.

pub mod types;

use crate::schema::{profile_names, to_json};
use fleet_dsl::{
    Attrs, Config, Deploy, FleetData, HostData, NixValue, OptionSet, OptionType, Os, ProfileData, StateVersion, Target,
};
use serde_json::Value;
use std::sync::Arc;
use types::{AdminEntry, DeployEntry, FleetDocument, HostEntry, ProfileEntry, ProfilePlatformName, StateVersionEntry};

/// The fleet as a document, every host and profile included.
pub fn export(fleet: &FleetData) -> FleetDocument {
    let profiles = fleet.profiles_in_use();
    FleetDocument {
        schema: Some(crate::schema::FILE.to_owned()),
        name: Some(fleet.name.clone()),
        admins: fleet
            .admins
            .iter()
            .map(|(name, key)| AdminEntry { name: name.clone(), age_key: key.as_str().to_owned() })
            .collect(),
        profiles: profiles
            .iter()
            .map(|p| ProfileEntry {
                name: p.name.clone(),
                platform: match p.target {
                    Target::Any => ProfilePlatformName::Any,
                    Target::Only(Os::Nixos) => ProfilePlatformName::Nixos,
                    Target::Only(Os::Darwin) => ProfilePlatformName::Darwin,
                },
                description: p.description.clone(),
                imports: p.imports.iter().map(|i| i.name.clone()).collect(),
                users: p.users.iter().map(|u| u.name.clone()).collect(),
            })
            .collect(),
        hosts: fleet.hosts.iter().map(host_entry).collect(),
    }
}

fn host_entry(h: &HostData) -> HostEntry {
    HostEntry {
        name: h.name.clone(),
        platform: h.os.into(),
        system: h.system.into(),
        channel: Some(h.channel.into()),
        profiles: h.profiles.iter().map(|p| p.name.clone()).collect(),
        features: h.features.clone(),
        spec: h.spec.as_ref().map(|attrs| attrs.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        deploy: h.deploy.as_ref().map(DeployEntry::from),
        age_key: h.age_key.as_ref().map(|k| k.as_str().to_owned()),
        age_key_file: h.age_key_file.clone(),
        state_version: h.state_version.as_ref().map(|v| match v {
            StateVersion::Nixos(r) => StateVersionEntry::Release(r.clone()),
            StateVersion::Darwin(n) => StateVersionEntry::Number(*n),
        }),
    }
}

/// Why an inventory host could not become a host (beyond what the schema checks).
pub struct ImportProblem {
    /// JSON pointer of the offending value.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Turns a schema-valid inventory host into a host of the fleet.
pub fn import_host(
    fleet: &FleetData,
    entry: &HostEntry,
    pointer: &str,
    at: fleet_dsl::Location,
) -> Result<HostData, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let os: Os = entry.platform.into();
    let mut profiles = Vec::new();
    for (i, name) in entry.profiles.iter().enumerate() {
        match find_profile(fleet, name) {
            Some(p) if p.target.admits(os) => profiles.push(p),
            Some(_) => problems
                .push(ImportProblem { pointer: format!("{pointer}/profiles/{i}"), message: wrong_platform(name, os) }),
            None => problems.push(ImportProblem {
                pointer: format!("{pointer}/profiles/{i}"),
                message: format!("no profile is named `{name}`{}", suggestion(name, &profile_names(fleet))),
            }),
        }
    }
    let spec = entry.spec.as_ref().map(|values| spec_values(&fleet.spec, values));
    if os == Os::Darwin && entry.deploy.is_some() {
        problems.push(ImportProblem {
            pointer: format!("{pointer}/deploy"),
            message: "colmena cannot deploy nix-darwin hosts: remove `deploy`".into(),
        });
    }
    let state_version = match (&entry.state_version, os) {
        (None, _) => None,
        (Some(StateVersionEntry::Release(r)), Os::Nixos) => Some(StateVersion::Nixos(r.clone())),
        (Some(StateVersionEntry::Number(n)), Os::Darwin) => Some(StateVersion::Darwin(*n)),
        (Some(_), _) => {
            problems.push(ImportProblem {
                pointer: format!("{pointer}/stateVersion"),
                message: "NixOS state versions are strings such as \"24.05\", nix-darwin's are integers such as 6"
                    .into(),
            });
            None
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut host = HostData {
        name: entry.name.clone(),
        os,
        system: entry.system.into(),
        channel: entry.channel.map_or(fleet.channel, Into::into),
        profiles,
        spec,
        state_version,
        secrets: Vec::new(),
        age_key: entry.age_key.as_deref().map(Into::into),
        age_key_file: entry.age_key_file.clone(),
        deploy: entry.deploy.as_ref().map(Deploy::from),
        build_machine: None,
        disks: Vec::new(),
        auto_upgrade: fleet.auto_upgrade.clone(),
        config: Config::default(),
        homes: Vec::new(),
        features: entry.features.clone(),
        at,
    };
    let problems: Vec<ImportProblem> = crate::features::apply(fleet, &mut host)
        .into_iter()
        .map(|(i, message)| ImportProblem { pointer: format!("{pointer}/features/{i}"), message })
        .collect();
    if problems.is_empty() {
        Ok(host)
    } else {
        Err(problems)
    }
}

/// The message for a profile named on a host of the platform it is not for.
pub(crate) fn wrong_platform(profile: &str, os: Os) -> String {
    format!("profile `{profile}` is for {} hosts only, and this host is {}", other(os), os.label())
}

/// The profile named `name`, when it exists and is not for hosts of `os`.
pub(crate) fn misplaced_profile(fleet: &FleetData, name: &str, os: Os) -> bool {
    find_profile(fleet, name).is_some_and(|p| !p.target.admits(os))
}

fn other(os: Os) -> &'static str {
    match os {
        Os::Nixos => Os::Darwin.label(),
        Os::Darwin => Os::Nixos.label(),
    }
}

fn find_profile(fleet: &FleetData, name: &str) -> Option<Arc<ProfileData>> {
    fleet.profiles_in_use().into_iter().find(|p| p.name == name).cloned()
}

pub use fleet_dsl::rules::suggest::did_you_mean as suggestion;

/// Spec values from JSON, typed by the declaration (the schema already checked them).
fn spec_values(set: &OptionSet, values: &serde_json::Map<String, Value>) -> Attrs {
    set.options.iter().filter_map(|o| Some((o.name.clone(), from_json(&o.ty, values.get(&o.name)?)))).collect()
}

fn from_json(ty: &OptionType, value: &Value) -> NixValue {
    match (ty, value) {
        (_, Value::Null) => NixValue::Null,
        (OptionType::NullOr(inner), v) => from_json(inner, v),
        (OptionType::ListOf(inner), Value::Array(items)) => {
            NixValue::List(items.iter().map(|i| from_json(inner, i)).collect())
        }
        (OptionType::AttrsOf(inner), Value::Object(map)) => {
            NixValue::Attrs(map.iter().map(|(k, v)| (k.clone(), from_json(inner, v))).collect())
        }
        (OptionType::Submodule(set), Value::Object(map)) => NixValue::Attrs(spec_values(set, map)),
        (_, Value::Bool(b)) => NixValue::Bool(*b),
        (_, Value::Number(n)) => NixValue::Int(n.as_i64().unwrap_or_default()),
        (_, Value::String(s)) => NixValue::Str(s.clone()),
        (_, Value::Array(items)) => NixValue::List(items.iter().map(|i| from_json(&OptionType::Str, i)).collect()),
        (_, Value::Object(map)) => {
            NixValue::Attrs(map.iter().map(|(k, v)| (k.clone(), from_json(&OptionType::Str, v))).collect())
        }
    }
}
