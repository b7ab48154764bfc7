//! `socket` + `bind`: the first two calls of every UDP program. A receiver binds a port
//! it chose; a sender binds port 0 and lets the OS pick one (`send.rs`).

use std::net::{SocketAddr, UdpSocket};

use socket2::{Domain, Protocol, Socket, Type};

use crate::{Trace, UdpError};

/// `socket(AF_INET, SOCK_DGRAM)` + `bind(address)`, with an optional receive buffer
/// size (`SO_RCVBUF`), which std's `UdpSocket` cannot set: that is why we use socket2.
pub fn bind(
    address: SocketAddr,
    receive_buffer: Option<usize>,
    trace: Trace,
) -> Result<UdpSocket, UdpError> {
    let (domain, family) = if address.is_ipv4() {
        (Domain::IPV4, "AF_INET")
    } else {
        (Domain::IPV6, "AF_INET6")
    };
    trace.call(format_args!("socket({family}, SOCK_DGRAM)"));
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(|source| {
        UdpError::Socket {
            doing: "creating a UDP socket",
            source,
        }
    })?;
    if let Some(size) = receive_buffer {
        socket
            .set_recv_buffer_size(size)
            .map_err(|source| UdpError::Socket {
                doing: "setting SO_RCVBUF",
                source,
            })?;
        // Linux doubles the value for its bookkeeping; show what the kernel really uses.
        let actual = socket.recv_buffer_size().unwrap_or(size);
        trace.call(format_args!(
            "setsockopt(SO_RCVBUF, {size}) -> the kernel uses {actual} bytes"
        ));
    }
    socket
        .bind(&address.into())
        .map_err(|source| UdpError::Bind { address, source })?;
    let socket = UdpSocket::from(socket);
    let local = local_address(&socket)?;
    if address.port() == 0 {
        trace.call(format_args!(
            "bind({address}) -> {local} (the OS picked port {})",
            local.port()
        ));
    } else {
        trace.call(format_args!("bind({address})"));
    }
    Ok(socket)
}

/// The address a socket is bound to (`getsockname`): after `bind(...:0)`, the port the
/// OS picked.
pub fn local_address(socket: &UdpSocket) -> Result<SocketAddr, UdpError> {
    socket.local_addr().map_err(|source| UdpError::Socket {
        doing: "reading the local address",
        source,
    })
}
