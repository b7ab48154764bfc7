//! Any DNS message from the network (`dns decode`, `dns query`'s answers, the little
//! server's queries): `Message::parse_annotated` never panics, its notes and summary
//! print, the offline server answers it, and a message whose names are plain text
//! encodes (with and without compression) to bytes that parse back to the same message,
//! as does the server's answer to it.
#![no_main]

use std::net::Ipv4Addr;

use arp_dns_walkthrough::dns::server::Zone;
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
    // What the little offline DNS server would send back.
    let reply = Zone::walkthrough(Ipv4Addr::new(198, 51, 100, 10)).answer(&message);
    let reply_bytes = reply.to_bytes();
    // Names are re-encoded from their text form, which does not undo the `\DDD` and
    // `\.` escapes yet: only plain names are sure to come back, so only they are checked.
    if !names(&message).into_iter().all(is_plain) {
        return;
    }
    let reply_bytes = reply_bytes.expect("the reply to a parsed query encodes");
    let sent = Message::parse(&reply_bytes).expect("the server's reply parses");
    // (The reply's header keeps the query's counts; only the encoded ones are real.)
    assert_eq!(sent.header.id, reply.header.id);
    assert_eq!(sent.header.flags(), reply.header.flags());
    assert_eq!(sent.questions, reply.questions);
    assert_eq!(sent.answers, reply.answers);
    for compress in [false, true] {
        let mut encoded = Vec::new();
        message
            .encode(compress, &mut encoded)
            .expect("a parsed message encodes");
        let again = Message::parse(&encoded)
            .unwrap_or_else(|error| panic!("our encoding (compress {compress}) fails: {error}"));
        assert_eq!(
            again, message,
            "parse(encode(message)), compress {compress}"
        );
    }
});
