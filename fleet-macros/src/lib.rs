//! Derive macros of fleet (stub, being implemented).
use proc_macro::TokenStream;

/// Derives `HostSpec`.
#[proc_macro_derive(HostSpec, attributes(spec))]
pub fn derive_host_spec(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives `NixOptions`.
#[proc_macro_derive(NixOptions, attributes(spec, options))]
pub fn derive_nix_options(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives `NixEnum`.
#[proc_macro_derive(NixEnum, attributes(nix))]
pub fn derive_nix_enum(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
