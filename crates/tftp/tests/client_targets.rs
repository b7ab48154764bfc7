//! Where `tftp get -o LOCAL` writes: a regular file is replaced only once the download
//! is complete, but a device, a FIFO or a standard stream is written straight into and
//! is still what it was afterwards; a symlink stays a link (its target gets the file);
//! a replaced file keeps its mode.
#![cfg(unix)]

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use common::{Scratch, TestServer, content, quick_config};
use testkit::{DEADLINE, Finished, Running};

/// 100 000 bytes: 196 blocks of 512, so the transfer is more than one write.
const SIZE: usize = 100_000;

/// Our server in this process, serving `f.bin` (SIZE bytes) from its own directory.
fn serving() -> (Scratch, TestServer, Vec<u8>) {
    let root = Scratch::new("targets-root");
    let bytes = content(SIZE, 7);
    root.write("f.bin", &bytes);
    let server = TestServer::start(quick_config(&root.path));
    (root, server, bytes)
}

/// `tftp get SERVER f.bin -o OUTPUT`, waited for with the deadline.
fn download(server: &TestServer, output: &Path) -> Finished {
    Running::start(get_command(server, output)).finish()
}

fn get_command(server: &TestServer, output: &Path) -> Command {
    let mut command = Command::cargo_bin("tftp").unwrap();
    command
        .args(["get", &server.addr.to_string(), "f.bin", "-o"])
        .arg(output)
        .args(["--linger", "0"]);
    command
}

#[track_caller]
fn assert_received(finished: &Finished) {
    assert!(finished.status.success(), "{finished:?}");
    let said = finished.stderr_text();
    assert!(said.contains(&format!("received {SIZE} bytes")), "{said}");
}

#[test]
fn a_device_node_is_still_a_device_after_a_download_into_it() {
    if !testkit::require_root("a_device_node_is_still_a_device_after_a_download_into_it") {
        return;
    }
    let (_root, server, _) = serving();
    let dir = Scratch::new("targets-device");
    let device = dir.join("null");
    // The same device as /dev/null (character device 1, 3), made where it harms nothing.
    let made = Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(made.success(), "mknod failed");
    let before = fs::symlink_metadata(&device).unwrap();

    let finished = download(&server, &device);

    assert_received(&finished);
    let after = fs::symlink_metadata(&device).unwrap();
    assert!(
        after.file_type().is_char_device(),
        "the device was replaced by {:?}",
        after.file_type()
    );
    assert_eq!(after.rdev(), before.rdev());
    assert_eq!(
        after.ino(),
        before.ino(),
        "a new node took the device's place"
    );
    assert_eq!(dir.names(), ["null"], "a temporary file was left behind");
}

#[test]
fn a_fifo_is_still_a_fifo_and_its_reader_gets_the_file() {
    let (_root, server, bytes) = serving();
    let dir = Scratch::new("targets-fifo");
    let fifo = dir.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo failed"
    );
    // The reader: opening a FIFO waits for a writer, so it runs beside the client.
    let (sender, received) = mpsc::channel();
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        let result = fs::File::open(&reader_path).and_then(|mut file| file.read_to_end(&mut got));
        let _ = sender.send(result.map(|_| got));
    });

    let finished = download(&server, &fifo);

    // A client that never opened the FIFO leaves the reader waiting in open(): open it
    // for writing once ourselves, so the reader sees end-of-file and the test ends.
    let got = match received.recv_timeout(Duration::from_millis(500)) {
        Ok(result) => result,
        Err(_) => {
            drop(fs::OpenOptions::new().write(true).open(&fifo));
            received
                .recv_timeout(DEADLINE)
                .expect("the FIFO reader never finished")
        }
    };
    reader.join().unwrap();
    assert_received(&finished);
    let got = got.expect("reading the FIFO");
    assert!(
        got == bytes,
        "the reader got {} bytes, not the file",
        got.len()
    );
    let after = fs::symlink_metadata(&fifo).unwrap();
    assert!(after.file_type().is_fifo(), "the FIFO was replaced");
    assert_eq!(dir.names(), ["pipe"], "a temporary file was left behind");
}

#[test]
fn a_symlink_is_still_a_link_and_its_target_gets_the_file() {
    let (_root, server, bytes) = serving();
    let links = Scratch::new("targets-links");
    let files = Scratch::new("targets-files");
    let real = files.write("real.bin", b"old content");
    let link = links.join("link.bin");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    let finished = download(&server, &link);

    assert_received(&finished);
    let meta = fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(fs::read_link(&link).unwrap(), real);
    assert!(
        fs::read(&real).unwrap() == bytes,
        "the target lacks the file"
    );
    // The temporary file went beside the target, and is gone.
    assert_eq!(links.names(), ["link.bin"]);
    assert_eq!(files.names(), ["real.bin"]);
}

#[test]
fn a_relative_symlink_to_a_missing_file_gets_that_file_created() {
    let (_root, server, bytes) = serving();
    let dir = Scratch::new("targets-dangling");
    fs::create_dir(dir.join("sub")).unwrap();
    let link = dir.join("link.bin");
    std::os::unix::fs::symlink("sub/new.bin", &link).unwrap();

    let finished = download(&server, &link);

    assert_received(&finished);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read(dir.join("sub/new.bin")).unwrap() == bytes);
    assert_eq!(dir.names(), ["link.bin", "sub"]);
}

#[test]
fn a_replaced_file_keeps_its_mode() {
    let (_root, server, bytes) = serving();
    let dir = Scratch::new("targets-mode");
    let existing = dir.write("out.bin", b"old content");
    fs::set_permissions(&existing, fs::Permissions::from_mode(0o640)).unwrap();

    let finished = download(&server, &existing);

    assert_received(&finished);
    assert!(fs::read(&existing).unwrap() == bytes);
    let mode = fs::metadata(&existing).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640, "mode is {mode:o}");
    assert_eq!(dir.names(), ["out.bin"]);
}

/// `/proc/self/fd/1` names whatever standard output is; here a file the shell opened
/// with `>>`. The download is added to it; nothing is created or renamed in /proc.
#[cfg(target_os = "linux")]
#[test]
fn standard_output_named_by_path_is_written_into_not_replaced() {
    let (_root, server, bytes) = serving();
    let dir = Scratch::new("targets-stdout");
    let log = dir.write("log.txt", b"before\n");
    let appending = fs::OpenOptions::new().append(true).open(&log).unwrap();
    let mut command = get_command(&server, Path::new("/proc/self/fd/1"));
    command
        .stdout(appending)
        .stderr(std::process::Stdio::piped());
    let output = command.spawn().unwrap();
    let finished = wait_with_deadline(output);
    assert!(finished.0.success(), "{}", finished.1);
    let mut expected = b"before\n".to_vec();
    expected.extend_from_slice(&bytes);
    assert!(
        fs::read(&log).unwrap() == expected,
        "the log was not appended to"
    );
    assert_eq!(dir.names(), ["log.txt"]);
}

/// Waits for `child` with the deadline; returns its status and stderr.
#[cfg(target_os = "linux")]
fn wait_with_deadline(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let status = testkit::poll_until("tftp get to exit", DEADLINE, || child.try_wait().unwrap());
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stderr)
}
