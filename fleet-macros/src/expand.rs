//! The generated impls. They compile in the user's crate on every edit, so they stay small;
//! every path in them is absolute.

use crate::ast::{Enum, Field, SecretField, SecretsStruct, Struct};
use crate::attr::DefaultValue;
use crate::attr::ScopeValue;
use crate::ctxt::Ctxt;
use crate::derive::Derive;
use crate::fallback;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Expr, ExprLit, ExprUnary, Lit, UnOp};

/// Runs a derive: the impls, or the errors and stand-in impls.
pub fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let result = match derive {
        Derive::HostSpec | Derive::NixOptions => derive_struct(input, derive),
        Derive::NixEnum => derive_enum(input),
        Derive::Secrets => derive_secrets(input),
    };
    result.unwrap_or_else(|err| fallback::expand(input, derive, err))
}

/// `HostSpec` / `NixOptions` on a struct.
fn derive_struct(input: &DeriveInput, derive: Derive) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = Struct::from_syn(&cx, input, derive);
    if let Some(s) = &parsed {
        s.validate(&cx);
    }
    cx.check()?;
    Ok(parsed.map(|s| struct_impls(&s)).unwrap_or_default())
}

/// `NixEnum` on an enum.
fn derive_enum(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = Enum::from_syn(&cx, input);
    if let Some(e) = &parsed {
        e.validate(&cx);
    }
    cx.check()?;
    Ok(parsed.map(|e| enum_impls(&e)).unwrap_or_default())
}

/// `Secrets` on a struct.
fn derive_secrets(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let parsed = SecretsStruct::from_syn(&cx, input);
    if let Some(s) = &parsed {
        s.validate(&cx);
    }
    cx.check()?;
    Ok(parsed.map(|s| secrets_impls(&s)).unwrap_or_default())
}

