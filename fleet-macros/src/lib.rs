//! Macros of fleet: the derives `HostSpec`, `NixOptions`, `NixEnum` and `Secrets`, and
//! `age_key!`.
//!
//! The derives expand to implementations of the traits in `fleet_dsl::options` and
//! `fleet_dsl::secret`: data describing Nix options and sops-nix secrets, never Nix text. Use
//! them through `fleet_dsl`, which re-exports them next to the traits of the same name.
//!
//! The stages follow the layout of `thiserror`'s implementation: [`ast`] is the input as the
//! derive sees it, [`attr`] parses the helper attributes, [`valid`] checks what the parser
//! cannot, [`expand`] writes the impls, and [`fallback`] stands in for them when the input has
//! errors, so the user sees the derive's messages and not a cascade of unimplemented traits.

mod age;
mod ast;
mod attr;
mod ctxt;
mod derive;
mod doc;
mod expand;
mod fallback;
mod patch;
/// The domain rules of `fleet_dsl::rules`, compiled here too so the derives check at compile
/// time exactly what the generator checks (a proc-macro crate cannot depend on the crate that
/// re-exports it). Not every rule has a compile-time use.
#[allow(dead_code)]
#[path = "../../fleet-dsl/src/rules/mod.rs"]
mod rules;
mod valid;

use derive::Derive;
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
/// also derives `ModuleOptions`, the options of a module at that path, and declares the patch
/// type `GnomePatch`: every field an `Option` (`Default` is all `None`), for setting some
/// options without restating the others:
/// `.options(GnomePatch { wayland: Some(false), ..Default::default() })` emits `wayland` only.
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

/// Derives `Secrets` for a struct with named fields of type `Secret`: a set of sops-nix secrets
/// sharing a scope, and a `SecretRef` constructor per field (`Shared::user_password()`).
///
/// The struct takes `#[secrets(scope = common)]` (`secrets/common.yaml`, every host),
/// `#[secrets(scope = host)]` (`secrets/<host>.yaml`, each host its own) or
/// `#[secrets(scope = group("name"))]` (`secrets/<name>.yaml`, the hosts that use the set).
///
/// Secrets are named in kebab-case (`wifi_password` is `"wifi-password"`). Field attributes:
/// `#[secret(rename = "name", key = "k", owner = "user", group = "grp", mode = "0400",
/// path = "/run/...", format = yaml|json|binary|dotenv|ini, needed_for_users,
/// restart_units = ["a.service"], reload_units = ["b.service"])]`. Units to restart or reload make
/// the set NixOS-only. Field doc comments become the secrets' descriptions.
#[proc_macro_derive(Secrets, attributes(secrets, secret))]
pub fn derive_secrets(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, Derive::Secrets).into()
}

/// An age X25519 public key, checked at compile time: `age_key!("age1…")` is
/// `fleet_dsl::AgeKey::new("age1…")` when the literal is bech32 with the prefix `age`, in
/// lowercase, encoding 32 bytes, and a compile error at the literal otherwise.
///
/// Derive a host's key with `ssh-to-age < /etc/ssh/ssh_host_ed25519_key.pub`; make a personal one
/// with `age-keygen`.
#[proc_macro]
pub fn age_key(input: TokenStream) -> TokenStream {
    age::expand(input.into()).into()
}
