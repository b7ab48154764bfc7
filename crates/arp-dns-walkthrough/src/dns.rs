//! DNS messages: how a name becomes an IP address, byte by byte.
//!
//! RFC 1035 §4.1: a 12-byte header, then the question, answer, authority and additional
//! sections. Names are length-prefixed labels ending in a zero byte (`5 baidu 3 com 0`),
//! and to save space a name (or its tail) can be a two-byte *compression pointer*
//! `11xxxxxx xxxxxxxx` to where the same labels already appear in the message (§4.1.4).
//!
//! ```text
//! header (RFC 1035 §4.1.1):
//!                                 1  1  1  1  1  1
//!   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! |                      ID                       |
//! |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
//! |                    QDCOUNT                    |
//! |                    ANCOUNT                    |
//! |                    NSCOUNT                    |
//! |                    ARCOUNT                    |
//! +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//! question: | QNAME (labels) | QTYPE (2) | QCLASS (2) |
//! record:   | NAME | TYPE (2) | CLASS (2) | TTL (4) | RDLENGTH (2) | RDATA |
//! ```
//!
//! The parser never trusts a number in the message: counts, lengths and pointers are all
//! checked against the bytes really there, and pointer loops are caught by remembering
//! every offset a pointer already led to (RFC 9267 lists what goes wrong otherwise).

pub mod resolve;
pub mod server;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::Annotation;

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

/// Longest name on the wire, length bytes and final zero included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// Longest label (the length byte has 6 bits left after the two type bits).
pub const MAX_LABEL_LEN: usize = 63;

pub const FLAG_QR: u16 = 0x8000;
pub const FLAG_AA: u16 = 0x0400;
pub const FLAG_TC: u16 = 0x0200;
pub const FLAG_RD: u16 = 0x0100;
pub const FLAG_RA: u16 = 0x0080;

pub const RCODE_NOERROR: u8 = 0;
pub const RCODE_FORMERR: u8 = 1;
pub const RCODE_SERVFAIL: u8 = 2;
pub const RCODE_NXDOMAIN: u8 = 3;
pub const RCODE_REFUSED: u8 = 5;

