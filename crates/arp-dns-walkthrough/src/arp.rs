//! ARP: "who has 10.0.1.1? tell 10.0.1.2" — how a host finds the MAC for an IP on its
//! own link (the gateway's, for anything off-link).
//!
//! RFC 826, for Ethernet and IPv4 (28 bytes after the 14-byte Ethernet header, so a
//! request frame is 42 bytes; a real card pads it to 60):
//!
//! ```text
//!  0        2        4    5    6        8                14       18               24       28
//! +--------+--------+----+----+--------+----------------+--------+----------------+--------+
//! | htype  | ptype  |hlen|plen| oper   | sender MAC     | sender | target MAC     | target |
//! | 1=Eth  | 0x0800 | 6  | 4  | 1 / 2  |                | IP     | (0 in requests)| IP     |
//! +--------+--------+----+----+--------+----------------+--------+----------------+--------+
//! ```
//!
//! The packet is here; [`cache`] steps a host's ARP behaviour through time the way
//! Stanford CS144's network interface does (queue datagrams while a request is out, one
//! request per 5 s per address, mappings forgotten after 30 s, answer only for our own
//! IP), and [`script`] reads the `arp simulate` scripts that drive it.

use std::fmt;
use std::net::Ipv4Addr;

use crate::Annotation;
use crate::ethernet::{self, ETHERTYPE_ARP, EthernetFrame, MacAddr};
use crate::wire::read_u16;

pub mod cache;
pub mod script;

pub use cache::{ArpEvent, ArpHost, ClockOverflow, MAPPING_LIFETIME_MS, REQUEST_INTERVAL_MS};
pub use script::{MAX_TICK_MS, ScriptError, run_script};

/// Byte ranges inside the ARP packet (offsets after the Ethernet header).
pub mod field {
    use std::ops::Range;
    pub const HARDWARE_TYPE: Range<usize> = 0..2;
    pub const PROTOCOL_TYPE: Range<usize> = 2..4;
    pub const HARDWARE_LEN: usize = 4;
    pub const PROTOCOL_LEN: usize = 5;
    pub const OPERATION: Range<usize> = 6..8;
    pub const SENDER_MAC: Range<usize> = 8..14;
    pub const SENDER_IP: Range<usize> = 14..18;
    pub const TARGET_MAC: Range<usize> = 18..24;
    pub const TARGET_IP: Range<usize> = 24..28;
    pub const PACKET_LEN: usize = TARGET_IP.end;
}

/// 14 + 28: an unpadded ARP frame, as veth and loopback send it.
pub const FRAME_LEN: usize = ethernet::field::HEADER_LEN + field::PACKET_LEN;

/// The ARP opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Request,
    Reply,
    Unknown(u16),
}

impl Operation {
    pub fn code(self) -> u16 {
        match self {
            Operation::Request => 1,
            Operation::Reply => 2,
            Operation::Unknown(code) => code,
        }
    }
    pub fn from_code(code: u16) -> Operation {
        match code {
            1 => Operation::Request,
            2 => Operation::Reply,
            other => Operation::Unknown(other),
        }
    }
}

/// Why bytes are not an Ethernet/IPv4 ARP frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArpError {
    /// A frame shorter than the 42 bytes of Ethernet header + ARP packet.
    TooShort { length: usize },
    /// An ARP packet (without its Ethernet header) shorter than its 28 bytes.
    PacketTooShort { length: usize },
    /// The EtherType is not 0x0806.
    NotArp { ethertype: u16 },
    /// Hardware type, protocol type or their address sizes are not Ethernet (1, 6) /
    /// IPv4 (0x0800, 4); all four are kept, so the message shows which one is off.
    NotEthernetIpv4 {
        hardware_type: u16,
        protocol_type: u16,
        hardware_len: u8,
        protocol_len: u8,
    },
}

