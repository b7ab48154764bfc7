//! Binding: the receiver's fixed port, the sender's OS-chosen port, and sharing a port.
//!
//! Python's `udpSocket.bind(('', 7788))` is [`bind_udp`] with `0.0.0.0:7788`. What the
//! notes call "no two ports alike in one OS" is really: *one* socket per protocol, local
//! address and port, unless every socket involved asks to share with `SO_REUSEPORT`
//! (or, with different rules, `SO_REUSEADDR`). A UDP socket and a TCP socket may hold the
//! same number at the same time, because the OS keeps a table per protocol.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::{
    Error, MAX_DATAGRAM, Trace, count_bytes, datagram_line, local_address, receive_from, send_to,
};

/// Socket options to set before `bind`. They only matter *before* `bind`: the OS checks
/// them when the port is taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BindOptions {
    /// `SO_REUSEADDR`: on Linux, for UDP, lets several sockets bind the same address and
    /// port when all of them set it; a unicast datagram then goes to one of them (the one
    /// bound last), a broadcast to all. (For TCP it means something else: a server may
    /// bind again while old connections linger in TIME_WAIT.)
    pub reuse_address: bool,
    /// `SO_REUSEPORT`: several sockets (of the same user) share one address and port; the
    /// kernel spreads unicast datagrams between them by a hash of the sender's address and
    /// port, and gives each of them a copy of a broadcast.
    pub reuse_port: bool,
    /// `SO_BROADCAST`: this socket may send to a broadcast address.
    pub broadcast: bool,
}

/// Creates a UDP socket, sets `options`, and binds it to `address` (port 0: the OS picks).
///
/// A failed bind is explained ([`hostport::explain_bind_error`]): "address already in
/// use" names the address and suggests what to do.
pub fn bind_udp(
    address: SocketAddr,
    options: BindOptions,
    trace: Trace,
) -> Result<UdpSocket, Error> {
    let socket = new_udp_socket(address)?;
    if options.reuse_address {
        trace.call(format_args!("setsockopt(SO_REUSEADDR, 1)"));
        socket
            .set_reuse_address(true)
            .map_err(|source| Error::Setup {
                what: "setting SO_REUSEADDR",
                source,
            })?;
    }
    if options.reuse_port {
        trace.call(format_args!("setsockopt(SO_REUSEPORT, 1)"));
        set_reuse_port(&socket)?;
    }
    if options.broadcast {
        trace.call(format_args!("setsockopt(SO_BROADCAST, 1)"));
        socket.set_broadcast(true).map_err(|source| Error::Setup {
            what: "setting SO_BROADCAST",
            source,
        })?;
    }
    trace.call(format_args!("bind({address})"));
    if let Err(error) = socket.bind(&address.into()) {
        return Err(Error::Bind {
            in_use: error.kind() == std::io::ErrorKind::AddrInUse,
            explained: hostport::explain_bind_error(&error, address, "udp"),
        });
    }
    Ok(socket.into())
}

/// `socket(AF_INET or AF_INET6, SOCK_DGRAM)`, the family chosen by the address.
fn new_udp_socket(address: SocketAddr) -> Result<Socket, Error> {
    Socket::new(
        Domain::for_address(address),
        Type::DGRAM,
        Some(Protocol::UDP),
    )
    .map_err(|source| Error::Setup {
        what: "creating a UDP socket",
        source,
    })
}

/// `SO_REUSEPORT` exists on Linux, the BSDs and macOS. The flag still compiles elsewhere
/// and fails with a clear error instead.
#[cfg(all(
    unix,
    not(any(
        target_os = "solaris",
        target_os = "illumos",
        target_os = "cygwin",
        target_os = "nuttx",
        target_os = "wasi"
    ))
))]
fn set_reuse_port(socket: &Socket) -> Result<(), Error> {
    socket.set_reuse_port(true).map_err(|source| Error::Setup {
        what: "setting SO_REUSEPORT",
        source,
    })
}

#[cfg(not(all(
    unix,
    not(any(
        target_os = "solaris",
        target_os = "illumos",
        target_os = "cygwin",
        target_os = "nuttx",
        target_os = "wasi"
    ))
)))]
fn set_reuse_port(_socket: &Socket) -> Result<(), Error> {
    Err(Error::ReusePortUnsupported)
}

