//! Errors, one enum per layer: problems of the fleet, and failures to write its repository.

use crate::diagnostic::{Diagnostic, Severity, Sources};
use crate::shown::{shown, shown_path};
use fleet_dsl::Location;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Something wrong with the fleet definition. Each names where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumDiscriminants)]
#[strum_discriminants(name(ProblemKind), derive(strum::VariantArray, strum::IntoStaticStr))]
#[strum_discriminants(doc = "The kinds of [`Problem`], each with its stable code.")]
pub enum Problem {
    /// The fleet's name cannot be used.
    #[error("fleet name `{name}` is not valid")]
    FleetName {
        /// The name.
        name: String,
    },
    /// The fleet has no hosts.
    #[error("fleet `{fleet}` has no hosts")]
    NoHosts {
        /// The fleet.
        fleet: String,
    },
    /// Two hosts share a name.
    #[error("host `{host}` is defined {count} times: host names must be unique")]
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
    /// Two host names differ only in case.
    #[error("hosts `{first}` and `{second}` differ only in case: their files (hosts/<name>/, secrets/<name>.yaml) are one on a case-insensitive file system such as a Mac checkout")]
    HostCase {
        /// The first name.
        first: String,
        /// The other.
        second: String,
    },
    /// A host's system does not match its platform.
    #[error("host `{host}` is a {os} host but its system is `{system}`")]
    SystemMismatch {
        /// The host.
        host: String,
        /// Its platform label.
        os: &'static str,
        /// Its system.
        system: &'static str,
    },
    /// The fleet declares host spec fields without defaults and a host sets none.
    #[error("host `{host}` sets no host spec, but `{spec}` has fields without a default ({fields})")]
    MissingSpec {
        /// The host.
        host: String,
        /// The spec type.
        spec: String,
        /// The required option names.
        fields: String,
    },
    /// Two different profiles share a name.
    #[error("two different profiles are named `{profile}`")]
    DuplicateProfile {
        /// The name.
        profile: String,
    },
    /// A profile name cannot be a file name.
    #[error("profile `{profile}` has an invalid name")]
    ProfileName {
        /// The name.
        profile: String,
    },
    /// Two different users share a name.
    #[error("user `{user}` is defined twice with different settings (in profiles `{first}` and `{second}`)")]
    DuplicateUser {
        /// The user.
        user: String,
        /// Profile of the first definition.
        first: String,
        /// Profile of the conflicting one.
        second: String,
    },
    /// A user name is not a valid login name.
    #[error("user `{user}` (profile `{profile}`) has an invalid login name")]
    UserName {
        /// The user.
        user: String,
        /// Where it is attached.
        profile: String,
    },
    /// An inventory file is unreadable or does not follow the fleet's schema.
    #[error("{file}{}: {message}", if pointer.is_empty() { String::new() } else { format!(" at `{pointer}`") })]
    Inventory {
        /// The file.
        file: String,
        /// JSON pointer of the offending value (empty for the whole file).
        pointer: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A host's feature cannot give it profiles.
    #[error("host `{host}`: {message}")]
    Feature {
        /// The host.
        host: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A user's group or ssh key is malformed.
    #[error("user `{user}` has {what}")]
    UserField {
        /// The user.
        user: String,
        /// What is wrong.
        what: String,
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
    #[error("{owner} imports module `{module}`, which the output repository lacks")]
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
    #[error("module `{module}` is given two different scaffolds")]
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
    #[error("{owner} sets `{first}` and `{second}`, which collide")]
    PathCollision {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// One path.
        first: String,
        /// The other.
        second: String,
    },
    /// A typed option path is used by two different option types.
    #[error("option path `{path}` is declared by two different types (`{first}` and `{second}`)")]
    ConflictingOptions {
        /// The option path.
        path: String,
        /// One Rust type.
        first: String,
        /// The other.
        second: String,
    },
    /// A standalone home that cannot be built.
    #[error("standalone home `{name}`: {what}")]
    StandaloneHome {
        /// `user@machine`.
        name: String,
        /// What is wrong and how to fix it.
        what: String,
    },
    /// A host adds to a user's home that it cannot.
    #[error("host `{host}` adds to the home of user `{user}`, but {what}")]
    HostHome {
        /// The host.
        host: String,
        /// The user.
        user: String,
        /// What is wrong and how to fix it.
        what: &'static str,
    },
    /// Raw Nix that does not parse (or uses what a flake cannot).
    #[error("{owner}: the raw Nix at `{path}` {error}")]
    RawNix {
        /// `profile `x``, `host `y`` or `the home of user `z``.
        owner: String,
        /// The option path it is the value of.
        path: String,
        /// What is wrong, with the line and column in the raw text.
        error: String,
    },
    /// Raw Nix uses a variable no module receives.
    #[error("{owner}: the raw Nix at `{path}` uses the variable `{name}`, which is not in scope there (in scope: {in_scope}, and the Nix builtins)")]
    UndefinedVariable {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
        /// The variable.
        name: String,
        /// The module arguments available.
        in_scope: String,
    },
    /// `pkg(..)` with something that is not a nixpkgs attribute path.
    #[error("{owner}: at `{path}`, {error}")]
    Package {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
        /// What is wrong.
        error: String,
    },
    /// A default list for an option nixpkgs itself defines at normal priority: it would vanish.
    #[error("{owner} sets the list `{path}` with `.default(..)`, but nixpkgs defines `{path}` itself at normal priority, so a default list is dropped and its items vanish")]
    DefaultListDropped {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
    },
    /// A string contains a NUL character, which Nix strings cannot hold.
    #[error("{owner}: a value contains a NUL character, which Nix strings cannot hold (in {field})")]
    NulInString {
        /// Where.
        owner: String,
        /// Which value: the option it sets.
        field: String,
    },
    /// A user string holds a character no generated file can hold.
    #[error("{owner}: {field} `{value}` contains {why}")]
    Text {
        /// `host `x``, `profile `y``, `user `z``, `secret `s` of `Set``, …
        owner: String,
        /// Which field.
        field: String,
        /// The value, shortened and escaped.
        value: String,
        /// The character and why it cannot be there.
        why: String,
    },
    /// An age public key does not parse.
    #[error("{whose} has an invalid age key `{key}`: {reason}")]
    AgeKey {
        /// `admin `x`` or `host `y``.
        whose: String,
        /// The key as given.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// An admin name cannot be a YAML anchor.
    #[error("admin `{name}` has an invalid name")]
    AdminName {
        /// The name.
        name: String,
    },
    /// Two admins share a name.
    #[error("admin `{name}` is added twice")]
    DuplicateAdmin {
        /// The name.
        name: String,
    },
    /// The fleet has secrets but no admin who could create the encrypted files.
    #[error("the fleet has secrets but no admin to create the encrypted files")]
    NoAdmins,
    /// A host reads secrets but has no age key to decrypt them.
    #[error("host `{host}` reads secrets ({files}) but has no age key")]
    MissingHostKey {
        /// The host.
        host: String,
        /// The files it reads.
        files: String,
    },
    /// Two different secrets reach one host under one name.
    #[error("host `{host}` gets two different secrets named `{secret}` (from `{first}` and `{second}`)")]
    DuplicateSecret {
        /// The host.
        host: String,
        /// The secret name.
        secret: String,
        /// One secrets struct.
        first: String,
        /// The other.
        second: String,
    },
    /// A secret option has an invalid value.
    #[error("secret `{secret}` of `{set}` has {what}")]
    SecretOption {
        /// The secrets struct.
        set: String,
        /// The secret.
        secret: String,
        /// What is wrong and how to fix it.
        what: String,
    },
    /// A group scope's name cannot be used.
    #[error("secret group `{group}` (of `{set}`) {reason}")]
    SecretGroup {
        /// The group.
        group: String,
        /// The secrets struct.
        set: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A user's password secret is not decrypted before users are created.
    #[error("user `{user}` takes its password from secret `{secret}`, which is not `#[secret(needed_for_users)]`")]
    PasswordNotForUsers {
        /// The user.
        user: String,
        /// The secret.
        secret: String,
    },
    /// A host has a user whose password secret it cannot read.
    #[error("host `{host}` has user `{user}`, whose password secret `{secret}` (of `{set}`) the host does not read")]
    PasswordUnreadable {
        /// The host.
        host: String,
        /// The user.
        user: String,
        /// The secret.
        secret: String,
        /// Its secrets struct.
        set: String,
    },
    /// A deployment tag cannot be used.
    #[error("host `{host}` has {what}")]
    Tag {
        /// The host.
        host: String,
        /// What is wrong and how to fix it.
        what: String,
    },
    /// A deployment or build-machine setting is invalid.
    #[error("host `{host}`: {what}")]
    Deployment {
        /// The host.
        host: String,
        /// What is wrong and how to fix it.
        what: String,
    },
    /// A host uses a build machine whose ssh key secret it cannot read.
    #[error(
        "host `{host}` uses build machine `{builder}`, whose ssh key secret `{secret}` (of `{set}`) it does not read"
    )]
    BuilderKeyUnreadable {
        /// The host using the builder.
        host: String,
        /// The builder.
        builder: String,
        /// The secret.
        secret: String,
        /// Its secrets struct.
        set: String,
    },
    /// An extra flake input's name cannot be used.
    #[error("flake input `{input}` has an invalid name: {reason}")]
    InputName {
        /// The name as given.
        input: String,
        /// What is wrong and how to fix it.
        reason: &'static str,
    },
    /// An extra flake input's URL cannot be used.
    #[error("flake input `{input}` has the URL `{url}`, which {reason}")]
    InputUrl {
        /// The input.
        input: String,
        /// The URL, escaped for display.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Two different inputs share a name.
    #[error("two different flake inputs are named `{input}` (URLs `{first}` and `{second}`)")]
    DuplicateInput {
        /// The name.
        input: String,
        /// One URL.
        first: String,
        /// The other.
        second: String,
    },
    /// A `follows` of an extra input is malformed or names no input of the flake.
    #[error("flake input `{input}` follows `{target}` for its input `{follows}`, but {reason}")]
    InputFollows {
        /// The input.
        input: String,
        /// Its own input being overridden.
        follows: String,
        /// The fleet input it should follow.
        target: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A module reference into an input is malformed or does not fit where it is imported.
    #[error("{owner} imports `{path}` of flake input `{input}`, but {reason}")]
    InputModule {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// The input.
        input: String,
        /// The attribute path as given.
        path: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A file reference into an input is malformed.
    #[error("{owner}: at `{path}`, file `{file}` of flake input `{input}` {reason}")]
    InputFile {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
        /// The input.
        input: String,
        /// The file path, escaped for display.
        file: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An extra flake output (dev shell, package, check, exported module) is misnamed or clashes.
    #[error("the fleet's {kind} `{name}` {reason}")]
    FlakeOutput {
        /// `dev shell`, `package`, `check` or `exported module`.
        kind: &'static str,
        /// The name, escaped for display.
        name: String,
        /// What is wrong and how to fix it.
        reason: &'static str,
    },
    /// A state version is malformed.
    #[error("host `{host}` has state version `{version}`")]
    StateVersion {
        /// The host (or `fleet`).
        host: String,
        /// The version.
        version: String,
    },
    /// A value is a secret's path, but the host does not read the secret.
    #[error(
        "{owner} uses the path of secret `{secret}` (of `{set}`) at `{path}`, but host `{host}` does not read `{set}`"
    )]
    SecretValueUnreadable {
        /// `profile `x`` or `host `y``.
        owner: String,
        /// The option path.
        path: String,
        /// The host that cannot read it.
        host: String,
        /// The secret.
        secret: String,
        /// Its secrets struct.
        set: String,
    },
    /// A secret's path used as a value in a home, where `config` is home-manager's.
    #[error("{owner}: the value at `{path}` is the path of secret `{secret}`, but secrets are declared on the system (sops-nix's NixOS/nix-darwin module), not in homes")]
    SecretPathInHome {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
        /// The secret.
        secret: String,
    },
    /// A sops key that sops-nix cannot look up.
    #[error("secret `{secret}` of `{set}` has key `{key}`, which sops-nix cannot look up: {reason}")]
    SecretKey {
        /// The secrets struct.
        set: String,
        /// The secret.
        secret: String,
        /// The key.
        key: String,
        /// Why, and the fix.
        reason: &'static str,
    },
    /// A profile gives its users a malformed group.
    #[error("profile `{profile}` gives its users the group `{group}`, which is not a group name (lowercase letters, digits, `_`, `-`)")]
    ProfileGroup {
        /// The profile.
        profile: String,
        /// The group.
        group: String,
    },
    /// A profile gives groups to a user a host with it does not have.
    #[error("profile `{profile}` gives groups to user `{user}`, but host `{host}` (which has the profile) does not have that user")]
    GroupsForAbsentUser {
        /// The profile.
        profile: String,
        /// The user.
        user: String,
        /// The host without the user.
        host: String,
    },
}

/// Something legal that probably does not do what the fleet means; `generate` prints it and
/// goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Warning {
    /// A list set with `.default(..)`: any plain definition of the option replaces it.
    #[error("{owner} sets the list `{path}` with `.default(..)`: any plain definition of `{path}` (another module's, or nixpkgs') replaces the whole list")]
    DefaultList {
        /// Where.
        owner: String,
        /// The option path.
        path: String,
    },
}

impl Problem {
    /// The problem as a diagnostic, at `at` when known.
    pub fn at(&self, at: Option<&Location>) -> Diagnostic {
        Diagnostic::new(Severity::Error, self.code(), at, &self.to_string(), self.help())
    }

    /// The problem's stable code (`F001`…), listed in the README. A new kind of problem takes
    /// the next free code; a code is never reused.
    pub fn code(&self) -> &'static str {
        ProblemKind::from(self).code()
    }

    /// How to fix it, when the fix is one sentence of its own (otherwise the message says it).
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Problem::FleetName { .. } => "use letters, digits, `-`, `_` and `.`, starting with a letter or digit".to_owned(),
            Problem::NoHosts { .. } => "add one with `.host(Host::nixos(..))` or `.host(Host::darwin(..))`".to_owned(),
            Problem::DuplicateHost { .. } => "rename or remove the extra definitions".to_owned(),
            Problem::HostCase { .. } => "rename one".to_owned(),
            Problem::SystemMismatch { os, .. } => format!("use a {os} system or the other host constructor"),
            Problem::MissingSpec { spec, .. } => format!("add `.spec({spec} {{ .. }})` to the host"),
            Problem::DuplicateProfile { .. } => "profile names are file names under profiles/, give each its own name".to_owned(),
            Problem::ProfileName { .. } => "use letters, digits, `-` and `_`, starting with a letter".to_owned(),
            Problem::DuplicateUser { .. } => "define the user once with `User::new` and pass the same value to both profiles".to_owned(),
            Problem::UserName { .. } => "use lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters".to_owned(),
            Problem::UnknownModule { expected, module, module_dir, .. } => format!("create `{expected}` (or `{module_dir}/default.nix`), or give the module a scaffold with `Module::new(\"{module}\").scaffold(include_str!(..))`"),
            Problem::ConflictingScaffold { .. } => "give it one `Module` value and share it".to_owned(),
            Problem::PathCollision { .. } => "set each option once (hosts override profile values plainly, no need to repeat them in the profile)".to_owned(),
            Problem::ConflictingOptions { .. } => "give each #[options(path = ..)] its own path".to_owned(),
            Problem::RawNix { .. } => "fix the expression in `raw_nix(..)`, it is parsed as Nix".to_owned(),
            Problem::UndefinedVariable { .. } => "bind it with `let`, or select it from one of those".to_owned(),
            Problem::Package { .. } => "write `pkg(\"name\")` or `pkg(\"set.name\")` with the package's attribute path in nixpkgs".to_owned(),
            Problem::DefaultListDropped { path, .. } => format!("use `.add(\"{path}\", [..])`, whose items concatenate with every other definition"),
            Problem::NulInString { .. } => "remove it".to_owned(),
            Problem::Text { .. } => "remove it".to_owned(),
            Problem::AgeKey { .. } => "derive a host's key with `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub`, make a personal one with `age-keygen`".to_owned(),
            Problem::AdminName { name, .. } => format!("use letters, digits, `-` and `_` (it becomes the `.sops.yaml` anchor `&admin_{name}`)"),
            Problem::DuplicateAdmin { .. } => "give each admin one name and one key".to_owned(),
            Problem::NoAdmins => "add `.admin(\"you\", age_key!(\"age1…\"))` to the fleet with the public key from `age-keygen`".to_owned(),
            Problem::MissingHostKey { .. } => "on the host run `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub` and add `.age_key(age_key!(\"age1…\"))` to the host".to_owned(),
            Problem::DuplicateSecret { .. } => "rename one with `#[secret(rename = \"…\")]`".to_owned(),
            Problem::PasswordNotForUsers { .. } => "add it, or users are created before the secret exists".to_owned(),
            Problem::PasswordUnreadable { set, .. } => format!("attach `{set}` to a profile of the host with `.secrets::<{set}>()`"),
            Problem::BuilderKeyUnreadable { set, .. } => format!("attach `{set}` to the host or one of its profiles"),
            Problem::InputUrl { .. } => "give a flake reference such as `github:owner/repo` or `git+ssh://git@host/owner/repo.git`".to_owned(),
            Problem::DuplicateInput { .. } => "declare the input once with `fleet_input(..)` and share the value".to_owned(),
            Problem::InputFile { .. } => "give a path relative to the input's root, such as `secrets.yaml` or `hosts/a.yaml`".to_owned(),
            Problem::StateVersion { .. } => "NixOS state versions look like `24.05`".to_owned(),
            Problem::SecretValueUnreadable { owner, set, .. } => format!("attach it with `.secrets::<{set}>()` to {owner} or to a profile of every host that uses the value"),
            Problem::SecretPathInHome { secret, .. } => format!("set the option on the host or a profile, or use `raw_nix(\"osConfig.sops.secrets.{secret}.path\")`"),
            Problem::GroupsForAbsentUser { .. } => "add `.user(..)` for them to a profile of the host, or give the groups in a profile only hosts with the user have".to_owned(),
            _ => return None,
        })
    }
}

