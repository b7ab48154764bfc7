//! IPv4 headers: the part of the packet that stays the same from host to host (source
//! and destination IP), except the TTL, which every router lowers by one.
//!
//! RFC 791 §3.1 (no options, so the header is 20 bytes; IHL = 5):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |Type of Service|          Total Length         |
//! |         Identification        |Flags|      Fragment Offset    |
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! |                       Source Address                          |
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::fmt;
use std::net::Ipv4Addr;

use crate::wire::{PayloadTooLong, length_u16, read_u16};

/// Byte ranges of the 20-byte IPv4 header.
pub mod field {
    use std::ops::Range;
    pub const VERSION_IHL: usize = 0;
    pub const TOTAL_LENGTH: Range<usize> = 2..4;
    pub const IDENTIFICATION: Range<usize> = 4..6;
    pub const FLAGS_FRAGMENT: Range<usize> = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: Range<usize> = 10..12;
    pub const SOURCE: Range<usize> = 12..16;
    pub const DESTINATION: Range<usize> = 16..20;
    pub const HEADER_LEN: usize = DESTINATION.end;
}

pub const PROTOCOL_TCP: u8 = 6;
pub const PROTOCOL_UDP: u8 = 17;

/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum
/// of the data taken as big-endian 16-bit words (an odd last byte is padded with zero).
/// Over a header that already holds its checksum, the result is 0.
pub fn internet_checksum(bytes: &[u8]) -> u16 {
    // exercise 5.3: begin
    let mut sum: u32 = 0;
    for pair in bytes.chunks(2) {
        let word = match pair {
            [high, low] => u16::from_be_bytes([*high, *low]),
            [high] => u16::from_be_bytes([*high, 0]),
            _ => 0,
        };
        sum += u32::from(word);
        // Fold the carry back in as we go ("end-around carry").
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
    // exercise 5.3: end
}

/// Why bytes are not an IPv4 packet we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv4Error {
    /// Fewer than 20 bytes, or fewer than the total length says.
    Truncated { length: usize, needed: usize },
    /// The version field is not 4.
    NotVersion4 { version: u8 },
    /// A header length (IHL, in 4-byte words) other than 5: options, which we do not
    /// read (IHL > 5), or a header shorter than IPv4 allows (IHL < 5).
    HeaderLength { ihl: u8 },
    /// The header checksum does not add up.
    BadChecksum { found: u16, expected: u16 },
}

impl fmt::Display for Ipv4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ipv4Error::Truncated { length, needed } => {
                write!(f, "IPv4 packet truncated: {length} bytes, {needed} needed")
            }
            Ipv4Error::NotVersion4 { version } => {
                write!(f, "IP version {version} is not IPv4")
            }
            Ipv4Error::HeaderLength { ihl } => write!(
                f,
                "IPv4 header length {ihl} words is not supported here: only 5 (20 bytes, no options)"
            ),
            Ipv4Error::BadChecksum { found, expected } => write!(
                f,
                "IPv4 header checksum 0x{found:04x} is wrong (should be 0x{expected:04x})"
            ),
        }
    }
}

impl std::error::Error for Ipv4Error {}

/// A plain IPv4 header (no options) and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Packet {
    pub identification: u16,
    pub dont_fragment: bool,
    pub ttl: u8,
    pub protocol: u8,
    pub source: Ipv4Addr,
    pub destination: Ipv4Addr,
    pub payload: Vec<u8>,
}

