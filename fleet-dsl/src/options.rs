//! Typed option declarations and the traits the derives implement.
//!
//! `#[derive(HostSpec)]`, `#[derive(NixOptions)]` and `#[derive(NixEnum)]` expand to
//! implementations of these traits: data, never Nix text.

use crate::value::{Attrs, NixValue};
use indexmap::IndexMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A Nix option type (`lib.types.*`).
#[derive(Clone, Debug, PartialEq)]
pub enum OptionType {
    /// `types.bool`
    Bool,
    /// `types.str`
    Str,
    /// `types.int`
    Int,
    /// `types.ints.s8`
    S8,
    /// `types.ints.s16`
    S16,
    /// `types.ints.s32`
    S32,
    /// `types.ints.u8`
    U8,
    /// `types.ints.u16`
    U16,
    /// `types.ints.u32`
    U32,
    /// `types.ints.unsigned`
    Unsigned,
    /// `types.port`
    Port,
    /// `types.path`
    Path,
    /// `types.nullOr t`
    NullOr(Box<OptionType>),
    /// `types.listOf t`
    ListOf(Box<OptionType>),
    /// `types.attrsOf t`
    AttrsOf(Box<OptionType>),
    /// `types.enum [ ... ]`
    Enum(Vec<String>),
    /// `types.submodule { options = ...; }`
    Submodule(OptionSet),
}

/// One declared option: `name = lib.mkOption { type; default; description; }`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionDecl {
    /// The option's attribute name (camelCase unless renamed).
    pub name: String,
    /// Its type.
    pub ty: OptionType,
    /// Its description, from the field's doc comment.
    pub description: Option<String>,
    /// Its default, when it has one (`Option<T>` fields default to `null`).
    pub default: Option<NixValue>,
}

impl OptionDecl {
    /// A declaration without description or default.
    pub fn new(name: impl Into<String>, ty: OptionType) -> Self {
        OptionDecl { name: name.into(), ty, description: None, default: None }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the default.
    pub fn default(mut self, value: NixValue) -> Self {
        self.default = Some(value);
        self
    }

    /// The default the declaration ends up with: the explicit one, or `null` for `nullOr`.
    pub fn effective_default(&self) -> Option<NixValue> {
        match (&self.default, &self.ty) {
            (Some(v), _) => Some(v.clone()),
            (None, OptionType::NullOr(_)) => Some(NixValue::Null),
            (None, _) => None,
        }
    }
}

/// A set of declared options: a host spec, a module's options, or a submodule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptionSet {
    /// The Rust type the set was derived from, for messages.
    pub rust_name: String,
    /// Description of the whole set, from the struct's doc comment.
    pub description: Option<String>,
    /// The options, in field order.
    pub options: Vec<OptionDecl>,
}

/// A Rust type with a Nix option type: what a field of a derived struct must be.
#[diagnostic::on_unimplemented(
    message = "the field type `{Self}` has no Nix option type",
    label = "no Nix option type for this field",
    note = "supported: bool, String, integers, PathBuf, Option<T>, Vec<T>, BTreeMap<String, T>, IndexMap<String, T>, #[derive(NixEnum)] enums and #[derive(NixOptions)] structs"
)]
pub trait NixType {
    /// The option type values of this Rust type are declared with.
    fn option_type() -> OptionType;
    /// This value as Nix.
    fn to_nix(&self) -> NixValue;
}

/// A struct whose fields are options (from `#[derive(NixOptions)]` or `#[derive(HostSpec)]`).
pub trait NixOptions: NixType {
    /// The declarations of its fields.
    fn option_set() -> OptionSet;
    /// Its field values by option name, in field order.
    fn option_values(&self) -> Attrs;
}

/// Options of a user's own module, declared at a fixed path (`#[options(path = "...")]`).
pub trait ModuleOptions: NixOptions {
    /// Where the options live, e.g. `modules.desktop.gnome`.
    const PATH: &'static str;
}

/// Values of a module's typed options that a profile or host sets with `.options(..)`: the
/// whole struct (`Gnome { .. }`: every field) or its patch from `#[derive(NixOptions)]`
/// (`GnomePatch { wayland: Some(false), ..Default::default() }`: only the fields set).
pub trait OptionValues {
    /// The options these are values of.
    type Options: ModuleOptions;
    /// The values to emit, by option name, in field order; options left out are not emitted.
    fn values(&self) -> Attrs;
}

impl<T: ModuleOptions> OptionValues for T {
    type Options = T;
    fn values(&self) -> Attrs {
        self.option_values()
    }
}

