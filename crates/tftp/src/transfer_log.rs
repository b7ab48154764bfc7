//! One line of the server's log for each transfer: who asked for what, and how it went
//! (exercise 4.4).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::packet::{Direction, Mode, TftpOption};

/// One line of the server's log: who asked for what, and how it went.
#[derive(Debug, Clone)]
pub struct TransferLog {
    pub peer: SocketAddr,
    pub direction: Direction,
    pub filename: String,
    pub mode: Mode,
    /// The options agreed, as `name=value` (empty when none).
    pub options: Vec<TftpOption>,
    /// Bytes of file moved (on success), or why it failed.
    pub outcome: Result<u64, String>,
    pub duration: Duration,
}

impl fmt::Display for TransferLog {
    /// `127.0.0.1:53211 read "hello.txt" octet blksize=1468: 12 bytes in 0.003 s`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // exercise 4.4: begin
        let direction = match self.direction {
            Direction::Read => "read",
            Direction::Write => "write",
        };
        write!(
            f,
            "{} {direction} {:?} {}",
            self.peer, self.filename, self.mode
        )?;
        for option in &self.options {
            write!(f, " {}={}", option.name, option.value)?;
        }
        let seconds = self.duration.as_secs_f64();
        match &self.outcome {
            Ok(bytes) => write!(f, ": {bytes} bytes in {seconds:.3} s"),
            Err(why) => write!(f, ": failed after {seconds:.3} s: {why}"),
        }
        // exercise 4.4: end
    }
}

#[cfg(test)]
#[path = "exercise_tests/transfer_log.rs"]
mod exercise_tests;
