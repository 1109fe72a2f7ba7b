//! The writer's own state in the output directory, `.fleet-gen/`: the lock, the journal of a
//! run in progress, and the cache that makes a no-op run cheap. A `.gitignore` inside keeps the
//! directory out of the user's commits; none of it is part of the generated repository.

use super::fs::{io_error, read_at, remove_at, remove_temps, sync_dir, write_at, Root};
use crate::error::WriteError;
use rustix::fs::{self as rfs, Mode, OFlags};
use rustix::io::Errno;
use std::os::fd::{AsFd, OwnedFd};

/// The state directory, at the top of the output directory.
pub const STATE_DIR: &str = ".fleet-gen";

/// The journal: present from before a run's first change until after its last.
pub const JOURNAL: &str = "pending";

const GITIGNORE: &str = "# fleet-gen's local state (lock, journal, cache): never committed.\n*\n";

const JOURNAL_HEADER: &str =
    "# fleet-gen was changing these files when it stopped; the next `generate` completes the change.\n";

const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

/// The state directory, when a run created it. A link in its place is refused.
pub fn state_dir(root: &Root) -> Result<Option<OwnedFd>, WriteError> {
    let shown = root.show(STATE_DIR);
    match rfs::openat(root.fd(), STATE_DIR, DIR_FLAGS, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOENT) => Ok(None),
        Err(Errno::LOOP | Errno::NOTDIR) => Err(WriteError::Symlink { path: shown }),
        Err(e) => Err(io_error("opening", shown, e)),
    }
}

/// The state directory, created when missing, and nothing else touched: what a run may do
/// before it holds the lock (another run may be writing its files there).
pub fn create_state_dir(root: &Root) -> Result<OwnedFd, WriteError> {
    let shown = root.show(STATE_DIR);
    match rfs::mkdirat(root.fd(), STATE_DIR, Mode::from_raw_mode(0o755)) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(io_error("creating directory", shown, e)),
    }
    state_dir(root)?.ok_or_else(|| io_error("opening", shown, Errno::NOENT))
}

/// The state directory, created (with its `.gitignore`) when missing; temporary files a killed
/// run left in it are removed. Only under the exclusive lock: the temporary files of a run
/// that holds it would be removed too.
pub fn ensure_state_dir(root: &Root) -> Result<OwnedFd, WriteError> {
    let shown = root.show(STATE_DIR);
    let dir = create_state_dir(root)?;
    remove_temps(dir.as_fd());
    let ignore = shown.join(".gitignore");
    if read_at(dir.as_fd(), ".gitignore", &ignore)?.as_deref() != Some(GITIGNORE.as_bytes()) {
        write_at(dir.as_fd(), ".gitignore", GITIGNORE.as_bytes(), false, &ignore)?;
    }
    Ok(dir)
}

/// Whether a killed run left temporary files in the state directory (the tree itself may be
/// complete: `--check` still reports the directory as needing a `generate`).
pub fn has_leftovers(root: &Root) -> bool {
    state_dir(root).ok().flatten().is_some_and(|dir| super::fs::has_temps(dir.as_fd()))
}

/// The paths an interrupted run was changing, when its journal is there.
pub fn read_journal(root: &Root) -> Result<Option<Vec<String>>, WriteError> {
    let Some(dir) = state_dir(root)? else { return Ok(None) };
    let shown = root.show(&format!("{STATE_DIR}/{JOURNAL}"));
    let Some(bytes) = read_at(dir.as_fd(), JOURNAL, &shown)? else { return Ok(None) };
    let text = String::from_utf8_lossy(&bytes);
    Ok(Some(text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(str::to_owned).collect()))
}

/// Records, durably, the paths a run is about to change: written before the first change.
pub fn write_journal<'p>(root: &Root, paths: impl Iterator<Item = &'p str>) -> Result<(), WriteError> {
    let dir = ensure_state_dir(root)?;
    let mut text = String::from(JOURNAL_HEADER);
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    let shown = root.show(&format!("{STATE_DIR}/{JOURNAL}"));
    write_at(dir.as_fd(), JOURNAL, text.as_bytes(), true, &shown)?;
    sync_dir(dir.as_fd());
    Ok(())
}

/// Removes the journal: the run's last step.
pub fn remove_journal(root: &Root) -> Result<(), WriteError> {
    let Some(dir) = state_dir(root)? else { return Ok(()) };
    remove_at(dir.as_fd(), JOURNAL, &root.show(&format!("{STATE_DIR}/{JOURNAL}")))?;
    sync_dir(dir.as_fd());
    Ok(())
}
