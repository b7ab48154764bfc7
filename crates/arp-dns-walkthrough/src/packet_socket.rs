//! Real ARP on the wire (Linux, root): an `AF_PACKET` socket sends and receives whole
//! Ethernet frames, the bytes [`crate::arp`] builds, with nothing added by the kernel.
//!
//! Python would write `socket(AF_PACKET, SOCK_RAW, htons(0x0806))` and
//! `bind(("veth0", 0x0806))`; here socket2 opens the socket and we fill in the
//! `sockaddr_ll` (the link-layer address: interface index, protocol, MAC) ourselves,
//! reading the interface's index and MAC from `/sys/class/net`, so no C library
//! binding is needed.

use std::io::{self, Read};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, SockAddrStorage, Socket, Type};

use crate::arp::{self, ArpPacket, Operation};
use crate::ethernet::{ETHERTYPE_ARP, MacAddr};

/// `AF_PACKET`'s number on Linux (linux/socket.h).
const AF_PACKET: u16 = 17;

/// `struct sockaddr_ll` from linux/if_packet.h, field for field.
#[repr(C)]
struct SockaddrLl {
    family: u16,
    /// The EtherType, in network byte order.
    protocol: u16,
    ifindex: i32,
    hardware_type: u16,
    packet_type: u8,
    address_len: u8,
    address: [u8; 8],
}

/// Reads a one-line file of `/sys/class/net/IF/`.
fn sys_value(interface: &str, name: &str) -> io::Result<String> {
    std::fs::read_to_string(format!("/sys/class/net/{interface}/{name}"))
        .map(|text| text.trim().to_string())
        .map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "no interface '{interface}' (nothing at /sys/class/net/{interface}/{name})"
                ),
            )
        })
}

/// The kernel's number for an interface (what `if_nametoindex` returns).
pub fn interface_index(interface: &str) -> io::Result<i32> {
    sys_value(interface, "ifindex")?
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "ifindex is not a number"))
}

/// The MAC address of an interface.
pub fn interface_mac(interface: &str) -> io::Result<MacAddr> {
    sys_value(interface, "address")?
        .parse()
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "interface address is not a MAC"))
}

/// An `AF_PACKET` socket bound to one interface, for ARP frames only.
pub struct PacketSocket {
    socket: Socket,
    ifindex: i32,
    pub mac: MacAddr,
}

fn link_address(ifindex: i32, destination: MacAddr) -> SockAddr {
    let mut storage = SockAddrStorage::zeroed();
    let mut address = [0u8; 8];
    address[..6].copy_from_slice(&destination.0);
    // SAFETY: SockaddrLl mirrors the kernel's sockaddr_ll (20 bytes, repr(C)), one of the
    // sockaddr types of this platform, and it fits in sockaddr_storage (128 bytes).
    unsafe {
        *storage.view_as::<SockaddrLl>() = SockaddrLl {
            family: AF_PACKET,
            protocol: ETHERTYPE_ARP.to_be(),
            ifindex,
            hardware_type: 1,
            packet_type: 0,
            address_len: 6,
            address,
        };
    }
    // SAFETY: the storage holds an initialised sockaddr_ll of exactly this length.
    unsafe {
        SockAddr::new(
            storage,
            std::mem::size_of::<SockaddrLl>() as socket2::socklen_t,
        )
    }
}

impl PacketSocket {
    /// Opens the socket on `interface` (needs root or CAP_NET_RAW).
    pub fn open(interface: &str) -> io::Result<PacketSocket> {
        let ifindex = interface_index(interface)?;
        let mac = interface_mac(interface)?;
        let protocol = Protocol::from(i32::from(ETHERTYPE_ARP.to_be()));
        let socket = Socket::new(Domain::PACKET, Type::RAW, Some(protocol))?;
        // bind: only frames of this interface reach us.
        socket.bind(&link_address(ifindex, MacAddr::ZERO))?;
        Ok(PacketSocket {
            socket,
            ifindex,
            mac,
        })
    }

    /// Sends one whole frame to `destination`.
    pub fn send(&self, frame: &[u8], destination: MacAddr) -> io::Result<usize> {
        self.socket
            .send_to(frame, &link_address(self.ifindex, destination))
    }

    /// The next ARP packet, or None at the deadline.
    pub fn receive(&self, deadline: Instant) -> io::Result<Option<ArpPacket>> {
        let mut buffer = [0u8; 1600];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            self.socket.set_read_timeout(Some(left))?;
            match (&self.socket).read(&mut buffer) {
                Ok(length) => {
                    if let Ok((_, packet)) = arp::parse_frame(&buffer[..length]) {
                        return Ok(Some(packet));
                    }
                }
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// `arp send`: broadcasts "who has TARGET?" on an open `socket` and returns the MAC in
/// the first reply, or None when none came within `timeout`.
pub fn ask(
    socket: &PacketSocket,
    sender_ip: Ipv4Addr,
    target_ip: Ipv4Addr,
    timeout: Duration,
) -> io::Result<Option<MacAddr>> {
    let request = ArpPacket::request(socket.mac, sender_ip, target_ip);
    socket.send(&request.to_frame(), MacAddr::BROADCAST)?;
    let deadline = Instant::now() + timeout;
    while let Some(packet) = socket.receive(deadline)? {
        if packet.operation == Operation::Reply && packet.sender_ip == target_ip {
            return Ok(Some(packet.sender_mac));
        }
    }
    Ok(None)
}

/// How long one wait for the first request lasts before `respond` waits again.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(3600);

/// `arp respond`: on an open `socket`, answers requests for `our_ip` with `our_mac` (the interface's MAC
/// when None), calling `on_reply` for each; stops after `count` replies or when no
/// request came for `idle` time after the last reply. It waits for the first request
/// without a limit, so a person has all the time needed to start `arping` elsewhere.
/// An error from `on_reply` (its output's reader went away) ends it, and is returned.
pub fn respond(
    socket: &PacketSocket,
    our_ip: Ipv4Addr,
    our_mac: Option<MacAddr>,
    count: Option<usize>,
    idle: Duration,
    on_reply: &mut dyn FnMut(&ArpPacket, &ArpPacket) -> io::Result<()>,
) -> io::Result<usize> {
    let mac = our_mac.unwrap_or(socket.mac);
    let mut replies = 0;
    while count.is_none_or(|c| replies < c) {
        // Until the first reply, wait an hour at a time, as often as it takes; after
        // it, a quiet spell of `idle` ends the responder.
        let wait = if replies == 0 { WAIT_FOR_FIRST } else { idle };
        let Some(packet) = socket.receive(Instant::now() + wait)? else {
            if replies == 0 {
                continue;
            }
            break;
        };
        if let Some(reply) = arp::answer(mac, our_ip, &packet) {
            socket.send(&reply.to_frame(), packet.sender_mac)?;
            replies += 1;
            on_reply(&packet, &reply)?;
        }
    }
    Ok(replies)
}
