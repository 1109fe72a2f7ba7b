//! A small, lazy, static evaluator of Nix syntax trees (rnix): enough to follow a flake's
//! `outputs` to its `nixosSystem` / `darwinSystem` calls through `let` bindings and local
//! builder functions, and to read the static values of module definitions.
//!
//! Nothing is evaluated that needs a store, a network or nixpkgs: references to `pkgs`, `lib`,
//! `config` and flake inputs become symbolic values, and anything else it cannot compute
//! becomes [`Value::Opaque`] with its place, so the importer keeps it as written.

use indexmap::IndexMap;
use rnix::ast::{self, AstToken, HasEntry, InterpolPart};
use rowan::ast::AstNode;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// A parsed Nix file.
#[derive(Debug)]
pub struct Source {
    /// Its absolute path.
    pub path: PathBuf,
    /// Its path relative to the imported repository (for messages).
    pub rel: String,
    /// Its text.
    pub text: String,
}

impl Source {
    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    /// `file:line` of a node.
    pub fn at<N: AstNode>(&self, node: &N) -> Loc {
        Loc { file: self.rel.clone(), line: self.line(usize::from(node.syntax().text_range().start())) }
    }
}

/// A place in the imported repository.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    /// The file, relative to the repository.
    pub file: String,
    /// The 1-based line.
    pub line: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// How a module definition is prioritised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prio {
    /// `lib.mkDefault`.
    Default,
    /// `lib.mkForce`.
    Force,
}

/// Which system builder a flake calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// `<input>.lib.nixosSystem`.
    Nixos,
    /// `<input>.lib.darwinSystem`.
    Darwin,
}

/// A value, as far as it can be known without evaluating Nix for real.
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string without context.
    Str(String),
    /// A path literal, resolved to an absolute path.
    Path(PathBuf),
    /// A list.
    List(Vec<Value>),
    /// An attribute set.
    Attrs(IndexMap<String, Value>),
    /// A function.
    Lambda(Rc<Closure>),
    /// A not yet evaluated expression.
    Lazy(Rc<Thunk>),
    /// `pkgs.<path>`.
    Pkg(Vec<String>),
    /// `lib.<path>` (also `<input>.lib.<path>` and `builtins.<path>`).
    Lib(Vec<String>),
    /// A flake input, or something inside it: `inputs.sops-nix.nixosModules.sops`.
    Input(String, Vec<String>),
    /// `config.<path>`.
    Config(Vec<String>),
    /// `import <path>`.
    Import(PathBuf),
    /// A system builder (`nixosSystem`), with the input it comes from.
    Builder(Builder, String),
    /// A call of a system builder: a host.
    System(Builder, String, Box<Value>, Loc),
    /// `lib.mkDefault v` / `lib.mkForce v`.
    Prio(Prio, Box<Value>),
    /// Something that cannot be known statically, with where it is written.
    Opaque(Loc),
    /// A Nix expression kept as text (`raw_nix`): what a generated file computes.
    Raw(String),
    /// A file of a flake input: `inputs.<input> + "/<path>"`.
    InputFile(String, String),
}

/// A lazily evaluated expression with its scope.
#[derive(Debug)]
pub struct Thunk {
    expr: ast::Expr,
    env: Env,
    src: Rc<Source>,
    value: RefCell<Option<Value>>,
    /// Being evaluated: met again, the value refers to itself (`let a = a;`).
    busy: Cell<bool>,
}

impl Thunk {
    /// The expression.
    pub fn expr(&self) -> &ast::Expr {
        &self.expr
    }

    /// Its scope.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Its file.
    pub fn src(&self) -> &Rc<Source> {
        &self.src
    }
}

/// A function value.
#[derive(Debug)]
pub struct Closure {
    lambda: ast::Lambda,
    env: Env,
    src: Rc<Source>,
}

/// One frame of a scope.
#[derive(Debug)]
enum Frame {
    Names(RefCell<HashMap<String, Value>>),
    With(Value),
}

/// A lexical scope: frames, innermost first.
#[derive(Clone, Debug, Default)]
pub struct Env(Option<Rc<(Frame, Env)>>);

impl Env {
    /// A scope with `names` on top of this one.
    pub fn with_names(&self, names: HashMap<String, Value>) -> Env {
        Env(Some(Rc::new((Frame::Names(RefCell::new(names)), self.clone()))))
    }

