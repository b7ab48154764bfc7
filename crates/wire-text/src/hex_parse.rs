//! Hex text read back into bytes.

use std::fmt;

/// Text that is not hex: each variant names one way it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadHex {
    /// A character that is not a hex digit (nor a space or colon between pairs).
    NotADigit(char),
    /// An odd number of digits: half a byte is missing.
    OddDigitCount(usize),
}

impl fmt::Display for BadHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadHex::NotADigit(bad) => write!(f, "bad hex: '{bad}' is not a hex digit"),
            BadHex::OddDigitCount(count) => write!(
                f,
                "bad hex: {count} hex digits: an odd number, so half a byte is missing"
            ),
        }
    }
}

impl std::error::Error for BadHex {}

/// Reads hex text as either function of [`hex_dump`](crate::hex_dump) writes it: spaces,
/// colons and newlines between the pairs are allowed (`0a ff:01`).
pub fn parse_hex(text: &str) -> Result<Vec<u8>, BadHex> {
    let mut digits = Vec::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != ':') {
        match c.to_digit(16) {
            // A hex digit is below 16, so it fits a byte.
            Some(value) => digits.push(value as u8),
            None => return Err(BadHex::NotADigit(c)),
        }
    }
    if digits.len() % 2 != 0 {
        return Err(BadHex::OddDigitCount(digits.len()));
    }
    Ok(digits
        .chunks_exact(2)
        .map(|pair| pair[0] << 4 | pair[1])
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hex, hex_compact};

    #[test]
    fn hex_round_trips_and_rejects_odd_input() {
        assert_eq!(parse_hex("0a ff:01").unwrap(), vec![10, 255, 1]);
        assert_eq!(parse_hex("abc"), Err(BadHex::OddDigitCount(3)));
        assert_eq!(parse_hex("zz"), Err(BadHex::NotADigit('z')));
        assert_eq!(hex_compact(&[0, 171]), "00ab");
        assert_eq!(parse_hex(&hex(&[0, 171])).unwrap(), vec![0, 171]);
    }
}
