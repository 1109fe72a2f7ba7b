//! Platforms (NixOS, nix-darwin), systems and nixpkgs channels.

use std::fmt;

/// The operating system a host runs, known at run time. Its names (`nixos`, `darwin`) are the
/// one table the command line, the inventory and the generated files use.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "lowercase")]
pub enum Os {
    /// NixOS.
    Nixos,
    /// macOS with nix-darwin.
    Darwin,
}

impl Os {
    /// Its name in inventories, on the command line and in the schema: `nixos` / `darwin`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// How people write it: `NixOS` / `nix-darwin`.
    pub fn label(self) -> &'static str {
        match self {
            Os::Nixos => "NixOS",
            Os::Darwin => "nix-darwin",
        }
    }
}

/// Which hosts a profile is for, known at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// NixOS and nix-darwin hosts alike.
    Any,
    /// One platform only.
    Only(Os),
}

impl Target {
    /// Whether a host of `os` may use it.
    pub fn admits(self, os: Os) -> bool {
        match self {
            Target::Any => true,
            Target::Only(o) => o == os,
        }
    }
}

/// Type-level marker: NixOS.
#[derive(Clone, Copy, Debug)]
pub struct Nixos;
/// Type-level marker: nix-darwin.
#[derive(Clone, Copy, Debug)]
pub struct Darwin;
/// Type-level marker for profiles: both NixOS and nix-darwin.
#[derive(Clone, Copy, Debug)]
pub struct Any;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Nixos {}
    impl Sealed for super::Darwin {}
    impl Sealed for super::Any {}
}

/// A platform marker a profile can be written for (`Nixos`, `Darwin`, `Any`).
pub trait ProfilePlatform: sealed::Sealed {
    /// The run-time view of the marker.
    const TARGET: Target;
}

/// A platform marker a host can have (`Nixos`, `Darwin`).
pub trait HostPlatform: ProfilePlatform {
    /// The run-time view of the marker.
    const OS: Os;
}

impl ProfilePlatform for Nixos {
    const TARGET: Target = Target::Only(Os::Nixos);
}
impl ProfilePlatform for Darwin {
    const TARGET: Target = Target::Only(Os::Darwin);
}
impl ProfilePlatform for Any {
    const TARGET: Target = Target::Any;
}
impl HostPlatform for Nixos {
    const OS: Os = Os::Nixos;
}
impl HostPlatform for Darwin {
    const OS: Os = Os::Darwin;
}

/// Something written for platform `Self` that may be used where platform `P` is: a `Nixos`
/// profile on a `Nixos` host, an `Any` profile anywhere.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` profile cannot be used by a `{P}` host or profile",
    label = "this profile is written for `{Self}` only",
    note = "attach it to a `{Self}` host, or make it `Profile::any(..)` if it works on every platform"
)]
pub trait UsableOn<P: ProfilePlatform>: ProfilePlatform {}

impl UsableOn<Nixos> for Nixos {}
impl UsableOn<Darwin> for Darwin {}
impl<P: ProfilePlatform> UsableOn<P> for Any {}

/// A Nix system double; its Nix names are the one table every layer uses.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
pub enum System {
    /// `x86_64-linux`
    #[strum(serialize = "x86_64-linux")]
    X86_64Linux,
    /// `aarch64-linux`
    #[strum(serialize = "aarch64-linux")]
    Aarch64Linux,
    /// `x86_64-darwin`
    #[strum(serialize = "x86_64-darwin")]
    X86_64Darwin,
    /// `aarch64-darwin`
    #[strum(serialize = "aarch64-darwin")]
    Aarch64Darwin,
}

impl System {
    /// The Nix name, e.g. `aarch64-darwin`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The operating system this system runs.
    pub fn os(self) -> Os {
        match self {
            System::X86_64Linux | System::Aarch64Linux => Os::Nixos,
            System::X86_64Darwin | System::Aarch64Darwin => Os::Darwin,
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which nixpkgs a host follows.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "lowercase")]
pub enum Channel {
    /// The current stable release (the fleet's `nixpkgs` input).
    #[default]
    Stable,
    /// `nixos-unstable` / `nixpkgs-unstable`.
    Unstable,
}

impl Channel {
    /// `stable` / `unstable`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod string_tables {
    use super::{Channel, Os, System};
    use strum::VariantArray;

    fn round_trip<T>(expected: &[&str])
    where
        T: VariantArray + Copy + Into<&'static str> + std::str::FromStr + PartialEq + std::fmt::Debug,
    {
        let names: Vec<&str> = T::VARIANTS.iter().map(|v| (*v).into()).collect();
        assert_eq!(names, expected);
        for v in T::VARIANTS {
            let name: &str = (*v).into();
            assert_eq!(name.parse::<T>().ok(), Some(*v), "{name}");
        }
        assert!("Nixos".parse::<T>().is_err() || expected.contains(&"Nixos"), "names are exact");
    }

    #[test]
    fn each_enum_has_one_table() {
        round_trip::<System>(&["x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"]);
        round_trip::<Os>(&["nixos", "darwin"]);
        round_trip::<Channel>(&["stable", "unstable"]);
        assert_eq!(System::Aarch64Darwin.os(), Os::Darwin);
    }
}
