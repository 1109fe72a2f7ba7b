//! The helper attributes: `#[spec(...)]` on fields, `#[options(...)]` on structs, `#[nix(...)]`
//! on enum variants.

use crate::ast::Derive;
use crate::ctxt::Ctxt;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{token, Attribute, Expr, LitStr, Path, Token};

/// `#[spec(...)]`: field options of `HostSpec` and `NixOptions`.
pub const SPEC: &str = "spec";
/// `#[options(...)]`: struct options of `NixOptions`.
pub const OPTIONS: &str = "options";
/// `#[nix(...)]`: variant options of `NixEnum`.
pub const NIX: &str = "nix";

/// `rename = "name"`: the Nix name of a field or variant.
pub const RENAME: &str = "rename";
/// `default` / `default = EXPR`: the option's default.
pub const DEFAULT: &str = "default";
/// `port`: a `u16` field declared as `types.port`.
pub const PORT: &str = "port";
/// `path = "a.b.c"`: where a module's options live.
pub const PATH: &str = "path";

/// Keys of `#[spec(...)]`.
pub const SPEC_KEYS: &[&str] = &[RENAME, DEFAULT, PORT];
/// Keys of `#[options(...)]`.
pub const OPTIONS_KEYS: &[&str] = &[PATH];
/// Keys of `#[nix(...)]`.
pub const NIX_KEYS: &[&str] = &[RENAME];

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
    if let Some(close) = key.and_then(|k| allowed.iter().find(|a| edit_distance(k, a) <= 2)) {
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

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (row[j] + 1).min(row[j + 1] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
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
        assert_eq!(edit_distance("defualt", "default"), 2);
        assert_eq!(edit_distance("", "port"), 4);
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
