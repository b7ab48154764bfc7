//! The 12 bytes every DNS message starts with: who asked (the ID), what kind of message
//! it is (the flags), and how many entries each section holds (the counts).
//!
//! RFC 1035 §4.1.1:
//!
//! ```text
//!                                 1  1  1  1  1  1
//!   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                    QDCOUNT                    |
//! |                    ANCOUNT                    |
//! |                    NSCOUNT                    |
//! |                    ARCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! ```
//!
//! The flags are one 16-bit word on the wire; here each has a name, so code says
//! `header.truncated` where it would otherwise say `flags & 0x0200 != 0`.

use std::fmt;

/// Byte ranges of the header.
pub mod field {
    use std::ops::Range;
    pub const ID: Range<usize> = 0..2;
    pub const FLAGS: Range<usize> = 2..4;
    pub const QDCOUNT: Range<usize> = 4..6;
    pub const ANCOUNT: Range<usize> = 6..8;
    pub const NSCOUNT: Range<usize> = 8..10;
    pub const ARCOUNT: Range<usize> = 10..12;
    pub const HEADER_LEN: usize = ARCOUNT.end;
}

/// Where each flag sits in the 16-bit flags word.
mod bit {
    pub const QR: u16 = 0x8000;
    pub const OPCODE_SHIFT: u16 = 11;
    pub const AA: u16 = 0x0400;
    pub const TC: u16 = 0x0200;
    pub const RD: u16 = 0x0100;
    pub const RA: u16 = 0x0080;
    pub const Z_SHIFT: u16 = 4;
}

/// The response code: how the server's attempt went (RFC 1035 §4.1.1). Four bits on
/// the wire; codes without a name here are kept as their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rcode {
    /// 0: no error.
    NoError,
    /// 1: the server could not understand the query.
    FormErr,
    /// 2: the server failed (often: it could not reach the authoritative servers).
    ServFail,
    /// 3: the name does not exist.
    NxDomain,
    /// 4: the server does not implement this kind of query.
    NotImp,
    /// 5: the server refuses to answer us.
    Refused,
    /// Any other code (0 to 15).
    Unknown(u8),
}

impl Rcode {
    /// The code in the low four bits of `code`.
    pub fn from_code(code: u8) -> Rcode {
        match code & 0x0f {
            0 => Rcode::NoError,
            1 => Rcode::FormErr,
            2 => Rcode::ServFail,
            3 => Rcode::NxDomain,
            4 => Rcode::NotImp,
            5 => Rcode::Refused,
            other => Rcode::Unknown(other),
        }
    }

    /// The four-bit number on the wire.
    pub fn code(self) -> u8 {
        match self {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::ServFail => 2,
            Rcode::NxDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
            // Only four bits go on the wire.
            Rcode::Unknown(code) => code & 0x0f,
        }
    }
}

impl fmt::Display for Rcode {
    /// The name dig prints: `NOERROR`, `NXDOMAIN`, ..., `RCODE12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rcode::NoError => f.write_str("NOERROR"),
            Rcode::FormErr => f.write_str("FORMERR"),
            Rcode::ServFail => f.write_str("SERVFAIL"),
            Rcode::NxDomain => f.write_str("NXDOMAIN"),
            Rcode::NotImp => f.write_str("NOTIMP"),
            Rcode::Refused => f.write_str("REFUSED"),
            Rcode::Unknown(code) => write!(f, "RCODE{code}"),
        }
    }
}

/// The 12-byte header, each flag by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub id: u16,
    /// QR: false in a query, true in a response.
    pub response: bool,
    /// The kind of query: 0 is a standard query (four bits on the wire).
    pub opcode: u8,
    /// AA: the answer comes from a server responsible for the name.
    pub authoritative: bool,
    /// TC: the answer did not fit the datagram; ask again over TCP.
    pub truncated: bool,
    /// RD: the client asks the server to resolve the name for it.
    pub recursion_desired: bool,
    /// RA: the server offers to do that.
    pub recursion_available: bool,
    /// The three bits between RA and RCODE (Z in RFC 1035; AD and CD since RFC 4035):
    /// kept so a message reads back the way it came.
    pub reserved: u8,
    pub rcode: Rcode,
    pub question_count: u16,
    pub answer_count: u16,
    pub authority_count: u16,
    pub additional_count: u16,
}

