//! The byte-by-byte explanation `dns parse` prints: one line per field, with its
//! offset, its bytes and what they mean.
//!
//! The reader in `message.rs` only records where each field was and what it held; the
//! words are made here, so reading a message and describing it stay two separate jobs.

use super::message::{Message, ParseError, Part, Span};
use super::record::{RecordData, class_name};
use crate::Annotation;

impl Message {
    /// Parses and also describes every field with its offset and bytes.
    pub fn parse_annotated(bytes: &[u8]) -> Result<(Message, Vec<Annotation>), ParseError> {
        let (message, spans) = Message::read(bytes)?;
        let notes = spans.iter().map(|span| describe(bytes, span)).collect();
        Ok((message, notes))
    }
}

/// The annotation of one span of `message`.
fn describe(message: &[u8], span: &Span) -> Annotation {
    // The reader only records spans it has read, so the range is inside the message.
    let raw = &message[span.start..span.end];
    let meaning = match &span.part {
        Part::Id(id) => format!("ID 0x{id:04x}"),
        Part::Flags(header) => format!(
            "flags 0x{:04x}: {}, opcode {}, rcode {}{}",
            header.flags(),
            if header.response { "response" } else { "query" },
            header.opcode,
            header.rcode,
            match header.flag_names().as_str() {
                "" => String::new(),
                names => format!(", {names}"),
            }
        ),
        Part::Counts(header) => format!(
            "counts: {} question, {} answer, {} authority, {} additional",
            header.question_count,
            header.answer_count,
            header.authority_count,
            header.additional_count
        ),
        Part::Name(name) => match raw {
            // A name that ends in a pointer: its last two bytes are `11xxxxxx xxxxxxxx`.
            [.., high, low] if high & 0xc0 == 0xc0 => {
                let target = u16::from_be_bytes([high & 0x3f, *low]);
                if raw.len() == 2 {
                    format!("name {name} (compressed: pointer to offset {target})")
                } else {
                    format!("name {name} (labels, then a pointer to offset {target})")
                }
            }
            _ => format!("name {name}"),
        },
        Part::QuestionFixed { record_type, class } => {
            format!("type {record_type}, class {}", class_name(*class))
        }
        Part::RecordFixed {
            record_type,
            class,
            ttl,
            length,
        } => format!(
            "type {record_type}, class {}, TTL {ttl} s, RDLENGTH {length}",
            class_name(*class)
        ),
        Part::Data { record_type, data } => match data {
            RecordData::Cname(target) => {
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
        },
        Part::Extra => "extra bytes after the last record (ignored)".to_string(),
    };
    Annotation::new(span.start, raw.to_vec(), meaning)
}
