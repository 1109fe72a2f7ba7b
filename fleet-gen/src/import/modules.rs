//! One NixOS / nix-darwin / home-manager module, read statically: its imports, and its
//! definitions flattened to option paths with their static values (or kept as written).

use super::eval::{Env, Eval, Loc, Source, Value};
use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Where a module comes from.
#[derive(Clone, Debug)]
pub enum ModuleRef {
    /// A file of the repository (a directory means its `default.nix`).
    File(PathBuf),
    /// A module of a flake input: `inputs.<input>.<path>`.
    Input(String, Vec<String>),
    /// A module written inline (in `flake.nix`'s `modules = [ … ]`), as a thunk.
    Inline(Value),
    /// Something the importer cannot follow, with where it is written and its text.
    Opaque(Loc, String),
}

/// One definition: an option path and its value.
#[derive(Clone, Debug)]
pub struct Def {
    /// The option path.
    pub path: Vec<String>,
    /// Its value, evaluated as far as statically possible.
    pub value: Value,
    /// Where it is written.
    pub loc: Loc,
    /// The value's source text.
    pub text: String,
    /// The value's syntax, for option declarations.
    pub expr: ast::Expr,
    /// The value's scope.
    pub env: Env,
    /// Its file.
    pub src: Rc<Source>,
}

/// Why a module is kept as written, whole.
#[derive(Clone, Debug)]
pub struct Verbatim {
    /// Where.
    pub loc: Loc,
    /// What the importer could not take apart.
    pub reason: String,
}

/// A module, read.
#[derive(Debug)]
pub struct ModuleInfo {
    /// Its source file (for an inline module: the file it is written in).
    pub src: Rc<Source>,
    /// The text of its function head (`{ config, lib, pkgs, ... }`), if it is a function.
    pub formals: Option<String>,
    /// The text of its `let` bindings, if any.
    pub let_text: Option<String>,
    /// Its imports.
    pub imports: Vec<ModuleRef>,
    /// The byte range of its `imports = …;` binding, removed when the file is kept whole.
    pub imports_range: Option<(usize, usize)>,
    /// Its definitions (empty when it is kept whole).
    pub defs: Vec<Def>,
    /// When set, the module is kept whole (minus its imports).
    pub verbatim: Option<Verbatim>,
    /// The text of the whole module expression (for inline modules).
    pub text: String,
}

/// Reads a module from its expression. `args` are extra module arguments known statically
/// (`inputs`).
pub fn read_module(
    ev: &Eval,
    expr: ast::Expr,
    env: &Env,
    src: &Rc<Source>,
    args: &HashMap<String, Value>,
) -> ModuleInfo {
    read_module_with(ev, expr, env, src, args, false)
}

