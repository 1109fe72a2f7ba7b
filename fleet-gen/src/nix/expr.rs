//! A small Nix syntax tree and a printer whose output alejandra leaves unchanged.
//!
//! Generated files are built as trees, never by pasting text: user strings can only enter as
//! [`Expr::Str`] (escaped) or attribute names (quoted when needed). [`Expr::Code`] holds code
//! the generator itself computed, or the user's explicitly raw Nix.

use super::escape;
use fleet_dsl::NixValue;

/// Widest inline list before it is broken over lines.
const INLINE_LIST_WIDTH: usize = 72;

/// A Nix expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A string literal (escaped when printed).
    Str(String),
    /// Code placed verbatim: identifiers, selections and paths computed by the generator, or
    /// the user's explicitly raw Nix.
    Code(String),
    /// A list; `vertical` forces one item per line.
    List {
        /// The items.
        items: Vec<Expr>,
        /// One item per line even when short.
        vertical: bool,
    },
    /// An attribute set.
    Attrs(Vec<Binding>),
    /// Function application `f a b`.
    Apply(Box<Expr>, Vec<Expr>),
    /// A function with a formals pattern: `{a, b, ...}: body`, or `name @ {a, ...}: body`.
    Lambda(Formals, Box<Expr>),
    /// `let bindings in body`.
    Let(Vec<Binding>, Box<Expr>),
    /// A function of plain arguments: `a: b: body`.
    Fn(Vec<String>, Box<Expr>),
}

/// A function's formals: `{a, b, ...}`, optionally bound whole with `name @`.
#[derive(Clone, Debug, PartialEq)]
pub struct Formals {
    /// The name bound to the whole argument set (`inputs @ {...}`).
    pub at: Option<String>,
    /// The named arguments; an ellipsis always follows them.
    pub names: Vec<String>,
}

impl Formals {
    fn inline(&self) -> String {
        let names: Vec<&str> = self.names.iter().map(String::as_str).chain(["..."]).collect();
        match &self.at {
            Some(at) => format!("{at} @ {{{}}}", names.join(", ")),
            None => format!("{{{}}}", names.join(", ")),
        }
    }
}

/// One binding of an attribute set or `let`.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    /// `a.b."c.d" = value;` with the path segments unescaped.
    Attr(Vec<String>, Expr),
    /// `inherit a b;`
    Inherit(Vec<String>),
}

impl Binding {
    /// `name = value;` for a single attribute name.
    pub fn new(name: impl Into<String>, value: impl Into<Expr>) -> Self {
        Binding::Attr(vec![name.into()], value.into())
    }

    /// `a.b.c = value;` for a dotted path.
    pub fn path<S: Into<String>>(path: impl IntoIterator<Item = S>, value: impl Into<Expr>) -> Self {
        Binding::Attr(path.into_iter().map(Into::into).collect(), value.into())
    }
}

impl Expr {
    /// Generator-computed code placed verbatim.
    pub fn code(text: impl Into<String>) -> Self {
        Expr::Code(text.into())
    }

    /// A string literal.
    pub fn str(text: impl Into<String>) -> Self {
        Expr::Str(text.into())
    }

    /// A list laid out by width.
    pub fn list(items: impl IntoIterator<Item = Expr>) -> Self {
        Expr::List { items: items.into_iter().collect(), vertical: false }
    }

    /// A list with one item per line when it has more than one item.
    pub fn vertical_list(items: impl IntoIterator<Item = Expr>) -> Self {
        let items: Vec<Expr> = items.into_iter().collect();
        let vertical = items.len() > 1;
        Expr::List { items, vertical }
    }

    /// A list of strings.
    pub fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Self {
        Expr::list(items.into_iter().map(|s| Expr::str(s.as_ref())))
    }

    /// `f arg1 arg2 …`
    pub fn apply(f: impl Into<String>, args: impl IntoIterator<Item = Expr>) -> Self {
        Expr::Apply(Box::new(Expr::Code(f.into())), args.into_iter().collect())
    }

    /// `{formals, ...}: body`
    pub fn lambda<S: Into<String>>(formals: impl IntoIterator<Item = S>, body: Expr) -> Self {
        let names = formals.into_iter().map(Into::into).collect();
        Expr::Lambda(Formals { at: None, names }, Box::new(body))
    }

    /// `at @ {formals, ...}: body`
    pub fn lambda_at<S: Into<String>>(at: &str, formals: impl IntoIterator<Item = S>, body: Expr) -> Self {
        let names = formals.into_iter().map(Into::into).collect();
        Expr::Lambda(Formals { at: Some(at.to_owned()), names }, Box::new(body))
    }

