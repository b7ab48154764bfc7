//! Keeping every request inside the server's root directory, even while someone changes
//! the directory under the server's feet.
//!
//! The first step needs no file system: [`path_parts`] splits the requested name and
//! refuses any `..` part (exercise 4.3). The rest of this module makes sure the walk
//! below the root cannot be led outside by symlinks.
//!
//! The obvious way to confine a server is to build a path (`root/` + the requested name),
//! ask the file system where it really leads (`canonicalize`), check that the answer is
//! still under the root, and then open it. That leaves a gap between the check and the
//! open: a local user who may write in the served directory can replace a directory on the
//! way (`d` in `d/secret`) by a symlink to `/etc` *after* the check and *before* the open.
//! The open then follows the new link, out of the root. Run often enough, the race is won.
//!
//! The cure is to never open by path from the top again. We keep the root open as a
//! directory *descriptor* and walk one name at a time from it: `openat(dir, "d")` opens
//! `d` relative to the directory we already hold, with `O_NOFOLLOW`, so a name that is a
//! symlink is not followed by the kernel. When a name is a symlink we read it
//! (`readlinkat`) and follow it ourselves, only if it stays under the root: a relative
//! link (`../x`) may not climb above the root, and an absolute link must start with the
//! root's own path. Whatever anyone swaps meanwhile, each step starts from a directory we
//! hold open, so the worst a swap can do is send us to another place inside the root.
//! The file we end on is checked with `fstat` on the open descriptor (a regular file,
//! not a device or a FIFO), never by name.
//!
//! Uploads use the same walk to open the directory that will hold the file, then create
//! the temporary file, rename it and remove it relative to that descriptor
//! (`openat`/`linkat`/`renameat`/`unlinkat`), so the file lands where it was checked.
//!
//! On Linux 5.6 and later, one system call does the whole walk for a download:
//! `openat2(root, "d/secret", RESOLVE_BENEATH)` fails instead of leaving the root. We try
//! it first and fall back to the walk when the kernel lacks it (`ENOSYS`), or when the
//! path holds an absolute link into the root, which `RESOLVE_BENEATH` refuses but we allow.
//! Other Unix systems (macOS, the BSDs) use the walk. Windows has no `openat` in the
//! standard library: there the server checks the canonical path and opens it, the race
//! described above stays possible, and a server on Windows should only serve a directory
//! that no untrusted user can write to.
//!
//! Temporary upload files are named `.tftp-upload-<32 random hex digits>.part`: the name
//! cannot be guessed, its length does not depend on the target's (so a 250-character file
//! name still fits the usual 255-byte limit), and [`Root::open_file`] refuses every name
//! of that shape, so nobody can read an unfinished upload.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The first part of every temporary upload's name.
pub const TEMP_PREFIX: &str = ".tftp-upload-";
/// The last part of every temporary upload's name.
pub const TEMP_SUFFIX: &str = ".part";

/// The most symlinks one name may pass through on its way to a file, as the kernel's
/// own limit (ELOOP after 40): a request under the server's root, and the client's
/// local path, both stop there.
pub const MOST_LINKS: u32 = 40;

/// Why a name under the root cannot be used.
#[derive(Debug)]
pub enum RootError {
    /// A `..` that climbs above the root, or a symlink that leads outside it.
    Outside,
    /// Nothing by that name, or a directory on the way is missing.
    NotFound,
    /// The name is a directory.
    IsDirectory,
    /// The name is not a regular file (a device, a FIFO, a socket).
    NotRegularFile,
    /// The name has the shape of an unfinished upload: never served or written.
    Unfinished,
    /// More than [`MOST_LINKS`] symlinks (a loop, most likely).
    TooManyLinks,
    /// The file system refused (permission denied, ...).
    Io(io::Error),
}

impl fmt::Display for RootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootError::Outside => write!(f, "access outside the root denied"),
            RootError::NotFound => write!(f, "file not found"),
            RootError::IsDirectory => write!(f, "that name is a directory, not a file"),
            RootError::NotRegularFile => write!(f, "not a regular file"),
            RootError::Unfinished => write!(f, "file not found"),
            RootError::TooManyLinks => write!(f, "too many symlinks"),
            RootError::Io(error) => write!(f, "{}", hostport::describe(error)),
        }
    }
}

