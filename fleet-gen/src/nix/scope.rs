//! Free variables of an expression: what a module must receive as arguments, and what no
//! module receives.

use super::expr::{Binding, Expr, Key, Param, PathPart, StrPart};
use std::collections::BTreeSet;

/// Arguments the module system passes every NixOS and nix-darwin module of the repository
/// (`inputs` through `specialArgs`).
pub const SYSTEM_ARGS: &[&str] = &["config", "inputs", "lib", "modulesPath", "options", "pkgs"];
/// Arguments home-manager passes a home module (`osConfig`: the system's configuration).
pub const HOME_ARGS: &[&str] = &["config", "inputs", "lib", "modulesPath", "options", "osConfig", "pkgs"];

/// Arguments standalone home-manager passes a home module: no system, so no `osConfig`.
pub const STANDALONE_HOME_ARGS: &[&str] = &["config", "inputs", "lib", "modulesPath", "options", "pkgs"];

/// Names Nix defines in every scope.
const BUILTINS: [&str; 21] = [
    "true",
    "false",
    "null",
    "builtins",
    "import",
    "abort",
    "throw",
    "toString",
    "map",
    "isNull",
    "removeAttrs",
    "baseNameOf",
    "dirOf",
    "derivation",
    "placeholder",
    "fetchGit",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "scopedImport",
    "fetchMercurial",
];

/// Whether `name` is defined by Nix itself.
pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name) || name.starts_with("__")
}

/// The variables an expression uses without binding them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FreeVars {
    /// Used outside any `with`: they must come from the enclosing scope.
    pub outside_with: BTreeSet<String>,
    /// Used only inside a `with`: they may come from its scope.
    pub inside_with: BTreeSet<String>,
}

impl FreeVars {
    /// Every free name, inside a `with` or not.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.outside_with.iter().chain(self.inside_with.iter())
    }
}

/// The free variables of `e`, builtins excluded.
pub fn free_variables(e: &Expr) -> FreeVars {
    let mut walk = Walk { bound: Vec::new(), with_depth: 0, out: FreeVars::default() };
    walk.expr(e);
    walk.out.inside_with.retain(|n| !walk.out.outside_with.contains(n));
    walk.out
}

struct Walk {
    bound: Vec<String>,
    with_depth: usize,
    out: FreeVars,
}

impl Walk {
    fn use_name(&mut self, name: &str) {
        if self.bound.iter().any(|b| b == name) || is_builtin(name) {
            return;
        }
        if self.with_depth == 0 {
            self.out.outside_with.insert(name.to_owned());
        } else {
            self.out.inside_with.insert(name.to_owned());
        }
    }

    fn scoped(&mut self, names: Vec<String>, f: impl FnOnce(&mut Self)) {
        let before = self.bound.len();
        self.bound.extend(names);
        f(self);
        self.bound.truncate(before);
    }