/// The typed facts every host declares, read by modules as `config.hostSpec.*`.
pub trait HostSpec: NixOptions {}

/// An enum mapped to `types.enum` (from `#[derive(NixEnum)]`).
pub trait NixEnum: NixType {
    /// The Nix names of all variants, in declaration order.
    const VARIANTS: &'static [&'static str];
}

/// The Nix name of an enum value (`Feature::Gaming` is `gaming`).
pub fn enum_name<E: NixEnum>(value: &E) -> String {
    match value.to_nix() {
        NixValue::Str(s) => s,
        other => format!("{other:?}"),
    }
}

/// The spec of a fleet that declares no host spec.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoSpec;

impl NixType for NoSpec {
    fn option_type() -> OptionType {
        OptionType::Submodule(Self::option_set())
    }
    fn to_nix(&self) -> NixValue {
        NixValue::Attrs(Attrs::new())
    }
}

impl NixOptions for NoSpec {
    fn option_set() -> OptionSet {
        OptionSet { rust_name: "NoSpec".into(), ..OptionSet::default() }
    }
    fn option_values(&self) -> Attrs {
        Attrs::new()
    }
}

impl HostSpec for NoSpec {}

impl NixType for bool {
    fn option_type() -> OptionType {
        OptionType::Bool
    }
    fn to_nix(&self) -> NixValue {
        NixValue::Bool(*self)
    }
}

impl NixType for String {
    fn option_type() -> OptionType {
        OptionType::Str
    }
    fn to_nix(&self) -> NixValue {
        NixValue::Str(self.clone())
    }
}

impl NixType for PathBuf {
    fn option_type() -> OptionType {
        OptionType::Path
    }
    fn to_nix(&self) -> NixValue {
        NixValue::from(self.clone())
    }
}

macro_rules! int_type {
    ($($t:ty => $variant:ident),*) => {$(
        impl NixType for $t {
            fn option_type() -> OptionType {
                OptionType::$variant
            }
            fn to_nix(&self) -> NixValue {
                NixValue::Int(i64::from(*self))
            }
        }
    )*};
}
int_type!(i8 => S8, i16 => S16, i32 => S32, i64 => Int, u8 => U8, u16 => U16, u32 => U32);

impl NixType for u64 {
    fn option_type() -> OptionType {
        OptionType::Unsigned
    }
    /// Values above `i64::MAX` saturate: Nix integers are signed 64-bit.
    fn to_nix(&self) -> NixValue {
        NixValue::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl<T: NixType> NixType for Option<T> {
    fn option_type() -> OptionType {
        OptionType::NullOr(Box::new(T::option_type()))
    }
    fn to_nix(&self) -> NixValue {
        self.as_ref().map_or(NixValue::Null, NixType::to_nix)
    }
}

impl<T: NixType> NixType for Vec<T> {
    fn option_type() -> OptionType {
        OptionType::ListOf(Box::new(T::option_type()))
    }
    fn to_nix(&self) -> NixValue {
        NixValue::List(self.iter().map(NixType::to_nix).collect())
    }
}

impl<T: NixType> NixType for BTreeMap<String, T> {
    fn option_type() -> OptionType {
        OptionType::AttrsOf(Box::new(T::option_type()))
    }
    fn to_nix(&self) -> NixValue {
        NixValue::Attrs(self.iter().map(|(k, v)| (k.clone(), v.to_nix())).collect())
    }
}

impl<T: NixType> NixType for IndexMap<String, T> {
    fn option_type() -> OptionType {
        OptionType::AttrsOf(Box::new(T::option_type()))
    }
    fn to_nix(&self) -> NixValue {
        NixValue::Attrs(self.iter().map(|(k, v)| (k.clone(), v.to_nix())).collect())
    }
}

/// The port option type for a `u16` field marked `#[spec(port)]`; used by the derive.
pub fn port_type() -> OptionType {
    OptionType::Port
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_types_map_structurally() {
        assert_eq!(
            <Option<Vec<u16>>>::option_type(),
            OptionType::NullOr(Box::new(OptionType::ListOf(Box::new(OptionType::U16))))
        );
        assert_eq!(Some(3u8).to_nix(), NixValue::Int(3));
        assert_eq!(u64::MAX.to_nix(), NixValue::Int(i64::MAX));
    }

    #[test]
    fn null_or_defaults_to_null() {
        let d = OptionDecl::new("gpu", <Option<String>>::option_type());
        assert_eq!(d.effective_default(), Some(NixValue::Null));
        assert_eq!(OptionDecl::new("x", OptionType::Bool).effective_default(), None);
    }
}
