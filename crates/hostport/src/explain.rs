//! A failed `bind` or another `io::Error`, said in words a student can act on.

use std::io;
use std::net::SocketAddr;

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
