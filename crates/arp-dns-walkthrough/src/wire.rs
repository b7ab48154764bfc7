//! Numbers on the wire are big-endian ("network byte order", RFC 1700): the most
//! significant byte first. Every parser reads its header fields through these two
//! functions and its `mod field` table: `read_u16(bytes, field::LENGTH)`, never two
//! bytes picked by bare offsets. Encoders write lengths the other way, and refuse a
//! payload whose length does not fit its field ([`PayloadTooLong`]) rather than cut the
//! number.

use std::fmt;
use std::ops::Range;

/// The most a 16-bit length field can say: 65 535 bytes.
pub const MAX_U16_LENGTH: usize = u16::MAX as usize; // widening: every u16 fits a usize

/// A payload too long for the 16-bit length written in front of it. Cutting the
/// number down to 16 bits (`length as u16`) would announce a shorter packet than the
/// bytes that follow, so the IPv4, UDP and TCP encoders refuse instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadTooLong {
    /// What was being written: `"IPv4 packet"`, `"UDP datagram"`, `"TCP segment"`.
    pub carrier: &'static str,
    /// The payload's length in bytes.
    pub length: usize,
    /// The longest payload that fits.
    pub max: usize,
}

impl fmt::Display for PayloadTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PayloadTooLong {
            carrier,
            length,
            max,
        } = self;
        write!(
            f,
            "a payload of {length} bytes does not fit one {carrier}: at most {max} bytes \
             (its length field is 16 bits)"
        )
    }
}

impl std::error::Error for PayloadTooLong {}

/// `header_len + payload_len` as the 16-bit length field that announces them both, or
/// [`PayloadTooLong`] naming `carrier` when the sum is over 65 535.
pub fn length_u16(
    carrier: &'static str,
    header_len: usize,
    payload_len: usize,
) -> Result<u16, PayloadTooLong> {
    header_len
        .checked_add(payload_len)
        .and_then(|total| u16::try_from(total).ok())
        .ok_or(PayloadTooLong {
            carrier,
            length: payload_len,
            max: MAX_U16_LENGTH.saturating_sub(header_len),
        })
}

/// The big-endian number in the two bytes `bytes[range]`.
///
/// Every caller first checks `bytes.len()` against its header length, and each `field`
/// range lies inside that header, so the range is inside the slice.
pub fn read_u16(bytes: &[u8], range: Range<usize>) -> u16 {
    bytes[range]
        .iter()
        .fold(0, |value, &byte| value << 8 | u16::from(byte))
}

/// The big-endian number in the four bytes `bytes[range]` (same invariant as
/// [`read_u16`]).
pub fn read_u32(bytes: &[u8], range: Range<usize>) -> u32 {
    bytes[range]
        .iter()
        .fold(0, |value, &byte| value << 8 | u32::from(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_byte_is_the_most_significant() {
        let bytes = [0x12, 0x34, 0x56, 0x78, 0x9a];
        assert_eq!(read_u16(&bytes, 0..2), 0x1234);
        assert_eq!(read_u16(&bytes, 3..5), 0x789a);
        assert_eq!(read_u32(&bytes, 1..5), 0x3456_789a);
    }

    #[test]
    fn a_length_over_16_bits_is_refused_with_the_limit() {
        assert_eq!(length_u16("UDP datagram", 8, 65_527), Ok(65_535));
        assert_eq!(
            length_u16("UDP datagram", 8, 65_528),
            Err(PayloadTooLong {
                carrier: "UDP datagram",
                length: 65_528,
                max: 65_527,
            })
        );
    }
}
