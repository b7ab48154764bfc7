//! Any datagram a TFTP server or client receives: `Packet::parse` must never panic, and
//! every packet it accepts must encode to bytes that parse back to the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tftp::packet::Packet;

fuzz_target!(|datagram: &[u8]| {
    let Ok(packet) = Packet::parse(datagram) else {
        return;
    };
    // The --trace line must be printable for anything we accept.
    let _ = packet.to_string();
    let mut encoded = Vec::new();
    packet.encode(&mut encoded);
    let again = Packet::parse(&encoded).expect("an encoded packet parses");
    assert_eq!(again, packet, "parse(encode(packet)) differs");
});
