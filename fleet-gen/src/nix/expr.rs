//! A Nix syntax tree: every generated file is built from these nodes, never by pasting text.
//!
//! User strings can only enter as string literal parts (escaped when printed) or attribute
//! names (quoted when needed); the user's raw Nix is parsed into the same nodes
//! ([`super::raw`]). The printer ([`super::print`]) inserts parentheses exactly where Nix
//! precedence needs them.

/// A Nix expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer; negative ones print as a negation (and get parentheses where one needs them).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string: literal parts (escaped when printed) and interpolations.
    Str(Vec<StrPart>),
    /// A path literal such as `./a.nix` or `../secrets/${x}.yaml`.
    Path(Vec<PathPart>),
    /// A variable.
    Var(String),
    /// `subject.a.b` or `subject.a.b or default`.
    Select(Box<Expr>, Vec<Key>, Option<Box<Expr>>),
    /// `subject ? a.b`
    HasAttr(Box<Expr>, Vec<Key>),
    /// Function application `f a b`.
    Apply(Box<Expr>, Vec<Expr>),
    /// `-e` or `!e`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A list; `vertical` forces one item per line.
    List {
        /// The items.
        items: Vec<Expr>,
        /// One item per line even when short.
        vertical: bool,
    },
    /// An attribute set.
    Attrs(Vec<Binding>),
    /// A recursive attribute set `rec { … }`.
    RecAttrs(Vec<Binding>),
    /// A function: `x: body` or `{a, b ? d, ...}: body`.
    Lambda(Param, Box<Expr>),
    /// `let bindings in body`.
    Let(Vec<Binding>, Box<Expr>),
    /// `with scope; body`.
    With(Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `assert c; body`.
    Assert(Box<Expr>, Box<Expr>),
}

/// A part of a string literal.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text, escaped when printed.
    Lit(String),
    /// `${expr}`.
    Interp(Expr),
}

/// A part of a path literal.
#[derive(Clone, Debug, PartialEq)]
pub enum PathPart {
    /// Literal path text (`./a/`); printed as a path literal only when it is one.
    Lit(String),
    /// `${expr}`.
    Interp(Expr),
}

/// An attribute name in a selection, a `?` test or a binding.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// A static name, quoted when it is not an identifier.
    Name(String),
    /// A dynamic name `${expr}`.
    Interp(Expr),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-e`
    Neg,
    /// `!e`
    Not,
}

/// Binary operators, with the precedence and associativity Nix gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `++`
    Concat,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `//`
    Update,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `->`
    Implies,
}

/// How a binary operator groups with itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Assoc {
    Left,
    Right,
    None,
}

impl BinaryOp {
    /// The operator's text.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Concat => "++",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Update => "//",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::Implies => "->",
        }
    }

    /// Precedence level (smaller binds tighter) and associativity, from the Nix manual.
    pub(super) fn level(self) -> (u8, Assoc) {
        match self {
            BinaryOp::Concat => (5, Assoc::Right),
            BinaryOp::Mul | BinaryOp::Div => (6, Assoc::Left),
            BinaryOp::Add | BinaryOp::Sub => (7, Assoc::Left),
            BinaryOp::Update => (9, Assoc::Right),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => (10, Assoc::None),
            BinaryOp::Eq | BinaryOp::Ne => (11, Assoc::None),
            BinaryOp::And => (12, Assoc::Left),
            BinaryOp::Or => (13, Assoc::Left),
            BinaryOp::Implies => (14, Assoc::Right),
        }
    }
}

/// A function's parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// `x: …`
    Ident(String),
    /// `{a, b ? d, ...}: …`, optionally bound whole with `name @`.
    Formals(Formals),
}

/// A function's formals: `{a, b ? default, ...}`, optionally bound whole with `name @`.
#[derive(Clone, Debug, PartialEq)]
pub struct Formals {
    /// The name bound to the whole argument set (`inputs @ {...}`).
    pub at: Option<String>,
    /// The named arguments with their defaults.
    pub names: Vec<(String, Option<Expr>)>,
    /// Whether other arguments are accepted (`...`).
    pub ellipsis: bool,
}

