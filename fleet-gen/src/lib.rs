//! Validates a fleet and renders, checks and writes its flake-parts repository.
//!
//! Data flows one way: the fleet (fleet-dsl) → [`validate`] → a [`view::View`] → [`render`] →
//! a [`tree::Tree`] (path → bytes, in memory) → [`write`], the one writer.

pub mod cli;
pub mod document;
pub mod error;
pub mod features;
pub mod fingerprint;
pub mod import;
pub mod inventory;
pub mod nix;
pub mod onboard;
pub mod render;
pub mod report;
pub mod schema;
pub mod shown;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;
pub mod tree;
pub mod validate;
pub mod view;
pub mod write;

pub use error::{GenerateError, Problem, Problems, Warning, WriteError};
pub use tree::Tree;

use fleet_dsl::FleetData;
use std::path::Path;

/// Validates the fleet and renders its repository in memory. `out_dir` is only read, to find
/// the hand-written modules the fleet imports.
pub fn generate(fleet: &FleetData, out_dir: &Path) -> Result<Tree, GenerateError> {
    let fleet = inventory::merge(fleet).map_err(|p| GenerateError::Invalid(Problems(p)))?;
    let view = validate::validate(&fleet, out_dir).map_err(GenerateError::Invalid)?;
    render::render(&view).map_err(GenerateError::Template)
}

/// [`generate`], also returning the look-ups validation made in `out_dir` (recorded in the
/// no-op cache, see [`write::cache`]).
pub fn generate_recorded(fleet: &FleetData, out_dir: &Path) -> Result<(Tree, Vec<write::cache::Probe>), GenerateError> {
    let fleet = inventory::merge(fleet).map_err(|p| GenerateError::Invalid(Problems(p)))?;
    let (view, probes) = validate::validate_recorded(&fleet, out_dir).map_err(GenerateError::Invalid)?;
    Ok((render::render(&view).map_err(GenerateError::Template)?, probes))
}
