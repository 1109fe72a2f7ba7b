//! The Nix value model: what a fleet can put into a generated file.

use crate::secret::{SecretLink, SecretRef, Secrets};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An attribute set in declaration order.
pub type Attrs = IndexMap<String, NixValue>;

/// A Nix value. Every string in it is escaped when printed; [`NixValue::Raw`] is parsed and
/// checked by the generator, never pasted.
#[derive(Clone, Debug, PartialEq)]
pub enum NixValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string, escaped when printed.
    Str(String),
    /// A list.
    List(Vec<NixValue>),
    /// An attribute set; names that are not Nix identifiers are quoted when printed.
    Attrs(Attrs),
    /// A Nix expression in Nix syntax: the explicitly named escape hatch, see [`raw_nix`].
    Raw(RawNix),
    /// A package of the host's nixpkgs, see [`pkg`].
    Package(Package),
    /// A package of nixpkgs-unstable, see [`pkg_unstable`].
    UnstablePackage(UnstablePackage),
    /// A file of an extra flake input, see [`crate::Input::file`].
    InputFile(crate::input::InputFile),
    /// The runtime path of a sops-nix secret, `config.sops.secrets.<name>.path` (on NixOS and
    /// nix-darwin alike): what a `SecretRef` (`Wifi::wifi_password()`) becomes as a value. The
    /// host or profile using it must read the secret's set (checked by `generate`).
    SecretPath(SecretLink),
}

/// A Nix expression written in Nix: the escape hatch for what the typed model cannot say
/// (`config.networking.hostName`, `lib.getExe' pkgs.hello "hello"`, an overlay).
///
/// `generate` parses it (a syntax error is a fleet problem with its line and column), prints it
/// again with the parentheses its position needs, and gives the module the arguments its free
/// variables name (`config`, `lib`, `pkgs`, `options`, `modulesPath`, `inputs`; `osConfig` in
/// homes); any other free variable is an error. Comments inside it are not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawNix(pub String);

/// Marks `text` as a raw Nix expression (see [`RawNix`]).
pub fn raw_nix(text: impl Into<String>) -> RawNix {
    RawNix(text.into())
}

/// A package of the host's nixpkgs by attribute path, e.g. `python3Packages.requests`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package(pub String);

/// A package from the host's nixpkgs: `pkg("firefox")` is the expression `pkgs.firefox`.
///
/// `generate` checks that the name is an attribute path of nixpkgs (names of letters, digits,
/// `_`, `-`, `+`, separated by dots; `1password` is quoted when printed) and refuses anything
/// else: it is never pasted as text.
pub fn pkg(name: &str) -> Package {
    Package(name.to_owned())
}

/// A package of nixpkgs-unstable by attribute path, see [`pkg_unstable`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnstablePackage(pub String);

/// A package from nixpkgs-unstable, for hosts on the stable channel: `pkg_unstable("zed-editor")`
/// is the expression `pkgs.unstable.zed-editor`.
///
/// `generate` checks the name like [`pkg`]'s, adds the `nixpkgs-unstable` input, and gives every
/// host a generated overlay (`modules/overlays.nix`) that makes `pkgs.unstable` the unstable
/// nixpkgs for the host's system, with the host's own `nixpkgs.config` (so `allowUnfree`
/// applies to it too).
pub fn pkg_unstable(name: &str) -> UnstablePackage {
    UnstablePackage(name.to_owned())
}

impl From<UnstablePackage> for NixValue {
    fn from(v: UnstablePackage) -> Self {
        NixValue::UnstablePackage(v)
    }
}

impl NixValue {
    /// Builds an attribute set from `(name, value)` pairs, keeping their order.
    pub fn attrs<K: Into<String>, V: Into<NixValue>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        NixValue::Attrs(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl From<bool> for NixValue {
    fn from(v: bool) -> Self {
        NixValue::Bool(v)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for NixValue {
            fn from(v: $t) -> Self {
                NixValue::Int(i64::from(v))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<&str> for NixValue {
    fn from(v: &str) -> Self {
        NixValue::Str(v.to_owned())
    }
}

impl From<String> for NixValue {
    fn from(v: String) -> Self {
        NixValue::Str(v)
    }
}

impl From<&String> for NixValue {
    fn from(v: &String) -> Self {
        NixValue::Str(v.clone())
    }
}

impl From<PathBuf> for NixValue {
    /// Paths become strings, never path literals: a path literal would copy the file into the
    /// world-readable Nix store.
    fn from(v: PathBuf) -> Self {
        NixValue::Str(v.to_string_lossy().into_owned())
    }
}

impl From<RawNix> for NixValue {
    fn from(v: RawNix) -> Self {
        NixValue::Raw(v)
    }
}

impl From<Package> for NixValue {
    fn from(v: Package) -> Self {
        NixValue::Package(v)
    }
}

impl<T: Secrets> From<SecretRef<T>> for NixValue {
    /// The secret's runtime path (`config.sops.secrets.<name>.path`), e.g. for a service's
    /// `environmentFile`: the secret's value never reaches the Nix store.
    fn from(v: SecretRef<T>) -> Self {
        NixValue::SecretPath(v.into())
    }
}

impl<T: Into<NixValue>> From<Option<T>> for NixValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(NixValue::Null, Into::into)
    }
}

impl<T: Into<NixValue>> From<Vec<T>> for NixValue {
    fn from(v: Vec<T>) -> Self {
        NixValue::List(v.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<NixValue>, const N: usize> From<[T; N]> for NixValue {
    fn from(v: [T; N]) -> Self {
        NixValue::List(v.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<NixValue>> From<BTreeMap<String, T>> for NixValue {
    fn from(v: BTreeMap<String, T>) -> Self {
        NixValue::attrs(v)
    }
}

impl<T: Into<NixValue>> From<IndexMap<String, T>> for NixValue {
    fn from(v: IndexMap<String, T>) -> Self {
        NixValue::attrs(v)
    }
}

impl From<crate::input::InputFile> for NixValue {
    fn from(f: crate::input::InputFile) -> Self {
        NixValue::InputFile(f)
    }
}

impl From<&crate::input::InputFile> for NixValue {
    fn from(f: &crate::input::InputFile) -> Self {
        NixValue::InputFile(f.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_order_and_types() {
        let v: NixValue = vec!["wheel", "audio"].into();
        assert_eq!(v, NixValue::List(vec![NixValue::Str("wheel".into()), NixValue::Str("audio".into())]));
        let a = NixValue::attrs([("z", 1), ("a", 2)]);
        let NixValue::Attrs(map) = a else { panic!("not attrs") };
        assert_eq!(map.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(NixValue::from(None::<bool>), NixValue::Null);
        assert_eq!(NixValue::from(pkg("zsh")), NixValue::Package(Package("zsh".into())));
    }
}
