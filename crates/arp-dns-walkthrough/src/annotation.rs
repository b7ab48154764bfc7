//! One field of a packet as the `parse` commands print it: its offset, its bytes, and
//! what they mean. Every parser that explains itself (ARP, DNS) returns
//! a list of these, so one printer shows them all the same way.

use std::fmt;

/// One field of a packet: where it starts, its bytes, and what they mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub offset: usize,
    pub bytes: Vec<u8>,
    pub meaning: String,
}

impl Annotation {
    pub fn new(offset: usize, bytes: Vec<u8>, meaning: impl Into<String>) -> Annotation {
        Annotation {
            offset,
            bytes,
            meaning: meaning.into(),
        }
    }
}

impl fmt::Display for Annotation {
    /// `  0022  02 00 00 00 0a 01   sender MAC ...`; long fields show their first 8 bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = wire_text::hex(&self.bytes[..self.bytes.len().min(8)]);
        if self.bytes.len() > 8 {
            bytes.push_str(" ..");
        }
        write!(f, "{:>6}  {bytes:<26} {}", self.offset, self.meaning)
    }
}
