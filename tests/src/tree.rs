//! Generated trees: rendering in memory, writing, listing, diffing, and the path literals of
//! their `.nix` files.

use fleet_dsl::FleetData;
use fleet_gen::tree::Tree;
use std::path::{Path, PathBuf};

/// Renders `fleet` in memory (`out_dir` is only read; pass an empty directory), panicking
/// with the problems when it does not validate.
pub fn render(fleet: &FleetData, out_dir: &Path) -> Tree {
    match fleet_gen::generate(fleet, out_dir) {
        Ok(tree) => tree,
        Err(problems) => panic!("fixture fleet `{}` does not validate:\n{problems}", fleet.name),
    }
}

/// The `.nix` files of a tree: (relative path, text).
pub fn nix_files(tree: &Tree) -> Vec<(&str, &str)> {
    tree.files.iter().filter(|(p, _)| p.ends_with(".nix")).map(|(p, f)| (p.as_str(), f.text.as_str())).collect()
}

/// Writes every file of `tree` below `dir`.
pub fn write_tree(tree: &Tree, dir: &Path) -> std::io::Result<()> {
    for (path, file) in &tree.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, &file.text)?;
    }
    Ok(())
}

/// A unified diff of `before` (what fleet-gen wrote) against `after` (what alejandra made).
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (fleet-gen)"), &format!("{path} (alejandra)"))
        .to_string()
}

/// Every file below `dir`, sorted, leaving out the writer's local state (`.fleet-gen/`: its
/// lock, journal and no-op cache, which a `.gitignore` inside keeps out of commits).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable directory") {
            let path = entry.expect("readable directory entry").path();
            if path == dir.join(".fleet-gen") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The path literals of a Nix file (`./a.nix`, `../../profiles/x.nix`), as written, leaving out
/// those with an interpolation (`../secrets/${…}.yaml`).
pub fn path_literals(text: &str) -> Vec<String> {
    rnix::Root::parse(text)
        .syntax()
        .descendants()
        .filter(|n| n.kind() == rnix::SyntaxKind::NODE_PATH)
        .filter(|n| n.children().next().is_none())
        .map(|n| n.text().to_string())
        .collect()
}

/// Problems with the path literals of every `.nix` file of a tree written to `dir`: each must
/// name a file or directory (with `default.nix`) that exists, except encrypted secret files,
/// which the user creates with sops.
pub fn missing_paths(tree: &Tree, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in nix_files(tree) {
        let base = dir.join(path);
        let base = base.parent().unwrap_or(dir);
        for literal in path_literals(file) {
            let target = base.join(&literal);
            let normal: PathBuf = target.components().fold(PathBuf::new(), |mut acc, c| {
                match c {
                    std::path::Component::ParentDir => {
                        acc.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => acc.push(other),
                }
                acc
            });
            let under_secrets = normal.strip_prefix(dir).is_ok_and(|r| r.starts_with("secrets"));
            let exists = normal.is_file() || normal.join("default.nix").is_file();
            if !exists && !under_secrets {
                problems.push(format!("{path}: `{literal}` points at {}, which does not exist", normal.display()));
            }
            if !normal.starts_with(dir) {
                problems.push(format!("{path}: `{literal}` leaves the repository"));
            }
        }
    }
    problems
}
