//! The headers under the application: the link header (Ethernet or the Linux cooked
//! header), ARP, IPv4 (and IPv6's fixed header), UDP, TCP and ICMP. Each function reads
//! just the fields a ladder needs, checking every length first; a short or inconsistent
//! header is a [`LayerError`], never a panic.
//!
//! Every field is read through the [`field`] table of its header (`read_u16(bytes,
//! field::udp::LENGTH)`), never through bare offsets in the middle of a function.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use crate::capture::LinkType;

/// Byte ranges and offsets of each header, counted from the header's first byte.
#[allow(dead_code)] // Whole headers, as the RFCs draw them, with fields a ladder does not show.
pub mod field {
    /// Ethernet (IEEE 802.3): `| destination (6) | source (6) | EtherType (2) |`.
    pub mod ethernet {
        use std::ops::Range;
        pub const DESTINATION: Range<usize> = 0..6;
        pub const SOURCE: Range<usize> = 6..12;
        pub const ETHERTYPE: Range<usize> = 12..14;
        pub const HEADER_LEN: usize = ETHERTYPE.end;
    }

    /// An 802.1Q VLAN tag, counted from the start of the Ethernet frame: the tag's
    /// EtherType 8100 sits where the Ethernet EtherType was, then the tag control
    /// information (priority, VLAN id), then the real EtherType.
    pub mod vlan {
        use std::ops::Range;
        pub const TAG_CONTROL: Range<usize> = 14..16;
        pub const ETHERTYPE: Range<usize> = 16..18;
        pub const HEADER_LEN: usize = ETHERTYPE.end;
    }

    /// LINUX_SLL (link type 113), the Linux "cooked" header, version 1.
    pub mod sll {
        use std::ops::Range;
        pub const PACKET_TYPE: Range<usize> = 0..2;
        pub const ARPHRD: Range<usize> = 2..4;
        pub const ADDRESS_LENGTH: Range<usize> = 4..6;
        pub const ADDRESS: Range<usize> = 6..14;
        /// The first 6 address bytes, when the address is a MAC.
        pub const MAC: Range<usize> = 6..12;
        pub const PROTOCOL: Range<usize> = 14..16;
        pub const HEADER_LEN: usize = PROTOCOL.end;
    }

    /// LINUX_SLL2 (link type 276), the Linux "cooked" header, version 2.
    pub mod sll2 {
        use std::ops::Range;
        pub const PROTOCOL: Range<usize> = 0..2;
        pub const RESERVED: Range<usize> = 2..4;
        pub const INTERFACE: Range<usize> = 4..8;
        pub const ARPHRD: Range<usize> = 8..10;
        pub const PACKET_TYPE: usize = 10;
        pub const ADDRESS_LENGTH: usize = 11;
        pub const ADDRESS: Range<usize> = 12..20;
        /// The first 6 address bytes, when the address is a MAC.
        pub const MAC: Range<usize> = 12..18;
        pub const HEADER_LEN: usize = ADDRESS.end;
    }

    /// ARP for IPv4 over Ethernet (RFC 826).
    pub mod arp {
        use std::ops::Range;
        pub const HARDWARE_TYPE: Range<usize> = 0..2;
        pub const PROTOCOL_TYPE: Range<usize> = 2..4;
        pub const HARDWARE_LENGTH: usize = 4;
        pub const PROTOCOL_LENGTH: usize = 5;
        pub const OPERATION: Range<usize> = 6..8;
        pub const SENDER_MAC: Range<usize> = 8..14;
        pub const SENDER_IP: Range<usize> = 14..18;
        pub const TARGET_MAC: Range<usize> = 18..24;
        pub const TARGET_IP: Range<usize> = 24..28;
        pub const PACKET_LEN: usize = TARGET_IP.end;
    }

    /// IPv4 (RFC 791 §3.1), without options.
    pub mod ipv4 {
        use std::ops::Range;
        /// Version in the high 4 bits, header length (IHL, in 4-byte words) in the low 4.
        pub const VERSION_IHL: usize = 0;
        pub const TOS: usize = 1;
        pub const TOTAL_LENGTH: Range<usize> = 2..4;
        pub const IDENTIFICATION: Range<usize> = 4..6;
        /// Flags in the high 3 bits, the fragment offset (in 8-byte units) in the low 13.
        pub const FLAGS_FRAGMENT: Range<usize> = 6..8;
        pub const TTL: usize = 8;
        pub const PROTOCOL: usize = 9;
        pub const CHECKSUM: Range<usize> = 10..12;
        pub const SOURCE: Range<usize> = 12..16;
        pub const DESTINATION: Range<usize> = 16..20;
        /// The smallest header (IHL 5); options follow up to the IHL.
        pub const HEADER_LEN: usize = DESTINATION.end;
    }

