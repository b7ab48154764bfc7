//! The file name of a request, split into the parts the server follows below its root
//! (`tftp::root::path_parts`). Whatever the name, no part may climb out (`..`), be
//! empty or `.`, or still hold a separator.
//!
//! The resolution against the file system itself (symlinks, `openat2`) is not fuzzed
//! here: it needs a real directory tree and is covered by the server's tests.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tftp::root::path_parts;

fuzz_target!(|name: &str| {
    let Ok(parts) = path_parts(name) else {
        return;
    };
    assert!(!parts.is_empty());
    for part in &parts {
        assert!(!part.is_empty(), "empty part in {name:?}");
        assert!(*part != "." && *part != "..", "{part:?} kept in {name:?}");
        assert!(!part.contains(['/', '\\']), "separator left in {part:?}");
    }
    // Joining the parts again gives a name that splits the same way.
    assert_eq!(path_parts(&parts.join("/")).as_deref(), Ok(&parts[..]));
});
