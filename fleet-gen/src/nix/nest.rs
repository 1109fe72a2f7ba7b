//! Layout: sibling bindings that share a first name are nested into one attribute set, the way
//! a careful author writes them (`networking = { hostName = …; firewall.enable = …; };`), and a
//! set with a single binding collapses into a dotted path (`a.b.c = …;`).

use super::expr::{Binding, Expr, Key, Param, PathPart, StrPart};

impl Expr {
    /// The expression with the bindings of every (non-recursive) attribute set nested.
    pub fn nested(self) -> Expr {
        match self {
            Expr::Attrs(bindings) => Expr::Attrs(nest(bindings)),
            Expr::RecAttrs(bindings) => Expr::RecAttrs(bindings.into_iter().map(nested_binding).collect()),
            Expr::Let(bindings, body) => {
                Expr::Let(bindings.into_iter().map(nested_binding).collect(), Box::new(body.nested()))
            }
            Expr::List { items, vertical } => {
                Expr::List { items: items.into_iter().map(Expr::nested).collect(), vertical }
            }
            Expr::Apply(f, args) => Expr::Apply(Box::new(f.nested()), args.into_iter().map(Expr::nested).collect()),
            Expr::Lambda(param, body) => {
                let param = match param {
                    Param::Formals(mut f) => {
                        f.names = f.names.into_iter().map(|(n, d)| (n, d.map(Expr::nested))).collect();
                        Param::Formals(f)
                    }
                    p => p,
                };
                Expr::Lambda(param, Box::new(body.nested()))
            }
            Expr::Select(s, keys, d) => {
                Expr::Select(Box::new(s.nested()), nested_keys(keys), d.map(|d| Box::new(d.nested())))
            }
            Expr::HasAttr(s, keys) => Expr::HasAttr(Box::new(s.nested()), nested_keys(keys)),
            Expr::Unary(op, e) => Expr::Unary(op, Box::new(e.nested())),
            Expr::Binary(op, a, b) => Expr::Binary(op, Box::new(a.nested()), Box::new(b.nested())),
            Expr::With(a, b) => Expr::With(Box::new(a.nested()), Box::new(b.nested())),
            Expr::Assert(a, b) => Expr::Assert(Box::new(a.nested()), Box::new(b.nested())),
            Expr::If(c, a, b) => Expr::If(Box::new(c.nested()), Box::new(a.nested()), Box::new(b.nested())),
            Expr::Str(parts) => Expr::Str(
                parts
                    .into_iter()
                    .map(|p| match p {
                        StrPart::Interp(e) => StrPart::Interp(e.nested()),
                        lit => lit,
                    })
                    .collect(),
            ),
            Expr::Path(parts) => Expr::Path(
                parts
                    .into_iter()
                    .map(|p| match p {
                        PathPart::Interp(e) => PathPart::Interp(e.nested()),
                        lit => lit,
                    })
                    .collect(),
            ),
            e @ (Expr::Null | Expr::Bool(_) | Expr::Int(_) | Expr::Float(_) | Expr::Var(_)) => e,
        }
    }
}

fn nested_keys(keys: Vec<Key>) -> Vec<Key> {
    keys.into_iter()
        .map(|k| match k {
            Key::Interp(e) => Key::Interp(e.nested()),
            name => name,
        })
        .collect()
}

fn nested_binding(b: Binding) -> Binding {
    match b {
        Binding::Attr(path, v) => Binding::Attr(path, v.nested()),
        Binding::Keyed(keys, v) => Binding::Keyed(nested_keys(keys), v.nested()),
        Binding::InheritFrom(from, names) => Binding::InheritFrom(from.nested(), names),
        inherit @ Binding::Inherit(_) => inherit,
    }
}

/// `a = x.a; b = x.b;` as `inherit (x) a b;` (statix W04), in place of the first of them.
fn inherits(bindings: Vec<Binding>) -> Vec<Binding> {
    let mut out: Vec<Binding> = Vec::new();
    for b in bindings {
        let (name, from) = match b {
            Binding::Attr(path, Expr::Select(subject, mut keys, None))
                if path.len() == 1 && matches!(keys.last(), Some(Key::Name(last)) if *last == path[0]) =>
            {
                keys.pop();
                let from = if keys.is_empty() { *subject } else { Expr::Select(subject, keys, None) };
                (path.into_iter().next().unwrap_or_default(), from)
            }
            other => {
                out.push(other);
                continue;
            }
        };
        match out.iter_mut().find(|o| matches!(o, Binding::InheritFrom(f, _) if *f == from)) {
            Some(Binding::InheritFrom(_, names)) => names.push(name),
            _ => out.push(Binding::InheritFrom(from, vec![name])),
        }
    }
    out
}

/// A binding of a group: its full path and value.
type Member = (Vec<String>, Expr);