impl std::error::Error for RootError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RootError::Io(error) => Some(error),
            _ => None,
        }
    }
}

/// True for a name shaped like one of our temporary upload files.
pub fn is_temporary_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// A fresh, unguessable temporary name (`.tftp-upload-<32 hex>.part`).
fn temporary_name() -> io::Result<String> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|error| io::Error::other(error.to_string()))?;
    let hex: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("{TEMP_PREFIX}{hex}{TEMP_SUFFIX}"))
}

/// What a directory entry is, seen without following a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Directory,
    Other,
}

/// The served directory, held open.
pub struct Root {
    /// The canonical path (symlinks resolved): absolute links must start with it.
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

/// A directory under the root, held open, where an upload is written and named.
pub struct Directory {
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl Root {
    /// Opens `path` as the root (it must be a directory).
    pub fn open(path: &Path) -> io::Result<Root> {
        let path = path.canonicalize()?;
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags, openat};
            let fd = openat(
                rustix::fs::CWD,
                &path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(Root { path, fd })
        }
        #[cfg(not(unix))]
        {
            if !path.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    "not a directory",
                ));
            }
            Ok(Root { path })
        }
    }

    /// The canonical path of the root.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the regular file at `parts` (names below the root, no `..`) for reading.
    pub fn open_file(&self, parts: &[&str]) -> Result<File, RootError> {
        if parts.last().is_some_and(|last| is_temporary_name(last)) {
            return Err(RootError::Unfinished);
        }
        #[cfg(target_os = "linux")]
        {
            if let Some(file) = self.open_beneath(parts)? {
                return Ok(file);
            }
        }
        #[cfg(unix)]
        {
            match self.walk(parts, Goal::File)? {
                Reached::File(file) => Ok(file),
                Reached::Parent(..) => Err(RootError::NotFound),
            }
        }
        #[cfg(not(unix))]
        {
            let path = self.checked_path(parts)?;
            let file = File::open(&path).map_err(map_io)?;
            let meta = file.metadata().map_err(RootError::Io)?;
            if meta.is_dir() {
                Err(RootError::IsDirectory)
            } else if !meta.is_file() {
                Err(RootError::NotRegularFile)
            } else {
                Ok(file)
            }
        }
    }

    /// The directory that holds (or will hold) the last of `parts`, and the name in it. A
    /// last part that is a symlink inside the root is followed to the name it points at.
    pub fn parent_of(&self, parts: &[&str]) -> Result<(Directory, String), RootError> {
        if parts.last().is_some_and(|last| is_temporary_name(last)) {
            return Err(RootError::Unfinished);
        }
        #[cfg(unix)]
        {
            match self.walk(parts, Goal::Parent)? {
                Reached::Parent(directory, name) => Ok((directory, name)),
                Reached::File(_) => Err(RootError::NotFound),
            }
        }
        #[cfg(not(unix))]
        {
            let (last, before) = parts.split_last().ok_or(RootError::NotFound)?;
            let directory = if before.is_empty() {
                self.path.clone()
            } else {
                self.checked_path(before)?
            };
            if !directory.is_dir() {
                return Err(RootError::NotFound);
            }
            let target = directory.join(last);
            if let Ok(real) = target.canonicalize() {
                if !real.starts_with(&self.path) {
                    return Err(RootError::Outside);
                }
            }
            Ok((Directory { path: directory }, (*last).to_string()))
        }
    }

    /// Windows and others: the canonical path of `parts`, checked to be under the root.
    /// Not safe against a concurrent swap (see the module docs).
    #[cfg(not(unix))]
    fn checked_path(&self, parts: &[&str]) -> Result<PathBuf, RootError> {
        let mut path = self.path.clone();
        for part in parts {
            path.push(part);
        }
        let real = path.canonicalize().map_err(map_io)?;
        if real.starts_with(&self.path) {
            Ok(real)
        } else {
            Err(RootError::Outside)
        }
    }

    /// Linux: one `openat2(RESOLVE_BENEATH)`. `None` when the walk must decide (no
    /// `openat2`, or a symlink the kernel would not follow beneath the root).
    #[cfg(target_os = "linux")]
    fn open_beneath(&self, parts: &[&str]) -> Result<Option<File>, RootError> {
        use rustix::fs::{Mode, ResolveFlags, openat2};
        let path = parts.join("/");
        match openat2(
            &self.fd,
            path.as_str(),
            read_flags(),
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        ) {
            Ok(fd) => regular_file(fd).map(Some),
            Err(rustix::io::Errno::NOENT) => Err(RootError::NotFound),
            Err(rustix::io::Errno::ACCESS) => Err(RootError::Io(io::Error::from(
                io::ErrorKind::PermissionDenied,
            ))),
            // ENOSYS (before Linux 5.6), EXDEV (an absolute link, or a way out), ELOOP
            // (the last name is a link), EAGAIN (a rename raced us): walk instead.
            Err(_) => Ok(None),
        }
    }

    /// Follows `parts` from the root one name at a time (see the module docs).
    #[cfg(unix)]
    fn walk(&self, parts: &[&str], goal: Goal) -> Result<Reached, RootError> {
        use std::collections::VecDeque;
        use std::os::fd::{AsFd, OwnedFd};

        use rustix::fs::{AtFlags, FileType, Mode, OFlags, openat, statat};

        // The directories entered below the root; empty means "at the root".
        let mut entered: Vec<OwnedFd> = Vec::new();
        let mut names: VecDeque<Vec<u8>> =
            parts.iter().map(|part| part.as_bytes().to_vec()).collect();
        let mut links = 0;
        while let Some(name) = names.pop_front() {
            match name.as_slice() {
                b"" | b"." => continue,
                b".." => {
                    // Only a symlink's target can say `..` (requests with it are refused
                    // earlier); it may go up, but never above the root.
                    if entered.pop().is_none() {
                        return Err(RootError::Outside);
                    }
                    continue;
                }
                _ => {}
            }
            let here = entered.last().map_or(self.fd.as_fd(), |fd| fd.as_fd());
            let last = names.is_empty();
            let opened = if !last {
                openat(
                    here,
                    name.as_slice(),
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map(Some)
            } else if goal == Goal::File {
                openat(here, name.as_slice(), read_flags(), Mode::empty()).map(Some)
            } else {
                // An upload's last name: it may not exist yet; only a link is followed.
                match statat(here, name.as_slice(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::Symlink => {
                        Err(rustix::io::Errno::LOOP)
                    }
                    _ => Ok(None),
                }
            };
            match opened {
                Ok(Some(fd)) if !last => entered.push(fd),
                Ok(Some(fd)) => return regular_file(fd).map(Reached::File),
                Ok(None) => {
                    let name = String::from_utf8(name).map_err(|_| RootError::NotFound)?;
                    if is_temporary_name(&name) {
                        return Err(RootError::Unfinished);
                    }
                    let directory = match entered.pop() {
                        Some(fd) => fd,
                        None => self.fd.try_clone().map_err(RootError::Io)?,
                    };
                    return Ok(Reached::Parent(Directory { fd: directory }, name));
                }
                Err(rustix::io::Errno::NOENT) => return Err(RootError::NotFound),
                Err(errno) => {
                    // A symlink shows up as ELOOP (Linux, macOS), EMLINK (FreeBSD) or
                    // ENOTDIR (O_DIRECTORY on some systems): ask what the name is.
                    let is_link = statat(here, name.as_slice(), AtFlags::SYMLINK_NOFOLLOW)
                        .is_ok_and(|stat| {
                            FileType::from_raw_mode(stat.st_mode) == FileType::Symlink
                        });
                    if !is_link {
                        return Err(match errno {
                            rustix::io::Errno::NOTDIR => RootError::NotFound,
                            other => RootError::Io(other.into()),
                        });
                    }
                    links += 1;
                    if links > MOST_LINKS {
                        return Err(RootError::TooManyLinks);
                    }
                    let target = rustix::fs::readlinkat(here, name.as_slice(), Vec::new())
                        .map_err(|errno| RootError::Io(errno.into()))?;
                    let target = target.into_bytes();
                    let rest: Vec<Vec<u8>> = if target.first() == Some(&b'/') {
                        // An absolute link is allowed only into the root: continue from
                        // the root with what follows the root's path.
                        use std::os::unix::ffi::OsStrExt;
                        let target = Path::new(std::ffi::OsStr::from_bytes(&target));
                        let inside = target
                            .strip_prefix(&self.path)
                            .map_err(|_| RootError::Outside)?;
                        entered.clear();
                        inside
                            .as_os_str()
                            .as_bytes()
                            .split(|byte| *byte == b'/')
                            .map(<[u8]>::to_vec)
                            .collect()
                    } else {
                        target
                            .split(|byte| *byte == b'/')
                            .map(<[u8]>::to_vec)
                            .collect()
                    };
                    for part in rest.into_iter().rev() {
                        names.push_front(part);
                    }
                    // A link to "." or to the root itself leaves nothing to open.
                    if names.iter().all(|part| part.is_empty() || part == b".") {
                        return Err(if goal == Goal::File {
                            RootError::IsDirectory
                        } else {
                            RootError::NotFound
                        });
                    }
                }
            }
        }
        Err(RootError::NotFound)
    }
}

#[cfg(unix)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// Open the last name as a regular file, for reading.
    File,
    /// Stop at the directory holding the last name (for an upload).
    Parent,
}

