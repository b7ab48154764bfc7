//! The `tftp` binary, black-box: readiness line, log lines, errors and exit codes.

mod common;

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use common::{Scratch, content};
use testkit::Running;

fn tftp() -> Command {
    Command::cargo_bin("tftp").unwrap()
}

fn server(root: &std::path::Path, extra: &[&str]) -> Running {
    let mut command = tftp();
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .args(extra);
    Running::server(command)
}

#[test]
fn serve_prints_its_real_port_and_one_log_line_per_transfer() {
    let root = Scratch::new("cli-log");
    root.write("hello.txt", b"hello\n");
    let mut running = server(&root.path, &["--count", "1"]);
    let addr = running.addr();
    assert_ne!(addr.port(), 0);
    let output = tftp()
        .args([
            "get",
            &addr.to_string(),
            "hello.txt",
            "-o",
            "-",
            "--linger",
            "0",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, b"hello\n");
    let line = running.wait_for_stdout_containing("read \"hello.txt\"");
    assert!(line.contains("octet: 6 bytes in"), "{line}");
    assert!(running.finish().status.success());
}

#[test]
fn get_and_put_through_the_binary() {
    let root = Scratch::new("cli-root");
    let local = Scratch::new("cli-local");
    let bytes = content(100_000, 1);
    root.write("data.bin", &bytes);
    local.write("up.bin", &bytes);
    let running = server(&root.path, &["--allow-write", "--count", "2"]);
    let addr = running.addr().to_string();
    let out = local.join("copy.bin");
    let status = tftp()
        .args([
            "get",
            &addr,
            "data.bin",
            "--blksize",
            "1468",
            "--windowsize",
            "4",
        ])
        .arg("-o")
        .arg(&out)
        .args(["--linger", "0", "--tsize"])
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let status = tftp()
        .args(["put", &addr])
        .arg(local.join("up.bin"))
        .args(["stored.bin", "--blksize", "8192"])
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    assert!(running.finish().status.success());
    assert_eq!(std::fs::read(root.join("stored.bin")).unwrap(), bytes);
}

#[test]
fn a_server_error_is_one_error_line_and_exit_1_and_no_file() {
    let root = Scratch::new("cli-missing");
    let local = Scratch::new("cli-missing-local");
    let running = server(&root.path, &["--count", "1"]);
    let output = tftp()
        .args(["get", &running.addr().to_string(), "nope.txt", "-o"])
        .arg(local.join("nope.txt"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: server sent error 1 (file not found): file not found"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(local.names().is_empty(), "left behind: {:?}", local.names());
}

#[test]
fn put_to_a_read_only_server_is_refused() {
    let root = Scratch::new("cli-ro");
    let local = Scratch::new("cli-ro-local");
    let file = local.write("x.txt", b"x");
    let running = server(&root.path, &["--count", "1"]);
    let output = tftp()
        .args(["put", &running.addr().to_string()])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error 2 (access violation)"), "{stderr}");
    assert!(root.names().is_empty());
}

#[test]
fn a_bad_address_is_a_usage_error() {
    let output = tftp()
        .args(["get", "127.0.0.1:99999", "f"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: address"), "{stderr}");
}

#[test]
fn an_out_of_range_blksize_is_a_usage_error() {
    let output = tftp()
        .args(["get", "127.0.0.1:6969", "f", "--blksize", "70000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn no_server_times_out_with_a_hint() {
    // A bound socket that never answers.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let output = tftp()
        .args([
            "get",
            &silent.local_addr().unwrap().to_string(),
            "f",
            "-o",
            "-",
        ])
        .args(["--timeout", "1", "--retries", "0", "--no-options"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: timed out waiting for an answer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: is a TFTP server listening"),
        "{stderr}"
    );
}

#[test]
fn a_missing_root_is_an_error_before_listening() {
    let output = tftp()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--root",
            "/nonexistent/netlab",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: root directory"), "{stderr}");
}

#[test]
fn a_port_in_use_gets_a_hint() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let output = tftp()
        .args(["serve", "--bind", &taken.local_addr().unwrap().to_string()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("hint: another process"), "{stderr}");
}

#[test]
fn trace_shows_the_packets() {
    let root = Scratch::new("cli-trace");
    root.write("t.txt", b"trace me");
    let running = server(&root.path, &["--count", "1"]);
    let output = tftp()
        .args([
            "get",
            &running.addr().to_string(),
            "t.txt",
            "-o",
            "-",
            "--trace",
        ])
        .args(["--blksize", "1468", "--linger", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("-> RRQ \"t.txt\" octet blksize=1468"),
        "{stderr}"
    );
    assert!(stderr.contains("<- OACK blksize=1468"), "{stderr}");
    assert!(stderr.contains("-> ACK #0"), "{stderr}");
    assert!(stderr.contains("<- DATA #1 8 bytes"), "{stderr}");
    assert!(stderr.contains("-> ACK #1"), "{stderr}");
}

#[test]
fn put_reads_standard_input_for_dash() {
    let root = Scratch::new("cli-stdin");
    let running = server(&root.path, &["--allow-write", "--count", "1"]);
    let output = assert_cmd::Command::cargo_bin("tftp")
        .unwrap()
        .args(["put", &running.addr().to_string(), "-", "from-stdin.txt"])
        .write_stdin("typed in\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(running.finish().status.success());
    assert_eq!(
        std::fs::read(root.join("from-stdin.txt")).unwrap(),
        b"typed in\n"
    );
}
