//! Checks the parser cannot make: names, paths, field types, generics.

use crate::ast::{Enum, SecretsStruct, Struct};
use crate::attr::{ScopeValue, SCOPE_COMMON};
use crate::ctxt::Ctxt;
use crate::derive::Derive;
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

/// The message for a `#[derive(Secrets)]` field whose type is not `Secret`.
pub const SECRET_TYPE_MESSAGE: &str =
    "fields of `#[derive(Secrets)]` have type `Secret`: the generator never sees secret values, only their names";

impl SecretsStruct<'_> {
    /// Records every problem of a `Secrets` input.
    pub fn validate(&self, cx: &Ctxt) {
        check_generics(cx, &self.original.generics, Derive::Secrets);
        match &self.attrs.scope {
            None if self.attrs.scope_written => {}
            None => cx.error_at(
                self.original.ident.span(),
                "`#[derive(Secrets)]` needs a scope, which decides the sops file and the hosts that can decrypt it: add `#[secrets(scope = common)]`, `#[secrets(scope = host)]` or `#[secrets(scope = group(\"name\"))]`",
            ),
            Some(ScopeValue::Group(name)) => {
                if let Err(reason) = check_group_name(&name.value()) {
                    cx.error_spanned_by(name, format!("invalid group name: {reason}"));
                }
            }
            Some(_) => {}
        }
        if self.fields.is_empty() {
            cx.error_at(
                self.original.ident.span(),
                "`#[derive(Secrets)]` needs at least one field of type `Secret`: an empty set of secrets has no file to write",
            );
        }
        let mut names: BTreeMap<String, &syn::Ident> = BTreeMap::new();
        for field in &self.fields {
            let attrs = &field.attrs;
            if !is_secret(field.ty) {
                cx.error_spanned_by(field.ty, SECRET_TYPE_MESSAGE);
            }
            for (key, lit) in [("rename", &attrs.rename), ("key", &attrs.key), ("path", &attrs.path)] {
                if let Some(lit) = lit.as_ref().filter(|lit| lit.value().is_empty()) {
                    cx.error_spanned_by(lit, format!("`{key}` must not be empty"));
                }
            }
            if let Some(lit) = &attrs.key {
                let key = lit.value();
                if !key.is_empty() && key.split('/').any(str::is_empty) {
                    cx.error_spanned_by(
                        lit,
                        "sops-nix splits `key` at `/` into nested YAML keys (`user/hashedPassword`): it cannot start or end with `/` or hold `//`",
                    );
                }
            }
            let name = field.secret_name();
            if !name.is_empty() {
                if let Some(first) = names.get(&name) {
                    cx.error_at(
                        field.name_span(),
                        format!("duplicate secret name `{name}`: field `{first}` already has it; rename one of them with `#[secret(rename = \"...\")]`"),
                    );
                } else {
                    names.insert(name, field.ident);
                }
            }
            if let Some(mode) = &attrs.mode {
                if let Err(reason) = check_mode(&mode.value()) {
                    cx.error_spanned_by(mode, reason);
                }
            }
            for (key, lit) in [("owner", &attrs.owner), ("group", &attrs.group)] {
                if let Some(lit) = lit {
                    if let Err(reason) = check_login_name(&lit.value()) {
                        cx.error_spanned_by(lit, format!("invalid `{key}`: {reason}"));
                    }
                }
            }
            if let Some(path) = attrs.path.as_ref().filter(|lit| !lit.value().is_empty()) {
                if let Err(reason) = check_secret_path(&path.value()) {
                    cx.error_spanned_by(path, format!("invalid `path`: {reason}"));
                }
            }
            for (key, units) in [("restart_units", &attrs.restart_units), ("reload_units", &attrs.reload_units)] {
                for unit in units.iter().flatten().filter(|unit| unit.value().trim().is_empty()) {
                    cx.error_spanned_by(
                        unit,
                        format!("empty unit name in `{key}`: write names such as `\"nginx.service\"`"),
                    );
                }
            }
        }
    }
}

