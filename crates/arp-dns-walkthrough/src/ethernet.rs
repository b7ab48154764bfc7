//! Ethernet II frames and MAC addresses: the envelope every hop rewrites.
//!
//! IEEE 802.3 / RFC 894 ("Ethernet II"), without the preamble and the frame check
//! sequence (the network card adds and strips those; captures never show them):
//!
//! ```text
//!  0                   6                  12        14
//! +-------------------+-------------------+---------+----------------------+
//! | destination MAC   | source MAC        | type    | payload (46-1500)    |
//! +-------------------+-------------------+---------+----------------------+
//!   type 0x0800 = IPv4, 0x0806 = ARP
//! ```
//!
//! A real card pads a frame to 60 bytes (64 with the FCS); a veth or loopback does not,
//! so a parser must take both (42-byte and 60-byte ARP frames, for example).

use std::fmt;
use std::str::FromStr;

use crate::wire::read_u16;

/// Byte ranges of the Ethernet II header.
pub mod field {
    use std::ops::Range;
    pub const DESTINATION: Range<usize> = 0..6;
    pub const SOURCE: Range<usize> = 6..12;
    pub const ETHERTYPE: Range<usize> = 12..14;
    pub const HEADER_LEN: usize = ETHERTYPE.end;
}

/// The smallest frame a real card sends (without the 4-byte FCS).
pub const MINIMUM_FRAME_LEN: usize = 60;
pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_ARP: u16 = 0x0806;

/// A 48-bit MAC address, written `02:00:00:00:00:01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// `ff:ff:ff:ff:ff:ff`: every station on the link reads the frame.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// `00:00:00:00:00:00`: "unknown", as in the target field of an ARP request.
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    pub fn is_broadcast(&self) -> bool {
        *self == MacAddr::BROADCAST
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// `text` is not six hex pairs separated by `:` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadMac {
    pub text: String,
}

impl fmt::Display for BadMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a MAC address: write six hex pairs with colons, like 02:00:00:00:00:01",
            self.text
        )
    }
}

impl std::error::Error for BadMac {}

impl FromStr for MacAddr {
    type Err = BadMac;
    fn from_str(text: &str) -> Result<MacAddr, BadMac> {
        let bad = || BadMac {
            text: text.to_string(),
        };
        let parts: Vec<&str> = text.trim().split([':', '-']).collect();
        if parts.len() != 6 {
            return Err(bad());
        }
        let mut mac = [0u8; 6];
        for (slot, part) in mac.iter_mut().zip(parts) {
            if part.len() != 2 {
                return Err(bad());
            }
            *slot = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        }
        Ok(MacAddr(mac))
    }
}

/// Why bytes are not an Ethernet frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Fewer than the 14 header bytes.
    TooShort { length: usize },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooShort { length } => write!(
                f,
                "{length} bytes is too short for an Ethernet frame (the header alone is 14)"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

/// One Ethernet II frame: header fields and the payload after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthernetFrame {
    pub destination: MacAddr,
    pub source: MacAddr,
    pub ethertype: u16,
    pub payload: Vec<u8>,
}

impl EthernetFrame {
    pub fn parse(bytes: &[u8]) -> Result<EthernetFrame, FrameError> {
        if bytes.len() < field::HEADER_LEN {
            return Err(FrameError::TooShort {
                length: bytes.len(),
            });
        }
        let mac = |range: std::ops::Range<usize>| {
            let mut out = [0u8; 6];
            out.copy_from_slice(&bytes[range]);
            MacAddr(out)
        };
        Ok(EthernetFrame {
            destination: mac(field::DESTINATION),
            source: mac(field::SOURCE),
            ethertype: read_u16(bytes, field::ETHERTYPE),
            payload: bytes[field::HEADER_LEN..].to_vec(),
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.destination.0);
        out.extend_from_slice(&self.source.0);
        out.extend_from_slice(&self.ethertype.to_be_bytes());
        out.extend_from_slice(&self.payload);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(field::HEADER_LEN + self.payload.len());
        self.encode(&mut out);
        out
    }
}

/// A name for an EtherType value.
pub fn ethertype_name(ethertype: u16) -> &'static str {
    match ethertype {
        ETHERTYPE_IPV4 => "IPv4",
        ETHERTYPE_ARP => "ARP",
        0x86dd => "IPv6",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_text_round_trips() {
        let mac: MacAddr = "02:00:00:00:0A:fe".parse().unwrap();
        assert_eq!(mac.0, [2, 0, 0, 0, 0x0a, 0xfe]);
        assert_eq!(mac.to_string(), "02:00:00:00:0a:fe");
        assert!("02:00:00:00:0a".parse::<MacAddr>().is_err());
        assert!("02:00:00:00:0a:zz".parse::<MacAddr>().is_err());
        assert!("02:00:00:00:0a:1".parse::<MacAddr>().is_err());
    }

    #[test]
    fn short_frame_is_refused() {
        assert_eq!(
            EthernetFrame::parse(&[0; 13]),
            Err(FrameError::TooShort { length: 13 })
        );
    }

    /// A real frame: the UDP datagram `hello` on loopback.
    #[rustfmt::skip]
    static CAPTURED_FRAME: [u8; 47] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // destination MAC (loopback: all zero)
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // source MAC
        0x08, 0x00,                         // EtherType IPv4
        // IPv4 header (20 bytes), then UDP header (8) and "hello" (5): the payload
        0x45, 0x00, 0x00, 0x21, 0x1f, 0x5a, 0x40, 0x00, 0x40, 0x11, 0x1d, 0x70,
        0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
        0x9c, 0x40, 0x1e, 0x6c, 0x00, 0x0d, 0xfe, 0x20,
        0x68, 0x65, 0x6c, 0x6c, 0x6f,
    ];

    #[test]
    fn captured_loopback_frame_is_read_field_by_field() {
        // Captured with `tcpdump -i lo -w` while python3 sent `hello` from 127.0.0.1:40000 to
        // 127.0.0.1:7788 (Linux loopback: Ethernet framing with zero MACs).
        let frame = EthernetFrame::parse(&CAPTURED_FRAME).unwrap();
        assert_eq!(frame.destination, MacAddr([0; 6]));
        assert_eq!(frame.source, MacAddr([0; 6]));
        assert_eq!(frame.ethertype, ETHERTYPE_IPV4);
        assert_eq!(frame.payload, &CAPTURED_FRAME[field::HEADER_LEN..]);
        assert_eq!(frame.to_bytes(), CAPTURED_FRAME);
    }
}
