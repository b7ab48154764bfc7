//! The headers under the application: the link header (Ethernet or the Linux cooked
//! header), ARP, IPv4 (and IPv6's fixed header), UDP, TCP and ICMP. Each function reads
//! just the fields a ladder needs, checking every length first; a short or inconsistent
//! header is a [`LayerError`], never a panic.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::capture::LinkType;

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

fn be16(bytes: &[u8], at: usize) -> u16 {
    // Callers check the length first; a short slice reads as 0 instead of panicking.
    match bytes.get(at..at + 2) {
        Some(field) => u16::from_be_bytes([field[0], field[1]]),
        None => 0,
    }
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(field) => u32::from_be_bytes([field[0], field[1], field[2], field[3]]),
        None => 0,
    }
}

fn mac_at(bytes: &[u8], at: usize) -> [u8; 6] {
    let mut mac = [0u8; 6];
    if let Some(field) = bytes.get(at..at + 6) {
        mac.copy_from_slice(field);
    }
    mac
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
            need("Ethernet header", frame, 14)?;
            let mut ethertype = be16(frame, 12);
            let mut start = 14;
            if ethertype == ETHERTYPE_VLAN {
                need("802.1Q tag", frame, 18)?;
                ethertype = be16(frame, 16);
                start = 18;
            }
            Ok(Link {
                destination: Some(mac_at(frame, 0)),
                source: Some(mac_at(frame, 6)),
                ethertype,
                payload: &frame[start..],
            })
        }
        LinkType::LinuxSll => {
            need("Linux cooked header", frame, 16)?;
            let address_length = be16(frame, 4);
            Ok(Link {
                source: (address_length == 6).then(|| mac_at(frame, 6)),
                destination: None,
                ethertype: be16(frame, 14),
                payload: &frame[16..],
            })
        }
        LinkType::LinuxSll2 => {
            need("Linux cooked v2 header", frame, 20)?;
            let address_length = frame[11];
            Ok(Link {
                source: (address_length == 6).then(|| mac_at(frame, 12)),
                destination: None,
                ethertype: be16(frame, 0),
                payload: &frame[20..],
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

pub fn arp(bytes: &[u8]) -> Result<Arp, LayerError> {
    need("ARP packet", bytes, 28)?;
    if be16(bytes, 0) != 1 || be16(bytes, 2) != ETHERTYPE_IPV4 || bytes[4] != 6 || bytes[5] != 4 {
        return Err(LayerError::Bad {
            what: "ARP packet",
            why: "not IPv4 over Ethernet".into(),
        });
    }
    Ok(Arp {
        operation: be16(bytes, 6),
        sender_mac: mac_at(bytes, 8),
        sender_ip: Ipv4Addr::new(bytes[14], bytes[15], bytes[16], bytes[17]),
        target_mac: mac_at(bytes, 18),
        target_ip: Ipv4Addr::new(bytes[24], bytes[25], bytes[26], bytes[27]),
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
    need("IPv4 header", bytes, 20)?;
    let version = bytes[0] >> 4;
    let header_length = usize::from(bytes[0] & 0x0f) * 4;
    if version != 4 || header_length < 20 {
        return Err(LayerError::Bad {
            what: "IPv4 header",
            why: format!("version {version}, header length {header_length}"),
        });
    }
    need("IPv4 header", bytes, header_length)?;
    let total_length = usize::from(be16(bytes, 2));
    if total_length < header_length {
        return Err(LayerError::Bad {
            what: "IPv4 header",
            why: format!("total length {total_length} is less than the header"),
        });
    }
    // The capture may hold less (snaplen) or more (Ethernet padding) than total length.
    let end = total_length.min(bytes.len());
    Ok(Ip {
        source: IpAddr::V4(Ipv4Addr::new(bytes[12], bytes[13], bytes[14], bytes[15])),
        destination: IpAddr::V4(Ipv4Addr::new(bytes[16], bytes[17], bytes[18], bytes[19])),
        protocol: bytes[9],
        fragment_offset: (be16(bytes, 6) & 0x1fff) * 8,
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
    need("IPv6 header", bytes, 40)?;
    if bytes[0] >> 4 != 6 {
        return Err(LayerError::Bad {
            what: "IPv6 header",
            why: format!("version {}", bytes[0] >> 4),
        });
    }
    let mut source = [0u8; 16];
    source.copy_from_slice(&bytes[8..24]);
    let mut destination = [0u8; 16];
    destination.copy_from_slice(&bytes[24..40]);
    let end = (40 + usize::from(be16(bytes, 4))).min(bytes.len());
    Ok(Ip {
        source: IpAddr::V6(Ipv6Addr::from(source)),
        destination: IpAddr::V6(Ipv6Addr::from(destination)),
        protocol: bytes[6],
        fragment_offset: 0,
        payload: &bytes[40..end],
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
    need("UDP header", bytes, 8)?;
    let length = usize::from(be16(bytes, 4));
    if length < 8 {
        return Err(LayerError::Bad {
            what: "UDP header",
            why: format!("length {length} is less than 8"),
        });
    }
    Ok(Udp {
        source_port: be16(bytes, 0),
        destination_port: be16(bytes, 2),
        payload: &bytes[8..length.min(bytes.len())],
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
    need("TCP header", bytes, 20)?;
    let header_length = usize::from(bytes[12] >> 4) * 4;
    if header_length < 20 {
        return Err(LayerError::Bad {
            what: "TCP header",
            why: format!("data offset {header_length} is less than 20"),
        });
    }
    need("TCP header", bytes, header_length)?;
    Ok(Tcp {
        source_port: be16(bytes, 0),
        destination_port: be16(bytes, 2),
        sequence: be32(bytes, 4),
        acknowledgment: be32(bytes, 8),
        flags: bytes[13],
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
    let (Some(&kind), Some(&code)) = (bytes.first(), bytes.get(1)) else {
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
