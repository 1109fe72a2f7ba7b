//! Cross-crate tests of fleet, and the helpers and fixture fleets they share.
//!
//! The fixtures ([`hostile_fleet`], [`minimal_nixos_fleet`], [`darwin_unstable_fleet`]) all
//! validate; the helpers find and run the real `nix-instantiate` ([`nix_instantiate`],
//! [`nix_eval_json`], [`nix_parse`]), evaluate generated modules against a stub `lib`
//! ([`HARNESS`]), and evaluate whole hosts with the real nixpkgs module system
//! ([`eval_hosts`], the Nix files of `tests/nix/`, with the upstream sources of
//! [`nix_sources`]).

mod cli;
pub use cli::{assert_refused, generate_fresh, generate_into, run_cli};
mod escape;
mod import;
pub use import::{
    build_and_generate, build_and_generate_all, host_essentials, import_fixture, import_fixture_dir, round_trip_all,
    round_trip_dir, round_trip_dirs, rustfmt, IMPORT_FIXTURES, IMPORT_PATHS,
};
mod flake;
pub use escape::escape_hatches;
pub mod editor;
pub mod lint;
mod seed_003;
pub use seed_003::{seed_003_fleet, Feature as Seed003Feature, TravelSecrets, UserSecrets, SEED_003_ESCAPE_HATCHES};
mod meaning;
mod seed_002;
pub use flake::{flake_fleet, FLAKE_BASE_MODULE};
mod seed_004;
mod typed_extras;
pub use meaning::{meaning_fleet, MEANING_PACKAGES, MEANING_SCRIPT};
pub use seed_002::{
    seed_002_fleet, Gitea, Ollama, Retroarch, Sunshine, Syncthing, Vllm, Wallabag, SEED_002_ESCAPE_HATCHES,
};
pub use seed_004::{
    seed_004_fleet, Base, BasePatch, Desktop, DesktopPatch, Mac, MacPatch, Role, Seed004Spec, Server, ServerKeys,
    ServerPatch, Session, Shared, SEED_004_ESCAPE_HATCHES, SEED_004_FLAKE, SEED_004_INVENTORY,
};
pub use typed_extras::{typed_extras_fleet, Common, Gnome, GnomePatch, Wifi};

mod fixtures;
mod nix;
mod sops;
mod tree;
pub use fixtures::*;
pub use nix::*;
pub use sops::*;
pub use tree::*;