/// Groups the static bindings of one attribute set by their first name.
fn nest(bindings: Vec<Binding>) -> Vec<Binding> {
    let inherited: Vec<String> = bindings
        .iter()
        .flat_map(|b| match b {
            Binding::Inherit(names) | Binding::InheritFrom(_, names) => names.clone(),
            _ => Vec::new(),
        })
        .collect();
    // Groups in order of first appearance; other bindings keep their place.
    enum Slot {
        Group(String),
        Other(Binding),
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut groups: Vec<(String, Vec<Member>)> = Vec::new();
    for b in bindings {
        match b {
            Binding::Attr(path, value) if !path.is_empty() && !inherited.contains(&path[0]) => {
                let first = path[0].clone();
                match groups.iter_mut().find(|(k, _)| *k == first) {
                    Some((_, members)) => members.push((path, value)),
                    None => {
                        slots.push(Slot::Group(first.clone()));
                        groups.push((first, vec![(path, value)]));
                    }
                }
            }
            other => slots.push(Slot::Other(nested_binding(other))),
        }
    }
    let mut out = Vec::new();
    for slot in slots {
        match slot {
            Slot::Other(b) => out.push(b),
            Slot::Group(name) => {
                let Some(pos) = groups.iter().position(|(k, _)| *k == name) else { continue };
                let (_, members) = groups.swap_remove(pos);
                out.extend(merge_group(name, members));
            }
        }
    }
    inherits(out)
}

/// One group's bindings: merged into one set when every member can be (a deeper path, or a
/// plain attribute set), else left as they were.
fn merge_group(name: String, members: Vec<Member>) -> Vec<Binding> {
    let mergeable =
        members.len() > 1 && members.iter().all(|(path, value)| path.len() > 1 || matches!(value, Expr::Attrs(_)));
    if !mergeable {
        return members.into_iter().map(|(path, value)| single(path, value)).collect();
    }
    let mut inner = Vec::new();
    for (path, value) in members {
        if path.len() > 1 {
            inner.push(Binding::Attr(path[1..].to_vec(), value));
        } else if let Expr::Attrs(bindings) = value {
            inner.extend(bindings);
        }
    }
    let inner = nest(inner);
    vec![collapse(vec![name], inner)]
}

/// A binding alone in its group: its value nested, and a plain set of one binding collapsed.
fn single(path: Vec<String>, value: Expr) -> Binding {
    match value {
        Expr::Attrs(bindings) => collapse(path, nest(bindings)),
        value => Binding::Attr(path, value.nested()),
    }
}

/// `path = { one = …; }` as `path.one = …;`, repeatedly; several bindings stay a set.
fn collapse(mut path: Vec<String>, inner: Vec<Binding>) -> Binding {
    match <[Binding; 1]>::try_from(inner) {
        Ok([Binding::Attr(rest, value)]) if !matches!(value, Expr::Attrs(ref b) if b.is_empty()) => {
            path.extend(rest);
            Binding::Attr(path, value)
        }
        Ok([b]) => Binding::Attr(path, Expr::Attrs(vec![b])),
        Err(inner) => Binding::Attr(path, Expr::Attrs(inner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_nest_and_single_children_collapse() {
        let e = Expr::Attrs(vec![
            Binding::path(["networking", "hostName"], "a"),
            Binding::path(["system", "stateVersion"], "26.05"),
            Binding::path(["networking", "firewall", "enable"], true),
            Binding::path(["modules", "gnome", "enable"], true),
            Binding::path(["modules", "gnome", "wayland"], false),
            Binding::new("hostSpec", Expr::Attrs(vec![Binding::new("x", Expr::Int(1))])),
        ]);
        let text = e.nested().render(0);
        let expected = "{\n  networking = {\n    hostName = \"a\";\n    firewall.enable = true;\n  };\n  system.stateVersion = \"26.05\";\n  modules.gnome = {\n    enable = true;\n    wayland = false;\n  };\n  hostSpec.x = 1;\n}";
        assert_eq!(text, expected);
    }

    #[test]
    fn selections_of_the_same_name_become_inherits() {
        let e = Expr::Attrs(vec![
            Binding::new("hello", Expr::dotted("pkgs.hello")),
            Binding::new("zed", Expr::dotted("pkgs.zed-editor")),
            Binding::new("git", Expr::dotted("pkgs.git")),
            Binding::new("x", Expr::dotted("a.b.x")),
        ]);
        let expected = "{\n  inherit (pkgs) hello git;\n  zed = pkgs.zed-editor;\n  inherit (a.b) x;\n}";
        assert_eq!(e.nested().render(0), expected);
    }

    #[test]
    fn a_plain_value_at_a_shared_name_is_not_merged() {
        let e = Expr::Attrs(vec![
            Binding::new("a", Expr::Int(1)),
            Binding::path(["a", "b"], Expr::Int(2)),
            Binding::Inherit(vec!["c".into()]),
            Binding::path(["c", "d"], Expr::Int(3)),
        ]);
        assert_eq!(e.nested().render(0), "{\n  a = 1;\n  a.b = 2;\n  inherit c;\n  c.d = 3;\n}");
    }
}
