//! Derive macros of fleet: `HostSpec`, `NixOptions` and `NixEnum`.
//!
//! The derives expand to implementations of the traits in `fleet_dsl::options`: data describing
//! Nix options, never Nix text. Use them through `fleet_dsl`, which re-exports them next to the
//! traits of the same name.
//!
//! The stages follow the layout of `thiserror`'s implementation: [`ast`] is the input as the
//! derive sees it, [`attr`] parses the helper attributes, [`valid`] checks what the parser
//! cannot, [`expand`] writes the impls, and [`fallback`] stands in for them when the input has
//! errors, so the user sees the derive's messages and not a cascade of unimplemented traits.

mod ast;
mod attr;
mod ctxt;
mod doc;
mod expand;
mod fallback;
mod valid;

use ast::Derive;
use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `HostSpec` (and `NixType`, `NixOptions`) for a struct with named fields: the typed
/// facts every host declares, read by modules as `config.hostSpec.*`.
///
/// Field attributes: `#[spec(rename = "name")]`, `#[spec(default)]`,
/// `#[spec(default = EXPR)]`, `#[spec(port)]` (on `u16` fields). Field doc comments become the
/// options' descriptions.
#[proc_macro_derive(HostSpec, attributes(spec, options))]
pub fn derive_host_spec(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::HostSpec).into()
}

/// Derives `NixOptions` (and `NixType`) for a struct with named fields: a set of options, usable
/// as a submodule field type. With `#[options(path = "modules.desktop.gnome")]` on the struct it
/// also derives `ModuleOptions`, the options of a module at that path.
///
/// Field attributes are those of `#[derive(HostSpec)]`.
#[proc_macro_derive(NixOptions, attributes(spec, options))]
pub fn derive_nix_options(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::NixOptions).into()
}

/// Derives `NixEnum` (and `NixType`) for an enum of unit variants, mapped to `types.enum`.
///
/// Variants are named in lowerCamelCase (`IntelArc` is `"intelArc"`); `#[nix(rename = "name")]`
/// overrides the name of one variant.
#[proc_macro_derive(NixEnum, attributes(nix))]
pub fn derive_nix_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::NixEnum).into()
}
