//! The one writer: compares the rendered tree with the output directory, then writes only what
//! changed (atomically, file by file), or reports the difference for `--check`.

use crate::error::WriteError;
use crate::render::MANIFEST;
use crate::tree::{has_marker, Owner, Tree};
use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One change the writer would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that does not exist yet.
    Create {
        /// Relative path.
        path: String,
        /// New content.
        text: String,
    },
    /// A generated file whose bytes differ.
    Update {
        /// Relative path.
        path: String,
        /// Content on disk.
        old: String,
        /// New content.
        text: String,
    },
    /// A file the previous run generated that is no longer generated.
    Delete {
        /// Relative path.
        path: String,
        /// Content on disk.
        old: String,
    },
}

impl Change {
    /// The relative path it concerns.
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. } | Change::Update { path, .. } | Change::Delete { path, .. } => path,
        }
    }
}

/// What a run would change in the output directory.
#[derive(Debug, Default)]
pub struct Plan {
    /// The changes, sorted by path.
    pub changes: Vec<Change>,
    /// Files listed in the old manifest that lost their header: now the user's, left alone.
    pub adopted: Vec<String>,
}

/// Compares `tree` with `out_dir`. Refuses (before anything is written) when a file the tree
/// would overwrite exists without the generated header.
pub fn plan(tree: &Tree, out_dir: &Path) -> Result<Plan, Vec<WriteError>> {
    let mut plan = Plan::default();
    let mut refusals = Vec::new();
    for (path, file) in &tree.files {
        let full = out_dir.join(path);
        match read_optional(&full) {
            Err(e) => refusals.push(e),
            Ok(None) => plan.changes.push(Change::Create { path: path.clone(), text: file.text.clone() }),
            Ok(Some(old)) => {
                if file.owner == Owner::User || old == file.text {
                    continue;
                }
                if !has_marker(&old) {
                    refusals.push(WriteError::NotGenerated { path: full });
                    continue;
                }
                plan.changes.push(Change::Update { path: path.clone(), old, text: file.text.clone() });
            }
        }
    }
    match read_optional(&out_dir.join(MANIFEST)) {
        Err(e) => refusals.push(e),
        Ok(None) => {}
        Ok(Some(manifest)) if has_marker(&manifest) => {
            for path in manifest.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
                if tree.files.contains_key(path) || !is_safe_relative(path) {
                    continue;
                }
                match read_optional(&out_dir.join(path)) {
                    Err(e) => refusals.push(e),
                    Ok(None) => {}
                    Ok(Some(old)) if has_marker(&old) => {
                        plan.changes.push(Change::Delete { path: path.to_owned(), old })
                    }
                    Ok(Some(_)) => plan.adopted.push(path.to_owned()),
                }
            }
        }
        Ok(Some(_)) => refusals.push(WriteError::NotGenerated { path: out_dir.join(MANIFEST) }),
    }
    plan.changes.sort_by(|a, b| a.path().cmp(b.path()));
    if refusals.is_empty() {
        Ok(plan)
    } else {
        Err(refusals)
    }
}

/// Applies a plan: each write goes to a temporary sibling and is renamed into place, so a
/// failure leaves every file either old or new, never half-written.
pub fn apply(plan: &Plan, out_dir: &Path) -> Result<(), WriteError> {
    let writes: Vec<(PathBuf, &str)> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Create { path, text } | Change::Update { path, text, .. } => {
                Some((out_dir.join(path), text.as_str()))
            }
            Change::Delete { .. } => None,
        })
        .collect();
    create_dirs(writes.iter().filter_map(|(p, _)| p.parent()), out_dir)?;
    write_all(&writes)?;
    for change in &plan.changes {
        if let Change::Delete { path, .. } = change {
            let full = out_dir.join(path);
            fs::remove_file(&full).map_err(|source| WriteError::Io {
                action: "deleting",
                path: full.clone(),
                source,
            })?;
            remove_empty_parents(&full, out_dir);
        }
    }
    Ok(())
}