/// [`read_module`], also taking option declarations (`options.<path>`) apart when
/// `declarations` is set (a generated `modules/options/*.nix`).
pub fn read_module_with(
    ev: &Eval,
    expr: ast::Expr,
    env: &Env,
    src: &Rc<Source>,
    args: &HashMap<String, Value>,
    declarations: bool,
) -> ModuleInfo {
    let mut info = ModuleInfo {
        src: Rc::clone(src),
        formals: None,
        let_text: None,
        imports: Vec::new(),
        imports_range: None,
        defs: Vec::new(),
        verbatim: None,
        text: expr.syntax().text().to_string(),
    };
    let mut expr = unparen(expr);
    let mut env = env.clone();
    if let ast::Expr::Lambda(l) = &expr {
        let mut names: HashMap<String, Value> = HashMap::new();
        match l.param() {
            Some(ast::Param::Pattern(p)) => {
                info.formals = Some(p.syntax().text().to_string());
                for entry in p.pat_entries() {
                    if let Some(t) = entry.ident().and_then(|i| i.ident_token()) {
                        let name = t.text().to_owned();
                        let v = match name.as_str() {
                            "config" => Value::Config(Vec::new()),
                            "lib" => Value::Lib(Vec::new()),
                            "pkgs" => Value::Pkg(Vec::new()),
                            other => args.get(other).cloned().unwrap_or(Value::Opaque(src.at(&entry))),
                        };
                        names.insert(name, v);
                    }
                }
                if let Some(t) = p.pat_bind().and_then(|b| b.ident()).and_then(|i| i.ident_token()) {
                    names.insert(t.text().to_owned(), Value::Opaque(src.at(&p)));
                }
            }
            _ => {
                info.verbatim =
                    Some(Verbatim { loc: src.at(l), reason: "a module function without `{ … }` arguments".into() });
                return info;
            }
        }
        env = env.with_names(names);
        match l.body() {
            Some(b) => expr = unparen(b),
            None => return info,
        }
    }
    if let ast::Expr::LetIn(l) = &expr {
        let (Some(let_tok), Some(in_tok)) = (l.let_token(), l.in_token()) else { return info };
        let start = usize::from(let_tok.text_range().end());
        let end = usize::from(in_tok.text_range().start());
        info.let_text = src.text.get(start..end).map(|s| s.trim().to_owned());
        let inner = env.with_names(HashMap::new());
        for entry in l.entries() {
            match entry {
                ast::Entry::AttrpathValue(kv) => {
                    let names: Option<Vec<ast::Attr>> = kv.attrpath().map(|p| p.attrs().collect());
                    match (names.as_deref(), kv.value()) {
                        (Some([ast::Attr::Ident(i)]), Some(v)) => {
                            if let Some(t) = i.ident_token() {
                                inner.fill(t.text().to_owned(), Eval::thunk(v, &inner, src));
                            }
                        }
                        _ => {
                            info.verbatim = Some(Verbatim {
                                loc: src.at(&kv),
                                reason: "a `let` binding with a nested name".into(),
                            });
                            return info;
                        }
                    }
                }
                ast::Entry::Inherit(inh) => {
                    info.verbatim =
                        Some(Verbatim { loc: src.at(&inh), reason: "`inherit` in a module's `let`".into() });
                    return info;
                }
            }
        }
        env = inner;
        match l.body() {
            Some(b) => expr = unparen(b),
            None => return info,
        }
    }
    let ast::Expr::AttrSet(set) = &expr else {
        let what = match &expr {
            ast::Expr::With(_) => "a module body under `with`",
            ast::Expr::Apply(_) => "a module body computed by a function (`lib.mkIf`, `lib.mkMerge`, …)",
            _ => "a module body that is not an attribute set",
        };
        info.verbatim = Some(Verbatim { loc: src.at(&expr), reason: what.into() });
        return info;
    };
    if set.rec_token().is_some() {
        info.verbatim = Some(Verbatim { loc: src.at(set), reason: "a `rec` module body".into() });
        return info;
    }
    let has_options = set.entries().any(|e| match e {
        ast::Entry::AttrpathValue(kv) => first_name(&kv).as_deref() == Some("options"),
        ast::Entry::Inherit(_) => false,
    });
    let mut walker = Walker { ev, src, env: &env, info: &mut info, has_options, declarations };
    walker.walk(set, &[]);
    info
}

fn first_name(kv: &ast::AttrpathValue) -> Option<String> {
    match kv.attrpath()?.attrs().next()? {
        ast::Attr::Ident(i) => i.ident_token().map(|t| t.text().to_owned()),
        _ => None,
    }
}

/// Strips parentheses.
pub fn unparen(mut e: ast::Expr) -> ast::Expr {
    while let ast::Expr::Paren(p) = &e {
        match p.expr() {
            Some(inner) => e = inner,
            None => break,
        }
    }
    e
}

struct Walker<'a> {
    ev: &'a Eval,
    src: &'a Rc<Source>,
    env: &'a Env,
    info: &'a mut ModuleInfo,
    has_options: bool,
    declarations: bool,
}