impl ProblemKind {
    /// The stable code of this kind of problem (`F001`…), listed in the README. A new kind takes
    /// the next free code; a code is never reused.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::FleetName => "F001",
            ProblemKind::NoHosts => "F002",
            ProblemKind::DuplicateHost => "F003",
            ProblemKind::HostName => "F004",
            ProblemKind::HostCase => "F005",
            ProblemKind::SystemMismatch => "F006",
            ProblemKind::MissingSpec => "F007",
            ProblemKind::DuplicateProfile => "F008",
            ProblemKind::ProfileName => "F009",
            ProblemKind::DuplicateUser => "F010",
            ProblemKind::UserName => "F011",
            ProblemKind::Inventory => "F012",
            ProblemKind::Feature => "F013",
            ProblemKind::UserField => "F014",
            ProblemKind::ModulePath => "F015",
            ProblemKind::UnknownModule => "F016",
            ProblemKind::ConflictingScaffold => "F017",
            ProblemKind::OptionPath => "F018",
            ProblemKind::PathCollision => "F019",
            ProblemKind::ConflictingOptions => "F020",
            ProblemKind::StandaloneHome => "F021",
            ProblemKind::HostHome => "F022",
            ProblemKind::RawNix => "F023",
            ProblemKind::UndefinedVariable => "F024",
            ProblemKind::Package => "F025",
            ProblemKind::DefaultListDropped => "F026",
            ProblemKind::NulInString => "F027",
            ProblemKind::Text => "F028",
            ProblemKind::AgeKey => "F029",
            ProblemKind::AdminName => "F030",
            ProblemKind::DuplicateAdmin => "F031",
            ProblemKind::NoAdmins => "F032",
            ProblemKind::MissingHostKey => "F033",
            ProblemKind::DuplicateSecret => "F034",
            ProblemKind::SecretOption => "F035",
            ProblemKind::SecretGroup => "F036",
            ProblemKind::PasswordNotForUsers => "F037",
            ProblemKind::PasswordUnreadable => "F038",
            ProblemKind::Tag => "F039",
            ProblemKind::Deployment => "F040",
            ProblemKind::BuilderKeyUnreadable => "F041",
            ProblemKind::InputName => "F042",
            ProblemKind::InputUrl => "F043",
            ProblemKind::DuplicateInput => "F044",
            ProblemKind::InputFollows => "F045",
            ProblemKind::InputModule => "F046",
            ProblemKind::InputFile => "F047",
            ProblemKind::FlakeOutput => "F048",
            ProblemKind::StateVersion => "F049",
            ProblemKind::SecretValueUnreadable => "F050",
            ProblemKind::SecretPathInHome => "F051",
            ProblemKind::SecretKey => "F052",
            ProblemKind::ProfileGroup => "F053",
            ProblemKind::GroupsForAbsentUser => "F054",
        }
    }
}

