//! A closed output pipe (`udp-bind recv | head -2`): once stdout's reader has gone,
//! there is nobody left to tell, so the command ends quietly with success (exit 0,
//! nothing on stderr), like any Unix filter.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// Starts `udp-bind args` with stdout piped, reads its readiness line, then closes
/// the reading end of stdout, as `head` does when it has seen enough.
fn start_then_close_stdout(args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udp-bind"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start udp-bind");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout was piped"));
    let mut line = String::new();
    // The readiness line comes at once; if the binary died first, read_line sees
    // end of file and the parse below fails with the line it got.
    reader
        .read_line(&mut line)
        .expect("read the readiness line");
    let address = testkit::parse_readiness(line.trim_end())
        .unwrap_or_else(|| panic!("no readiness line, got {line:?}"));
    drop(reader);
    (child, address)
}

/// Waits (bounded) for the child to exit, calling `write_again` before each look;
/// returns its status and stderr.
///
/// Why again: while another test of this binary starts a process, the forked copy holds
/// our pipe's read end for a moment, and a write in that moment still succeeds. Each
/// call causes one more write, until one finds the pipe closed.
fn finish_while(mut child: Child, mut write_again: impl FnMut()) -> (ExitStatus, String) {
    let status = testkit::poll_until("udp-bind to exit", Duration::from_secs(10), || {
        let exited = child.try_wait().expect("try_wait");
        if exited.is_none() {
            write_again();
        }
        exited
    });
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stderr)
}

/// Sends one datagram to `to` from a port the OS picks.
fn send_one(to: SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a sender");
    socket.send_to(b"hello", to).expect("send a datagram");
}

/// Kills the child if an assertion fails first, so no receiver is left running.
struct KillOnDrop(Option<Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn recv_into_a_closed_pipe_ends_quietly_with_success() {
    let (child, address) = start_then_close_stdout(&["recv", "--bind", "127.0.0.1:0"]);
    let mut guard = KillOnDrop(Some(child));
    // A datagram: printing its line is the write that finds the pipe closed.
    let (status, stderr) = finish_while(guard.0.take().expect("child"), || send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn echo_into_a_closed_pipe_ends_quietly_with_success() {
    let (child, address) = start_then_close_stdout(&["echo", "--bind", "127.0.0.1:0"]);
    let mut guard = KillOnDrop(Some(child));
    // The server echoes it, then its "echoed ..." line finds the pipe closed.
    let (status, stderr) = finish_while(guard.0.take().expect("child"), || send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn chat_listen_only_into_a_closed_pipe_ends_quietly_with_success() {
    let (child, address) = start_then_close_stdout(&[
        "chat",
        "--bind",
        "127.0.0.1:0",
        "--peer",
        "127.0.0.1:9",
        "--mode",
        "simplex",
        "--listen-only",
    ]);
    let mut guard = KillOnDrop(Some(child));
    // The peer's lines are printed into the closed pipe.
    let (status, stderr) = finish_while(guard.0.take().expect("child"), || send_one(address));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn full_duplex_chat_into_a_closed_pipe_ends_at_the_next_line_quietly() {
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind the peer");
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a timeout");
    let peer_address = peer.local_addr().expect("the peer's address").to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_udp-bind"))
        .args(["chat", "--bind", "127.0.0.1:0", "--peer", &peer_address])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start udp-bind");
    let mut input = child.stdin.take().expect("stdin was piped");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout was piped"));
    let mut guard = KillOnDrop(Some(child));
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("read the readiness line");
    let address = testkit::parse_readiness(line.trim_end())
        .unwrap_or_else(|| panic!("no readiness line, got {line:?}"));
    drop(reader);
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
    let (status, stderr) = finish_while(guard.0.take().expect("child"), || {});
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
