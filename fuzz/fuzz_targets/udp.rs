//! UDP datagrams: parsing any bytes never panics; a datagram we accept encodes (for
//! any pair of IP addresses) with a checksum that verifies over the pseudo-header, and
//! parses back to the same datagram.
#![no_main]

use std::net::Ipv4Addr;

use arbitrary::Arbitrary;
use arp_dns_walkthrough::ipv4::{PROTOCOL_UDP, internet_checksum, pseudo_header};
use arp_dns_walkthrough::udp::{self, UdpDatagram};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    source: [u8; 4],
    destination: [u8; 4],
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let datagram = match UdpDatagram::parse(input.bytes) {
        Ok(datagram) => datagram,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    let (source, destination) = (
        Ipv4Addr::from(input.source),
        Ipv4Addr::from(input.destination),
    );
    // Its payload fitted the length it came with, so it fits again.
    let encoded = datagram
        .to_bytes(source, destination)
        .expect("a parsed datagram fits its length field");
    let length = u16::try_from(encoded.len()).expect("the encoder checked the length");
    let mut summed = pseudo_header(source, destination, PROTOCOL_UDP, length);
    summed.extend_from_slice(&encoded);
    assert_eq!(internet_checksum(&summed), 0, "the checksum verifies");
    assert_ne!(
        encoded[udp::field::CHECKSUM],
        [0, 0],
        "0 means no checksum: we always send one"
    );
    assert_eq!(UdpDatagram::parse(&encoded), Ok(datagram));
});
