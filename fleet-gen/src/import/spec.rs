//! `options.hostSpec`: option declarations read into a `#[derive(HostSpec)]` struct, and host
//! values into typed Rust.

use super::eval::{Eval, Loc, Value};
use super::modules::{unparen, Def};
use heck::{ToLowerCamelCase, ToSnakeCase, ToUpperCamelCase};
use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;

/// A host-spec option type the DSL has.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// `types.bool`.
    Bool,
    /// `types.str`.
    Str,
    /// `types.int`.
    Int,
    /// `types.ints.unsigned`.
    Unsigned,
    /// `types.port`.
    Port,
    /// `types.ints.u8` … `types.ints.s32`, by Rust type.
    Sized(&'static str),
    /// `types.path`.
    Path,
    /// `types.nullOr t`.
    NullOr(Box<Ty>),
    /// `types.listOf t`.
    ListOf(Box<Ty>),
    /// `types.attrsOf t`.
    AttrsOf(Box<Ty>),
    /// `types.enum [ … ]`, with the Rust enum's name.
    Enum(String, Vec<String>),
}

/// One option.
#[derive(Clone, Debug)]
pub struct Field {
    /// The option name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// Its default, when it has one.
    pub default: Option<Value>,
    /// Its description.
    pub description: Option<String>,
}

/// The declared host spec.
#[derive(Clone, Debug)]
pub struct SpecDecl {
    /// The options, in order.
    pub fields: Vec<Field>,
    /// The file declaring them.
    pub file: String,
    /// The struct's doc comment, when the repository says it (a generated `host-spec.nix`).
    pub doc: Option<String>,
}

/// Reads the declarations (`options.hostSpec.<name> = lib.mkOption { … }`), or says where
/// and why it cannot.
pub fn read(ev: &Eval, decls: &[(String, Def)]) -> Result<SpecDecl, (Loc, String)> {
    let mut fields = Vec::new();
    let mut file = String::new();
    for (_, d) in decls {
        file.clone_from(&d.loc.file);
        let name = match d.path.as_slice() {
            [_, _, name] => Some(name),
            [first, .., name] if first == "options" && d.path.len() > 3 => Some(name),
            _ => None,
        };
        let Some(name) = name else {
            return Err((
                d.loc.clone(),
                "a declaration that is not `options.hostSpec.<name> = lib.mkOption { … }`".into(),
            ));
        };
        let fail = |why: &str| (d.loc.clone(), format!("option `{name}`: {why}"));
        let e = unparen(d.expr.clone());
        let ast::Expr::Apply(app) = e else { return Err(fail("not a `lib.mkOption { … }` call")) };
        let (Some(f), Some(arg)) = (app.lambda(), app.argument()) else { return Err(fail("incomplete")) };
        let head = ev.force(&ev.expr(&f, &d.env, &d.src));
        let Value::Lib(path) = head else { return Err(fail("not a `lib.mkOption` call")) };
        match path.last().map(String::as_str) {
            Some("mkEnableOption") => {
                let description = match ev.force(&ev.expr(&arg, &d.env, &d.src)) {
                    Value::Str(s) => Some(format!("Whether to enable {s}.")),
                    _ => None,
                };
                fields.push(Field { name: name.clone(), ty: Ty::Bool, default: Some(Value::Bool(false)), description });
                continue;
            }
            Some("mkOption") => {}
            _ => return Err(fail("not a `lib.mkOption` call")),
        }
        let ast::Expr::AttrSet(set) = unparen(arg) else { return Err(fail("`mkOption` without an attribute set")) };
        let mut ty = None;
        let mut default = None;
        let mut description = None;
        for entry in set.entries() {
            let ast::Entry::AttrpathValue(kv) = entry else { continue };
            let key = kv.attrpath().map(|p| p.syntax().text().to_string()).unwrap_or_default();
            let Some(value) = kv.value() else { continue };
            match key.as_str() {
                "type" => {
                    ty = Some(type_of(ev, &value, d, name).ok_or_else(|| {
                        fail(&format!("type `{}` has no Rust type in the DSL", value.syntax().text()))
                    })?)
                }
                "default" => {
                    let v = ev.deep(&Eval::thunk(value.clone(), &d.env, &d.src));
                    if !super::eval::is_static(&v) {
                        return Err(fail(&format!("default `{}` is not a static value", value.syntax().text())));
                    }
                    default = Some(v);
                }
                "description" => {
                    let mut v = ev.force(&Eval::thunk(value.clone(), &d.env, &d.src));
                    if let Value::Lib(_) = v {
                        v = Value::Null;
                    }
                    if let ast::Expr::Apply(a) = unparen(value.clone()) {
                        if let Some(arg) = a.argument() {
                            v = ev.force(&ev.expr(&arg, &d.env, &d.src));
                        }
                    }
                    match v {
                        Value::Str(s) => description = Some(s),
                        _ => return Err(fail("description is not a static string")),
                    }
                }
                "example" | "defaultText" => {}
                other => return Err(fail(&format!("`{other}` is not carried over"))),
            }
        }
        let ty = ty.ok_or_else(|| fail("no type"))?;
        fields.push(Field { name: name.clone(), ty, default, description });
    }
    Ok(SpecDecl { fields, file, doc: None })
}

