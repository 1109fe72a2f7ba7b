//! The derive input as the derives see it, keeping the syn nodes for spans.

use crate::attr::{self, FieldAttrs, StructAttrs, VariantAttrs};
use crate::ctxt::Ctxt;
use crate::doc;
use heck::ToLowerCamelCase;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type};

/// Which derive is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derive {
    /// `#[derive(HostSpec)]`
    HostSpec,
    /// `#[derive(NixOptions)]`
    NixOptions,
    /// `#[derive(NixEnum)]`
    NixEnum,
}

impl Derive {
    /// The derive's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Derive::HostSpec => "HostSpec",
            Derive::NixOptions => "NixOptions",
            Derive::NixEnum => "NixEnum",
        }
    }
}

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
        let name = derive.name();
        let what = "a struct with named fields, one per option";
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => fields,
                Fields::Unnamed(fields) => {
                    cx.error_at(fields.span(), format!("`{name}` derives only on {what}, not on a tuple struct"));
                    return None;
                }
                Fields::Unit => {
                    cx.error_at(input.ident.span(), format!("`{name}` derives only on {what}, not on a unit struct"));
                    return None;
                }
            },
            Data::Enum(data) => {
                let hint = "; to map an enum to `types.enum`, use `#[derive(NixEnum)]`";
                cx.error_at(data.enum_token.span, format!("`{name}` derives only on {what}, not on an enum{hint}"));
                return None;
            }
            Data::Union(data) => {
                cx.error_at(data.union_token.span, format!("`{name}` derives only on {what}, not on a union"));
                return None;
            }
        };
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
        let cx = Ctxt::new();
        assert!(Enum::from_syn(&cx, &inputs[1]).is_none());
        let msg = cx.check().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("`NixEnum` derives only on enums with unit variants, not on a struct"), "{msg}");
    }
}
