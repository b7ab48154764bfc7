//! Ctrl-C (SIGINT) and SIGTERM during `tftp get` and `tftp put`, with real signals to a
//! real process: nothing is left under the final name nor as a hidden `.part` file, the
//! server is told, and the client says so in one line and exits 130 or 143. And an
//! ERROR from the server ends the client at once, with the server's words.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use common::{RawClient, Scratch};
use testkit::{DEADLINE, Piped, Running};
use tftp::packet::{ErrorCode, ErrorPacket, Packet};

/// A fake server: receives one request on its port, then runs `script` on a new socket
/// (a new transfer ID), as a real server would. `script` gets the client's address.
fn fake_server<T: Send + 'static>(
    script: impl FnOnce(&mut RawClient, SocketAddr) -> T + Send + 'static,
) -> (SocketAddr, thread::JoinHandle<T>) {
    let mut listener = RawClient::new();
    let addr = listener.socket.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (_request, client) = listener.receive();
        let mut transfer = RawClient::new();
        script(&mut transfer, client)
    });
    (addr, handle)
}

/// Waits (with the deadline) for an ERROR from the client, passing over anything else
/// (a repeated ACK); returns it.
fn next_error(raw: &mut RawClient) -> ErrorPacket {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        let Some((bytes, _)) = raw.receive_within(Duration::from_millis(200)) else {
            continue;
        };
        if let Ok(Packet::Error(error)) = Packet::parse(&bytes) {
            return error;
        }
    }
    panic!("the client sent no ERROR within {DEADLINE:?}");
}

/// The `tftp` binary with `args`, stderr piped; the slow `--timeout` makes sure that
/// only the signal (or the server's ERROR) can end it within the test's deadline.
fn start_client(args: &[&str], dir: &Path, stdin: Stdio) -> Child {
    Command::cargo_bin("tftp")
        .unwrap()
        .args(args)
        .args(["--timeout", "10", "--retries", "5"])
        .current_dir(dir)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the process to exit (with the deadline; killed after it) and returns its
/// status and stderr lines.
fn wait_for_exit(child: Child) -> (ExitStatus, Vec<String>) {
    let (status, stderr) = Piped::adopt(child, "tftp").wait_for_exit(|| {});
    (status, stderr.lines().map(str::to_string).collect())
}

fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".part")
}

/// A download from a server that sends DATA 1 and then nothing, interrupted by
/// `signal` once the partial file exists.
fn interrupt_a_download(signal: &str) -> (ExitStatus, Vec<String>, ErrorPacket, Scratch) {
    let dir = Scratch::new("interrupt-get");
    let (acked, ack_seen) = mpsc::channel();
    let (addr, server) = fake_server(move |raw, client| {
        raw.send_data(1, &[b'x'; 512], client);
        raw.expect_ack(1);
        acked.send(()).unwrap();
        // Silent from here: a big file that stopped coming.
        next_error(raw)
    });
    let child = start_client(
        &["get", &addr.to_string(), "big.bin", "-o", "big.bin"],
        &dir.path,
        Stdio::null(),
    );
    ack_seen
        .recv_timeout(DEADLINE)
        .expect("the client never acknowledged DATA 1");
    testkit::poll_until("the partial file", DEADLINE, || {
        dir.names()
            .iter()
            .any(|name| is_partial(name))
            .then_some(())
    });
    testkit::send_signal(child.id(), signal);
    let (status, stderr) = wait_for_exit(child);
    let told = server.join().unwrap();
    (status, stderr, told, dir)
}

#[track_caller]
fn assert_one_interrupted_line(stderr: &[String], ending: &str) {
    assert_eq!(stderr.len(), 1, "expected one line: {stderr:?}");
    assert!(
        stderr[0].starts_with("error: interrupted: ") && stderr[0].ends_with(ending),
        "{stderr:?}"
    );
}

#[test]
fn sigint_during_get_removes_the_partial_file_and_exits_130() {
    let (status, stderr, told, dir) = interrupt_a_download("INT");
    assert_eq!(status.code(), Some(130), "{stderr:?}");
    assert_one_interrupted_line(&stderr, "removed");
    assert!(stderr[0].contains("big.bin"), "{stderr:?}");
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    // The server hears that we stopped, so it need not retry for seconds.
    assert_eq!(told.code, ErrorCode::NotDefined);
    assert_eq!(told.message, "transfer cancelled by the user");
}

#[test]
fn sigterm_during_get_removes_the_partial_file_and_exits_143() {
    let (status, stderr, _, dir) = interrupt_a_download("TERM");
    assert_eq!(status.code(), Some(143), "{stderr:?}");
    assert_one_interrupted_line(&stderr, "removed");
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
}

