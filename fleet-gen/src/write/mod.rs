//! The one writer: compares the rendered tree with the output directory, then writes only what
//! changed, or reports the difference for `--check`.
//!
//! It is a transaction. Everything happens relative to the output directory's handle and never
//! through a symbolic link ([`fs`]); one run at a time holds the lock ([`lock`]); a journal
//! lists what a run is changing from before its first change until after its last, so a run
//! that was killed is finished by the next one ([`state`]); the manifest is written last; and
//! an unchanged fleet over an untouched directory is recognised without rendering ([`cache`]).

pub mod cache;
pub mod fs;
pub mod lock;
pub mod state;

use crate::error::{WriteError, WriteFailure};
use crate::render::MANIFEST;
use crate::tree::{has_marker, Owner, Tree};
use fs::{read_at, remove_at, remove_temps, split, sync_dir, write_at, Kind, Root, Walker};
use rustix::fs::AtFlags;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

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
    /// The paths a killed run was changing (its journal), when one was: the tree is stale
    /// even if no file differs, since temporary files or directories may be left over.
    pub interrupted: Option<Vec<String>>,
}

impl Plan {
    /// Whether the directory already is the tree.
    pub fn is_up_to_date(&self) -> bool {
        self.changes.is_empty() && self.interrupted.is_none()
    }
}

/// What a successful [`apply`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Files created.
    pub created: usize,
    /// Files updated.
    pub updated: usize,
    /// Files deleted.
    pub deleted: usize,
    /// Temporary files of a killed run removed.
    pub temps_removed: usize,
}

/// How [`apply`] runs; the default is the real thing.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Testing only: fail like a full disk when about to write file number `n` (0-based) of the
    /// plan, to prove a failed run reports the truth and the next run converges.
    pub fail_after: Option<usize>,
}

/// Compares `tree` with `out_dir` (which need not exist). Refuses, before anything is written,
/// a file the tree would overwrite that lacks the generated header, and a symbolic link on the
/// way to any file it would write or prune.
pub fn plan(tree: &Tree, out_dir: &Path) -> Result<Plan, Vec<WriteError>> {
    match Root::open(out_dir, false).map_err(|e| vec![e])? {
        Some(root) => plan_in(tree, &root),
        None => {
            let changes = tree
                .files
                .iter()
                .map(|(path, f)| Change::Create { path: path.clone(), text: f.text.clone() })
                .collect();
            Ok(Plan { changes, adopted: Vec::new(), interrupted: None })
        }
    }
}

/// [`plan`] in an opened output directory.
pub fn plan_in(tree: &Tree, root: &Root) -> Result<Plan, Vec<WriteError>> {
    let mut refusals = Vec::new();
    let interrupted = state::read_journal(root).unwrap_or_else(|e| {
        refusals.push(e);
        None
    });
    let journal: BTreeSet<&str> = interrupted.iter().flatten().map(String::as_str).collect();
    let mut plan = Plan::default();
    let mut walker = Walker::new(root);
    for (path, file) in &tree.files {
        let (dir, name) = split(path);
        let fd = match walker.dir(dir, false) {
            Err(e) => {
                refusals.push(e);
                continue;
            }
            Ok(None) => {
                plan.changes.push(Change::Create { path: path.clone(), text: file.text.clone() });
                continue;
            }
            Ok(Some(fd)) => fd,
        };
        let shown = root.show(path);
        if file.owner == Owner::User {
            match fs::kind_at(fd, name, &shown) {
                Err(e) => refusals.push(e),
                Ok(Kind::Missing) => plan.changes.push(Change::Create { path: path.clone(), text: file.text.clone() }),
                Ok(_) => {}
            }
            continue;
        }
        match read_at(fd, name, &shown) {
            Err(e) => refusals.push(e),
            Ok(None) => plan.changes.push(Change::Create { path: path.clone(), text: file.text.clone() }),
            Ok(Some(old)) if old == file.text.as_bytes() => {}
            Ok(Some(old)) => {
                let old = String::from_utf8_lossy(&old).into_owned();
                // A file the journal lists was being written by fleet-gen: it is ours even if a
                // crash tore its header.
                if !has_marker(&old) && !journal.contains(path.as_str()) {
                    refusals.push(WriteError::NotGenerated { path: shown });
                    continue;
                }
                plan.changes.push(Change::Update { path: path.clone(), old, text: file.text.clone() });
            }
        }
    }
    let manifest = match read_at(root.fd(), MANIFEST, &root.show(MANIFEST)) {
        Err(e) => {
            refusals.push(e);
            None
        }
        Ok(None) => None,
        Ok(Some(bytes)) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if has_marker(&text) {
                Some(text)
            } else {
                refusals.push(WriteError::NotGenerated { path: root.show(MANIFEST) });
                None
            }
        }
    };
    let listed = manifest.iter().flat_map(|m| m.lines().filter(|l| !l.starts_with('#') && !l.is_empty()));
    let candidates: BTreeSet<&str> = listed.chain(journal.iter().copied()).collect();
    for path in candidates {
        if tree.files.contains_key(path) || !is_safe_relative(path) {
            continue;
        }
        let (dir, name) = split(path);
        let fd = match walker.dir(dir, false) {
            Err(e) => {
                refusals.push(e);
                continue;
            }
            Ok(None) => continue,
            Ok(Some(fd)) => fd,
        };
        match read_at(fd, name, &root.show(path)) {
            Err(e) => refusals.push(e),
            Ok(None) => {}
            Ok(Some(old)) => {
                let old = String::from_utf8_lossy(&old).into_owned();
                if has_marker(&old) {
                    plan.changes.push(Change::Delete { path: path.to_owned(), old });
                } else {
                    plan.adopted.push(path.to_owned());
                }
            }
        }
    }
    plan.changes.sort_by(|a, b| a.path().cmp(b.path()));
    plan.interrupted = interrupted;
    // A link on the way to many files is one problem, reported once.
    let mut seen = BTreeSet::new();
    refusals.retain(|e| seen.insert(e.to_string()));
    if refusals.is_empty() {
        Ok(plan)
    } else {
        Err(refusals)
    }
}

