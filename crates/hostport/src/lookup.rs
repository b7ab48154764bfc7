//! Resolving `HOST:PORT` to a socket address, looking a name up like `getaddrinfo`.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use crate::{AddressError, split};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
