//! statix's W20 (`repeated_keys`), the rule as statix implements it, run with rnix: in a
//! non-recursive attribute set, a first name shared by three or more dotted bindings should be
//! one nested set. (statix itself is not packaged for the machines the tests run on.)

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

#[cfg(test)]
mod tests {
    use super::repeated_keys;

    #[test]
    fn finds_what_statix_w20_finds() {
        assert_eq!(repeated_keys("{ a.b = 1; a.c = 2; a.d = 3; }"), ["`a` repeated 3 times"]);
        assert!(repeated_keys("{ a.b = 1; a.c = 2; }").is_empty());
        assert!(repeated_keys("rec { a.b = 1; a.c = 2; a.d = 3; }").is_empty());
        assert!(repeated_keys("{ a = { b = 1; c = 2; d = 3; }; }").is_empty());
    }
}