    fn with_scope(&self, ns: Value) -> Env {
        Env(Some(Rc::new((Frame::With(ns), self.clone()))))
    }

    fn lookup(&self, name: &str) -> Option<Value> {
        let mut withs = Vec::new();
        let mut cur = self;
        while let Some(node) = &cur.0 {
            match &node.0 {
                Frame::Names(map) => {
                    if let Some(v) = map.borrow().get(name) {
                        return Some(v.clone());
                    }
                }
                Frame::With(ns) => withs.push(ns.clone()),
            }
            cur = &node.1;
        }
        // `with` scopes only after every lexical binding, innermost first.
        withs.into_iter().find_map(|ns| select_name(ns, name))
    }

    /// Adds a binding to the innermost frame (for recursive `let` and `rec`).
    pub fn fill(&self, name: String, value: Value) {
        if let Some(node) = &self.0 {
            if let Frame::Names(map) = &node.0 {
                map.borrow_mut().insert(name, value);
            }
        }
    }
}

fn select_name(ns: Value, name: &str) -> Option<Value> {
    match ns {
        Value::Pkg(mut p) => {
            p.push(name.to_owned());
            Some(Value::Pkg(p))
        }
        Value::Lib(mut p) => {
            p.push(name.to_owned());
            Some(Value::Lib(p))
        }
        Value::Attrs(map) => map.get(name).cloned(),
        _ => None,
    }
}

/// The evaluator: forces thunks with a depth limit.
#[derive(Debug, Default)]
pub struct Eval {
    depth: Cell<usize>,
}

/// Deepest nesting of forcing before a value is given up as opaque.
const MAX_DEPTH: usize = 200;

impl Eval {
    /// A thunk of `expr` in `env`.
    pub fn thunk(expr: ast::Expr, env: &Env, src: &Rc<Source>) -> Value {
        Value::Lazy(Rc::new(Thunk {
            expr,
            env: env.clone(),
            src: Rc::clone(src),
            value: RefCell::new(None),
            busy: Cell::new(false),
        }))
    }

    /// Evaluates `v` to weak head normal form (no outer [`Value::Lazy`]).
    pub fn force(&self, v: &Value) -> Value {
        let mut v = v.clone();
        while let Value::Lazy(t) = v.clone() {
            let done = t.value.borrow().clone();
            if let Some(done) = done {
                v = done;
                continue;
            }
            if self.depth.get() > MAX_DEPTH || t.busy.get() {
                return Value::Opaque(t.src.at(&t.expr));
            }
            t.busy.set(true);
            self.depth.set(self.depth.get() + 1);
            let out = self.expr(&t.expr, &t.env, &t.src);
            self.depth.set(self.depth.get() - 1);
            t.busy.set(false);
            // A thunk whose value is itself (`a = a`) evaluates to nothing known.
            let out = match out {
                Value::Lazy(inner) if Rc::ptr_eq(&inner, &t) => Value::Opaque(t.src.at(&t.expr)),
                other => other,
            };
            *t.value.borrow_mut() = Some(out.clone());
            v = out;
        }
        v
    }

    /// Evaluates `v` completely (lists and attribute sets included).
    pub fn deep(&self, v: &Value) -> Value {
        match self.force(v) {
            Value::List(items) => Value::List(items.iter().map(|i| self.deep(i)).collect()),
            Value::Attrs(map) => Value::Attrs(map.iter().map(|(k, v)| (k.clone(), self.deep(v))).collect()),
            Value::Prio(p, v) => Value::Prio(p, Box::new(self.deep(&v))),
            other => other,
        }
    }

