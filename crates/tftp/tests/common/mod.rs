//! Helpers shared by the integration tests: an in-process server (and testkit's scratch
//! directory, under the name the tests use).
#![allow(dead_code)]

use std::cell::RefCell;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tftp::packet::{Ack, Data, ErrorCode, Oack, Packet, Request, TftpOption};
use tftp::server::{self, ServeReport, ServerConfig};

pub use testkit::Scratch;

/// Our server, running in this process on 127.0.0.1 and a port the OS picked.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<ServeReport>>,
}

impl TestServer {
    pub fn start(config: ServerConfig) -> TestServer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || server::serve(socket, config, flag).unwrap());
        TestServer {
            addr,
            stop,
            handle: Some(handle),
        }
    }

    /// Stops the server, waits for its transfers, and returns its counts.
    pub fn stop(mut self) -> ServeReport {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.take().unwrap().join().unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A config for tests: quick timeouts so a lost packet costs little.
pub fn quick_config(root: &Path) -> ServerConfig {
    let mut config = ServerConfig::new(root);
    config.timeout = Duration::from_millis(300);
    config.retries = 5;
    config
}

/// How long a [`RawClient`] waits for each packet before the test fails.
pub const RAW_WAIT: Duration = Duration::from_secs(5);

/// A raw UDP socket speaking TFTP by hand, to check the server packet by packet.
///
/// Its `expect_*` methods fail a test with the protocol step that went wrong, in the
/// words of the RFC, at the line of the test that expected it: "expected ACK 3 after
/// DATA 3, got nothing within 5 s", "expected DATA after ACK 2, got ERROR 0 ...". It
/// remembers the last packet it sent for that sentence.
pub struct RawClient {
    pub socket: UdpSocket,
    buffer: Vec<u8>,
    /// The last packet sent, in short (`DATA 3`, `ACK 2`, `RRQ "f.bin"`).
    last_sent: RefCell<Option<String>>,
}

/// A packet in the fewest words that name it in a protocol step: `DATA 3`, `ACK 2`,
/// `OACK`, `ERROR 1 "File not found"`, `RRQ "f.bin"`; for a failure message.
pub fn describe(bytes: &[u8]) -> String {
    match Packet::parse(bytes) {
        Ok(Packet::Request(request)) => {
            let kind = match request.direction {
                tftp::packet::Direction::Read => "RRQ",
                tftp::packet::Direction::Write => "WRQ",
            };
            format!("{kind} {:?}", request.filename)
        }
        Ok(Packet::Data(data)) => format!("DATA {}", data.block),
        Ok(Packet::Ack(ack)) => format!("ACK {}", ack.block),
        Ok(Packet::Oack(_)) => "OACK".to_string(),
        Ok(Packet::Error(error)) => format!("ERROR {} {:?}", error.code.to_u16(), error.message),
        Err(error) => format!("{} bytes that are not TFTP ({error})", bytes.len()),
    }
}

impl RawClient {
    pub fn new() -> RawClient {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_read_timeout(Some(RAW_WAIT)).unwrap();
        RawClient {
            socket,
            buffer: vec![0; 70000],
            last_sent: RefCell::new(None),
        }
    }

    pub fn send_bytes(&self, bytes: &[u8], to: SocketAddr) {
        self.socket
            .send_to(bytes, to)
            .unwrap_or_else(|error| panic!("sending {} to {to}: {error}", describe(bytes)));
        *self.last_sent.borrow_mut() = Some(describe(bytes));
    }

    pub fn send(&self, packet: &Packet<'_>, to: SocketAddr) {
        let mut bytes = Vec::new();
        packet.encode(&mut bytes);
        self.send_bytes(&bytes, to);
    }

    pub fn request(&self, request: Request, to: SocketAddr) {
        self.send(&Packet::Request(request), to);
    }

    /// Sends DATA `block` carrying `payload` to `to`.
    pub fn send_data(&self, block: u16, payload: &[u8], to: SocketAddr) {
        self.send(&Packet::Data(Data { block, payload }), to);
    }

    /// Sends ACK `block` to `to`.
    pub fn send_ack(&self, block: u16, to: SocketAddr) {
        self.send(&Packet::Ack(Ack { block }), to);
    }

    /// Sends an OACK granting `options` to `to`.
    pub fn send_oack(&self, options: Vec<TftpOption>, to: SocketAddr) {
        self.send(&Packet::Oack(Oack { options }), to);
    }

    /// "expected ACK 3 after DATA 3", or "expected a request" before we sent anything.
    fn step(&self, expected: &str) -> String {
        match self.last_sent.borrow().as_deref() {
            Some(sent) => format!("expected {expected} after {sent}"),
            None => format!("expected {expected}"),
        }
    }

    /// The next datagram, or a test failure naming the protocol step that waited for it.
    #[track_caller]
    fn next(&mut self, expected: &str) -> (Vec<u8>, SocketAddr) {
        // A receive with a timeout is not restarted after a signal (man 7 signal): an
        // EINTR says nothing about the server, so wait again, within the same bound.
        let deadline = std::time::Instant::now() + RAW_WAIT;
        let mut received = self.socket.recv_from(&mut self.buffer);
        while matches!(&received, Err(error) if error.kind() == std::io::ErrorKind::Interrupted)
            && std::time::Instant::now() < deadline
        {
            received = self.socket.recv_from(&mut self.buffer);
        }
        match received {
            Ok((len, from)) => (self.buffer[..len].to_vec(), from),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!(
                    "{}, got nothing within {} s",
                    self.step(expected),
                    RAW_WAIT.as_secs()
                )
            }
            Err(error) => panic!("{}, but receiving failed: {error}", self.step(expected)),
        }
    }

    /// Reads a packet and expects ACK `block`; returns its sender.
    #[track_caller]
    pub fn expect_ack(&mut self, block: u16) -> SocketAddr {
        let expected = format!("ACK {block}");
        let (bytes, from) = self.next(&expected);
        match Packet::parse(&bytes) {
            Ok(Packet::Ack(ack)) if ack.block == block => from,
            _ => panic!("{}, got {}", self.step(&expected), describe(&bytes)),
        }
    }

    /// Reads a packet and expects a DATA; returns its block, payload and sender.
    #[track_caller]
    pub fn expect_data(&mut self) -> (u16, Vec<u8>, SocketAddr) {
        let (bytes, from) = self.next("DATA");
        match Packet::parse(&bytes) {
            Ok(Packet::Data(Data { block, payload })) => (block, payload.to_vec(), from),
            _ => panic!("{}, got {}", self.step("DATA"), describe(&bytes)),
        }
    }

    /// Reads a packet and expects DATA `block`; returns its payload and sender.
    #[track_caller]
    pub fn expect_block(&mut self, block: u16) -> (Vec<u8>, SocketAddr) {
        let expected = format!("DATA {block}");
        let (bytes, from) = self.next(&expected);
        match Packet::parse(&bytes) {
            Ok(Packet::Data(data)) if data.block == block => (data.payload.to_vec(), from),
            _ => panic!("{}, got {}", self.step(&expected), describe(&bytes)),
        }
    }

    /// Reads a packet and expects an ERROR with `code`; returns its message.
    #[track_caller]
    pub fn expect_error(&mut self, code: ErrorCode) -> String {
        let expected = format!("ERROR {} ({code:?})", code.to_u16());
        let (bytes, _) = self.next(&expected);
        match Packet::parse(&bytes) {
            Ok(Packet::Error(error)) if error.code == code => error.message,
            _ => panic!("{}, got {}", self.step(&expected), describe(&bytes)),
        }
    }

    /// The next datagram (the test fails after 5 s), as owned bytes and its sender.
    #[track_caller]
    pub fn receive(&mut self) -> (Vec<u8>, SocketAddr) {
        let expected = if self.last_sent.borrow().is_some() {
            "an answer"
        } else {
            "a packet"
        };
        self.next(expected)
    }

    /// The next datagram within `wait`, or None.
    pub fn receive_within(&mut self, wait: Duration) -> Option<(Vec<u8>, SocketAddr)> {
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let result = self
            .socket
            .recv_from(&mut self.buffer)
            .ok()
            .map(|(len, from)| (self.buffer[..len].to_vec(), from));
        self.socket.set_read_timeout(Some(RAW_WAIT)).unwrap();
        result
    }
}

pub fn rrq(name: &str, mode: tftp::packet::Mode, options: &[(&str, &str)]) -> Request {
    request(tftp::packet::Direction::Read, name, mode, options)
}

pub fn wrq(name: &str, mode: tftp::packet::Mode, options: &[(&str, &str)]) -> Request {
    request(tftp::packet::Direction::Write, name, mode, options)
}

fn request(
    direction: tftp::packet::Direction,
    name: &str,
    mode: tftp::packet::Mode,
    options: &[(&str, &str)],
) -> Request {
    Request {
        direction,
        filename: name.into(),
        mode,
        options: options
            .iter()
            .map(|(name, value)| tftp::packet::TftpOption::new(name, value))
            .collect(),
    }
}

/// Deterministic file content of `len` bytes (varied, so a shifted block shows). Not
/// every test binary uses it, as with the helpers above.
#[allow(unused_imports)]
pub use testkit::reproducible_bytes as content;

/// A client config for tests: short timeouts, no lingering.
pub fn quick_client() -> tftp::client::ClientConfig {
    tftp::client::ClientConfig {
        timeout: Duration::from_millis(300),
        linger: Duration::ZERO,
        ..tftp::client::ClientConfig::default()
    }
}
