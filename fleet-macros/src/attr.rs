//! The helper attributes: `#[spec(...)]` on fields, `#[options(...)]` on structs, `#[nix(...)]`
//! on enum variants, `#[secrets(...)]` on structs of secrets and `#[secret(...)]` on their fields.

use crate::ctxt::Ctxt;
use crate::derive::Derive;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{token, Attribute, Expr, ExprArray, ExprCall, ExprLit, Ident, Lit, LitStr, Path, Token};

/// `#[spec(...)]`: field options of `HostSpec` and `NixOptions`.
pub const SPEC: &str = "spec";
/// `#[options(...)]`: struct options of `NixOptions`.
pub const OPTIONS: &str = "options";
/// `#[nix(...)]`: variant options of `NixEnum`.
pub const NIX: &str = "nix";
/// `#[secrets(...)]`: struct options of `Secrets`.
pub const SECRETS: &str = "secrets";
/// `#[secret(...)]`: field options of `Secrets`.
pub const SECRET: &str = "secret";

/// `rename = "name"`: the Nix name of a field or variant.
pub const RENAME: &str = "rename";
/// `default` / `default = EXPR`: the option's default.
pub const DEFAULT: &str = "default";
/// `port`: a `u16` field declared as `types.port`.
pub const PORT: &str = "port";
/// `path = "a.b.c"`: where a module's options live; `path = "/run/..."`: where a secret is linked.
pub const PATH: &str = "path";
/// `scope = common | host | group("name")`: which hosts decrypt a set of secrets.
pub const SCOPE: &str = "scope";
/// `scope = common`: every host.
pub const SCOPE_COMMON: &str = "common";
/// `scope = host`: each host its own.
pub const SCOPE_HOST: &str = "host";
/// `scope = group("name")`: the hosts that use the set.
pub const SCOPE_GROUP: &str = "group";
/// `key = "k"`: a secret's key in the sops file.
pub const KEY: &str = "key";
/// `owner = "user"`: a secret's owner.
pub const OWNER: &str = "owner";
/// `group = "grp"`: a secret's group.
pub const GROUP: &str = "group";
/// `mode = "0400"`: a secret's permissions.
pub const MODE: &str = "mode";
/// `format = yaml | json | binary | dotenv | ini`: a secret's file format.
pub const FORMAT: &str = "format";
/// `needed_for_users`: a secret decrypted before users are created.
pub const NEEDED_FOR_USERS: &str = "needed_for_users";
/// `restart_units = ["a.service"]`: units restarted when a secret changes (NixOS only).
pub const RESTART_UNITS: &str = "restart_units";
/// `reload_units = ["a.service"]`: units reloaded when a secret changes (NixOS only).
pub const RELOAD_UNITS: &str = "reload_units";

/// Keys of `#[spec(...)]`.
pub const SPEC_KEYS: &[&str] = &[RENAME, DEFAULT, PORT];
/// Keys of `#[options(...)]`.
pub const OPTIONS_KEYS: &[&str] = &[PATH];
/// Keys of `#[nix(...)]`.
pub const NIX_KEYS: &[&str] = &[RENAME];
/// Keys of `#[secrets(...)]`.
pub const SECRETS_KEYS: &[&str] = &[SCOPE];
/// Keys of `#[secret(...)]`.
pub const SECRET_KEYS: &[&str] =
    &[RENAME, KEY, OWNER, GROUP, MODE, PATH, FORMAT, NEEDED_FOR_USERS, RESTART_UNITS, RELOAD_UNITS];
/// The values of `format`, with the `SecretFormat` variant each maps to.
pub const FORMATS: &[(&str, &str)] =
    &[("yaml", "Yaml"), ("json", "Json"), ("binary", "Binary"), ("dotenv", "Dotenv"), ("ini", "Ini")];

/// A field's default.
pub enum DefaultValue {
    /// `#[spec(default)]`: `Default::default()` of the field type; the path is the key, for spans.
    Trait(Path),
    /// `#[spec(default = EXPR)]`.
    Expr(Expr),
}

/// What `#[spec(...)]` says about a field.
#[derive(Default)]
pub struct FieldAttrs {
    /// `rename = "..."`.
    pub rename: Option<LitStr>,
    /// `default` or `default = ...`.
    pub default: Option<DefaultValue>,
    /// `port`, with the key for spans.
    pub port: Option<Path>,
}

