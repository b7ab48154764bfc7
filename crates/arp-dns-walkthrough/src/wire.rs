//! Numbers on the wire are big-endian ("network byte order", RFC 1700): the most
//! significant byte first. Every parser reads its header fields through these two
//! functions and its `mod field` table: `read_u16(bytes, field::LENGTH)`, never
//! `bytes[4], bytes[5]`.

use std::ops::Range;

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
}