impl Warning {
    /// The warning as a diagnostic, at `at` when known.
    pub fn at(&self, at: Option<&Location>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, self.code(), at, &self.to_string(), self.help())
    }

    /// The warning's stable code (`W001`…), listed in the README.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::DefaultList { .. } => "W001",
        }
    }

    /// How to act on it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Warning::DefaultList { path, .. } => format!("use `.add(\"{path}\", [..])` so the items concatenate, or keep `.default` if a replaceable list is what you mean"),
        })
    }
}

/// Every problem of an invalid fleet, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Diagnostic>);

impl Problems {
    /// Problems whose places are unknown.
    pub fn unlocated(problems: Vec<Problem>) -> Self {
        Problems(problems.iter().map(|p| p.at(None)).collect())
    }
}

impl fmt::Display for Problems {
    /// Each problem as rustc shows an error (its code, the line of the fleet's code or inventory
    /// with a caret, the help), then how many there are.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sources = Sources::default();
        for d in &self.0 {
            f.write_str(&d.render(&mut sources))?;
        }
        let n = self.0.len();
        writeln!(f, "the fleet is invalid ({n} problem{}); nothing was written", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Problems {}

/// Why no tree could be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The fleet is invalid.
    #[error("{0}")]
    Invalid(Problems),
    /// A built-in template failed to render: a bug in fleet-gen, not in the fleet.
    #[error("a built-in template of fleet-gen failed to render (a bug in fleet-gen, please report it): {0}")]
    Template(minijinja::Error),
}

/// A failure to read or write the output repository.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file operation failed.
    #[error("{action} {}: {source}", shown_path(path))]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file the generator would write exists without the generated header.
    #[error("{} exists and was not written by fleet-gen (it lacks the `@generated by fleet-gen` header): move it away, or remove it if the generated version should replace it", shown_path(path))]
    NotGenerated {
        /// The file.
        path: PathBuf,
    },
    /// A symbolic link on the way to a file the generator writes or prunes.
    #[error("{} is a symbolic link: fleet-gen never writes or deletes through a link, so it cannot reach outside the output directory; replace the link with the real directory or file (or remove it)", shown_path(path))]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// A file where the generator needs a directory.
    #[error("{} is not a directory, but generated files go inside it: move it away", shown_path(path))]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A directory, device, socket or FIFO where the generator needs a regular file.
    #[error("{} is not a regular file, but fleet-gen generates a file there: move it away", shown_path(path))]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// Another run holds the output directory's lock.
    #[error("another `generate` is writing {} (it holds {}); waited {} s for it: let it finish, then run again", shown_path(dir), shown_path(lock), waited.as_secs())]
    Locked {
        /// The output directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// How long this run waited.
        waited: Duration,
    },
}

