//! home-manager: a user's home, configured once with the user and wired on every host the user
//! is on (NixOS and nix-darwin alike).

use crate::module::{Config, Module, Priority};
use crate::value::{Attrs, NixValue};
use std::collections::BTreeMap;

/// A user's home-manager configuration, rendered to `home/<user>.nix`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Home {
    /// `home.stateVersion`; defaults to the fleet's NixOS release.
    pub state_version: Option<String>,
    /// Hand-written home modules (under `home/modules/`), typed programs and untyped values.
    pub config: Config,
}

impl Home {
    /// An empty home configuration.
    #[track_caller]
    pub fn new() -> Self {
        Home::default()
    }

    /// The home-manager release the home was started with (`home.stateVersion`).
    #[track_caller]
    pub fn state_version(mut self, release: impl Into<String>) -> Self {
        self.state_version = Some(release.into());
        self
    }

    /// Imports a hand-written home module: `git` is `home/modules/git.nix` (or
    /// `home/modules/git/default.nix`) in the output repository.
    #[track_caller]
    pub fn module(mut self, module: impl Into<Module>) -> Self {
        self.config.modules.push(module.into());
        self
    }

    /// Configures a program with a typed value (see [`Git`], [`Zsh`], [`Starship`], [`Direnv`]).
    #[track_caller]
    pub fn program(mut self, program: impl HomeProgram) -> Self {
        for (path, value) in program.settings() {
            self.config.typed_setting(&path, value, Priority::Normal);
        }
        self
    }

    /// Sets a home-manager option by dotted path: the untyped escape hatch.
    #[track_caller]
    pub fn set(mut self, path: &str, value: impl Into<NixValue>) -> Self {
        self.config.setting(path, value.into(), Priority::Normal);
        self
    }

    /// Installs packages into the home (`home.packages`, concatenated with every other list).
    #[track_caller]
    pub fn packages<T: Into<NixValue>>(mut self, packages: impl IntoIterator<Item = T>) -> Self {
        self.config.typed_add("home.packages", packages);
        self
    }

    /// Sets an environment variable of the user's sessions (`home.sessionVariables`).
    #[track_caller]
    pub fn session_variable(mut self, name: &str, value: impl Into<NixValue>) -> Self {
        let path = format!("home.sessionVariables.{}", quote_segment(name));
        self.config.typed_setting(&path, value.into(), Priority::Normal);
        self
    }

    /// Adds directories to the user's `PATH` (`home.sessionPath`).
    #[track_caller]
    pub fn session_path<S: Into<String>>(mut self, dirs: impl IntoIterator<Item = S>) -> Self {
        self.config.typed_add("home.sessionPath", dirs.into_iter().map(Into::into).map(NixValue::Str));
        self
    }

    /// Adds items to a list option of the home by dotted path (`home.packages`).
    #[track_caller]
    pub fn add<T: Into<NixValue>>(mut self, path: &str, items: impl IntoIterator<Item = T>) -> Self {
        self.config.add(path, items);
        self
    }
}

/// A typed home-manager program: the option values it sets, by dotted path.
pub trait HomeProgram {
    /// `(path, value)` pairs, e.g. `("programs.git.enable", true)`.
    fn settings(&self) -> Vec<(String, NixValue)>;
}

/// `programs.git`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Git {
    /// `settings.user.name`.
    pub user_name: String,
    /// `settings.user.email`.
    pub user_email: String,
    /// `settings.init.defaultBranch`, when set.
    pub default_branch: Option<String>,
    /// Commit and tag signing, when set.
    pub signing: Option<GitSigning>,
    /// Further `settings` (git config sections), e.g. `{"pull": {"rebase": true}}`. They are
    /// merged with the typed fields: a `user` section adds to `user.name` and `user.email`
    /// (which win where both set one key).
    pub settings: BTreeMap<String, NixValue>,
}

/// `programs.git.signing`.
#[derive(Clone, Debug, PartialEq)]
pub struct GitSigning {
    /// The key: an OpenPGP fingerprint, or an ssh public key (or its path) for [`SigningFormat::Ssh`].
    pub key: String,
    /// How commits are signed.
    pub format: SigningFormat,
    /// Sign every commit and tag.
    pub sign_by_default: bool,
}

/// `programs.git.signing.format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningFormat {
    /// OpenPGP (GnuPG).
    Openpgp,
    /// ssh keys.
    Ssh,
    /// X.509 certificates.
    X509,
}

impl SigningFormat {
    fn as_str(self) -> &'static str {
        match self {
            SigningFormat::Openpgp => "openpgp",
            SigningFormat::Ssh => "ssh",
            SigningFormat::X509 => "x509",
        }
    }
}