    /// Whether generated code in the expression refers to the variable `name` (as `name.x`).
    pub fn mentions(&self, name: &str) -> bool {
        let in_bindings = |b: &[Binding]| {
            b.iter().any(|b| match b {
                Binding::Attr(_, v) => v.mentions(name),
                Binding::Inherit(names) => names.iter().any(|n| n == name),
            })
        };
        match self {
            Expr::Code(c) => {
                let prefix = format!("{name}.");
                c.match_indices(&prefix).any(|(i, _)| {
                    c[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|p| !(p.is_ascii_alphanumeric() || matches!(p, '_' | '\'' | '-' | '.')))
                })
            }
            Expr::List { items, .. } => items.iter().any(|i| i.mentions(name)),
            Expr::Attrs(b) => in_bindings(b),
            Expr::Apply(f, args) => f.mentions(name) || args.iter().any(|a| a.mentions(name)),
            Expr::Lambda(_, body) | Expr::Fn(_, body) => body.mentions(name),
            Expr::Let(b, body) => in_bindings(b) || body.mentions(name),
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Str(_) => false,
        }
    }

    /// The expression printed, starting at column `indent` (later lines are indented by it).
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write_block(&mut out, indent);
        out
    }

    /// The expression on one line, when it fits on one by the layout rules.
    fn inline(&self) -> Option<String> {
        Some(match self {
            Expr::Null => "null".to_owned(),
            Expr::Bool(b) => b.to_string(),
            Expr::Int(i) => i.to_string(),
            Expr::Str(s) => escape::string(s),
            Expr::Code(c) if !c.contains('\n') => c.clone(),
            Expr::Code(_) => return None,
            Expr::List { items, .. } if items.is_empty() => "[]".to_owned(),
            Expr::List { vertical: true, .. } => return None,
            Expr::List { items, .. } => {
                let parts = items.iter().map(Expr::inline_operand).collect::<Option<Vec<_>>>()?;
                let text = format!("[{}]", parts.join(" "));
                if text.len() > INLINE_LIST_WIDTH && items.len() > 1 {
                    return None;
                }
                text
            }
            Expr::Attrs(b) if b.is_empty() => "{}".to_owned(),
            Expr::Attrs(b) if b.len() == 1 => format!("{{{}}}", b[0].inline()?),
            Expr::Attrs(_) | Expr::Let(..) => return None,
            Expr::Apply(f, args) => {
                let mut parts = vec![f.inline()?];
                for a in args {
                    parts.push(a.inline_operand()?);
                }
                parts.join(" ")
            }
            Expr::Lambda(formals, body) if formals.names.len() <= 1 => {
                format!("{}: {}", formals.inline(), body.inline()?)
            }
            Expr::Lambda(..) => return None,
            Expr::Fn(args, body) => format!("{}: {}", args.join(": "), body.inline()?),
        })
    }

    /// Inline form as a list item or argument: applications and functions get parentheses.
    fn inline_operand(&self) -> Option<String> {
        let text = self.inline()?;
        Some(if self.needs_parens() { format!("({text})") } else { text })
    }

    fn needs_parens(&self) -> bool {
        matches!(self, Expr::Apply(..) | Expr::Lambda(..) | Expr::Let(..) | Expr::Fn(..))
    }

    fn write_block(&self, out: &mut String, indent: usize) {
        if let Some(text) = self.inline() {
            out.push_str(&text);
            return;
        }
        let pad = " ".repeat(indent);
        match self {
            Expr::List { items, .. } => {
                out.push_str("[\n");
                for item in items {
                    out.push_str(&pad);
                    out.push_str("  ");
                    item.write_operand(out, indent + 2);
                    out.push('\n');
                }
                out.push_str(&pad);
                out.push(']');
            }
            Expr::Attrs(bindings) => {
                out.push_str("{\n");
                write_bindings(out, bindings, indent + 2);
                out.push_str(&pad);
                out.push('}');
            }
            Expr::Apply(f, args) => {
                f.write_block(out, indent);
                for arg in args {
                    out.push(' ');
                    arg.write_operand(out, indent);
                }
            }
            Expr::Lambda(formals, body) => {
                if formals.names.len() <= 1 {
                    out.push_str(&formals.inline());
                } else {
                    if let Some(at) = &formals.at {
                        out.push_str(at);
                        out.push_str(" @ ");
                    }
                    out.push_str("{\n");
                    for f in formals.names.iter().map(String::as_str).chain(["..."]) {
                        out.push_str(&pad);
                        out.push_str("  ");
                        out.push_str(f);
                        out.push_str(",\n");
                    }
                    // The ellipsis takes no trailing comma.
                    out.truncate(out.len() - 2);
                    out.push('\n');
                    out.push_str(&pad);
                    out.push('}');
                }
                out.push(':');
                match **body {
                    Expr::Attrs(_) | Expr::Let(..) => {
                        out.push(' ');
                        body.write_block(out, indent);
                    }
                    _ => {
                        out.push('\n');
                        out.push_str(&pad);
                        out.push_str("  ");
                        body.write_block(out, indent + 2);
                    }
                }
            }
            Expr::Fn(args, body) => {
                out.push_str(&args.join(": "));
                out.push_str(": ");
                body.write_block(out, indent);
            }
            Expr::Let(bindings, body) => {
                out.push_str("let\n");
                write_bindings(out, bindings, indent + 2);
                out.push_str(&pad);
                out.push_str("in ");
                body.write_block(out, indent);
            }
            Expr::Code(text) => out.push_str(text),
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Str(_) => {
                unreachable!("scalars are always inline")
            }
        }
    }

    fn write_operand(&self, out: &mut String, indent: usize) {
        if self.needs_parens() {
            out.push('(');
            self.write_block(out, indent);
            out.push(')');
        } else {
            self.write_block(out, indent);
        }
    }
}