impl fmt::Display for ArpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpError::TooShort { length } => write!(
                f,
                "{length} bytes is too short for an ARP frame: it needs 42 (14 Ethernet + 28 ARP)"
            ),
            ArpError::PacketTooShort { length } => write!(
                f,
                "{length} bytes is too short for an ARP packet: it needs {}",
                field::PACKET_LEN
            ),
            ArpError::NotArp { ethertype } => {
                write!(f, "EtherType 0x{ethertype:04x} is not ARP (0x0806)")
            }
            ArpError::NotEthernetIpv4 {
                hardware_type,
                protocol_type,
                hardware_len,
                protocol_len,
            } => write!(
                f,
                "hardware type {hardware_type} / protocol type 0x{protocol_type:04x} with sizes {hardware_len} and {protocol_len} is not Ethernet (1) / IPv4 (0x0800) with sizes 6 and 4"
            ),
        }
    }
}

impl std::error::Error for ArpError {}

/// The 28-byte ARP packet for Ethernet and IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpPacket {
    pub operation: Operation,
    pub sender_mac: MacAddr,
    pub sender_ip: Ipv4Addr,
    pub target_mac: MacAddr,
    pub target_ip: Ipv4Addr,
}

fn mac_at(bytes: &[u8], range: std::ops::Range<usize>) -> MacAddr {
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&bytes[range]);
    MacAddr(mac)
}

fn ip_at(bytes: &[u8], range: std::ops::Range<usize>) -> Ipv4Addr {
    let mut ip = [0u8; 4];
    ip.copy_from_slice(&bytes[range]);
    Ipv4Addr::from(ip)
}