    /// IPv6's fixed header (RFC 8200 §3).
    pub mod ipv6 {
        use std::ops::Range;
        /// Version in the high 4 bits of the first byte.
        pub const VERSION: usize = 0;
        pub const PAYLOAD_LENGTH: Range<usize> = 4..6;
        pub const NEXT_HEADER: usize = 6;
        pub const HOP_LIMIT: usize = 7;
        pub const SOURCE: Range<usize> = 8..24;
        pub const DESTINATION: Range<usize> = 24..40;
        pub const HEADER_LEN: usize = DESTINATION.end;
    }

    /// UDP (RFC 768).
    pub mod udp {
        use std::ops::Range;
        pub const SOURCE_PORT: Range<usize> = 0..2;
        pub const DESTINATION_PORT: Range<usize> = 2..4;
        /// Header and payload, in bytes.
        pub const LENGTH: Range<usize> = 4..6;
        pub const CHECKSUM: Range<usize> = 6..8;
        pub const HEADER_LEN: usize = CHECKSUM.end;
    }

    /// TCP (RFC 9293 §3.1), without options.
    pub mod tcp {
        use std::ops::Range;
        pub const SOURCE_PORT: Range<usize> = 0..2;
        pub const DESTINATION_PORT: Range<usize> = 2..4;
        pub const SEQUENCE: Range<usize> = 4..8;
        pub const ACKNOWLEDGMENT: Range<usize> = 8..12;
        /// The data offset (header length in 4-byte words) in the high 4 bits.
        pub const DATA_OFFSET: usize = 12;
        pub const FLAGS: usize = 13;
        pub const WINDOW: Range<usize> = 14..16;
        pub const CHECKSUM: Range<usize> = 16..18;
        pub const URGENT_POINTER: Range<usize> = 18..20;
        /// The smallest header (data offset 5); options follow up to the data offset.
        pub const HEADER_LEN: usize = URGENT_POINTER.end;
    }

    /// ICMP (RFC 792) and ICMPv6 (RFC 4443) share their first two bytes.
    pub mod icmp {
        pub const TYPE: usize = 0;
        pub const CODE: usize = 1;
    }
}

/// Why a header could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerError {
    /// The bytes end before the header does.
    Short {
        what: &'static str,
        needs: usize,
        has: usize,
    },
    /// A length or version field that cannot be right.
    Bad { what: &'static str, why: String },
    /// A link type this reader does not decode.
    UnsupportedLink(LinkType),
}

impl fmt::Display for LayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerError::Short { what, needs, has } => {
                write!(f, "{what} cut short ({has} of {needs} bytes)")
            }
            LayerError::Bad { what, why } => write!(f, "bad {what}: {why}"),
            LayerError::UnsupportedLink(link) => write!(f, "{link} is not decoded"),
        }
    }
}

fn need(what: &'static str, bytes: &[u8], needs: usize) -> Result<(), LayerError> {
    if bytes.len() < needs {
        Err(LayerError::Short {
            what,
            needs,
            has: bytes.len(),
        })
    } else {
        Ok(())
    }
}

// The readers below take a field from the tables above. Every caller checks the length
// with `need` first, so the field is inside the bytes; should it not be, a reader gives
// zeros instead of panicking.

/// The byte at `at`.
fn read_u8(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).copied().unwrap_or(0)
}

/// The field's `N` bytes as an array (zeros when the field is not `N` bytes long).
fn read_array<const N: usize>(bytes: &[u8], range: Range<usize>) -> [u8; N] {
    bytes
        .get(range)
        .and_then(|field| field.try_into().ok())
        .unwrap_or([0; N])
}

/// A big-endian ("network byte order") 16-bit number.
fn read_u16(bytes: &[u8], range: Range<usize>) -> u16 {
    u16::from_be_bytes(read_array(bytes, range))
}

