//! MAC addresses as typed (`02:00:00:00:00:01`, `02-00-...`): any text is parsed or
//! refused without a panic, and an accepted address prints in a form that reads back.
#![no_main]

use arp_dns_walkthrough::ethernet::MacAddr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match text.parse::<MacAddr>() {
        Ok(mac) => {
            let printed = mac.to_string();
            assert_eq!(printed.len(), 17);
            assert_eq!(printed.parse::<MacAddr>(), Ok(mac));
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