impl ArpPacket {
    /// A request: "who has `target_ip`? tell `sender_ip`". The target MAC is all zeros
    /// (unknown: it is the question), as the Linux kernel sends it.
    pub fn request(sender_mac: MacAddr, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> ArpPacket {
        ArpPacket {
            operation: Operation::Request,
            sender_mac,
            sender_ip,
            target_mac: MacAddr::ZERO,
            target_ip,
        }
    }

    /// Parses the 28 ARP bytes (anything after them, such as padding, is ignored).
    pub fn parse(bytes: &[u8]) -> Result<ArpPacket, ArpError> {
        if bytes.len() < field::PACKET_LEN {
            return Err(ArpError::PacketTooShort {
                length: bytes.len(),
            });
        }
        let hardware_type = read_u16(bytes, field::HARDWARE_TYPE);
        let protocol_type = read_u16(bytes, field::PROTOCOL_TYPE);
        let hardware_len = bytes[field::HARDWARE_LEN];
        let protocol_len = bytes[field::PROTOCOL_LEN];
        if hardware_type != 1
            || protocol_type != ethernet::ETHERTYPE_IPV4
            || hardware_len != 6
            || protocol_len != 4
        {
            return Err(ArpError::NotEthernetIpv4 {
                hardware_type,
                protocol_type,
                hardware_len,
                protocol_len,
            });
        }
        Ok(ArpPacket {
            operation: Operation::from_code(read_u16(bytes, field::OPERATION)),
            sender_mac: mac_at(bytes, field::SENDER_MAC),
            sender_ip: ip_at(bytes, field::SENDER_IP),
            target_mac: mac_at(bytes, field::TARGET_MAC),
            target_ip: ip_at(bytes, field::TARGET_IP),
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&ethernet::ETHERTYPE_IPV4.to_be_bytes());
        out.push(6);
        out.push(4);
        out.extend_from_slice(&self.operation.code().to_be_bytes());
        out.extend_from_slice(&self.sender_mac.0);
        out.extend_from_slice(&self.sender_ip.octets());
        out.extend_from_slice(&self.target_mac.0);
        out.extend_from_slice(&self.target_ip.octets());
    }

    /// The whole Ethernet frame: a request goes to the broadcast MAC, a reply straight
    /// to the asker.
    pub fn to_frame(&self) -> Vec<u8> {
        let destination = match self.operation {
            Operation::Request => MacAddr::BROADCAST,
            _ => self.target_mac,
        };
        let mut payload = Vec::with_capacity(field::PACKET_LEN);
        self.encode(&mut payload);
        EthernetFrame {
            destination,
            source: self.sender_mac,
            ethertype: ETHERTYPE_ARP,
            payload,
        }
        .to_bytes()
    }

    /// The line Wireshark shows for it.
    pub fn summary(&self) -> String {
        match self.operation {
            Operation::Request => format!("Who has {}? Tell {}", self.target_ip, self.sender_ip),
            Operation::Reply => format!("{} is at {}", self.sender_ip, self.sender_mac),
            Operation::Unknown(code) => format!("ARP opcode {code}"),
        }
    }
}

/// Parses a whole Ethernet frame holding ARP: 42 bytes, or more (60 when padded).
pub fn parse_frame(bytes: &[u8]) -> Result<(EthernetFrame, ArpPacket), ArpError> {
    if bytes.len() < FRAME_LEN {
        return Err(ArpError::TooShort {
            length: bytes.len(),
        });
    }
    let frame = EthernetFrame::parse(bytes).map_err(|_| ArpError::TooShort {
        length: bytes.len(),
    })?;
    if frame.ethertype != ETHERTYPE_ARP {
        return Err(ArpError::NotArp {
            ethertype: frame.ethertype,
        });
    }
    let packet = ArpPacket::parse(&frame.payload)?;
    Ok((frame, packet))
}

/// The answer a host with (`our_mac`, `our_ip`) gives to `request`: a reply when it is
/// a request for our IP, otherwise nothing (RFC 826: only the owner answers).
pub fn answer(our_mac: MacAddr, our_ip: Ipv4Addr, request: &ArpPacket) -> Option<ArpPacket> {
    // exercise 5.2: begin
    if request.operation != Operation::Request || request.target_ip != our_ip {
        return None;
    }
    Some(ArpPacket {
        operation: Operation::Reply,
        sender_mac: our_mac,
        sender_ip: our_ip,
        target_mac: request.sender_mac,
        target_ip: request.sender_ip,
    })
    // exercise 5.2: end
}

/// Field-by-field description of an ARP frame (42 bytes or padded).
pub fn annotate_frame(bytes: &[u8]) -> Result<Vec<Annotation>, ArpError> {
    let (frame, packet) = parse_frame(bytes)?;
    let e = ethernet::field::HEADER_LEN;
    let at = |range: std::ops::Range<usize>| bytes[range].to_vec();
    let shift = |range: std::ops::Range<usize>| range.start + e..range.end + e;
    let destination_note = if frame.destination.is_broadcast() {
        " (broadcast: every host on the link reads it)"
    } else {
        ""
    };
    let target_mac_note = match packet.operation {
        Operation::Request => " (ignored in a request: it is the question)",
        _ => "",
    };
    let operation = match packet.operation {
        Operation::Request => "1 (request)".to_string(),
        Operation::Reply => "2 (reply)".to_string(),
        Operation::Unknown(code) => format!("{code} (unknown)"),
    };
    let mut out = vec![
        Annotation::new(
            0,
            at(ethernet::field::DESTINATION),
            format!(
                "Ethernet destination {}{destination_note}",
                frame.destination
            ),
        ),
        Annotation::new(
            6,
            at(ethernet::field::SOURCE),
            format!("Ethernet source {}", frame.source),
        ),
        Annotation::new(12, at(ethernet::field::ETHERTYPE), "EtherType 0x0806 (ARP)"),
        Annotation::new(
            14,
            at(shift(field::HARDWARE_TYPE)),
            "hardware type 1 (Ethernet)",
        ),
        Annotation::new(
            16,
            at(shift(field::PROTOCOL_TYPE)),
            "protocol type 0x0800 (IPv4)",
        ),
        Annotation::new(18, vec![6], "hardware size 6"),
        Annotation::new(19, vec![4], "protocol size 4"),
        Annotation::new(
            20,
            at(shift(field::OPERATION)),
            format!("opcode {operation}"),
        ),
        Annotation::new(
            22,
            at(shift(field::SENDER_MAC)),
            format!("sender MAC {}", packet.sender_mac),
        ),
        Annotation::new(
            28,
            at(shift(field::SENDER_IP)),
            format!("sender IP {}", packet.sender_ip),
        ),
        Annotation::new(
            32,
            at(shift(field::TARGET_MAC)),
            format!("target MAC {}{target_mac_note}", packet.target_mac),
        ),
        Annotation::new(
            38,
            at(shift(field::TARGET_IP)),
            format!("target IP {}", packet.target_ip),
        ),
    ];
    if bytes.len() > FRAME_LEN {
        out.push(Annotation::new(
            FRAME_LEN,
            bytes[FRAME_LEN..].to_vec(),
            format!(
                "padding, {} bytes (a real card pads to 60)",
                bytes.len() - FRAME_LEN
            ),
        ));
    }
    Ok(out)
}

#[cfg(test)]
#[path = "exercise_tests/arp.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 2);
    const GW: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);
    const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0x01]);

    /// The kernel's reply captured on veth (lab-tools.md §1.4): 10.0.0.2 answers 10.0.0.1.
    const KERNEL_REPLY: &str = concat!(
        "020000000001",
        "020000000002",
        "0806", // Ethernet: to .01, from .02, ARP
        "0001",
        "0800",
        "06",
        "04",
        "0002", // Ethernet/IPv4, sizes 6/4, reply
        "020000000002",
        "0a000002", // sender 02:..:02 10.0.0.2
        "020000000001",
        "0a000001", // target 02:..:01 10.0.0.1
    );

    #[test]
    fn request_frame_is_byte_exact() {
        let frame = ArpPacket::request(MAC_A, A, GW).to_frame();
        assert_eq!(
            crate::hex(&frame),
            concat!(
                "ffffffffffff",
                "020000000a01",
                "0806", // broadcast, from ..0a:01, ARP
                "0001",
                "0800",
                "06",
                "04",
                "0001", // Ethernet/IPv4, sizes 6/4, request
                "020000000a01",
                "0a000102", // sender 02:..:0a:01 10.0.1.2
                "000000000000",
                "0a000101", // target MAC unknown, target IP 10.0.1.1
            )
        );
        assert_eq!(frame.len(), 42);
    }

    #[test]
    fn kernel_reply_parses() {
        let bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        let (frame, packet) = parse_frame(&bytes).unwrap();
        assert_eq!(frame.destination, MacAddr([2, 0, 0, 0, 0, 1]));
        assert_eq!(packet.operation, Operation::Reply);
        assert_eq!(packet.summary(), "10.0.0.2 is at 02:00:00:00:00:02");
    }

    #[test]
    fn padded_60_byte_frame_parses_and_short_frame_does_not() {
        let mut bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        bytes.resize(60, 0);
        assert!(parse_frame(&bytes).is_ok());
        assert_eq!(
            parse_frame(&bytes[..41]),
            Err(ArpError::TooShort { length: 41 })
        );
    }

    #[test]
    fn a_wrong_address_size_is_named_in_the_error() {
        let mut bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        let protocol_len_at = ethernet::field::HEADER_LEN + field::PROTOCOL_LEN;
        bytes[protocol_len_at] = 16; // an IPv6-sized protocol address
        assert_eq!(
            parse_frame(&bytes),
            Err(ArpError::NotEthernetIpv4 {
                hardware_type: 1,
                protocol_type: 0x0800,
                hardware_len: 6,
                protocol_len: 16,
            })
        );
    }

    #[test]
    fn a_short_packet_is_named_by_its_own_length() {
        let bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        let packet = &bytes[ethernet::field::HEADER_LEN..];
        assert_eq!(
            ArpPacket::parse(&packet[..27]),
            Err(ArpError::PacketTooShort { length: 27 })
        );
    }
}