fn type_of(ev: &Eval, e: &ast::Expr, d: &Def, field: &str) -> Option<Ty> {
    let e = unparen(e.clone());
    if let ast::Expr::Apply(a) = &e {
        let head = ev.force(&ev.expr(&a.lambda()?, &d.env, &d.src));
        let Value::Lib(p) = head else { return None };
        let arg = a.argument()?;
        return match types_path(&p)?.as_slice() {
            ["nullOr"] => Some(Ty::NullOr(Box::new(type_of(ev, &arg, d, field)?))),
            ["listOf"] => Some(Ty::ListOf(Box::new(type_of(ev, &arg, d, field)?))),
            ["attrsOf"] => Some(Ty::AttrsOf(Box::new(type_of(ev, &arg, d, field)?))),
            ["enum"] => match ev.deep(&Eval::thunk(arg, &d.env, &d.src)) {
                Value::List(items) => {
                    let names: Option<Vec<String>> =
                        items.iter().map(|i| if let Value::Str(s) = i { Some(s.clone()) } else { None }).collect();
                    Some(Ty::Enum(field.to_upper_camel_case(), names?))
                }
                _ => None,
            },
            _ => None,
        };
    }
    let Value::Lib(p) = ev.force(&ev.expr(&e, &d.env, &d.src)) else { return None };
    match types_path(&p)?.as_slice() {
        ["bool"] => Some(Ty::Bool),
        ["str"] => Some(Ty::Str),
        ["int"] => Some(Ty::Int),
        ["ints", "unsigned"] => Some(Ty::Unsigned),
        ["ints", "u8"] => Some(Ty::Sized("u8")),
        ["ints", "u16"] => Some(Ty::Sized("u16")),
        ["ints", "u32"] => Some(Ty::Sized("u32")),
        ["ints", "s8"] => Some(Ty::Sized("i8")),
        ["ints", "s16"] => Some(Ty::Sized("i16")),
        ["ints", "s32"] => Some(Ty::Sized("i32")),
        ["port"] => Some(Ty::Port),
        ["path"] => Some(Ty::Path),
        _ => None,
    }
}

fn types_path(p: &[String]) -> Option<Vec<&str>> {
    let i = p.iter().position(|s| s == "types")?;
    Some(p[i + 1..].iter().map(String::as_str).collect())
}