/// A big-endian 32-bit number.
fn read_u32(bytes: &[u8], range: Range<usize>) -> u32 {
    u32::from_be_bytes(read_array(bytes, range))
}

/// A 6-byte MAC address.
fn read_mac(bytes: &[u8], range: Range<usize>) -> [u8; 6] {
    read_array(bytes, range)
}

/// A 4-byte IPv4 address.
fn read_ipv4(bytes: &[u8], range: Range<usize>) -> Ipv4Addr {
    Ipv4Addr::from(read_array::<4>(bytes, range))
}

/// A 16-byte IPv6 address.
fn read_ipv6(bytes: &[u8], range: Range<usize>) -> Ipv6Addr {
    Ipv6Addr::from(read_array::<16>(bytes, range))
}

/// `02:00:00:00:00:01`.
pub fn format_mac(mac: [u8; 6]) -> String {
    let parts: Vec<String> = mac.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_ARP: u16 = 0x0806;
pub const ETHERTYPE_VLAN: u16 = 0x8100;
pub const ETHERTYPE_IPV6: u16 = 0x86dd;

/// The length of a MAC address, as a cooked header's address length says it.
const MAC_LEN: u16 = 6;

/// What the link header says: who sent the frame (when it says), to whom, and what the
/// rest is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link<'a> {
    pub source: Option<[u8; 6]>,
    pub destination: Option<[u8; 6]>,
    pub ethertype: u16,
    pub payload: &'a [u8],
}

/// Reads the link header of a frame.
///
/// ```text
/// Ethernet (IEEE 802.3):   | destination (6) | source (6) | EtherType (2) | payload |
///   (an 802.1Q tag, EtherType 8100, puts 4 more bytes before the real EtherType)
/// LINUX_SLL (113):   | packet type (2) | ARPHRD (2) | address length (2) | address (8) |
///                    | protocol (2) | payload |
/// LINUX_SLL2 (276):  | protocol (2) | reserved (2) | interface (4) | ARPHRD (2) |
///                    | packet type (1) | address length (1) | address (8) | payload |
/// ```
pub fn link(link: LinkType, frame: &[u8]) -> Result<Link<'_>, LayerError> {
    match link {
        LinkType::Ethernet => {
            need("Ethernet header", frame, field::ethernet::HEADER_LEN)?;
            let mut ethertype = read_u16(frame, field::ethernet::ETHERTYPE);
            let mut start = field::ethernet::HEADER_LEN;
            if ethertype == ETHERTYPE_VLAN {
                need("802.1Q tag", frame, field::vlan::HEADER_LEN)?;
                ethertype = read_u16(frame, field::vlan::ETHERTYPE);
                start = field::vlan::HEADER_LEN;
            }
            Ok(Link {
                destination: Some(read_mac(frame, field::ethernet::DESTINATION)),
                source: Some(read_mac(frame, field::ethernet::SOURCE)),
                ethertype,
                payload: &frame[start..],
            })
        }
        LinkType::LinuxSll => {
            need("Linux cooked header", frame, field::sll::HEADER_LEN)?;
            let address_length = read_u16(frame, field::sll::ADDRESS_LENGTH);
            Ok(Link {
                source: (address_length == MAC_LEN).then(|| read_mac(frame, field::sll::MAC)),
                destination: None,
                ethertype: read_u16(frame, field::sll::PROTOCOL),
                payload: &frame[field::sll::HEADER_LEN..],
            })
        }
        LinkType::LinuxSll2 => {
            need("Linux cooked v2 header", frame, field::sll2::HEADER_LEN)?;
            let address_length = read_u8(frame, field::sll2::ADDRESS_LENGTH);
            Ok(Link {
                source: (u16::from(address_length) == MAC_LEN)
                    .then(|| read_mac(frame, field::sll2::MAC)),
                destination: None,
                ethertype: read_u16(frame, field::sll2::PROTOCOL),
                payload: &frame[field::sll2::HEADER_LEN..],
            })
        }
        LinkType::Other(_) => Err(LayerError::UnsupportedLink(link)),
    }
}

