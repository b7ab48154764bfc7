//! DNS messages as one line: `query A example.com id=0x1234`,
//! `answer A example.com 93.184.216.34`.
//!
//! RFC 1035 §4.1: a 12-byte header, then the questions and the answer records.
//!
//! ```text
//! | id (2) | QR opcode AA TC RD RA Z rcode (2) | QDCOUNT (2) | ANCOUNT (2) | NSCOUNT (2) |
//! | ARCOUNT (2) | questions: name, type (2), class (2) |
//! | answers: name, type (2), class (2), TTL (4), data length (2), data |
//! ```
//!
//! Names may point back into the message (compression, §4.1.4); the reader follows at
//! most [`MAX_POINTERS`] pointers and builds at most 255 characters, so a loop or a
//! pointer past the end is an error, not a hang.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::text::quote;

/// The most compression pointers one name may follow.
pub const MAX_POINTERS: usize = 32;
/// The most answers a label lists (the rest are counted).
const MAX_LISTED: usize = 4;

/// Why a message could not be summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// The message ends inside a field.
    CutShort,
    /// A name's pointer loops, points past the end, or the name is too long.
    BadName,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsError::CutShort => f.write_str("message cut short"),
            DnsError::BadName => f.write_str("bad name"),
        }
    }
}

/// Byte ranges of the header and of the fixed parts that follow each name; a name has
/// no fixed length, so those ranges count from the byte after the name.
#[allow(dead_code)] // Whole headers, as the RFCs draw them, with fields a ladder does not show.
mod field {
    /// The 12-byte header (RFC 1035 §4.1.1).
    pub mod header {
        use std::ops::Range;
        pub const ID: Range<usize> = 0..2;
        /// QR (1 bit), opcode (4), AA, TC, RD, RA (1 each), Z (3), rcode (4).
        pub const FLAGS: Range<usize> = 2..4;
        pub const QUESTION_COUNT: Range<usize> = 4..6;
        pub const ANSWER_COUNT: Range<usize> = 6..8;
        pub const AUTHORITY_COUNT: Range<usize> = 8..10;
        pub const ADDITIONAL_COUNT: Range<usize> = 10..12;
        pub const HEADER_LEN: usize = ADDITIONAL_COUNT.end;
    }

    /// After a question's name (§4.1.2).
    pub mod question {
        use std::ops::Range;
        pub const TYPE: Range<usize> = 0..2;
        pub const CLASS: Range<usize> = 2..4;
        pub const FIXED_LEN: usize = CLASS.end;
    }

    /// After a resource record's name (§4.1.3); the data follows.
    pub mod record {
        use std::ops::Range;
        pub const TYPE: Range<usize> = 0..2;
        pub const CLASS: Range<usize> = 2..4;
        pub const TTL: Range<usize> = 4..8;
        pub const DATA_LENGTH: Range<usize> = 8..10;
        pub const FIXED_LEN: usize = DATA_LENGTH.end;
    }

    /// A compression pointer (§4.1.4): the top two bits set, then the 14-bit offset.
    pub mod pointer {
        use std::ops::Range;
        pub const OFFSET: Range<usize> = 0..2;
        pub const LEN: usize = OFFSET.end;
    }

    /// Inside a record's data, by type (§3.3, §3.4).
    pub mod data {
        use std::ops::Range;
        /// A: the IPv4 address.
        pub const A_ADDRESS: Range<usize> = 0..4;
        /// AAAA (RFC 3596): the IPv6 address.
        pub const AAAA_ADDRESS: Range<usize> = 0..16;
        /// MX: the preference, then the exchange's name.
        pub const MX_PREFERENCE: Range<usize> = 0..2;
        pub const MX_EXCHANGE: usize = MX_PREFERENCE.end;
        /// TXT: the first string's length byte, then the string.
        pub const TXT_LENGTH: usize = 0;
        pub const TXT_TEXT: usize = TXT_LENGTH + 1;
    }
}

/// The flag bits and numbers of the header's FLAGS field.
const FLAG_RESPONSE: u16 = 0x8000;
const OPCODE_SHIFT: u16 = 11;
const OPCODE_MASK: u16 = 0x0f;
const RCODE_MASK: u16 = 0x000f;
/// The low 14 bits of a compression pointer: the offset it points to.
const POINTER_OFFSET_MASK: u16 = 0x3fff;

