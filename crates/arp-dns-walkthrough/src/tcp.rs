//! TCP segments, enough to draw a connection on the wire: the three-way handshake, data,
//! and the close.
//!
//! RFC 9293 §3.1 (no options here, so the data offset is 5 words = 20 bytes):
//!
//! ```text
//!  0                   1                   2                   3
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Source Port          |       Destination Port        |
//! |                        Sequence Number                        |
//! |                    Acknowledgment Number                      |
//! |  Data |       |C|E|U|A|P|R|S|F|                               |
//! | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//! |           Checksum            |         Urgent Pointer        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::fmt;
use std::net::Ipv4Addr;

use crate::ipv4::{PROTOCOL_TCP, internet_checksum, pseudo_header};
use crate::wire::{PayloadTooLong, length_u16, read_u16, read_u32};

/// Byte ranges of the 20-byte TCP header.
pub mod field {
    use std::ops::Range;
    pub const SOURCE_PORT: Range<usize> = 0..2;
    pub const DESTINATION_PORT: Range<usize> = 2..4;
    pub const SEQUENCE: Range<usize> = 4..8;
    pub const ACKNOWLEDGMENT: Range<usize> = 8..12;
    pub const DATA_OFFSET: usize = 12;
    pub const FLAGS: usize = 13;
    pub const WINDOW: Range<usize> = 14..16;
    pub const CHECKSUM: Range<usize> = 16..18;
    pub const URGENT: Range<usize> = 18..20;
    pub const HEADER_LEN: usize = URGENT.end;
}

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// The flag names as Wireshark writes them: `[SYN, ACK]`.
pub fn flag_names(flags: u8) -> String {
    let names: Vec<&str> = [
        (FIN, "FIN"),
        (SYN, "SYN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (ACK, "ACK"),
    ]
    .iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    format!("[{}]", names.join(", "))
}

/// The sequence number `length` bytes after `sequence`.
///
/// Sequence numbers count modulo 2^32 (RFC 9293 §3.4): after 4 294 967 295 comes 0,
/// and a connection that sends more than 4 GiB goes round again. So the sum wraps by
/// design (`wrapping_add`, never an overflow), and `length as u32` keeps the length
/// modulo 2^32, which is exactly what a sum modulo 2^32 needs.
pub fn advance(sequence: u32, length: usize) -> u32 {
    sequence.wrapping_add(length as u32)
}

/// Why bytes are not a TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpError {
    /// Fewer bytes than the header (and its options) need.
    Truncated { length: usize, needed: usize },
}

impl fmt::Display for TcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpError::Truncated { length, needed } => {
                write!(f, "TCP segment truncated: {length} bytes, {needed} needed")
            }
        }
    }
}

impl std::error::Error for TcpError {}

/// A TCP segment without options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSegment {
    pub source_port: u16,
    pub destination_port: u16,
    pub sequence: u32,
    pub acknowledgment: u32,
    pub flags: u8,
    pub window: u16,
    pub payload: Vec<u8>,
}

