//! IPv4 packets (no options): parsing any bytes never panics; a packet we accept
//! encodes with a header checksum that verifies, and parses back to the same packet.
#![no_main]

use arp_dns_walkthrough::ipv4::{self, Ipv4Packet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let packet = match Ipv4Packet::parse(bytes) {
        Ok(packet) => packet,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    // The header we accepted checksums to zero, as RFC 1071 says it must.
    assert_eq!(
        ipv4::internet_checksum(&bytes[..ipv4::field::HEADER_LEN]),
        0
    );
    // Its payload fitted the total length it came with, so it fits again.
    let encoded = packet
        .to_bytes()
        .expect("a parsed packet fits its length field");
    assert_eq!(
        ipv4::internet_checksum(&encoded[..ipv4::field::HEADER_LEN]),
        0
    );
    assert_eq!(Ipv4Packet::parse(&encoded), Ok(packet));
});
