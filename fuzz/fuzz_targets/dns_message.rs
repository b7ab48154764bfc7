//! Any DNS message from the network (`dns decode`, `dns query`'s answers, the little
//! server's queries): `Message::parse_annotated` never panics, its notes and summary
//! print, and a message whose names are plain text encodes (with and without
//! compression) to bytes that parse back to the same message.
#![no_main]

use arp_dns_walkthrough::dns::{Message, RecordData};
use libfuzzer_sys::fuzz_target;

/// Names that read back exactly as written: no `\` escapes (our text form of odd bytes
/// and of dots inside labels), and lower case, since compression matches names
/// case-insensitively (DNS names are), so a later `WWW.x` may come back as `www.x`.
fn is_plain(name: &str) -> bool {
    !name.contains('\\') && !name.bytes().any(|b| b.is_ascii_uppercase())
}

fn names(message: &Message) -> Vec<&str> {
    let mut names: Vec<&str> = message.questions.iter().map(|q| q.name.as_str()).collect();
    for record in message
        .answers
        .iter()
        .chain(&message.authorities)
        .chain(&message.additionals)
    {
        names.push(&record.name);
        match &record.data {
            RecordData::Cname(name) | RecordData::Ns(name) | RecordData::Ptr(name) => {
                names.push(name)
            }
            RecordData::Mx { exchange, .. } => names.push(exchange),
            _ => {}
        }
    }
    names
}

fuzz_target!(|bytes: &[u8]| {
    let Ok((message, notes)) = Message::parse_annotated(bytes) else {
        return;
    };
    for note in &notes {
        let _ = note.to_string();
    }
    let _ = message.summary();
    if !names(&message).into_iter().all(is_plain) {
        return;
    }
    for compress in [false, true] {
        let mut encoded = Vec::new();
        message.encode(compress, &mut encoded);
        let again = Message::parse(&encoded)
            .unwrap_or_else(|error| panic!("our encoding (compress {compress}) fails: {error}"));
        assert_eq!(
            again, message,
            "parse(encode(message)), compress {compress}"
        );
    }
});
