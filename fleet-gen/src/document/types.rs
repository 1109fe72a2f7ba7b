//! The fleet as a document: what `cargo run -- export` prints and what an inventory file
//! (`fleet.toml` / `fleet.json`) holds. The generator's JSON Schema for a fleet is the schema of
//! [`FleetDocument`], with the fleet's own host spec and profile names filled in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// A host's platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlatformName {
    /// NixOS.
    Nixos,
    /// macOS with nix-darwin.
    Darwin,
}

/// A Nix system double.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SystemName {
    /// 64-bit x86 Linux.
    #[serde(rename = "x86_64-linux")]
    X86_64Linux,
    /// 64-bit ARM Linux (Raspberry Pi 4 and later).
    #[serde(rename = "aarch64-linux")]
    Aarch64Linux,
    /// Intel Macs.
    #[serde(rename = "x86_64-darwin")]
    X86_64Darwin,
    /// Apple Silicon Macs.
    #[serde(rename = "aarch64-darwin")]
    Aarch64Darwin,
}

/// Which nixpkgs a host follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelName {
    /// The current stable release.
    #[default]
    Stable,
    /// nixos-unstable / nixpkgs-unstable.
    Unstable,
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

impl From<fleet_dsl::System> for SystemName {
    fn from(s: fleet_dsl::System) -> Self {
        match s {
            fleet_dsl::System::X86_64Linux => SystemName::X86_64Linux,
            fleet_dsl::System::Aarch64Linux => SystemName::Aarch64Linux,
            fleet_dsl::System::X86_64Darwin => SystemName::X86_64Darwin,
            fleet_dsl::System::Aarch64Darwin => SystemName::Aarch64Darwin,
        }
    }
}

impl From<SystemName> for fleet_dsl::System {
    fn from(s: SystemName) -> Self {
        match s {
            SystemName::X86_64Linux => fleet_dsl::System::X86_64Linux,
            SystemName::Aarch64Linux => fleet_dsl::System::Aarch64Linux,
            SystemName::X86_64Darwin => fleet_dsl::System::X86_64Darwin,
            SystemName::Aarch64Darwin => fleet_dsl::System::Aarch64Darwin,
        }
    }
}

impl From<fleet_dsl::Channel> for ChannelName {
    fn from(c: fleet_dsl::Channel) -> Self {
        match c {
            fleet_dsl::Channel::Stable => ChannelName::Stable,
            fleet_dsl::Channel::Unstable => ChannelName::Unstable,
        }
    }
}

impl From<ChannelName> for fleet_dsl::Channel {
    fn from(c: ChannelName) -> Self {
        match c {
            ChannelName::Stable => fleet_dsl::Channel::Stable,
            ChannelName::Unstable => fleet_dsl::Channel::Unstable,
        }
    }
}

impl From<fleet_dsl::Os> for PlatformName {
    fn from(os: fleet_dsl::Os) -> Self {
        match os {
            fleet_dsl::Os::Nixos => PlatformName::Nixos,
            fleet_dsl::Os::Darwin => PlatformName::Darwin,
        }
    }
}

impl From<PlatformName> for fleet_dsl::Os {
    fn from(p: PlatformName) -> Self {
        match p {
            PlatformName::Nixos => fleet_dsl::Os::Nixos,
            PlatformName::Darwin => fleet_dsl::Os::Darwin,
        }
    }
}

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
