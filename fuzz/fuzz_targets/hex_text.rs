//! Hex typed or pasted by a student (`arp decode HEX`, `dns decode HEX`): any text is
//! read or refused without a panic, and bytes written as hex read back the same.
#![no_main]

use arp_dns_walkthrough::{hex, parse_hex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match parse_hex(text) {
            Ok(bytes) => assert!(bytes.len() * 2 <= text.len()),
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
    assert_eq!(parse_hex(&hex(data)).as_deref(), Ok(data));
});