impl TcpSegment {
    /// Encodes with the checksum over pseudo-header, header and data; or refuses a
    /// payload over 65 515 bytes (the pseudo-header's TCP length, header included, is
    /// 16 bits) and leaves `out` as it was.
    pub fn encode(
        &self,
        source: Ipv4Addr,
        destination: Ipv4Addr,
        out: &mut Vec<u8>,
    ) -> Result<(), PayloadTooLong> {
        let length = length_u16("TCP segment", field::HEADER_LEN, self.payload.len())?;
        let start = out.len();
        out.extend_from_slice(&self.source_port.to_be_bytes());
        out.extend_from_slice(&self.destination_port.to_be_bytes());
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.acknowledgment.to_be_bytes());
        out.push(5 << 4); // data offset: 5 words, no options
        out.push(self.flags);
        out.extend_from_slice(&self.window.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]); // checksum (below), urgent pointer
        out.extend_from_slice(&self.payload);
        let mut summed = pseudo_header(source, destination, PROTOCOL_TCP, length);
        summed.extend_from_slice(&out[start..]);
        let checksum = internet_checksum(&summed);
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

    /// How much sequence space the segment uses: its data, plus one for SYN and FIN
    /// (counted modulo 2^32, like every sequence number: see [`advance`]).
    pub fn sequence_length(&self) -> u32 {
        advance(0, self.payload.len())
            .wrapping_add(u32::from(self.flags & SYN != 0))
            .wrapping_add(u32::from(self.flags & FIN != 0))
    }

    pub fn parse(bytes: &[u8]) -> Result<TcpSegment, TcpError> {
        if bytes.len() < field::HEADER_LEN {
            return Err(TcpError::Truncated {
                length: bytes.len(),
                needed: field::HEADER_LEN,
            });
        }
        let header_len = usize::from(bytes[field::DATA_OFFSET] >> 4) * 4;
        if header_len < field::HEADER_LEN || bytes.len() < header_len {
            return Err(TcpError::Truncated {
                length: bytes.len(),
                needed: header_len.max(field::HEADER_LEN),
            });
        }
        Ok(TcpSegment {
            source_port: read_u16(bytes, field::SOURCE_PORT),
            destination_port: read_u16(bytes, field::DESTINATION_PORT),
            sequence: read_u32(bytes, field::SEQUENCE),
            acknowledgment: read_u32(bytes, field::ACKNOWLEDGMENT),
            flags: bytes[field::FLAGS],
            window: read_u16(bytes, field::WINDOW),
            payload: bytes[header_len..].to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syn_uses_one_sequence_number_and_checksums_to_zero() {
        let (a, b) = (Ipv4Addr::new(10, 0, 1, 2), Ipv4Addr::new(10, 0, 2, 2));
        let syn = TcpSegment {
            source_port: 40000,
            destination_port: 80,
            sequence: 1000,
            acknowledgment: 0,
            flags: SYN,
            window: 64240,
            payload: Vec::new(),
        };
        assert_eq!(syn.sequence_length(), 1);
        let bytes = syn.to_bytes(a, b).unwrap();
        let mut summed = pseudo_header(a, b, PROTOCOL_TCP, bytes.len().try_into().unwrap());
        summed.extend_from_slice(&bytes);
        assert_eq!(internet_checksum(&summed), 0);
        assert_eq!(TcpSegment::parse(&bytes).unwrap(), syn);
        assert_eq!(flag_names(SYN | ACK), "[SYN, ACK]");
    }

    /// A real segment: the SYN that opens a connection on loopback.
    #[rustfmt::skip]
    static CAPTURED_SYN: [u8; 40] = [
        0x9c, 0x41,             // source port 40001
        0x1e, 0x6d,             // destination port 7789
        0x1a, 0x40, 0xc7, 0x98, // sequence number (the client's ISN)
        0x00, 0x00, 0x00, 0x00, // acknowledgment number (none yet)
        0xa0, 0x02,             // data offset 10 (40 bytes), flags SYN
        0xff, 0xd7,             // window 65495
        0xfe, 0x30,             // checksum (partial sum: loopback offload)
        0x00, 0x00,             // urgent pointer
        // options: MSS 65495, SACK permitted, timestamps, NOP, window scale 10
        0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a,
        0x6e, 0x9e, 0x77, 0x2f, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x03, 0x03, 0x0a,
    ];

    #[test]
    fn captured_loopback_syn_is_read_field_by_field() {
        // Captured with `tcpdump -i lo -w` while python3 connected from 127.0.0.1:40001
        // to a listener on 127.0.0.1:7789.
        let segment = TcpSegment::parse(&CAPTURED_SYN).unwrap();
        assert_eq!(segment.source_port, 40001);
        assert_eq!(segment.destination_port, 7789);
        assert_eq!(segment.sequence, 0x1a40_c798);
        assert_eq!(segment.acknowledgment, 0);
        assert_eq!(segment.flags, SYN);
        assert_eq!(segment.window, 65495);
        // The options are header, not data.
        assert!(segment.payload.is_empty());
    }

    #[test]
    fn a_payload_over_65515_bytes_is_refused_not_cut() {
        let (a, b) = (Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST);
        let mut segment = TcpSegment {
            source_port: 40001,
            destination_port: 7789,
            sequence: 1,
            acknowledgment: 1,
            flags: PSH | ACK,
            window: 65535,
            payload: vec![0; 65_515],
        };
        assert!(segment.to_bytes(a, b).is_ok());
        segment.payload.push(0);
        let mut out = vec![0xa5];
        assert_eq!(
            segment.encode(a, b, &mut out),
            Err(PayloadTooLong {
                carrier: "TCP segment",
                length: 65_516,
                max: 65_515,
            })
        );
        assert_eq!(
            out,
            [0xa5],
            "nothing is written when the segment is refused"
        );
    }

    #[test]
    fn sequence_numbers_wrap_round_after_2_to_the_32() {
        assert_eq!(advance(u32::MAX, 1), 0);
        assert_eq!(advance(u32::MAX - 9, 1460), 1450);
        assert_eq!(advance(1_000, 70_000), 71_000);
    }
}
