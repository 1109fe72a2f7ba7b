//! The patch type of a `#[derive(NixOptions)]` struct with a path: the same fields, each an
//! `Option`, so a profile or host sets some options of a module without restating the others.
//!
//! The struct is written from the input alone (fields, visibility, doc comments), so the
//! fallback of a failed derive declares it too and user code naming it adds no error.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Data, DeriveInput, Fields};

/// The name of the patch type of `ident`: `Gnome` → `GnomePatch`.
pub fn name(ident: &Ident) -> Ident {
    format_ident!("{}Patch", ident, span = ident.span())
}

/// `pub struct GnomePatch { pub wayland: Option<bool>, .. }` with `Default`, or nothing for an
/// input that is not a struct with named fields.
pub fn declaration(input: &DeriveInput) -> TokenStream {
    let Data::Struct(data) = &input.data else { return TokenStream::new() };
    let Fields::Named(fields) = &data.fields else { return TokenStream::new() };
    let (ident, vis) = (&input.ident, &input.vis);
    let patch = name(ident);
    let doc = format!(
        "Some options of [`{ident}`], for `.options(..)` on a profile or host: only the fields that are \
         `Some` are emitted, so a host overrides one option of a profile's `{ident}` and keeps the others. \
         Write it as `{patch} {{ field: Some(value), ..Default::default() }}`."
    );
    let fields = fields.named.iter().filter_map(|f| {
        let (member, fvis, ty) = (f.ident.as_ref()?, &f.vis, &f.ty);
        let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let note = format!("`None` leaves `{member}` of [`{ident}`] unset.");
        Some(quote_spanned! {member.span()=>
            #(#docs)*
            #[doc = ""]
            #[doc = #note]
            #fvis #member: ::core::option::Option<#ty>
        })
    });
    quote! {
        #[doc = #doc]
        #[derive(::core::default::Default)]
        #vis struct #patch {
            #(#fields,)*
        }
    }
}
