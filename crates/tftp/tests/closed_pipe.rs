//! A closed output pipe (`tftp get ... -o - | head -c 10`, `tftp serve | head -2`):
//! once stdout's reader has gone, there is nobody left to tell, so the command ends
//! quietly with success (exit 0, nothing on stderr), like any Unix filter. A download
//! tells its server first (ERROR 0), so the server stops sending at once.
#![cfg(unix)]

mod common;

use std::io::Read;
use std::sync::{Arc, Mutex, mpsc};

use common::{Scratch, TestServer, content, quick_client, quick_config};
use testkit::{DEADLINE, Piped};

/// `tftp args` with every stream piped.
fn start(args: &[&str]) -> Piped {
    Piped::start(env!("CARGO_BIN_EXE_tftp"), args)
}

#[test]
fn get_to_stdout_into_a_closed_pipe_ends_quietly_and_tells_the_server() {
    let root = Scratch::new("closed-pipe-root");
    // 300 KiB: far more than a pipe and the client's buffer hold, so a write of the
    // download comes after the reader has gone.
    root.write("big.bin", &content(300 * 1024, 3));
    let mut config = quick_config(&root.path);
    let (logged, log_lines) = mpsc::channel();
    let logged = Mutex::new(logged);
    config.log = Some(Arc::new(move |log: &tftp::server::TransferLog| {
        let _ = logged.lock().unwrap().send(log.to_string());
    }));
    let server = TestServer::start(config);
    let address = server.addr.to_string();
    let mut client = start(&["get", &address, "big.bin", "-o", "-", "--linger", "0"]);
    let mut output = client.child.stdout.take().expect("stdout was piped");
    let mut first = [0u8; 10];
    output.read_exact(&mut first).expect("the first bytes");
    // `head -c 10` has what it wanted and leaves.
    drop(output);
    let (status, stderr) = client.wait_for_exit(|| {});
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
    // The server heard that the client stopped: its transfer ended with our ERROR 0,
    // not after its retries ran out.
    let line = log_lines
        .recv_timeout(DEADLINE)
        .expect("the server logged the transfer");
    assert!(
        line.contains(tftp::transfer::OUTPUT_CLOSED_MESSAGE),
        "{line}"
    );
    drop(server);
}

#[test]
fn serve_stops_quietly_with_success_when_its_log_reader_leaves() {
    let root = Scratch::new("closed-pipe-serve");
    root.write("hello.txt", b"hello\n");
    let root_path = root.path.to_string_lossy().into_owned();
    let mut server = start(&["serve", "--root", &root_path, "--bind", "127.0.0.1:0"]);
    // `head -1` reads the readiness line and leaves.
    let address = server.read_readiness_then_close_stdout();
    // One download: the server's log line for it is the write that finds the pipe closed.
    let mut got = Vec::new();
    tftp::client::get_into(address, "hello.txt", &mut got, &quick_client())
        .expect("the download is served");
    assert_eq!(got, b"hello\n");
    // More downloads (see `finish_while`) until the server has stopped; one that meets
    // a stopped server fails, and that is fine.
    let (status, stderr) = server.wait_for_exit(|| {
        let _ = tftp::client::get_into(address, "hello.txt", &mut Vec::new(), &quick_client());
    });
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}
