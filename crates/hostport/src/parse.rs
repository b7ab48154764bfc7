//! Reading `HOST:PORT` text: where the host ends and the port begins, before anything is
//! looked up.

use std::net::IpAddr;

use crate::AddressError;

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
}
