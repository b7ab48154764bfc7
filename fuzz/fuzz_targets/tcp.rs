//! TCP segments: parsing any bytes never panics (any data offset); a segment we
//! accept encodes (or, over 65 535 bytes, is refused) (for any pair of IP addresses) with a checksum that verifies over the
//! pseudo-header, and parses back to the same segment.
#![no_main]

use std::net::Ipv4Addr;

use arbitrary::Arbitrary;
use arp_dns_walkthrough::ipv4::{PROTOCOL_TCP, internet_checksum, pseudo_header};
use arp_dns_walkthrough::tcp::{self, TcpSegment};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    source: [u8; 4],
    destination: [u8; 4],
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let segment = match TcpSegment::parse(input.bytes) {
        Ok(segment) => segment,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    let _ = tcp::flag_names(segment.flags);
    let _ = segment.sequence_length();
    let (source, destination) = (
        Ipv4Addr::from(input.source),
        Ipv4Addr::from(input.destination),
    );
    // TCP has no length field: a segment read from more than 65 535 bytes is refused
    // by the encoder (the pseudo-header's length is 16 bits), never cut.
    let encoded = match segment.to_bytes(source, destination) {
        Ok(encoded) => encoded,
        Err(too_long) => {
            assert!(too_long.length > too_long.max);
            return;
        }
    };
    let length = u16::try_from(encoded.len()).expect("the encoder checked the length");
    let mut summed = pseudo_header(source, destination, PROTOCOL_TCP, length);
    summed.extend_from_slice(&encoded);
    assert_eq!(internet_checksum(&summed), 0, "the checksum verifies");
    assert_eq!(TcpSegment::parse(&encoded), Ok(segment));
});