/// Creates every directory the files go to, each once, parents first.
fn create_dirs<'p>(parents: impl Iterator<Item = &'p Path>, out_dir: &Path) -> Result<(), WriteError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| WriteError::Io { action: "creating directory", path, source }
    };
    fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let mut dirs = BTreeSet::new();
    for parent in parents {
        dirs.extend(parent.ancestors().take_while(|a| *a != out_dir && a.starts_with(out_dir)));
    }
    // Sorted paths put every directory after its parent.
    for dir in dirs {
        match fs::create_dir(dir) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(io(dir)(e)),
            _ => {}
        }
    }
    Ok(())
}

/// Writes the files atomically, spread over the machine's cores: a fresh tree is bound by
/// creating inodes, which the file system does in parallel.
fn write_all(writes: &[(PathBuf, &str)]) -> Result<(), WriteError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if threads == 1 || writes.len() < 64 {
        return writes.iter().try_for_each(|(path, text)| write_atomic(path, text));
    }
    let chunk = writes.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = writes
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().try_for_each(|(path, text)| write_atomic(path, text))))
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join().unwrap_or_else(|_| {
                Err(WriteError::Io {
                    action: "writing",
                    path: PathBuf::new(),
                    source: io::Error::other("a writer thread panicked"),
                })
            })
        })
    })
}

/// A unified diff of every change, as `git diff` would show it.
pub fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let (old, new) = match change {
            Change::Create { text, .. } => ("", text.as_str()),
            Change::Update { old, text, .. } => (old.as_str(), text.as_str()),
            Change::Delete { old, .. } => (old.as_str(), ""),
        };
        let path = change.path();
        let text = similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string();
        out.push_str(&text);
    }
    out
}

fn read_optional(path: &Path) -> Result<Option<String>, WriteError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(WriteError::Io { action: "reading", path: path.to_owned(), source }),
    }
}

/// Writes to a temporary sibling, then renames it into place (its directory exists).
fn write_atomic(path: &Path, text: &str) -> Result<(), WriteError> {
    let tmp = temp_sibling(path);
    fs::write(&tmp, text).map_err(|source| WriteError::Io { action: "writing", path: tmp.clone(), source })?;
    fs::rename(&tmp, path).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        WriteError::Io { action: "renaming into place", path: path.to_owned(), source }
    })
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.fleet-gen-tmp"))
}

fn remove_empty_parents(path: &Path, root: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// A manifest entry the writer may touch: relative, no `..`, no absolute paths.
fn is_safe_relative(path: &str) -> bool {
    let p = Path::new(path);
    p.is_relative() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::hash_header;

    fn tree_with(files: &[(&str, &str)]) -> Tree {
        let mut t = Tree::default();
        for (p, body) in files {
            t.generated(*p, format!("{}{body}", hash_header("t")));
        }
        t
    }

    #[test]
    fn second_run_plans_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let tree = tree_with(&[("a.nix", "{}\n"), ("sub/b.nix", "{}\n")]);
        let p = plan(&tree, dir.path()).unwrap();
        assert_eq!(p.changes.len(), 2);
        apply(&p, dir.path()).unwrap();
        assert!(plan(&tree, dir.path()).unwrap().changes.is_empty());
    }

    #[test]
    fn refuses_files_without_header_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.nix"), "{ mine = true; }\n").unwrap();
        let errs = plan(&tree_with(&[("a.nix", "{}\n")]), dir.path()).unwrap_err();
        assert!(matches!(errs.as_slice(), [WriteError::NotGenerated { .. }]));
        assert_eq!(fs::read_to_string(dir.path().join("a.nix")).unwrap(), "{ mine = true; }\n");
    }

    #[test]
    fn manifest_entries_outside_the_directory_are_ignored() {
        assert!(is_safe_relative("hosts/a/default.nix"));
        assert!(!is_safe_relative("../x"));
        assert!(!is_safe_relative("/etc/passwd"));
    }
}
