//! Users, defined once and attached to profiles.

use crate::home::Home;
use crate::secret::{SecretLink, SecretRef, Secrets};

/// A login shell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Shell {
    /// bash, the default: nothing to enable.
    #[default]
    Bash,
    /// zsh (`programs.zsh.enable`).
    Zsh,
    /// fish (`programs.fish.enable`).
    Fish,
}

impl Shell {
    /// The nixpkgs attribute of the shell package.
    #[track_caller]
    pub fn package(self) -> &'static str {
        match self {
            Shell::Bash => "bashInteractive",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The `programs.<name>` module that must be enabled for the shell to work as a login shell.
    #[track_caller]
    pub fn program(self) -> Option<&'static str> {
        match self {
            Shell::Bash => None,
            Shell::Zsh => Some("zsh"),
            Shell::Fish => Some("fish"),
        }
    }
}

/// A user account, declared once in the generated `modules/users.nix` and enabled on every host
/// whose profiles include it.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Full name or purpose (`description`).
    pub description: Option<String>,
    /// Supplementary groups (NixOS `extraGroups`).
    pub groups: Vec<String>,
    /// Login shell.
    pub shell: Shell,
    /// Public ssh keys allowed to log in.
    pub ssh_keys: Vec<String>,
    /// The secret holding the hashed password (`hashedPasswordFile`, NixOS).
    pub password_secret: Option<SecretLink>,
    /// The user's home-manager configuration.
    pub home: Option<Home>,
    /// Where the user is defined (its `User::new` call).
    pub at: crate::Location,
}

impl User {
    /// A user with a login name and nothing else.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        User {
            name: name.into(),
            description: None,
            groups: Vec::new(),
            shell: Shell::Bash,
            ssh_keys: Vec::new(),
            password_secret: None,
            home: None,
            at: crate::Location::caller(),
        }
    }

    /// Sets the description (full name).
    #[track_caller]
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the supplementary groups.
    #[track_caller]
    pub fn groups<S: Into<String>>(mut self, groups: impl IntoIterator<Item = S>) -> Self {
        self.groups = groups.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the login shell.
    #[track_caller]
    pub fn shell(mut self, shell: Shell) -> Self {
        self.shell = shell;
        self
    }

    /// Takes the user's hashed password from a secret (`hashedPasswordFile` on NixOS). The
    /// secret must be `#[secret(needed_for_users)]` and readable by every host with the user.
    #[track_caller]
    pub fn password_secret<T: Secrets>(mut self, secret: SecretRef<T>) -> Self {
        self.password_secret = Some(secret.into());
        self
    }

    /// Manages the user's home with home-manager, on every host the user is on.
    #[track_caller]
    pub fn home(mut self, home: Home) -> Self {
        self.home = Some(home);
        self
    }

    /// Adds a public ssh key allowed to log in as this user.
    #[track_caller]
    pub fn ssh_key(mut self, key: impl Into<String>) -> Self {
        self.ssh_keys.push(key.into());
        self
    }
}
