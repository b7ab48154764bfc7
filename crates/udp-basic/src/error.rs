//! Everything that can go wrong in this crate, one variant per failure, each read as a
//! sentence by `Display`, with a `hint` for the common causes and the exit status.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use wire_text::EncodeError;

use crate::MAX_DATAGRAM;

/// Everything that can go wrong in this crate.
#[derive(Debug)]
pub enum UdpError {
    /// `bind` failed: the port is in use, privileged, or the address is not ours.
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
    /// Creating or configuring the socket failed.
    Socket {
        doing: &'static str,
        source: io::Error,
    },
    /// `sendto` failed (for UDP this is rare: no receiver is not an error).
    Send {
        destination: SocketAddr,
        source: io::Error,
    },
    /// `recvfrom` failed for a reason other than the timeout.
    Receive { source: io::Error },
    /// Nothing arrived within the timeout.
    Timeout { waited: Duration, port: u16 },
    /// The message cannot be written in the chosen encoding.
    Encode(EncodeError),
    /// The datagram would be larger than UDP allows.
    TooLarge { size: usize },
    /// Writing our own output failed (for example a closed pipe).
    Output(io::Error),
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdpError::Bind { address, source } => {
                let explained = hostport::explain_bind_error(source, *address, "udp");
                write!(f, "{}", explained.message)
            }
            UdpError::Socket { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            UdpError::Send {
                destination,
                source,
            } => write!(
                f,
                "sendto({destination}) failed: {}",
                hostport::describe(source)
            ),
            UdpError::Receive { source } => {
                write!(f, "recvfrom failed: {}", hostport::describe(source))
            }
            UdpError::Timeout { waited, .. } => {
                write!(f, "no datagram arrived within {} s", waited.as_secs_f64())
            }
            UdpError::Encode(error) => write!(f, "{error}"),
            UdpError::TooLarge { size } => write!(
                f,
                "{size} bytes do not fit in one UDP datagram (at most {MAX_DATAGRAM} over IPv4)"
            ),
            UdpError::Output(source) => {
                write!(f, "writing output: {}", hostport::describe(source))
            }
        }
    }
}

impl std::error::Error for UdpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UdpError::Bind { source, .. }
            | UdpError::Socket { source, .. }
            | UdpError::Send { source, .. }
            | UdpError::Receive { source }
            | UdpError::Output(source) => Some(source),
            UdpError::Encode(error) => Some(error),
            UdpError::Timeout { .. } | UdpError::TooLarge { .. } => None,
        }
    }
}

/// What `main` reports besides the message: the hint, the exit status, and whether
/// this is only a closed output pipe.
impl say::Explain for UdpError {
    /// What the student can do about it, where the cause is common.
    fn hint(&self) -> Option<String> {
        match self {
            UdpError::Bind { address, source } => {
                hostport::explain_bind_error(source, *address, "udp").hint
            }
            UdpError::Timeout { port, .. } => Some(format!(
                "is the sender pointed at port {port}? UDP gives the sender no error when nobody \
                 listens, so check the address on both sides"
            )),
            _ => None,
        }
    }

    /// The exit status DESIGN.md asks for: 2 for bad input, 1 for a failure at run time.
    fn exit_code(&self) -> u8 {
        match self {
            UdpError::Encode(_) | UdpError::TooLarge { .. } => 2,
            _ => 1,
        }
    }

    /// Our output went to a pipe that closed (`| head`): nothing left to say.
    fn is_closed_pipe(&self) -> bool {
        matches!(self, UdpError::Output(source) if say::is_closed_pipe(source))
    }
}

impl From<EncodeError> for UdpError {
    fn from(error: EncodeError) -> Self {
        UdpError::Encode(error)
    }
}
