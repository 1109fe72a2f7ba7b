//! `profiles/<name>.nix`: imports, defaults under `lib.mkDefault`, list contributions and plain
//! values.

use super::nix_file;
use crate::nix::scope::{free_variables, SYSTEM_ARGS};
use crate::nix::{Binding, Expr};
use crate::plan::typed_leaves;
use crate::plan::{option_set_file, Plan};
use crate::tree::Tree;
use fleet_dsl::{AttrPath, Config, NixValue, Priority, ProfileData};

pub(super) fn render(plan: &Plan<'_>, tree: &mut Tree) {
    for p in &plan.profiles {
        let mut imports: Vec<String> = p.imports.iter().map(|i| format!("./{}.nix", i.name)).collect();
        imports.extend(config_imports(plan, &p.config, "../"));
        let mut imports: Vec<Expr> = imports.into_iter().map(Expr::path).collect();
        for m in input_modules(&p.config) {
            if !imports.contains(&m) {
                imports.push(m);
            }
        }
        let mut bindings = Vec::new();
        if !imports.is_empty() {
            bindings.push(Binding::new("imports", Expr::vertical_list(imports)));
        }
        if !p.users.is_empty() {
            bindings.push(Binding::path(["fleet", "users"], Expr::strings(p.users.iter().map(|u| &u.name))));
        }
        bindings.extend(user_groups(p));
        bindings.extend(super::secrets::declarations(&p.secrets, "../"));
        bindings.extend(config_values(&p.config));
        let body = module(bindings, SYSTEM_ARGS);
        let text = nix_file(&plan.fleet.name, p.description.as_deref(), &body);
        tree.generated(format!("profiles/{}.nix", p.name), text);
    }
}

/// The groups a profile gives users: `users.users.<name>.extraGroups` per user, and for every
/// user of the host `lib.genAttrs config.fleet.users (_: {extraGroups = [..];})`, merged with
/// the per-user ones when there are both.
fn user_groups(p: &ProfileData) -> Option<Binding> {
    let per_user: Vec<Binding> = p
        .user_groups
        .iter()
        .map(|(user, groups)| Binding::path([user.as_str(), "extraGroups"], Expr::strings(groups)))
        .collect();
    let value = if p.groups_for_users.is_empty() {
        if per_user.is_empty() {
            return None;
        }
        Expr::Attrs(per_user)
    } else {
        let each =
            Expr::curried(["_"], Expr::Attrs(vec![Binding::new("extraGroups", Expr::strings(&p.groups_for_users))]));
        let all = Expr::apply("lib.genAttrs", [Expr::dotted("config.fleet.users"), each]);
        if per_user.is_empty() {
            all
        } else {
            Expr::apply("lib.mkMerge", [Expr::list([all, Expr::Attrs(per_user)])])
        }
    };
    Some(Binding::path(["users", "users"], value))
}

/// Import paths of a config's hand-written modules and typed option declarations, relative to
/// the importing file (`prefix` leads from it to the repository root).
pub(super) fn config_imports(plan: &Plan<'_>, config: &Config, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in &config.modules {
        if let Some(file) = plan.modules.iter().find(|f| f.path == m.path) {
            push_unique(&mut out, format!("{prefix}{}", file.import));
        }
    }
    for t in &config.typed {
        let segments: Vec<&str> = t.path.split('.').collect();
        push_unique(&mut out, format!("{prefix}{}", option_set_file(&segments)));
    }
    out
}

/// The modules of extra inputs a config imports: `inputs.<input>.<path>`.
pub(super) fn input_modules(config: &Config) -> Vec<Expr> {
    config
        .input_modules
        .iter()
        .map(|m| {
            let path = m.path.split('.').map(str::to_owned);
            Expr::select(Expr::var("inputs"), std::iter::once(m.input.name.clone()).chain(path))
        })
        .collect()
}

fn push_unique(out: &mut Vec<String>, item: String) {
    if !out.contains(&item) {
        out.push(item);
    }
}

/// Bindings for a config's untyped and typed values, each under its priority. Items that one
/// file adds to the same list more than once are joined into one list.
pub(super) fn config_values(config: &Config) -> Vec<Binding> {
    let mut out = Vec::new();
    let mut added: Vec<(Vec<String>, Vec<NixValue>)> = Vec::new();
    for s in &config.settings {
        let Ok(path) = AttrPath::parse(&s.path) else { continue };
        match (s.priority, &s.value) {
            (Priority::Add, NixValue::List(items)) => match added.iter_mut().find(|(p, _)| *p == path.0) {
                Some((_, list)) => list.extend(items.iter().cloned()),
                None => added.push((path.0, items.clone())),
            },
            _ => prioritised(&mut out, path.0, &s.value, s.priority),
        }
    }
    out.extend(added.into_iter().map(|(path, items)| Binding::Attr(path, Expr::from(NixValue::List(items)))));
    for t in &config.typed {
        for leaf in typed_leaves(t) {
            prioritised(&mut out, leaf.path, leaf.value, t.priority);
        }
    }
    out
}

/// `path = value;` at its priority; a default attribute set becomes one default per leaf, so
/// a host replaces one leaf without discarding the others.
fn prioritised(out: &mut Vec<Binding>, path: Vec<String>, value: &NixValue, priority: Priority) {
    match (priority, value) {
        (Priority::Default, NixValue::Attrs(map)) if !map.is_empty() => {
            for (name, inner) in map {
                let mut path = path.clone();
                path.push(name.clone());
                prioritised(out, path, inner, priority);
            }
        }
        (Priority::Default, _) => out.push(Binding::Attr(path, Expr::apply("lib.mkDefault", [Expr::from(value)]))),
        (Priority::Normal | Priority::Add, _) => out.push(Binding::Attr(path, Expr::from(value))),
    }
}

/// The attribute set as a module taking the arguments (of `available`) that its code uses.
pub(super) fn module(bindings: Vec<Binding>, available: &[&str]) -> Expr {
    let body = Expr::Attrs(bindings);
    let free = free_variables(&body);
    let formals: Vec<&str> = available.iter().copied().filter(|a| free.all().any(|f| f == a)).collect();
    if formals.is_empty() {
        body
    } else {
        Expr::lambda(formals, body)
    }
}