    fn keys(&mut self, keys: &[Key]) {
        for k in keys {
            if let Key::Interp(e) = k {
                self.expr(e);
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) => {}
            Expr::Var(name) => self.use_name(name),
            Expr::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(e) = p {
                        self.expr(e);
                    }
                }
            }
            Expr::Path(parts) => {
                for p in parts {
                    if let PathPart::Interp(e) = p {
                        self.expr(e);
                    }
                }
            }
            Expr::Select(subject, keys, default) => {
                self.expr(subject);
                self.keys(keys);
                if let Some(d) = default {
                    self.expr(d);
                }
            }
            Expr::HasAttr(subject, keys) => {
                self.expr(subject);
                self.keys(keys);
            }
            Expr::Apply(f, args) => {
                self.expr(f);
                args.iter().for_each(|a| self.expr(a));
            }
            Expr::Unary(_, e) => self.expr(e),
            Expr::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::List { items, .. } => items.iter().for_each(|i| self.expr(i)),
            Expr::Attrs(bindings) => self.bindings(bindings, self.bound.len()),
            Expr::RecAttrs(bindings) => {
                let outer = self.bound.len();
                let names = bound_names(bindings);
                self.scoped(names, |w| w.bindings(bindings, outer));
            }
            Expr::Let(bindings, body) => {
                let outer = self.bound.len();
                let names = bound_names(bindings);
                self.scoped(names, |w| {
                    w.bindings(bindings, outer);
                    w.expr(body);
                });
            }
            Expr::Lambda(param, body) => {
                let names = match param {
                    Param::Ident(x) => vec![x.clone()],
                    Param::Formals(f) => f.names.iter().map(|(n, _)| n.clone()).chain(f.at.clone()).collect(),
                };
                self.scoped(names, |w| {
                    if let Param::Formals(f) = param {
                        for d in f.names.iter().filter_map(|(_, d)| d.as_ref()) {
                            w.expr(d);
                        }
                    }
                    w.expr(body);
                });
            }
            Expr::With(scope, body) => {
                self.expr(scope);
                self.with_depth += 1;
                self.expr(body);
                self.with_depth -= 1;
            }
            Expr::If(c, a, b) => {
                self.expr(c);
                self.expr(a);
                self.expr(b);
            }
            Expr::Assert(c, body) => {
                self.expr(c);
                self.expr(body);
            }
        }
    }

    /// Values and dynamic names of bindings, in the current scope; `inherit x;` reads `x` from
    /// the scope outside the set (the first `outer` bound names).
    fn bindings(&mut self, bindings: &[Binding], outer: usize) {
        for b in bindings {
            match b {
                Binding::Attr(_, v) => self.expr(v),
                Binding::Keyed(keys, v) => {
                    self.keys(keys);
                    self.expr(v);
                }
                Binding::Inherit(names) => {
                    let inner = self.bound.split_off(outer);
                    names.iter().for_each(|n| self.use_name(n));
                    self.bound.extend(inner);
                }
                Binding::InheritFrom(from, _) => self.expr(from),
            }
        }
    }
}

/// Names a `let` or `rec` set binds: the first name of each binding and inherited names.
fn bound_names(bindings: &[Binding]) -> Vec<String> {
    let mut out = Vec::new();
    for b in bindings {
        match b {
            Binding::Attr(path, _) => out.extend(path.first().cloned()),
            Binding::Keyed(keys, _) => {
                if let Some(Key::Name(n)) = keys.first() {
                    out.push(n.clone());
                }
            }
            Binding::Inherit(names) | Binding::InheritFrom(_, names) => out.extend(names.iter().cloned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nix::raw::parse;

    fn free(text: &str) -> (Vec<String>, Vec<String>) {
        let f = free_variables(&parse(text).unwrap());
        (f.outside_with.into_iter().collect(), f.inside_with.into_iter().collect())
    }

    #[test]
    fn bound_names_are_not_free() {
        assert_eq!(free("pkgs.hello"), (vec!["pkgs".into()], vec![]));
        assert_eq!(free("let x = 1; in x + y"), (vec!["y".into()], vec![]));
        assert_eq!(free("{a, b ? a, ...} @ args: a + b + c + args.d"), (vec!["c".into()], vec![]));
        assert_eq!(free("rec { a = b; b = 1; }"), (vec![], vec![]));
        assert_eq!(free("{ a = b; b = 1; }"), (vec!["b".into()], vec![]));
        assert_eq!(free("x: builtins.map (y: x + y) [1]"), (vec![], vec![]));
        assert_eq!(free("final: prev: { foo = prev.foo; }"), (vec![], vec![]));
        assert_eq!(free("\"${config.x}\""), (vec!["config".into()], vec![]));
        assert_eq!(free("let inherit x; in x"), (vec!["x".into()], vec![]));
        assert_eq!(free("let inherit (lib) mkIf; in mkIf"), (vec!["lib".into()], vec![]));
    }

    #[test]
    fn names_inside_with_may_come_from_its_scope() {
        assert_eq!(free("with pkgs; [git hello]"), (vec!["pkgs".into()], vec!["git".into(), "hello".into()]));
        assert_eq!(
            free("with lib; mkIf config.a pkgs.b"),
            (vec!["lib".into()], vec!["config".into(), "mkIf".into(), "pkgs".into()])
        );
    }
}
