//! Every cross-crate integration test in one binary, one module per concern: one link instead
//! of one per file. The compile-fail cases (`ui`) stay a binary of their own.

mod bad_flake;
mod bad_input;
mod bad_values;
mod deploy;
mod features;
mod fixtures;
mod flake;
mod graph;
mod import;
mod modules;
mod new_host;
mod nix_checks;
mod readme_markup;
mod schema;
mod secrets;
mod seed_002;
mod seed_003;
mod seed_004;
mod structure;
mod typed_extras;
mod values_property;
mod writer;
