//! Nix source: escaping, a syntax tree printed in alejandra's layout, raw Nix parsed into it,
//! and the free variables that decide a module's arguments.

pub mod escape;
pub mod expr;
mod nest;
mod print;
pub mod raw;
pub mod scope;

pub use expr::{BinaryOp, Binding, Expr, Formals, Key, Param, PathPart, StrPart, UnaryOp};
