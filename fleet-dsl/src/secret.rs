//! Secrets: typed sops-nix secrets with a scope that decides which hosts can decrypt them.

use crate::platform::{Any, Nixos, ProfilePlatform};
use std::fmt;
use std::marker::PhantomData;

/// The field type of a `#[derive(Secrets)]` struct: one secret. It holds no value; the
/// generator never sees secret values, only their names and where they live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Secret;

/// Which hosts can decrypt a set of secrets, and so which file holds them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `secrets/common.yaml`: every host of the fleet and the admins.
    Common,
    /// `secrets/<host>.yaml`: each host reads its own file; the host and the admins decrypt it.
    Host,
    /// `secrets/<name>.yaml`: the hosts that use these secrets (through a profile or directly)
    /// and the admins.
    Group(String),
}

impl Scope {
    /// The sops file of this scope for `host`, relative to the repository root.
    pub fn file(&self, host: &str) -> String {
        match self {
            Scope::Common => "secrets/common.yaml".to_owned(),
            Scope::Host => format!("secrets/{host}.yaml"),
            Scope::Group(name) => format!("secrets/{name}.yaml"),
        }
    }
}

/// The file format of a secret (`format` in sops-nix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretFormat {
    /// `yaml` (the default).
    Yaml,
    /// `json`.
    Json,
    /// `binary`: the whole file is the secret.
    Binary,
    /// `dotenv`.
    Dotenv,
    /// `ini`.
    Ini,
}

impl SecretFormat {
    /// The sops-nix name.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretFormat::Yaml => "yaml",
            SecretFormat::Json => "json",
            SecretFormat::Binary => "binary",
            SecretFormat::Dotenv => "dotenv",
            SecretFormat::Ini => "ini",
        }
    }
}

/// One secret as declared: its name and the sops-nix options set on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretDecl {
    /// Name under `sops.secrets` and in `/run/secrets` (kebab-case of the field unless renamed).
    pub name: String,
    /// Description, from the field's doc comment.
    pub description: Option<String>,
    /// `key`: the key in the sops file, when it differs from the name.
    pub key: Option<String>,
    /// `owner`.
    pub owner: Option<String>,
    /// `group`.
    pub group: Option<String>,
    /// `mode`, octal such as `"0400"`.
    pub mode: Option<String>,
    /// `path`: where the secret is linked to.
    pub path: Option<String>,
    /// `format`.
    pub format: Option<SecretFormat>,
    /// `neededForUsers`: decrypted before users are created (for `hashedPasswordFile`).
    pub needed_for_users: bool,
    /// `restartUnits` (NixOS only).
    pub restart_units: Vec<String>,
    /// `reloadUnits` (NixOS only).
    pub reload_units: Vec<String>,
}

impl SecretDecl {
    /// A secret with a name and no options.
    pub fn new(name: impl Into<String>) -> Self {
        SecretDecl {
            name: name.into(),
            description: None,
            key: None,
            owner: None,
            group: None,
            mode: None,
            path: None,
            format: None,
            needed_for_users: false,
            restart_units: Vec::new(),
            reload_units: Vec::new(),
        }
    }
}

/// A set of secrets sharing a scope (from `#[derive(Secrets)]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretSet {
    /// The Rust type, for messages.
    pub rust_name: String,
    /// Its scope.
    pub scope: Scope,
    /// Its secrets, in field order.
    pub secrets: Vec<SecretDecl>,
}

/// A struct of secrets with a scope: what `#[derive(Secrets)]` implements.
pub trait Secrets {
    /// `Nixos` when a secret uses NixOS-only options (`restartUnits`, `reloadUnits`), else `Any`.
    type Platform: ProfilePlatform;
    /// The declarations.
    fn secret_set() -> SecretSet;
}

/// Secrets written for platform `Self` that a `P` host or profile may use.
#[diagnostic::on_unimplemented(
    message = "these secrets use NixOS-only sops-nix options (`restartUnits`/`reloadUnits`) and cannot be used by a `{P}` host or profile",
    label = "`restartUnits`/`reloadUnits` exist only in sops-nix's NixOS module",
    note = "attach them to NixOS hosts or profiles only, or drop `restart_units`/`reload_units` from the secrets"
)]
pub trait SecretsFit<P: ProfilePlatform>: ProfilePlatform {}

impl SecretsFit<Nixos> for Nixos {}
impl<P: ProfilePlatform> SecretsFit<P> for Any {}

/// A typed reference to one secret of a `#[derive(Secrets)]` struct `T`, e.g. for a user's
/// `hashedPasswordFile`. The derive generates one constructor per field: `Shared::user_password()`.
#[derive(Debug)]
pub struct SecretRef<T> {
    name: &'static str,
    _set: PhantomData<fn() -> T>,
}

impl<T> Clone for SecretRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SecretRef<T> {}

impl<T: Secrets> SecretRef<T> {
    /// A reference to the secret named `name` of `T`; used by the derive.
    pub const fn new(name: &'static str) -> Self {
        SecretRef { name, _set: PhantomData }
    }

    /// The secret's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A resolved reference to a secret, stored in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretLink {
    /// The secret's name.
    pub name: String,
    /// The set it belongs to.
    pub set: SecretSet,
}

impl<T: Secrets> From<SecretRef<T>> for SecretLink {
    fn from(r: SecretRef<T>) -> Self {
        SecretLink { name: r.name.to_owned(), set: T::secret_set() }
    }
}

/// An age public key (`age1…`). Built unchecked from a string (the generator validates every
/// key before writing) or checked at compile time with `age_key!("age1…")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgeKey(pub String);

impl AgeKey {
    /// A key the derive or macro already checked, or one the generator will check.
    pub fn new(key: impl Into<String>) -> Self {
        AgeKey(key.into())
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for AgeKey {
    fn from(s: &str) -> Self {
        AgeKey(s.to_owned())
    }
}

impl From<String> for AgeKey {
    fn from(s: String) -> Self {
        AgeKey(s)
    }
}

impl fmt::Display for AgeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
