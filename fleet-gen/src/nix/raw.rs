//! The user's raw Nix, parsed (with rnix) into the generator's syntax tree, and package paths.
//!
//! Raw Nix is never pasted: it is parsed, rejected with a position when it does not parse,
//! and printed again by the generator's printer, which adds the parentheses its position
//! needs. Comments inside raw Nix are not kept.

use super::expr::{BinaryOp, Binding, Expr, Formals, Key, Param, PathPart, StrPart, UnaryOp};
use fleet_dsl::NixValue;
use rnix::ast::{self, AstToken, HasEntry, InterpolPart};
use rowan::ast::AstNode;
use std::fmt;

/// Why raw Nix was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawError {
    /// 1-based line in the raw text.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {}, column {}", self.message, self.line, self.column)
    }
}

/// Where in the text (a byte offset) rnix found a syntax error; `len` (the end) when it does
/// not say.
pub(crate) fn error_offset(e: &rnix::parser::ParseError, len: usize) -> usize {
    match e {
        rnix::parser::ParseError::Unexpected(r)
        | rnix::parser::ParseError::UnexpectedExtra(r)
        | rnix::parser::ParseError::UnexpectedWanted(_, r, _)
        | rnix::parser::ParseError::UnexpectedDoubleBind(r)
        | rnix::parser::ParseError::DuplicatedArgs(r, _) => usize::from(r.start()),
        _ => len,
    }
}

/// Parses raw Nix text into an expression.
pub fn parse(text: &str) -> Result<Expr, RawError> {
    if text.contains('\0') {
        let at = text.find('\0').unwrap_or_default();
        return Err(error_at(text, at, "contains a NUL byte".to_owned()));
    }
    let parsed = rnix::Root::parse(text);
    if let Some(e) = parsed.errors().first() {
        return Err(error_at(text, error_offset(e, text.len()), format!("is not valid Nix ({e})")));
    }
    let root = parsed.tree();
    let expr = root.expr().ok_or_else(|| error_at(text, 0, "is empty".to_owned()))?;
    Converter { text }.expr(expr)
}

/// The attribute path of a package under `pkgs`: `python3Packages.requests` gives its names.
/// Names are nixpkgs attribute names (letters, digits, `_`, `-`, `+`, `'`, not starting with
/// `'`); anything else is refused.
pub fn package(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Err("package name is empty".to_owned());
    }
    let names: Vec<String> = path.split('.').map(str::to_owned).collect();
    for n in &names {
        let ok = !n.is_empty()
            && !n.starts_with('\'')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '\''));
        if !ok {
            return Err(format!(
                "package `{path}` is not an attribute path of nixpkgs (names of letters, digits, `_`, `-`, `+`, separated by dots)"
            ));
        }
    }
    Ok(names)
}

fn error_at(text: &str, offset: usize, message: String) -> RawError {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    RawError { line, column, message }
}

struct Converter<'a> {
    text: &'a str,
}