/// What the attributes of a derived struct say.
#[derive(Default)]
pub struct StructAttrs<'a> {
    /// `#[options(path = "...")]`.
    pub path: Option<LitStr>,
    /// Every `#[options]` attribute, to reject them where they do not apply.
    pub options_attrs: Vec<&'a Attribute>,
}

/// What `#[nix(...)]` says about an enum variant.
#[derive(Default)]
pub struct VariantAttrs {
    /// `rename = "..."`.
    pub rename: Option<LitStr>,
}

/// The scope of a set of secrets, as written.
pub enum ScopeValue {
    /// `scope = common`.
    Common,
    /// `scope = host`.
    Host,
    /// `scope = group("name")`.
    Group(LitStr),
}

/// What `#[secrets(...)]` says about a struct of secrets.
#[derive(Default)]
pub struct SecretsAttrs {
    /// `scope = ...`.
    pub scope: Option<ScopeValue>,
    /// Whether a `scope` key is written, valid or not: an invalid one has its own error.
    pub scope_written: bool,
}

/// What `#[secret(...)]` says about a field of a struct of secrets.
#[derive(Default)]
pub struct SecretAttrs {
    /// `rename = "..."`.
    pub rename: Option<LitStr>,
    /// `key = "..."`.
    pub key: Option<LitStr>,
    /// `owner = "..."`.
    pub owner: Option<LitStr>,
    /// `group = "..."`.
    pub group: Option<LitStr>,
    /// `mode = "..."`.
    pub mode: Option<LitStr>,
    /// `path = "..."`.
    pub path: Option<LitStr>,
    /// `format = ...`: the `SecretFormat` variant, spanned at the value.
    pub format: Option<Ident>,
    /// `needed_for_users`, with the key for spans.
    pub needed_for_users: Option<Path>,
    /// `restart_units = [...]`.
    pub restart_units: Option<Vec<LitStr>>,
    /// `reload_units = [...]`.
    pub reload_units: Option<Vec<LitStr>>,
}

/// Reads the attributes of a struct deriving `HostSpec` or `NixOptions`.
pub fn struct_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute], derive: Derive) -> StructAttrs<'a> {
    let mut out = StructAttrs::default();
    for attr in attrs {
        if attr.path().is_ident(SPEC) {
            cx.error_spanned_by(attr, "`#[spec(...)]` goes on fields, not on the struct");
        } else if attr.path().is_ident(OPTIONS) {
            out.options_attrs.push(attr);
            if derive != Derive::NixOptions {
                // Rejected as a whole by the checks; its content does not matter.
                continue;
            }
            parse_keys(cx, attr, OPTIONS, OPTIONS_KEYS, |key, meta| {
                if key == PATH {
                    let lit: LitStr = meta.value()?.parse()?;
                    set_once(cx, &meta, &mut out.path, lit);
                }
                Ok(())
            });
        }
    }
    out
}

/// Reads `#[spec(...)]` on a field (and rejects `#[options]` there).
pub fn field_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs {
        if attr.path().is_ident(OPTIONS) {
            cx.error_spanned_by(attr, "`#[options(...)]` goes on the struct, not on a field");
        } else if attr.path().is_ident(SPEC) {
            parse_keys(cx, attr, SPEC, SPEC_KEYS, |key, meta| {
                match key {
                    RENAME => {
                        let lit: LitStr = meta.value()?.parse()?;
                        set_once(cx, &meta, &mut out.rename, lit);
                    }
                    DEFAULT => {
                        let default = if meta.input.peek(Token![=]) {
                            DefaultValue::Expr(meta.value()?.parse()?)
                        } else {
                            DefaultValue::Trait(meta.path.clone())
                        };
                        set_once(cx, &meta, &mut out.default, default);
                    }
                    _ => {
                        if meta.input.peek(Token![=]) || meta.input.peek(token::Paren) {
                            cx.error_spanned_by(&meta.path, "`port` takes no value: write `#[spec(port)]`");
                            skip_value(&meta)?;
                        }
                        set_once(cx, &meta, &mut out.port, meta.path.clone());
                    }
                }
                Ok(())
            });
        }
    }
    out
}

/// Reads `#[nix(...)]` on an enum variant.
pub fn variant_attrs(cx: &Ctxt, attrs: &[Attribute]) -> VariantAttrs {
    let mut out = VariantAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident(NIX)) {
        parse_keys(cx, attr, NIX, NIX_KEYS, |_, meta| {
            let lit: LitStr = meta.value()?.parse()?;
            set_once(cx, &meta, &mut out.rename, lit);
            Ok(())
        });
    }
    out
}