/// The name of a response code.
pub fn rcode_name(rcode: u8) -> String {
    match rcode {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}

/// Why bytes are not a DNS message. Every malformed case has its own variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Fewer than the 12 header bytes.
    HeaderTooShort { length: usize },
    /// The message ends in the middle of something (`what`), at `offset`.
    Truncated { what: String, offset: usize },
    /// The header counts more records than the message holds.
    CountOverrun {
        section: &'static str,
        declared: u16,
        found: u16,
    },
    /// A compression pointer leads to an offset it already led to: a loop.
    PointerLoop { offset: usize, target: usize },
    /// A compression pointer leads past the end of the message.
    PointerOutOfRange { offset: usize, target: usize },
    /// A length byte starting with bits 01 or 10 (reserved label types).
    ReservedLabelType { offset: usize, byte: u8 },
    /// A name longer than 255 bytes on the wire.
    NameTooLong { offset: usize },
    /// RDATA of the wrong size for its type (an A record must have 4 bytes, ...).
    BadRdataLength {
        offset: usize,
        record_type: RecordType,
        length: usize,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::HeaderTooShort { length } => {
                write!(f, "truncated header: {length} bytes, a DNS header is 12")
            }
            ParseError::Truncated { what, offset } => {
                write!(
                    f,
                    "truncated: the message ends inside {what} (at offset {offset})"
                )
            }
            ParseError::CountOverrun {
                section,
                declared,
                found,
            } => write!(
                f,
                "count overrun: the header says {declared} {section} record(s), the message holds {found}"
            ),
            ParseError::PointerLoop { offset, target } => write!(
                f,
                "compression pointer loop: the pointer at offset {offset} leads back to offset {target}, already visited"
            ),
            ParseError::PointerOutOfRange { offset, target } => write!(
                f,
                "compression pointer at offset {offset} points to offset {target}, past the end of the message"
            ),
            ParseError::ReservedLabelType { offset, byte } => write!(
                f,
                "label length byte 0x{byte:02x} at offset {offset} uses the reserved prefix bits 01/10"
            ),
            ParseError::NameTooLong { offset } => {
                write!(f, "the name at offset {offset} is longer than 255 bytes")
            }
            ParseError::BadRdataLength {
                offset,
                record_type,
                length,
            } => write!(
                f,
                "{record_type} record at offset {offset} has {length} bytes of data, which does not fit its type"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Why a name typed by the user cannot go into a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Two dots in a row, or a leading dot.
    EmptyLabel { name: String },
    /// A label over 63 bytes.
    LabelTooLong { name: String, label: String },
    /// Over 255 bytes on the wire.
    NameTooLong { name: String, length: usize },
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::EmptyLabel { name } => {
                write!(
                    f,
                    "name '{name}' has an empty label (two dots in a row, or a leading dot)"
                )
            }
            NameError::LabelTooLong { name, label } => write!(
                f,
                "name '{name}': label '{label}' is {} bytes, the limit is 63",
                label.len()
            ),
            NameError::NameTooLong { name, length } => write!(
                f,
                "name '{name}' is {length} bytes on the wire, the limit is 255"
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// Record types we know by name; others are kept as their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    A,
    Ns,
    Cname,
    Soa,
    Ptr,
    Mx,
    Txt,
    Aaaa,
    Opt,
    Unknown(u16),
}

impl RecordType {
    pub fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Ns => 2,
            RecordType::Cname => 5,
            RecordType::Soa => 6,
            RecordType::Ptr => 12,
            RecordType::Mx => 15,
            RecordType::Txt => 16,
            RecordType::Aaaa => 28,
            RecordType::Opt => 41,
            RecordType::Unknown(code) => code,
        }
    }

    pub fn from_code(code: u16) -> RecordType {
        match code {
            1 => RecordType::A,
            2 => RecordType::Ns,
            5 => RecordType::Cname,
            6 => RecordType::Soa,
            12 => RecordType::Ptr,
            15 => RecordType::Mx,
            16 => RecordType::Txt,
            28 => RecordType::Aaaa,
            41 => RecordType::Opt,
            other => RecordType::Unknown(other),
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            RecordType::A => "A",
            RecordType::Ns => "NS",
            RecordType::Cname => "CNAME",
            RecordType::Soa => "SOA",
            RecordType::Ptr => "PTR",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Aaaa => "AAAA",
            RecordType::Opt => "OPT",
            RecordType::Unknown(code) => return write!(f, "TYPE{code}"),
        };
        f.write_str(name)
    }
}

/// `--type` text that is not one of the types we query for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownType {
    pub text: String,
}

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown record type '{}': use A, AAAA, CNAME, MX, TXT or NS",
            self.text
        )
    }
}

impl std::error::Error for UnknownType {}

impl FromStr for RecordType {
    type Err = UnknownType;
    fn from_str(text: &str) -> Result<RecordType, UnknownType> {
        match text.to_ascii_uppercase().as_str() {
            "A" => Ok(RecordType::A),
            "AAAA" => Ok(RecordType::Aaaa),
            "CNAME" => Ok(RecordType::Cname),
            "MX" => Ok(RecordType::Mx),
            "TXT" => Ok(RecordType::Txt),
            "NS" => Ok(RecordType::Ns),
            _ => Err(UnknownType {
                text: text.to_string(),
            }),
        }
    }
}

/// The 12-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub id: u16,
    pub flags: u16,
    pub question_count: u16,
    pub answer_count: u16,
    pub authority_count: u16,
    pub additional_count: u16,
}

impl Header {
    pub fn is_response(&self) -> bool {
        self.flags & FLAG_QR != 0
    }
    pub fn is_truncated(&self) -> bool {
        self.flags & FLAG_TC != 0
    }
    pub fn opcode(&self) -> u8 {
        ((self.flags >> 11) & 0x0f) as u8
    }
    pub fn rcode(&self) -> u8 {
        (self.flags & 0x000f) as u8
    }

    /// The flag letters as dig prints them: `qr aa rd ra`.
    pub fn flag_names(&self) -> String {
        let names: Vec<&str> = [
            (FLAG_QR, "qr"),
            (FLAG_AA, "aa"),
            (FLAG_TC, "tc"),
            (FLAG_RD, "rd"),
            (FLAG_RA, "ra"),
        ]
        .iter()
        .filter(|(bit, _)| self.flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
        names.join(" ")
    }
}

/// One entry of the question section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub name: String,
    pub record_type: RecordType,
    pub class: u16,
}

