//! Helpers shared by the integration tests: a scratch directory and an in-process server.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tftp::packet::{Ack, Data, ErrorCode, Oack, Packet, Request, TftpOption};
use tftp::server::{self, ServeReport, ServerConfig};

/// A directory under the system temp dir, removed when dropped.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "tftp-test-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The names in the directory, sorted (hidden ones too: a stray temp file shows).
    pub fn names(&self) -> Vec<String> {
        names_in(&self.path)
    }
}

pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

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

/// A raw UDP socket speaking TFTP by hand, to check the server packet by packet.
pub struct RawClient {
    pub socket: UdpSocket,
    buffer: Vec<u8>,
}

impl RawClient {
    pub fn new() -> RawClient {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        RawClient {
            socket,
            buffer: vec![0; 70000],
        }
    }

    pub fn send_bytes(&self, bytes: &[u8], to: SocketAddr) {
        self.socket.send_to(bytes, to).unwrap();
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

    /// Reads a packet and expects ACK `block`; returns its sender.
    #[track_caller]
    pub fn expect_ack(&mut self, block: u16) -> SocketAddr {
        let (bytes, from) = self.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Ack(ack) => assert_eq!(ack.block, block, "expected ACK #{block}"),
            other => panic!("expected ACK #{block}, got {other}"),
        }
        from
    }

    /// Reads a packet and expects a DATA; returns its block, payload and sender.
    #[track_caller]
    pub fn expect_data(&mut self) -> (u16, Vec<u8>, SocketAddr) {
        let (bytes, from) = self.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Data(Data { block, payload }) => (block, payload.to_vec(), from),
            other => panic!("expected DATA, got {other}"),
        }
    }

    /// Reads a packet and expects an ERROR with `code`; returns its message.
    #[track_caller]
    pub fn expect_error(&mut self, code: ErrorCode) -> String {
        let (bytes, _) = self.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Error(error) => {
                assert_eq!(error.code, code, "got {error}");
                error.message
            }
            other => panic!("expected ERROR {code:?}, got {other}"),
        }
    }

    /// The next datagram (panics after 5 s), as owned bytes and its sender.
    pub fn receive(&mut self) -> (Vec<u8>, SocketAddr) {
        let (len, from) = self
            .socket
            .recv_from(&mut self.buffer)
            .expect("no answer within 5 s");
        (self.buffer[..len].to_vec(), from)
    }

    /// The next datagram within `wait`, or None.
    pub fn receive_within(&mut self, wait: Duration) -> Option<(Vec<u8>, SocketAddr)> {
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let result = self
            .socket
            .recv_from(&mut self.buffer)
            .ok()
            .map(|(len, from)| (self.buffer[..len].to_vec(), from));
        self.socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
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
