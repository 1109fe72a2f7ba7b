//! Option declarations: `lib.mkOption` trees from derived option sets.

use crate::nix::{Binding, Expr};
use fleet_dsl::{OptionSet, OptionType};

/// `{ name = lib.mkOption { type; default; description; }; ... }` for every option of the set.
pub(super) fn declarations(set: &OptionSet) -> Expr {
    Expr::Attrs(
        set.options
            .iter()
            .map(|o| {
                let mut fields = vec![Binding::new("type", option_type(&o.ty))];
                if let Some(default) = &o.default {
                    fields.push(Binding::new("default", Expr::from(default)));
                } else if matches!(o.ty, OptionType::NullOr(_)) {
                    fields.push(Binding::new("default", Expr::Null));
                }
                if let Some(text) = &o.description {
                    fields.push(Binding::new("description", Expr::str(text)));
                }
                Binding::new(o.name.clone(), Expr::apply("lib.mkOption", [Expr::Attrs(fields)]))
            })
            .collect(),
    )
}

/// The `lib.types` expression of an option type.
pub(super) fn option_type(ty: &OptionType) -> Expr {
    let named = |name: &str| Expr::dotted(&format!("lib.types.{name}"));
    let wrap = |name: &str, inner: &OptionType| Expr::apply(&format!("lib.types.{name}"), [option_type(inner)]);
    match ty {
        OptionType::Bool => named("bool"),
        OptionType::Str => named("str"),
        OptionType::Int => named("int"),
        OptionType::S8 => named("ints.s8"),
        OptionType::S16 => named("ints.s16"),
        OptionType::S32 => named("ints.s32"),
        OptionType::U8 => named("ints.u8"),
        OptionType::U16 => named("ints.u16"),
        OptionType::U32 => named("ints.u32"),
        OptionType::Unsigned => named("ints.unsigned"),
        OptionType::Port => named("port"),
        OptionType::Path => named("path"),
        OptionType::NullOr(inner) => wrap("nullOr", inner),
        OptionType::ListOf(inner) => wrap("listOf", inner),
        OptionType::AttrsOf(inner) => wrap("attrsOf", inner),
        OptionType::Enum(variants) => Expr::apply("lib.types.enum", [Expr::strings(variants)]),
        OptionType::Submodule(set) => {
            Expr::apply("lib.types.submodule", [Expr::Attrs(vec![Binding::new("options", declarations(set))])])
        }
    }
}