impl Ipv4Packet {
    /// Encodes the header with its checksum, then the payload; or refuses a payload
    /// over 65 515 bytes (the total length, header included, is 16 bits) and leaves
    /// `out` as it was.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), PayloadTooLong> {
        let total = length_u16("IPv4 packet", field::HEADER_LEN, self.payload.len())?;
        let start = out.len();
        out.push(0x45); // version 4, IHL 5 words
        out.push(0); // DSCP/ECN
        out.extend_from_slice(&total.to_be_bytes());
        out.extend_from_slice(&self.identification.to_be_bytes());
        let flags: u16 = if self.dont_fragment { 0x4000 } else { 0 };
        out.extend_from_slice(&flags.to_be_bytes());
        out.push(self.ttl);
        out.push(self.protocol);
        out.extend_from_slice(&[0, 0]); // checksum, filled in below
        out.extend_from_slice(&self.source.octets());
        out.extend_from_slice(&self.destination.octets());
        let checksum = internet_checksum(&out[start..start + field::HEADER_LEN]);
        out[start + field::CHECKSUM.start..start + field::CHECKSUM.end]
            .copy_from_slice(&checksum.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, PayloadTooLong> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Parses and checks the header checksum; bytes after the total length (Ethernet
    /// padding) are dropped.
    pub fn parse(bytes: &[u8]) -> Result<Ipv4Packet, Ipv4Error> {
        if bytes.len() < field::HEADER_LEN {
            return Err(Ipv4Error::Truncated {
                length: bytes.len(),
                needed: field::HEADER_LEN,
            });
        }
        let version = bytes[field::VERSION_IHL] >> 4;
        let ihl = bytes[field::VERSION_IHL] & 0x0f;
        if version != 4 {
            return Err(Ipv4Error::NotVersion4 { version });
        }
        if ihl != 5 {
            return Err(Ipv4Error::HeaderLength { ihl });
        }
        let total = usize::from(read_u16(bytes, field::TOTAL_LENGTH));
        if total < field::HEADER_LEN || bytes.len() < total {
            return Err(Ipv4Error::Truncated {
                length: bytes.len(),
                needed: total.max(field::HEADER_LEN),
            });
        }
        let header = &bytes[..field::HEADER_LEN];
        if internet_checksum(header) != 0 {
            let mut zeroed = header.to_vec();
            zeroed[field::CHECKSUM].fill(0);
            return Err(Ipv4Error::BadChecksum {
                found: read_u16(bytes, field::CHECKSUM),
                expected: internet_checksum(&zeroed),
            });
        }
        let ip = |range: std::ops::Range<usize>| {
            let mut octets = [0u8; 4];
            octets.copy_from_slice(&bytes[range]);
            Ipv4Addr::from(octets)
        };
        Ok(Ipv4Packet {
            identification: read_u16(bytes, field::IDENTIFICATION),
            dont_fragment: bytes[field::FLAGS_FRAGMENT.start] & 0x40 != 0,
            ttl: bytes[field::TTL],
            protocol: bytes[field::PROTOCOL],
            source: ip(field::SOURCE),
            destination: ip(field::DESTINATION),
            payload: bytes[field::HEADER_LEN..total].to_vec(),
        })
    }
}

/// The 12-byte pseudo-header UDP and TCP put in front of their checksum (RFC 768,
/// RFC 793 §3.1), so a segment delivered to the wrong address fails its check.
/// `length` (the UDP or TCP header and data) is 16 bits there too: the encoders check
/// it fits before they call this.
pub fn pseudo_header(
    source: Ipv4Addr,
    destination: Ipv4Addr,
    protocol: u8,
    length: u16,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(12);
    out.extend_from_slice(&source.octets());
    out.extend_from_slice(&destination.octets());
    out.push(0);
    out.push(protocol);
    out.extend_from_slice(&length.to_be_bytes());
    out
}

#[cfg(test)]
#[path = "exercise_tests/ipv4.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// A real header, the worked example of the "IPv4 header checksum" article on
    /// Wikipedia: a UDP packet 192.168.0.1 → 192.168.0.199, checksum 0xb861.
    const REAL_HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, // version 4, IHL 5, DSCP 0, total length 115
        0x00, 0x00, 0x40, 0x00, // identification 0, flags DF
        0x40, 0x11, 0xb8, 0x61, // TTL 64, UDP (17), checksum
        0xc0, 0xa8, 0x00, 0x01, // source 192.168.0.1
        0xc0, 0xa8, 0x00, 0xc7, // destination 192.168.0.199
    ];

