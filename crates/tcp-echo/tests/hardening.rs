//! The server under pressure: out of file descriptors, more clients than it wants, and
//! the defaults a student gets without any flag.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;

use predicates::prelude::*;
use testkit::Running;

fn tcp_echo() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// A plain client with every wait bounded.
fn client(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&address, testkit::DEADLINE).expect("connect");
    stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    stream.set_write_timeout(Some(testkit::DEADLINE)).unwrap();
    stream
}

/// Sends `message`, half-closes, and returns everything the server sent back.
#[cfg(unix)]
fn echo(address: SocketAddr, message: &[u8]) -> Vec<u8> {
    let mut stream = client(address);
    stream.write_all(message).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    reply
}

#[cfg(unix)]
#[test]
fn running_out_of_descriptors_does_not_stop_the_server() {
    // 64 descriptors for the whole server: stdin/stdout/stderr and the listener leave
    // room for about 60 clients, so the 100 below make `accept` fail with EMFILE.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "ulimit -n 64 && exec \"$0\" serve --bind 127.0.0.1:0 --backlog 128 --max-clients 1000",
        env!("CARGO_BIN_EXE_tcp-echo"),
    ]);
    let mut server = Running::server(command);
    let address = server.addr();
    let crowd: Vec<TcpStream> = (0..100).map(|_| client(address)).collect();
    // Either the server says it ran out, or (before the fix) it has exited.
    testkit::poll_until(
        "the server to run out of descriptors",
        testkit::DEADLINE,
        || {
            let said = server
                .stdout_lines()
                .iter()
                .any(|line| line.contains("too many open files"));
            (said || !server.is_running()).then_some(())
        },
    );
    drop(crowd);
    assert_eq!(echo(address, b"still here"), b"still here");
    assert!(
        server.is_running(),
        "the server exited: {:?}",
        server.stderr_lines()
    );
    let log = server.kill().stdout_text();
    assert!(log.contains("accept() works again"), "{log}");
}

#[test]
fn max_clients_defaults_to_64() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    command.args(["serve", "--bind", "127.0.0.1:0"]);
    let mut server = Running::server(command);
    let address = server.addr();
    let mut served = Vec::new();
    for _ in 0..64 {
        let mut stream = client(address);
        // An echo proves this one was accepted and is being served.
        stream.write_all(b"x").unwrap();
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).unwrap();
        served.push(stream);
    }
    let mut extra = client(address);
    let mut reply = Vec::new();
    // The server closes the 65th at once: end of file (or a reset), never an echo.
    let _ = extra.write_all(b"y");
    let _ = extra.read_to_end(&mut reply);
    assert!(reply.is_empty(), "{reply:?}");
    server.wait_for_stdout_containing("already serving 64 clients (--max-clients 64)");
}

#[test]
fn help_names_the_safer_serve_defaults() {
    tcp_echo()
        .args(["serve", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[default: 127.0.0.1:8899]"))
        .stdout(predicate::str::contains("[default: 128]"))
        .stdout(predicate::str::contains("[default: 64]"));
}

#[test]
fn an_absurd_backlog_is_refused_at_the_parser() {
    tcp_echo()
        .args(["serve", "--bind", "127.0.0.1:0", "--backlog", "99999999"])
        .timeout(testkit::DEADLINE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error:"));
}
