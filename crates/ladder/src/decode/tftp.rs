//! TFTP packets as one line: `RRQ "hello.txt" octet blksize=1468`, `DATA #3 (512 bytes)`,
//! `ACK 3`, `OACK blksize=1468`, `ERROR 1 "File not found"`.
//!
//! RFC 1350 §5 (and RFC 2347 for options):
//!
//! ```text
//! RRQ/WRQ | 01/02 | file name | 0 | mode | 0 | option | 0 | value | 0 | ...
//! DATA    | 03 | block # (2) | data (0 to blksize bytes) |
//! ACK     | 04 | block # (2) |
//! ERROR   | 05 | error code (2) | message | 0 |
//! OACK    | 06 | option | 0 | value | 0 | ...
//! ```

use std::ops::Range;

use super::text::quote;

/// Opcodes, RFC 1350 §5 and RFC 2347 (OACK).
mod opcode {
    pub const RRQ: u16 = 1;
    pub const WRQ: u16 = 2;
    pub const DATA: u16 = 3;
    pub const ACK: u16 = 4;
    pub const ERROR: u16 = 5;
    pub const OACK: u16 = 6;
}

/// Byte ranges and offsets shared by the formats.
mod field {
    use std::ops::Range;
    /// Every packet: the opcode.
    pub const OPCODE: Range<usize> = 0..2;
    /// RRQ, WRQ, OACK: where the first text field starts.
    pub const TEXT: usize = OPCODE.end;
    /// DATA and ACK: the block number.
    pub const BLOCK: Range<usize> = 2..4;
    /// DATA: where the payload starts.
    pub const DATA_PAYLOAD: usize = BLOCK.end;
    /// ERROR: the error code.
    pub const ERROR_CODE: Range<usize> = 2..4;
    /// ERROR: where the message starts.
    pub const ERROR_MESSAGE: usize = ERROR_CODE.end;
}

/// The big-endian number in `bytes[range]`, or `None` when the packet ends before it.
fn read_u16(bytes: &[u8], range: Range<usize>) -> Option<u16> {
    let field: [u8; 2] = bytes.get(range)?.try_into().ok()?;
    Some(u16::from_be_bytes(field))
}

/// The bytes from `start` on, empty when the packet ends before.
fn bytes_from(bytes: &[u8], start: usize) -> &[u8] {
    bytes.get(start..).unwrap_or(&[])
}

/// The zero-terminated strings of a request or OACK, or `None` when the bytes do not end
/// in a zero (or hold more strings than any real packet does).
fn strings(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    if bytes.last() != Some(&0) {
        return None;
    }
    let parts: Vec<&[u8]> = bytes[..bytes.len() - 1].split(|&b| b == 0).collect();
    (parts.len() <= 64).then_some(parts)
}

/// `blksize=1468 tsize=0`: option pairs as text.
fn options(pairs: &[&[u8]]) -> String {
    pairs
        .chunks(2)
        .map(|pair| {
            let name = String::from_utf8_lossy(pair[0]).to_ascii_lowercase();
            let value = pair
                .get(1)
                .map(|v| String::from_utf8_lossy(v))
                .unwrap_or_default();
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `bytes` is a well-formed read or write request with a known mode: how a
/// transfer is recognised on a port other than 69.
pub fn is_request(bytes: &[u8]) -> bool {
    let opcode = read_u16(bytes, field::OPCODE);
    if opcode != Some(opcode::RRQ) && opcode != Some(opcode::WRQ) {
        return false;
    }
    let Some(parts) = strings(bytes_from(bytes, field::TEXT)) else {
        return false;
    };
    let mode_known = parts.get(1).is_some_and(|mode| {
        let mode = String::from_utf8_lossy(mode).to_ascii_lowercase();
        mode == "octet" || mode == "netascii" || mode == "mail"
    });
    parts.len() >= 2 && parts.len() % 2 == 0 && !parts[0].is_empty() && mode_known
}

/// The one-line summary of a TFTP packet.
pub fn label(bytes: &[u8]) -> String {
    let Some(opcode) = read_u16(bytes, field::OPCODE) else {
        return format!("TFTP ({} bytes, too short for an opcode)", bytes.len());
    };
    let text = bytes_from(bytes, field::TEXT);
    match opcode {
        opcode::RRQ | opcode::WRQ => {
            let kind = if opcode == opcode::RRQ { "RRQ" } else { "WRQ" };
            match strings(text) {
                Some(parts) if parts.len() >= 2 => {
                    let mut text = format!(
                        "{kind} {} {}",
                        quote(parts[0], 40),
                        String::from_utf8_lossy(parts[1]).to_ascii_lowercase()
                    );
                    if parts.len() > 2 {
                        text.push(' ');
                        text.push_str(&options(&parts[2..]));
                    }
                    text
                }
                _ => format!("{kind} (malformed)"),
            }
        }
        opcode::DATA => match read_u16(bytes, field::BLOCK) {
            Some(block) => format!(
                "DATA #{block} ({} bytes)",
                bytes_from(bytes, field::DATA_PAYLOAD).len()
            ),
            None => "DATA (malformed)".to_string(),
        },
        opcode::ACK => match read_u16(bytes, field::BLOCK) {
            Some(block) => format!("ACK {block}"),
            None => "ACK (malformed)".to_string(),
        },
        opcode::ERROR => match (
            read_u16(bytes, field::ERROR_CODE),
            strings(bytes_from(bytes, field::ERROR_MESSAGE)),
        ) {
            (Some(code), Some(parts)) => {
                format!(
                    "ERROR {code} {}",
                    quote(parts.first().copied().unwrap_or(b""), 40)
                )
            }
            (Some(code), None) => format!("ERROR {code}"),
            _ => "ERROR (malformed)".to_string(),
        },
        opcode::OACK => match strings(text) {
            Some(parts) if parts.len() % 2 == 0 => format!("OACK {}", options(&parts)),
            _ if text.is_empty() => "OACK".to_string(),
            _ => "OACK (malformed)".to_string(),
        },
        other => format!("TFTP opcode {other} ({} bytes)", bytes.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_each_packet() {
        let rrq = b"\x00\x01hello.txt\x00octet\x00blksize\x001468\x00";
        assert!(is_request(rrq));
        assert_eq!(label(rrq), "RRQ \"hello.txt\" octet blksize=1468");
        let mut data = vec![0, 3, 0, 3];
        data.extend_from_slice(&[0xa5; 512]);
        assert_eq!(label(&data), "DATA #3 (512 bytes)");
        assert_eq!(label(&[0, 4, 0, 3]), "ACK 3");
        assert_eq!(label(b"\x00\x06blksize\x001468\x00"), "OACK blksize=1468");
        assert_eq!(
            label(b"\x00\x05\x00\x01File not found\x00"),
            "ERROR 1 \"File not found\""
        );
    }

    #[test]
    fn text_is_not_a_request() {
        assert!(!is_request(b"hello"));
        assert!(!is_request(b"\x00\x01name\x00weird\x00"));
    }
}
