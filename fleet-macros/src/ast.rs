//! The derive input as the derives see it, keeping the syn nodes for spans.

use crate::attr::{self, FieldAttrs, SecretAttrs, SecretsAttrs, StructAttrs, VariantAttrs};
use crate::ctxt::Ctxt;
use crate::derive::Derive;
use crate::doc;
use heck::{ToKebabCase, ToLowerCamelCase};
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, FieldsNamed, Ident, Type, Visibility};

/// A struct with named fields deriving `HostSpec` or `NixOptions`.
pub struct Struct<'a> {
    /// The whole input.
    pub original: &'a DeriveInput,
    /// Which of the two derives.
    pub derive: Derive,
    /// The struct's attributes.
    pub attrs: StructAttrs<'a>,
    /// Its doc comment, cleaned.
    pub doc: Option<String>,
    /// Its fields, in order.
    pub fields: Vec<Field<'a>>,
}

/// A named field: one option.
pub struct Field<'a> {
    /// The field's name.
    pub ident: &'a Ident,
    /// The field's type.
    pub ty: &'a Type,
    /// Its `#[spec(...)]`.
    pub attrs: FieldAttrs,
    /// Its doc comment, cleaned.
    pub doc: Option<String>,
}

impl Field<'_> {
    /// The option name: the rename, or the field name in lowerCamelCase.
    pub fn nix_name(&self) -> String {
        match &self.attrs.rename {
            Some(lit) => lit.value(),
            None => self.ident.unraw().to_string().to_lower_camel_case(),
        }
    }

    /// Where the option name is written: the rename, or the field name.
    pub fn name_span(&self) -> Span {
        self.attrs.rename.as_ref().map_or_else(|| self.ident.span(), |lit| lit.span())
    }
}

/// A struct with named fields deriving `Secrets`.
pub struct SecretsStruct<'a> {
    /// The whole input.
    pub original: &'a DeriveInput,
    /// Its `#[secrets(...)]`.
    pub attrs: SecretsAttrs,
    /// Its fields, in order.
    pub fields: Vec<SecretField<'a>>,
}

/// A named field of a `Secrets` struct: one secret.
pub struct SecretField<'a> {
    /// The field's name.
    pub ident: &'a Ident,
    /// The field's visibility, given to its `SecretRef` constructor.
    pub vis: &'a Visibility,
    /// The field's type.
    pub ty: &'a Type,
    /// Its `#[secret(...)]`.
    pub attrs: SecretAttrs,
    /// Its doc comment, cleaned.
    pub doc: Option<String>,
}

impl SecretField<'_> {
    /// The secret's name: the rename, or the field name in kebab-case.
    pub fn secret_name(&self) -> String {
        match &self.attrs.rename {
            Some(lit) => lit.value(),
            None => self.ident.unraw().to_string().to_kebab_case(),
        }
    }

    /// Where the secret's name is written: the rename, or the field name.
    pub fn name_span(&self) -> Span {
        self.attrs.rename.as_ref().map_or_else(|| self.ident.span(), |lit| lit.span())
    }

    /// Whether the secret uses NixOS-only options: units to restart or reload.
    pub fn nixos_only(&self) -> bool {
        [&self.attrs.restart_units, &self.attrs.reload_units]
            .iter()
            .any(|units| units.as_ref().is_some_and(|u| !u.is_empty()))
    }
}

impl SecretsStruct<'_> {
    /// Whether any secret uses NixOS-only options, making the set `Nixos`-only.
    pub fn nixos_only(&self) -> bool {
        self.fields.iter().any(SecretField::nixos_only)
    }
}

/// An enum deriving `NixEnum`.
pub struct Enum<'a> {
    /// The whole input.
    pub original: &'a DeriveInput,
    /// Its variants, in order.
    pub variants: Vec<Variant<'a>>,
}

/// An enum variant: one value of the `types.enum`.
pub struct Variant<'a> {
    /// The variant as written.
    pub original: &'a syn::Variant,
    /// Its `#[nix(...)]`.
    pub attrs: VariantAttrs,
}

impl Variant<'_> {
    /// The Nix name: the rename, or the variant name in lowerCamelCase.
    pub fn nix_name(&self) -> String {
        match &self.attrs.rename {
            Some(lit) => lit.value(),
            None => self.original.ident.unraw().to_string().to_lower_camel_case(),
        }
    }

    /// Where the Nix name is written: the rename, or the variant name.
    pub fn name_span(&self) -> Span {
        self.attrs.rename.as_ref().map_or_else(|| self.original.ident.span(), |lit| lit.span())
    }
}

impl<'a> Struct<'a> {
    /// Reads a `HostSpec` / `NixOptions` input; `None` (with an error recorded) when it is not a
    /// struct with named fields.
    pub fn from_syn(cx: &Ctxt, input: &'a DeriveInput, derive: Derive) -> Option<Self> {
        let hint = "; to map an enum to `types.enum`, use `#[derive(NixEnum)]`";
        let fields = named_fields(cx, input, derive, "a struct with named fields, one per option", hint)?;
        let fields = fields
            .named
            .iter()
            .filter_map(|field| {
                Some(Field {
                    ident: field.ident.as_ref()?,
                    ty: &field.ty,
                    attrs: attr::field_attrs(cx, &field.attrs),
                    doc: doc::from_attrs(&field.attrs),
                })
            })
            .collect();
        Some(Struct {
            original: input,
            derive,
            attrs: attr::struct_attrs(cx, &input.attrs, derive),
            doc: doc::from_attrs(&input.attrs),
            fields,
        })
    }
}