/// An ARP packet for IPv4 over Ethernet (RFC 826).
///
/// ```text
/// | hardware type (2) = 1 | protocol type (2) = 0800 | hw len (1) = 6 | proto len (1) = 4 |
/// | operation (2): 1 request, 2 reply | sender MAC (6) | sender IP (4) |
/// | target MAC (6) | target IP (4) |
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arp {
    pub operation: u16,
    pub sender_mac: [u8; 6],
    pub sender_ip: Ipv4Addr,
    pub target_mac: [u8; 6],
    pub target_ip: Ipv4Addr,
}

/// ARP's hardware type for Ethernet.
const ARP_HARDWARE_ETHERNET: u16 = 1;
/// The length of an IPv4 address, as ARP's protocol length says it.
const IPV4_LEN: u8 = 4;

pub fn arp(bytes: &[u8]) -> Result<Arp, LayerError> {
    need("ARP packet", bytes, field::arp::PACKET_LEN)?;
    let ipv4_over_ethernet = read_u16(bytes, field::arp::HARDWARE_TYPE) == ARP_HARDWARE_ETHERNET
        && read_u16(bytes, field::arp::PROTOCOL_TYPE) == ETHERTYPE_IPV4
        && u16::from(read_u8(bytes, field::arp::HARDWARE_LENGTH)) == MAC_LEN
        && read_u8(bytes, field::arp::PROTOCOL_LENGTH) == IPV4_LEN;
    if !ipv4_over_ethernet {
        return Err(LayerError::Bad {
            what: "ARP packet",
            why: "not IPv4 over Ethernet".into(),
        });
    }
    Ok(Arp {
        operation: read_u16(bytes, field::arp::OPERATION),
        sender_mac: read_mac(bytes, field::arp::SENDER_MAC),
        sender_ip: read_ipv4(bytes, field::arp::SENDER_IP),
        target_mac: read_mac(bytes, field::arp::TARGET_MAC),
        target_ip: read_ipv4(bytes, field::arp::TARGET_IP),
    })
}

impl Arp {
    /// `who has 10.0.0.1? tell 10.0.0.2` / `10.0.0.1 is at 02:00:00:00:00:01`.
    pub fn label(&self) -> String {
        match self.operation {
            1 => format!("who has {}? tell {}", self.target_ip, self.sender_ip),
            2 => format!("{} is at {}", self.sender_ip, format_mac(self.sender_mac)),
            other => format!("ARP operation {other}"),
        }
    }
}

pub const PROTOCOL_ICMP: u8 = 1;
pub const PROTOCOL_TCP: u8 = 6;
pub const PROTOCOL_UDP: u8 = 17;
pub const PROTOCOL_ICMPV6: u8 = 58;

/// What the IP header says (IPv4, or IPv6's fixed header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ip<'a> {
    pub source: IpAddr,
    pub destination: IpAddr,
    pub protocol: u8,
    /// Bytes offset of this piece in a fragmented datagram (0 for the first or only one).
    pub fragment_offset: u16,
    /// The payload, without the link layer's padding.
    pub payload: &'a [u8],
}

/// Reads an IPv4 header (RFC 791 §3.1).
///
/// ```text
/// | version (4 bits) | IHL (4 bits) | TOS (1) | total length (2) |
/// | identification (2) | flags (3 bits) | fragment offset (13 bits) |
/// | TTL (1) | protocol (1) | checksum (2) | source (4) | destination (4) | options ... |
/// ```
pub fn ipv4(bytes: &[u8]) -> Result<Ip<'_>, LayerError> {
    need("IPv4 header", bytes, field::ipv4::HEADER_LEN)?;
    let version_ihl = read_u8(bytes, field::ipv4::VERSION_IHL);
    let version = version_ihl >> 4;
    let header_length = usize::from(version_ihl & 0x0f) * 4;
    if version != 4 || header_length < field::ipv4::HEADER_LEN {
        return Err(LayerError::Bad {
            what: "IPv4 header",
            why: format!("version {version}, header length {header_length}"),
        });
    }
    need("IPv4 header", bytes, header_length)?;
    let total_length = usize::from(read_u16(bytes, field::ipv4::TOTAL_LENGTH));
    if total_length < header_length {
        return Err(LayerError::Bad {
            what: "IPv4 header",
            why: format!("total length {total_length} is less than the header"),
        });
    }
    // The capture may hold less (snaplen) or more (Ethernet padding) than total length.
    let end = total_length.min(bytes.len());
    Ok(Ip {
        source: IpAddr::V4(read_ipv4(bytes, field::ipv4::SOURCE)),
        destination: IpAddr::V4(read_ipv4(bytes, field::ipv4::DESTINATION)),
        protocol: read_u8(bytes, field::ipv4::PROTOCOL),
        fragment_offset: (read_u16(bytes, field::ipv4::FLAGS_FRAGMENT) & 0x1fff) * 8,
        payload: &bytes[header_length..end],
    })
}

