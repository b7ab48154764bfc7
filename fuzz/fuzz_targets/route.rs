//! `route IP/LEN GATEWAY DESTINATION`: any three words are parsed or refused without a
//! panic, and the decision is consistent: on-link means the next hop is the destination
//! itself, off-link means the gateway (which must be on our own network).
#![no_main]

use arp_dns_walkthrough::subnet::{self, Ipv4Network};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut words = text.split_whitespace();
    let (Some(host), Some(gateway), Some(destination)) = (words.next(), words.next(), words.next())
    else {
        return;
    };
    let (Ok(host), Ok(gateway), Ok(destination)) = (
        Ipv4Network::parse_cidr(host),
        subnet::parse_ipv4(gateway),
        subnet::parse_ipv4(destination),
    ) else {
        return;
    };
    match subnet::route(host, gateway, destination) {
        Ok(decision) => {
            assert!(host.contains(gateway));
            assert_eq!(decision.on_link, host.contains(destination));
            let expected = if decision.on_link {
                destination
            } else {
                gateway
            };
            assert_eq!(decision.next_hop(), expected);
            let _ = decision.to_text();
        }
        Err(error) => {
            assert!(!host.contains(gateway));
            let _ = error.to_string();
        }
    }
});
