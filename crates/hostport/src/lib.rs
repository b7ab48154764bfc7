//! `HOST:PORT` addresses, as every netlab binary takes them.
//!
//! Python's socket calls take a tuple, `("127.0.0.1", 7788)`; on a command line we write
//! `127.0.0.1:7788`, `localhost:7788` or `[::1]:7788` (IPv6 needs the brackets, because
//! the address itself contains colons). [`resolve`] turns such text into a
//! [`SocketAddr`], looking the name up like `getaddrinfo` does, and [`explain_bind_error`]
//! turns the error of a failed `bind` into a sentence and a hint a student can act on.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

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

/// Splits `HOST:PORT` (or `[V6]:PORT`, or just `HOST` when `default_port` is given)
/// into the host text and the port, without looking anything up.
pub fn split(text: &str, default_port: Option<u16>) -> Result<(String, u16), AddressError> {
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        // [v6] or [v6]:port
        let Some((host, after)) = rest.split_once(']') else {
            return Err(AddressError::Ipv6NeedsBrackets {
                text: text.to_string(),
            });
        };
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => {
                return Err(AddressError::BadPort {
                    text: text.to_string(),
                    port: after.to_string(),
                });
            }
        }
    } else if text.matches(':').count() > 1 {
        // A bare IPv6 address is fine when a default port applies ("::1").
        if text.parse::<IpAddr>().is_ok() && default_port.is_some() {
            (text, None)
        } else {
            return Err(AddressError::Ipv6NeedsBrackets {
                text: text.to_string(),
            });
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        Some(port) => port.parse::<u16>().map_err(|_| AddressError::BadPort {
            text: text.to_string(),
            port: port.to_string(),
        })?,
        None if default_port.is_none() && text.parse::<u16>().is_ok() => {
            return Err(AddressError::PortWithoutHost {
                text: text.to_string(),
            });
        }
        None => default_port.ok_or_else(|| AddressError::MissingPort {
            text: text.to_string(),
        })?,
    };
    let host = if host.is_empty() { "0.0.0.0" } else { host };
    Ok((host.to_string(), port))
}

/// Resolves `HOST:PORT` to one socket address. An IP literal is used as it is; a name is
/// looked up (like Python's `getaddrinfo`), preferring IPv4 when the name has both, so
/// `localhost` means `127.0.0.1` as in the notes.
pub fn resolve(text: &str, default_port: Option<u16>) -> Result<SocketAddr, AddressError> {
    let (host, port) = split(text, default_port)?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let found: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|error| AddressError::UnknownHost {
            text: text.trim().to_string(),
            reason: error.to_string(),
        })?
        .collect();
    found
        .iter()
        .find(|address| address.is_ipv4())
        .or_else(|| found.first())
        .copied()
        .ok_or_else(|| AddressError::NoAddresses {
            text: text.trim().to_string(),
        })
}

/// A failed `bind`, explained: a one-line message and, where the cause is common, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub message: String,
    pub hint: Option<String>,
}

/// Explains why `bind(address)` failed for `protocol` (`"udp"` or `"tcp"`).
pub fn explain_bind_error(error: &io::Error, address: SocketAddr, protocol: &str) -> Explained {
    let message = format!("binding {protocol} {address}: {}", describe(error));
    let hint = match error.kind() {
        io::ErrorKind::AddrInUse => Some(format!(
            "another process already holds {protocol} port {port} on this address; stop it \
             (find it with `ss -{flag}lpn sport = :{port}`) or pick another port",
            port = address.port(),
            flag = if protocol == "udp" { "u" } else { "t" },
        )),
        io::ErrorKind::PermissionDenied if address.port() < 1024 => Some(format!(
            "ports below 1024 are privileged: run as root, or pick a high port such as {}",
            suggest_high_port(address.port())
        )),
        io::ErrorKind::AddrNotAvailable => Some(format!(
            "{} is not an address of this machine: use 127.0.0.1 (loopback) or 0.0.0.0 (every interface)",
            address.ip()
        )),
        _ => None,
    };
    Explained { message, hint }
}

/// A high port that keeps a familiar shape: 69 becomes 6969, 53 becomes 5353.
pub fn suggest_high_port(port: u16) -> u16 {
    if port == 0 {
        return 7788;
    }
    let doubled = format!("{port}{port}");
    doubled.parse::<u16>().unwrap_or(7788).max(1024)
}

/// An `io::Error` as a short lower-case phrase without the "(os error 98)" suffix.
pub fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_number_is_a_port_without_a_host() {
        assert_eq!(
            split("7788", None),
            Err(AddressError::PortWithoutHost {
                text: "7788".to_string()
            })
        );
        // With a default port, a number is a host name like any other word.
        assert_eq!(split("7788", Some(69)), Ok(("7788".to_string(), 69)));
        assert_eq!(
            split("localhost", None),
            Err(AddressError::MissingPort {
                text: "localhost".to_string()
            })
        );
    }

    #[test]
    fn ipv4_with_port() {
        assert_eq!(
            resolve("127.0.0.1:7788", None).unwrap(),
            "127.0.0.1:7788".parse().unwrap()
        );
    }

    #[test]
    fn localhost_prefers_ipv4() {
        assert_eq!(
            resolve("localhost:7788", None).unwrap(),
            "127.0.0.1:7788".parse().unwrap()
        );
    }

    #[test]
    fn ipv6_in_brackets_and_default_port() {
        assert_eq!(
            resolve("[::1]:69", None).unwrap(),
            "[::1]:69".parse().unwrap()
        );
        assert_eq!(
            resolve("[::1]", Some(69)).unwrap(),
            "[::1]:69".parse().unwrap()
        );
        assert_eq!(
            resolve("127.0.0.1", Some(69)).unwrap(),
            "127.0.0.1:69".parse().unwrap()
        );
    }

    #[test]
    fn empty_host_means_every_interface_like_python() {
        // Python's bind(('', 7788)).
        assert_eq!(
            resolve(":7788", None).unwrap(),
            "0.0.0.0:7788".parse().unwrap()
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert!(matches!(
            resolve("127.0.0.1", None),
            Err(AddressError::MissingPort { .. })
        ));
        assert!(matches!(
            resolve("127.0.0.1:70000", None),
            Err(AddressError::BadPort { .. })
        ));
        assert!(matches!(
            resolve("::1:69", None),
            Err(AddressError::Ipv6NeedsBrackets { .. })
        ));
        assert!(matches!(
            resolve("no-such-host.invalid:1", None),
            Err(AddressError::UnknownHost { .. })
        ));
    }

    #[test]
    fn address_in_use_gets_a_hint() {
        let held = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = held.local_addr().unwrap();
        let error = std::net::UdpSocket::bind(address).unwrap_err();
        let explained = explain_bind_error(&error, address, "udp");
        assert!(
            explained.message.contains("address already in use"),
            "{explained:?}"
        );
        assert!(explained.hint.unwrap().contains("pick another port"));
    }

    #[test]
    fn high_port_suggestions_keep_the_shape() {
        assert_eq!(suggest_high_port(69), 6969);
        assert_eq!(suggest_high_port(53), 5353);
        assert_eq!(suggest_high_port(80), 8080);
    }
}