    /// Evaluates an expression in a scope.
    pub fn expr(&self, e: &ast::Expr, env: &Env, src: &Rc<Source>) -> Value {
        let opaque = || Value::Opaque(src.at(e));
        match e {
            ast::Expr::Paren(p) => p.expr().map_or_else(opaque, |x| self.expr(&x, env, src)),
            ast::Expr::Root(r) => r.expr().map_or_else(opaque, |x| self.expr(&x, env, src)),
            ast::Expr::Literal(l) => match l.kind() {
                ast::LiteralKind::Integer(i) => i.value().map(Value::Int).unwrap_or_else(|_| opaque()),
                ast::LiteralKind::Float(f) => f.value().map(Value::Float).unwrap_or_else(|_| opaque()),
                ast::LiteralKind::Uri(u) => Value::Str(u.syntax().text().to_owned()),
            },
            ast::Expr::Ident(i) => {
                let name = i.ident_token().map(|t| t.text().to_owned()).unwrap_or_default();
                match name.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => match env.lookup(&name) {
                        Some(v) => v,
                        None if name == "builtins" => Value::Lib(vec!["builtins".into()]),
                        None if name == "import" => Value::Lib(vec!["import".into()]),
                        None if matches!(name.as_str(), "map" | "toString" | "baseNameOf") => {
                            Value::Lib(vec!["builtins".into(), name])
                        }
                        None => opaque(),
                    },
                }
            }
            ast::Expr::Str(s) => self.string(s, env, src).map_or_else(opaque, Value::Str),
            ast::Expr::Path(p) => {
                let mut text = String::new();
                for part in p.parts() {
                    match part {
                        InterpolPart::Literal(lit) => text.push_str(lit.syntax().text()),
                        InterpolPart::Interpolation(i) => {
                            let v = i.expr().map(|x| self.force(&self.expr(&x, env, src)));
                            match v {
                                Some(Value::Str(s)) => text.push_str(&s),
                                _ => return opaque(),
                            }
                        }
                    }
                }
                resolve_path(&src.path, &text).map_or_else(opaque, Value::Path)
            }
            ast::Expr::List(l) => Value::List(l.items().map(|i| Eval::thunk(i, env, src)).collect()),
            ast::Expr::AttrSet(a) => {
                if a.rec_token().is_some() {
                    let inner = env.with_names(HashMap::new());
                    let map = self.entries(a, &inner, env, src);
                    match map {
                        Some(map) => {
                            for (k, v) in &map {
                                inner.fill(k.clone(), v.clone());
                            }
                            Value::Attrs(map)
                        }
                        None => opaque(),
                    }
                } else {
                    self.entries(a, env, env, src).map_or_else(opaque, Value::Attrs)
                }
            }
            ast::Expr::LetIn(l) => {
                let inner = env.with_names(HashMap::new());
                let Some(map) = self.entries(l, &inner, &inner, src) else { return opaque() };
                for (k, v) in map {
                    inner.fill(k, v);
                }
                l.body().map_or_else(opaque, |b| self.expr(&b, &inner, src))
            }
            ast::Expr::With(w) => {
                let (Some(ns), Some(body)) = (w.namespace(), w.body()) else { return opaque() };
                let ns = self.force(&self.expr(&ns, env, src));
                self.expr(&body, &env.with_scope(ns), src)
            }
            ast::Expr::Lambda(l) => {
                Value::Lambda(Rc::new(Closure { lambda: l.clone(), env: env.clone(), src: Rc::clone(src) }))
            }
            ast::Expr::Select(s) => {
                let (Some(subject), Some(path)) = (s.expr(), s.attrpath()) else { return opaque() };
                let mut v = self.expr(&subject, env, src);
                for attr in path.attrs() {
                    let Some(name) = self.attr_name(&attr, env, src) else { return opaque() };
                    v = match self.select(&v, &name) {
                        Some(next) => next,
                        None => {
                            return s.default_expr().map_or_else(opaque, |d| self.expr(&d, env, src));
                        }
                    };
                }
                v
            }
            ast::Expr::Apply(a) => {
                let (Some(f), Some(arg)) = (a.lambda(), a.argument()) else { return opaque() };
                let f = self.force(&self.expr(&f, env, src));
                let arg = Eval::thunk(arg, env, src);
                self.apply(&f, arg, src.at(e))
            }
            ast::Expr::BinOp(b) => {
                let (Some(l), Some(r), Some(op)) = (b.lhs(), b.rhs(), b.operator()) else { return opaque() };
                let l = self.force(&self.expr(&l, env, src));
                let r = self.force(&self.expr(&r, env, src));
                match (op, l, r) {
                    (ast::BinOpKind::Update, Value::Attrs(mut a), Value::Attrs(b)) => {
                        a.extend(b);
                        Value::Attrs(a)
                    }
                    (ast::BinOpKind::Concat, Value::List(mut a), Value::List(b)) => {
                        a.extend(b);
                        Value::List(a)
                    }
                    (ast::BinOpKind::Add, Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
                    (ast::BinOpKind::Add, Value::Input(input, p), Value::Str(b))
                        if p.is_empty() && b.starts_with('/') =>
                    {
                        Value::InputFile(input, b[1..].to_owned())
                    }
                    (ast::BinOpKind::Add, Value::Path(a), Value::Str(b)) => {
                        resolve_path(&a.join("x"), &format!("./{}", b.trim_start_matches('/')))
                            .map_or_else(opaque, Value::Path)
                    }
                    (ast::BinOpKind::Equal, Value::Str(a), Value::Str(b)) => Value::Bool(a == b),
                    (ast::BinOpKind::NotEqual, Value::Str(a), Value::Str(b)) => Value::Bool(a != b),
                    _ => opaque(),
                }
            }
            ast::Expr::UnaryOp(u) => {
                let Some(inner) = u.expr() else { return opaque() };
                match (u.operator(), self.force(&self.expr(&inner, env, src))) {
                    (Some(ast::UnaryOpKind::Negate), Value::Int(i)) => i.checked_neg().map_or_else(opaque, Value::Int),
                    (Some(ast::UnaryOpKind::Negate), Value::Float(f)) => Value::Float(-f),
                    (Some(ast::UnaryOpKind::Invert), Value::Bool(b)) => Value::Bool(!b),
                    _ => opaque(),
                }
            }
            ast::Expr::IfElse(i) => {
                let (Some(c), Some(t), Some(f)) = (i.condition(), i.body(), i.else_body()) else { return opaque() };
                match self.force(&self.expr(&c, env, src)) {
                    Value::Bool(true) => self.expr(&t, env, src),
                    Value::Bool(false) => self.expr(&f, env, src),
                    _ => opaque(),
                }
            }
            _ => opaque(),
        }
    }

