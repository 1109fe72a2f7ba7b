//! Nix source: escaping and a syntax tree printed in alejandra's layout.

pub mod escape;
pub mod expr;

pub use expr::{Binding, Expr, Formals};