/// Whether the type is a path ending in `Secret` (`Secret`, `fleet_dsl::Secret`).
fn is_secret(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Secret" && s.arguments.is_none())
        }
        Type::Group(g) => is_secret(&g.elem),
        Type::Paren(p) => is_secret(&p.elem),
        _ => false,
    }
}

/// Whether a group scope's name makes a good file name `secrets/<name>.yaml`: lowercase letters,
/// digits, `-` and `_`, starting with a letter or digit, and not `common`.
pub fn check_group_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    if !valid {
        return Err(format!(
            "`{name}` is not lowercase letters, digits, `-` and `_` starting with a letter or digit; it names the file `secrets/<name>.yaml`"
        ));
    }
    if name == SCOPE_COMMON {
        return Err(
            "`common` is the file of `scope = common` (`secrets/common.yaml`): write `#[secrets(scope = common)]`, or pick another name".into(),
        );
    }
    Ok(())
}

/// Whether `mode` is 3 or 4 octal digits: `0400`, `440`.
pub fn check_mode(mode: &str) -> Result<(), String> {
    let valid = matches!(mode.len(), 3 | 4) && mode.chars().all(|c| matches!(c, '0'..='7'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid `mode` `{mode}`: write 3 or 4 octal digits (0 to 7), such as `mode = \"0400\"` (owner reads) or `mode = \"0440\"` (owner and group read)"
        ))
    }
}

/// Whether `name` is a login or group name (see `fleet_dsl::rules::names::is_login_name`),
/// with the reason to show when it is not.
pub fn check_login_name(name: &str) -> Result<(), String> {
    if crate::rules::names::is_login_name(name) {
        return Ok(());
    }
    if name.len() > 32 {
        return Err(format!("`{name}` is longer than 32 characters, the limit of user and group names"));
    }
    Err(format!(
        "`{name}` is not a user or group name (lowercase letters, digits, `_` and `-`, starting with a letter or `_`)"
    ))
}

/// Whether `path` is an absolute path outside the Nix store (normalised first).
pub fn check_secret_path(path: &str) -> Result<(), String> {
    crate::rules::store::check_private_path(path)
}

