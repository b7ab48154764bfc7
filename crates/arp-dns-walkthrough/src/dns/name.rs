//! Names on the wire: reading them (compression pointers and all) and writing them.
//!
//! RFC 1035 §3.1 and §4.1.4: a name is length-prefixed labels ending in a zero byte
//! (`5 baidu 3 com 0`), and to save space a name (or its tail) can be a two-byte
//! *compression pointer* `11xxxxxx xxxxxxxx` to where the same labels already appear in
//! the message. The reader never trusts a pointer: it must land inside the message and
//! never on an offset it already led to (RFC 9267 lists what goes wrong otherwise).
//! Exercise 5.4 is [`read_name`].

use std::fmt;

use super::ParseError;

/// Longest name on the wire, length bytes and final zero included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// Longest label (the length byte has 6 bits left after the two type bits).
pub const MAX_LABEL_LEN: usize = 63;

/// Why a name typed by the user cannot go into a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Two dots in a row, or a leading dot.
    EmptyLabel { name: String },
    /// A label over 63 bytes on the wire (`length`, counted after its escapes are
    /// undone: `\065` is one byte).
    LabelTooLong {
        name: String,
        label: String,
        length: usize,
    },
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
            NameError::LabelTooLong {
                name,
                label,
                length,
            } => write!(
                f,
                "name '{name}': label '{label}' is {length} bytes, the limit is 63"
            ),
            NameError::NameTooLong { name, length } => write!(
                f,
                "name '{name}' is {length} bytes on the wire, the limit is 255"
            ),
        }
    }
}

impl std::error::Error for NameError {}

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
                what: "a name",
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
                        what: "a label",
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
                        what: "a compression pointer",
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
                length: bytes.len(),
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
    /// lower-case suffix text → offset where it was written (below 0x4000)
    written: Vec<(String, u16)>,
    pub compress: bool,
}

impl NameWriter {
    pub fn new(compress: bool) -> NameWriter {
        NameWriter {
            written: Vec::new(),
            compress,
        }
    }

    /// Appends `name` to `out`, or refuses it (an empty label, a label over 63 bytes,
    /// a name over 255 bytes) and leaves `out` as it was.
    pub fn write(&mut self, name: &str, out: &mut Vec<u8>) -> Result<(), NameError> {
        let labels = name_labels(name)?;
        for index in 0..labels.len() {
            let suffix = labels[index..].join(".").to_ascii_lowercase();
            if self.compress {
                if let Some((_, offset)) = self.written.iter().find(|(s, _)| *s == suffix) {
                    // Only offsets below 0x4000 are remembered (below), so the offset
                    // fits the pointer's 14 bits.
                    let pointer = 0xc000 | offset;
                    out.extend_from_slice(&pointer.to_be_bytes());
                    return Ok(());
                }
                // A pointer has 14 bits for the offset: a name written further on
                // cannot be pointed to, so it is not remembered.
                let offset = u16::try_from(out.len())
                    .ok()
                    .filter(|&offset| offset < 0x4000);
                if let Some(offset) = offset {
                    self.written.push((suffix, offset));
                }
            }
            let label = label_bytes(&labels[index]);
            // `name_labels` checked that every label is 1 to 63 bytes on the wire.
            out.push(label.len() as u8);
            out.extend_from_slice(&label);
        }
        out.push(0);
        Ok(())
    }
}

#[cfg(test)]
#[path = "exercise_tests/name.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_labels_are_written_as_the_bytes_they_stand_for() {
        // A label holding a dot and a byte 1, as read_name shows it.
        let mut message = Vec::new();
        NameWriter::new(false)
            .write("a\\.b\\001.test", &mut message)
            .unwrap();
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
        NameWriter::new(true).write(&name, &mut message).unwrap();
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
    fn a_name_at_offset_0x3fff_is_the_last_one_a_pointer_reaches() {
        let mut writer = NameWriter::new(true);
        let mut out = vec![0; 0x3fff];
        writer.write("baidu.com", &mut out).unwrap();
        writer.write("baidu.com", &mut out).unwrap();
        // 0xc000 | 0x3fff: the pointer's 14 offset bits all set.
        assert_eq!(out[out.len() - 2..], [0xff, 0xff]);
    }

    #[test]
    fn a_name_past_offset_0x3fff_is_written_again_not_pointed_to() {
        let mut writer = NameWriter::new(true);
        let mut out = vec![0; 0x4000];
        writer.write("baidu.com", &mut out).unwrap();
        let first = out[0x4000..].to_vec();
        writer.write("baidu.com", &mut out).unwrap();
        assert_eq!(out[0x4000 + first.len()..], first[..]);
    }

    #[test]
    fn a_label_too_long_is_measured_in_wire_bytes() {
        // 64 escaped bytes: 256 characters of text, 64 bytes on the wire.
        let label = "\\065".repeat(64);
        let error = name_labels(&label).unwrap_err();
        assert!(matches!(error, NameError::LabelTooLong { length: 64, .. }));
        assert!(error.to_string().ends_with("is 64 bytes, the limit is 63"));
    }
}
