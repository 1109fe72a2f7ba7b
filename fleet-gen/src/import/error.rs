//! Why an import failed: each names the file and what to do.

use std::path::PathBuf;

/// A repository that cannot be imported, or an output that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The path has no `flake.nix`.
    #[error("{} has no flake.nix: give `import` the directory of the flake to import", path.display())]
    NoFlake {
        /// The directory given.
        path: PathBuf,
    },
    /// A file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A Nix file does not parse.
    #[error(
        "{file}:{line}: not valid Nix ({message}); fix the file (`nix-instantiate --parse {file}`) and import again"
    )]
    Parse {
        /// The file, relative to the repository.
        file: String,
        /// The line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// `flake.nix` has no `outputs` function the importer can follow.
    #[error("{file}: `outputs` is not a function of the inputs (`outputs = {{ self, nixpkgs, ... }}: {{ … }}`); the importer reads flakes of that shape")]
    NoOutputs {
        /// The flake file.
        file: String,
    },
    /// No host was found.
    #[error("{file}: no `nixosConfigurations.<host>` or `darwinConfigurations.<host>` built with `nixosSystem` / `darwinSystem` was found; nothing to import")]
    NoHosts {
        /// The flake file.
        file: String,
    },
    /// A module imports a file that does not exist.
    #[error("{from}: imports {}, which does not exist; fix the import (the flake would not evaluate either)", path.display())]
    MissingModule {
        /// Where the import is written.
        from: String,
        /// The missing file.
        path: PathBuf,
    },
    /// The output directory is not empty.
    #[error("{} exists and is not empty: give `--out` a new directory, so nothing of yours is overwritten", path.display())]
    OutNotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// Writing the fleet crate failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The importer itself failed (a bug): nothing was written.
    #[error("the importer failed on this repository (a bug in fleet import; please report it with the flake); nothing was written")]
    Crashed,
    /// The `.sops.yaml` file does not parse.
    #[error("{file}: not valid YAML ({message}); fix it and import again")]
    Sops {
        /// The file.
        file: String,
        /// The parser's message.
        message: String,
    },
}
