//! UDP datagrams: two port numbers, a length and a checksum in front of the data.
//!
//! RFC 768:
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |   source port   |  dest. port     |
//! |     length      |    checksum     |
//! +--------+--------+--------+--------+
//! |          data octets ...
//! ```
//!
//! The checksum covers a pseudo-header (source IP, destination IP, protocol 17, UDP
//! length) plus the UDP header and data; a computed 0 is sent as 0xffff.

use std::fmt;
use std::net::Ipv4Addr;

use crate::ipv4::{PROTOCOL_UDP, internet_checksum, pseudo_header};
use crate::wire::{PayloadTooLong, length_u16, read_u16};

/// Byte ranges of the UDP header.
pub mod field {
    use std::ops::Range;
    pub const SOURCE_PORT: Range<usize> = 0..2;
    pub const DESTINATION_PORT: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
    pub const HEADER_LEN: usize = CHECKSUM.end;
}

/// Why bytes are not a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UdpError {
    /// Shorter than 8 bytes or than the length field.
    Truncated { length: usize, needed: usize },
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdpError::Truncated { length, needed } => {
                write!(f, "UDP datagram truncated: {length} bytes, {needed} needed")
            }
        }
    }
}

impl std::error::Error for UdpError {}

/// A UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram {
    pub source_port: u16,
    pub destination_port: u16,
    pub payload: Vec<u8>,
}

impl UdpDatagram {
    /// Encodes with the checksum computed for the two IP addresses; or refuses a
    /// payload over 65 527 bytes (the length, header included, is 16 bits) and leaves
    /// `out` as it was.
    pub fn encode(
        &self,
        source: Ipv4Addr,
        destination: Ipv4Addr,
        out: &mut Vec<u8>,
    ) -> Result<(), PayloadTooLong> {
        let length = length_u16("UDP datagram", field::HEADER_LEN, self.payload.len())?;
        let start = out.len();
        out.extend_from_slice(&self.source_port.to_be_bytes());
        out.extend_from_slice(&self.destination_port.to_be_bytes());
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.payload);
        let mut summed = pseudo_header(source, destination, PROTOCOL_UDP, length);
        summed.extend_from_slice(&out[start..]);
        let checksum = match internet_checksum(&summed) {
            0 => 0xffff, // 0 would mean "no checksum" (RFC 768)
            sum => sum,
        };
        out[start + field::CHECKSUM.start..start + field::CHECKSUM.end]
            .copy_from_slice(&checksum.to_be_bytes());
        Ok(())
    }

    pub fn to_bytes(
        &self,
        source: Ipv4Addr,
        destination: Ipv4Addr,
    ) -> Result<Vec<u8>, PayloadTooLong> {
        let mut out = Vec::new();
        self.encode(source, destination, &mut out)?;
        Ok(out)
    }

    pub fn parse(bytes: &[u8]) -> Result<UdpDatagram, UdpError> {
        if bytes.len() < field::HEADER_LEN {
            return Err(UdpError::Truncated {
                length: bytes.len(),
                needed: field::HEADER_LEN,
            });
        }
        let length = usize::from(read_u16(bytes, field::LENGTH));
        if length < field::HEADER_LEN || bytes.len() < length {
            return Err(UdpError::Truncated {
                length: bytes.len(),
                needed: length.max(field::HEADER_LEN),
            });
        }
        Ok(UdpDatagram {
            source_port: read_u16(bytes, field::SOURCE_PORT),
            destination_port: read_u16(bytes, field::DESTINATION_PORT),
            payload: bytes[field::HEADER_LEN..length].to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_verifies_to_zero_with_the_pseudo_header() {
        let (a, b) = (Ipv4Addr::new(10, 0, 1, 2), Ipv4Addr::new(10, 0, 2, 53));
        let datagram = UdpDatagram {
            source_port: 53211,
            destination_port: 53,
            payload: b"hello".to_vec(),
        };
        let bytes = datagram.to_bytes(a, b).unwrap();
        let mut summed = pseudo_header(a, b, PROTOCOL_UDP, bytes.len().try_into().unwrap());
        summed.extend_from_slice(&bytes);
        assert_eq!(internet_checksum(&summed), 0);
        assert_eq!(UdpDatagram::parse(&bytes).unwrap(), datagram);
        assert!(UdpDatagram::parse(&bytes[..7]).is_err());
    }

    /// A real datagram: `hello` on loopback.
    #[rustfmt::skip]
    static CAPTURED_DATAGRAM: [u8; 13] = [
        0x9c, 0x40, // source port 40000
        0x1e, 0x6c, // destination port 7788
        0x00, 0x0d, // length 13: 8 header bytes + 5 data bytes
        0xfe, 0x20, // checksum (loopback leaves the partial sum: checksum offload)
        0x68, 0x65, 0x6c, 0x6c, 0x6f, // "hello"
    ];

    #[test]
    fn captured_loopback_datagram_is_read_field_by_field() {
        // Captured with `tcpdump -i lo -w` while python3 sent `hello` from 127.0.0.1:40000 to
        // 127.0.0.1:7788 (Linux loopback: Ethernet framing with zero MACs).
        let datagram = UdpDatagram::parse(&CAPTURED_DATAGRAM).unwrap();
        assert_eq!(datagram.source_port, 40000);
        assert_eq!(datagram.destination_port, 7788);
        assert_eq!(datagram.payload, b"hello");
    }

    #[test]
    fn a_payload_over_65527_bytes_is_refused_not_cut() {
        let (a, b) = (Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST);
        let mut datagram = UdpDatagram {
            source_port: 40000,
            destination_port: 7788,
            payload: vec![0; 65_527],
        };
        let longest = datagram.to_bytes(a, b).unwrap();
        assert_eq!(read_u16(&longest, field::LENGTH), 65_535);
        datagram.payload.push(0);
        let mut out = vec![0xa5];
        assert_eq!(
            datagram.encode(a, b, &mut out),
            Err(PayloadTooLong {
                carrier: "UDP datagram",
                length: 65_528,
                max: 65_527,
            })
        );
        assert_eq!(
            out,
            [0xa5],
            "nothing is written when the datagram is refused"
        );
    }
}
