//! The sender: `sendto` from a port the OS picks, the first step of a datagram's way.
//! No connection and no handshake: the destination goes with every datagram.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::{Trace, UdpError, bind, local_address};

/// The largest UDP payload over IPv4: 65535 − 20 (IP header) − 8 (UDP header).
pub const MAX_DATAGRAM: usize = 65_507;

/// What [`send`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub bytes: usize,
    pub destination: SocketAddr,
    /// Our own address: `0.0.0.0` and the port the OS picked for us.
    pub local: SocketAddr,
}

/// A socket for sending, bound to "any address, port 0": exactly what the OS does on
/// its own when Python calls `sendto` on a socket that was never bound.
pub fn sending_socket(destination: SocketAddr, trace: Trace) -> Result<UdpSocket, UdpError> {
    let any = if destination.is_ipv4() {
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))
    } else {
        SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))
    };
    bind(any, None, trace)
}

/// `sendto(payload, destination)` from a port the OS picks: the notes' sender.
pub fn send(destination: SocketAddr, payload: &[u8], trace: Trace) -> Result<SendReport, UdpError> {
    if payload.len() > MAX_DATAGRAM {
        return Err(UdpError::TooLarge {
            size: payload.len(),
        });
    }
    let socket = sending_socket(destination, trace)?;
    let bytes = send_to(&socket, payload, destination, trace)?;
    let local = local_address(&socket)?;
    trace.packet(
        local,
        destination,
        format_args!("{}", ladder::live::datagram_label(payload, payload.len())),
        say::Mark::Plain,
    );
    Ok(SendReport {
        bytes,
        destination,
        local,
    })
}

pub(crate) fn send_to(
    socket: &UdpSocket,
    payload: &[u8],
    destination: SocketAddr,
    trace: Trace,
) -> Result<usize, UdpError> {
    // No connection, no handshake: the address goes with every single datagram.
    let sent = socket
        .send_to(payload, destination)
        .map_err(|source| UdpError::Send {
            destination,
            source,
        })?;
    trace.call(format_args!(
        "sendto({destination}, {} bytes) -> {sent}",
        payload.len()
    ));
    Ok(sent)
}