/// The big-endian number in `bytes[range]`, or [`DnsError::CutShort`] when the message
/// ends before it.
fn read_u16(bytes: &[u8], range: Range<usize>) -> Result<u16, DnsError> {
    let field: [u8; 2] = bytes
        .get(range)
        .and_then(|field| field.try_into().ok())
        .ok_or(DnsError::CutShort)?;
    Ok(u16::from_be_bytes(field))
}

/// The bytes of `message` from `start` on (a name's fixed part, a pointer), or
/// [`DnsError::CutShort`] when `start` is past the end.
fn bytes_from(message: &[u8], start: usize) -> Result<&[u8], DnsError> {
    message.get(start..).ok_or(DnsError::CutShort)
}

/// The field's `N` bytes as an array, when it has them.
fn read_array<const N: usize>(bytes: &[u8], range: Range<usize>) -> Option<[u8; N]> {
    bytes.get(range)?.try_into().ok()
}

/// Reads the name at `at`; returns it (`example.com`, `.` for the root) and where the
/// bytes after it start.
fn name(message: &[u8], at: usize) -> Result<(String, usize), DnsError> {
    let mut labels: Vec<String> = Vec::new();
    let mut length = 0usize;
    let mut position = at;
    let mut after = None;
    let mut pointers = 0;
    loop {
        let &first = message.get(position).ok_or(DnsError::CutShort)?;
        match first >> 6 {
            0b00 => {
                if first == 0 {
                    let end = after.unwrap_or(position + 1);
                    let text = if labels.is_empty() {
                        ".".to_string()
                    } else {
                        labels.join(".")
                    };
                    return Ok((text, end));
                }
                let size = usize::from(first);
                let label = message
                    .get(position + 1..position + 1 + size)
                    .ok_or(DnsError::CutShort)?;
                length += size + 1;
                if length > 255 {
                    return Err(DnsError::BadName);
                }
                let text: String = label
                    .iter()
                    .map(|&b| {
                        if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                            char::from(b).to_string()
                        } else {
                            format!("\\{b:03}")
                        }
                    })
                    .collect();
                labels.push(text);
                position += 1 + size;
            }
            0b11 => {
                let pointer = read_u16(bytes_from(message, position)?, field::pointer::OFFSET)?;
                let target = usize::from(pointer & POINTER_OFFSET_MASK);
                pointers += 1;
                if pointers > MAX_POINTERS || target >= message.len() {
                    return Err(DnsError::BadName);
                }
                if after.is_none() {
                    after = Some(position + field::pointer::LEN);
                }
                position = target;
            }
            _ => return Err(DnsError::BadName),
        }
    }
}

/// The usual name of a record type (`A`, `AAAA`, `CNAME`), or `TYPE65534`.
pub fn type_name(kind: u16) -> String {
    match kind {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        41 => "OPT".into(),
        65 => "HTTPS".into(),
        255 => "ANY".into(),
        other => format!("TYPE{other}"),
    }
}