/// Applies a plan in `out_dir`, holding the lock; see [`apply_in`].
pub fn apply(plan: &Plan, out_dir: &Path) -> Result<Applied, WriteFailure> {
    let root = Root::open(out_dir, true).map_err(WriteFailure::before_any_change)?.ok_or_else(|| {
        WriteFailure::before_any_change(fs::io_error("opening", out_dir.to_owned(), rustix::io::Errno::NOENT))
    })?;
    let _lock = lock::Lock::take(&root, lock::LockMode::Exclusive, lock::DEFAULT_WAIT)
        .map_err(WriteFailure::before_any_change)?;
    apply_in(plan, &root, &Options::default())
}

/// Applies a plan; the caller holds the exclusive lock. Order: the journal (durably), files
/// (each to a fresh temporary sibling, renamed into place), deletions, the manifest (synced),
/// then the journal is removed. A failure at any point leaves a directory the next run
/// converges from, and reports which changes were made.
pub fn apply_in(plan: &Plan, root: &Root, options: &Options) -> Result<Applied, WriteFailure> {
    let mut applied = Applied::default();
    if plan.is_up_to_date() {
        return Ok(applied);
    }
    let before = WriteFailure::before_any_change;
    cache::invalidate(root).map_err(before)?;
    let earlier: Vec<&str> = plan.interrupted.iter().flatten().map(String::as_str).collect();
    let journal: BTreeSet<&str> = plan.changes.iter().map(Change::path).chain(earlier.iter().copied()).collect();
    state::write_journal(root, journal.iter().copied()).map_err(before)?;
    if plan.interrupted.is_some() {
        applied.temps_removed = remove_leftover_temps(root, &earlier);
    }

    let done: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let counter = AtomicUsize::new(0);
    let (manifest, writes): (Vec<&Change>, Vec<&Change>) =
        plan.changes.iter().filter(|c| !matches!(c, Change::Delete { .. })).partition(|c| c.path() == MANIFEST);
    let step = |c: &Change, walker: &mut Walker<'_>| -> Result<(), WriteError> {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if options.fail_after.is_some_and(|limit| n >= limit) {
            let source = std::io::Error::from_raw_os_error(28); // ENOSPC: the disk is full
            return Err(WriteError::Io { action: "writing", path: root.show(c.path()), source });
        }
        let (dir, name) = split(c.path());
        let shown = root.show(c.path());
        let fd = walker
            .dir(dir, true)?
            .ok_or_else(|| fs::io_error("opening directory", shown.clone(), rustix::io::Errno::NOENT))?;
        match c {
            Change::Create { text, .. } | Change::Update { text, .. } => {
                write_at(fd, name, text.as_bytes(), c.path() == MANIFEST, &shown)?
            }
            Change::Delete { .. } => {
                remove_at(fd, name, &shown)?;
            }
        }
        done.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(c.path().to_owned());
        Ok(())
    };
    let mut result = write_parallel(root, &writes, &step);
    if result.is_ok() {
        let mut walker = Walker::new(root);
        for c in plan.changes.iter().filter(|c| matches!(c, Change::Delete { .. })) {
            result = step(c, &mut walker);
            if result.is_err() {
                break;
            }
        }
        drop(walker);
        if result.is_ok() {
            prune_empty_dirs(root, plan, &earlier);
            let mut walker = Walker::new(root);
            result = manifest.iter().try_for_each(|c| step(c, &mut walker));
        }
    }
    let done = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(error) = result {
        let made: BTreeSet<&str> = done.iter().map(String::as_str).collect();
        let not_done = plan.changes.iter().filter(|c| !made.contains(c.path())).map(|c| c.path().to_owned()).collect();
        let nothing_changed = done.is_empty() && plan.interrupted.is_none() && applied.temps_removed == 0;
        if nothing_changed {
            let _ = state::remove_journal(root);
        }
        return Err(WriteFailure { error, done, not_done, journal_kept: !nothing_changed });
    }
    sync_dir(root.fd());
    state::remove_journal(root).map_err(|error| WriteFailure {
        error,
        done,
        not_done: Vec::new(),
        journal_kept: true,
    })?;
    for c in &plan.changes {
        match c {
            Change::Create { .. } => applied.created += 1,
            Change::Update { .. } => applied.updated += 1,
            Change::Delete { .. } => applied.deleted += 1,
        }
    }
    Ok(applied)
}

