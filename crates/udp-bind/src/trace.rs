//! `--trace`: each socket call printed on stderr in the notes' terms, so the student
//! sees which calls a command makes and which port the OS picked.

use std::fmt;

/// Prints socket calls to stderr in the notes' terms (`bind(0.0.0.0:7788)`,
/// `sendto(127.0.0.1:7788, 6 bytes)`), when `--trace` asked for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trace {
    enabled: bool,
}

impl Trace {
    /// Prints nothing.
    pub const OFF: Trace = Trace { enabled: false };
    /// Prints each socket call on stderr.
    pub const STDERR: Trace = Trace { enabled: true };

    /// Trace on or off.
    pub fn new(enabled: bool) -> Trace {
        Trace { enabled }
    }

    /// Prints one line, when tracing.
    pub fn say(&self, line: fmt::Arguments<'_>) {
        if self.enabled {
            eprintln!("{line}");
        }
    }
}
