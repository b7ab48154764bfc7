//! What a DNS message carries: questions and resource records (RFC 1035 §3.2, §4.1.2,
//! §4.1.3), and the record types we decode by name.
//!
//! ```text
//! question: | QNAME (labels) | QTYPE (2) | QCLASS (2) |
//! record:   | NAME | TYPE (2) | CLASS (2) | TTL (4) | RDLENGTH (2) | RDATA |
//! ```

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

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
            RecordData::Other(bytes) => {
                write!(f, "\\# {} {}", bytes.len(), wire_text::hex_compact(bytes))
            }
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

/// `IN` for class 1 (the Internet), `CLASSn` for any other.
pub(super) fn class_name(class: u16) -> String {
    match class {
        1 => "IN".to_string(),
        other => format!("CLASS{other}"),
    }
}