/// Runs `step` over the writes, spread over the machine's cores: a fresh tree is bound by
/// creating inodes, which the file system does in parallel. Each worker stops at its first
/// error; the first error is returned.
fn write_parallel(
    root: &Root,
    writes: &[&Change],
    step: &(dyn Fn(&Change, &mut Walker<'_>) -> Result<(), WriteError> + Sync),
) -> Result<(), WriteError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if threads == 1 || writes.len() < 64 {
        let mut walker = Walker::new(root);
        return writes.iter().try_for_each(|c| step(c, &mut walker));
    }
    let chunk = writes.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = writes
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut walker = Walker::new(root);
                    part.iter().try_for_each(|c| step(c, &mut walker))
                })
            })
            .collect();
        let mut first = Ok(());
        for w in workers {
            let r = w.join().unwrap_or_else(|_| {
                Err(WriteError::Io {
                    action: "writing",
                    path: root.path().to_owned(),
                    source: std::io::Error::other("a writer thread panicked"),
                })
            });
            if first.is_ok() {
                first = r;
            }
        }
        first
    })
}

/// Removes the temporary files a killed run left: in the top directory and next to every
/// path its journal lists.
fn remove_leftover_temps(root: &Root, journal: &[&str]) -> usize {
    let dirs: BTreeSet<&str> = journal.iter().map(|p| split(p).0).chain([""]).collect();
    let mut walker = Walker::new(root);
    dirs.into_iter().filter_map(|d| walker.dir(d, false).ok().flatten().map(remove_temps)).sum()
}

/// Removes directories left empty by deletions (and by a killed run's journal), deepest first,
/// never one the tree still uses. `rmdir` only removes an empty directory, never a link.
fn prune_empty_dirs(root: &Root, plan: &Plan, earlier: &[&str]) {
    let mut dirs = BTreeSet::new();
    let deleted = plan.changes.iter().filter(|c| matches!(c, Change::Delete { .. })).map(Change::path);
    for path in deleted.chain(earlier.iter().copied()) {
        let mut dir = split(path).0;
        while !dir.is_empty() {
            dirs.insert(dir);
            dir = split(dir).0;
        }
    }
    let mut walker = Walker::new(root);
    for dir in dirs.into_iter().rev() {
        let (parent, name) = split(dir);
        if let Ok(Some(fd)) = walker.dir(parent, false) {
            let _ = rustix::fs::unlinkat(fd, name, AtFlags::REMOVEDIR);
        }
    }
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
        std::fs::write(dir.path().join("a.nix"), "{ mine = true; }\n").unwrap();
        let errs = plan(&tree_with(&[("a.nix", "{}\n")]), dir.path()).unwrap_err();
        assert!(matches!(errs.as_slice(), [WriteError::NotGenerated { .. }]));
        assert_eq!(std::fs::read_to_string(dir.path().join("a.nix")).unwrap(), "{ mine = true; }\n");
    }

    #[test]
    fn manifest_entries_outside_the_directory_are_ignored() {
        assert!(is_safe_relative("hosts/a/default.nix"));
        assert!(!is_safe_relative("../x"));
        assert!(!is_safe_relative("/etc/passwd"));
    }
}
