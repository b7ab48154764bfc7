//! The tests of exercise 5.2, which grade the solution in `arp.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `arp.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 2);

const GW: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);

const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0x01]);

const MAC_GW: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0xfe]);

#[test]
fn exercise_5_2_answers_only_requests_for_our_ip() {
    let ours = ArpPacket::request(MAC_A, A, GW);
    let reply = answer(MAC_GW, GW, &ours).unwrap();
    assert_eq!(reply.operation, Operation::Reply);
    assert_eq!((reply.sender_mac, reply.sender_ip), (MAC_GW, GW));
    assert_eq!((reply.target_mac, reply.target_ip), (MAC_A, A));
    let other = ArpPacket::request(MAC_A, A, Ipv4Addr::new(7, 7, 7, 7));
    assert_eq!(answer(MAC_GW, GW, &other), None);
    assert_eq!(answer(MAC_GW, GW, &reply), None);
}
