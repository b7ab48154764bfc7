//! Everything that can go wrong in this crate, one variant per failure, each read as a
//! sentence by `Display`, with a `hint` for the common causes and the exit status.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::wording::seconds;

/// Everything that can go wrong in this crate, each as a sentence for the student.
#[derive(Debug)]
pub enum Error {
    /// `bind` failed: address in use, privileged port, or not an address of this machine.
    Bind {
        explained: hostport::Explained,
        /// True when the cause was "address in use", so `--reuse-port` is worth a mention.
        in_use: bool,
    },
    /// This operating system has no `SO_REUSEPORT` (Windows, for example).
    ReusePortUnsupported,
    /// Creating or configuring a socket failed.
    Setup {
        what: &'static str,
        source: io::Error,
    },
    /// `sendto` failed.
    Send { to: SocketAddr, source: io::Error },
    /// `sendto` to a broadcast address was refused (`EACCES`): no `SO_BROADCAST`.
    BroadcastRefused { to: SocketAddr },
    /// IPv6 has no broadcast at all (it uses multicast instead).
    NoBroadcastInIpv6 { to: IpAddr },
    /// `recvfrom` failed.
    Receive { source: io::Error },
    /// Nothing arrived before the timeout.
    Silence { waited: Duration },
    /// We sent a request and no reply came back before the timeout.
    NoReply { from: SocketAddr, waited: Duration },
    /// The message cannot be written in the chosen encoding.
    Encode(wire_text::EncodeError),
    /// Reading standard input failed.
    Input(io::Error),
    /// Writing our output failed.
    Output(io::Error),
}

/// What `main` reports besides the message: the hint and the exit status.
impl say::Explain for Error {
    /// A suggestion for the common causes, printed as `hint: ...` by the binary.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Bind { explained, in_use } => {
                let hint = explained.hint.clone()?;
                if *in_use {
                    Some(format!(
                        "{hint}; or, to share the port on purpose, start every receiver with --reuse-port"
                    ))
                } else {
                    Some(hint)
                }
            }
            Error::ReusePortUnsupported => Some(
                "run without --reuse-port, or try the lesson on Linux or macOS".to_string(),
            ),
            Error::BroadcastRefused { .. } => Some(
                "set SO_BROADCAST before sending, as Python does with \
                 s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1); udp-bind does it unless \
                 --without-so-broadcast"
                    .to_string(),
            ),
            Error::NoBroadcastInIpv6 { .. } => Some(
                "use an IPv4 broadcast address such as 127.255.255.255 (loopback)".to_string(),
            ),
            Error::Silence { .. } => Some(
                "UDP tells nobody when a datagram goes nowhere: check the sender's address and port"
                    .to_string(),
            ),
            Error::NoReply { from, .. } => Some(format!(
                "UDP reports nothing when no one listens: is a server (cargo run -q -p udp-bind -- echo --port {}) running at {from}?",
                from.port()
            )),
            _ => None,
        }
    }

    /// The exit status the binary uses: 2 for bad input, 1 for everything at run time.
    fn exit_code(&self) -> u8 {
        match self {
            Error::Encode(_) | Error::NoBroadcastInIpv6 { .. } => 2,
            _ => 1,
        }
    }

    /// Our stdout's reader went away (`udp-bind recv | head -2`): nobody is left to
    /// tell, so the command ends quietly with success, like any Unix filter.
    fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Output(source) if say::is_closed_pipe(source))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind { explained, .. } => write!(f, "{}", explained.message),
            Error::ReusePortUnsupported => {
                write!(f, "SO_REUSEPORT is not available on this operating system")
            }
            Error::Setup { what, source } => {
                write!(f, "{what}: {}", hostport::describe(source))
            }
            Error::Send { to, source } => {
                write!(f, "sendto({to}) failed: {}", hostport::describe(source))
            }
            Error::BroadcastRefused { to } => write!(
                f,
                "sendto({to}) was refused with EACCES (permission denied): a socket must ask \
                 for broadcast (SO_BROADCAST) before it may send to a broadcast address"
            ),
            Error::NoBroadcastInIpv6 { to } => write!(
                f,
                "{to} is an IPv6 address, and IPv6 has no broadcast (it uses multicast, such as ff02::1)"
            ),
            Error::Receive { source } => {
                write!(f, "recvfrom failed: {}", hostport::describe(source))
            }
            Error::Silence { waited } => {
                write!(f, "no datagram arrived within {}", seconds(*waited))
            }
            Error::NoReply { from, waited } => {
                write!(f, "no reply from {from} within {}", seconds(*waited))
            }
            Error::Encode(error) => write!(f, "{error}"),
            Error::Input(error) => {
                write!(f, "reading standard input: {}", hostport::describe(error))
            }
            Error::Output(error) => write!(f, "writing output: {}", hostport::describe(error)),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Setup { source, .. }
            | Error::Send { source, .. }
            | Error::Receive { source } => Some(source),
            Error::Encode(error) => Some(error),
            Error::Input(error) | Error::Output(error) => Some(error),
            _ => None,
        }
    }
}