impl Header {
    /// A query header: no flag set but, when asked, RD.
    pub fn query(id: u16, recursion_desired: bool) -> Header {
        Header {
            id,
            response: false,
            opcode: 0,
            authoritative: false,
            truncated: false,
            recursion_desired,
            recursion_available: false,
            reserved: 0,
            rcode: Rcode::NoError,
            question_count: 0,
            answer_count: 0,
            authority_count: 0,
            additional_count: 0,
        }
    }

    /// The header from the ID, the flags word and the four counts as read off the wire.
    pub fn from_wire(id: u16, flags: u16, counts: [u16; 4]) -> Header {
        let [
            question_count,
            answer_count,
            authority_count,
            additional_count,
        ] = counts;
        Header {
            id,
            response: flags & bit::QR != 0,
            // Four bits, so the value fits a byte.
            opcode: ((flags >> bit::OPCODE_SHIFT) & 0x0f) as u8,
            authoritative: flags & bit::AA != 0,
            truncated: flags & bit::TC != 0,
            recursion_desired: flags & bit::RD != 0,
            recursion_available: flags & bit::RA != 0,
            // Three bits, so the value fits a byte.
            reserved: ((flags >> bit::Z_SHIFT) & 0x07) as u8,
            // Four bits, so the value fits a byte.
            rcode: Rcode::from_code((flags & 0x0f) as u8),
            question_count,
            answer_count,
            authority_count,
            additional_count,
        }
    }

    /// The flags as the one 16-bit word on the wire. Opcode and reserved bits are
    /// masked to their widths (four and three bits).
    pub fn flags(&self) -> u16 {
        let mut word = (u16::from(self.opcode & 0x0f) << bit::OPCODE_SHIFT)
            | (u16::from(self.reserved & 0x07) << bit::Z_SHIFT)
            | u16::from(self.rcode.code());
        for (set, flag) in [
            (self.response, bit::QR),
            (self.authoritative, bit::AA),
            (self.truncated, bit::TC),
            (self.recursion_desired, bit::RD),
            (self.recursion_available, bit::RA),
        ] {
            if set {
                word |= flag;
            }
        }
        word
    }

    /// The flag letters as dig prints them: `qr aa rd ra`.
    pub fn flag_names(&self) -> String {
        let names: Vec<&str> = [
            (self.response, "qr"),
            (self.authoritative, "aa"),
            (self.truncated, "tc"),
            (self.recursion_desired, "rd"),
            (self.recursion_available, "ra"),
        ]
        .iter()
        .filter(|(set, _)| *set)
        .map(|(_, name)| *name)
        .collect();
        names.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flags_word_reads_back_the_same() {
        for word in 0..=u16::MAX {
            assert_eq!(Header::from_wire(1, word, [0; 4]).flags(), word);
        }
    }

    #[test]
    fn dnsmasq_answer_flags_are_named() {
        // 0x8580 from dnsmasq's answer for baidu.com: qr, aa, rd, ra, NOERROR.
        let header = Header::from_wire(0xbeef, 0x8580, [1, 2, 0, 0]);
        assert!(header.response && header.authoritative);
        assert!(header.recursion_desired && header.recursion_available);
        assert!(!header.truncated);
        assert_eq!(header.rcode, Rcode::NoError);
        assert_eq!(header.flag_names(), "qr aa rd ra");
        assert_eq!(Rcode::from_code(3).to_string(), "NXDOMAIN");
        assert_eq!(Rcode::from_code(12).to_string(), "RCODE12");
    }
}
