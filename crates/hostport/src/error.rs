//! Why an address could not be used: one variant per mistake, each a sentence for the
//! student.

use std::fmt;

/// Why an address could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// No `:PORT` part, and no default port applies.
    MissingPort { text: String },
    /// Only a number, where a host and a port were wanted (`7788`): the host is missing.
    PortWithoutHost { text: String },
    /// The port is not a number from 0 to 65535.
    BadPort { text: String, port: String },
    /// An IPv6 address without brackets, such as `::1:69`.
    Ipv6NeedsBrackets { text: String },
    /// Looking the host name up failed (unknown name, no DNS server reachable, ...).
    UnknownHost { text: String, reason: String },
    /// The lookup worked, but the name has no address.
    NoAddresses { text: String },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::MissingPort { text } => write!(
                f,
                "address '{text}' has no port: write HOST:PORT, for example 127.0.0.1:7788"
            ),
            AddressError::PortWithoutHost { text } => write!(
                f,
                "'{text}' is a port without a host: write HOST:PORT, for example 127.0.0.1:{text}"
            ),
            AddressError::BadPort { text, port } => write!(
                f,
                "address '{text}': port '{port}' is not a number from 0 to 65535"
            ),
            AddressError::Ipv6NeedsBrackets { text } => write!(
                f,
                "address '{text}': put an IPv6 address in brackets, for example [::1]:7788"
            ),
            AddressError::UnknownHost { text, reason } => {
                write!(f, "cannot resolve host in '{text}': {reason}")
            }
            AddressError::NoAddresses { text } => write!(
                f,
                "cannot resolve host in '{text}': the name has no addresses"
            ),
        }
    }
}

impl std::error::Error for AddressError {}
