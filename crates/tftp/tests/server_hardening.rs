//! The server under attack, on loopback: a local user racing the root check with
//! symlinks, a flood of requests, uploads larger than allowed, guesses at temporary
//! names, junk datagrams, and a stop in the middle of a transfer.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{RawClient, Scratch, TestServer, content, quick_client, quick_config, rrq, wrq};
use tftp::client;
use tftp::packet::{ErrorCode, Mode, Packet};

/// The `tftp` binary's path.
fn tftp_binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("tftp")
}

/// Starts `tftp serve` through `sh`, so that `setup` (e.g. `ulimit -n 128`) applies to
/// it; returns the running server and its process id (printed by the shell before it
/// becomes the server with `exec`).
#[cfg(unix)]
fn spawn_server(setup: &str, root: &std::path::Path, extra: &[&str]) -> (testkit::Running, u32) {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "{setup} root=\"$1\" && shift && echo \"pid $$\" && exec \"$0\" serve --bind 127.0.0.1:0 --root \"$root\" \"$@\""
        ))
        .arg(tftp_binary())
        .arg(root)
        .args(extra);
    let running = testkit::Running::server(command);
    let pid = running
        .stdout_lines()
        .iter()
        .find_map(|line| line.strip_prefix("pid ")?.parse().ok())
        .expect("the shell printed its pid");
    (running, pid)
}

// ----- 1. the root cannot be escaped by swapping a directory for a symlink -----

#[cfg(unix)]
#[test]
fn a_directory_swapped_for_a_symlink_never_leads_reads_or_writes_outside_the_root() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let outer = Scratch::new("race");
    let root = outer.join("root");
    let outside = outer.join("outside");
    std::fs::create_dir_all(root.join("d")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(root.join("d/secret"), b"inside").unwrap();
    std::fs::write(outside.join("secret"), b"OUTSIDE").unwrap();
    // The link the attacker swaps in for `d`, kept beside it.
    std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
    let mut config = quick_config(&root);
    config.allow_write = true;
    let server = TestServer::start(config);

    let stop = Arc::new(AtomicBool::new(false));
    let racer = {
        let stop = Arc::clone(&stop);
        let root = root.clone();
        std::thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(Ordering::Relaxed) && swaps < 200_000 {
                // d becomes a symlink out of the root, then a directory again.
                let _ = std::fs::rename(root.join("d"), root.join("d.real"));
                let _ = std::fs::rename(root.join("link"), root.join("d"));
                let _ = std::fs::rename(root.join("d"), root.join("link"));
                let _ = std::fs::rename(root.join("d.real"), root.join("d"));
                swaps += 1;
            }
            swaps
        })
    };
    let config = client::ClientConfig {
        timeout: Duration::from_millis(200),
        retries: 1,
        ..quick_client()
    };
    let reader = {
        let config = config.clone();
        let addr = server.addr;
        std::thread::spawn(move || {
            let started = Instant::now();
            let (mut served, mut leaked) = (0u32, 0u32);
            for _ in 0..20_000 {
                if started.elapsed() > Duration::from_secs(3) {
                    break;
                }
                let mut out = Vec::new();
                if client::get_into(addr, "d/secret", &mut out, &config).is_ok() {
                    served += 1;
                    if out != b"inside" {
                        leaked += 1;
                    }
                }
            }
            (served, leaked)
        })
    };
    let writer = {
        let addr = server.addr;
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut stored = 0u32;
            for index in 0..20_000u32 {
                if started.elapsed() > Duration::from_secs(3) {
                    break;
                }
                let bytes = content(700, u64::from(index));
                let name = format!("d/up-{index}.bin");
                if client::put_from(addr, &mut &bytes[..], None, &name, &config).is_ok() {
                    stored += 1;
                }
            }
            stored
        })
    };
    let (served, leaked) = reader.join().unwrap();
    let stored = writer.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    let swaps = racer.join().unwrap();
    server.stop();
    assert!(swaps > 1000, "the racer swapped only {swaps} times");
    assert!(served > 0 && stored > 0, "served {served}, stored {stored}");
    assert_eq!(
        leaked, 0,
        "{leaked} of {served} reads returned the file outside"
    );
    assert_eq!(
        testkit::scratch::names_in(&outside),
        vec!["secret".to_string()],
        "uploads were written outside the root"
    );
    assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"OUTSIDE");
}

