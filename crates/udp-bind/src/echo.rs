//! Echo: the first request/response protocol.
//!
//! An echo server (RFC 862 describes the classic one on port 7) sends every datagram
//! back to whoever sent it. UDP has no connection, so the only way to know where
//! "back" is, is the sender address that `recvfrom` returns with each datagram: the
//! server keeps no list of clients, and one socket serves them all.
//!
//! ```text
//! client 127.0.0.1:53211                    server 0.0.0.0:7788
//!   sendto(127.0.0.1:7788, "hello")  ----->  recvfrom -> 5 bytes from 127.0.0.1:53211
//!   recvfrom -> "hello"              <-----  sendto(127.0.0.1:53211, "hello")
//! ```

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use crate::{Error, MAX_DATAGRAM, Trace, receive_from, send_to};

/// How the echo server runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoOptions {
    /// Stop after answering this many datagrams (`None`: run until stopped).
    pub count: Option<u64>,
    /// Reply in upper case (`echo --upper`, exercise 2.1).
    pub upper: bool,
    /// Give up (an error) when no datagram arrives for this long (`None`: wait forever).
    pub timeout: Option<Duration>,
}

/// What the server did, for its last line: `served 3 datagrams from 2 clients`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoSummary {
    pub datagrams: u64,
    pub clients: usize,
}

/// The reply `echo --upper` sends: the request with ASCII letters in upper case (other
/// bytes, such as the bytes of 你好 in UTF-8 or GBK, unchanged).
pub fn shout(request: &[u8]) -> Vec<u8> {
    // exercise 2.1: begin
    request.to_ascii_uppercase()
    // exercise 2.1: end
}

/// The clients an echo server has seen, numbered from 1 in the order they first wrote.
///
/// A client is an address *and* a port: two `udp-bind send` runs from one machine are two
/// clients, because each run gets a new port from the OS (unless `--from-port`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clients {
    seen: Vec<SocketAddr>,
}

impl Clients {
    /// Notes a datagram from `from` and returns that client's number: a new number for a
    /// new address, the same number again for a client seen before.
    pub fn record(&mut self, from: SocketAddr) -> usize {
        // exercise 2.2: begin
        if let Some(index) = self.seen.iter().position(|seen| *seen == from) {
            return index + 1;
        }
        self.seen.push(from);
        self.seen.len()
        // exercise 2.2: end
    }

    /// How many different clients were seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True before the first datagram.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// The echo server loop: receive a datagram, send it back to the address it came from
/// (upper-cased with `options.upper`, see [`shout`]), and print one line per datagram:
/// `echoed 5 bytes to 127.0.0.1:53211 (client #1)`. Stops after `options.count`
/// datagrams and returns how many it served from how many clients ([`Clients`]).
///
/// The socket comes in already bound, so the binary binds `--port` and tests bind port 0.
pub fn serve_echo(
    socket: &UdpSocket,
    options: &EchoOptions,
    out: &mut dyn Write,
    trace: Trace,
) -> Result<EchoSummary, Error> {
    // exercise 2.3: begin
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut clients = Clients::default();
    let mut served = 0;
    while options.count.is_none_or(|count| served < count) {
        let (length, from) = receive_from(socket, &mut buffer, options.timeout, trace)?;
        let request = &buffer[..length];
        let reply = if options.upper {
            shout(request)
        } else {
            request.to_vec()
        };
        // Back to the sender's own address: the one recvfrom gave us with the datagram.
        send_to(socket, &reply, from, trace)?;
        served += 1;
        let number = clients.record(from);
        writeln!(
            out,
            "echoed {} to {from} (client #{number})",
            crate::count_bytes(reply.len())
        )
        .map_err(Error::Output)?;
    }
    Ok(EchoSummary {
        datagrams: served,
        clients: clients.len(),
    })
    // exercise 2.3: end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::{BindOptions, bind_udp};
    use std::net::Ipv4Addr;

    fn loopback() -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
    }

    #[test]
    fn exercise_2_1_shout_upper_cases_ascii_only() {
        assert_eq!(shout(b"hello, udp"), b"HELLO, UDP");
        // 你好 in UTF-8 (e4 bd a0 e5 a5 bd) passes through unchanged.
        assert_eq!(
            shout(&[0x68, 0x69, 0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd]),
            [0x48, 0x49, 0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd]
        );
        assert_eq!(shout(b""), b"");
    }

    #[test]
    fn exercise_2_2_clients_are_numbered_by_address_and_port() {
        let a: SocketAddr = "127.0.0.1:40001".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:40002".parse().unwrap();
        let mut clients = Clients::default();
        assert!(clients.is_empty());
        assert_eq!(clients.record(a), 1);
        assert_eq!(clients.record(b), 2);
        assert_eq!(clients.record(a), 1);
        assert_eq!(clients.len(), 2);
    }

    #[test]
    fn exercise_2_3_echo_answers_each_client_at_its_own_address() {
        let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let server_address = server.local_addr().unwrap();
        let options = EchoOptions {
            count: Some(3),
            upper: false,
            timeout: Some(Duration::from_secs(10)),
        };
        let running = std::thread::spawn(move || {
            let mut log = Vec::new();
            let summary = serve_echo(&server, &options, &mut log, Trace::OFF).unwrap();
            (summary, String::from_utf8(log).unwrap())
        });
        let first = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let second = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let mut buffer = [0u8; 64];
        for (client, message) in [(&first, "one"), (&second, "two"), (&first, "three")] {
            send_to(client, message.as_bytes(), server_address, Trace::OFF).unwrap();
            let (length, from) = receive_from(
                client,
                &mut buffer,
                Some(Duration::from_secs(10)),
                Trace::OFF,
            )
            .unwrap();
            assert_eq!(&buffer[..length], message.as_bytes());
            assert_eq!(from, server_address);
        }
        let (summary, log) = running.join().unwrap();
        assert_eq!(
            summary,
            EchoSummary {
                datagrams: 3,
                clients: 2
            }
        );
        let first_port = first.local_addr().unwrap().port();
        assert_eq!(
            log.lines().next().unwrap(),
            format!("echoed 3 bytes to 127.0.0.1:{first_port} (client #1)")
        );
        assert!(
            log.lines().nth(2).unwrap().ends_with("(client #1)"),
            "{log}"
        );
    }

    #[test]
    fn exercise_2_3_echo_with_upper_shouts_back() {
        let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let server_address = server.local_addr().unwrap();
        let options = EchoOptions {
            count: Some(1),
            upper: true,
            timeout: Some(Duration::from_secs(10)),
        };
        let running = std::thread::spawn(move || {
            serve_echo(&server, &options, &mut Vec::new(), Trace::OFF).unwrap()
        });
        let client = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        send_to(&client, b"ping", server_address, Trace::OFF).unwrap();
        let mut buffer = [0u8; 64];
        let (length, _) = receive_from(
            &client,
            &mut buffer,
            Some(Duration::from_secs(10)),
            Trace::OFF,
        )
        .unwrap();
        assert_eq!(&buffer[..length], b"PING");
        assert_eq!(running.join().unwrap().datagrams, 1);
    }

    #[test]
    fn exercise_2_3_echo_times_out_when_nobody_writes() {
        let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let options = EchoOptions {
            count: Some(1),
            upper: false,
            timeout: Some(Duration::from_millis(20)),
        };
        let error = serve_echo(&server, &options, &mut Vec::new(), Trace::OFF).unwrap_err();
        assert!(matches!(error, Error::Silence { .. }), "{error:?}");
    }
}
