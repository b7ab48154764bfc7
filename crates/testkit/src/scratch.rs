//! [`Scratch`]: a directory of a test's own, removed when the test ends, even when it
//! fails.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A new, empty directory under the system's temporary directory, named
/// `netlab-NAME-PID-N`: tests running at the same time, in this process or another,
/// never share one. Removed with everything in it when dropped.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "netlab-{name}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        // Left over from an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", path.display()));
        Scratch { path }
    }

    /// A path inside the directory (nothing is created).
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `bytes` to `name` inside the directory, making its parents; returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The names in the directory, sorted (hidden ones too: a stray temporary file shows).
    pub fn names(&self) -> Vec<String> {
        names_in(&self.path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The names in `dir`, sorted, hidden ones too.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::Scratch;

    #[test]
    fn each_scratch_is_new_and_empty_and_gone_after_the_drop() {
        let first = Scratch::new("scratch-test");
        let second = Scratch::new("scratch-test");
        assert_ne!(first.path, second.path);
        assert!(first.names().is_empty());
        let file = first.write("sub/file.txt", b"hello");
        assert_eq!(std::fs::read(&file).unwrap(), b"hello");
        assert_eq!(first.names(), ["sub"]);
        let path = first.path.clone();
        drop(first);
        assert!(!path.exists(), "{} is still there", path.display());
        assert!(second.path.is_dir());
    }
}
