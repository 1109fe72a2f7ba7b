//! Validates a fleet and renders, checks and writes its flake-parts repository.
//!
//! Data flows one way: the fleet (fleet-dsl) and its [`inventory`] → [`plan::resolve`] (every
//! derived fact computed once, hand-written modules looked up on disk) → a [`plan::Plan`] →
//! [`validate::check`] (pure functions of the plan, returning [`Diagnostic`]s) → [`render`] (a
//! pure function of the plan) → a [`tree::Tree`] (path → bytes, in memory) → [`write`], the one
//! writer.

pub mod cli;
pub mod diagnostic;
pub mod document;
pub mod error;
pub mod features;
pub mod fingerprint;
pub mod inventory;
pub mod nix;
pub mod onboard;
pub mod plan;
pub mod render;
pub mod report;
pub mod schema;
pub mod shown;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;
pub mod tree;
pub mod validate;

pub mod write;

pub use diagnostic::{Diagnostic, Severity};
pub use error::{GenerateError, Problem, Problems, Warning, WriteError};
pub use tree::Tree;

use fleet_dsl::FleetData;
use std::path::Path;

/// Validates the fleet and renders its repository in memory. `out_dir` is only read, to find
/// the hand-written modules the fleet imports.
pub fn generate(fleet: &FleetData, out_dir: &Path) -> Result<Tree, GenerateError> {
    generate_recorded(fleet, out_dir).map(|(tree, _)| tree)
}

/// [`generate`], also returning the look-ups validation made in `out_dir` (recorded in the
/// no-op cache, see [`write::cache`]). The problems of the inventory files and of the Rust
/// fleet are reported together.
pub fn generate_recorded(fleet: &FleetData, out_dir: &Path) -> Result<(Tree, Vec<write::cache::Probe>), GenerateError> {
    let (fleet, mut problems) = inventory::merge_all(fleet);
    match validate::validate_recorded(&fleet, out_dir) {
        Ok((view, probes)) if problems.is_empty() => {
            Ok((render::render(&view).map_err(GenerateError::Template)?, probes))
        }
        Ok(_) => Err(GenerateError::Invalid(Problems(problems))),
        Err(found) => {
            problems.extend(found.0);
            Err(GenerateError::Invalid(Problems(problems)))
        }
    }
}
