//! File operations confined to the output directory: every path is opened relative to the
//! directory's handle, one component at a time, never following a symbolic link.

use crate::error::WriteError;
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// Names of temporary files start with this, so a later run recognises and removes them.
pub const TEMP_PREFIX: &str = ".fleet-gen-tmp-";

const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

/// The output directory, resolved once; everything below it is reached through its handle.
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

/// What is at a name, without following a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing.
    Missing,
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A device, socket or FIFO.
    Other,
}

impl Root {
    /// Opens the output directory, creating it (and its parents) when `create` is set; `None`
    /// when it does not exist and `create` is not set.
    pub fn open(path: &Path, create: bool) -> Result<Option<Root>, WriteError> {
        if create {
            std::fs::create_dir_all(path).map_err(|source| WriteError::Io {
                action: "creating directory",
                path: path.to_owned(),
                source,
            })?;
        }
        // The directory the user named may itself be reached through a link (`/tmp` on a Mac);
        // below it, nothing is.
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rfs::open(path, flags, Mode::empty()) {
            Ok(fd) => Ok(Some(Root { fd, path: path.to_owned() })),
            Err(Errno::NOENT) if !create => Ok(None),
            Err(e) => Err(io_error("opening directory", path.to_owned(), e)),
        }
    }

    /// The path the user named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The full path of `rel`, for messages.
    pub fn show(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// The directory's own handle.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// What is at `rel` (`/`-separated), refusing a symbolic link on the way.
    pub fn kind(&self, rel: &str) -> Result<Kind, WriteError> {
        let (dir, name) = split(rel);
        let mut walk = Walker::new(self);
        match walk.dir(dir, false)? {
            None => Ok(Kind::Missing),
            Some(fd) => kind_at(fd, name, &self.show(rel)),
        }
    }
}

/// Opens directories along sorted paths, keeping the chain of the last one open, so a sorted
/// walk over a tree opens each directory once.
pub struct Walker<'r> {
    root: &'r Root,
    chain: Vec<(String, OwnedFd)>,
    /// The last directory found missing: everything below it is missing too.
    missing: Option<String>,
}

impl<'r> Walker<'r> {
    /// A walker starting at the root.
    pub fn new(root: &'r Root) -> Self {
        Walker { root, chain: Vec::new(), missing: None }
    }

    /// The directory `rel` (`""` for the root): `None` when it does not exist and `create` is
    /// not set. A symbolic link or a file on the way is an error naming it.
    pub fn dir(&mut self, rel: &str, create: bool) -> Result<Option<BorrowedFd<'_>>, WriteError> {
        if let Some(m) = &self.missing {
            let below = rel.strip_prefix(m.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if below && !create {
                return Ok(None);
            }
            self.missing = None;
        }
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        let keep = self.chain.iter().zip(&parts).take_while(|((name, _), part)| name == *part).count();
        self.chain.truncate(keep);
        for (i, part) in parts.iter().enumerate().skip(keep) {
            let shown = self.root.show(&parts[..=i].join("/"));
            let parent = self.chain.last().map_or(self.root.fd(), |(_, fd)| fd.as_fd());
            let fd = match rfs::openat(parent, *part, DIR_FLAGS, Mode::empty()) {
                Ok(fd) => fd,
                Err(Errno::NOENT) if create => {
                    match rfs::mkdirat(parent, *part, Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(io_error("creating directory", shown, e)),
                    }
                    rfs::openat(parent, *part, DIR_FLAGS, Mode::empty()).map_err(|e| refusal(parent, part, shown, e))?
                }
                Err(Errno::NOENT) => {
                    self.missing = Some(parts[..=i].join("/"));
                    return Ok(None);
                }
                Err(e) => return Err(refusal(parent, part, shown, e)),
            };
            self.chain.push(((*part).to_owned(), fd));
        }
        Ok(Some(self.chain.last().map_or(self.root.fd(), |(_, fd)| fd.as_fd())))
    }
}

/// Why opening `name` in `parent` failed: a symbolic link or a non-directory is named as such.
fn refusal(parent: BorrowedFd<'_>, name: &str, shown: PathBuf, e: Errno) -> WriteError {
    match kind_at(parent, name, &shown) {
        Ok(Kind::Symlink) => WriteError::Symlink { path: shown },
        Ok(Kind::File | Kind::Other) => WriteError::NotADirectory { path: shown },
        _ => io_error("opening directory", shown, e),
    }
}

/// What is at `name` in `dir`, without following a link.
pub fn kind_at(dir: BorrowedFd<'_>, name: &str, shown: &Path) -> Result<Kind, WriteError> {
    match rfs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(kind_of(st.st_mode)),
        Err(Errno::NOENT) => Ok(Kind::Missing),
        Err(e) => Err(io_error("inspecting", shown.to_owned(), e)),
    }
}

/// The kind of a `st_mode`.
pub fn kind_of(mode: impl Into<u32>) -> Kind {
    match FileType::from_raw_mode(mode.into() as _) {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    }
}