/// Generic types are not supported: the option set of a type is one fixed declaration.
fn check_generics(cx: &Ctxt, generics: &Generics, derive: Derive) {
    let why = match derive {
        Derive::Secrets => "a set of secrets is one fixed declaration",
        _ => "a Nix option declaration is one fixed type",
    };
    let msg = format!("`{}` cannot be derived for generic types: {why}", derive.name());
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
            Derive::Secrets => {
                if let Some(s) = SecretsStruct::from_syn(&cx, input) {
                    s.validate(&cx);
                }
            }
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

    #[test]
    fn good_secrets_pass() {
        let input: DeriveInput = parse_quote! {
            #[secrets(scope = group("media-2_a"))]
            struct Media {
                #[secret(owner = "_jellyfin", group = "media-users", mode = "440", path = "/run/keys/jf", format = binary)]
                api_key: fleet_dsl::Secret,
                #[secret(restart_units = ["jellyfin.service"], reload_units = ["nginx.service"], key = "x/y")]
                other: Secret,
            }
        };
        assert_eq!(errors_of(&input, Derive::Secrets), Vec::<String>::new());
    }

    #[test]
    fn every_problem_of_secrets_is_reported() {
        let input: DeriveInput = parse_quote! {
            #[secrets(scope = group("Media"))]
            struct Bad<T> {
                #[secret(mode = "0999", owner = "Bob Smith", colour = "red", path = "/nix/store/x")]
                a: String,
                #[secret(rename = "a", group = "thisgroupnameiswaytoolongforlinux", restart_units = [""])]
                b: Secret,
                #[secret(key = "", path = "run/x", mode = "0400", mode = "0440", format = "json")]
                c: Option<T>,
            }
        };
        let errors = errors_of(&input, Derive::Secrets);
        let expected = [
            // Parsing, in order.
            "unknown key `colour` in `#[secret(...)]`",
            "duplicate `mode` key",
            "invalid `format`: expected `yaml`, `json`, `binary`, `dotenv` or `ini`, without quotes: `format = json`",
            // Checks, in order.
            "`Secrets` cannot be derived for generic types: a set of secrets is one fixed declaration",
            "invalid group name: `Media` is not lowercase letters",
            SECRET_TYPE_MESSAGE,
            "invalid `mode` `0999`: write 3 or 4 octal digits",
            "invalid `owner`: `Bob Smith` is not a user or group name",
            "invalid `path`: `/nix/store/x` is under /nix/store: a secret under /nix/store would be world-readable",
            "duplicate secret name `a`: field `a` already has it",
            "invalid `group`: `thisgroupnameiswaytoolongforlinux` is longer than 32 characters",
            "empty unit name in `restart_units`",
            SECRET_TYPE_MESSAGE,
            "`key` must not be empty",
            "invalid `path`: `run/x` is not absolute",
        ];
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        for (error, expected) in errors.iter().zip(expected) {
            assert!(error.starts_with(expected), "{error:?} does not start with {expected:?}");
        }
    }

    #[test]
    fn secrets_need_a_scope_and_a_field() {
        let input: DeriveInput = parse_quote! {
            #[secrets()]
            struct Empty {}
        };
        let errors = errors_of(&input, Derive::Secrets);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].starts_with("`#[derive(Secrets)]` needs a scope"));
        assert!(errors[1].starts_with("`#[derive(Secrets)]` needs at least one field"));
        let input: DeriveInput = parse_quote! {
            #[secrets(scope = common)]
            #[secrets(scope = host, scop = host)]
            struct Twice { #[secrets(scope = host)] #[secret] a: Secret }
        };
        let errors = errors_of(&input, Derive::Secrets);
        assert_eq!(
            errors,
            [
                "`#[secrets(...)]` goes on the struct; fields take `#[secret(...)]`",
                "expected attribute arguments in parentheses: #[secret(...)]",
                "duplicate `scope` key",
                "unknown key `scop` in `#[secrets(...)]`; expected `scope` (did you mean `scope`?)",
            ]
        );
        for scope in [
            quote::quote!(everyone),
            quote::quote!(group(media)),
            quote::quote!("host"),
            quote::quote!(group("a", "b")),
        ] {
            let input: DeriveInput = parse_quote! {
                #[secrets(scope = #scope)]
                struct S { a: Secret }
            };
            let errors = errors_of(&input, Derive::Secrets);
            assert_eq!(errors, [crate::attr::SCOPE_EXPECTED], "{scope}");
        }
        let common: DeriveInput = parse_quote! {
            #[secrets(scope = group("common"))]
            struct S { a: Secret }
        };
        let errors = errors_of(&common, Derive::Secrets);
        assert!(errors[0].starts_with("invalid group name: `common` is the file of `scope = common`"), "{errors:#?}");
    }

    #[test]
    fn modes() {
        for good in ["0400", "440", "0777", "000", "1750"] {
            assert!(check_mode(good).is_ok(), "{good}");
        }
        for bad in ["", "0", "40", "04000", "0999", "rw-r", "0o400", " 400", "u+r"] {
            assert!(check_mode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn login_names_group_names_and_paths() {
        assert!(check_login_name("alice").is_ok());
        assert!(check_login_name("_sops-nix2").is_ok());
        assert!(check_login_name(&"a".repeat(32)).is_ok());
        assert!(check_login_name(&"a".repeat(33)).is_err());
        for bad in ["", "Alice", "2fa", "-x", "bob smith", "bob.smith"] {
            assert!(check_login_name(bad).is_err(), "{bad}");
        }
        assert!(check_group_name("media").is_ok());
        assert!(check_group_name("2-media_x").is_ok());
        for bad in ["", "common", "Media", "-m", "_m", "a/b", "a.b"] {
            assert!(check_group_name(bad).is_err(), "{bad}");
        }
        assert!(check_secret_path("/run/secrets/x").is_ok());
        assert!(check_secret_path("/nix/storage").is_ok());
        assert!(check_secret_path("/nix/store").is_err());
        assert!(check_secret_path("/nix/store/abc-x").is_err());
        assert!(check_secret_path("relative").is_err());
    }
}