    /// The static text of a string, when every interpolation is a static string.
    pub fn string(&self, s: &ast::Str, env: &Env, src: &Rc<Source>) -> Option<String> {
        let mut out = String::new();
        for part in s.normalized_parts() {
            match part {
                InterpolPart::Literal(text) => out.push_str(&text),
                InterpolPart::Interpolation(i) => match self.force(&self.expr(&i.expr()?, env, src)) {
                    Value::Str(s) => out.push_str(&s),
                    Value::Int(n) => out.push_str(&n.to_string()),
                    _ => return None,
                },
            }
        }
        Some(out)
    }

    /// The name of one attribute of an attribute path.
    pub fn attr_name(&self, attr: &ast::Attr, env: &Env, src: &Rc<Source>) -> Option<String> {
        match attr {
            ast::Attr::Ident(i) => i.ident_token().map(|t| t.text().to_owned()),
            ast::Attr::Str(s) => self.string(s, env, src),
            ast::Attr::Dynamic(d) => match self.force(&self.expr(&d.expr()?, env, src)) {
                Value::Str(s) => Some(s),
                _ => None,
            },
        }
    }

    /// The bindings of an attribute set or `let`: values are thunks in `scope`, `inherit`s are
    /// looked up in `outer`. `None` when a name is not static.
    fn entries(
        &self,
        node: &impl HasEntry,
        scope: &Env,
        outer: &Env,
        src: &Rc<Source>,
    ) -> Option<IndexMap<String, Value>> {
        let mut map: IndexMap<String, Value> = IndexMap::new();
        for entry in node.entries() {
            match entry {
                ast::Entry::AttrpathValue(kv) => {
                    let names: Option<Vec<String>> =
                        kv.attrpath()?.attrs().map(|a| self.attr_name(&a, outer, src)).collect();
                    let names = names?;
                    let value = Eval::thunk(kv.value()?, scope, src);
                    insert_path(self, &mut map, &names, value);
                }
                ast::Entry::Inherit(inh) => {
                    let from = inh.from().and_then(|f| f.expr()).map(|e| Eval::thunk(e, outer, src));
                    for attr in inh.attrs() {
                        let name = self.attr_name(&attr, outer, src)?;
                        let v = match &from {
                            Some(from) => self.select(from, &name).unwrap_or(Value::Opaque(src.at(&attr))),
                            None => outer.lookup(&name).unwrap_or(Value::Opaque(src.at(&attr))),
                        };
                        map.insert(name, v);
                    }
                }
            }
        }
        Some(map)
    }