/// "Any address" of the same family as `peer`: `0.0.0.0` or `::`.
pub fn unspecified_for(peer: SocketAddr) -> IpAddr {
    match peer {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// The socket a sender uses to reach `peer`.
///
/// Without `from_port` it does what the notes' sender does: it never calls `bind`, so the
/// OS picks a free (ephemeral) port at the first `sendto`, a different one each run. With
/// `from_port` it binds that port on every interface first, so the receiver sees the same
/// source port every time (and can answer to it).
pub fn sender_socket(
    peer: SocketAddr,
    from_port: Option<u16>,
    trace: Trace,
) -> Result<UdpSocket, Error> {
    // exercise 2.4: begin
    match from_port {
        Some(port) => bind_udp(
            SocketAddr::new(unspecified_for(peer), port),
            BindOptions::default(),
            trace,
        ),
        None => {
            // No bind: the OS picks our source port at the first sendto.
            let socket = new_udp_socket(peer)?;
            Ok(socket.into())
        }
    }
    // exercise 2.4: end
}

/// What `udp-bind recv` does after binding: print one line per datagram
/// (`from 127.0.0.1:53211: hello`) until `count` datagrams have arrived (forever with
/// `None`). The first datagram is awaited without a time limit; after it, each wait
/// lasts at most `timeout` (idle time): an error when `count` is not reached yet, the
/// normal end without a `count`. Returns how many datagrams arrived.
pub fn receive(
    socket: &UdpSocket,
    count: Option<u64>,
    timeout: Option<Duration>,
    encoding: wire_text::TextEncoding,
    out: &mut dyn Write,
    trace: Trace,
) -> Result<u64, Error> {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut received = 0;
    while count.is_none_or(|count| received < count) {
        // The first datagram is awaited without a limit (a person starts the sender when
        // ready); `timeout` is the idle time allowed once traffic has started.
        let wait = if received == 0 { None } else { timeout };
        let (length, from) = match receive_from(socket, &mut buffer, wait, trace) {
            // Without --count, going quiet for --timeout is how the receiver ends.
            Err(Error::Silence { waited }) if count.is_none() => {
                writeln!(
                    out,
                    "(no datagram for {}: stopping after {})",
                    crate::seconds(waited),
                    crate::plural(received, "datagram")
                )
                .map_err(Error::Output)?;
                return Ok(received);
            }
            other => other?,
        };
        received += 1;
        writeln!(out, "{}", datagram_line(from, &buffer[..length], encoding))
            .map_err(Error::Output)?;
    }
    Ok(received)
}

/// What `udp-bind send` does: one datagram from `socket` to `to`, then a line saying which
/// local address it left from (`sent 5 bytes to 127.0.0.1:7788 from 0.0.0.0:53211`). With
/// `wait_reply`, waits at most that long for one datagram back and prints it as
/// `reply from 127.0.0.1:7788: hello`.
pub fn send(
    socket: &UdpSocket,
    to: SocketAddr,
    payload: &[u8],
    wait_reply: Option<Duration>,
    encoding: wire_text::TextEncoding,
    out: &mut dyn Write,
    trace: Trace,
) -> Result<(), Error> {
    send_to(socket, payload, to, trace)?;
    // Only now does an unbound socket have a port: sendto bound it implicitly.
    let local = local_address(socket)?;
    writeln!(
        out,
        "sent {} to {to} from {local}",
        count_bytes(payload.len())
    )
    .map_err(Error::Output)?;
    if let Some(waited) = wait_reply {
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        let (length, from) = match receive_from(socket, &mut buffer, Some(waited), trace) {
            Err(Error::Silence { .. }) => return Err(Error::NoReply { from: to, waited }),
            other => other?,
        };
        let line = datagram_line(from, &buffer[..length], encoding);
        writeln!(out, "reply {line}").map_err(Error::Output)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "exercise_tests/bind.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use say::Explain;

    fn loopback() -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
    }

    #[test]
    fn second_bind_of_one_address_is_address_in_use() {
        let first = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let taken = first.local_addr().unwrap();
        let error = bind_udp(taken, BindOptions::default(), Trace::OFF).unwrap_err();
        assert!(
            matches!(error, Error::Bind { in_use: true, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(&taken.to_string()), "{error}");
        assert!(error.hint().unwrap().contains("--reuse-port"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reuse_port_lets_two_sockets_share_an_address() {
        let shared = BindOptions {
            reuse_port: true,
            ..BindOptions::default()
        };
        let first = bind_udp(loopback(), shared, Trace::OFF).unwrap();
        let second = bind_udp(first.local_addr().unwrap(), shared, Trace::OFF).unwrap();
        assert_eq!(first.local_addr().unwrap(), second.local_addr().unwrap());
    }

    #[test]
    fn silence_becomes_a_timeout_error() {
        let socket = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
        let mut buffer = [0u8; 8];
        let error = receive_from(
            &socket,
            &mut buffer,
            Some(Duration::from_millis(20)),
            Trace::OFF,
        )
        .unwrap_err();
        assert!(matches!(error, Error::Silence { .. }), "{error:?}");
    }
}