/// A write that failed part way: the error, and exactly which changes were and were not made.
#[derive(Debug)]
pub struct WriteFailure {
    /// What failed.
    pub error: WriteError,
    /// Relative paths written or deleted before the failure.
    pub done: Vec<String>,
    /// Relative paths of the plan not written or deleted.
    pub not_done: Vec<String>,
    /// Whether the journal stays, marking the directory as half-written for the next run.
    pub journal_kept: bool,
}

impl WriteFailure {
    /// A failure before the first change: nothing was written.
    pub fn before_any_change(error: WriteError) -> Self {
        WriteFailure { error, done: Vec::new(), not_done: Vec::new(), journal_kept: false }
    }
}

impl fmt::Display for WriteFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.error)?;
        if self.done.is_empty() && !self.journal_kept {
            return writeln!(f, "nothing was written");
        }
        const SHOWN: usize = 50;
        let list = |f: &mut fmt::Formatter<'_>, what: &str, paths: &[String]| -> fmt::Result {
            writeln!(f, "{what} ({}):", paths.len())?;
            for p in paths.iter().take(SHOWN) {
                writeln!(f, "  {}", shown(p))?;
            }
            if paths.len() > SHOWN {
                writeln!(f, "  … and {} more (all listed in .fleet-gen/pending)", paths.len() - SHOWN)?;
            }
            Ok(())
        };
        list(f, "written or deleted before the failure", &self.done)?;
        list(f, "not written or deleted", &self.not_done)?;
        writeln!(
            f,
            "the directory is marked as half-written (.fleet-gen/pending); fix the cause and run `generate` again: it completes the change, and `generate --check` reports the directory stale until then"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_each_is_in_the_readme() {
        use strum::VariantArray;
        let readme = include_str!("../../README.md");
        let mut seen = std::collections::HashSet::new();
        for kind in ProblemKind::VARIANTS {
            let code = kind.code();
            assert!(code.len() == 4 && code.starts_with('F') && code[1..].chars().all(|c| c.is_ascii_digit()));
            assert!(seen.insert(code), "{code} is given twice");
            assert!(readme.contains(&format!("| `{code}` |")), "README lacks a row for {code} ({kind:?})");
        }
        let warning = Warning::DefaultList { owner: String::new(), path: String::new() };
        assert!(readme.contains(&format!("| `{}` |", warning.code())));
    }
}
