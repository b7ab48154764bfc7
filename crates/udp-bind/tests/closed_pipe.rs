//! A closed output pipe (`udp-bind recv | head -2`): once stdout's reader has gone,
//! there is nobody left to tell, so the command ends quietly with success (exit 0,
//! nothing on stderr), like any Unix filter.
#![cfg(unix)]

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use testkit::Piped;

/// Starts `udp-bind args`, reads its readiness line, then closes the reading end of
/// its stdout, as `head -1` does when it has seen enough.
fn start_then_close_stdout(args: &[&str]) -> (Piped, SocketAddr) {
    let mut child = Piped::start(env!("CARGO_BIN_EXE_udp-bind"), args);
    let address = child.read_readiness_then_close_stdout();
    (child, address)
}

/// Sends one datagram to `to` from a port the OS picks.
fn send_one(to: SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a sender");
    socket.send_to(b"hello", to).expect("send a datagram");
}

#[test]
fn recv_into_a_closed_pipe_ends_quietly_with_success() {
    let (mut child, address) = start_then_close_stdout(&["recv", "--bind", "127.0.0.1:0"]);
    // A datagram: printing its line is the write that finds the pipe closed.
    let (status, stderr) = child.wait_for_exit(|| send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn echo_into_a_closed_pipe_ends_quietly_with_success() {
    let (mut child, address) = start_then_close_stdout(&["echo", "--bind", "127.0.0.1:0"]);
    // The server echoes it, then its "echoed ..." line finds the pipe closed.
    let (status, stderr) = child.wait_for_exit(|| send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn chat_listen_only_into_a_closed_pipe_ends_quietly_with_success() {
    let (mut child, address) = start_then_close_stdout(&[
        "chat",
        "--bind",
        "127.0.0.1:0",
        "--peer",
        "127.0.0.1:9",
        "--mode",
        "simplex",
        "--listen-only",
    ]);
    // The peer's lines are printed into the closed pipe.
    let (status, stderr) = child.wait_for_exit(|| send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn full_duplex_chat_into_a_closed_pipe_ends_at_the_next_line_quietly() {
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind the peer");
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a timeout");
    let peer_address = peer.local_addr().expect("the peer's address").to_string();
    let mut child = Piped::start(
        env!("CARGO_BIN_EXE_udp-bind"),
        &["chat", "--bind", "127.0.0.1:0", "--peer", &peer_address],
    );
    let mut input = child.child.stdin.take().expect("stdin was piped");
    let address = child.read_readiness_then_close_stdout();
    // The peer's line finds our output closed: the receiving half ends. The person
    // types on; stdin cannot be interrupted, so a typed line is where the chat notices
    // and ends, telling the peer with the empty end-of-chat datagram instead of sending
    // the line. (A line typed before the receiving half ended is sent as usual; see
    // `finish_while` for why a line and a datagram go out more than once.)
    let mut buffer = [0u8; 64];
    testkit::poll_until(
        "the chat's end-of-chat datagram",
        Duration::from_secs(10),
        || {
            peer.send_to(b"hello", address).expect("send a datagram");
            input
                .write_all(b"are you there?\n")
                .expect("the chat reads its stdin until it ends");
            let (length, _) = peer
                .recv_from(&mut buffer)
                .expect("a datagram from the chat");
            (length == 0).then_some(())
        },
    );
    drop(input);
    let (status, stderr) = child.wait_for_exit(|| {});
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
