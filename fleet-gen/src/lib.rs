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
pub mod import;
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
/// no-op cache, see [`write::cache`]).
pub fn generate_recorded(fleet: &FleetData, out_dir: &Path) -> Result<(Tree, Vec<write::cache::Probe>), GenerateError> {
    with_plan(fleet, out_dir, |plan, probes| Ok((render::render(&plan).map_err(GenerateError::Template)?, probes)))
        .map_err(GenerateError::Invalid)?
}

/// The one way from a fleet to its checked plan, for every command: the inventory files merged
/// in, the fleet resolved (hand-written modules looked up in `out_dir`, the look-ups recorded)
/// and checked; `f` gets the plan. Otherwise every problem of the inventory files and of the
/// Rust fleet, reported together.
pub fn with_plan<R>(
    fleet: &FleetData,
    out_dir: &Path,
    f: impl FnOnce(plan::Plan<'_>, Vec<write::cache::Probe>) -> R,
) -> Result<R, Problems> {
    let (fleet, mut problems) = inventory::merge_all(fleet);
    match validate::validate_recorded(&fleet, out_dir) {
        Ok((plan, probes)) if problems.is_empty() => Ok(f(plan, probes)),
        Ok(_) => Err(Problems(problems)),
        Err(found) => {
            problems.extend(found.0);
            Err(Problems(problems))
        }
    }
}
