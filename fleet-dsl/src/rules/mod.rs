//! The domain rules, each in one place: what an age public key, a host name, a login name and a
//! path outside the Nix store are, and which known name a typo most likely meant.
//!
//! The derive macros check the same rules at compile time by including these files (a
//! proc-macro crate cannot depend on the crate that re-exports it), so the rules use only `std`,
//! `bech32` and `strsim`, which both crates have.

pub mod age;
pub mod names;
pub mod store;
pub mod suggest;
