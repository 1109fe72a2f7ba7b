//! The no-op cache, `.fleet-gen/cache`: after a successful run, the fingerprint of what was
//! generated, and the size, times, inode and content hash of every file it left (and of every
//! directory on the way). A later run with the same fingerprint over files whose metadata all
//! match is up to date without rendering or reading a file. Any doubt — a missing or unreadable
//! cache, a journal, a touched file or directory, a file modified in the same clock tick as the
//! cache was written — sends the run to the full comparison.

use super::fs::{has_temps, kind_of, read_at, remove_at, split, write_at, Kind, Root, Walker};
use super::state::{ensure_state_dir, read_journal, state_dir, STATE_DIR};
use crate::error::WriteError;
use crate::tree::{Owner, Tree};
use rustix::fs::{self as rfs, AtFlags, Stat};
use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hasher};
use std::os::fd::AsFd;

/// The cache file, inside the state directory.
pub const CACHE: &str = "cache";

const VERSION: &str = "fleet-gen cache 1";

/// How validation found a hand-written module in the output directory, replayed by a later
/// run: a module file appearing or disappearing can change the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `modules/<path>.nix`, relative.
    pub file: String,
    /// `modules/<path>/default.nix`, relative.
    pub dir_default: String,
    /// Whether the module has a scaffold (written as `file` when neither exists).
    pub scaffold: bool,
    /// What validation chose: the file (`true`) or the directory (`false`).
    pub chose_file: bool,
}

impl Probe {
    /// A probe whose choice is not made yet.
    pub fn new(file: String, dir_default: String, scaffold: bool) -> Self {
        Probe { file, dir_default, scaffold, chose_file: false }
    }

    /// Resolves the module with `is_file` (following links, as an import would) and records
    /// the choice: `Some(true)` the file, `Some(false)` the directory, `None` neither.
    pub fn resolve(&mut self, is_file: impl Fn(&str) -> bool) -> Option<bool> {
        let chosen = if is_file(&self.file) {
            Some(true)
        } else if is_file(&self.dir_default) {
            Some(false)
        } else {
            self.scaffold.then_some(true)
        };
        self.chose_file = chosen == Some(true);
        chosen
    }
}

/// The content hash recorded per file.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// Deletes the cache: the first step of a run that changes anything.
pub fn invalidate(root: &Root) -> Result<(), WriteError> {
    match state_dir(root)? {
        Some(dir) => remove_at(dir.as_fd(), CACHE, &root.show(&format!("{STATE_DIR}/{CACHE}"))),
        None => Ok(()),
    }
}

/// Records the tree as it now is on disk. Fails only on an I/O error; a file that is not what
/// the tree says is simply not recorded, which makes the next run compare in full.
pub fn record(root: &Root, tree: &Tree, fingerprint: u64, probes: &[Probe]) -> Result<(), WriteError> {
    let mut text = format!("{VERSION}\nfingerprint {fingerprint:016x}\n");
    for p in probes {
        text.push_str(&format!("p {}{} {} {}\n", u8::from(p.chose_file), u8::from(p.scaffold), p.file, p.dir_default));
    }
    let mut dirs = BTreeSet::new();
    for path in tree.files.keys() {
        let mut dir = split(path).0;
        while !dir.is_empty() && dirs.insert(dir) {
            dir = split(dir).0;
        }
    }
    for dir in dirs {
        let Some(st) = lstat(root, dir) else { return Ok(()) };
        if kind_of(st.st_mode) != Kind::Dir {
            return Ok(());
        }
        text.push_str(&format!("d {} {} {dir}\n", st.st_dev, st.st_ino));
    }
    for (path, file) in &tree.files {
        let Some(st) = lstat(root, path) else { return Ok(()) };
        if file.owner == Owner::User {
            text.push_str(&format!("u {path}\n"));
            continue;
        }
        if kind_of(st.st_mode) != Kind::File || st.st_size as u64 != file.text.len() as u64 {
            return Ok(());
        }
        let h = hash(file.text.as_bytes());
        text.push_str(&format!("f {} {h:016x} {path}\n", meta(&st)));
    }
    let dir = ensure_state_dir(root)?;
    write_at(dir.as_fd(), CACHE, text.as_bytes(), false, &root.show(&format!("{STATE_DIR}/{CACHE}")))
}