    /// `v.name`, when it is known to exist.
    pub fn select(&self, v: &Value, name: &str) -> Option<Value> {
        match self.force(v) {
            ns @ (Value::Attrs(_) | Value::Pkg(_) | Value::Lib(_)) => select_name(ns, name),
            Value::Config(mut p) => {
                p.push(name.to_owned());
                Some(Value::Config(p))
            }
            Value::Input(input, mut p) => {
                p.push(name.to_owned());
                let builder = match p.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    ["lib", "nixosSystem"] => Some(Builder::Nixos),
                    ["lib", "darwinSystem"] => Some(Builder::Darwin),
                    _ => None,
                };
                Some(match builder {
                    Some(b) => Value::Builder(b, input),
                    None if p.len() >= 2 && p[0] == "lib" && input.starts_with("nixpkgs") => {
                        Value::Lib(p[1..].to_vec())
                    }
                    None => Value::Input(input, p),
                })
            }
            Value::Opaque(loc) => Some(Value::Opaque(loc)),
            _ => None,
        }
    }

    /// Applies a function value to an argument.
    pub fn apply(&self, f: &Value, arg: Value, at: Loc) -> Value {
        match f {
            Value::Lambda(c) => self.call(c, arg, at),
            Value::Input(_, p) if p.len() == 2 && p[0] == "lib" && p[1] == "mkFlake" => {
                Value::Lib(vec!["mkFlake'".into()])
            }
            Value::Input(input, p) if p.len() == 2 && p[0] == "lib" && p[1] == "homeManagerConfiguration" => {
                let fields = [("__home".to_owned(), arg), ("__input".to_owned(), Value::Str(input.clone()))];
                Value::Attrs(fields.into_iter().collect())
            }
            Value::Builder(b, input) => Value::System(*b, input.clone(), Box::new(arg), at),
            Value::Lib(path) => {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                match path.as_slice() {
                    ["mkFlake'"] => Value::Attrs(std::iter::once(("__flakeParts".to_owned(), arg)).collect()),
                    ["mkDefault"] => Value::Prio(Prio::Default, Box::new(arg)),
                    ["mkForce"] => Value::Prio(Prio::Force, Box::new(arg)),
                    ["import"] | ["builtins", "import"] => match self.force(&arg) {
                        Value::Path(p) => Value::Import(p),
                        _ => Value::Opaque(at),
                    },
                    ["genAttrs"] | ["attrsets", "genAttrs"] => {
                        // Curried: remember the names, wait for the function.
                        match self.force(&arg) {
                            Value::List(items) => {
                                let names: Option<Vec<String>> = items
                                    .iter()
                                    .map(|i| match self.force(i) {
                                        Value::Str(s) => Some(s),
                                        _ => None,
                                    })
                                    .collect();
                                match names {
                                    Some(names) => {
                                        Value::Lib(std::iter::once("genAttrs'".to_owned()).chain(names).collect())
                                    }
                                    None => Value::Opaque(at),
                                }
                            }
                            _ => Value::Opaque(at),
                        }
                    }
                    ["genAttrs'", names @ ..] => {
                        let f = self.force(&arg);
                        Value::Attrs(
                            names
                                .iter()
                                .map(|n| ((*n).to_owned(), self.apply(&f, Value::Str((*n).to_owned()), at.clone())))
                                .collect(),
                        )
                    }
                    _ => Value::Opaque(at),
                }
            }
            Value::Import(p) => match self.import_file(p) {
                Some(v) => {
                    let v = self.force(&v);
                    self.apply(&v, arg, at)
                }
                None => Value::Opaque(at),
            },
            _ => Value::Opaque(at),
        }
    }

    /// The value of a Nix file (for `import ./lib/mkhost.nix`), in an empty scope.
    pub fn import_file(&self, path: &Path) -> Option<Value> {
        let path = if path.is_dir() { path.join("default.nix") } else { path.to_owned() };
        let text = std::fs::read_to_string(&path).ok()?;
        let parsed = rnix::Root::parse(&text);
        if !parsed.errors().is_empty() {
            return None;
        }
        let expr = parsed.tree().expr()?;
        let rel = path.display().to_string();
        let src = Rc::new(Source { path, rel, text });
        Some(Eval::thunk(expr, &Env::default(), &src))
    }

    fn call(&self, c: &Closure, arg: Value, at: Loc) -> Value {
        // A function calling itself for ever (`let f = x: f x; in f 1`) is given up, not followed.
        if self.depth.get() > MAX_DEPTH {
            return Value::Opaque(at);
        }
        self.depth.set(self.depth.get() + 1);
        let out = self.call_inner(c, arg, at);
        self.depth.set(self.depth.get() - 1);
        out
    }

    fn call_inner(&self, c: &Closure, arg: Value, at: Loc) -> Value {
        let Some(param) = c.lambda.param() else { return Value::Opaque(at) };
        let Some(body) = c.lambda.body() else { return Value::Opaque(at) };
        let mut names = HashMap::new();
        match param {
            ast::Param::IdentParam(i) => {
                if let Some(t) = i.ident().and_then(|i| i.ident_token()) {
                    names.insert(t.text().to_owned(), arg);
                }
            }
            ast::Param::Pattern(p) => {
                let forced = self.force(&arg);
                if let Some(t) = p.pat_bind().and_then(|b| b.ident()).and_then(|i| i.ident_token()) {
                    names.insert(t.text().to_owned(), forced.clone());
                }
                let inner = c.env.with_names(HashMap::new());
                for entry in p.pat_entries() {
                    let Some(name) = entry.ident().and_then(|i| i.ident_token()).map(|t| t.text().to_owned()) else {
                        continue;
                    };
                    let given = self.select(&forced, &name).filter(|_| matches!(forced, Value::Attrs(_)));
                    let v = match (given, entry.default()) {
                        (Some(v), _) => v,
                        (None, Some(d)) => Eval::thunk(d, &inner, &c.src),
                        (None, None) => Value::Opaque(at.clone()),
                    };
                    names.insert(name, v);
                }
                for (k, v) in &names {
                    inner.fill(k.clone(), v.clone());
                }
                return self.expr(&body, &inner, &c.src);
            }
        }
        self.expr(&body, &c.env.with_names(names), &c.src)
    }
}

