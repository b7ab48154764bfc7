//! Why the wait for the first datagram could not even begin or failed on the socket.

use std::fmt;
use std::io;

/// Why [`wait_for_first_datagram`](crate::wait_for_first_datagram) could not wait.
#[derive(Debug)]
pub enum WaitError {
    /// Clearing the socket's receive timeout (`SO_RCVTIMEO`) failed.
    ClearTimeout(io::Error),
    /// The `recvfrom` that waits (a peek) failed.
    Receive(io::Error),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::ClearTimeout(source) => write!(
                f,
                "clearing the receive timeout: {}",
                hostport::describe(source)
            ),
            WaitError::Receive(source) => {
                write!(f, "recvfrom failed: {}", hostport::describe(source))
            }
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::ClearTimeout(source) | WaitError::Receive(source) => Some(source),
        }
    }
}

/// A failure to wait is a failure at run time (exit status 1), with no hint.
impl say::Explain for WaitError {}
