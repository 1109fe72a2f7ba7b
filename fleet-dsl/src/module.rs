//! Hand-written modules and option settings shared by profiles and hosts.

use crate::options::{ModuleOptions, OptionSet, OptionValues};
use crate::value::{Attrs, NixValue};

/// A hand-written module in the generated repository, under `modules/`.
///
/// The generator references it and never writes over it. With a [`Module::scaffold`], the
/// scaffold is written once when the file is missing (like the hardware-configuration
/// placeholder); without one, the module must already exist in the output repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Path below `modules/`, without `.nix`: `desktop/gnome` is `modules/desktop/gnome.nix`
    /// or `modules/desktop/gnome/default.nix`.
    pub path: String,
    /// Text written once when the module is missing.
    pub scaffold: Option<String>,
    /// Where the module is named (its `Module::new` call).
    pub at: crate::Location,
}

impl Module {
    /// A module that must already exist in the output repository.
    #[track_caller]
    pub fn new(path: impl Into<String>) -> Self {
        Module { path: path.into(), scaffold: None, at: crate::Location::caller() }
    }

    /// Text to create the module with when it is missing (typically `include_str!`).
    #[track_caller]
    pub fn scaffold(mut self, text: impl Into<String>) -> Self {
        self.scaffold = Some(text.into());
        self
    }
}

impl From<&str> for Module {
    fn from(path: &str) -> Self {
        Module::new(path)
    }
}

impl From<&Module> for Module {
    fn from(m: &Module) -> Self {
        m.clone()
    }
}

/// How a value is set, and so how it merges with other definitions of the same option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// `lib.mkDefault` (`.default`): a default that any plain definition replaces. Attribute
    /// sets are split so each leaf is its own default.
    Default,
    /// A plain definition (`.set`): scalars must agree with other plain definitions, lists
    /// concatenate with them.
    Normal,
    /// A list contribution (`.add`), at normal priority: the items of every profile, of the
    /// host and of nixpkgs' own definitions concatenate.
    Add,
}

/// One value at a dotted option path.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The dotted path as written (parsed and checked by the generator).
    pub path: String,
    /// The value.
    pub value: NixValue,
    /// Its priority.
    pub priority: Priority,
    /// Whether the fleet wrote the path itself (`.set`, `.default`, `.add`: the named escape
    /// hatch) rather than a typed API computing it (`packages`, `Home::program`, ...).
    pub escape_hatch: bool,
    /// Where the value is set: the `.set`/`.default`/`.add` (or typed API) call.
    pub at: crate::Location,
}

/// Values of a typed option set (`#[derive(NixOptions)]` with a path).
#[derive(Clone, Debug, PartialEq)]
pub struct TypedSetting {
    /// The option path, e.g. `modules.desktop.gnome`.
    pub path: String,
    /// The declarations, emitted once into `modules/options/`.
    pub options: OptionSet,
    /// The values, by option name: every option of a whole struct, the set ones of a patch.
    pub values: Attrs,
    /// Their priority.
    pub priority: Priority,
    /// Where the values are set (the `.options(..)` call).
    pub at: crate::Location,
}

impl TypedSetting {
    /// Captures the values of `value` (a whole option struct, or its patch: only the fields it
    /// sets) with `priority`.
    #[track_caller]
    pub fn of<T: OptionValues>(value: &T, priority: Priority) -> Self {
        let path = <T::Options as ModuleOptions>::PATH.to_owned();
        let options = <T::Options as crate::options::NixOptions>::option_set();
        TypedSetting { path, options, values: value.values(), priority, at: crate::Location::caller() }
    }
}

/// What a profile or a host contributes besides imports: modules and values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Hand-written modules imported.
    pub modules: Vec<Module>,
    /// Untyped values.
    pub settings: Vec<Setting>,
    /// Typed option values.
    pub typed: Vec<TypedSetting>,
    /// Modules of extra flake inputs imported (`inputs.<input>.<path>`).
    pub input_modules: Vec<crate::input::InputModuleData>,
}

impl Config {
    /// Records a value at a dotted path the fleet wrote itself (an escape hatch).
    #[track_caller]
    pub fn setting(&mut self, path: &str, value: NixValue, priority: Priority) {
        self.settings.push(Setting {
            path: path.to_owned(),
            value,
            priority,
            escape_hatch: true,
            at: crate::Location::caller(),
        });
    }

    /// Records list items contributed to the option at a dotted path the fleet wrote itself.
    #[track_caller]
    pub fn add<T: Into<NixValue>>(&mut self, path: &str, items: impl IntoIterator<Item = T>) {
        let items = NixValue::List(items.into_iter().map(Into::into).collect());
        self.setting(path, items, Priority::Add);
    }

    /// Records a value at a path a typed API computed (not an escape hatch).
    #[track_caller]
    pub fn typed_setting(&mut self, path: &str, value: NixValue, priority: Priority) {
        self.settings.push(Setting {
            path: path.to_owned(),
            value,
            priority,
            escape_hatch: false,
            at: crate::Location::caller(),
        });
    }

    /// Records list items a typed API contributes (not an escape hatch).
    #[track_caller]
    pub fn typed_add<T: Into<NixValue>>(&mut self, path: &str, items: impl IntoIterator<Item = T>) {
        let items = NixValue::List(items.into_iter().map(Into::into).collect());
        self.typed_setting(path, items, Priority::Add);
    }

    /// The escape hatches among the values: `(path, what)` for each `.set`, `.default` and
    /// `.add` with a path the fleet wrote, and each raw Nix value anywhere (typed values
    /// included).
    pub fn escape_hatches(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for s in &self.settings {
            if s.escape_hatch {
                let what = match s.priority {
                    Priority::Default => ".default",
                    Priority::Normal => ".set",
                    Priority::Add => ".add",
                };
                out.push((s.path.clone(), what));
            } else if contains_raw(&s.value) {
                out.push((s.path.clone(), "raw_nix"));
            }
        }
        for t in &self.typed {
            if t.values.values().any(contains_raw) {
                out.push((t.path.clone(), "raw_nix"));
            }
        }
        out
    }
}

fn contains_raw(v: &NixValue) -> bool {
    match v {
        NixValue::Raw(_) => true,
        NixValue::List(items) => items.iter().any(contains_raw),
        NixValue::Attrs(map) => map.values().any(contains_raw),
        _ => false,
    }
}
