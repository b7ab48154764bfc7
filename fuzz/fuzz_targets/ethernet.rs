//! Ethernet II frames: any bytes of 14 or more parse, and the frame encodes back to
//! exactly the bytes it came from.
#![no_main]

use arp_dns_walkthrough::ethernet::{self, EthernetFrame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match EthernetFrame::parse(bytes) {
        Ok(frame) => {
            let _ = ethernet::ethertype_name(frame.ethertype);
            let _ = frame.destination.to_string();
            assert_eq!(frame.to_bytes(), bytes);
            assert_eq!(EthernetFrame::parse(&frame.to_bytes()), Ok(frame));
        }
        Err(error) => {
            assert!(bytes.len() < ethernet::field::HEADER_LEN);
            let _ = error.to_string();
        }
    }
});
