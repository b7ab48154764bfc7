//! A closed output pipe (`tcp-echo serve | head -2`, `tcp-echo send ... | head -c1`):
//! once stdout's reader has gone, there is nobody left to tell, so the command ends
//! quietly with success (exit 0, no `error:` line), like any Unix filter. The server
//! stops accepting too, instead of serving forever with nobody reading its log.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

use testkit::Running;

/// Kills the child if an assertion fails first, so nothing is left running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `tcp-echo args` with every stream piped.
fn start(args: &[&str]) -> KillOnDrop {
    let child = Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tcp-echo");
    KillOnDrop(child)
}

/// Waits (bounded) for the child to exit; returns its status and stderr.
fn finish(child: &mut KillOnDrop) -> (ExitStatus, String) {
    finish_while(child, || {})
}

/// Like [`finish`], calling `write_again` before each look. Why again: while another
/// test of this binary starts a process, the forked copy holds our pipe's read end for
/// a moment, and a write in that moment still succeeds. Each call causes one more
/// write, until one finds the pipe closed.
fn finish_while(child: &mut KillOnDrop, mut write_again: impl FnMut()) -> (ExitStatus, String) {
    let status = testkit::poll_until("tcp-echo to exit", Duration::from_secs(10), || {
        let exited = child.0.try_wait().expect("try_wait");
        if exited.is_none() {
            write_again();
        }
        exited
    });
    let mut stderr = String::new();
    if let Some(mut pipe) = child.0.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stderr)
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
    let mut reader = BufReader::new(server.0.stdout.take().expect("stdout was piped"));
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .expect("read the readiness line");
    let address = testkit::parse_readiness(line.trim_end())
        .unwrap_or_else(|| panic!("no readiness line, got {line:?}"));
    // `head -1` has seen its line and leaves.
    drop(reader);
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
    let (status, stderr) = finish_while(&mut server, || {
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
    let mut input = sender.0.stdin.take().expect("stdin was piped");
    let feeder = thread::spawn(move || {
        let _ = input.write_all(&vec![b'x'; 1024 * 1024]);
    });
    let mut output = sender.0.stdout.take().expect("stdout was piped");
    let mut first = [0u8; 1];
    output
        .read_exact(&mut first)
        .expect("the first byte of the reply");
    drop(output);
    let (status, stderr) = finish(&mut sender);
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
    drop(chat.0.stdout.take());
    let mut input = chat.0.stdin.take().expect("stdin was piped");
    // A line, echoed and printed; again until the chat has ended (see `finish_while`).
    let (status, stderr) = finish_while(&mut chat, || {
        let _ = input.write_all(b"hello\n");
    });
    drop(input);
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    // Only the greeting (`connected to ...`) is on stderr, no error.
    assert!(!stderr.contains("error:"), "{stderr}");
    drop(server);
}