/// `base` with `extra` merged in, key by key; `base` wins where both hold a leaf, and keeps
/// its keys first.
fn merge_under(base: Attrs, extra: &BTreeMap<String, NixValue>) -> Attrs {
    let mut out = Attrs::new();
    for (k, ours) in base {
        let merged = match (extra.get(&k), ours) {
            (Some(NixValue::Attrs(theirs)), NixValue::Attrs(ours)) => {
                let theirs: BTreeMap<String, NixValue> = theirs.clone().into_iter().collect();
                NixValue::Attrs(merge_under(ours, &theirs))
            }
            (_, ours) => ours,
        };
        out.insert(k, merged);
    }
    for (k, v) in extra {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

impl HomeProgram for Git {
    fn settings(&self) -> Vec<(String, NixValue)> {
        let mut typed = Attrs::new();
        let user = NixValue::attrs([("name", self.user_name.as_str()), ("email", self.user_email.as_str())]);
        typed.insert("user".into(), user);
        if let Some(branch) = &self.default_branch {
            typed.insert("init".into(), NixValue::attrs([("defaultBranch", branch.as_str())]));
        }
        let mut out = vec![
            ("programs.git.enable".to_owned(), NixValue::Bool(true)),
            ("programs.git.settings".to_owned(), NixValue::Attrs(merge_under(typed, &self.settings))),
        ];
        if let Some(s) = &self.signing {
            out.push(("programs.git.signing.key".to_owned(), s.key.clone().into()));
            out.push(("programs.git.signing.format".to_owned(), s.format.as_str().into()));
            out.push(("programs.git.signing.signByDefault".to_owned(), s.sign_by_default.into()));
        }
        out
    }
}

/// `programs.zsh`.
#[derive(Clone, Debug, PartialEq)]
pub struct Zsh {
    /// `enableCompletion`.
    pub completion: bool,
    /// `autosuggestion.enable`.
    pub autosuggestion: bool,
    /// `syntaxHighlighting.enable`.
    pub syntax_highlighting: bool,
    /// `shellAliases`.
    pub aliases: BTreeMap<String, String>,
    /// `initContent`: commands run in every interactive shell (a multi-line script is
    /// written as a `''` string). A host's home can add to it; the parts concatenate.
    pub init: Option<String>,
}

impl Default for Zsh {
    fn default() -> Self {
        Zsh { completion: true, autosuggestion: true, syntax_highlighting: true, aliases: BTreeMap::new(), init: None }
    }
}

impl HomeProgram for Zsh {
    fn settings(&self) -> Vec<(String, NixValue)> {
        let mut out = vec![
            ("programs.zsh.enable".to_owned(), NixValue::Bool(true)),
            ("programs.zsh.enableCompletion".to_owned(), self.completion.into()),
            ("programs.zsh.autosuggestion.enable".to_owned(), self.autosuggestion.into()),
            ("programs.zsh.syntaxHighlighting.enable".to_owned(), self.syntax_highlighting.into()),
        ];
        if !self.aliases.is_empty() {
            let aliases: Attrs = self.aliases.iter().map(|(k, v)| (k.clone(), NixValue::from(v.as_str()))).collect();
            out.push(("programs.zsh.shellAliases".to_owned(), NixValue::Attrs(aliases)));
        }
        if let Some(init) = &self.init {
            out.push(("programs.zsh.initContent".to_owned(), init.clone().into()));
        }
        out
    }
}

/// Extra lines for zsh's interactive shells on top of the user's own (`programs.zsh.initContent`
/// is `types.lines`, so the parts of the user's home and of a host concatenate).
#[derive(Clone, Debug, PartialEq)]
pub struct ZshInit(pub String);

impl HomeProgram for ZshInit {
    fn settings(&self) -> Vec<(String, NixValue)> {
        vec![("programs.zsh.initContent".to_owned(), self.0.clone().into())]
    }
}

/// `programs.starship`: the prompt, with zsh integration.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Starship {
    /// `settings` (starship.toml), e.g. `{"add_newline": false}`.
    pub settings: BTreeMap<String, NixValue>,
}

impl HomeProgram for Starship {
    fn settings(&self) -> Vec<(String, NixValue)> {
        let mut out = vec![("programs.starship.enable".to_owned(), NixValue::Bool(true))];
        if !self.settings.is_empty() {
            let settings: Attrs = self.settings.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            out.push(("programs.starship.settings".to_owned(), NixValue::Attrs(settings)));
        }
        out
    }
}

/// `programs.direnv`, with nix-direnv (cached `use flake`) unless turned off.
#[derive(Clone, Debug, PartialEq)]
pub struct Direnv {
    /// `nix-direnv.enable`.
    pub nix_direnv: bool,
}

impl Default for Direnv {
    fn default() -> Self {
        Direnv { nix_direnv: true }
    }
}

impl HomeProgram for Direnv {
    fn settings(&self) -> Vec<(String, NixValue)> {
        vec![
            ("programs.direnv.enable".to_owned(), NixValue::Bool(true)),
            ("programs.direnv.nix-direnv.enable".to_owned(), self.nix_direnv.into()),
        ]
    }
}

/// A path segment quoted when it is not a plain name, for the dotted-path parser.
fn quote_segment(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if plain {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AttrPath;

    #[test]
    fn program_paths_parse_back_to_their_segments() {
        for (path, _) in Git::default().settings().into_iter().chain(Zsh::default().settings()) {
            AttrPath::parse(&path).unwrap();
        }
        let home = Home::new().session_variable("A.B", "x");
        assert_eq!(AttrPath::parse(&home.config.settings[0].path).unwrap().0, ["home", "sessionVariables", "A.B"]);
    }

    #[test]
    fn git_settings_merge_with_the_typed_fields() {
        let mut git = Git { user_name: "A".into(), user_email: "a@b".into(), ..Git::default() };
        git.settings.insert("user".into(), NixValue::attrs([("signingKey", "K"), ("name", "ignored")]));
        git.settings.insert("url.git@github.com:.insteadOf".into(), NixValue::from("https://github.com/"));
        let settings = git.settings();
        let NixValue::Attrs(s) = &settings[1].1 else { panic!("not attrs") };
        assert_eq!(s["user"], NixValue::attrs([("signingKey", "K"), ("name", "A"), ("email", "a@b")]));
        assert!(s.contains_key("url.git@github.com:.insteadOf"));
    }
}
