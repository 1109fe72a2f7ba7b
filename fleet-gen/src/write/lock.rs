//! One writer at a time per output directory: an advisory lock (`flock`) on
//! `.fleet-gen/lock`, exclusive for `generate`, shared for `generate --check`.

use super::fs::{io_error, remove_temps, Root};
use super::state::{create_state_dir, state_dir, STATE_DIR};
use crate::error::WriteError;
use rustix::fs::{self as rfs, FlockOperation, Mode, OFlags};
use rustix::io::Errno;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// The lock file, inside the state directory.
pub const LOCK: &str = "lock";

/// How long a run waits for another by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock {
    _fd: OwnedFd,
}

/// Shared (readers) or exclusive (the writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// `generate --check`: many at once, none while a writer runs.
    Shared,
    /// `generate`: alone.
    Exclusive,
}

impl Lock {
    /// Takes the lock, creating the state directory and the lock file for an exclusive lock.
    /// A shared lock on a directory no run ever wrote is `None` (there is no one to wait for).
    /// Waits up to `wait` for another run, then fails naming the lock.
    pub fn take(root: &Root, mode: LockMode, wait: Duration) -> Result<Option<Lock>, WriteError> {
        let shown = root.show(&format!("{STATE_DIR}/{LOCK}"));
        let dir = match mode {
            // Before the lock is held, the directory is only created: cleaning it up here
            // would remove the temporary files of the run that holds the lock.
            LockMode::Exclusive => Some(create_state_dir(root)?),
            LockMode::Shared => state_dir(root)?,
        };
        let Some(dir) = dir else { return Ok(None) };
        let flags = match mode {
            LockMode::Exclusive => OFlags::RDWR | OFlags::CREATE,
            LockMode::Shared => OFlags::RDONLY,
        } | OFlags::NOFOLLOW
            | OFlags::CLOEXEC;
        let fd = match rfs::openat(&dir, LOCK, flags, Mode::from_raw_mode(0o644)) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP | Errno::MLINK) => return Err(WriteError::Symlink { path: shown }),
            Err(e) => return Err(io_error("opening the lock", shown, e)),
        };
        let op = match mode {
            LockMode::Shared => FlockOperation::NonBlockingLockShared,
            LockMode::Exclusive => FlockOperation::NonBlockingLockExclusive,
        };
        let start = Instant::now();
        loop {
            match rfs::flock(&fd, op) {
                Ok(()) => {
                    if mode == LockMode::Exclusive {
                        // Held now: temporary files in the state directory are a killed run's.
                        remove_temps(dir.as_fd());
                    }
                    return Ok(Some(Lock { _fd: fd }));
                }
                Err(Errno::WOULDBLOCK | Errno::INTR) if start.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(Errno::WOULDBLOCK | Errno::INTR) => {
                    return Err(WriteError::Locked { dir: root.path().to_owned(), lock: shown, waited: wait })
                }
                Err(e) => return Err(io_error("locking", shown, e)),
            }
        }
    }
}
