//! `profiles/<name>.nix`: imports and values under `lib.mkDefault`.

use super::nix_file;
use crate::nix::{Binding, Expr};
use crate::tree::Tree;
use crate::validate::typed_leaves;
use crate::view::{option_set_file, View};
use fleet_dsl::{AttrPath, Config, NixValue, Priority};

pub(super) fn render(view: &View<'_>, tree: &mut Tree) {
    for p in &view.profiles {
        let mut imports: Vec<String> = p.imports.iter().map(|i| format!("./{}.nix", i.name)).collect();
        imports.extend(config_imports(view, &p.config, "../"));
        let mut bindings = Vec::new();
        if !imports.is_empty() {
            bindings.push(Binding::new("imports", Expr::vertical_list(imports.into_iter().map(Expr::Code))));
        }
        if !p.users.is_empty() {
            bindings.push(Binding::path(["fleet", "users"], Expr::strings(p.users.iter().map(|u| &u.name))));
        }
        bindings.extend(super::secrets::declarations(&p.secrets, "../"));
        bindings.extend(config_values(&p.config));
        let body = module(bindings);
        let text = nix_file(&view.fleet.name, p.description.as_deref(), &body);
        tree.generated(format!("profiles/{}.nix", p.name), text);
    }
}

/// Import paths of a config's hand-written modules and typed option declarations, relative to
/// the importing file (`prefix` leads from it to the repository root).
pub(super) fn config_imports(view: &View<'_>, config: &Config, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in &config.modules {
        if let Some(file) = view.modules.iter().find(|f| f.path == m.path) {
            push_unique(&mut out, format!("{prefix}{}", file.import));
        }
    }
    for t in &config.typed {
        let segments: Vec<&str> = t.path.split('.').collect();
        push_unique(&mut out, format!("{prefix}{}", option_set_file(&segments)));
    }
    out
}

fn push_unique(out: &mut Vec<String>, item: String) {
    if !out.contains(&item) {
        out.push(item);
    }
}

/// Bindings for a config's untyped and typed values, each under its priority.
pub(super) fn config_values(config: &Config) -> Vec<Binding> {
    let mut out = Vec::new();
    for s in &config.settings {
        if let Ok(path) = AttrPath::parse(&s.path) {
            out.push(Binding::Attr(path.0, prioritised(&s.value, s.priority)));
        }
    }
    for t in &config.typed {
        for leaf in typed_leaves(t) {
            out.push(Binding::Attr(leaf.path, prioritised(leaf.value, t.priority)));
        }
    }
    out
}

fn prioritised(value: &NixValue, priority: Priority) -> Expr {
    match priority {
        Priority::Default => Expr::apply("lib.mkDefault", [Expr::from(value)]),
        Priority::Normal => Expr::from(value),
    }
}

/// The attribute set as a module, taking `config`, `lib` and `pkgs` only when its code uses them.
/// (User raw Nix is code too, so a raw `pkgs.firefox` gets its argument.)
pub(super) fn module(bindings: Vec<Binding>) -> Expr {
    let body = Expr::Attrs(bindings);
    let formals: Vec<&str> = ["config", "inputs", "lib", "pkgs"].into_iter().filter(|f| body.mentions(f)).collect();
    if formals.is_empty() {
        body
    } else {
        Expr::lambda(formals, body)
    }
}