/// The data of a resource record, decoded for the types we know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Ns(String),
    Ptr(String),
    Mx { preference: u16, exchange: String },
    Txt(Vec<Vec<u8>>),
    Other(Vec<u8>),
}

impl fmt::Display for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordData::A(ip) => write!(f, "{ip}"),
            RecordData::Aaaa(ip) => write!(f, "{ip}"),
            RecordData::Cname(name) | RecordData::Ns(name) | RecordData::Ptr(name) => {
                write!(f, "{name}")
            }
            RecordData::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RecordData::Txt(strings) => {
                let quoted: Vec<String> = strings
                    .iter()
                    .map(|s| format!("\"{}\"", String::from_utf8_lossy(s)))
                    .collect();
                write!(f, "{}", quoted.join(" "))
            }
            RecordData::Other(bytes) => write!(f, "\\# {} {}", bytes.len(), crate::hex(bytes)),
        }
    }
}

/// One resource record (answer, authority or additional section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub record_type: RecordType,
    pub class: u16,
    pub ttl: u32,
    pub data: RecordData,
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = if self.class == 1 {
            "IN".to_string()
        } else {
            format!("CLASS{}", self.class)
        };
        write!(
            f,
            "{} {} {class} {} {}",
            self.name, self.ttl, self.record_type, self.data
        )
    }
}

/// A whole DNS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub questions: Vec<Question>,
    pub answers: Vec<Record>,
    pub authorities: Vec<Record>,
    pub additionals: Vec<Record>,
}

/// One label as text: letters, digits, `-` and `_` as they are; a dot inside a label
/// as `\.`; anything else as `\DDD` (the master-file escape of RFC 1035 §5.1).
fn label_text(label: &[u8]) -> String {
    let mut out = String::new();
    for &byte in label {
        match byte {
            b'.' => out.push_str("\\."),
            b'\\' => out.push_str("\\\\"),
            0x21..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\{byte:03}")),
        }
    }
    out
}

/// Reads the (possibly compressed) name that starts at `start` in `message`.
///
/// Returns the name as text (`baidu.com`, or `.` for the root) and the offset right
/// after the name *where it started*: after its zero byte, or after the first pointer
/// (the bytes a pointer leads to belong to another part of the message).
///
/// RFC 1035 §4.1.4: a length byte `00xxxxxx` starts a label of that many bytes, `0`
/// ends the name, `11xxxxxx yyyyyyyy` is a pointer to offset `xxxxxxyyyyyyyy` from the
/// start of the message; `01`/`10` are reserved. A pointer may lead to another pointer
/// (that is valid), but never to an offset a pointer of this name already led to (a
/// loop), and never past the end.
pub fn read_name(message: &[u8], start: usize) -> Result<(String, usize), ParseError> {
    // exercise 5.4: begin
    let mut labels: Vec<String> = Vec::new();
    // Counted as on the wire: each label's length byte and bytes, plus the final zero.
    let mut wire_length = 1;
    let mut position = start;
    // Where the name ends in its original place: set at the first pointer we follow.
    let mut end_in_place: Option<usize> = None;
    // Every offset a pointer has led to; arriving at one twice means a loop. One flag
    // per byte of the message keeps this fast even for a long chain of pointers.
    let mut visited = vec![false; message.len()];
    loop {
        let Some(&length_byte) = message.get(position) else {
            return Err(ParseError::Truncated {
                what: "a name".to_string(),
                offset: position,
            });
        };
        match length_byte & 0xc0 {
            0x00 if length_byte == 0 => {
                let name = if labels.is_empty() {
                    ".".to_string()
                } else {
                    labels.join(".")
                };
                return Ok((name, end_in_place.unwrap_or(position + 1)));
            }
            0x00 => {
                let label_start = position + 1;
                let label_end = label_start + usize::from(length_byte);
                let Some(label) = message.get(label_start..label_end) else {
                    return Err(ParseError::Truncated {
                        what: "a label".to_string(),
                        offset: position,
                    });
                };
                wire_length += 1 + label.len();
                if wire_length > MAX_NAME_LEN {
                    return Err(ParseError::NameTooLong { offset: start });
                }
                labels.push(label_text(label));
                position = label_end;
            }
            0xc0 => {
                let Some(&low_byte) = message.get(position + 1) else {
                    return Err(ParseError::Truncated {
                        what: "a compression pointer".to_string(),
                        offset: position,
                    });
                };
                let target = usize::from(u16::from_be_bytes([length_byte & 0x3f, low_byte]));
                if target >= message.len() {
                    return Err(ParseError::PointerOutOfRange {
                        offset: position,
                        target,
                    });
                }
                if visited[target] {
                    return Err(ParseError::PointerLoop {
                        offset: position,
                        target,
                    });
                }
                visited[target] = true;
                end_in_place.get_or_insert(position + 2);
                position = target;
            }
            _ => {
                return Err(ParseError::ReservedLabelType {
                    offset: position,
                    byte: length_byte,
                });
            }
        }
    }
    // exercise 5.4: end
}

