//! The fleet as a document: what `cargo run -- export` prints and what an inventory file
//! (`fleet.toml` / `fleet.json`) holds. The generator's JSON Schema for a fleet is the schema of
//! [`FleetDocument`], with the fleet's own host spec and profile names filled in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::str::FromStr;

/// A host's platform, by name (`nixos`, `darwin`).
pub type PlatformName = Named<fleet_dsl::Os>;
/// A Nix system double, by name (`x86_64-linux`, …).
pub type SystemName = Named<fleet_dsl::System>;
/// Which nixpkgs a host follows, by name (`stable`, `unstable`).
pub type ChannelName = Named<fleet_dsl::Channel>;

/// A value of one of fleet-dsl's enums in a document, written by its name: the names, the
/// parsing and the schema's list all come from the enum's one string table (its strum derives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Named<T>(pub T);

/// What the schema says of an enum written by name.
pub trait Documented {
    /// The schema definition's name (`SystemName`).
    const NAME: &'static str;
    /// Its description.
    const DESCRIPTION: &'static str;
}

impl Documented for fleet_dsl::Os {
    const NAME: &'static str = "PlatformName";
    const DESCRIPTION: &'static str = "A host's platform.";
}

impl Documented for fleet_dsl::System {
    const NAME: &'static str = "SystemName";
    const DESCRIPTION: &'static str = "A Nix system double.";
}

impl Documented for fleet_dsl::Channel {
    const NAME: &'static str = "ChannelName";
    const DESCRIPTION: &'static str = "Which nixpkgs a host follows.";
}

/// The names of `T`'s variants, in declaration order.
fn names<T: strum::VariantArray + Copy + Into<&'static str>>() -> Vec<&'static str> {
    T::VARIANTS.iter().map(|v| (*v).into()).collect()
}

impl<T: Copy + Into<&'static str>> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.into())
    }
}

impl<'de, T> Deserialize<'de> for Named<T>
where
    T: FromStr + strum::VariantArray + Copy + Into<&'static str>,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<str>::deserialize(deserializer)?;
        name.parse::<T>().map(Named).map_err(|_| {
            let known = names::<T>().iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            serde::de::Error::custom(format!("unknown value `{name}`, expected one of {known}"))
        })
    }
}

impl<T> JsonSchema for Named<T>
where
    T: Documented + strum::VariantArray + Copy + Into<&'static str>,
{
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed(T::NAME)
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"description": T::DESCRIPTION, "type": "string", "enum": names::<T>()})
    }
}

/// A fleet as data. An inventory file holds `hosts` only (plus `$schema`): profiles, users and
/// admins are defined in Rust, and `export` prints them for reference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Fleet")]
pub struct FleetDocument {
    /// The JSON Schema this document follows (editors read it for completion).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The fleet's name (export only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// People whose age keys decrypt every secret file (export only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admins: Vec<AdminEntry>,
    /// Profiles, defined in Rust (export only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<ProfileEntry>,
    /// Hosts. In an inventory file: hosts added to those defined in Rust.
    #[serde(default)]
    pub hosts: Vec<HostEntry>,
}

/// An admin and their age public key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminEntry {
    /// Name, used as the `.sops.yaml` anchor `&admin_<name>`.
    pub name: String,
    /// Age public key (`age1…`).
    pub age_key: String,
}

/// A profile as exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileEntry {
    /// Name: the file `profiles/<name>.nix`.
    pub name: String,
    /// Which hosts may use it.
    pub platform: ProfilePlatformName,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Profiles it builds on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<String>,
    /// Users it gives its hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

/// Which hosts a profile is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProfilePlatformName {
    /// NixOS and nix-darwin hosts.
    Any,
    /// NixOS hosts only.
    Nixos,
    /// nix-darwin hosts only.
    Darwin,
}

/// One host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostEntry {
    /// Host name (RFC 1123): `networking.hostName`, `hosts/<name>/`, the flake attribute.
    pub name: String,
    /// `nixos` or `darwin`.
    pub platform: PlatformName,
    /// The system double.
    pub system: SystemName,
    /// `stable` or `unstable`; without it, the fleet's channel (stable unless the fleet says
    /// otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelName>,
    /// Profiles by name, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// Features by name (`development`, `gaming`): the fleet maps each to profiles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    /// The host spec values (`hostSpec.*`), by option name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<serde_json::Map<String, serde_json::Value>>,
    /// How colmena deploys the host (NixOS only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<DeployEntry>,
    /// The host's age public key, from `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_key: Option<String>,
    /// An age private key file on the host to decrypt with instead of its ssh host key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_key_file: Option<String>,
    /// The state version the host was installed with: a NixOS release such as `"24.05"`, or
    /// nix-darwin's integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_version: Option<StateVersionEntry>,
}

/// A state version: NixOS releases are strings, nix-darwin's are integers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StateVersionEntry {
    /// A NixOS release, e.g. `"24.05"`.
    Release(String),
    /// nix-darwin's state version, e.g. `6`.
    Number(u32),
}

/// colmena deployment settings of a host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeployEntry {
    /// ssh address; absent for a machine deployed locally only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_host: Option<String>,
    /// ssh user (colmena's default: root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<String>,
    /// ssh port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub target_port: Option<u16>,
    /// Extra tags for `colmena apply --on @tag`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether `colmena apply-local` may deploy it on itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_local_deployment: bool,
    /// Build on the host instead of the deploying machine.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub build_on_target: bool,
}

impl<T> From<T> for Named<T> {
    fn from(v: T) -> Self {
        Named(v)
    }
}

/// The enum value back out of its document form (a blanket impl would be an orphan).
macro_rules! unnamed {
    ($($t:ty),*) => {$(
        impl From<Named<$t>> for $t {
            fn from(v: Named<$t>) -> Self {
                v.0
            }
        }
    )*};
}
unnamed!(fleet_dsl::System, fleet_dsl::Channel, fleet_dsl::Os);

impl From<&fleet_dsl::Deploy> for DeployEntry {
    fn from(d: &fleet_dsl::Deploy) -> Self {
        DeployEntry {
            target_host: d.target_host.clone(),
            target_user: d.target_user.clone(),
            target_port: d.target_port,
            tags: d.tags.clone(),
            allow_local_deployment: d.allow_local_deployment,
            build_on_target: d.build_on_target,
        }
    }
}

impl From<&DeployEntry> for fleet_dsl::Deploy {
    fn from(d: &DeployEntry) -> Self {
        fleet_dsl::Deploy {
            target_host: d.target_host.clone(),
            target_user: d.target_user.clone(),
            target_port: d.target_port,
            tags: d.tags.clone(),
            allow_local_deployment: d.allow_local_deployment,
            build_on_target: d.build_on_target,
        }
    }
}
