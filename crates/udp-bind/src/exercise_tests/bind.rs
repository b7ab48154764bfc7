//! The tests of exercise 2.4, which grade the solution in `bind.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `bind.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

#[test]
fn exercise_2_4_unbound_sender_gets_its_port_at_the_first_sendto() {
    let receiver = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let to = receiver.local_addr().unwrap();
    let sender = sender_socket(to, None, Trace::OFF).unwrap();
    // Before sendto: no port yet (Linux reports 0.0.0.0:0).
    let before = sender.local_addr().map(|a| a.port()).unwrap_or(0);
    assert_eq!(before, 0);
    send_to(&sender, b"x", to, Trace::OFF).unwrap();
    assert_ne!(sender.local_addr().unwrap().port(), 0);
}

#[test]
fn exercise_2_4_from_port_binds_that_port() {
    let receiver = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let to = receiver.local_addr().unwrap();
    // Borrow a free port from the OS, release it, then ask for it by number.
    let port = bind_udp(loopback(), BindOptions::default(), Trace::OFF)
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sender = sender_socket(to, Some(port), Trace::OFF).unwrap();
    assert_eq!(sender.local_addr().unwrap().port(), port);
    send_to(&sender, b"x", to, Trace::OFF).unwrap();
    let mut buffer = [0u8; 8];
    let (_, from) = receive_from(
        &receiver,
        &mut buffer,
        Some(Duration::from_secs(5)),
        Trace::OFF,
    )
    .unwrap();
    assert_eq!(from.port(), port);
}