/// Reads the regular file `name` in `dir`; `None` when missing. A link is refused, and so is a
/// FIFO or device (opened without blocking, never read).
pub fn read_at(dir: BorrowedFd<'_>, name: &str, shown: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = match rfs::openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP | Errno::MLINK) => return Err(WriteError::Symlink { path: shown.to_owned() }),
        Err(e) => return Err(io_error("reading", shown.to_owned(), e)),
    };
    let st = rfs::fstat(&fd).map_err(|e| io_error("reading", shown.to_owned(), e))?;
    match kind_of(st.st_mode) {
        Kind::File => {}
        Kind::Dir => return Err(WriteError::NotAFile { path: shown.to_owned() }),
        _ => return Err(WriteError::NotAFile { path: shown.to_owned() }),
    }
    let mut bytes = Vec::with_capacity(usize::try_from(st.st_size).unwrap_or(0));
    std::fs::File::from(fd).read_to_end(&mut bytes).map_err(|source| WriteError::Io {
        action: "reading",
        path: shown.to_owned(),
        source,
    })?;
    Ok(Some(bytes))
}

/// Writes `bytes` to `name` in `dir` through a temporary file created exclusively under an
/// unpredictable name, then renamed into place (which replaces a name, never follows it).
pub fn write_at(dir: BorrowedFd<'_>, name: &str, bytes: &[u8], sync: bool, shown: &Path) -> Result<(), WriteError> {
    let (tmp, fd) = create_temp(dir, shown)?;
    let mut file = std::fs::File::from(fd);
    let written = file.write_all(bytes).and_then(|()| if sync { file.sync_all() } else { Ok(()) });
    drop(file);
    if let Err(source) = written {
        let _ = rfs::unlinkat(dir, &tmp, AtFlags::empty());
        return Err(WriteError::Io { action: "writing", path: shown.to_owned(), source });
    }
    rfs::renameat(dir, &tmp, dir, name).map_err(|e| {
        let _ = rfs::unlinkat(dir, &tmp, AtFlags::empty());
        io_error("renaming into place", shown.to_owned(), e)
    })
}

/// Creates a fresh temporary file in `dir` (`O_CREAT | O_EXCL | O_NOFOLLOW`), retrying on the
/// rare name already taken.
fn create_temp(dir: BorrowedFd<'_>, shown: &Path) -> Result<(String, OwnedFd), WriteError> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut last = Errno::EXIST;
    for _ in 0..16 {
        let name = format!("{TEMP_PREFIX}{:016x}", random());
        match rfs::openat(dir, name.as_str(), flags, Mode::from_raw_mode(0o644)) {
            Ok(fd) => return Ok((name, fd)),
            Err(Errno::EXIST) => last = Errno::EXIST,
            Err(e) => {
                last = e;
                break;
            }
        }
    }
    let parent = shown.parent().unwrap_or(shown).to_owned();
    Err(io_error("creating a temporary file in", parent, last))
}

/// 64 unpredictable bits: the standard library seeds each `RandomState` from the OS.
fn random() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish()
}

/// Deletes the file `name` in `dir` (the name itself, never what a link points to).
pub fn remove_at(dir: BorrowedFd<'_>, name: &str, shown: &Path) -> Result<(), WriteError> {
    match rfs::unlinkat(dir, name, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(io_error("deleting", shown.to_owned(), e)),
    }
}

/// Removes the temporary files a killed run left in `dir`; how many.
pub fn remove_temps(dir: BorrowedFd<'_>) -> usize {
    let Ok(fd) = rfs::openat(dir, ".", DIR_FLAGS, Mode::empty()) else { return 0 };
    let Ok(mut entries) = rfs::Dir::new(fd) else { return 0 };
    let mut names = Vec::new();
    while let Some(Ok(entry)) = entries.read() {
        if let Ok(name) = entry.file_name().to_str() {
            if name.starts_with(TEMP_PREFIX) {
                names.push(name.to_owned());
            }
        }
    }
    names.iter().filter(|n| rfs::unlinkat(dir, n.as_str(), AtFlags::empty()).is_ok()).count()
}

/// Whether `dir` holds a temporary file of a killed run.
pub fn has_temps(dir: BorrowedFd<'_>) -> bool {
    let Ok(fd) = rfs::openat(dir, ".", DIR_FLAGS, Mode::empty()) else { return false };
    let Ok(mut entries) = rfs::Dir::new(fd) else { return false };
    while let Some(Ok(entry)) = entries.read() {
        if entry.file_name().to_bytes().starts_with(TEMP_PREFIX.as_bytes()) {
            return true;
        }
    }
    false
}

/// Flushes a directory's entries (a rename or an unlink in it) to the disk.
pub fn sync_dir(dir: BorrowedFd<'_>) {
    let _ = rfs::fsync(dir);
}

/// The directory part and the file name of a `/`-separated relative path.
pub fn split(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

/// An errno as a [`WriteError::Io`].
pub fn io_error(action: &'static str, path: PathBuf, e: Errno) -> WriteError {
    WriteError::Io { action, path, source: std::io::Error::from_raw_os_error(e.raw_os_error()) }
}
