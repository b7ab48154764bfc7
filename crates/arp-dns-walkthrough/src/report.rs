//! What the `arp` and `dns` commands print, made from the library's own types: the
//! offset / bytes / meaning table of a frame or a message, and the lines that sum up a
//! resolution. `main.rs` only writes these lines out, so the text the lesson shows is
//! built (and tested) in the library.

use crate::Annotation;
use crate::arp::{self, ArpError};
use crate::dns::resolve::Resolution;
use crate::dns::{Message, ParseError, RecordData, RecordType};

/// A title, the column heads, then one line per annotated field.
pub fn annotations(title: &str, notes: &[Annotation]) -> Vec<String> {
    let mut lines = vec![
        title.to_string(),
        format!("{:>6}  {:<26} meaning", "offset", "bytes"),
    ];
    lines.extend(notes.iter().map(Annotation::to_string));
    lines
}

/// The field table of an Ethernet frame holding ARP, titled with its size and summary.
pub fn arp_frame(frame: &[u8]) -> Result<Vec<String>, ArpError> {
    let notes = arp::annotate_frame(frame)?;
    let packet = arp::parse_frame(frame)?.1;
    let title = format!(
        "{}-byte Ethernet frame, ARP: {}",
        frame.len(),
        packet.summary()
    );
    Ok(annotations(&title, &notes))
}

/// The field table of a DNS message, then its dig-like summary.
pub fn dns_message(title: &str, bytes: &[u8]) -> Result<Vec<String>, ParseError> {
    let (message, notes) = Message::parse_annotated(bytes)?;
    let mut lines = annotations(title, &notes);
    lines.extend(message.summary());
    Ok(lines)
}

/// The answer of `dns resolve`, the way `host` prints it: the aliases followed, then
/// each address (or NODATA).
pub fn resolution(resolution: &Resolution, record_type: RecordType) -> Vec<String> {
    let mut lines = Vec::new();
    for (alias, target, ttl) in &resolution.aliases {
        lines.push(format!(
            "{alias} is an alias (CNAME) of {target} (ttl {ttl})"
        ));
    }
    if resolution.records.is_empty() {
        lines.push(format!(
            "{} has no {record_type} record (NODATA)",
            resolution.canonical_name
        ));
    }
    for record in &resolution.records {
        let what = match record.data {
            RecordData::A(_) | RecordData::Aaaa(_) => "has address",
            _ => "has",
        };
        lines.push(format!(
            "{} {what} {} ({} IN, ttl {})",
            record.name, record.data, record.record_type, record.ttl
        ));
    }
    lines
}
