//! A whole DNS message: the header, then the question, answer, authority and additional
//! sections (RFC 1035 §4.1), read from bytes and written back.
//!
//! The reader never trusts a number in the message: counts, lengths and pointers are all
//! checked against the bytes really there. While it reads, it records where each field
//! was and what it held (a [`Span`]); `annotate.rs` turns those into the lines
//! `dns parse` prints, so the parser itself holds no display text.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::header::{Header, field};
use super::name::{NameError, NameWriter, name_labels, read_name};
use super::record::{Question, Record, RecordData, RecordType, class_name};
use crate::wire::{read_u16, read_u32};

/// Why bytes are not a DNS message. Every malformed case has its own variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Fewer than the 12 header bytes.
    HeaderTooShort { length: usize },
    /// The message ends in the middle of something (`what`), at `offset`.
    Truncated { what: &'static str, offset: usize },
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

/// Why a message cannot be written on the wire. The encoder refuses rather than cut
/// a name, a string or a count down to what fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A name with an empty label, a label over 63 bytes, or over 255 bytes in all.
    Name(NameError),
    /// More entries in one section than the 16-bit count can say.
    TooManyEntries { section: &'static str, count: usize },
    /// A TXT string over 255 bytes (its length is one byte).
    TxtStringTooLong { length: usize },
    /// Record data over 65535 bytes (RDLENGTH is 16 bits).
    DataTooLong { length: usize },
    /// A whole message over 65535 bytes: more than a UDP datagram or the two-byte
    /// length in front of a message over TCP can carry.
    MessageTooLong { length: usize },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Name(error) => write!(f, "{error}"),
            EncodeError::TooManyEntries { section, count } => write!(
                f,
                "{count} {section} entries do not fit a message: the count is 16 bits (at most 65535)"
            ),
            EncodeError::TxtStringTooLong { length } => write!(
                f,
                "a TXT string of {length} bytes does not fit: its length is one byte (at most 255)"
            ),
            EncodeError::DataTooLong { length } => write!(
                f,
                "{length} bytes of record data do not fit: RDLENGTH is 16 bits (at most 65535)"
            ),
            EncodeError::MessageTooLong { length } => write!(
                f,
                "a message of {length} bytes does not fit: DNS messages are at most 65535 bytes"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

impl From<NameError> for EncodeError {
    fn from(error: NameError) -> EncodeError {
        EncodeError::Name(error)
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

/// One stretch of a message the reader went through, and what it found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub part: Part,
}

/// What a [`Span`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Id(u16),
    Flags(Header),
    Counts(Header),
    /// A name, with its wire bytes (labels, a pointer, or both) in the span.
    Name(String),
    /// A question's type and class.
    QuestionFixed {
        record_type: RecordType,
        class: u16,
    },
    /// A record's type, class, TTL and RDLENGTH.
    RecordFixed {
        record_type: RecordType,
        class: u16,
        ttl: u32,
        length: usize,
    },
    /// A record's RDATA, decoded.
    Data {
        record_type: RecordType,
        data: RecordData,
    },
    /// Bytes after the last record.
    Extra,
}

struct Reader<'a> {
    message: &'a [u8],
    position: usize,
    spans: Vec<Span>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize, what: &'static str) -> Result<&'a [u8], ParseError> {
        let start = self.position;
        let message: &'a [u8] = self.message;
        let bytes = message
            .get(start..start + count)
            .ok_or(ParseError::Truncated {
                what,
                offset: start,
            })?;
        self.position += count;
        Ok(bytes)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, ParseError> {
        Ok(read_u16(self.take(2, what)?, 0..2))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ParseError> {
        Ok(read_u32(self.take(4, what)?, 0..4))
    }

    /// Records that the bytes from `start` to here held `part`.
    fn mark(&mut self, start: usize, part: Part) {
        let end = self.position;
        self.spans.push(Span { start, end, part });
    }

    fn name(&mut self) -> Result<String, ParseError> {
        let start = self.position;
        let (name, next) = read_name(self.message, start)?;
        self.position = next;
        self.mark(start, Part::Name(name.clone()));
        Ok(name)
    }

    fn question(&mut self) -> Result<Question, ParseError> {
        let name = self.name()?;
        let start = self.position;
        let record_type = RecordType::from_code(self.u16("a question type")?);
        let class = self.u16("a question class")?;
        self.mark(start, Part::QuestionFixed { record_type, class });
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
        self.mark(
            start,
            Part::RecordFixed {
                record_type,
                class,
                ttl,
                length,
            },
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
                    // MX RDATA: | PREFERENCE (2) | EXCHANGE (a name) |, checked 3+ bytes above.
                    preference: read_u16(data, 0..2),
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
        self.mark(
            data_start,
            Part::Data {
                record_type,
                data: data.clone(),
            },
        );
        Ok(Record {
            name,
            record_type,
            class,
            ttl,
            data,
        })
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
                question_count: 1,
                ..Header::query(id, recursion_desired)
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
        Message::read(bytes).map(|(message, _)| message)
    }

    /// Parses and also records where each field was ([`Span`]s, for `annotate.rs`).
    pub(super) fn read(bytes: &[u8]) -> Result<(Message, Vec<Span>), ParseError> {
        if bytes.len() < field::HEADER_LEN {
            return Err(ParseError::HeaderTooShort {
                length: bytes.len(),
            });
        }
        let mut reader = Reader {
            message: bytes,
            position: 0,
            spans: Vec::new(),
        };
        let id = reader.u16("the header")?;
        reader.mark(field::ID.start, Part::Id(id));
        let flags = reader.u16("the header")?;
        let flags_end = reader.position;
        let counts = [
            reader.u16("the header")?,
            reader.u16("the header")?,
            reader.u16("the header")?,
            reader.u16("the header")?,
        ];
        let header = Header::from_wire(id, flags, counts);
        reader.spans.push(Span {
            start: field::FLAGS.start,
            end: flags_end,
            part: Part::Flags(header),
        });
        reader.mark(field::QDCOUNT.start, Part::Counts(header));
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
            reader.position = bytes.len();
            reader.mark(start, Part::Extra);
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
            reader.spans,
        ))
    }

    /// Encodes the message; `compress` points repeated names back to earlier ones.
    /// On an error `out` is left as it was.
    pub fn encode(&self, compress: bool, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let count = |section: &'static str, count: usize| {
            u16::try_from(count).map_err(|_| EncodeError::TooManyEntries { section, count })
        };
        let mut message = Vec::new();
        let header = &self.header;
        for value in [
            header.id,
            header.flags(),
            count("question", self.questions.len())?,
            count("answer", self.answers.len())?,
            count("authority", self.authorities.len())?,
            count("additional", self.additionals.len())?,
        ] {
            message.extend_from_slice(&value.to_be_bytes());
        }
        let mut names = NameWriter::new(compress);
        for question in &self.questions {
            names.write(&question.name, &mut message)?;
            message.extend_from_slice(&question.record_type.code().to_be_bytes());
            message.extend_from_slice(&question.class.to_be_bytes());
        }
        for record in self
            .answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
        {
            names.write(&record.name, &mut message)?;
            message.extend_from_slice(&record.record_type.code().to_be_bytes());
            message.extend_from_slice(&record.class.to_be_bytes());
            message.extend_from_slice(&record.ttl.to_be_bytes());
            let length_at = message.len();
            message.extend_from_slice(&[0, 0]);
            match &record.data {
                RecordData::A(ip) => message.extend_from_slice(&ip.octets()),
                RecordData::Aaaa(ip) => message.extend_from_slice(&ip.octets()),
                RecordData::Cname(name) | RecordData::Ns(name) | RecordData::Ptr(name) => {
                    names.write(name, &mut message)?
                }
                RecordData::Mx {
                    preference,
                    exchange,
                } => {
                    message.extend_from_slice(&preference.to_be_bytes());
                    names.write(exchange, &mut message)?;
                }
                RecordData::Txt(strings) => {
                    for string in strings {
                        let length = u8::try_from(string.len()).map_err(|_| {
                            EncodeError::TxtStringTooLong {
                                length: string.len(),
                            }
                        })?;
                        message.push(length);
                        message.extend_from_slice(string);
                    }
                }
                RecordData::Other(bytes) => message.extend_from_slice(bytes),
            }
            let data_length = message.len() - length_at - 2;
            let length = u16::try_from(data_length).map_err(|_| EncodeError::DataTooLong {
                length: data_length,
            })?;
            message[length_at..length_at + 2].copy_from_slice(&length.to_be_bytes());
        }
        if message.len() > usize::from(u16::MAX) {
            return Err(EncodeError::MessageTooLong {
                length: message.len(),
            });
        }
        out.extend_from_slice(&message);
        Ok(())
    }

    /// The message on the wire, compressed.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode(true, &mut out)?;
        Ok(out)
    }

    /// A dig-like summary, one line per header / question / record.
    pub fn summary(&self) -> Vec<String> {
        let header = &self.header;
        let mut lines = vec![
            format!(
                "{} id 0x{:04x}, rcode {}, flags: {}",
                if header.response { "response" } else { "query" },
                header.id,
                header.rcode,
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
            wire_text::hex_compact(&query.to_bytes().unwrap()),
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
    fn count_and_length_overruns_are_named() {
        // dnsmasq's NXDOMAIN answer with ANCOUNT changed from 0 to 1.
        let mut nx = bytes("00018183000100000000000003666f6f026e7804746573740000010001");
        nx[field::ANCOUNT.end - 1] = 1; // ANCOUNT's low byte
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
            wire_text::hex_compact(&message.to_bytes().unwrap()),
            "44cb8580000100010000000005626169647503636f6d0000010001c00c000100010000012c00040a000202"
        );
    }

    #[test]
    fn encoder_refuses_what_does_not_fit_instead_of_cutting_it() {
        let mut message = Message::query(1, "baidu.com", RecordType::A, true).unwrap();
        message.questions[0].name = format!("{}.com", "x".repeat(64));
        assert!(matches!(
            message.to_bytes(),
            Err(EncodeError::Name(NameError::LabelTooLong { .. }))
        ));
        let mut message = Message::query(1, "baidu.com", RecordType::Txt, true).unwrap();
        message.answers.push(Record {
            name: "baidu.com".into(),
            record_type: RecordType::Txt,
            class: 1,
            ttl: 0,
            data: RecordData::Txt(vec![vec![b'x'; 256]]),
        });
        assert_eq!(
            message.to_bytes(),
            Err(EncodeError::TxtStringTooLong { length: 256 })
        );
        // A refused message leaves the caller's buffer as it was.
        let mut out = vec![0xa5];
        assert!(message.encode(true, &mut out).is_err());
        assert_eq!(out, [0xa5]);
    }

    #[test]
    fn encoder_refuses_counts_and_lengths_over_16_bits() {
        let record = |data: Vec<u8>| Record {
            name: "baidu.com".into(),
            record_type: RecordType::Unknown(65_280),
            class: 1,
            ttl: 0,
            data: RecordData::Other(data),
        };
        let query = Message::query(1, "baidu.com", RecordType::A, true).unwrap();

        let mut many = query.clone();
        many.additionals = vec![record(Vec::new()); 65_536];
        assert_eq!(
            many.to_bytes(),
            Err(EncodeError::TooManyEntries {
                section: "additional",
                count: 65_536,
            })
        );

        let mut big_data = query.clone();
        big_data.answers.push(record(vec![0; 65_536]));
        assert_eq!(
            big_data.to_bytes(),
            Err(EncodeError::DataTooLong { length: 65_536 })
        );

        // Each record fits, the message does not.
        let mut big_message = query;
        big_message.answers = vec![record(vec![0; 40_000]); 2];
        assert!(matches!(
            big_message.to_bytes(),
            Err(EncodeError::MessageTooLong { length }) if length > 65_535
        ));
    }
}
