//! `HOST:PORT` as every binary takes it (`localhost:7788`, `[::1]:69`, `127.0.0.1`
//! with a default port): any text is split or refused without a panic, and an accepted
//! host and port written back (`[V6]:PORT` for IPv6) split the same. Nothing is looked
//! up: a name is never resolved here, only IP literals.
#![no_main]

use std::net::{IpAddr, SocketAddr};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    default_port: Option<u16>,
    text: &'a str,
}

/// Host text that survives being written back: a name or an IP literal.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:%".contains(&b))
}

fuzz_target!(|input: Input<'_>| {
    let (host, port) = match hostport::split(input.text, input.default_port) {
        Ok(split) => split,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        // An IP literal is used as it is, without a lookup.
        assert_eq!(
            hostport::resolve(input.text, input.default_port),
            Ok(SocketAddr::new(ip, port))
        );
    }
    if is_plain_host(&host) {
        let written = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        assert_eq!(
            hostport::split(&written, None),
            Ok((host, port)),
            "{written}"
        );
    }
});
