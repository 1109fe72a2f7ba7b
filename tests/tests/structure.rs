//! The crates' insides keep one direction: no two modules of a crate use each other (a parent
//! and its own submodules aside), so each module can be read, tested and moved on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module of the crate at `src` (by path, `a::b`) with the modules its code names through
/// `crate::` or `super::` (doc comments and tests left out).
fn module_uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let path_re = regex::Regex::new(r"\b(crate|super)::((?:\w+::)*\w+)").expect("regex");
    let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in fleet_tests::files_under(src).into_iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let rel = file.strip_prefix(src).expect("under src").with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            parts.clear();
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut named = Vec::new();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for c in path_re.captures_iter(line) {
                let mut target: Vec<String> = match &c[1] {
                    "crate" => Vec::new(),
                    _ => parts[..parts.len().saturating_sub(1)].to_vec(),
                };
                target.extend(c[2].split("::").map(str::to_owned));
                named.push(target.join("::"));
            }
        }
        raw.insert(parts.join("::"), named);
    }
    let modules: BTreeSet<String> = raw.keys().cloned().collect();
    // A named path's module: its longest prefix that is a module.
    let module_of = |path: &str| {
        let segments: Vec<&str> = path.split("::").collect();
        (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| modules.contains(m))
    };
    raw.iter()
        .map(|(m, named)| {
            let uses = named.iter().filter_map(|p| module_of(p)).filter(|u| u != m).collect();
            (m.clone(), uses)
        })
        .collect()
}

fn related(a: &str, b: &str) -> bool {
    a.is_empty() || b.is_empty() || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

#[test]
fn no_two_modules_use_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cycles = Vec::new();
    for krate in ["fleet-dsl", "fleet-macros", "fleet-gen"] {
        let uses = module_uses(&root.join(krate).join("src"));
        assert!(uses.len() > 5, "{krate}: {} modules read", uses.len());
        for (a, used) in &uses {
            for b in used.iter().filter(|b| a < *b && !related(a, b)) {
                if uses.get(b).is_some_and(|back| back.contains(a)) {
                    cycles.push(format!("{krate}: {a} <-> {b}"));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "modules that use each other:\n{}", cycles.join("\n"));
}

#[test]
fn the_check_finds_a_cycle() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("lib.rs"), "mod a;\nmod b;\n").expect("write");
    std::fs::write(tmp.path().join("a.rs"), "use crate::b::B;\npub struct A;\n").expect("write");
    std::fs::write(
        tmp.path().join("b.rs"),
        "/// [`crate::a::A`] in a doc is no use.\npub fn f() -> super::a::A { todo!() }\n",
    )
    .expect("write");
    let uses = module_uses(tmp.path());
    assert!(uses["a"].contains("b") && uses["b"].contains("a"), "{uses:?}");
}