/// `Some(String::from(text))` or `None`.
fn opt_string(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::core::option::Option::Some(::std::string::String::from(#text))),
        None => quote!(::core::option::Option::None),
    }
}

fn struct_impls(s: &Struct<'_>) -> TokenStream {
    let ident = &s.original.ident;
    let rust_name = ident.to_string();
    let description = opt_string(s.doc.as_deref());
    let decls = s.fields.iter().map(option_decl);
    let values = s.fields.iter().map(|field| {
        let (name, member, ty) = (field.nix_name(), field.ident, field.ty);
        let value = quote_spanned!(ty.span()=> <#ty as ::fleet_dsl::NixType>::to_nix(&self.#member));
        quote!((::std::string::String::from(#name), #value))
    });
    let marker = match (s.derive, &s.attrs.path) {
        (Derive::HostSpec, _) => quote!(impl ::fleet_dsl::HostSpec for #ident {}),
        (_, Some(path)) => {
            let patch = crate::patch::name(ident);
            let declaration = crate::patch::declaration(s.original);
            let sets = s.fields.iter().map(|field| {
                let (name, member, ty) = (field.nix_name(), field.ident, field.ty);
                let value = quote_spanned!(ty.span()=> <#ty as ::fleet_dsl::NixType>::to_nix(value));
                quote! {
                    if let ::core::option::Option::Some(value) = &self.#member {
                        values.insert(::std::string::String::from(#name), #value);
                    }
                }
            });
            quote! {
                impl ::fleet_dsl::ModuleOptions for #ident {
                    const PATH: &'static str = #path;
                }
                #declaration
                impl ::fleet_dsl::OptionValues for #patch {
                    type Options = #ident;
                    fn values(&self) -> ::fleet_dsl::Attrs {
                        let mut values = ::fleet_dsl::Attrs::new();
                        #(#sets)*
                        values
                    }
                }
            }
        }
        (_, None) => TokenStream::new(),
    };
    quote! {
        impl ::fleet_dsl::NixType for #ident {
            fn option_type() -> ::fleet_dsl::OptionType {
                ::fleet_dsl::OptionType::Submodule(<Self as ::fleet_dsl::NixOptions>::option_set())
            }
            fn to_nix(&self) -> ::fleet_dsl::NixValue {
                ::fleet_dsl::NixValue::Attrs(<Self as ::fleet_dsl::NixOptions>::option_values(self))
            }
        }
        impl ::fleet_dsl::NixOptions for #ident {
            fn option_set() -> ::fleet_dsl::OptionSet {
                ::fleet_dsl::OptionSet {
                    rust_name: ::std::string::String::from(#rust_name),
                    description: #description,
                    options: ::std::vec![#(#decls),*],
                }
            }
            fn option_values(&self) -> ::fleet_dsl::Attrs {
                ::core::iter::FromIterator::from_iter([#(#values),*])
            }
        }
        #marker
    }
}

/// The `OptionDecl` of one field.
fn option_decl(field: &Field<'_>) -> TokenStream {
    let (name, ty) = (field.nix_name(), field.ty);
    let option_type = match &field.attrs.port {
        Some(port) => quote_spanned!(port.span()=> ::fleet_dsl::options::port_type()),
        None => quote_spanned!(ty.span()=> <#ty as ::fleet_dsl::NixType>::option_type()),
    };
    let description = opt_string(field.doc.as_deref());
    let default = match &field.attrs.default {
        None => quote!(::core::option::Option::None),
        Some(DefaultValue::Trait(key)) => {
            let value = quote_spanned!(key.span()=> <#ty as ::core::default::Default>::default());
            quote!(::core::option::Option::Some(::fleet_dsl::NixType::to_nix(&#value)))
        }
        Some(DefaultValue::Expr(expr)) => {
            // An integer literal is typed by an integer field directly: through `Into` it would
            // stay `i32`.
            let value = if is_int_literal(expr) && is_int_type(ty) {
                quote_spanned!(expr.span()=> #expr)
            } else {
                quote_spanned!(expr.span()=> ::core::convert::Into::into(#expr))
            };
            quote!(::core::option::Option::Some({
                let value: #ty = #value;
                ::fleet_dsl::NixType::to_nix(&value)
            }))
        }
    };
    quote! {
        ::fleet_dsl::OptionDecl {
            name: ::std::string::String::from(#name),
            ty: #option_type,
            description: #description,
            default: #default,
        }
    }
}

/// `u16`, `i64`, ...: a primitive integer type written plainly.
fn is_int_type(ty: &syn::Type) -> bool {
    const INTS: &[&str] = &["i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize"];
    match ty {
        syn::Type::Path(p) => p.qself.is_none() && p.path.get_ident().is_some_and(|i| INTS.iter().any(|t| i == t)),
        syn::Type::Group(g) => is_int_type(&g.elem),
        syn::Type::Paren(p) => is_int_type(&p.elem),
        _ => false,
    }
}

/// `8080` or `-1`.
fn is_int_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(_), .. }) => true,
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => is_int_literal(expr),
        Expr::Group(g) => is_int_literal(&g.expr),
        Expr::Paren(p) => is_int_literal(&p.expr),
        _ => false,
    }
}

fn secrets_impls(s: &SecretsStruct<'_>) -> TokenStream {
    let ident = &s.original.ident;
    let rust_name = ident.to_string();
    let platform = if s.nixos_only() { quote!(::fleet_dsl::Nixos) } else { quote!(::fleet_dsl::Any) };
    let scope = match &s.attrs.scope {
        Some(ScopeValue::Common) | None => quote!(::fleet_dsl::Scope::Common),
        Some(ScopeValue::Host) => quote!(::fleet_dsl::Scope::Host),
        Some(ScopeValue::Group(name)) => quote!(::fleet_dsl::Scope::Group(::std::string::String::from(#name))),
    };
    let decls = s.fields.iter().map(secret_decl);
    let constructors = s.fields.iter().map(|field| {
        let (vis, member, name) = (field.vis, field.ident, field.secret_name());
        let doc =
            format!("A reference to the secret `{name}` (for a user's password file, a service's credentials, ...).");
        quote! {
            #[doc = #doc]
            #vis const fn #member() -> ::fleet_dsl::SecretRef<Self> {
                ::fleet_dsl::SecretRef::new(#name)
            }
        }
    });
    quote! {
        impl ::fleet_dsl::Secrets for #ident {
            type Platform = #platform;
            fn secret_set() -> ::fleet_dsl::SecretSet {
                ::fleet_dsl::SecretSet {
                    rust_name: ::std::string::String::from(#rust_name),
                    scope: #scope,
                    secrets: ::std::vec![#(#decls),*],
                }
            }
        }
        impl #ident {
            #(#constructors)*
        }
    }
}

/// The `SecretDecl` of one field.
fn secret_decl(field: &SecretField<'_>) -> TokenStream {
    let attrs = &field.attrs;
    let name = field.secret_name();
    let description = opt_string(field.doc.as_deref());
    let [key, owner, group, mode, path] = [&attrs.key, &attrs.owner, &attrs.group, &attrs.mode, &attrs.path]
        .map(|lit| opt_string(lit.as_ref().map(|lit| lit.value()).as_deref()));
    let format = match &attrs.format {
        Some(variant) => quote!(::core::option::Option::Some(::fleet_dsl::SecretFormat::#variant)),
        None => quote!(::core::option::Option::None),
    };
    let needed_for_users = attrs.needed_for_users.is_some();
    let [restart_units, reload_units] = [&attrs.restart_units, &attrs.reload_units].map(|units| {
        let units = units.iter().flatten();
        quote!(::std::vec![#(::std::string::String::from(#units)),*])
    });
    quote! {
        ::fleet_dsl::SecretDecl {
            name: ::std::string::String::from(#name),
            description: #description,
            key: #key,
            owner: #owner,
            group: #group,
            mode: #mode,
            path: #path,
            format: #format,
            needed_for_users: #needed_for_users,
            restart_units: #restart_units,
            reload_units: #reload_units,
        }
    }
}

fn enum_impls(e: &Enum<'_>) -> TokenStream {
    let ident = &e.original.ident;
    let names: Vec<String> = e.variants.iter().map(|v| v.nix_name()).collect();
    let variants = e.variants.iter().map(|v| &v.original.ident);
    quote! {
        impl ::fleet_dsl::NixType for #ident {
            fn option_type() -> ::fleet_dsl::OptionType {
                ::fleet_dsl::OptionType::Enum(::std::vec![#(::std::string::String::from(#names)),*])
            }
            fn to_nix(&self) -> ::fleet_dsl::NixValue {
                ::fleet_dsl::NixValue::Str(::std::string::String::from(match self {
                    #(Self::#variants => #names,)*
                }))
            }
        }
        impl ::fleet_dsl::NixEnum for #ident {
            const VARIANTS: &'static [&'static str] = &[#(#names),*];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn struct_expansion_names_fields_and_uses_absolute_paths() {
        let input: DeriveInput = parse_quote! {
            /// A spec.
            struct Spec {
                /// Who.
                primary_user: String,
                #[spec(port, default = 22)]
                ssh_port: u16,
            }
        };
        let out = derive(&input, Derive::HostSpec).to_string();
        assert!(out.contains("\"primaryUser\""), "{out}");
        assert!(out.contains("\"sshPort\""), "{out}");
        assert!(out.contains("impl :: fleet_dsl :: HostSpec for Spec { }"), "{out}");
        assert!(out.contains(":: fleet_dsl :: options :: port_type ()"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn module_options_get_their_path() {
        let input: DeriveInput = parse_quote! {
            #[options(path = "modules.desktop.gnome")]
            struct Gnome { enable: bool }
        };
        let out = derive(&input, Derive::NixOptions).to_string();
        assert!(out.contains("const PATH : & 'static str = \"modules.desktop.gnome\""), "{out}");
        assert!(!out.contains("HostSpec"), "{out}");
        assert!(out.contains("struct GnomePatch { # [doc = \"\"]"), "{out}");
        assert!(out.contains("enable : :: core :: option :: Option < bool >"), "{out}");
        assert!(out.contains("impl :: fleet_dsl :: OptionValues for GnomePatch { type Options = Gnome ;"), "{out}");
    }

    #[test]
    fn enum_expansion_lists_variants() {
        let input: DeriveInput = parse_quote!(
            enum Gpu {
                Amd,
                IntelArc,
            }
        );
        let out = derive(&input, Derive::NixEnum).to_string();
        assert!(out.contains("& [\"amd\" , \"intelArc\"]"), "{out}");
    }

    fn secrets_expansion(input: &DeriveInput) -> String {
        derive(input, Derive::Secrets).to_string()
    }

    #[test]
    fn secrets_expansion_declares_each_field() {
        let input: DeriveInput = parse_quote! {
            /// Shared.
            #[secrets(scope = common)]
            pub struct Shared {
                /// Hashed login password of the primary user.
                #[secret(needed_for_users)]
                pub user_password: Secret,
                #[secret(rename = "token", key = "api/token", owner = "alice", group = "users", mode = "0440", path = "/run/token", format = json)]
                pub(crate) api_token: fleet_dsl::Secret,
            }
        };
        let out = secrets_expansion(&input);
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("impl :: fleet_dsl :: Secrets for Shared"), "{out}");
        assert!(out.contains("type Platform = :: fleet_dsl :: Any ;"), "{out}");
        assert!(out.contains("scope : :: fleet_dsl :: Scope :: Common"), "{out}");
        assert!(out.contains("name : :: std :: string :: String :: from (\"user-password\")"), "{out}");
        assert!(out.contains("(\"Hashed login password of the primary user.\")"), "{out}");
        assert!(out.contains("needed_for_users : true"), "{out}");
        assert!(
            out.contains("format : :: core :: option :: Option :: Some (:: fleet_dsl :: SecretFormat :: Json)"),
            "{out}"
        );
        assert!(
            out.contains("mode : :: core :: option :: Option :: Some (:: std :: string :: String :: from (\"0440\"))"),
            "{out}"
        );
        assert!(
            out.contains("pub const fn user_password () -> :: fleet_dsl :: SecretRef < Self > { :: fleet_dsl :: SecretRef :: new (\"user-password\") }"),
            "{out}"
        );
        assert!(out.contains("pub (crate) const fn api_token ()"), "{out}");
        assert!(out.contains("SecretRef :: new (\"token\")"), "{out}");
    }

    #[test]
    fn units_make_secrets_nixos_only() {
        let with_units: DeriveInput = parse_quote! {
            #[secrets(scope = group("media"))]
            struct Media {
                a: Secret,
                #[secret(reload_units = ["jellyfin.service"])]
                b: Secret,
            }
        };
        let out = secrets_expansion(&with_units);
        assert!(out.contains("type Platform = :: fleet_dsl :: Nixos ;"), "{out}");
        assert!(
            out.contains(":: fleet_dsl :: Scope :: Group (:: std :: string :: String :: from (\"media\"))"),
            "{out}"
        );
        assert!(
            out.contains("reload_units : :: std :: vec ! [:: std :: string :: String :: from (\"jellyfin.service\")]"),
            "{out}"
        );
        let empty_units: DeriveInput = parse_quote! {
            #[secrets(scope = host)]
            struct Wifi {
                #[secret(restart_units = [], reload_units = [])]
                psk: Secret,
            }
        };
        let out = secrets_expansion(&empty_units);
        assert!(out.contains("type Platform = :: fleet_dsl :: Any ;"), "{out}");
        assert!(out.contains(":: fleet_dsl :: Scope :: Host"), "{out}");
    }

    #[test]
    fn secrets_errors_come_with_stand_in_impls() {
        let input: DeriveInput = parse_quote! {
            #[secrets(scope = host)]
            pub struct Wifi {
                #[secret(mode = "0999", restart_units = ["a.service"])]
                pub psk: String,
            }
        };
        let out = secrets_expansion(&input);
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(out.contains("impl :: fleet_dsl :: Secrets for Wifi"), "{out}");
        assert!(out.contains("type Platform = :: fleet_dsl :: Any ;"), "{out}");
        assert!(out.contains("pub const fn psk () -> :: fleet_dsl :: SecretRef < Self >"), "{out}");
    }

    #[test]
    fn errors_come_with_stand_in_impls() {
        let input: DeriveInput = parse_quote!(
            struct Spec {
                #[spec(defualt = 1)]
                a: u8,
                #[spec(port)]
                b: String,
            }
        );
        let out = derive(&input, Derive::HostSpec).to_string();
        assert_eq!(out.matches("compile_error").count(), 2, "{out}");
        assert!(out.contains("impl :: fleet_dsl :: HostSpec for Spec"), "{out}");
    }
}