/// Rejects `#[nix(...)]` on the enum itself.
pub fn enum_attrs(cx: &Ctxt, attrs: &[Attribute]) {
    for attr in attrs.iter().filter(|a| a.path().is_ident(NIX)) {
        cx.error_spanned_by(attr, "`#[nix(...)]` goes on variants, not on the enum");
    }
}

/// Reads `#[secrets(...)]` on a struct deriving `Secrets` (and rejects `#[secret]` there).
pub fn secrets_attrs(cx: &Ctxt, attrs: &[Attribute]) -> SecretsAttrs {
    let mut out = SecretsAttrs::default();
    for attr in attrs {
        if attr.path().is_ident(SECRET) {
            cx.error_spanned_by(attr, "`#[secret(...)]` goes on fields; the struct takes `#[secrets(scope = ...)]`");
        } else if attr.path().is_ident(SECRETS) {
            parse_keys(cx, attr, SECRETS, SECRETS_KEYS, |_, meta| {
                out.scope_written = true;
                let value: Expr = meta.value()?.parse()?;
                match scope_value(&value) {
                    Some(scope) => set_once(cx, &meta, &mut out.scope, scope),
                    None => cx.error_spanned_by(&value, SCOPE_EXPECTED),
                }
                Ok(())
            });
        }
    }
    out
}

/// The message for a scope that is none of the three.
pub const SCOPE_EXPECTED: &str =
    "invalid `scope`: expected `common` (every host), `host` (each host its own file) or `group(\"name\")`";

