//! The typed model of a Nix fleet.
//!
//! Users describe hosts, profiles, users and typed option sets as Rust values; `fleet-gen`
//! validates them and renders a flake-parts repository. What can be checked by the compiler is
//! (a NixOS-only profile on a Mac, a field type with no Nix option type); the rest is checked by
//! the generator before anything is written.

pub mod attr_path;
pub mod deploy;
pub mod disko;
pub mod fleet;
pub mod home;
pub mod host;
pub mod input;
pub mod location;
pub mod module;
pub mod options;
pub mod platform;
pub mod profile;
pub mod rules;
pub mod secret;
pub mod upgrade;
pub mod user;
pub mod value;

pub use attr_path::{AttrPath, AttrPathError};
pub use deploy::{BuildMachine, Deploy, Deployable, SshKey};
pub use disko::{Btrfs, Dataset, Disko, Layout, Luks, LuksBtrfs, Partitionable, Subvolume};
pub use fleet::{FlakeOutputs, Fleet, FleetData, Inputs, StandaloneHome};
pub use home::{Direnv, Git, GitSigning, Home, HomeProgram, SigningFormat, Starship, Zsh, ZshInit};
pub use host::{Host, HostData, StateVersion};
pub use input::{fleet_input, Follows, Input, InputData, InputFile, InputModule, InputModuleData, ModuleFits};
pub use location::Location;
pub use module::{Config, Module, Priority, Setting, TypedSetting};
pub use options::{
    HostSpec, ModuleOptions, NixEnum, NixOptions, NixType, NoSpec, OptionDecl, OptionSet, OptionType, OptionValues,
};
pub use platform::{Any, Channel, Darwin, HostPlatform, Nixos, Os, ProfilePlatform, System, Target, UsableOn};
pub use profile::{HasExtraGroups, Profile, ProfileData};
pub use secret::{
    AgeKey, Scope, Secret, SecretDecl, SecretFormat, SecretLink, SecretRef, SecretSet, Secrets, SecretsFit,
};
pub use upgrade::AutoUpgrade;
pub use user::{Shell, User};
pub use value::{pkg, pkg_unstable, raw_nix, Attrs, NixValue, Package, RawNix, UnstablePackage};

/// The derives: `#[derive(HostSpec)]`, `#[derive(NixOptions)]`, `#[derive(NixEnum)]`,
/// `#[derive(Secrets)]`; and `age_key!("age1…")`, an age public key checked at compile time.
pub use fleet_macros::{age_key, HostSpec, NixEnum, NixOptions, Secrets};

/// Everything a fleet definition needs: `use fleet_dsl::prelude::*;`.
pub mod prelude {
    pub use crate::{
        age_key, fleet_input, pkg, pkg_unstable, raw_nix, AgeKey, Any, AutoUpgrade, BuildMachine, Channel, Darwin,
        Deploy, Direnv, Disko, Fleet, Git, GitSigning, Home, Host, HostSpec, Input, Inputs, Module, ModuleOptions,
        NixEnum, NixOptions, NixType, NixValue, Nixos, OptionValues, Profile, Secret, SecretRef, Secrets, Shell,
        SigningFormat, StandaloneHome, Starship, Subvolume, System, User, Zsh, ZshInit,
    };
}
