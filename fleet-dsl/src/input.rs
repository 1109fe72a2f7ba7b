//! Extra flake inputs (nixos-hardware, impermanence, a private `nix-secrets` repository …) and
//! what hosts and profiles take from them: modules, files.
//!
//! An input is declared once, as a Rust value, and referenced by the hosts and profiles that
//! use it; `generate` emits it in `flake.nix` only when something references it.
//!
//! ```
//! use fleet_dsl::prelude::*;
//! let hw = fleet_input("nixos-hardware", "github:NixOS/nixos-hardware");
//! let secrets = fleet_input("nix-secrets", "git+ssh://git@github.com/me/nix-secrets.git").not_flake();
//! let laptop = Profile::nixos("laptop")
//!     .import_input(hw.nixos_module("framework-16-7040-amd"))
//!     .set("sops.defaultSopsFile", secrets.file("secrets.yaml"));
//! # let _ = laptop;
//! ```

use crate::platform::{Any, Darwin, Nixos, ProfilePlatform, Target};
use std::marker::PhantomData;
use std::sync::Arc;

/// A flake input of the fleet: a typed handle, cloned into every reference to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    data: Arc<InputData>,
}

/// The content of an input: what `flake.nix` declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputData {
    /// The input's name in `flake.nix` (`inputs.<name>`).
    pub name: String,
    /// Its flake reference, e.g. `github:NixOS/nixos-hardware`.
    pub url: String,
    /// `false` for a repository that is not a flake (`flake = false;`): only its files are used.
    pub flake: bool,
    /// `inputs.<input>.follows` overrides, in declaration order.
    pub follows: Vec<Follows>,
    /// Where the input is declared (its `fleet_input` call).
    pub at: crate::Location,
}

/// One `inputs.<input>.follows = "<target>";` of an extra input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Follows {
    /// The input of the extra input to override (e.g. `nixpkgs`).
    pub input: String,
    /// The fleet input it follows; `None` is the nixpkgs the fleet's other inputs follow (the
    /// stable one when a host uses it, else the one the hosts do use).
    pub target: Option<String>,
}

/// Declares a flake input: `fleet_input("nixos-hardware", "github:NixOS/nixos-hardware")`.
/// Same as [`Input::new`].
#[track_caller]
pub fn fleet_input(name: impl Into<String>, url: impl Into<String>) -> Input {
    Input::new(name, url)
}

impl Input {
    /// A flake input named `name` (letters, digits, `-`, `_`) at the flake reference `url`.
    #[track_caller]
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        let data = InputData {
            name: name.into(),
            url: url.into(),
            flake: true,
            follows: Vec::new(),
            at: crate::Location::caller(),
        };
        Input { data: Arc::new(data) }
    }

    /// The input is not a flake (`flake = false;`): a repository whose files the fleet reads,
    /// such as a private `nix-secrets` repository of sops files.
    pub fn not_flake(mut self) -> Self {
        Arc::make_mut(&mut self.data).flake = false;
        self
    }

    /// `inputs.<input>.follows = "<target>"`: the input's own input `input` is the fleet's
    /// input `target` (a generator input such as `nixpkgs`, or another extra input).
    pub fn follows(mut self, input: impl Into<String>, target: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.data).follows.push(Follows { input: input.into(), target: Some(target.into()) });
        self
    }

    /// `inputs.nixpkgs.follows` the nixpkgs the fleet's other inputs follow, so the input does
    /// not pin a nixpkgs of its own.
    pub fn follows_nixpkgs(mut self) -> Self {
        Arc::make_mut(&mut self.data).follows.push(Follows { input: "nixpkgs".into(), target: None });
        self
    }

    /// The platform-erased content.
    pub fn data(&self) -> &Arc<InputData> {
        &self.data
    }

    /// The NixOS module `nixosModules.<name>` of the input; importing it on a Darwin host or
    /// profile does not compile.
    pub fn nixos_module(&self, name: &str) -> InputModule<Nixos> {
        self.module_at(format!("nixosModules.{name}"))
    }

    /// The nix-darwin module `darwinModules.<name>` of the input; importing it on a NixOS host or
    /// profile does not compile.
    pub fn darwin_module(&self, name: &str) -> InputModule<Darwin> {
        self.module_at(format!("darwinModules.{name}"))
    }

    /// A module of the input at any attribute path (`nixosModules.default`,
    /// `modules.nixos.x`), usable on either platform. `generate` still refuses a path under
    /// `nixosModules` on a nix-darwin host or profile and one under `darwinModules` on NixOS:
    /// prefer [`Input::nixos_module`] / [`Input::darwin_module`], which the compiler checks.
    pub fn module(&self, attr_path: &str) -> InputModule<Any> {
        self.module_at(attr_path.to_owned())
    }

    fn module_at<P: ProfilePlatform>(&self, path: String) -> InputModule<P> {
        InputModule {
            data: InputModuleData { input: Arc::clone(&self.data), path, target: P::TARGET },
            _platform: PhantomData,
        }
    }

    /// A file of the input as a value: `inputs.<name> + "/<path>"` (a store path), e.g. an
    /// encrypted sops file of a `nix-secrets` repository. `path` is relative to the
    /// repository's root.
    pub fn file(&self, path: &str) -> InputFile {
        InputFile { input: Arc::clone(&self.data), path: path.to_owned() }
    }
}

/// A module of an input written for platform `Self` that a host or profile of platform `P` may
/// import: a NixOS module on NixOS, a nix-darwin module on nix-darwin, an untyped one anywhere.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` module of a flake input cannot be imported by a `{P}` host or profile",
    label = "this module is for `{Self}` hosts only",
    note = "import it on a `{Self}` host or profile; a profile for every platform (`Profile::any`) can import only modules for every platform"
)]
pub trait ModuleFits<P: ProfilePlatform>: ProfilePlatform {}

impl ModuleFits<Nixos> for Nixos {}
impl ModuleFits<Darwin> for Darwin {}
impl<P: ProfilePlatform> ModuleFits<P> for Any {}

/// A module of an input, for platform `P`: `Host::import_input` / `Profile::import_input`
/// accept it where `P` may be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputModule<P> {
    data: InputModuleData,
    _platform: PhantomData<P>,
}

impl<P> InputModule<P> {
    /// The platform-erased content.
    pub fn into_data(self) -> InputModuleData {
        self.data
    }
}

/// The platform-erased content of an input module reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputModuleData {
    /// The input.
    pub input: Arc<InputData>,
    /// Its attribute path in the input, e.g. `nixosModules.framework-16-7040-amd`.
    pub path: String,
    /// Which platforms it is for.
    pub target: Target,
}

/// A file of an input, as a value: `inputs.<name> + "/<path>"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The input.
    pub input: Arc<InputData>,
    /// The path inside the input, relative to its root.
    pub path: String,
}
