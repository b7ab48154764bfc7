//! The three duplex modes of `udp-bind chat`.

use std::io::{ErrorKind, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;

use testkit::Running;

fn chat(peer: SocketAddr, mode: &str, extra: &[&str]) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    let peer = peer.to_string();
    command.args([
        "chat",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--peer",
        &peer,
        "--mode",
        mode,
        "--timeout",
        "10",
    ]);
    command.args(extra);
    Running::server(command)
}

/// The test's own end of the conversation.
fn test_peer() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    socket
}

fn receive(socket: &UdpSocket) -> (String, SocketAddr) {
    let mut buffer = [0u8; 1024];
    let (length, from) = socket
        .recv_from(&mut buffer)
        .expect("a datagram from the chat");
    (
        String::from_utf8_lossy(&buffer[..length]).into_owned(),
        from,
    )
}

#[test]
fn full_duplex_receives_while_stdin_is_silent_and_sends_while_listening() {
    let peer = test_peer();
    let mut chat = chat(peer.local_addr().unwrap(), "full", &[]);
    let chat_address = chat.addr();
    // Nothing typed yet: the receiving thread still prints what arrives.
    peer.send_to(b"hello from the peer", chat_address).unwrap();
    chat.wait_for_stdout_containing(": hello from the peer");
    // And a typed line goes out at once, without waiting for anything from the peer.
    chat.stdin().write_all(b"hello from stdin\n").unwrap();
    chat.stdin().flush().unwrap();
    assert_eq!(
        receive(&peer),
        ("hello from stdin".to_string(), chat_address)
    );
    peer.send_to(b"second", chat_address).unwrap();
    chat.wait_for_stdout_containing(": second");
    // End of stdin ends the chat cleanly, and tells the peer with an empty datagram.
    chat.close_stdin();
    assert_eq!(receive(&peer).0, "");
    let finished = chat.finish();
    assert!(finished.status.success(), "{finished:?}");
}

#[test]
fn two_full_duplex_chats_exchange_lines_both_ways() {
    let port_b = testkit::free_port();
    let address_b: SocketAddr = ([127, 0, 0, 1], port_b).into();
    let mut a = chat(address_b, "full", &[]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    let peer_a = a.addr().to_string();
    command.args([
        "chat",
        "--host",
        "127.0.0.1",
        "--port",
        &port_b.to_string(),
        "--peer",
        &peer_a,
    ]);
    let mut b = Running::server(command);
    a.stdin().write_all(b"ni hao from a\n").unwrap();
    b.stdin().write_all("你好 from b\n".as_bytes()).unwrap();
    a.stdin().flush().unwrap();
    b.stdin().flush().unwrap();
    b.wait_for_stdout(&format!("from {peer_a}: ni hao from a"), |line| {
        line == format!("from {peer_a}: ni hao from a")
    });
    a.wait_for_stdout_containing(&format!("from {address_b}: 你好 from b"));
    a.close_stdin();
    b.wait_for_stdout_containing("(peer ended the chat)");
    b.close_stdin();
    assert!(a.finish().status.success());
    assert!(b.finish().status.success());
}

#[test]
fn half_duplex_waits_for_the_answer_before_sending_the_next_line() {
    let peer = test_peer();
    let mut chat = chat(peer.local_addr().unwrap(), "half", &[]);
    let chat_address = chat.addr();
    // Two lines typed at once; half duplex may send only the first.
    chat.stdin().write_all(b"one\ntwo\n").unwrap();
    chat.stdin().flush().unwrap();
    assert_eq!(receive(&peer).0, "one");
    chat.wait_for_stdout_containing("(sent; waiting for");
    // It is our turn now: "two" must not have been sent out of turn.
    peer.set_nonblocking(true).unwrap();
    let mut buffer = [0u8; 16];
    let early = peer.recv_from(&mut buffer);
    assert!(
        matches!(&early, Err(error) if error.kind() == ErrorKind::WouldBlock),
        "half duplex sent out of turn: {early:?}"
    );
    peer.set_nonblocking(false).unwrap();
    peer.send_to(b"answer", chat_address).unwrap();
    chat.wait_for_stdout_containing(": answer");
    assert_eq!(receive(&peer).0, "two");
    peer.send_to(b"answer 2", chat_address).unwrap();
    chat.close_stdin();
    // Its turn again, and stdin has ended: it says goodbye (an empty datagram) and exits.
    assert_eq!(receive(&peer).0, "");
    let finished = chat.finish();
    assert!(finished.status.success(), "{finished:?}");
}

#[test]
fn half_duplex_without_an_answer_times_out_with_exit_1() {
    let peer = test_peer();
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    let peer_text = peer.local_addr().unwrap().to_string();
    command.args([
        "chat",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--peer",
        &peer_text,
        "--mode",
        "half",
        "--timeout",
        "0.3",
    ]);
    let mut chat = Running::server(command);
    chat.stdin().write_all(b"anyone?\n").unwrap();
    chat.close_stdin();
    let finished = chat.finish();
    assert_eq!(finished.status.code(), Some(1));
    assert!(
        finished
            .stderr_text()
            .contains(&format!("error: no reply from {peer_text} within 0.3 s")),
        "{finished:?}"
    );
}

#[test]
fn simplex_listen_only_prints_until_the_sender_ends() {
    let sender_socket = test_peer();
    let listener = chat(
        sender_socket.local_addr().unwrap(),
        "simplex",
        &["--listen-only"],
    );
    let address = listener.addr();
    // A simplex sender: the binary itself, stdin from a pipe.
    let mut sender = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    drop(sender_socket);
    sender.args([
        "chat",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--peer",
        &address.to_string(),
        "--mode",
        "simplex",
    ]);
    let mut sender = Running::server(sender);
    sender.stdin().write_all(b"line 1\n\nline 2\n").unwrap();
    let sent = sender.finish();
    assert!(sent.status.success(), "{sent:?}");
    let heard = listener.finish();
    assert!(heard.status.success(), "{heard:?}");
    assert_eq!(heard.stdout.len(), 4, "{heard:?}");
    assert!(heard.stdout[1].ends_with(": line 1"));
    assert!(heard.stdout[2].ends_with(": line 2"));
    assert_eq!(heard.stdout[3], "(peer ended the chat)");
}

#[test]
fn listen_only_outside_simplex_is_bad_usage() {
    let finished = Running::start({
        let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
        command.args([
            "chat",
            "--port",
            "0",
            "--peer",
            "127.0.0.1:9",
            "--listen-only",
        ]);
        command
    })
    .finish();
    assert_eq!(finished.status.code(), Some(2));
    assert!(
        finished
            .stderr_text()
            .contains("--listen-only belongs to --mode simplex")
    );
}