/// Inserts `value` at a nested attribute path, merging attribute sets written in parts
/// (`a.b = 1; a.c = 2;`).
fn insert_path(ev: &Eval, map: &mut IndexMap<String, Value>, names: &[String], value: Value) {
    let Some((first, rest)) = names.split_first() else { return };
    if rest.is_empty() {
        match (map.get(first).map(|v| ev.force(v)), ev.force(&value)) {
            (Some(Value::Attrs(mut old)), Value::Attrs(new)) => {
                old.extend(new);
                map.insert(first.clone(), Value::Attrs(old));
            }
            _ => {
                map.insert(first.clone(), value);
            }
        }
        return;
    }
    let mut inner = match map.get(first).map(|v| ev.force(v)) {
        Some(Value::Attrs(m)) => m,
        _ => IndexMap::new(),
    };
    insert_path(ev, &mut inner, rest, value);
    map.insert(first.clone(), Value::Attrs(inner));
}

/// Resolves a path literal written in `file`: `./x` and `../x` relative to its directory,
/// absolute paths as they are. Search paths (`<nixpkgs>`) and home paths are not resolved.
pub fn resolve_path(file: &Path, text: &str) -> Option<PathBuf> {
    if text.starts_with('<') || text.starts_with('~') {
        return None;
    }
    let joined = if text.starts_with('/') { PathBuf::from(text) } else { file.parent()?.join(text) };
    Some(normalize(&joined))
}

/// A path with `.` and `..` removed lexically (symbolic links are not followed).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether a value is fully known and printable as a `NixValue`.
pub fn is_static(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Str(_) | Value::Raw(_) | Value::InputFile(..) => true,
        Value::Float(f) => f.is_finite(),
        Value::Pkg(p) => !p.is_empty() && fleet_gen_package_ok(p),
        Value::List(items) => items.iter().all(is_static),
        Value::Attrs(m) => m.values().all(is_static),
        _ => false,
    }
}

fn fleet_gen_package_ok(p: &[String]) -> bool {
    crate::nix::raw::package(&p.join(".")).is_ok()
}