impl<'a> SecretsStruct<'a> {
    /// Reads a `Secrets` input; `None` (with an error recorded) when it is not a struct with
    /// named fields.
    pub fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let what = "a struct with named fields, one per secret";
        let fields = named_fields(cx, input, Derive::Secrets, what, "")?;
        let fields = fields
            .named
            .iter()
            .filter_map(|field| {
                Some(SecretField {
                    ident: field.ident.as_ref()?,
                    vis: &field.vis,
                    ty: &field.ty,
                    attrs: attr::secret_attrs(cx, &field.attrs),
                    doc: doc::from_attrs(&field.attrs),
                })
            })
            .collect();
        Some(SecretsStruct { original: input, attrs: attr::secrets_attrs(cx, &input.attrs), fields })
    }
}

/// The named fields of a struct; `None` (with an error recorded) for any other input. `what` is
/// what the derive takes, `enum_hint` is added to the message for an enum.
fn named_fields<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
    derive: Derive,
    what: &str,
    enum_hint: &str,
) -> Option<&'a FieldsNamed> {
    let name = derive.name();
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => Some(fields),
            Fields::Unnamed(fields) => {
                cx.error_at(fields.span(), format!("`{name}` derives only on {what}, not on a tuple struct"));
                None
            }
            Fields::Unit => {
                cx.error_at(input.ident.span(), format!("`{name}` derives only on {what}, not on a unit struct"));
                None
            }
        },
        Data::Enum(data) => {
            cx.error_at(data.enum_token.span, format!("`{name}` derives only on {what}, not on an enum{enum_hint}"));
            None
        }
        Data::Union(data) => {
            cx.error_at(data.union_token.span, format!("`{name}` derives only on {what}, not on a union"));
            None
        }
    }
}

impl<'a> Enum<'a> {
    /// Reads a `NixEnum` input; `None` (with an error recorded) when it is not an enum.
    pub fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let Data::Enum(data) = &input.data else {
            let (span, kind) = match &input.data {
                Data::Struct(data) => (data.struct_token.span, "a struct"),
                Data::Union(data) => (data.union_token.span, "a union"),
                Data::Enum(data) => (data.enum_token.span, "an enum"),
            };
            let hint = match input.data {
                Data::Struct(_) => "; for a struct of options, use `#[derive(NixOptions)]`",
                _ => "",
            };
            cx.error_at(span, format!("`NixEnum` derives only on enums with unit variants, not on {kind}{hint}"));
            return None;
        };
        attr::enum_attrs(cx, &input.attrs);
        let variants = data
            .variants
            .iter()
            .map(|variant| Variant { original: variant, attrs: attr::variant_attrs(cx, &variant.attrs) })
            .collect();
        Some(Enum { original: input, variants })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn fields_are_named_in_lower_camel_case_unless_renamed() {
        let input: DeriveInput = parse_quote! {
            struct Spec {
                primary_user: String,
                enable_ipv6: bool,
                r#type: String,
                #[spec(rename = "hostID")]
                host_id: String,
            }
        };
        let cx = Ctxt::new();
        let names: Vec<String> = Struct::from_syn(&cx, &input, Derive::HostSpec)
            .map(|s| s.fields.iter().map(Field::nix_name).collect())
            .unwrap_or_default();
        assert!(cx.is_ok());
        assert_eq!(names, ["primaryUser", "enableIpv6", "type", "hostID"]);
    }

    #[test]
    fn secrets_are_named_in_kebab_case_unless_renamed() {
        let input: DeriveInput = parse_quote! {
            #[secrets(scope = host)]
            struct Wifi {
                wifi_password: Secret,
                r#type: Secret,
                #[secret(rename = "WPA_PSK")]
                psk: Secret,
                api_token2: Secret,
            }
        };
        let cx = Ctxt::new();
        let names: Vec<String> = SecretsStruct::from_syn(&cx, &input)
            .map(|s| s.fields.iter().map(SecretField::secret_name).collect())
            .unwrap_or_default();
        assert!(cx.is_ok());
        assert_eq!(names, ["wifi-password", "type", "WPA_PSK", "api-token2"]);
    }

    #[test]
    fn variants_are_named_in_lower_camel_case_unless_renamed() {
        let input: DeriveInput = parse_quote! {
            enum Gpu { Amd, IntelArc, #[nix(rename = "NVIDIA")] Nvidia }
        };
        let cx = Ctxt::new();
        let names: Vec<String> =
            Enum::from_syn(&cx, &input).map(|e| e.variants.iter().map(Variant::nix_name).collect()).unwrap_or_default();
        assert!(cx.is_ok());
        assert_eq!(names, ["amd", "intelArc", "NVIDIA"]);
    }

    #[test]
    fn wrong_shapes_are_rejected() {
        let inputs: [DeriveInput; 4] = [
            parse_quote!(
                enum E {
                    A,
                }
            ),
            parse_quote!(
                struct T(u8);
            ),
            parse_quote!(
                struct U;
            ),
            parse_quote!(
                union V {
                    a: u8,
                }
            ),
        ];
        for input in &inputs {
            let cx = Ctxt::new();
            assert!(Struct::from_syn(&cx, input, Derive::NixOptions).is_none());
            assert!(!cx.is_ok());
        }
        for input in &inputs {
            let cx = Ctxt::new();
            assert!(SecretsStruct::from_syn(&cx, input).is_none());
            let msg = cx.check().err().map(|e| e.to_string()).unwrap_or_default();
            assert!(msg.starts_with("`Secrets` derives only on a struct with named fields, one per secret"), "{msg}");
        }
        let cx = Ctxt::new();
        assert!(Enum::from_syn(&cx, &inputs[1]).is_none());
        let msg = cx.check().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("`NixEnum` derives only on enums with unit variants, not on a struct"), "{msg}");
    }
}