/// Reads IPv6's fixed header (RFC 8200 §3); extension headers are not followed.
///
/// ```text
/// | version (4 bits) | traffic class, flow label (28 bits) | payload length (2) |
/// | next header (1) | hop limit (1) | source (16) | destination (16) |
/// ```
pub fn ipv6(bytes: &[u8]) -> Result<Ip<'_>, LayerError> {
    need("IPv6 header", bytes, field::ipv6::HEADER_LEN)?;
    let version = read_u8(bytes, field::ipv6::VERSION) >> 4;
    if version != 6 {
        return Err(LayerError::Bad {
            what: "IPv6 header",
            why: format!("version {version}"),
        });
    }
    let payload_length = usize::from(read_u16(bytes, field::ipv6::PAYLOAD_LENGTH));
    let end = (field::ipv6::HEADER_LEN + payload_length).min(bytes.len());
    Ok(Ip {
        source: IpAddr::V6(read_ipv6(bytes, field::ipv6::SOURCE)),
        destination: IpAddr::V6(read_ipv6(bytes, field::ipv6::DESTINATION)),
        protocol: read_u8(bytes, field::ipv6::NEXT_HEADER),
        fragment_offset: 0,
        payload: &bytes[field::ipv6::HEADER_LEN..end],
    })
}

/// A UDP header (RFC 768) and its payload.
///
/// ```text
/// | source port (2) | destination port (2) | length (2) | checksum (2) | payload |
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Udp<'a> {
    pub source_port: u16,
    pub destination_port: u16,
    pub payload: &'a [u8],
}

pub fn udp(bytes: &[u8]) -> Result<Udp<'_>, LayerError> {
    need("UDP header", bytes, field::udp::HEADER_LEN)?;
    let length = usize::from(read_u16(bytes, field::udp::LENGTH));
    if length < field::udp::HEADER_LEN {
        return Err(LayerError::Bad {
            what: "UDP header",
            why: format!("length {length} is less than {}", field::udp::HEADER_LEN),
        });
    }
    Ok(Udp {
        source_port: read_u16(bytes, field::udp::SOURCE_PORT),
        destination_port: read_u16(bytes, field::udp::DESTINATION_PORT),
        payload: &bytes[field::udp::HEADER_LEN..length.min(bytes.len())],
    })
}

/// A TCP header (RFC 9293 §3.1) and its payload.
///
/// ```text
/// | source port (2) | destination port (2) | sequence number (4) | ack number (4) |
/// | data offset (4 bits) | reserved (4 bits) | flags (1): CWR ECE URG ACK PSH RST SYN FIN |
/// | window (2) | checksum (2) | urgent pointer (2) | options ... | payload |
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tcp<'a> {
    pub source_port: u16,
    pub destination_port: u16,
    pub sequence: u32,
    pub acknowledgment: u32,
    pub flags: u8,
    pub payload: &'a [u8],
}

pub const TCP_FIN: u8 = 0x01;
pub const TCP_SYN: u8 = 0x02;
pub const TCP_RST: u8 = 0x04;
pub const TCP_PSH: u8 = 0x08;
pub const TCP_ACK: u8 = 0x10;
pub const TCP_URG: u8 = 0x20;
pub const TCP_ECE: u8 = 0x40;
pub const TCP_CWR: u8 = 0x80;

