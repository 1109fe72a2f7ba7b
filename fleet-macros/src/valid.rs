//! Checks the parser cannot make: names, paths, field types, generics.

use crate::ast::{Derive, Enum, Struct};
use crate::ctxt::Ctxt;
use std::collections::BTreeMap;
use syn::{Fields, GenericArgument, Generics, PathArguments, ReturnType, Type};

/// The message for a `HashMap` (or `HashSet`) in a field type.
pub fn unordered_message(name: &str) -> String {
    format!(
        "`{name}` has no stable order, so the generated files would change between runs: use `BTreeMap` or `IndexMap`"
    )
}

impl Struct<'_> {
    /// Records every problem of a `HostSpec` / `NixOptions` input.
    pub fn validate(&self, cx: &Ctxt) {
        check_generics(cx, &self.original.generics, self.derive);
        if self.derive == Derive::HostSpec {
            for attr in &self.attrs.options_attrs {
                cx.error_spanned_by(
                    attr,
                    "`#[options(...)]` does not apply to `#[derive(HostSpec)]`: the host spec's options always live at `hostSpec`; use `#[derive(NixOptions)]` for a module's options",
                );
            }
        }
        if let Some(path) = &self.attrs.path {
            if let Err(reason) = check_option_path(&path.value()) {
                cx.error_spanned_by(path, format!("invalid `path`: {reason}"));
            }
        }
        let mut names: BTreeMap<String, &syn::Ident> = BTreeMap::new();
        for field in &self.fields {
            let name = field.nix_name();
            if let Some(lit) = field.attrs.rename.as_ref().filter(|lit| lit.value().is_empty()) {
                cx.error_spanned_by(lit, "`rename` must not be empty");
            } else if let Some(first) = names.get(&name) {
                cx.error_at(
                    field.name_span(),
                    format!("duplicate option name `{name}`: field `{first}` already has it; rename one of them with `#[spec(rename = \"...\")]`"),
                );
            } else {
                names.insert(name, field.ident);
            }
            if let Some(port) = &field.attrs.port {
                if !is_u16(field.ty) {
                    cx.error_spanned_by(port, "`port` applies to `u16` fields");
                }
            }
            find_unordered(cx, field.ty);
        }
    }
}

impl Enum<'_> {
    /// Records every problem of a `NixEnum` input.
    pub fn validate(&self, cx: &Ctxt) {
        check_generics(cx, &self.original.generics, Derive::NixEnum);
        if self.variants.is_empty() {
            cx.error_at(
                self.original.ident.span(),
                "`NixEnum` needs at least one variant: `types.enum` of nothing has no values",
            );
        }
        let mut names: BTreeMap<String, &syn::Ident> = BTreeMap::new();
        for variant in &self.variants {
            match &variant.original.fields {
                Fields::Unit => {}
                fields => cx.error_spanned_by(
                    fields,
                    format!(
                        "`NixEnum` variants cannot have fields: `{}` maps to a plain Nix string",
                        variant.original.ident
                    ),
                ),
            }
            let name = variant.nix_name();
            if let Some(lit) = variant.attrs.rename.as_ref().filter(|lit| lit.value().is_empty()) {
                cx.error_spanned_by(lit, "`rename` must not be empty");
            } else if let Some(first) = names.get(&name) {
                cx.error_at(
                    variant.name_span(),
                    format!("duplicate enum value `{name}`: variant `{first}` already has it; rename one of them with `#[nix(rename = \"...\")]`"),
                );
            } else {
                names.insert(name, &variant.original.ident);
            }
        }
    }
}

/// Generic types are not supported: the option set of a type is one fixed declaration.
fn check_generics(cx: &Ctxt, generics: &Generics, derive: Derive) {
    let msg =
        format!("`{}` cannot be derived for generic types: a Nix option declaration is one fixed type", derive.name());
    if !generics.params.is_empty() {
        cx.error_spanned_by(&generics.params, msg);
    } else if let Some(where_clause) = &generics.where_clause {
        cx.error_spanned_by(where_clause, msg);
    }
}

/// Whether an option path is dotted identifiers: `a.b_c.d-e`.
pub fn check_option_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("it is empty; write dotted names such as `modules.desktop.gnome`".into());
    }
    for segment in path.split('.') {
        let mut chars = segment.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'));
        if !valid {
            return Err(format!(
                "`{path}` is not dotted names: segment `{segment}` is not a name (letters, digits, `_`, `'` and `-`, not starting with a digit)"
            ));
        }
    }
    Ok(())
}

/// Whether the type is written `u16` (or `core::primitive::u16`).
fn is_u16(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => {
            p.qself.is_none()
                && p.path.segments.last().is_some_and(|s| s.ident == "u16" && s.arguments.is_none())
                && (p.path.segments.len() == 1 || p.path.segments.iter().any(|s| s.ident == "primitive"))
        }
        Type::Group(g) => is_u16(&g.elem),
        Type::Paren(p) => is_u16(&p.elem),
        _ => false,
    }
}

