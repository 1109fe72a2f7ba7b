//! The plan of a fleet: the fleet resolved, every derived fact computed once ([`resolve`]),
//! with what was found on disk ([`disk`]). The checks ([`crate::validate::check`]) and the
//! renderers ([`crate::render`]) read it and nothing else.

pub mod disk;
pub mod resolve;
pub mod schedule;

use fleet_dsl::{
    BuildMachine, FleetData, HostData, NixValue, OptionSet, ProfileData, SecretDecl, SecretSet, StateVersion, System,
    User,
};
use fleet_dsl::{OptionType, TypedSetting};

/// A fleet that passed validation, with everything rendering needs resolved.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The fleet as defined.
    pub fleet: &'a FleetData,
    /// Hosts in declaration order.
    pub hosts: Vec<HostPlan<'a>>,
    /// Every profile any host uses, once, in first-use order.
    pub profiles: Vec<&'a ProfileData>,
    /// Every user, once, in first-use order, with the platforms that have it.
    pub users: Vec<UserPlan<'a>>,
    /// Typed option sets of user modules, once per path, in first-use order.
    pub option_sets: Vec<OptionSetPlan<'a>>,
    /// Hand-written modules, once per path, in first-use order.
    pub modules: Vec<ModuleFile<'a>>,
    /// Hand-written home-manager modules (under `home/modules/`), once per path.
    pub home_modules: Vec<ModuleFile<'a>>,
    /// Systems of the hosts, in first-use order.
    pub systems: Vec<System>,
    /// Secrets wiring, when any host reads a secret.
    pub secrets: Option<SecretsPlan<'a>>,
    /// Whether the fleet is deployed with colmena (some NixOS host has deployment settings).
    pub colmena: bool,
    /// What validation warned about.
    pub warnings: Vec<crate::Diagnostic>,
    /// Extra inputs, unstable packages and extra outputs.
    pub flake: FlakePlan<'a>,
    /// What was found in the output directory (hand-written modules), gathered once.
    pub disk: disk::DiskFacts,
}

/// The flake beyond the hosts, resolved.
#[derive(Debug, Default)]
pub struct FlakePlan<'a> {
    /// Extra inputs something references, once each, in first-use order.
    pub inputs: Vec<&'a fleet_dsl::InputData>,
    /// Whether a host's configuration uses a package of nixpkgs-unstable (`pkgs.unstable`).
    pub unstable_overlay: bool,
    /// Whether an extra output uses a package of nixpkgs-unstable.
    pub unstable_outputs: bool,
    /// Exported modules: `nixosModules.<name>` and the file, relative to the repository root.
    pub exports: Vec<(&'a str, String)>,
}

/// Who decrypts which secret file.
#[derive(Debug)]
pub struct SecretsPlan<'a> {
    /// Admins by name with their age keys, in declaration order.
    pub admins: Vec<(&'a str, &'a str)>,
    /// Hosts with an age key, with it, in declaration order.
    pub hosts: Vec<(&'a str, &'a str)>,
    /// The encrypted files: the common one, groups in first-use order, then one per host.
    pub files: Vec<SecretFile<'a>>,
}

/// One encrypted file and who may decrypt it.
#[derive(Debug)]
pub struct SecretFile<'a> {
    /// Relative path, e.g. `secrets/common.yaml`.
    pub path: String,
    /// Hosts that decrypt it (besides the admins).
    pub hosts: Vec<&'a str>,
    /// The secrets hosts read from it, each once, in first-use order.
    pub secrets: Vec<&'a SecretDecl>,
}

