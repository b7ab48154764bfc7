//! UDP datagrams: parsing any bytes never panics; a datagram we accept encodes (for
//! any pair of IP addresses) with a checksum that verifies over the pseudo-header, and
//! parses back to the same datagram.
#![no_main]

use std::net::Ipv4Addr;

use arbitrary::Arbitrary;
use arp_dns_walkthrough::ipv4::{PROTOCOL_UDP, internet_checksum, pseudo_header};
use arp_dns_walkthrough::udp::UdpDatagram;
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
    let encoded = datagram.to_bytes(source, destination);
    let mut summed = pseudo_header(source, destination, PROTOCOL_UDP, encoded.len());
    summed.extend_from_slice(&encoded);
    assert_eq!(internet_checksum(&summed), 0, "the checksum verifies");
    assert_ne!(
        encoded[6..8],
        [0, 0],
        "0 means no checksum: we always send one"
    );
    assert_eq!(UdpDatagram::parse(&encoded), Ok(datagram));
});