/// Records an error for every `HashMap` / `HashSet` anywhere in the type.
fn find_unordered(cx: &Ctxt, ty: &Type) {
    match ty {
        Type::Path(p) => {
            if let Some(qself) = &p.qself {
                find_unordered(cx, &qself.ty);
            }
            if let Some(seg) = p.path.segments.iter().find(|s| s.ident == "HashMap" || s.ident == "HashSet") {
                cx.error_spanned_by(p, unordered_message(&seg.ident.to_string()));
                return;
            }
            for seg in &p.path.segments {
                match &seg.arguments {
                    PathArguments::AngleBracketed(args) => {
                        for arg in &args.args {
                            match arg {
                                GenericArgument::Type(t) => find_unordered(cx, t),
                                GenericArgument::AssocType(a) => find_unordered(cx, &a.ty),
                                _ => {}
                            }
                        }
                    }
                    PathArguments::Parenthesized(args) => {
                        args.inputs.iter().for_each(|t| find_unordered(cx, t));
                        if let ReturnType::Type(_, t) = &args.output {
                            find_unordered(cx, t);
                        }
                    }
                    PathArguments::None => {}
                }
            }
        }
        Type::Array(a) => find_unordered(cx, &a.elem),
        Type::Slice(s) => find_unordered(cx, &s.elem),
        Type::Reference(r) => find_unordered(cx, &r.elem),
        Type::Ptr(p) => find_unordered(cx, &p.elem),
        Type::Group(g) => find_unordered(cx, &g.elem),
        Type::Paren(p) => find_unordered(cx, &p.elem),
        Type::Tuple(t) => t.elems.iter().for_each(|t| find_unordered(cx, t)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::{parse_quote, DeriveInput};

    fn errors_of(input: &DeriveInput, derive: Derive) -> Vec<String> {
        let cx = Ctxt::new();
        match derive {
            Derive::NixEnum => {
                if let Some(e) = Enum::from_syn(&cx, input) {
                    e.validate(&cx);
                }
            }
            _ => {
                if let Some(s) = Struct::from_syn(&cx, input, derive) {
                    s.validate(&cx);
                }
            }
        }
        cx.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect()).unwrap_or_default()
    }

    #[test]
    fn a_good_struct_passes() {
        let input: DeriveInput = parse_quote! {
            #[options(path = "modules.desktop.gnome-shell")]
            struct Gnome {
                #[spec(port, default = 8080)]
                port: u16,
                users: std::collections::BTreeMap<String, Vec<String>>,
            }
        };
        assert_eq!(errors_of(&input, Derive::NixOptions), Vec::<String>::new());
    }

    #[test]
    fn every_problem_of_a_struct_is_reported() {
        let input: DeriveInput = parse_quote! {
            #[options(path = "modules..gnome")]
            struct Spec<T> {
                primary_user: String,
                #[spec(rename = "primaryUser")]
                user: String,
                #[spec(port)]
                port: String,
                maps: Option<Vec<std::collections::HashMap<String, bool>>>,
                #[spec(rename = "")]
                empty: T,
            }
        };
        let errors = errors_of(&input, Derive::HostSpec);
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].starts_with("`HostSpec` cannot be derived for generic types"));
        assert!(errors[1].starts_with("`#[options(...)]` does not apply to `#[derive(HostSpec)]`"));
        assert!(errors[2].starts_with("duplicate option name `primaryUser`: field `primary_user` already has it"));
        assert_eq!(errors[3], "`port` applies to `u16` fields");
        assert_eq!(errors[4], unordered_message("HashMap"));
        assert_eq!(errors[5], "`rename` must not be empty");
        // The same path is checked for `NixOptions`.
        let errors = errors_of(&input, Derive::NixOptions);
        assert!(
            errors[1].starts_with("invalid `path`: `modules..gnome` is not dotted names: segment ``"),
            "{errors:#?}"
        );
    }

    #[test]
    fn every_problem_of_an_enum_is_reported() {
        let input: DeriveInput = parse_quote! {
            enum Gpu<'a> { Amd(u8), #[nix(rename = "amd")] Radeon, Other { name: &'a str }, #[nix(nmae = "x")] Intel }
        };
        let errors = errors_of(&input, Derive::NixEnum);
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(errors[0].starts_with("unknown key `nmae` in `#[nix(...)]`; expected `rename`"));
        assert!(errors[1].starts_with("`NixEnum` cannot be derived for generic types"));
        assert!(errors[2].starts_with("`NixEnum` variants cannot have fields: `Amd`"));
        assert!(errors[3].starts_with("duplicate enum value `amd`: variant `Amd` already has it"));
        assert!(errors[4].starts_with("`NixEnum` variants cannot have fields: `Other`"));
        let empty: DeriveInput = parse_quote!(
            enum Never {}
        );
        assert_eq!(errors_of(&empty, Derive::NixEnum).len(), 1);
    }

    #[test]
    fn option_paths() {
        assert!(check_option_path("modules.desktop.gnome").is_ok());
        assert!(check_option_path("_a.b-c.d'").is_ok());
        assert!(check_option_path("").is_err());
        assert!(check_option_path("a.").is_err());
        assert!(check_option_path("1a.b").is_err());
        assert!(check_option_path("a b").is_err());
    }
}