/// A validated host.
#[derive(Debug)]
pub struct HostPlan<'a> {
    /// The host as defined.
    pub host: &'a HostData,
    /// Its profiles and every profile they import, each once, each before its imports.
    pub profiles: Vec<&'a ProfileData>,
    /// The secret sets it reads: its profiles', then its own.
    pub secret_sets: Vec<&'a SecretSet>,
    /// Its users' names, from all its profiles, in order.
    pub users: Vec<&'a str>,
    /// Its host spec values that differ from the declared defaults.
    pub spec: Vec<(&'a str, &'a NixValue)>,
    /// Its state version (its own or the fleet's).
    pub state_version: StateVersion,
    /// Every secret it reads, once, with the file it comes from.
    pub secrets: Vec<HostSecret<'a>>,
    /// Its colmena tags: its profiles, its platform, then its own tags (NixOS only).
    pub tags: Vec<String>,
    /// The users Nix trusts on it besides root (`nix.settings.trusted-users`, root kept): the
    /// ssh user other hosts build on it as, and the user colmena deploys it as.
    pub trusted_users: Vec<&'a str>,
    /// Build machines it uses, with their hosts' names.
    pub builders: Vec<(&'a str, &'a BuildMachine)>,
}

/// A secret as one host reads it.
#[derive(Debug)]
pub struct HostSecret<'a> {
    /// The declaration.
    pub decl: &'a SecretDecl,
    /// The set it belongs to.
    pub set: &'a SecretSet,
    /// The encrypted file it comes from.
    pub file: String,
}

/// A user and where it is used.
#[derive(Debug)]
pub struct UserPlan<'a> {
    /// The user.
    pub user: &'a User,
    /// Whether a NixOS host has it.
    pub on_nixos: bool,
    /// Whether a Darwin host has it.
    pub on_darwin: bool,
}

/// A typed option set declared by the generator under `modules/options/`.
#[derive(Debug)]
pub struct OptionSetPlan<'a> {
    /// Its option path segments.
    pub path: Vec<&'a str>,
    /// The declaration.
    pub options: &'a OptionSet,
}

impl OptionSetPlan<'_> {
    /// Its file, relative to the repository root.
    pub fn file(&self) -> String {
        option_set_file(&self.path)
    }
}

/// The file declaring the option set at `path`.
pub fn option_set_file<S: AsRef<str>>(path: &[S]) -> String {
    let name: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    format!("modules/options/{}.nix", name.join("-"))
}

/// Who imports which hand-written modules, in order: system modules (profiles, hosts, exported
/// modules) or home modules (users' homes, hosts' additions to them, standalone homes).
pub type ModuleOwners<'a> = Vec<(String, &'a [fleet_dsl::Module])>;

/// A hand-written module, resolved to its file.
#[derive(Debug)]
pub struct ModuleFile<'a> {
    /// The module path as written (`desktop/gnome`).
    pub path: &'a str,
    /// What imports it, relative to the repository root (`modules/desktop/gnome.nix` or the
    /// directory `modules/desktop/gnome`).
    pub import: String,
    /// Text to create it with when missing.
    pub scaffold: Option<&'a str>,
}

/// A value at a leaf option path, below any submodules.
pub struct Leaf<'a> {
    /// The full option path.
    pub path: Vec<String>,
    /// The value.
    pub value: &'a NixValue,
}

/// The leaf values of a typed setting: submodule values are split into their options so a
/// host can override one of them without discarding the profile's others.
pub fn typed_leaves(t: &TypedSetting) -> Vec<Leaf<'_>> {
    let mut out = Vec::new();
    let base: Vec<String> = t.path.split('.').map(str::to_owned).collect();
    push_leaves(&base, &t.options.options, &t.values, &mut out);
    out
}

fn push_leaves<'a>(
    base: &[String],
    decls: &[fleet_dsl::OptionDecl],
    values: &'a fleet_dsl::Attrs,
    out: &mut Vec<Leaf<'a>>,
) {
    for decl in decls {
        let Some(value) = values.get(&decl.name) else { continue };
        let mut path = base.to_vec();
        path.push(decl.name.clone());
        match (&decl.ty, value) {
            (OptionType::Submodule(set), NixValue::Attrs(inner)) => push_leaves(&path, &set.options, inner, out),
            _ => out.push(Leaf { path, value }),
        }
    }
}