/// Checks a name typed by a user and splits it into labels (a trailing dot is fine).
///
/// The labels stay in the text form [`read_name`] writes (`\\.` for a dot inside a label,
/// `\\DDD` for any other byte); their lengths are counted in wire bytes, after those
/// escapes are undone.
pub fn name_labels(name: &str) -> Result<Vec<String>, NameError> {
    let trimmed = strip_root_dot(name);
    if trimmed.is_empty() {
        return Ok(Vec::new()); // the root
    }
    let labels = split_labels(trimmed);
    let mut wire_length = 1;
    for label in &labels {
        let bytes = label_bytes(label);
        if bytes.is_empty() {
            return Err(NameError::EmptyLabel {
                name: name.to_string(),
            });
        }
        if bytes.len() > MAX_LABEL_LEN {
            return Err(NameError::LabelTooLong {
                name: name.to_string(),
                label: label.clone(),
            });
        }
        wire_length += 1 + bytes.len();
    }
    if wire_length > MAX_NAME_LEN {
        return Err(NameError::NameTooLong {
            name: name.to_string(),
            length: wire_length,
        });
    }
    Ok(labels)
}

/// `name` without the dot that stands for the root at its end (an escaped `\\.` stays).
fn strip_root_dot(name: &str) -> &str {
    let escaped = name.ends_with("\\.") && !name.ends_with("\\\\.");
    if escaped {
        name
    } else {
        name.strip_suffix('.').unwrap_or(name)
    }
}

/// Splits a name's text at the dots between labels (not at an escaped `\\.`).
fn split_labels(text: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push('\\');
                current.extend(chars.next());
            }
            '.' => labels.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    labels.push(current);
    labels
}

