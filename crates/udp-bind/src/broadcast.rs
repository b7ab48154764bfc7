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

/// Sends one datagram to `to:port` from a new socket that asks for `SO_BROADCAST` when
/// `ask_for_broadcast` is true (the binary's default; `--without-so-broadcast` turns it
/// off to show the refusal). Returns the local address it left from.
pub fn broadcast(
    port: u16,
    to: IpAddr,
    payload: &[u8],
    ask_for_broadcast: bool,
    trace: Trace,
) -> Result<SocketAddr, Error> {
    if to.is_ipv6() {
        return Err(Error::NoBroadcastInIpv6 { to });
    }
    let options = BindOptions {
        broadcast: ask_for_broadcast,
        ..BindOptions::default()
    };
    let socket: UdpSocket = bind_udp(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), options, trace)?;
    let destination = SocketAddr::new(to, port);
    trace.say(format_args!(
        "sendto({destination}, {})",
        crate::count_bytes(payload.len())
    ));
    match socket.send_to(payload, destination) {
        Ok(_) => local_address(&socket),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_has_no_broadcast() {
        let error =
            broadcast(7788, "ff02::1".parse().unwrap(), b"x", true, Trace::OFF).unwrap_err();
        assert!(matches!(error, Error::NoBroadcastInIpv6 { .. }));
        assert_eq!(error.exit_code(), 2);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn loopback_broadcast_without_so_broadcast_is_refused() {
        let error = broadcast(9, LOOPBACK_BROADCAST, b"x", false, Trace::OFF).unwrap_err();
        assert!(matches!(error, Error::BroadcastRefused { .. }), "{error:?}");
        assert!(error.to_string().contains("EACCES"));
        assert!(error.hint().unwrap().contains("SO_BROADCAST"));
    }
}