/// Whether the output directory is certainly what generating a fleet with `fingerprint` gives.
pub fn up_to_date(root: &Root, fingerprint: u64) -> bool {
    matches!(check(root, fingerprint), Some(true))
}

fn check(root: &Root, fingerprint: u64) -> Option<bool> {
    if read_journal(root).ok()?.is_some() {
        return Some(false);
    }
    let dir = state_dir(root).ok()??;
    // A killed run's temporary file in the state directory: the full run removes it.
    if has_temps(dir.as_fd()) {
        return Some(false);
    }
    let shown = root.show(&format!("{STATE_DIR}/{CACHE}"));
    let bytes = read_at(dir.as_fd(), CACHE, &shown).ok()??;
    let written = rfs::statat(dir.as_fd(), CACHE, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    let written = times(&written).0;
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != VERSION || lines.next()? != format!("fingerprint {fingerprint:016x}") {
        return Some(false);
    }
    let mut walker = Walker::new(root);
    for line in lines {
        let (tag, rest) = line.split_once(' ')?;
        let ok = match tag {
            "p" => {
                let mut parts = rest.splitn(3, ' ');
                let (flags, file, dir_default) = (parts.next()?, parts.next()?, parts.next()?);
                let mut probe = Probe::new(file.to_owned(), dir_default.to_owned(), flags.ends_with('1'));
                let is_file = |rel: &str| {
                    rfs::statat(root.fd(), rel, AtFlags::empty()).is_ok_and(|st| kind_of(st.st_mode) == Kind::File)
                };
                probe.resolve(is_file) == Some(flags.starts_with('1'))
            }
            "d" => {
                let mut parts = rest.splitn(3, ' ');
                let (dev, ino, path) = (parts.next()?, parts.next()?, parts.next()?);
                lstat(root, path).is_some_and(|st| {
                    kind_of(st.st_mode) == Kind::Dir && st.st_dev.to_string() == dev && st.st_ino.to_string() == ino
                })
            }
            "u" => lstat(root, rest).is_some(),
            "f" => {
                let mut parts = rest.rsplitn(3, ' ');
                let (path, h, recorded) = (parts.next()?, parts.next()?, parts.next()?);
                let Some(st) = lstat(root, path) else { return Some(false) };
                if kind_of(st.st_mode) != Kind::File || meta(&st) != recorded {
                    return Some(false);
                }
                // Modified in the clock tick the cache was written in: the times cannot tell.
                let (modified, changed) = times(&st);
                if modified >= written || changed >= written {
                    let (d, name) = split(path);
                    let fd = walker.dir(d, false).ok()??;
                    let body = read_at(fd, name, &root.show(path)).ok()??;
                    format!("{:016x}", hash(&body)) == h
                } else {
                    true
                }
            }
            _ => false,
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

/// Modification and change times as (seconds, nanoseconds); the field types differ between
/// platforms.
#[allow(clippy::unnecessary_cast)]
fn times(st: &Stat) -> ((i64, i64), (i64, i64)) {
    ((st.st_mtime as i64, st.st_mtime_nsec as i64), (st.st_ctime as i64, st.st_ctime_nsec as i64))
}

/// Size, modification and change times, inode: what a write changes.
fn meta(st: &Stat) -> String {
    format!("{} {}.{} {}.{} {}", st.st_size, st.st_mtime, st.st_mtime_nsec, st.st_ctime, st.st_ctime_nsec, st.st_ino)
}

/// `lstat` of a relative path. The directories on the way are checked by their own entries.
fn lstat(root: &Root, rel: &str) -> Option<Stat> {
    rfs::statat(root.fd(), rel, AtFlags::SYMLINK_NOFOLLOW).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_of_the_same_fleet_is_recognised_without_rendering() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synthetic::fleet(30).into_data();
        let args = ["fleet", "generate", "--out", dir.path().to_str().unwrap()];
        let run = || {
            let (mut o, mut e) = (Vec::new(), Vec::new());
            crate::cli::run(&data, args, &mut o, &mut e);
            String::from_utf8(e).unwrap()
        };
        run();
        let root = Root::open(dir.path(), false).unwrap().unwrap();
        assert_eq!(check(&root, crate::fingerprint::of(&data)), Some(true));
    }
}