impl Ty {
    /// The Rust type.
    pub fn rust(&self) -> String {
        match self {
            Ty::Bool => "bool".into(),
            Ty::Str => "String".into(),
            Ty::Int => "i64".into(),
            Ty::Unsigned => "u64".into(),
            Ty::Port => "u16".into(),
            Ty::Sized(t) => (*t).into(),
            Ty::Path => "PathBuf".into(),
            Ty::NullOr(t) => format!("Option<{}>", t.rust()),
            Ty::ListOf(t) => format!("Vec<{}>", t.rust()),
            Ty::AttrsOf(t) => format!("BTreeMap<String, {}>", t.rust()),
            Ty::Enum(name, _) => name.clone(),
        }
    }

    /// Every enum in it.
    pub fn enums(&self) -> Vec<(&str, &[String])> {
        match self {
            Ty::NullOr(t) | Ty::ListOf(t) | Ty::AttrsOf(t) => t.enums(),
            Ty::Enum(name, values) => vec![(name.as_str(), values.as_slice())],
            _ => Vec::new(),
        }
    }

    /// A Rust expression of this type for `v`, or `None` when `v` does not fit.
    pub fn value(&self, v: &Value) -> Option<String> {
        Some(match (self, v) {
            (Ty::Bool, Value::Bool(b)) => b.to_string(),
            (Ty::Str, Value::Str(s)) => format!("{}.into()", super::literal::rust_str(s)),
            (Ty::Int, Value::Int(i)) => i.to_string(),
            (Ty::Unsigned, Value::Int(i)) if *i >= 0 => i.to_string(),
            (Ty::Sized(_), Value::Int(i)) => i.to_string(),
            (Ty::Port, Value::Int(i)) if u16::try_from(*i).is_ok() => i.to_string(),
            (Ty::Path, Value::Str(s)) => format!("{}.into()", super::literal::rust_str(s)),
            (Ty::NullOr(_), Value::Null) => "None".into(),
            (Ty::NullOr(t), v) => format!("Some({})", t.value(v)?),
            (Ty::ListOf(t), Value::List(items)) => {
                let items: Option<Vec<String>> = items.iter().map(|i| t.value(i)).collect();
                format!("vec![{}]", items?.join(", "))
            }
            (Ty::AttrsOf(t), Value::Attrs(m)) => {
                let items: Option<Vec<String>> = m
                    .iter()
                    .map(|(k, v)| Some(format!("({}.to_owned(), {})", super::literal::rust_str(k), t.value(v)?)))
                    .collect();
                format!("BTreeMap::from([{}])", items?.join(", "))
            }
            (Ty::Enum(name, values), Value::Str(s)) if values.contains(s) => format!("{name}::{}", variant(s)),
            _ => return None,
        })
    }
}

/// The Rust variant of an enum value.
pub fn variant(value: &str) -> String {
    let v = value.to_upper_camel_case();
    if v.is_empty() || v.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{v}")
    } else {
        v
    }
}

/// Whether a variant needs `#[nix(rename = "…")]`.
pub fn variant_renamed(value: &str) -> bool {
    variant(value).to_lower_camel_case() != value
}

/// The Rust field of an option, and whether it needs `#[spec(rename = "…")]`.
pub fn field_name(option: &str) -> (String, bool) {
    let mut f = option.to_snake_case();
    if f.is_empty() || f.starts_with(|c: char| c.is_ascii_digit()) {
        f = format!("f_{f}");
    }
    if matches!(
        f.as_str(),
        "type"
            | "match"
            | "loop"
            | "move"
            | "ref"
            | "mod"
            | "fn"
            | "use"
            | "impl"
            | "self"
            | "struct"
            | "enum"
            | "trait"
            | "where"
            | "static"
            | "const"
            | "crate"
            | "super"
            | "box"
            | "async"
            | "await"
            | "dyn"
            | "in"
            | "let"
            | "if"
            | "else"
            | "for"
            | "while"
            | "return"
            | "true"
            | "false"
            | "pub"
            | "mut"
            | "unsafe"
            | "extern"
            | "break"
            | "continue"
            | "as"
    ) {
        f = format!("r#{f}");
    }
    let back = f.trim_start_matches("r#").to_lower_camel_case();
    (f.clone(), back != option)
}