impl Converter<'_> {
    fn fail<N: AstNode>(&self, node: &N, message: &str) -> RawError {
        error_at(self.text, usize::from(node.syntax().text_range().start()), message.to_owned())
    }

    fn need<T, N: AstNode>(&self, node: &N, part: Option<T>) -> Result<T, RawError> {
        part.ok_or_else(|| self.fail(node, "is incomplete Nix"))
    }

    fn expr(&self, e: ast::Expr) -> Result<Expr, RawError> {
        Ok(match e {
            ast::Expr::Paren(p) => self.expr(self.need(&p, p.expr())?)?,
            ast::Expr::Root(r) => self.expr(self.need(&r, r.expr())?)?,
            ast::Expr::Literal(l) => match l.kind() {
                ast::LiteralKind::Integer(i) => {
                    Expr::Int(i.value().map_err(|_| self.fail(&l, "has an integer out of range"))?)
                }
                ast::LiteralKind::Float(f) => {
                    Expr::Float(f.value().map_err(|_| self.fail(&l, "has an invalid float"))?)
                }
                ast::LiteralKind::Uri(u) => Expr::str(u.syntax().text()),
            },
            ast::Expr::Ident(i) => Expr::Var(self.ident(&i)?),
            ast::Expr::Str(s) => Expr::Str(self.string(&s)?),
            ast::Expr::Path(p) => {
                let mut parts = Vec::new();
                for part in p.parts() {
                    parts.push(match part {
                        InterpolPart::Literal(lit) => {
                            let text = lit.syntax().text();
                            if text.starts_with('<') || text.starts_with('~') {
                                return Err(self
                                    .fail(&p, "uses a search path or home path (`<…>`, `~/…`), which a flake cannot"));
                            }
                            PathPart::Lit(text.to_owned())
                        }
                        InterpolPart::Interpolation(i) => PathPart::Interp(self.expr(self.need(&i, i.expr())?)?),
                    });
                }
                Expr::Path(parts)
            }
            ast::Expr::List(l) => Expr::list(l.items().map(|i| self.expr(i)).collect::<Result<Vec<_>, _>>()?),
            ast::Expr::AttrSet(a) => {
                let bindings = self.entries(&a)?;
                if a.rec_token().is_some() {
                    Expr::RecAttrs(bindings)
                } else {
                    Expr::Attrs(bindings)
                }
            }
            ast::Expr::Select(s) => {
                let subject = self.expr(self.need(&s, s.expr())?)?;
                let keys = self.attrpath(&self.need(&s, s.attrpath())?)?;
                let default = match s.default_expr() {
                    Some(d) => Some(Box::new(self.expr(d)?)),
                    None => None,
                };
                Expr::Select(Box::new(subject), keys, default)
            }
            ast::Expr::HasAttr(h) => {
                let subject = self.expr(self.need(&h, h.expr())?)?;
                let keys = self.attrpath(&self.need(&h, h.attrpath())?)?;
                Expr::HasAttr(Box::new(subject), keys)
            }
            ast::Expr::Apply(a) => {
                let f = self.expr(self.need(&a, a.lambda())?)?;
                let arg = self.expr(self.need(&a, a.argument())?)?;
                match f {
                    Expr::Apply(f, mut args) => {
                        args.push(arg);
                        Expr::Apply(f, args)
                    }
                    f => Expr::Apply(Box::new(f), vec![arg]),
                }
            }
            ast::Expr::UnaryOp(u) => {
                let operand = self.expr(self.need(&u, u.expr())?)?;
                match self.need(&u, u.operator())? {
                    ast::UnaryOpKind::Negate => match operand {
                        Expr::Int(i) if i > 0 => Expr::Int(-i),
                        Expr::Float(f) if f > 0.0 => Expr::Float(-f),
                        operand => Expr::Unary(UnaryOp::Neg, Box::new(operand)),
                    },
                    ast::UnaryOpKind::Invert => Expr::Unary(UnaryOp::Not, Box::new(operand)),
                }
            }
            ast::Expr::BinOp(b) => {
                use ast::BinOpKind as K;
                let op = match self.need(&b, b.operator())? {
                    K::Concat => BinaryOp::Concat,
                    K::Update => BinaryOp::Update,
                    K::Add => BinaryOp::Add,
                    K::Sub => BinaryOp::Sub,
                    K::Mul => BinaryOp::Mul,
                    K::Div => BinaryOp::Div,
                    K::And => BinaryOp::And,
                    K::Equal => BinaryOp::Eq,
                    K::Implication => BinaryOp::Implies,
                    K::Less => BinaryOp::Lt,
                    K::LessOrEq => BinaryOp::Le,
                    K::More => BinaryOp::Gt,
                    K::MoreOrEq => BinaryOp::Ge,
                    K::NotEqual => BinaryOp::Ne,
                    K::Or => BinaryOp::Or,
                    K::PipeRight | K::PipeLeft => {
                        return Err(self.fail(&b, "uses a pipe operator (`|>`, `<|`), an experimental Nix feature"))
                    }
                };
                let lhs = self.expr(self.need(&b, b.lhs())?)?;
                let rhs = self.expr(self.need(&b, b.rhs())?)?;
                Expr::binary(op, lhs, rhs)
            }
            ast::Expr::Lambda(l) => {
                let param = match self.need(&l, l.param())? {
                    ast::Param::IdentParam(i) => Param::Ident(self.ident(&self.need(&i, i.ident())?)?),
                    ast::Param::Pattern(p) => {
                        let at = match p.pat_bind() {
                            Some(b) => Some(self.ident(&self.need(&b, b.ident())?)?),
                            None => None,
                        };
                        let mut names = Vec::new();
                        for entry in p.pat_entries() {
                            let name = self.ident(&self.need(&entry, entry.ident())?)?;
                            let default = match entry.default() {
                                Some(d) => Some(self.expr(d)?),
                                None => None,
                            };
                            names.push((name, default));
                        }
                        Param::Formals(Formals { at, names, ellipsis: p.ellipsis_token().is_some() })
                    }
                };
                Expr::Lambda(param, Box::new(self.expr(self.need(&l, l.body())?)?))
            }
            ast::Expr::LetIn(l) => {
                let bindings = self.entries(&l)?;
                Expr::Let(bindings, Box::new(self.expr(self.need(&l, l.body())?)?))
            }
            ast::Expr::With(w) => {
                let scope = self.expr(self.need(&w, w.namespace())?)?;
                Expr::With(Box::new(scope), Box::new(self.expr(self.need(&w, w.body())?)?))
            }
            ast::Expr::IfElse(i) => Expr::If(
                Box::new(self.expr(self.need(&i, i.condition())?)?),
                Box::new(self.expr(self.need(&i, i.body())?)?),
                Box::new(self.expr(self.need(&i, i.else_body())?)?),
            ),
            ast::Expr::Assert(a) => Expr::Assert(
                Box::new(self.expr(self.need(&a, a.condition())?)?),
                Box::new(self.expr(self.need(&a, a.body())?)?),
            ),
            ast::Expr::LegacyLet(l) => return Err(self.fail(&l, "uses the obsolete `let { … }` form")),
            ast::Expr::Error(e) => return Err(self.fail(&e, "is not valid Nix")),
        })
    }

    fn ident(&self, i: &ast::Ident) -> Result<String, RawError> {
        Ok(self.need(i, i.ident_token())?.text().to_owned())
    }

    fn string(&self, s: &ast::Str) -> Result<Vec<StrPart>, RawError> {
        let mut parts = Vec::new();
        for part in s.normalized_parts() {
            match part {
                InterpolPart::Literal(text) => match parts.last_mut() {
                    Some(StrPart::Lit(prev)) => prev.push_str(&text),
                    _ => parts.push(StrPart::Lit(text)),
                },
                InterpolPart::Interpolation(i) => parts.push(StrPart::Interp(self.expr(self.need(&i, i.expr())?)?)),
            }
        }
        Ok(parts)
    }

    fn attr(&self, a: ast::Attr) -> Result<Key, RawError> {
        Ok(match a {
            ast::Attr::Ident(i) => Key::Name(self.ident(&i)?),
            ast::Attr::Str(s) => {
                let parts = self.string(&s)?;
                match parts.as_slice() {
                    [] => Key::Name(String::new()),
                    [StrPart::Lit(text)] => Key::Name(text.clone()),
                    _ => Key::Interp(Expr::Str(parts)),
                }
            }
            ast::Attr::Dynamic(d) => {
                let e = self.expr(self.need(&d, d.expr())?)?;
                match e.as_plain_str() {
                    Some(text) => Key::Name(text.to_owned()),
                    None => Key::Interp(e),
                }
            }
        })
    }

    fn attrpath(&self, p: &ast::Attrpath) -> Result<Vec<Key>, RawError> {
        p.attrs().map(|a| self.attr(a)).collect()
    }

    fn entries<N: HasEntry>(&self, node: &N) -> Result<Vec<Binding>, RawError> {
        let mut out = Vec::new();
        for entry in node.entries() {
            match entry {
                ast::Entry::AttrpathValue(kv) => {
                    let keys = self.attrpath(&self.need(&kv, kv.attrpath())?)?;
                    let value = self.expr(self.need(&kv, kv.value())?)?;
                    let names: Option<Vec<String>> = keys
                        .iter()
                        .map(|k| match k {
                            Key::Name(n) => Some(n.clone()),
                            Key::Interp(_) => None,
                        })
                        .collect();
                    out.push(match names {
                        Some(names) => Binding::Attr(names, value),
                        None => Binding::Keyed(keys, value),
                    });
                }
                ast::Entry::Inherit(i) => {
                    let mut names = Vec::new();
                    for a in i.attrs() {
                        match self.attr(a)? {
                            Key::Name(n) => names.push(n),
                            Key::Interp(_) => return Err(self.fail(&i, "inherits a dynamic name")),
                        }
                    }
                    match i.from() {
                        Some(from) => {
                            let from = self.expr(self.need(&from, from.expr())?)?;
                            out.push(Binding::InheritFrom(from, names));
                        }
                        None => out.push(Binding::Inherit(names)),
                    }
                }
            }
        }
        Ok(out)
    }
}
impl From<&NixValue> for Expr {
    /// The value as an expression. Raw Nix is parsed ([`parse`]); validation has
    /// already reported any raw Nix that does not parse, so the `throw` below is never printed
    /// for a fleet that passed it.
    fn from(value: &NixValue) -> Self {
        match value {
            NixValue::Null => Expr::Null,
            NixValue::Bool(b) => Expr::Bool(*b),
            NixValue::Int(i) => Expr::Int(*i),
            NixValue::Str(s) => Expr::str(s.as_str()),
            NixValue::List(items) => Expr::list(items.iter().map(Expr::from)),
            NixValue::Attrs(map) => Expr::Attrs(map.iter().map(|(k, v)| Binding::new(k.clone(), v)).collect()),
            NixValue::Raw(raw) => parse(&raw.0).unwrap_or_else(|e| {
                Expr::Apply(Box::new(Expr::var("throw")), vec![Expr::str(format!("fleet-gen: {e}"))])
            }),
            NixValue::Package(p) => match package(&p.0) {
                Ok(path) => Expr::select(Expr::var("pkgs"), path),
                Err(e) => Expr::Apply(Box::new(Expr::var("throw")), vec![Expr::str(format!("fleet-gen: {e}"))]),
            },
            NixValue::UnstablePackage(p) => match package(&p.0) {
                Ok(path) => Expr::select(Expr::var("pkgs"), std::iter::once("unstable".to_owned()).chain(path)),
                Err(e) => Expr::Apply(Box::new(Expr::var("throw")), vec![Expr::str(format!("fleet-gen: {e}"))]),
            },
            NixValue::InputFile(f) => Expr::binary(
                BinaryOp::Add,
                Expr::select(Expr::var("inputs"), [f.input.name.as_str()]),
                Expr::str(format!("/{}", f.path)),
            ),
            NixValue::SecretPath(link) => {
                Expr::select(Expr::var("config"), ["sops", "secrets", link.name.as_str(), "path"])
            }
        }
    }
}

impl From<NixValue> for Expr {
    fn from(value: NixValue) -> Self {
        Expr::from(&value)
    }
}
