//! The "running tests" line a long command shows while cargo works.

use std::io::{self, IsTerminal, Write};

/// The "running tests" line on stderr. On a terminal it is rewritten in place and erased
/// at the end; elsewhere (a pipe, a CI log) each step is a line of its own.
pub struct ProgressLine {
    terminal: bool,
    shown: bool,
    /// Off when several gradings run at once (`grade --roster`): their lines would mix.
    pub enabled: bool,
}

impl ProgressLine {
    pub fn new() -> ProgressLine {
        ProgressLine {
            terminal: io::stderr().is_terminal(),
            shown: false,
            enabled: true,
        }
    }

    pub fn show(&mut self, text: &str) {
        if !self.enabled {
            return;
        }
        let mut stderr = io::stderr().lock();
        if self.terminal {
            let _ = write!(stderr, "\r\x1b[K{text}");
        } else {
            let _ = writeln!(stderr, "{text}");
        }
        let _ = stderr.flush();
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.terminal && self.shown {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
        self.shown = false;
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.clear();
    }
}