#[test]
fn sigterm_during_put_tells_the_server_with_error_0_and_exits_143() {
    let dir = Scratch::new("interrupt-put");
    dir.write("local.bin", &common::content(100_000, 3));
    let (got_data, data_seen) = mpsc::channel();
    let (addr, server) = fake_server(move |raw, client| {
        raw.send_ack(0, client);
        let (block, _, _) = raw.expect_data();
        got_data.send(block).unwrap();
        // No ACK: the upload hangs, as over a bad link.
        next_error(raw)
    });
    let child = start_client(
        &["put", &addr.to_string(), "local.bin", "up.bin"],
        &dir.path,
        Stdio::null(),
    );
    let block = data_seen
        .recv_timeout(DEADLINE)
        .expect("the client never sent DATA 1");
    assert_eq!(block, 1);
    testkit::send_signal(child.id(), "TERM");
    let (status, stderr) = wait_for_exit(child);
    let told = server.join().unwrap();
    assert_eq!(status.code(), Some(143), "{stderr:?}");
    assert_one_interrupted_line(&stderr, "the server was told to remove its partial file");
    assert_eq!(told.code, ErrorCode::NotDefined);
    assert_eq!(told.message, "transfer cancelled by the user");
    // The local file is the source: untouched, and nothing beside it.
    assert_eq!(dir.names(), ["local.bin"]);
}

#[test]
fn sigint_during_put_to_our_server_leaves_no_partial_upload_there() {
    let root = Scratch::new("interrupt-put-root");
    let home = Scratch::new("interrupt-put-home");
    let mut serve = Command::cargo_bin("tftp").unwrap();
    serve
        .args(["serve", "--bind", "127.0.0.1:0", "--allow-write", "--trace"])
        .arg("--root")
        .arg(&root.path);
    let server = Running::server(serve);
    // Standard input is the file: we hand over 2 KiB and then keep the pipe open, so
    // the upload waits, part way, for the rest.
    let mut child = start_client(
        &["put", &server.addr().to_string(), "-", "up.bin"],
        &home.path,
        Stdio::piped(),
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&common::content(2048, 5)).unwrap();
    stdin.flush().unwrap();
    // DATA has arrived: the client knows the server's transfer ID, and the server holds
    // a partial upload.
    server.wait_for_stderr_containing("<- DATA");
    testkit::poll_until("the server's partial upload", DEADLINE, || {
        (!root.names().is_empty()).then_some(())
    });
    testkit::send_signal(child.id(), "INT");
    let (status, stderr) = wait_for_exit(child);
    drop(stdin);
    assert_eq!(status.code(), Some(130), "{stderr:?}");
    assert_one_interrupted_line(&stderr, "the server was told to remove its partial file");
    // The server read our ERROR 0 and dropped the upload.
    testkit::poll_until("the server to remove its partial upload", DEADLINE, || {
        root.names().is_empty().then_some(())
    });
    assert!(home.names().is_empty(), "left behind: {:?}", home.names());
}

#[test]
fn a_server_error_mid_download_ends_the_client_at_once_with_its_words() {
    let dir = Scratch::new("server-error-get");
    let (addr, server) = fake_server(|raw, client| {
        raw.send_data(1, &[b'x'; 512], client);
        raw.expect_ack(1);
        raw.send(
            &Packet::Error(ErrorPacket::new(
                ErrorCode::NotDefined,
                "server shutting down",
            )),
            client,
        );
    });
    let mut command = Command::cargo_bin("tftp").unwrap();
    command
        .args(["get", &addr.to_string(), "big.bin", "-o", "big.bin"])
        // Without the ERROR, the client would wait a minute: past the deadline.
        .args(["--timeout", "10", "--retries", "5"])
        .current_dir(&dir.path);
    let finished = Running::start(command).finish();
    server.join().unwrap();
    assert_eq!(finished.status.code(), Some(1), "{finished:?}");
    assert_eq!(
        finished.stderr,
        ["error: server sent error 0 (not defined): server shutting down"]
    );
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
}

#[test]
fn a_server_error_mid_upload_ends_the_client_at_once_with_its_words() {
    let dir = Scratch::new("server-error-put");
    dir.write("local.bin", &common::content(100_000, 4));
    let (addr, server) = fake_server(|raw, client| {
        raw.send_ack(0, client);
        raw.expect_data();
        raw.send(
            &Packet::Error(ErrorPacket::new(
                ErrorCode::NotDefined,
                "server shutting down",
            )),
            client,
        );
    });
    let mut command = Command::cargo_bin("tftp").unwrap();
    command
        .args(["put", &addr.to_string(), "local.bin", "up.bin"])
        .args(["--timeout", "10", "--retries", "5"])
        .current_dir(&dir.path);
    let finished = Running::start(command).finish();
    server.join().unwrap();
    assert_eq!(finished.status.code(), Some(1), "{finished:?}");
    assert_eq!(
        finished.stderr,
        ["error: server sent error 0 (not defined): server shutting down"]
    );
}