/// One binding of an attribute set or `let`.
#[derive(Clone, Debug, PartialEq)]
pub enum Binding {
    /// `a.b."c.d" = value;` with the path's names unescaped.
    Attr(Vec<String>, Expr),
    /// A binding whose path has a dynamic name: `a.${b} = value;`.
    Keyed(Vec<Key>, Expr),
    /// `inherit a b;`
    Inherit(Vec<String>),
    /// `inherit (from) a b;`
    InheritFrom(Expr, Vec<String>),
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
    /// A variable.
    pub fn var(name: impl Into<String>) -> Self {
        Expr::Var(name.into())
    }

    /// A selection written by the generator as a dotted path of names: `lib.types.str` is the
    /// variable `lib` with the names `types` and `str` selected. Names are split at dots only.
    pub fn dotted(path: &str) -> Self {
        let mut names = path.split('.');
        let head = Expr::Var(names.next().unwrap_or_default().to_owned());
        let keys: Vec<Key> = names.map(|n| Key::Name(n.to_owned())).collect();
        if keys.is_empty() {
            head
        } else {
            Expr::Select(Box::new(head), keys, None)
        }
    }

    /// `subject.names…`
    pub fn select<S: Into<String>>(subject: Expr, names: impl IntoIterator<Item = S>) -> Self {
        Expr::Select(Box::new(subject), names.into_iter().map(|n| Key::Name(n.into())).collect(), None)
    }

    /// A path literal from text the generator computed (`./a.nix`, `../modules/x.nix`).
    pub fn path(text: impl Into<String>) -> Self {
        Expr::Path(vec![PathPart::Lit(text.into())])
    }

    /// A string literal.
    pub fn str(text: impl Into<String>) -> Self {
        Expr::Str(vec![StrPart::Lit(text.into())])
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

    /// `f arg1 arg2 …` where `f` is a dotted path of names (see [`Expr::dotted`]).
    pub fn apply(f: &str, args: impl IntoIterator<Item = Expr>) -> Self {
        Expr::Apply(Box::new(Expr::dotted(f)), args.into_iter().collect())
    }

    /// `a op b`.
    pub fn binary(op: BinaryOp, a: Expr, b: Expr) -> Self {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// `{formals, ...}: body`
    pub fn lambda<S: Into<String>>(formals: impl IntoIterator<Item = S>, body: Expr) -> Self {
        let names = formals.into_iter().map(|n| (n.into(), None)).collect();
        Expr::Lambda(Param::Formals(Formals { at: None, names, ellipsis: true }), Box::new(body))
    }

    /// `at @ {formals, ...}: body`
    pub fn lambda_at<S: Into<String>>(at: &str, formals: impl IntoIterator<Item = S>, body: Expr) -> Self {
        let names = formals.into_iter().map(|n| (n.into(), None)).collect();
        Expr::Lambda(Param::Formals(Formals { at: Some(at.to_owned()), names, ellipsis: true }), Box::new(body))
    }

    /// `a: b: body` for plain arguments.
    pub fn curried<S: Into<String>>(args: impl IntoIterator<Item = S>, body: Expr) -> Self {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        args.into_iter().rev().fold(body, |body, a| Expr::Lambda(Param::Ident(a), Box::new(body)))
    }

    /// `let bindings in body`.
    pub fn let_in(bindings: Vec<Binding>, body: Expr) -> Self {
        Expr::Let(bindings, Box::new(body))
    }

    /// The string's text when it is a string without interpolation.
    pub fn as_plain_str(&self) -> Option<&str> {
        match self {
            Expr::Str(parts) => match parts.as_slice() {
                [] => Some(""),
                [StrPart::Lit(s)] => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::str(s)
    }
}

impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}