    #[test]
    fn encode_then_parse_keeps_fields_and_checks_sum() {
        let packet = Ipv4Packet {
            identification: 0,
            dont_fragment: true,
            ttl: 64,
            protocol: PROTOCOL_UDP,
            source: Ipv4Addr::new(192, 168, 0, 1),
            destination: Ipv4Addr::new(192, 168, 0, 199),
            payload: vec![0; 95],
        };
        let bytes = packet.to_bytes().unwrap();
        assert_eq!(bytes[..20], REAL_HEADER);
        assert_eq!(Ipv4Packet::parse(&bytes).unwrap(), packet);
        let mut broken = bytes.clone();
        broken[field::TTL] = 63;
        assert!(matches!(
            Ipv4Packet::parse(&broken),
            Err(Ipv4Error::BadChecksum { .. })
        ));
    }

    /// A real packet: the IPv4 header of the UDP datagram `hello` on loopback.
    #[rustfmt::skip]
    static CAPTURED_PACKET: [u8; 33] = [
        0x45, 0x00,             // version 4, IHL 5 (20 bytes); DSCP/ECN 0
        0x00, 0x21,             // total length 33
        0x1f, 0x5a,             // identification 0x1f5a
        0x40, 0x00,             // flags DF, fragment offset 0
        0x40, 0x11,             // TTL 64, protocol 17 (UDP)
        0x1d, 0x70,             // header checksum
        0x7f, 0x00, 0x00, 0x01, // source 127.0.0.1
        0x7f, 0x00, 0x00, 0x01, // destination 127.0.0.1
        // payload: UDP header (8 bytes) and "hello"
        0x9c, 0x40, 0x1e, 0x6c, 0x00, 0x0d, 0xfe, 0x20,
        0x68, 0x65, 0x6c, 0x6c, 0x6f,
    ];

    #[test]
    fn captured_loopback_packet_is_read_field_by_field() {
        // Captured with `tcpdump -i lo -w` while python3 sent `hello` from 127.0.0.1:40000 to
        // 127.0.0.1:7788 (Linux loopback: Ethernet framing with zero MACs).
        let packet = Ipv4Packet::parse(&CAPTURED_PACKET).unwrap();
        assert_eq!(packet.identification, 0x1f5a);
        assert!(packet.dont_fragment);
        assert_eq!(packet.ttl, 64);
        assert_eq!(packet.protocol, PROTOCOL_UDP);
        assert_eq!(packet.source, Ipv4Addr::LOCALHOST);
        assert_eq!(packet.destination, Ipv4Addr::LOCALHOST);
        assert_eq!(packet.payload, &CAPTURED_PACKET[field::HEADER_LEN..]);
        // The kernel's checksum is the one our encoder computes.
        assert_eq!(packet.to_bytes().unwrap(), CAPTURED_PACKET);
    }

    #[test]
    fn a_payload_over_65515_bytes_is_refused_not_cut() {
        let mut packet = Ipv4Packet {
            identification: 0,
            dont_fragment: true,
            ttl: 64,
            protocol: PROTOCOL_UDP,
            source: Ipv4Addr::LOCALHOST,
            destination: Ipv4Addr::LOCALHOST,
            payload: vec![0; 65_515],
        };
        let longest = packet.to_bytes().unwrap();
        assert_eq!(read_u16(&longest, field::TOTAL_LENGTH), 65_535);
        packet.payload.push(0);
        let mut out = vec![0xa5];
        assert_eq!(
            packet.encode(&mut out),
            Err(PayloadTooLong {
                carrier: "IPv4 packet",
                length: 65_516,
                max: 65_515,
            })
        );
        assert_eq!(out, [0xa5], "nothing is written when the packet is refused");
    }

    #[test]
    fn a_wrong_version_and_a_header_with_options_are_told_apart() {
        let mut version_6 = REAL_HEADER;
        version_6[field::VERSION_IHL] = 0x65;
        assert_eq!(
            Ipv4Packet::parse(&version_6),
            Err(Ipv4Error::NotVersion4 { version: 6 })
        );
        let mut with_options = REAL_HEADER;
        with_options[field::VERSION_IHL] = 0x46;
        assert_eq!(
            Ipv4Packet::parse(&with_options),
            Err(Ipv4Error::HeaderLength { ihl: 6 })
        );
    }
}
