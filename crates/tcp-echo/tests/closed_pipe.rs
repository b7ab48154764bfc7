//! A closed output pipe (`tcp-echo serve | head -2`, `tcp-echo send ... | head -c1`):
//! once stdout's reader has gone, there is nobody left to tell, so the command ends
//! quietly with success (exit 0, no `error:` line), like any Unix filter. The server
//! stops accepting too, instead of serving forever with nobody reading its log.
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Command;
use std::thread;

use testkit::{Piped, Running};

/// `tcp-echo args` with every stream piped.
fn start(args: &[&str]) -> Piped {
    Piped::start(env!("CARGO_BIN_EXE_tcp-echo"), args)
}

/// A plain client with every wait bounded.
fn client(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&address, testkit::DEADLINE).expect("connect");
    stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    stream.set_write_timeout(Some(testkit::DEADLINE)).unwrap();
    stream
}

/// An echo server that stays up for the client tests (its stdout is read by testkit).
fn echo_server() -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    command.args(["serve", "--bind", "127.0.0.1:0"]);
    Running::server(command)
}

#[test]
fn serve_stops_quietly_with_success_when_its_log_reader_leaves() {
    let mut server = start(&["serve", "--bind", "127.0.0.1:0"]);
    // `head -1` reads the readiness line and leaves.
    let address = server.read_readiness_then_close_stdout();
    // A client: its `accepted` log line is the write that finds the pipe closed. It is
    // served to the end; the server then stops instead of waiting for the next one.
    let mut stream = client(address);
    stream.write_all(b"hello").unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut echoed = Vec::new();
    stream.read_to_end(&mut echoed).unwrap();
    assert_eq!(echoed, b"hello");
    drop(stream);
    // More clients (see `finish_while`) until the server has stopped; once it has,
    // connecting fails, and that is fine.
    let (status, stderr) = server.wait_for_exit(|| {
        if let Ok(mut stream) = TcpStream::connect_timeout(&address, testkit::DEADLINE) {
            let _ = stream.set_read_timeout(Some(testkit::DEADLINE));
            let _ = stream.write_all(b"again");
            let _ = stream.shutdown(Shutdown::Write);
            let _ = stream.read_to_end(&mut Vec::new());
        }
    });
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn send_raw_into_a_closed_pipe_ends_quietly_with_success() {
    let server = echo_server();
    let address = server.addr().to_string();
    let mut sender = start(&["send", &address, "--stdin", "--raw"]);
    // One MiB: far more than a pipe holds, so some write of the reply comes after the
    // reader has gone (`head -c1`).
    let mut input = sender.child.stdin.take().expect("stdin was piped");
    let feeder = thread::spawn(move || {
        let _ = input.write_all(&vec![b'x'; 1024 * 1024]);
    });
    let mut output = sender.child.stdout.take().expect("stdout was piped");
    let mut first = [0u8; 1];
    output
        .read_exact(&mut first)
        .expect("the first byte of the reply");
    drop(output);
    let (status, stderr) = sender.wait_for_exit(|| {});
    feeder.join().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
    drop(server);
}

#[test]
fn chat_into_a_closed_pipe_ends_quietly_with_success() {
    let server = echo_server();
    let address = server.addr().to_string();
    let mut chat = start(&["chat", &address]);
    // Nobody reads the replies: the first one finds the pipe closed.
    drop(chat.child.stdout.take());
    let mut input = chat.child.stdin.take().expect("stdin was piped");
    // A line, echoed and printed; again until the chat has ended (see `finish_while`).
    let (status, stderr) = chat.wait_for_exit(|| {
        let _ = input.write_all(b"hello\n");
    });
    drop(input);
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    // Only the greeting (`connected to ...`) is on stderr, no error.
    assert!(!stderr.contains("error:"), "{stderr}");
    drop(server);
}