#[cfg(unix)]
enum Reached {
    File(File),
    Parent(Directory, String),
}

/// Flags to open a file we will read: never follow a last symlink, never block on a FIFO
/// (it is refused after the `fstat`), never become a terminal's controlling process.
#[cfg(unix)]
fn read_flags() -> rustix::fs::OFlags {
    use rustix::fs::OFlags;
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

/// Checks an open descriptor with `fstat`: only a regular file may be served.
#[cfg(unix)]
fn regular_file(fd: std::os::fd::OwnedFd) -> Result<File, RootError> {
    use rustix::fs::{FileType, fstat};
    let stat = fstat(&fd).map_err(|errno| RootError::Io(errno.into()))?;
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => Ok(File::from(fd)),
        FileType::Directory => Err(RootError::IsDirectory),
        _ => Err(RootError::NotRegularFile),
    }
}

#[cfg(not(unix))]
fn map_io(error: io::Error) -> RootError {
    match error.kind() {
        io::ErrorKind::NotFound => RootError::NotFound,
        _ => RootError::Io(error),
    }
}

impl Directory {
    /// What `name` is, without following a symlink; `None` when it does not exist.
    pub fn kind_of(&self, name: &str) -> io::Result<Option<EntryKind>> {
        #[cfg(unix)]
        {
            use rustix::fs::{AtFlags, FileType, statat};
            match statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::Directory => {
                    Ok(Some(EntryKind::Directory))
                }
                Ok(_) => Ok(Some(EntryKind::Other)),
                Err(rustix::io::Errno::NOENT) => Ok(None),
                Err(errno) => Err(errno.into()),
            }
        }
        #[cfg(not(unix))]
        {
            match std::fs::symlink_metadata(self.path.join(name)) {
                Ok(meta) if meta.is_dir() => Ok(Some(EntryKind::Directory)),
                Ok(_) => Ok(Some(EntryKind::Other)),
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(error),
            }
        }
    }

    /// Creates a new temporary file here, with a random name; returns it and its name.
    pub fn create_temporary(&self) -> io::Result<(File, String)> {
        let mut tries = 0;
        loop {
            let name = temporary_name()?;
            #[cfg(unix)]
            let created = {
                use rustix::fs::{Mode, OFlags, openat};
                openat(
                    &self.fd,
                    name.as_str(),
                    OFlags::WRONLY
                        | OFlags::CREATE
                        | OFlags::EXCL
                        | OFlags::NOFOLLOW
                        | OFlags::CLOEXEC,
                    Mode::from_raw_mode(0o644),
                )
                .map(File::from)
                .map_err(io::Error::from)
            };
            #[cfg(not(unix))]
            let created = File::options()
                .write(true)
                .create_new(true)
                .open(self.path.join(&name));
            match created {
                Ok(file) => return Ok((file, name)),
                // 128 random bits do not collide; a planted name might. Try another.
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && tries < 3 => {
                    tries += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Gives `temporary` the name `target`. With `overwrite` an existing `target` is
    /// replaced; without it the name must still be free (a hard link creates it only if
    /// nobody else did meanwhile; a rename would replace it).
    pub fn commit(&self, temporary: &str, target: &str, overwrite: bool) -> io::Result<()> {
        #[cfg(unix)]
        {
            use rustix::fs::{AtFlags, linkat, renameat};
            if overwrite {
                return renameat(&self.fd, temporary, &self.fd, target).map_err(io::Error::from);
            }
            match linkat(&self.fd, temporary, &self.fd, target, AtFlags::empty()) {
                Ok(()) => self.remove(temporary),
                Err(rustix::io::Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
                // A file system without hard links: a rename that refuses to replace.
                Err(_) => self.rename_no_replace(temporary, target),
            }
        }
        #[cfg(not(unix))]
        {
            let from = self.path.join(temporary);
            let to = self.path.join(target);
            if overwrite {
                return std::fs::rename(from, to);
            }
            match std::fs::hard_link(&from, &to) {
                Ok(()) => std::fs::remove_file(from),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(error),
                Err(_) if !to.exists() => std::fs::rename(from, to),
                Err(error) => Err(error),
            }
        }
    }

    #[cfg(unix)]
    fn rename_no_replace(&self, temporary: &str, target: &str) -> io::Result<()> {
        #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
        {
            use rustix::fs::{RenameFlags, renameat_with};
            renameat_with(
                &self.fd,
                temporary,
                &self.fd,
                target,
                RenameFlags::NOREPLACE,
            )
            .map_err(io::Error::from)
        }
        #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
        {
            // Check, then rename: a small window, on file systems without hard links only.
            if self.kind_of(target)?.is_some() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            rustix::fs::renameat(&self.fd, temporary, &self.fd, target).map_err(io::Error::from)
        }
    }

    /// Removes `name` (a temporary file that will not be committed).
    pub fn remove(&self, name: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            rustix::fs::unlinkat(&self.fd, name, rustix::fs::AtFlags::empty())
                .map_err(io::Error::from)
        }
        #[cfg(not(unix))]
        {
            std::fs::remove_file(self.path.join(name))
        }
    }
}

/// Splits a requested file name into the parts to follow below the root.
///
/// A leading `/` is taken as relative to the root (`/hello.txt` is `hello.txt`), empty and
/// `.` parts are skipped, and any `..` part is refused: it is how a request climbs out of
/// the root (`../etc/passwd`, `a/../../x`). Backslashes count as separators too, since
/// some Windows clients send them.
pub fn path_parts(requested: &str) -> Result<Vec<&str>, PathRefused> {
    // exercise 4.3: begin
    let mut parts = Vec::new();
    for part in requested.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(PathRefused::ParentDirectory),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(PathRefused::NoFileName);
    }
    Ok(parts)
    // exercise 4.3: end
}

/// Why a requested path is refused before the file system is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRefused {
    /// A `..` part.
    ParentDirectory,
    /// Nothing left after removing `/` and `.`.
    NoFileName,
}

#[cfg(test)]
#[path = "exercise_tests/root.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_random_and_of_fixed_length() {
        let first = temporary_name().unwrap();
        let second = temporary_name().unwrap();
        assert_ne!(first, second);
        assert_eq!(first.len(), TEMP_PREFIX.len() + 32 + TEMP_SUFFIX.len());
        assert!(is_temporary_name(&first));
        assert!(!is_temporary_name("notes.part"));
    }

    /// A scratch directory holding `root/` and `outside/` (its path made canonical, as
    /// the walk's answers are), removed when dropped.
    #[cfg(unix)]
    struct Tree {
        path: PathBuf,
        _scratch: testkit::Scratch,
    }

    #[cfg(unix)]
    impl Tree {
        fn new(name: &str) -> Tree {
            let scratch = testkit::Scratch::new(&format!("tftp-root-{name}"));
            scratch.write("root/sub/file.txt", b"inside");
            scratch.write("outside/secret.txt", b"outside");
            Tree {
                path: scratch.path.canonicalize().unwrap(),
                _scratch: scratch,
            }
        }

        fn root(&self) -> Root {
            Root::open(&self.path.join("root")).unwrap()
        }

        fn link(&self, target: impl AsRef<Path>, name: &str) {
            std::os::unix::fs::symlink(target, self.path.join("root").join(name)).unwrap();
        }
    }

    /// Reads `parts` with the one-name-at-a-time walk (what systems without `openat2`
    /// use, and what Linux falls back to).
    #[cfg(unix)]
    fn walk_and_read(root: &Root, parts: &[&str]) -> Result<String, RootError> {
        use std::io::Read;
        match root.walk(parts, Goal::File)? {
            Reached::File(mut file) => {
                let mut text = String::new();
                file.read_to_string(&mut text).map_err(RootError::Io)?;
                Ok(text)
            }
            Reached::Parent(..) => panic!("asked for a file"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_walk_follows_links_that_stay_inside_and_refuses_the_others() {
        let tree = Tree::new("walk");
        tree.link("sub/file.txt", "relative");
        tree.link(tree.path.join("root/sub/file.txt"), "absolute");
        tree.link("sub", "subdir");
        tree.link("../outside/secret.txt", "climbs");
        tree.link(tree.path.join("outside/secret.txt"), "leaves");
        tree.link(tree.path.join("outside"), "outdir");
        tree.link("loop", "loop");
        let root = tree.root();
        assert_eq!(walk_and_read(&root, &["relative"]).unwrap(), "inside");
        assert_eq!(walk_and_read(&root, &["absolute"]).unwrap(), "inside");
        assert_eq!(
            walk_and_read(&root, &["subdir", "file.txt"]).unwrap(),
            "inside"
        );
        for parts in [&["climbs"][..], &["leaves"], &["outdir", "secret.txt"]] {
            assert!(
                matches!(walk_and_read(&root, parts), Err(RootError::Outside)),
                "{parts:?}"
            );
        }
        assert!(matches!(
            walk_and_read(&root, &["loop"]),
            Err(RootError::TooManyLinks)
        ));
        assert!(matches!(
            walk_and_read(&root, &["sub"]),
            Err(RootError::IsDirectory)
        ));
        // The same answers through open_file (openat2 first on Linux).
        assert!(matches!(
            root.open_file(&["leaves"]),
            Err(RootError::Outside)
        ));
        assert!(root.open_file(&["absolute"]).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tree = Tree::new("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(tree.path.join("root/pipe"))
            .status()
            .unwrap();
        assert!(status.success());
        let root = tree.root();
        assert!(matches!(
            walk_and_read(&root, &["pipe"]),
            Err(RootError::NotRegularFile)
        ));
        assert!(matches!(
            root.open_file(&["pipe"]),
            Err(RootError::NotRegularFile)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn an_upload_through_a_link_out_of_the_root_is_refused() {
        let tree = Tree::new("upload");
        tree.link(tree.path.join("outside"), "outdir");
        tree.link(tree.path.join("outside/new.txt"), "planted");
        let root = tree.root();
        assert!(matches!(
            root.parent_of(&["outdir", "x"]),
            Err(RootError::Outside)
        ));
        assert!(matches!(
            root.parent_of(&["planted"]),
            Err(RootError::Outside)
        ));
        let (directory, name) = root.parent_of(&["sub", "new.txt"]).unwrap();
        assert_eq!(name, "new.txt");
        let (mut file, temporary) = directory.create_temporary().unwrap();
        std::io::Write::write_all(&mut file, b"new").unwrap();
        directory.commit(&temporary, &name, false).unwrap();
        assert_eq!(
            std::fs::read(tree.path.join("root/sub/new.txt")).unwrap(),
            b"new"
        );
        assert!(directory.kind_of(&temporary).unwrap().is_none());
    }
}
