//! What a derive emits when the input has errors: the errors, and stand-in impls of the traits,
//! so that code using the type reports nothing more than the derive's own messages.

use crate::attr::OPTIONS;
use crate::derive::Derive;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// The compile errors of `err` followed by impls of the derive's traits whose bodies are never
/// run (the crate does not compile).
pub fn expand(input: &DeriveInput, derive: Derive, err: syn::Error) -> TokenStream {
    let errors = err.into_compile_error();
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let header = |tr: TokenStream| quote!(impl #impl_generics #tr for #ident #ty_generics #where_clause);
    let nix_type = header(quote!(::fleet_dsl::NixType));
    let unreachable = quote!(::core::unreachable!("the derive failed; the crate does not compile"));
    if derive == Derive::Secrets {
        let secrets = header(quote!(::fleet_dsl::Secrets));
        // The constructors too, so that `Wifi::psk()` in user code does not add an error.
        let constructors = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => {
                    fields.named.iter().filter_map(|f| Some((&f.vis, f.ident.as_ref()?))).collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
        .into_iter()
        .map(|(vis, member)| {
            quote! {
                #[doc = "Stands in for the derive's constructor."]
                #vis const fn #member() -> ::fleet_dsl::SecretRef<Self> { ::fleet_dsl::SecretRef::new("") }
            }
        });
        return quote! {
            #errors
            #secrets {
                type Platform = ::fleet_dsl::Any;
                fn secret_set() -> ::fleet_dsl::SecretSet { #unreachable }
            }
            impl #impl_generics #ident #ty_generics #where_clause {
                #(#constructors)*
            }
        };
    }
    let mut out = quote! {
        #errors
        #nix_type {
            fn option_type() -> ::fleet_dsl::OptionType { #unreachable }
            fn to_nix(&self) -> ::fleet_dsl::NixValue { #unreachable }
        }
    };
    if derive == Derive::NixEnum {
        let nix_enum = header(quote!(::fleet_dsl::NixEnum));
        out.extend(quote!(#nix_enum { const VARIANTS: &'static [&'static str] = &[]; }));
        return out;
    }
    let nix_options = header(quote!(::fleet_dsl::NixOptions));
    out.extend(quote! {
        #nix_options {
            fn option_set() -> ::fleet_dsl::OptionSet { #unreachable }
            fn option_values(&self) -> ::fleet_dsl::Attrs { #unreachable }
        }
    });
    if derive == Derive::HostSpec {
        let host_spec = header(quote!(::fleet_dsl::HostSpec));
        out.extend(quote!(#host_spec {}));
    } else if input.attrs.iter().any(|attr| attr.path().is_ident(OPTIONS)) && input.generics.params.is_empty() {
        let module_options = header(quote!(::fleet_dsl::ModuleOptions));
        out.extend(quote!(#module_options { const PATH: &'static str = ""; }));
        // The patch type too, so that `GnomePatch { .. }` in user code adds no error.
        let patch = crate::patch::name(ident);
        out.extend(crate::patch::declaration(input));
        out.extend(quote! {
            impl ::fleet_dsl::OptionValues for #patch {
                type Options = #ident;
                fn values(&self) -> ::fleet_dsl::Attrs { #unreachable }
            }
        });
    }
    out
}
