//! `subnet IP/LEN` and `subnet IP MASK`, text a student types: any text is parsed or
//! refused without a panic, and an accepted network's summary holds together (the
//! network and broadcast bound the hosts, /0 to /32 alike).
#![no_main]

use arp_dns_walkthrough::subnet::{self, Ipv4Network};
use libfuzzer_sys::fuzz_target;

fn check(network: Ipv4Network) {
    assert!(network.prefix <= 32);
    // The text form reads back the same.
    assert_eq!(Ipv4Network::parse_cidr(&network.to_string()), Ok(network));
    assert_eq!(
        subnet::prefix_from_netmask(u32::from(network.netmask())),
        Some(network.prefix)
    );
    let summary = network.summary();
    assert!(network.contains(network.address));
    assert_eq!(summary.network, network.network());
    assert!(u32::from(summary.first_host) <= u32::from(summary.last_host));
    assert!(summary.usable <= summary.total);
    assert_eq!(summary.total, 1u64 << (32 - u32::from(network.prefix)));
    if let Some(broadcast) = summary.broadcast {
        assert!(network.contains(broadcast));
        assert!(u32::from(summary.last_host) < u32::from(broadcast));
    }
    let _ = summary.to_text();
    let _ = summary.to_json();
}

fuzz_target!(|text: &str| {
    if let Ok(address) = subnet::parse_ipv4(text) {
        assert_eq!(subnet::parse_ipv4(&address.to_string()), Ok(address));
    }
    match Ipv4Network::parse_cidr(text) {
        Ok(network) => check(network),
        Err(error) => {
            let _ = error.to_string();
        }
    }
    // `subnet IP MASK`: the first word is the address, the rest the mask.
    if let Some((ip, mask)) = text.trim().split_once(char::is_whitespace) {
        match Ipv4Network::parse_with_mask(ip, mask) {
            Ok(network) => check(network),
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
});