// ----- 2. a flood leaves room for a legitimate client -----

#[cfg(unix)]
/// Sends `count` read requests from each of `sockets` sockets, every one different (a
/// `nonce` option the server ignores), asking for the largest window and timeout.
fn flood(server: SocketAddr, sockets: usize, count: usize) -> Vec<std::net::UdpSocket> {
    let mut held = Vec::new();
    for socket_index in 0..sockets {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for index in 0..count {
            let nonce = (socket_index * count + index).to_string();
            let request = rrq(
                "big.bin",
                Mode::Octet,
                &[
                    ("blksize", "65464"),
                    ("windowsize", "16"),
                    ("timeout", "255"),
                    ("nonce", &nonce),
                ],
            );
            let mut bytes = Vec::new();
            Packet::Request(request).encode(&mut bytes);
            let _ = socket.send_to(&bytes, server);
        }
        held.push(socket);
    }
    held
}

#[cfg(unix)]
#[test]
fn a_flood_under_a_low_descriptor_limit_leaves_room_for_a_legitimate_download() {
    let root = Scratch::new("flood");
    root.write("big.bin", &content(4 * 1024 * 1024, 1));
    root.write("hello.txt", b"hello, still here\n");
    let (mut server, _pid) = spawn_server("ulimit -n 128 &&", &root.path, &[]);
    let addr = server.addr();
    // 600 requests against 128 descriptors: more than the server can hold open.
    let _flooders = flood(addr, 20, 30);
    let config = client::ClientConfig {
        timeout: Duration::from_secs(1),
        retries: 2,
        ..quick_client()
    };
    let mut out = Vec::new();
    let outcome = client::get_into(addr, "hello.txt", &mut out, &config);
    assert!(
        outcome.is_ok(),
        "the legitimate download failed: {}",
        outcome.unwrap_err()
    );
    assert_eq!(out, b"hello, still here\n");
    assert!(server.is_running(), "the server died under the flood");
}

#[test]
fn when_full_a_transfer_whose_peer_never_answered_gives_its_place() {
    let root = Scratch::new("evict");
    root.write("file.bin", &content(5000, 2));
    let mut config = quick_config(&root.path);
    config.max_at_once = 1;
    config.timeout = Duration::from_secs(5);
    let server = TestServer::start(config);
    // A request sent and forgotten: its transfer waits for an ACK that never comes.
    let mut silent = RawClient::new();
    silent.request(rrq("file.bin", Mode::Octet, &[]), server.addr);
    let (block, _, _) = silent.expect_data();
    assert_eq!(block, 1);
    // A real client gets the place, and the silent one is told why it lost it.
    let mut out = Vec::new();
    client::get_into(server.addr, "file.bin", &mut out, &quick_client()).unwrap();
    assert_eq!(out, content(5000, 2));
    let message = silent.expect_error(ErrorCode::NotDefined);
    assert!(message.contains("busy"), "{message}");
}

#[test]
fn a_client_over_its_limit_gets_error_0_busy() {
    let root = Scratch::new("perclient");
    root.write("file.bin", &content(5000, 3));
    let mut config = quick_config(&root.path);
    config.max_per_client = 1;
    config.timeout = Duration::from_secs(5);
    let server = TestServer::start(config);
    // One transfer that is going on (its client answered), then a second request.
    let mut first = RawClient::new();
    first.request(rrq("file.bin", Mode::Octet, &[]), server.addr);
    let (_, _, from) = first.expect_data();
    first.send_ack(1, from);
    let (block, _, _) = first.expect_data();
    assert_eq!(block, 2);
    let mut second = RawClient::new();
    second.request(rrq("file.bin", Mode::Octet, &[]), server.addr);
    let message = second.expect_error(ErrorCode::NotDefined);
    assert_eq!(message, "busy, try again");
}