/// How a download with a progress line on the terminal ends, for the tests below.
enum Ending {
    /// The server sends ERROR 0.
    ServerError,
    /// The user presses Ctrl-C.
    CtrlC,
}

/// Downloads on a terminal (a pseudo-terminal made by `script`, so the client shows
/// progress) until a progress line is on screen, then ends the transfer as `ending`
/// says; returns everything the terminal showed.
fn end_a_download_with_progress_on_screen(test: &str, ending: Ending) -> Option<String> {
    if !testkit::require_tool(test, "script", "bsdutils") {
        return None;
    }
    let dir = Scratch::new("progress");
    let (stop_sending, stop) = mpsc::channel::<()>();
    let (addr, server) = fake_server(move |raw, client| {
        // Lock-step blocks for as long as the test wants: a big file.
        let deadline = Instant::now() + DEADLINE;
        let mut block: u16 = 1;
        while stop.try_recv().is_err() && Instant::now() < deadline {
            raw.send_data(block, &[b'p'; 512], client);
            let answer = raw.receive_within(DEADLINE);
            match answer.as_ref().map(|(bytes, _)| Packet::parse(bytes)) {
                Some(Ok(Packet::Ack(ack))) if ack.block == block => {}
                // The client stopped (its ERROR 0 after Ctrl-C).
                _ => return,
            }
            block = block.wrapping_add(1);
        }
        let mut bytes = Vec::new();
        Packet::Error(ErrorPacket::new(
            ErrorCode::NotDefined,
            "server shutting down",
        ))
        .encode(&mut bytes);
        raw.send_bytes(&bytes, client);
    });
    let tftp = assert_cmd::cargo::cargo_bin("tftp");
    // The shell inside `script` prints its pid, then becomes tftp (exec): that pid is
    // the client's, for `kill`.
    let inner = format!(
        "echo pid=$$; exec {} get {addr} big.bin -o big.bin --timeout 10",
        tftp.display()
    );
    let mut terminal = Command::new("script")
        .args(["-q", "-e", "-c", &inner, "/dev/null"])
        .current_dir(&dir.path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut screen_pipe = terminal.stdout.take().unwrap();
    let (chunks, screen_updates) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(len) = screen_pipe.read(&mut buffer) {
            if len == 0 || chunks.send(buffer[..len].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while !String::from_utf8_lossy(&screen).contains("MiB/s") {
        let left = deadline.saturating_duration_since(Instant::now());
        match screen_updates.recv_timeout(left) {
            Ok(chunk) => screen.extend(chunk),
            Err(_) => {
                let _ = terminal.kill();
                panic!("no progress line: {:?}", String::from_utf8_lossy(&screen));
            }
        }
    }
    match ending {
        Ending::ServerError => stop_sending.send(()).unwrap(),
        Ending::CtrlC => {
            let text = String::from_utf8_lossy(&screen).into_owned();
            let pid = text
                .split("pid=")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|pid| pid.parse().ok())
                .expect("the pid line");
            // The fake server goes on sending until the client's ERROR 0 arrives.
            testkit::send_signal(pid, "INT");
        }
    }
    while let Ok(chunk) = screen_updates.recv_timeout(DEADLINE) {
        screen.extend(chunk);
    }
    let _ = wait_for_exit_status(terminal);
    server.join().unwrap();
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    Some(String::from_utf8_lossy(&screen).into_owned())
}

fn wait_for_exit_status(mut child: Child) -> ExitStatus {
    testkit::poll_until("script to exit", DEADLINE, || child.try_wait().unwrap())
}

/// The error line starts on a line of its own: between the end of the last progress
/// line (`ESC [K`) and `error:` there is a line break.
#[track_caller]
fn assert_error_on_its_own_line(screen: &str, error: &str) {
    let at = screen
        .find(error)
        .unwrap_or_else(|| panic!("no {error:?} on screen: {screen:?}"));
    let progress_end = screen[..at]
        .rfind("\x1b[K")
        .unwrap_or_else(|| panic!("no progress line before the error: {screen:?}"));
    assert!(
        screen[progress_end..at].contains('\n'),
        "the error line follows the progress on the same line: {screen:?}"
    );
}

#[test]
fn a_progress_line_is_ended_before_a_server_error_is_printed() {
    let Some(screen) = end_a_download_with_progress_on_screen(
        "a_progress_line_is_ended_before_a_server_error_is_printed",
        Ending::ServerError,
    ) else {
        return;
    };
    assert_error_on_its_own_line(&screen, "error: server sent error 0");
}

#[test]
fn a_progress_line_is_ended_before_the_interrupted_line() {
    let Some(screen) = end_a_download_with_progress_on_screen(
        "a_progress_line_is_ended_before_the_interrupted_line",
        Ending::CtrlC,
    ) else {
        return;
    };
    assert_error_on_its_own_line(&screen, "error: interrupted: ");
}