pub fn tcp(bytes: &[u8]) -> Result<Tcp<'_>, LayerError> {
    need("TCP header", bytes, field::tcp::HEADER_LEN)?;
    let header_length = usize::from(read_u8(bytes, field::tcp::DATA_OFFSET) >> 4) * 4;
    if header_length < field::tcp::HEADER_LEN {
        return Err(LayerError::Bad {
            what: "TCP header",
            why: format!(
                "data offset {header_length} is less than {}",
                field::tcp::HEADER_LEN
            ),
        });
    }
    need("TCP header", bytes, header_length)?;
    Ok(Tcp {
        source_port: read_u16(bytes, field::tcp::SOURCE_PORT),
        destination_port: read_u16(bytes, field::tcp::DESTINATION_PORT),
        sequence: read_u32(bytes, field::tcp::SEQUENCE),
        acknowledgment: read_u32(bytes, field::tcp::ACKNOWLEDGMENT),
        flags: read_u8(bytes, field::tcp::FLAGS),
        payload: &bytes[header_length..],
    })
}

/// `SYN`, `SYN+ACK`, `PSH+ACK`, `FIN+ACK`, `RST`: the flags in the order people say them.
pub fn tcp_flag_names(flags: u8) -> String {
    const NAMES: [(u8, &str); 8] = [
        (TCP_SYN, "SYN"),
        (TCP_FIN, "FIN"),
        (TCP_RST, "RST"),
        (TCP_PSH, "PSH"),
        (TCP_URG, "URG"),
        (TCP_ACK, "ACK"),
        (TCP_ECE, "ECE"),
        (TCP_CWR, "CWR"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, name)| name)
        .collect();
    if names.is_empty() {
        "(no flags)".to_string()
    } else {
        names.join("+")
    }
}

/// `ICMP echo request`, `ICMP port unreachable`: an ICMP message's kind (RFC 792).
pub fn icmp_label(bytes: &[u8]) -> String {
    let (Some(&kind), Some(&code)) = (bytes.get(field::icmp::TYPE), bytes.get(field::icmp::CODE))
    else {
        return "ICMP (cut short)".to_string();
    };
    match (kind, code) {
        (0, _) => "ICMP echo reply".to_string(),
        (8, _) => "ICMP echo request".to_string(),
        (3, 3) => "ICMP port unreachable".to_string(),
        (3, 1) => "ICMP host unreachable".to_string(),
        (3, code) => format!("ICMP destination unreachable (code {code})"),
        (11, _) => "ICMP time exceeded".to_string(),
        (kind, code) => format!("ICMP type {kind} code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lengths_match_the_standards() {
        assert_eq!(field::ethernet::HEADER_LEN, 14);
        assert_eq!(field::vlan::HEADER_LEN, 18);
        assert_eq!(field::sll::HEADER_LEN, 16);
        assert_eq!(field::sll2::HEADER_LEN, 20);
        assert_eq!(field::arp::PACKET_LEN, 28);
        assert_eq!(field::ipv4::HEADER_LEN, 20);
        assert_eq!(field::ipv6::HEADER_LEN, 40);
        assert_eq!(field::udp::HEADER_LEN, 8);
        assert_eq!(field::tcp::HEADER_LEN, 20);
    }

    #[test]
    fn flag_names_read_like_the_lessons() {
        assert_eq!(tcp_flag_names(TCP_SYN), "SYN");
        assert_eq!(tcp_flag_names(TCP_SYN | TCP_ACK), "SYN+ACK");
        assert_eq!(tcp_flag_names(TCP_PSH | TCP_ACK), "PSH+ACK");
        assert_eq!(tcp_flag_names(TCP_FIN | TCP_ACK), "FIN+ACK");
        assert_eq!(tcp_flag_names(TCP_RST), "RST");
        assert_eq!(tcp_flag_names(0), "(no flags)");
    }

    #[test]
    fn arp_request_and_reply_labels() {
        let mut request = vec![0, 1, 8, 0, 6, 4, 0, 1];
        request.extend_from_slice(&[2, 0, 0, 0, 0, 2, 10, 0, 0, 2]); // sender
        request.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 0, 1]); // target
        assert_eq!(
            arp(&request).unwrap().label(),
            "who has 10.0.0.1? tell 10.0.0.2"
        );
        let mut reply = vec![0, 1, 8, 0, 6, 4, 0, 2];
        reply.extend_from_slice(&[2, 0, 0, 0, 0, 1, 10, 0, 0, 1]); // sender
        reply.extend_from_slice(&[2, 0, 0, 0, 0, 2, 10, 0, 0, 2]); // target
        assert_eq!(
            arp(&reply).unwrap().label(),
            "10.0.0.1 is at 02:00:00:00:00:01"
        );
    }
}
