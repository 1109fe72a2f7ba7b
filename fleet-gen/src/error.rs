//! Errors, one enum per layer: problems of the fleet, and failures to write its repository.

use std::fmt;
use std::path::PathBuf;

/// Something wrong with the fleet definition. Each names where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The fleet's name cannot be used.
    #[error(
        "fleet name `{name}` is not valid: use letters, digits, `-`, `_` and `.`, starting with a letter or digit"
    )]
    FleetName {
        /// The name.
        name: String,
    },
    /// The fleet has no hosts.
    #[error("fleet `{fleet}` has no hosts: add one with `.host(Host::nixos(..))` or `.host(Host::darwin(..))`")]
    NoHosts {
        /// The fleet.
        fleet: String,
    },
    /// Two hosts share a name.
    #[error(
        "host `{host}` is defined {count} times: host names must be unique; rename or remove the extra definitions"
    )]
    DuplicateHost {
        /// The name.
        host: String,
        /// How often it appears.
        count: usize,
    },
    /// A host name is not a valid hostname.
    #[error("host `{host}` has an invalid name: {reason} (hostnames follow RFC 1123: 1 to 63 letters, digits or `-`, not starting or ending with `-`)")]
    HostName {
        /// The name.
        host: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A host's system does not match its platform.
    #[error(
        "host `{host}` is a {os} host but its system is `{system}`: use a {os} system or the other host constructor"
    )]
    SystemMismatch {
        /// The host.
        host: String,
        /// Its platform label.
        os: &'static str,
        /// Its system.
        system: &'static str,
    },
    /// The fleet declares host spec fields without defaults and a host sets none.
    #[error("host `{host}` sets no host spec, but `{spec}` has fields without a default ({fields}): add `.spec({spec} {{ .. }})` to the host")]
    MissingSpec {
        /// The host.
        host: String,
        /// The spec type.
        spec: String,
        /// The required option names.
        fields: String,
    },
    /// Two different profiles share a name.
    #[error("two different profiles are named `{profile}`: profile names are file names under profiles/, give each its own name")]
    DuplicateProfile {
        /// The name.
        profile: String,
    },
    /// A profile name cannot be a file name.
    #[error("profile `{profile}` has an invalid name: use letters, digits, `-` and `_`, starting with a letter")]
    ProfileName {
        /// The name.
        profile: String,
    },
    /// Two different users share a name.
    #[error("user `{user}` is defined twice with different settings (in profiles `{first}` and `{second}`): define the user once with `User::new` and pass the same value to both profiles")]
    DuplicateUser {
        /// The user.
        user: String,
        /// Profile of the first definition.
        first: String,
        /// Profile of the conflicting one.
        second: String,
    },
    /// A user name is not a valid login name.
    #[error("user `{user}` (profile `{profile}`) has an invalid login name: use lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters")]
    UserName {
        /// The user.
        user: String,
        /// Where it is attached.
        profile: String,
    },
    /// A hand-written module path is malformed or taken by a generated file.
    #[error("{owner} imports module `{module}`: {reason}")]
    ModulePath {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// The module path.
        module: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A hand-written module does not exist in the output repository and has no scaffold.
    #[error("{owner} imports module `{module}`, which the output repository lacks: create `{expected}` (or `{module_dir}/default.nix`), or give the module a scaffold with `Module::new(\"{module}\").scaffold(include_str!(..))`")]
    UnknownModule {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// The module path.
        module: String,
        /// The file the generator looked for.
        expected: String,
        /// The directory form it also accepts.
        module_dir: String,
    },
    /// One module path is given two different scaffolds.
    #[error("module `{module}` is given two different scaffolds: give it one `Module` value and share it")]
    ConflictingScaffold {
        /// The module path.
        module: String,
    },
    /// An option path does not parse.
    #[error("{owner}: {error}")]
    OptionPath {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// The parse error.
        error: String,
    },
    /// Two values in one file set the same option, or one inside the other.
    #[error("{owner} sets `{first}` and `{second}`, which collide: set each option once (hosts override profile values plainly, no need to repeat them in the profile)")]
    PathCollision {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// One path.
        first: String,
        /// The other.
        second: String,
    },
    /// A typed option path is used by two different option types.
    #[error("option path `{path}` is declared by two different types (`{first}` and `{second}`): give each #[options(path = ..)] its own path")]
    ConflictingOptions {
        /// The option path.
        path: String,
        /// One Rust type.
        first: String,
        /// The other.
        second: String,
    },
    /// A string contains a NUL character, which Nix strings cannot hold.
    #[error("{owner}: a value contains a NUL character, which Nix strings cannot hold; remove it")]
    NulInString {
        /// Where.
        owner: String,
    },
    /// A state version is malformed.
    #[error("host `{host}` has state version `{version}`: NixOS state versions look like `24.05`")]
    StateVersion {
        /// The host (or `fleet`).
        host: String,
        /// The version.
        version: String,
    },
}

/// Every problem of an invalid fleet, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "the fleet is invalid ({n} problem{}); nothing was written:", if n == 1 { "" } else { "s" })?;
        for p in &self.0 {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A failure to read or write the output repository.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file the generator would write exists without the generated header.
    #[error("{} exists and was not written by fleet-gen (it lacks the `@generated by fleet-gen` header): move it away, or remove it if the generated version should replace it", path.display())]
    NotGenerated {
        /// The file.
        path: PathBuf,
    },
}
