//! ARP from the wire (`arp decode`, frames read from a packet socket): parsing and
//! annotating any bytes never panics, and an ARP packet we accept encodes, alone and as
//! a whole Ethernet frame, to bytes that parse back to the same packet.
#![no_main]

use arp_dns_walkthrough::arp::{self, ArpPacket};
use arp_dns_walkthrough::ethernet::MacAddr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(notes) = arp::annotate_frame(bytes) {
        for note in &notes {
            let _ = note.to_string();
        }
    }
    if let Ok((frame, packet)) = arp::parse_frame(bytes) {
        assert_eq!(
            frame.to_bytes(),
            bytes,
            "the frame re-encodes byte for byte"
        );
        assert_eq!(ArpPacket::parse(&frame.payload), Ok(packet));
    }
    let Ok(packet) = ArpPacket::parse(bytes) else {
        return;
    };
    let _ = packet.summary();
    let mut encoded = Vec::new();
    packet.encode(&mut encoded);
    assert_eq!(
        encoded[..],
        bytes[..encoded.len()],
        "the 28 bytes re-encode exactly"
    );
    assert_eq!(ArpPacket::parse(&encoded), Ok(packet));
    let (_, from_frame) = arp::parse_frame(&packet.to_frame()).expect("our frame parses");
    assert_eq!(from_frame, packet);
    // Whoever the request names, the answer (if any) is a reply to its sender.
    let us = MacAddr([2, 0, 0, 0, 0, 1]);
    if let Some(reply) = arp::answer(us, packet.target_ip, &packet) {
        assert_eq!(reply.target_ip, packet.sender_ip);
        assert_eq!(reply.target_mac, packet.sender_mac);
        assert_eq!(reply.sender_mac, us);
    }
});
