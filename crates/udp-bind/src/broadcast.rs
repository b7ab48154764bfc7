//! Broadcast: one datagram, a copy for every listener (单工, simplex, in the notes).
//!
//! A broadcast address means "every host on this network": `255.255.255.255` (the
//! *limited* broadcast, which routers never forward and which leaves through the
//! machine's default interface) or a subnet's last address, such as `192.168.1.255` for
//! `192.168.1.0/24`. Loopback has one too, `127.255.255.255` (127.0.0.0/8), which never
//! leaves the machine: our default, so the lesson's commands stay on this computer.
//!
//! Only UDP can do this: a TCP connection joins exactly two ends (a handshake with one
//! peer), while a UDP datagram needs no peer to agree to anything.
//!
//! The OS protects the network from accidental floods: a socket must ask with
//! `SO_BROADCAST` first, or `sendto` to a broadcast address fails with `EACCES`
//! ([`crate::Error::BroadcastRefused`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};

use crate::bind::{BindOptions, bind_udp};
use crate::{Error, Trace, local_address};

/// `127.255.255.255`: the broadcast address of 127.0.0.0/8, the loopback network.
pub const LOOPBACK_BROADCAST: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 255, 255, 255));

/// What [`broadcast`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The local address the datagram left from.
    pub from: SocketAddr,
    /// False when the kernel routes the destination to one host (`--to 127.0.0.1`): the
    /// datagram was an ordinary unicast one, whatever the command was called.
    pub broadcast: bool,
}

/// Sends one datagram to `to:port` from a new socket bound to `local` (port 0: the OS
/// picks) that asks for `SO_BROADCAST` when `ask_for_broadcast` is true (the binary's
/// default; `--without-so-broadcast` turns it off to show the refusal).
pub fn broadcast(
    local: SocketAddr,
    port: u16,
    to: IpAddr,
    payload: &[u8],
    ask_for_broadcast: bool,
    trace: Trace,
) -> Result<Sent, Error> {
    if to.is_ipv6() {
        return Err(Error::NoBroadcastInIpv6 { to });
    }
    let destination = SocketAddr::new(to, port);
    let is_broadcast = is_broadcast_address(destination);
    let options = BindOptions {
        broadcast: ask_for_broadcast,
        ..BindOptions::default()
    };
    let socket: UdpSocket = bind_udp(local, options, trace)?;
    trace.call(format_args!(
        "sendto({destination}, {})",
        crate::count_bytes(payload.len())
    ));
    match socket.send_to(payload, destination) {
        Ok(_) => Ok(Sent {
            from: local_address(&socket)?,
            broadcast: is_broadcast,
        }),
        // EACCES: the kernel refuses a broadcast destination without SO_BROADCAST.
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(Error::BroadcastRefused { to: destination })
        }
        Err(source) => Err(Error::Send {
            to: destination,
            source,
        }),
    }
}

/// Is `to` a broadcast address on this machine? Asked of the kernel without sending
/// anything: Linux refuses `connect` of a UDP socket without `SO_BROADCAST` to an address
/// its routing table marks as broadcast (`ip route show table local` lists them, such as
/// `broadcast 127.255.255.255 dev lo`), with the same `EACCES` as `sendto`.
#[cfg(target_os = "linux")]
pub fn is_broadcast_address(to: SocketAddr) -> bool {
    let Ok(probe) = UdpSocket::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))) else {
        return guess_broadcast(to.ip());
    };
    matches!(probe.connect(to), Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied)
}

/// Other systems check only at `sendto`, so the address has to tell: the limited
/// broadcast, or an address whose last byte is 255 (the usual subnet broadcast).
#[cfg(not(target_os = "linux"))]
pub fn is_broadcast_address(to: SocketAddr) -> bool {
    guess_broadcast(to.ip())
}

fn guess_broadcast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_broadcast() || v4.octets()[3] == 255,
        IpAddr::V6(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use say::Explain;

    fn any() -> SocketAddr {
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_unicast_address_is_not_called_a_broadcast() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = receiver.local_addr().unwrap().port();
        let sent = broadcast(
            any(),
            port,
            "127.0.0.1".parse().unwrap(),
            b"x",
            true,
            Trace::OFF,
        )
        .unwrap();
        assert!(!sent.broadcast);
        assert!(is_broadcast_address(SocketAddr::new(
            LOOPBACK_BROADCAST,
            port
        )));
    }

    #[test]
    fn ipv6_has_no_broadcast() {
        let error = broadcast(
            any(),
            7788,
            "ff02::1".parse().unwrap(),
            b"x",
            true,
            Trace::OFF,
        )
        .unwrap_err();
        assert!(matches!(error, Error::NoBroadcastInIpv6 { .. }));
        assert_eq!(error.exit_code(), 2);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn loopback_broadcast_without_so_broadcast_is_refused() {
        let error = broadcast(any(), 9, LOOPBACK_BROADCAST, b"x", false, Trace::OFF).unwrap_err();
        assert!(matches!(error, Error::BroadcastRefused { .. }), "{error:?}");
        assert!(error.to_string().contains("EACCES"));
        assert!(error.hint().unwrap().contains("SO_BROADCAST"));
    }
}