impl Walker<'_> {
    fn fail(&mut self, loc: Loc, reason: &str) {
        if self.info.verbatim.is_none() {
            self.info.verbatim = Some(Verbatim { loc, reason: reason.to_owned() });
        }
    }

    fn walk(&mut self, set: &ast::AttrSet, prefix: &[String]) {
        for entry in set.entries() {
            let kv = match entry {
                ast::Entry::AttrpathValue(kv) => kv,
                ast::Entry::Inherit(inh) => {
                    self.fail(self.src.at(&inh), "`inherit` in a module's definitions");
                    continue;
                }
            };
            let Some(attrpath) = kv.attrpath() else { continue };
            let mut path = prefix.to_vec();
            for attr in attrpath.attrs() {
                let name = match &attr {
                    ast::Attr::Ident(i) => i.ident_token().map(|t| t.text().to_owned()),
                    ast::Attr::Str(s) => self.ev.string(s, self.env, self.src),
                    ast::Attr::Dynamic(_) => None,
                };
                match name {
                    Some(n) => path.push(n),
                    None => {
                        self.fail(self.src.at(&attr), "an attribute name computed at evaluation time");
                        return;
                    }
                }
            }
            let Some(value) = kv.value() else { continue };
            if prefix.is_empty() && path.first().map(String::as_str) == Some("imports") && path.len() == 1 {
                let range = kv.syntax().text_range();
                self.info.imports_range = Some((usize::from(range.start()), usize::from(range.end())));
                self.imports(&value);
                continue;
            }
            if self.has_options && path.first().map(String::as_str) == Some("config") {
                path.remove(0);
                if path.is_empty() {
                    match unparen(value.clone()) {
                        ast::Expr::AttrSet(inner) if inner.rec_token().is_none() => self.walk(&inner, &[]),
                        _ => self.fail(self.src.at(&value), "a `config` that is not an attribute set"),
                    }
                    continue;
                }
            }
            if path.first().map(String::as_str) == Some("options") {
                let is_spec = path.get(1).map(String::as_str) == Some("hostSpec");
                if !is_spec && !self.declarations {
                    self.fail(self.src.at(&kv), "it declares options");
                    continue;
                }
            }
            match unparen(value.clone()) {
                // `{}` defines the attribute (an unmounted subvolume, say): it is a value.
                ast::Expr::AttrSet(inner)
                    if inner.rec_token().is_none() && !is_leaf_set(&path) && inner.entries().next().is_some() =>
                {
                    self.walk(&inner, &path);
                }
                _ => {
                    let thunk = Eval::thunk(value.clone(), self.env, self.src);
                    let v = self.ev.deep(&thunk);
                    self.info.defs.push(Def {
                        path,
                        value: v,
                        loc: self.src.at(&kv),
                        text: value.syntax().text().to_string(),
                        expr: value,
                        env: self.env.clone(),
                        src: Rc::clone(self.src),
                    });
                }
            }
        }
    }

    fn imports(&mut self, value: &ast::Expr) {
        let list = self.ev.force(&Eval::thunk(value.clone(), self.env, self.src));
        let Value::List(items) = list else {
            self.info.imports.push(ModuleRef::Opaque(self.src.at(value), value.syntax().text().to_string()));
            return;
        };
        for item in items {
            self.info.imports.push(module_ref(self.ev, &item));
        }
    }
}

/// Attribute sets that are values, not nested definitions: the importer keeps them whole.
fn is_leaf_set(path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    // A user's or a secret's attribute set is read as a whole by the importer.
    matches!(p.as_slice(), ["users", "users", _] | ["sops", "secrets", _] | ["home-manager", "users", _])
}

/// What a list item of `imports` / `modules` refers to.
pub fn module_ref(ev: &Eval, item: &Value) -> ModuleRef {
    if let Value::Lazy(t) = item {
        if matches!(unparen(t.expr().clone()), ast::Expr::AttrSet(_) | ast::Expr::Lambda(_)) {
            return ModuleRef::Inline(item.clone());
        }
    }
    match ev.force(item) {
        Value::Path(p) | Value::Import(p) => ModuleRef::File(p),
        Value::Input(input, path) => ModuleRef::Input(input, path),
        Value::Opaque(loc) => {
            let text = match item {
                Value::Lazy(t) => t.expr().syntax().text().to_string(),
                _ => String::new(),
            };
            ModuleRef::Opaque(loc, text)
        }
        other => ModuleRef::Opaque(Loc { file: "?".into(), line: 0 }, format!("{other:?}")),
    }
}
