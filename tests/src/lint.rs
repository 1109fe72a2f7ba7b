//! Two of statix's lints, as statix implements them, run with rnix (statix itself is not
//! packaged for the machines the tests run on): W20 (`repeated_keys`), a first name shared by
//! three or more dotted bindings of a non-recursive set should be one nested set; W04
//! (`manual_inherit_from`), `a = x.a;` should be `inherit (x) a;`.

use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;

/// Every W20 finding in `text`: the repeated first name and how often it appears.
pub fn repeated_keys(text: &str) -> Vec<String> {
    let root = rnix::Root::parse(text).tree();
    let mut out = Vec::new();
    for node in root.syntax().descendants() {
        let Some(set) = ast::AttrSet::cast(node) else { continue };
        if set.rec_token().is_some() {
            continue;
        }
        let mut firsts: Vec<(String, usize, bool)> = Vec::new();
        for entry in set.entries() {
            let ast::Entry::AttrpathValue(kv) = entry else { continue };
            let Some(path) = kv.attrpath() else { continue };
            let mut attrs = path.attrs();
            let Some(ast::Attr::Ident(first)) = attrs.next() else { continue };
            let dotted = attrs.next().is_some();
            let name = first.to_string();
            match firsts.iter_mut().find(|(n, _, _)| *n == name) {
                Some((_, count, any_dotted)) => {
                    *count += 1;
                    *any_dotted |= dotted;
                }
                None => firsts.push((name, 1, dotted)),
            }
        }
        for (name, count, dotted) in firsts {
            if count >= 3 && dotted {
                out.push(format!("`{name}` repeated {count} times"));
            }
        }
    }
    out
}

/// Every W04 finding in `text`: bindings `a = x.a;` that should be `inherit (x) a;`.
pub fn manual_inherit_from(text: &str) -> Vec<String> {
    let root = rnix::Root::parse(text).tree();
    let mut out = Vec::new();
    for node in root.syntax().descendants() {
        let Some(kv) = ast::AttrpathValue::cast(node) else { continue };
        let Some(path) = kv.attrpath() else { continue };
        let attrs: Vec<ast::Attr> = path.attrs().collect();
        let [ast::Attr::Ident(name)] = attrs.as_slice() else { continue };
        let Some(ast::Expr::Select(select)) = kv.value() else { continue };
        if select.default_expr().is_some() {
            continue;
        }
        let last = select.attrpath().and_then(|p| p.attrs().last());
        if let Some(ast::Attr::Ident(last)) = last {
            if last.to_string() == name.to_string() {
                out.push(format!("`{name} = {select};` should inherit"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{manual_inherit_from, repeated_keys};

    #[test]
    fn finds_what_statix_w04_finds() {
        assert_eq!(manual_inherit_from("{ hello = pkgs.hello; }").len(), 1);
        assert!(manual_inherit_from("{ inherit (pkgs) hello; zed = pkgs.zed-editor; }").is_empty());
        assert!(manual_inherit_from("{ a = x.a or 1; }").is_empty());
    }

    #[test]
    fn finds_what_statix_w20_finds() {
        assert_eq!(repeated_keys("{ a.b = 1; a.c = 2; a.d = 3; }"), ["`a` repeated 3 times"]);
        assert!(repeated_keys("{ a.b = 1; a.c = 2; }").is_empty());
        assert!(repeated_keys("rec { a.b = 1; a.c = 2; a.d = 3; }").is_empty());
        assert!(repeated_keys("{ a = { b = 1; c = 2; d = 3; }; }").is_empty());
    }
}
