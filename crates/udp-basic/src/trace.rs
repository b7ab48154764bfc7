//! `--trace`: each socket call printed as it happens, in the notes' terms
//! (`socket(AF_INET, SOCK_DGRAM)`, `bind(0.0.0.0:0) -> 0.0.0.0:53211`), so the student
//! sees the calls behind every command.

use std::fmt;
use std::io::{self, Write};

/// Prints each socket call to stderr as it happens, in the notes' terms, when enabled
/// (`--trace`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Trace {
    pub enabled: bool,
}

impl Trace {
    pub fn on() -> Trace {
        Trace { enabled: true }
    }

    /// Prints one line to stderr when tracing.
    pub fn call(&self, line: fmt::Arguments<'_>) {
        if self.enabled {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{line}");
        }
    }
}