/// `common`, `host` or `group("name")`.
fn scope_value(value: &Expr) -> Option<ScopeValue> {
    match value {
        Expr::Path(p) if p.qself.is_none() && p.path.is_ident(SCOPE_COMMON) => Some(ScopeValue::Common),
        Expr::Path(p) if p.qself.is_none() && p.path.is_ident(SCOPE_HOST) => Some(ScopeValue::Host),
        Expr::Call(ExprCall { func, args, .. }) => {
            let is_group = matches!(&**func, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(SCOPE_GROUP));
            match (is_group, args.len(), args.first()) {
                (true, 1, Some(Expr::Lit(ExprLit { lit: Lit::Str(name), .. }))) => {
                    Some(ScopeValue::Group(name.clone()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Reads `#[secret(...)]` on a field of a struct deriving `Secrets` (and rejects `#[secrets]`
/// there).
pub fn secret_attrs(cx: &Ctxt, attrs: &[Attribute]) -> SecretAttrs {
    let mut out = SecretAttrs::default();
    for attr in attrs {
        if attr.path().is_ident(SECRETS) {
            cx.error_spanned_by(attr, "`#[secrets(...)]` goes on the struct; fields take `#[secret(...)]`");
        } else if attr.path().is_ident(SECRET) {
            parse_keys(cx, attr, SECRET, SECRET_KEYS, |key, meta| {
                let slot = match key {
                    RENAME => &mut out.rename,
                    KEY => &mut out.key,
                    OWNER => &mut out.owner,
                    GROUP => &mut out.group,
                    MODE => &mut out.mode,
                    PATH => &mut out.path,
                    FORMAT => {
                        let value: Expr = meta.value()?.parse()?;
                        match format_value(&value) {
                            Some(format) => set_once(cx, &meta, &mut out.format, format),
                            None => cx.error_spanned_by(&value, format_expected(&value)),
                        }
                        return Ok(());
                    }
                    NEEDED_FOR_USERS => {
                        if meta.input.peek(Token![=]) || meta.input.peek(token::Paren) {
                            cx.error_spanned_by(
                                &meta.path,
                                "`needed_for_users` takes no value: write `#[secret(needed_for_users)]`",
                            );
                            skip_value(&meta)?;
                        }
                        set_once(cx, &meta, &mut out.needed_for_users, meta.path.clone());
                        return Ok(());
                    }
                    _ => {
                        let value: Expr = meta.value()?.parse()?;
                        let slot = if key == RESTART_UNITS { &mut out.restart_units } else { &mut out.reload_units };
                        match unit_list(&value) {
                            Some(units) => set_once(cx, &meta, slot, units),
                            None => cx.error_spanned_by(
                                &value,
                                format!("`{key}` takes a list of unit names: `{key} = [\"nginx.service\"]`"),
                            ),
                        }
                        return Ok(());
                    }
                };
                let lit: LitStr = meta.value()?.parse()?;
                set_once(cx, &meta, slot, lit);
                Ok(())
            });
        }
    }
    out
}

/// `yaml`, `json`, ...: the `SecretFormat` variant, spanned at the value.
fn format_value(value: &Expr) -> Option<Ident> {
    let Expr::Path(p) = value else { return None };
    let ident = p.path.get_ident().filter(|_| p.qself.is_none())?;
    let (_, variant) = FORMATS.iter().find(|(name, _)| ident == name)?;
    Some(Ident::new(variant, ident.span()))
}

/// The message for a `format` that is none of the formats.
fn format_expected(value: &Expr) -> String {
    let names: Vec<&str> = FORMATS.iter().map(|(name, _)| *name).collect();
    let mut msg = format!("invalid `format`: expected {}", list(&names));
    if let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = value {
        if names.contains(&s.value().as_str()) {
            msg.push_str(&format!(", without quotes: `format = {}`", s.value()));
        }
    }
    msg
}

/// `["a.service", "b.service"]`.
fn unit_list(value: &Expr) -> Option<Vec<LitStr>> {
    let Expr::Array(ExprArray { elems, .. }) = value else { return None };
    elems
        .iter()
        .map(|elem| match elem {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Parses `#[name(key, key = value, ...)]`, handing the allowed keys to `f` and recording an
/// error for every other key; a syntax error ends the attribute and is recorded too.
fn parse_keys<F>(cx: &Ctxt, attr: &Attribute, name: &str, allowed: &[&'static str], mut f: F)
where
    F: FnMut(&'static str, ParseNestedMeta<'_>) -> syn::Result<()>,
{
    let result = attr.parse_nested_meta(|meta| {
        let key = meta.path.get_ident().map(|ident| ident.unraw().to_string());
        match key.as_deref().and_then(|k| allowed.iter().find(|a| **a == k)) {
            Some(key) => f(key, meta),
            None => {
                cx.error_spanned_by(&meta.path, unknown_key(name, &meta.path, key.as_deref(), allowed));
                skip_value(&meta)
            }
        }
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
}

/// The message for a key `#[name(...)]` does not have.
fn unknown_key(name: &str, path: &Path, key: Option<&str>, allowed: &[&str]) -> String {
    let shown = key.map_or_else(|| quote::quote!(#path).to_string().replace(' ', ""), str::to_owned);
    let mut msg = format!("unknown key `{shown}` in `#[{name}(...)]`; expected {}", list(allowed));
    if let Some(close) = key.and_then(|k| crate::rules::suggest::closest(k, allowed)) {
        msg.push_str(&format!(" (did you mean `{close}`?)"));
    }
    msg
}

/// `` `a` `` / `` `a` or `b` `` / `` `a`, `b` or `c` ``.
fn list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// Stores the value of a key, or records a duplicate-key error at its second occurrence.
fn set_once<T>(cx: &Ctxt, meta: &ParseNestedMeta<'_>, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        let key = meta.path.get_ident().map(|i| i.unraw().to_string()).unwrap_or_default();
        cx.error_spanned_by(&meta.path, format!("duplicate `{key}` key"));
    } else {
        *slot = Some(value);
    }
}

/// Consumes the value of a key that is being rejected: `= EXPR` or `(...)`.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn keys_are_listed_readably() {
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn field_attrs_are_read() {
        let field: syn::Field = parse_quote! {
            #[spec(rename = "user", default = "alice")]
            #[spec(port)]
            pub x: u16
        };
        let cx = Ctxt::new();
        let attrs = field_attrs(&cx, &field.attrs);
        assert!(cx.is_ok());
        assert_eq!(attrs.rename.map(|l| l.value()).as_deref(), Some("user"));
        assert!(matches!(attrs.default, Some(DefaultValue::Expr(_))));
        assert!(attrs.port.is_some());
    }

    #[test]
    fn every_bad_key_is_reported() {
        let field: syn::Field = parse_quote! {
            #[spec(defualt = 1, rename = "a", rename = "b", port = true, colour(red))]
            #[options(path = "x")]
            pub x: u16
        };
        let cx = Ctxt::new();
        field_attrs(&cx, &field.attrs);
        let err = cx.check().err().map(|e| e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>());
        assert_eq!(
            err.unwrap_or_default(),
            [
                "unknown key `defualt` in `#[spec(...)]`; expected `rename`, `default` or `port` (did you mean `default`?)",
                "duplicate `rename` key",
                "`port` takes no value: write `#[spec(port)]`",
                "unknown key `colour` in `#[spec(...)]`; expected `rename`, `default` or `port`",
                "`#[options(...)]` goes on the struct, not on a field",
            ]
        );
    }
}