impl Binding {
    fn inline(&self) -> Option<String> {
        Some(match self {
            Binding::Attr(path, value) => format!("{} = {};", escape::attr_path(path), value.inline()?),
            Binding::Inherit(names) => format!("inherit {};", names.join(" ")),
        })
    }
}

fn write_bindings(out: &mut String, bindings: &[Binding], indent: usize) {
    let pad = " ".repeat(indent);
    for binding in bindings {
        out.push_str(&pad);
        match binding {
            Binding::Attr(path, value) => {
                out.push_str(&escape::attr_path(path));
                out.push_str(" = ");
                value.write_block(out, indent);
                out.push_str(";\n");
            }
            Binding::Inherit(names) => {
                out.push_str("inherit ");
                out.push_str(&names.join(" "));
                out.push_str(";\n");
            }
        }
    }
}

impl From<&NixValue> for Expr {
    fn from(value: &NixValue) -> Self {
        match value {
            NixValue::Null => Expr::Null,
            NixValue::Bool(b) => Expr::Bool(*b),
            NixValue::Int(i) => Expr::Int(*i),
            NixValue::Str(s) => Expr::Str(s.clone()),
            NixValue::List(items) => Expr::list(items.iter().map(Expr::from)),
            NixValue::Attrs(map) => Expr::Attrs(map.iter().map(|(k, v)| Binding::new(k.clone(), v)).collect()),
            NixValue::Raw(raw) => Expr::Code(raw.0.clone()),
        }
    }
}

impl From<NixValue> for Expr {
    fn from(value: NixValue) -> Self {
        Expr::from(&value)
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Str(s.to_owned())
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(b: Vec<Binding>) -> Expr {
        Expr::Attrs(b)
    }

    #[test]
    fn small_things_stay_inline() {
        let e = attrs(vec![Binding::new("a", Expr::strings(["x", "y"]))]);
        assert_eq!(e.render(0), r#"{a = ["x" "y"];}"#);
        assert_eq!(Expr::apply("lib.mkDefault", [Expr::Bool(true)]).render(0), "lib.mkDefault true");
        let nested = Expr::apply("lib.types.nullOr", [Expr::apply("lib.types.enum", [Expr::strings(["a"])])]);
        assert_eq!(nested.render(0), r#"lib.types.nullOr (lib.types.enum ["a"])"#);
    }

    #[test]
    fn larger_things_break_like_alejandra() {
        let e = Expr::lambda(
            ["config", "lib"],
            attrs(vec![
                Binding::new("imports", Expr::vertical_list([Expr::code("./a.nix"), Expr::code("./b.nix")])),
                Binding::path(
                    ["x", "y"],
                    Expr::apply(
                        "lib.mkDefault",
                        [attrs(vec![Binding::new("a", Expr::Int(1)), Binding::new("b", Expr::Int(2))])],
                    ),
                ),
            ]),
        );
        let expected = "{\n  config,\n  lib,\n  ...\n}: {\n  imports = [\n    ./a.nix\n    ./b.nix\n  ];\n  x.y = lib.mkDefault {\n    a = 1;\n    b = 2;\n  };\n}";
        assert_eq!(e.render(0), expected);
    }

    #[test]
    fn lambda_with_application_body_goes_below() {
        let e = Expr::lambda(
            ["pkgs"],
            Expr::apply(
                "lib.mkIf",
                [Expr::Bool(true), attrs(vec![Binding::new("a", Expr::Int(1)), Binding::new("b", Expr::Int(2))])],
            ),
        );
        assert_eq!(e.render(0), "{pkgs, ...}:\n  lib.mkIf true {\n    a = 1;\n    b = 2;\n  }");
    }
}
