//! home-manager: a user's home, configured once with the user and wired on every host the user
//! is on (NixOS and nix-darwin alike).

use crate::module::{Config, Module, Priority, Setting};
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
    pub fn new() -> Self {
        Home::default()
    }

    /// The home-manager release the home was started with (`home.stateVersion`).
    pub fn state_version(mut self, release: impl Into<String>) -> Self {
        self.state_version = Some(release.into());
        self
    }

    /// Imports a hand-written home module: `git` is `home/modules/git.nix` (or
    /// `home/modules/git/default.nix`) in the output repository.
    pub fn module(mut self, module: impl Into<Module>) -> Self {
        self.config.modules.push(module.into());
        self
    }

    /// Configures a program with a typed value (see [`Git`], [`Zsh`]).
    pub fn program(mut self, program: impl HomeProgram) -> Self {
        self.config.settings.extend(program.settings().into_iter().map(|(path, value)| Setting {
            path,
            value,
            priority: Priority::Normal,
        }));
        self
    }

    /// Sets a home-manager option by dotted path: the untyped escape hatch.
    pub fn set(mut self, path: &str, value: impl Into<NixValue>) -> Self {
        self.config.setting(path, value.into(), Priority::Normal);
        self
    }

    /// Adds items to a list option of the home by dotted path (`home.packages`).
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
    /// Further `settings` (git config sections), e.g. `{"pull": {"rebase": true}}`.
    pub settings: BTreeMap<String, NixValue>,
}

impl HomeProgram for Git {
    fn settings(&self) -> Vec<(String, NixValue)> {
        let mut out = vec![
            ("programs.git.enable".to_owned(), NixValue::Bool(true)),
            ("programs.git.settings.user.name".to_owned(), self.user_name.clone().into()),
            ("programs.git.settings.user.email".to_owned(), self.user_email.clone().into()),
        ];
        if let Some(branch) = &self.default_branch {
            out.push(("programs.git.settings.init.defaultBranch".to_owned(), branch.clone().into()));
        }
        for (section, value) in &self.settings {
            out.push((format!("programs.git.settings.{}", quote_segment(section)), value.clone()));
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
}

impl Default for Zsh {
    fn default() -> Self {
        Zsh { completion: true, autosuggestion: true, syntax_highlighting: true, aliases: BTreeMap::new() }
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
        out
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
        let mut git = Git { user_name: "A".into(), user_email: "a@b".into(), ..Git::default() };
        git.settings.insert("url.git@github.com:.insteadOf".into(), NixValue::from("https://github.com/"));
        let paths: Vec<AttrPath> = git.settings().iter().map(|(p, _)| AttrPath::parse(p).unwrap()).collect();
        assert_eq!(paths.last().unwrap().0, ["programs", "git", "settings", "url.git@github.com:.insteadOf"]);
    }
}
