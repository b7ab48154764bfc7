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

fn be16(bytes: &[u8], at: usize) -> Result<u16, DnsError> {
    match bytes.get(at..at + 2) {
        Some(field) => Ok(u16::from_be_bytes([field[0], field[1]])),
        None => Err(DnsError::CutShort),
    }
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
                let target = usize::from(be16(message, position)? & 0x3fff);
                pointers += 1;
                if pointers > MAX_POINTERS || target >= message.len() {
                    return Err(DnsError::BadName);
                }
                if after.is_none() {
                    after = Some(position + 2);
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
    match (kind, data.len()) {
        (1, 4) => Ipv4Addr::new(data[0], data[1], data[2], data[3]).to_string(),
        (28, 16) => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(data);
            Ipv6Addr::from(octets).to_string()
        }
        (2 | 5 | 12, _) => name(message, start)
            .map(|(name, _)| name)
            .unwrap_or_else(|_| "(bad name)".into()),
        (15, 3..) => {
            let preference = u16::from_be_bytes([data[0], data[1]]);
            let exchange = name(message, start + 2)
                .map(|(name, _)| name)
                .unwrap_or_else(|_| "(bad name)".into());
            format!("{preference} {exchange}")
        }
        (16, 1..) => {
            let size = usize::from(data[0]).min(data.len() - 1);
            quote(&data[1..1 + size], 30)
        }
        (_, size) => format!("({size} bytes)"),
    }
}

/// The one-line summary of a DNS message. `strict` (for a message not on port 53) also
/// asks that it look exactly like a DNS message: one question, a standard query, and no
/// bytes left over, so that a UDP text message is not taken for DNS.
pub fn summary(message: &[u8], strict: bool) -> Result<String, DnsError> {
    let id = be16(message, 0)?;
    let flags = be16(message, 2)?;
    let questions = be16(message, 4)?;
    let answers = be16(message, 6)?;
    let authorities = be16(message, 8)?;
    let additionals = be16(message, 10)?;
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0x0f;
    let rcode = flags & 0x000f;
    if strict && (questions != 1 || opcode != 0) {
        return Err(DnsError::BadName);
    }
    let mut position = 12;
    let mut question = None;
    for _ in 0..questions {
        let (qname, after) = name(message, position)?;
        let kind = be16(message, after)?;
        be16(message, after + 2)?;
        position = after + 4;
        if question.is_none() {
            question = Some((qname, kind));
        }
    }
    let mut records = Vec::new();
    let total = usize::from(answers) + usize::from(authorities) + usize::from(additionals);
    for index in 0..total {
        let (rname, after) = name(message, position)?;
        let kind = be16(message, after)?;
        let size = usize::from(be16(message, after + 8)?);
        let start = after + 10;
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
