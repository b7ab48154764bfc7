//! A closed output pipe (`udp-bind recv | head -2`): once stdout's reader has gone,
//! there is nobody left to tell, so the command ends quietly with success (exit 0,
//! nothing on stderr), like any Unix filter.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
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

/// Waits (bounded) for the child to exit; returns its status and stderr.
fn finish(mut child: Child) -> (ExitStatus, String) {
    let status = testkit::poll_until("udp-bind to exit", Duration::from_secs(10), || {
        child.try_wait().expect("try_wait")
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
    // One datagram: printing its line is the write that finds the pipe closed.
    send_one(address);
    let (status, stderr) = finish(guard.0.take().expect("child"));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn echo_into_a_closed_pipe_ends_quietly_with_success() {
    let (child, address) = start_then_close_stdout(&["echo", "--bind", "127.0.0.1:0"]);
    let mut guard = KillOnDrop(Some(child));
    // The server echoes it, then its "echoed ..." line finds the pipe closed.
    send_one(address);
    let (status, stderr) = finish(guard.0.take().expect("child"));
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
