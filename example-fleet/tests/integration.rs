//! The example fleet's integration tests in one binary, one module per concern.

mod cli;
mod diagnostics;
mod editor;
mod import;
mod new_host;
mod nix;
mod schema;