fn rcode_name(rcode: u16) -> String {
    match rcode {
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}

/// A record's data as text: an address, a name, or its size.
fn record_data(message: &[u8], kind: u16, start: usize, data: &[u8]) -> String {
    let name_at = |at| {
        name(message, at)
            .map(|(name, _)| name)
            .unwrap_or_else(|_| "(bad name)".into())
    };
    // Each arm checks the data's length before it reads a field of it.
    match kind {
        1 if data.len() == field::data::A_ADDRESS.end => {
            let octets = read_array::<4>(data, field::data::A_ADDRESS).unwrap_or_default();
            Ipv4Addr::from(octets).to_string()
        }
        28 if data.len() == field::data::AAAA_ADDRESS.end => {
            let octets = read_array::<16>(data, field::data::AAAA_ADDRESS).unwrap_or_default();
            Ipv6Addr::from(octets).to_string()
        }
        2 | 5 | 12 => name_at(start),
        15 if data.len() > field::data::MX_EXCHANGE => {
            let preference = read_u16(data, field::data::MX_PREFERENCE).unwrap_or(0);
            let exchange = name_at(start + field::data::MX_EXCHANGE);
            format!("{preference} {exchange}")
        }
        16 if !data.is_empty() => {
            let length = data.get(field::data::TXT_LENGTH).copied().unwrap_or(0);
            let text = &data[field::data::TXT_TEXT..];
            quote(&text[..usize::from(length).min(text.len())], 30)
        }
        _ => format!("({} bytes)", data.len()),
    }
}

/// The one-line summary of a DNS message. `strict` (for a message not on port 53) also
/// asks that it look exactly like a DNS message: one question, a standard query, and no
/// bytes left over, so that a UDP text message is not taken for DNS.
pub fn summary(message: &[u8], strict: bool) -> Result<String, DnsError> {
    let id = read_u16(message, field::header::ID)?;
    let flags = read_u16(message, field::header::FLAGS)?;
    let questions = read_u16(message, field::header::QUESTION_COUNT)?;
    let answers = read_u16(message, field::header::ANSWER_COUNT)?;
    let authorities = read_u16(message, field::header::AUTHORITY_COUNT)?;
    let additionals = read_u16(message, field::header::ADDITIONAL_COUNT)?;
    let response = flags & FLAG_RESPONSE != 0;
    let opcode = (flags >> OPCODE_SHIFT) & OPCODE_MASK;
    let rcode = flags & RCODE_MASK;
    if strict && (questions != 1 || opcode != 0) {
        return Err(DnsError::BadName);
    }
    let mut position = field::header::HEADER_LEN;
    let mut question = None;
    for _ in 0..questions {
        let (qname, after) = name(message, position)?;
        let fixed = bytes_from(message, after)?;
        let kind = read_u16(fixed, field::question::TYPE)?;
        read_u16(fixed, field::question::CLASS)?;
        position = after + field::question::FIXED_LEN;
        if question.is_none() {
            question = Some((qname, kind));
        }
    }
    let mut records = Vec::new();
    let total = usize::from(answers) + usize::from(authorities) + usize::from(additionals);
    for index in 0..total {
        let (rname, after) = name(message, position)?;
        let fixed = bytes_from(message, after)?;
        let kind = read_u16(fixed, field::record::TYPE)?;
        let size = usize::from(read_u16(fixed, field::record::DATA_LENGTH)?);
        let start = after + field::record::FIXED_LEN;
        let data = message.get(start..start + size).ok_or(DnsError::CutShort)?;
        position = start + size;
        if index < usize::from(answers) {
            records.push((rname, kind, record_data(message, kind, start, data)));
        }
    }
    if strict && position != message.len() {
        return Err(DnsError::BadName);
    }
    let (qname, qtype) = question.unwrap_or_else(|| (".".to_string(), 0));
    if !response {
        return Ok(format!("query {} {qname} id={id:#06x}", type_name(qtype)));
    }
    if rcode != 0 {
        return Ok(format!("answer {} {qname}", rcode_name(rcode)));
    }
    if records.is_empty() {
        return Ok(format!("answer {} {qname} (no records)", type_name(qtype)));
    }
    let listed: Vec<String> = records
        .iter()
        .take(MAX_LISTED)
        .map(|(rname, kind, data)| format!("{} {rname} {data}", type_name(*kind)))
        .collect();
    let mut label = format!("answer {}", listed.join(", "));
    if records.len() > MAX_LISTED {
        label.push_str(&format!(" (+{} more)", records.len() - MAX_LISTED));
    }
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query for example.com, type A, id 0x1234 (as dig sends it, without EDNS).
    const QUERY: &[u8] = &[
        0x12, 0x34, 0x01, 0x00, // id, flags: RD
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 1 question
        7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, // name
        0x00, 0x01, 0x00, 0x01, // type A, class IN
    ];

    #[test]
    fn fixed_parts_have_the_rfc_sizes() {
        assert_eq!(field::header::HEADER_LEN, 12);
        assert_eq!(field::question::FIXED_LEN, 4);
        assert_eq!(field::record::FIXED_LEN, 10);
    }

    #[test]
    fn query_names_type_name_and_id() {
        assert_eq!(
            summary(QUERY, true).unwrap(),
            "query A example.com id=0x1234"
        );
    }

    #[test]
    fn answer_with_a_compressed_name_names_the_address() {
        let mut answer = QUERY.to_vec();
        answer[2] = 0x81; // QR, RD
        answer[3] = 0x80; // RA
        answer[7] = 1; // one answer
        answer.extend_from_slice(&[
            0xc0, 0x0c, // pointer to the question's name
            0x00, 0x01, 0x00, 0x01, // A, IN
            0x00, 0x00, 0x0e, 0x10, // TTL 3600
            0x00, 0x04, 93, 184, 216, 34, // 4 bytes of address
        ]);
        assert_eq!(
            summary(&answer, true).unwrap(),
            "answer A example.com 93.184.216.34"
        );
    }

    #[test]
    fn pointer_loop_is_an_error() {
        let mut looped = QUERY[..12].to_vec();
        looped.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
        assert_eq!(summary(&looped, false), Err(DnsError::BadName));
    }

    #[test]
    fn text_is_not_taken_for_dns() {
        assert!(summary(b"hello, this is a text message", true).is_err());
    }
}