/// The wire bytes of one label's text: `\\.`, `\\\\` and `\\DDD` (RFC 1035 §5.1) undone.
fn label_bytes(label: &str) -> Vec<u8> {
    let bytes = label.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'\\' {
            let digits = bytes.get(index + 1..index + 4);
            let decimal = digits
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .map(|d| d.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
                .filter(|&n| n <= 255);
            if let Some(value) = decimal {
                out.push(value as u8); // checked above: at most 255
                index += 4;
                continue;
            }
            if let Some(&escaped) = bytes.get(index + 1) {
                out.push(escaped);
                index += 2;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    out
}

/// Writes names into a message, pointing back to a suffix already written when it can
/// (the compression of RFC 1035 §4.1.4). `NameWriter::new(false)` turns compression off.
#[derive(Debug, Default)]
pub struct NameWriter {
    /// lower-case suffix text → offset where it was written
    written: Vec<(String, usize)>,
    pub compress: bool,
}

impl NameWriter {
    pub fn new(compress: bool) -> NameWriter {
        NameWriter {
            written: Vec::new(),
            compress,
        }
    }

    /// Appends `name` (already checked) to `out`.
    pub fn write(&mut self, name: &str, out: &mut Vec<u8>) {
        let trimmed = strip_root_dot(name);
        let labels: Vec<String> = if trimmed.is_empty() || trimmed == "." {
            Vec::new()
        } else {
            split_labels(trimmed)
        };
        for index in 0..labels.len() {
            let suffix = labels[index..].join(".").to_ascii_lowercase();
            if self.compress {
                if let Some((_, offset)) = self.written.iter().find(|(s, _)| *s == suffix) {
                    let pointer = 0xc000 | (*offset as u16);
                    out.extend_from_slice(&pointer.to_be_bytes());
                    return;
                }
                if out.len() < 0x4000 {
                    self.written.push((suffix, out.len()));
                }
            }
            let label = label_bytes(&labels[index]);
            out.push(label.len().min(MAX_LABEL_LEN) as u8);
            out.extend_from_slice(&label[..label.len().min(MAX_LABEL_LEN)]);
        }
        out.push(0);
    }
}

struct Reader<'a> {
    message: &'a [u8],
    position: usize,
    notes: Vec<Annotation>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize, what: &str) -> Result<&'a [u8], ParseError> {
        let start = self.position;
        let message: &'a [u8] = self.message;
        let bytes = message
            .get(start..start + count)
            .ok_or_else(|| ParseError::Truncated {
                what: what.to_string(),
                offset: start,
            })?;
        self.position += count;
        Ok(bytes)
    }

    fn u16(&mut self, what: &str) -> Result<u16, ParseError> {
        let bytes = self.take(2, what)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ParseError> {
        let bytes = self.take(4, what)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn note(&mut self, start: usize, meaning: String) {
        let bytes = self.message[start..self.position].to_vec();
        self.notes.push(Annotation::new(start, bytes, meaning));
    }

    fn name(&mut self) -> Result<String, ParseError> {
        let start = self.position;
        let (name, next) = read_name(self.message, start)?;
        self.position = next;
        let raw = &self.message[start..next];
        let how = match raw {
            [.., high, low] if high & 0xc0 == 0xc0 && raw.len() >= 2 => {
                let target = u16::from_be_bytes([high & 0x3f, *low]);
                if raw.len() == 2 {
                    format!("name {name} (compressed: pointer to offset {target})")
                } else {
                    format!("name {name} (labels, then a pointer to offset {target})")
                }
            }
            _ => format!("name {name}"),
        };
        self.note(start, how);
        Ok(name)
    }

    fn question(&mut self) -> Result<Question, ParseError> {
        let name = self.name()?;
        let start = self.position;
        let record_type = RecordType::from_code(self.u16("a question type")?);
        let class = self.u16("a question class")?;
        self.note(
            start,
            format!("type {record_type}, class {}", class_name(class)),
        );
        Ok(Question {
            name,
            record_type,
            class,
        })
    }

    fn record(&mut self) -> Result<Record, ParseError> {
        let name = self.name()?;
        let start = self.position;
        let record_type = RecordType::from_code(self.u16("a record type")?);
        let class = self.u16("a record class")?;
        let ttl = self.u32("a TTL")?;
        let length = usize::from(self.u16("an RDLENGTH")?);
        self.note(
            start,
            format!(
                "type {record_type}, class {}, TTL {ttl} s, RDLENGTH {length}",
                class_name(class)
            ),
        );
        let data_start = self.position;
        let data = self.take(length, "record data (RDLENGTH overruns the message)")?;
        let bad_length = || ParseError::BadRdataLength {
            offset: data_start,
            record_type,
            length,
        };
        // A name inside RDATA must end exactly where RDLENGTH says.
        let name_in_data = |from: usize| -> Result<String, ParseError> {
            let (name, next) = read_name(self.message, from)?;
            if next != data_start + length {
                return Err(bad_length());
            }
            Ok(name)
        };
        let data = match record_type {
            RecordType::A => {
                let octets: [u8; 4] = data.try_into().map_err(|_| bad_length())?;
                RecordData::A(Ipv4Addr::from(octets))
            }
            RecordType::Aaaa => {
                let octets: [u8; 16] = data.try_into().map_err(|_| bad_length())?;
                RecordData::Aaaa(Ipv6Addr::from(octets))
            }
            RecordType::Cname => RecordData::Cname(name_in_data(data_start)?),
            RecordType::Ns => RecordData::Ns(name_in_data(data_start)?),
            RecordType::Ptr => RecordData::Ptr(name_in_data(data_start)?),
            RecordType::Mx => {
                if length < 3 {
                    return Err(bad_length());
                }
                RecordData::Mx {
                    preference: u16::from_be_bytes([data[0], data[1]]),
                    exchange: name_in_data(data_start + 2)?,
                }
            }
            RecordType::Txt => {
                let mut strings = Vec::new();
                let mut rest = data;
                while let Some((&count, tail)) = rest.split_first() {
                    let count = usize::from(count);
                    if tail.len() < count {
                        return Err(bad_length());
                    }
                    strings.push(tail[..count].to_vec());
                    rest = &tail[count..];
                }
                RecordData::Txt(strings)
            }
            _ => RecordData::Other(data.to_vec()),
        };
        let shown = match &data {
            RecordData::Cname(target) => {
                let raw = &self.message[data_start..data_start + length];
                let compressed = raw.len() >= 2 && raw[raw.len() - 2] & 0xc0 == 0xc0;
                format!(
                    "CNAME {target} ({})",
                    if compressed {
                        "compressed"
                    } else {
                        "written out in full"
                    }
                )
            }
            other => format!("{record_type} {other}"),
        };
        self.note(data_start, shown);
        Ok(Record {
            name,
            record_type,
            class,
            ttl,
            data,
        })
    }
}

fn class_name(class: u16) -> String {
    match class {
        1 => "IN".to_string(),
        other => format!("CLASS{other}"),
    }
}

impl Message {
    /// A standard query for one name: `rd` asks the server to recurse for us.
    pub fn query(
        id: u16,
        name: &str,
        record_type: RecordType,
        recursion_desired: bool,
    ) -> Result<Message, NameError> {
        let labels = name_labels(name)?;
        Ok(Message {
            header: Header {
                id,
                flags: if recursion_desired { FLAG_RD } else { 0 },
                question_count: 1,
                answer_count: 0,
                authority_count: 0,
                additional_count: 0,
            },
            questions: vec![Question {
                name: if labels.is_empty() {
                    ".".to_string()
                } else {
                    labels.join(".")
                },
                record_type,
                class: 1,
            }],
            answers: Vec::new(),
            authorities: Vec::new(),
            additionals: Vec::new(),
        })
    }

    /// Parses a whole message. Bytes after the last record are allowed (and ignored).
    pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
        Message::parse_annotated(bytes).map(|(message, _)| message)
    }

    /// Parses and also describes every field with its offset and bytes.
    pub fn parse_annotated(bytes: &[u8]) -> Result<(Message, Vec<Annotation>), ParseError> {
        if bytes.len() < field::HEADER_LEN {
            return Err(ParseError::HeaderTooShort {
                length: bytes.len(),
            });
        }
        let mut reader = Reader {
            message: bytes,
            position: 0,
            notes: Vec::new(),
        };
        let id = reader.u16("the header")?;
        reader.note(0, format!("ID 0x{id:04x}"));
        let flags = reader.u16("the header")?;
        let counts = [
            reader.u16("the header")?,
            reader.u16("the header")?,
            reader.u16("the header")?,
            reader.u16("the header")?,
        ];
        let header = Header {
            id,
            flags,
            question_count: counts[0],
            answer_count: counts[1],
            authority_count: counts[2],
            additional_count: counts[3],
        };
        reader.notes.push(Annotation::new(
            2,
            bytes[field::FLAGS].to_vec(),
            format!(
                "flags 0x{flags:04x}: {}, opcode {}, rcode {}{}",
                if header.is_response() {
                    "response"
                } else {
                    "query"
                },
                header.opcode(),
                rcode_name(header.rcode()),
                match header.flag_names().as_str() {
                    "" => String::new(),
                    names => format!(", {names}"),
                }
            ),
        ));
        reader.notes.push(Annotation::new(
            4,
            bytes[field::QDCOUNT.start..field::ARCOUNT.end].to_vec(),
            format!(
                "counts: {} question, {} answer, {} authority, {} additional",
                counts[0], counts[1], counts[2], counts[3]
            ),
        ));
        // A count can claim up to 65535 records: check each one really is there before
        // reading it, and never reserve space on the count's word alone.
        let mut questions = Vec::new();
        for found in 0..header.question_count {
            if reader.position >= bytes.len() {
                return Err(ParseError::CountOverrun {
                    section: "question",
                    declared: header.question_count,
                    found,
                });
            }
            questions.push(reader.question()?);
        }
        let mut sections: [Vec<Record>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let names = ["answer", "authority", "additional"];
        for (index, section) in sections.iter_mut().enumerate() {
            let declared = counts[index + 1];
            for found in 0..declared {
                if reader.position >= bytes.len() {
                    return Err(ParseError::CountOverrun {
                        section: names[index],
                        declared,
                        found,
                    });
                }
                section.push(reader.record()?);
            }
        }
        if reader.position < bytes.len() {
            let start = reader.position;
            reader.notes.push(Annotation::new(
                start,
                bytes[start..].to_vec(),
                "extra bytes after the last record (ignored)".to_string(),
            ));
        }
        let [answers, authorities, additionals] = sections;
        Ok((
            Message {
                header,
                questions,
                answers,
                authorities,
                additionals,
            },
            reader.notes,
        ))
    }

    /// Encodes the message; `compress` points repeated names back to earlier ones.
    pub fn encode(&self, compress: bool, out: &mut Vec<u8>) {
        let start = out.len();
        let mut message = Vec::new();
        let header = &self.header;
        for value in [
            header.id,
            header.flags,
            self.questions.len() as u16,
            self.answers.len() as u16,
            self.authorities.len() as u16,
            self.additionals.len() as u16,
        ] {
            message.extend_from_slice(&value.to_be_bytes());
        }
        let mut names = NameWriter::new(compress);
        for question in &self.questions {
            names.write(&question.name, &mut message);
            message.extend_from_slice(&question.record_type.code().to_be_bytes());
            message.extend_from_slice(&question.class.to_be_bytes());
        }
        for record in self
            .answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
        {
            names.write(&record.name, &mut message);
            message.extend_from_slice(&record.record_type.code().to_be_bytes());
            message.extend_from_slice(&record.class.to_be_bytes());
            message.extend_from_slice(&record.ttl.to_be_bytes());
            let length_at = message.len();
            message.extend_from_slice(&[0, 0]);
            match &record.data {
                RecordData::A(ip) => message.extend_from_slice(&ip.octets()),
                RecordData::Aaaa(ip) => message.extend_from_slice(&ip.octets()),
                RecordData::Cname(name) | RecordData::Ns(name) | RecordData::Ptr(name) => {
                    names.write(name, &mut message)
                }
                RecordData::Mx {
                    preference,
                    exchange,
                } => {
                    message.extend_from_slice(&preference.to_be_bytes());
                    names.write(exchange, &mut message);
                }
                RecordData::Txt(strings) => {
                    for string in strings {
                        let string = &string[..string.len().min(255)];
                        message.push(string.len() as u8);
                        message.extend_from_slice(string);
                    }
                }
                RecordData::Other(bytes) => message.extend_from_slice(bytes),
            }
            let length = (message.len() - length_at - 2) as u16;
            message[length_at..length_at + 2].copy_from_slice(&length.to_be_bytes());
        }
        out.truncate(start);
        out.extend_from_slice(&message);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(true, &mut out);
        out
    }

    /// A dig-like summary, one line per header / question / record.
    pub fn summary(&self) -> Vec<String> {
        let header = &self.header;
        let mut lines = vec![
            format!(
                "{} id 0x{:04x}, rcode {}, flags: {}",
                if header.is_response() {
                    "response"
                } else {
                    "query"
                },
                header.id,
                rcode_name(header.rcode()),
                header.flag_names()
            ),
            format!(
                "QUESTION: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}",
                header.question_count,
                header.answer_count,
                header.authority_count,
                header.additional_count
            ),
        ];
        for question in &self.questions {
            lines.push(format!(
                "question:   {} {} {}",
                question.name,
                class_name(question.class),
                question.record_type
            ));
        }
        for (label, records) in [
            ("answer:    ", &self.answers),
            ("authority: ", &self.authorities),
            ("additional:", &self.additionals),
        ] {
            for record in records {
                lines.push(format!("{label} {record}"));
            }
        }
        lines
    }
}

#[cfg(test)]
#[path = "exercise_tests/dns.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> Vec<u8> {
        crate::parse_hex(hex).unwrap()
    }

    /// dnsmasq 2.90's answer to `www.baidu.com A` (lab-tools.md §1.7): a CNAME written
    /// out in full, then the A record whose owner name points INTO the CNAME's data.
    const CNAME_ANSWER: &str = concat!(
        "beef",
        "8580",
        "0001",
        "0002",
        "0000",
        "0000", // id, flags qr aa rd ra, counts
        "0377777705626169647503636f6d00",
        "0001",
        "0001", // www.baidu.com A IN
        "c00c",
        "0005",
        "0001",
        "0000012c",
        "000b",                   // -> offset 12, CNAME IN 300, 11 bytes
        "05626169647503636f6d00", // baidu.com, uncompressed, at offset 43
        "c02b",
        "0001",
        "0001",
        "0000012c",
        "0004",
        "0a000202", // -> 43, A IN 300, 10.0.2.2
    );

    #[test]
    fn query_for_baidu_is_byte_exact_with_the_one_dnsmasq_answered() {
        let query = Message::query(0x44cb, "baidu.com.", RecordType::A, true).unwrap();
        assert_eq!(
            crate::hex(&query.to_bytes()),
            concat!(
                "44cb",
                "0100",
                "0001",
                "0000",
                "0000",
                "0000", // id, RD, 1 question
                "05626169647503636f6d00",
                "0001",
                "0001", // 5 baidu 3 com 0, A, IN
            )
        );
    }

    #[test]
    fn dnsmasq_cname_answer_follows_a_pointer_into_rdata() {
        let message = Message::parse(&bytes(CNAME_ANSWER)).unwrap();
        assert_eq!(
            message.answers[0].data,
            RecordData::Cname("baidu.com".into())
        );
        assert_eq!(message.answers[1].name, "baidu.com");
        assert_eq!(
            message.answers[1].data,
            RecordData::A(Ipv4Addr::new(10, 0, 2, 2))
        );
        assert_eq!(message.answers[1].ttl, 300);
    }

    #[test]
    fn escaped_labels_are_written_as_the_bytes_they_stand_for() {
        // A label holding a dot and a byte 1, as read_name shows it.
        let mut message = Vec::new();
        NameWriter::new(false).write("a\\.b\\001.test", &mut message);
        assert_eq!(message, b"\x04a.b\x01\x04test\x00");
        let (name, _) = read_name(&message, 0).unwrap();
        assert_eq!(name, "a\\.b\\001.test");
        assert_eq!(name_labels(&name).unwrap(), vec!["a\\.b\\001", "test"]);
    }

    #[test]
    fn an_escaped_name_is_measured_in_wire_bytes() {
        // Four labels of 62 bytes of 0x01: 253 wire bytes, though its text is 4 times longer.
        let label = "\\001".repeat(62);
        let name = [label.as_str(); 4].join(".");
        assert!(name_labels(&name).is_ok());
        let mut message = Vec::new();
        NameWriter::new(true).write(&name, &mut message);
        assert_eq!(message.len(), 253);
        assert_eq!(read_name(&message, 0).unwrap().0, name);
    }

    #[test]
    fn names_from_users_are_checked() {
        assert!(name_labels("baidu.com.").is_ok());
        assert!(matches!(
            name_labels("a..com"),
            Err(NameError::EmptyLabel { .. })
        ));
        assert!(matches!(
            name_labels(&"x".repeat(64)),
            Err(NameError::LabelTooLong { .. })
        ));
        let long = vec!["x".repeat(60); 5].join(".");
        assert!(matches!(
            name_labels(&long),
            Err(NameError::NameTooLong { .. })
        ));
    }

    #[test]
    fn count_and_length_overruns_are_named() {
        // dnsmasq's NXDOMAIN answer with ANCOUNT changed from 0 to 1.
        let mut nx = bytes("00018183000100000000000003666f6f026e7804746573740000010001");
        nx[7] = 1;
        assert!(matches!(
            Message::parse(&nx),
            Err(ParseError::CountOverrun {
                section: "answer",
                declared: 1,
                found: 0
            })
        ));
        // The A answer for baidu.com with its last byte cut off: RDLENGTH overruns.
        let answer = bytes(
            "44cb8580000100010000000005626169647503636f6d0000010001c00c000100010000012c00040a000202",
        );
        assert!(matches!(
            Message::parse(&answer[..answer.len() - 1]),
            Err(ParseError::Truncated { .. })
        ));
        assert_eq!(
            Message::parse(&answer[..11]),
            Err(ParseError::HeaderTooShort { length: 11 })
        );
    }

    #[test]
    fn encoder_compresses_like_dnsmasq() {
        let message = Message::parse(&bytes(
            "44cb8580000100010000000005626169647503636f6d0000010001c00c000100010000012c00040a000202",
        ))
        .unwrap();
        assert_eq!(
            crate::hex(&message.to_bytes()),
            "44cb8580000100010000000005626169647503636f6d0000010001c00c000100010000012c00040a000202"
        );
    }
}