#[test]
fn a_transfer_that_outlives_its_time_is_stopped_with_error_0() {
    let root = Scratch::new("lifetime");
    root.write("big.bin", &content(2_000_000, 4));
    let mut config = quick_config(&root.path);
    config.max_transfer_time = Duration::from_millis(300);
    let server = TestServer::start(config);
    // A client that keeps acknowledging, 8 bytes at a time: it would need 250 000
    // blocks; the server ends it when its time is up.
    let mut raw = RawClient::new();
    raw.request(
        rrq("big.bin", Mode::Octet, &[("blksize", "8")]),
        server.addr,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the transfer was never stopped");
        let (bytes, from) = raw.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Oack(_) => raw.send_ack(0, from),
            Packet::Data(data) => raw.send_ack(data.block, from),
            Packet::Error(error) => {
                assert_eq!(error.code, ErrorCode::NotDefined);
                assert!(error.message.contains("too long"), "{error}");
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn threads_and_memory_maps_stay_flat_under_back_to_back_transfers() {
    let root = Scratch::new("steady");
    root.write("small.txt", b"small\n");
    // glibc gives each new thread its own malloc arena, up to eight per core, and keeps
    // them: one arena keeps the count independent of the machine's cores.
    let (server, pid) = spawn_server("export MALLOC_ARENA_MAX=1 &&", &root.path, &[]);
    let maps = || {
        std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .unwrap()
            .lines()
            .count()
    };
    let mut out = Vec::new();
    client::get_into(server.addr(), "small.txt", &mut out, &quick_client()).unwrap();
    let before = maps();
    for _ in 0..400 {
        out.clear();
        client::get_into(server.addr(), "small.txt", &mut out, &quick_client()).unwrap();
    }
    let after = maps();
    // A thread that ended but was never joined keeps its stack and guard page mapped:
    // two maps per transfer, for ever. Joined threads leave only the stacks the C library
    // keeps for reuse, as many as ever ran at the same moment (a few, more when the
    // machine is busy and an ending thread waits for the CPU).
    assert!(
        after < before + 200,
        "memory maps grew from {before} to {after} over 400 transfers"
    );
}

// ----- 3. --max-upload counts the bytes that arrive -----

/// Uploads by hand, block after block, until the server answers with an ERROR; returns
/// it, or None if the whole `total` went through.
fn upload_by_hand(
    server: SocketAddr,
    name: &str,
    tsize: Option<&str>,
    total: usize,
) -> Option<(ErrorCode, String)> {
    let mut raw = RawClient::new();
    let mut options = vec![("blksize", "1468")];
    if let Some(tsize) = tsize {
        options.push(("tsize", tsize));
    }
    raw.request(wrq(name, Mode::Octet, &options), server);
    let (bytes, from) = raw.receive();
    match Packet::parse(&bytes).unwrap() {
        Packet::Oack(_) => {}
        Packet::Error(error) => return Some((error.code, error.message)),
        other => panic!("expected OACK, got {other}"),
    }
    let payload = vec![0x5a; 1468];
    let blocks = total / 1468 + 1;
    for block in 1..=blocks {
        let len = if block == blocks { total % 1468 } else { 1468 };
        raw.send_data((block % 65536) as u16, &payload[..len], from);
        let (bytes, _) = raw.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Ack(_) => {}
            Packet::Error(error) => return Some((error.code, error.message)),
            other => panic!("expected ACK, got {other}"),
        }
    }
    None
}

#[test]
fn an_upload_past_max_upload_gets_error_3_whatever_tsize_said() {
    let root = Scratch::new("maxupload");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    config.max_upload = Some(100_000);
    let server = TestServer::start(config);
    for (name, tsize) in [
        ("small-lie.bin", Some("10")),
        ("no-tsize.bin", None),
        ("minus.bin", Some("-1")),
    ] {
        let refused = upload_by_hand(server.addr, name, tsize, 600_000);
        let (code, _) = refused.unwrap_or_else(|| panic!("{name}: 600000 bytes were taken"));
        assert_eq!(code, ErrorCode::DiskFull, "{name}");
    }
    // Nothing is left: neither a file nor a temporary one (the transfer removes its
    // temporary file just after sending the ERROR).
    testkit::poll_until(
        "the partial uploads to be removed",
        Duration::from_secs(5),
        || root.names().is_empty().then_some(()),
    );
    // An upload within the limit still works.
    assert_eq!(upload_by_hand(server.addr, "fits.bin", None, 100_000), None);
}

// ----- 4. temporary upload files are never served, and leave room in the name -----

#[test]
fn an_unfinished_upload_cannot_be_read_by_its_temporary_name() {
    let root = Scratch::new("tempname");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    config.timeout = Duration::from_secs(5);
    let server = TestServer::start(config);
    let mut uploader = RawClient::new();
    uploader.request(wrq("big.bin", Mode::Octet, &[]), server.addr);
    let from = uploader.expect_ack(0);
    uploader.send_data(1, &[0x41; 512], from);
    uploader.expect_ack(1);
    let names = root.names();
    assert_eq!(names.len(), 1, "{names:?}");
    for name in [names[0].clone(), format!("/{}", names[0])] {
        let mut reader = RawClient::new();
        reader.request(rrq(&name, Mode::Octet, &[]), server.addr);
        let (bytes, _) = reader.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Error(error) => assert_eq!(error.code, ErrorCode::FileNotFound),
            other => panic!("the unfinished upload {name:?} was served: {other}"),
        }
    }
    assert!(
        !names[0].contains("big.bin"),
        "the temporary name is guessable: {names:?}"
    );
}

#[test]
fn a_250_character_name_can_be_uploaded() {
    let root = Scratch::new("longname");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let name = "n".repeat(246) + ".txt";
    assert_eq!(name.len(), 250);
    let bytes = content(3000, 5);
    client::put_from(server.addr, &mut &bytes[..], None, &name, &quick_client()).unwrap();
    assert_eq!(std::fs::read(root.join(&name)).unwrap(), bytes);
}

// ----- 5. junk is answered at a bounded rate -----

#[test]
fn junk_from_a_stranger_is_answered_at_a_bounded_rate() {
    let root = Scratch::new("junk");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    let sent = 500;
    let started = Instant::now();
    for _ in 0..sent {
        raw.send_bytes(&[], server.addr);
    }
    let mut answers = 0;
    while raw.receive_within(Duration::from_millis(300)).is_some() {
        answers += 1;
        assert!(answers <= sent, "more answers than datagrams");
    }
    let seconds = started.elapsed().as_secs_f64();
    let allowed = f64::from(tftp::server::JUNK_BURST)
        + f64::from(tftp::server::JUNK_PER_SECOND) * seconds
        + 1.0;
    assert!(answers >= 1, "junk should still get an answer now and then");
    assert!(
        f64::from(answers) <= allowed,
        "{answers} answers to {sent} junk datagrams in {seconds:.2} s"
    );
}

// ----- issue 12: a stopped server tells its peers; --count 0 is refused -----

#[cfg(unix)]
fn signal_mid_transfer(signal: &str, status: i32) {
    let root = Scratch::new("signal");
    root.write("big.bin", &content(100_000, 6));
    let (server, pid) = spawn_server("", &root.path, &["--timeout", "5"]);
    let mut raw = RawClient::new();
    raw.request(rrq("big.bin", Mode::Octet, &[]), server.addr());
    let (block, _, _) = raw.expect_data();
    assert_eq!(block, 1);
    // The transfer now waits for ACK 1; stop the server.
    testkit::send_signal(pid, signal);
    let message = raw.expect_error(ErrorCode::NotDefined);
    assert_eq!(message, "server shutting down");
    let finished = server.finish_within(Duration::from_secs(10));
    assert_eq!(finished.status.code(), Some(status), "{finished:?}");
    assert_eq!(finished.stderr.len(), 1, "{:?}", finished.stderr);
    assert!(
        finished.stderr[0].starts_with(&format!("error: stopped by SIG{signal}")),
        "{:?}",
        finished.stderr
    );
}

#[cfg(unix)]
#[test]
fn sigterm_mid_transfer_sends_error_0_to_the_client_and_exits_143() {
    signal_mid_transfer("TERM", 143);
}

#[cfg(unix)]
#[test]
fn sigint_mid_transfer_sends_error_0_to_the_client_and_exits_130() {
    signal_mid_transfer("INT", 130);
}

#[test]
fn count_0_is_a_usage_error() {
    let root = Scratch::new("count0");
    let output = std::process::Command::new(tftp_binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--count", "0", "--root"])
        .arg(&root.path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));
}
