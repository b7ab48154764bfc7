//! What can go wrong when running a netlab command, and the exit code each gets.

use std::fmt;

/// A command that could not do its job. A check whose tests fail is not an error (it did
/// its job, and exits 1 without an `error:` line); a missing exercise or an unreadable
/// file is.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// What to try next, printed as `hint: ...`.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line asked for something that does not exist (exit code 2).
    Usage,
    /// Something failed while doing it: a file, cargo itself (exit code 1).
    Runtime,
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn runtime(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Runtime,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Runtime => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

/// Wraps an I/O error with what we were doing: `writing ci/x.yml: permission denied`.
pub fn io_error(doing: impl fmt::Display) -> impl FnOnce(std::io::Error) -> Error {
    move |error| Error::runtime(format!("{doing}: {error}"))
}
