//! Echo throughput and connection rate: our `tcp-echo serve` beside two peers measured
//! in the same run, round by round.
//!
//! * **reference**: a minimal thread-per-connection echo written below (64 KiB buffer,
//!   `read` then `write_all`, nothing else): the limit this design can reach here;
//! * **socat**: `socat TCP-LISTEN:P,fork,reuseaddr EXEC:cat` (a process pair per
//!   connection), when installed. Never socat's `PIPE` address: with several clients it
//!   deadlocks writing into its own full pipe.
//!
//! Throughput: N clients at once each stream their bytes while reading the echo back on
//! a second thread, and every byte is checked against what that client sent; MiB/s is
//! the bytes sent by all clients over the wall time. Connection rate: N clients each loop
//! connect, send 16 bytes, read them back, close, for a fixed time.
//!
//! Run with `cargo bench -p tcp-echo`. Figures are medians of the rounds with the spread;
//! on a shared or busy machine they are noisy: read the ratios, taken in one run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const MIB: usize = 1024 * 1024;
/// How many rounds of each measurement (servers interleaved within a round).
const ROUNDS: usize = 5;
/// How long one connection-rate measurement runs.
const RATE_TIME: Duration = Duration::from_millis(800);
/// No wait in the load client may take longer than this (a stuck server fails the
/// measurement instead of hanging the bench).
const STUCK: Duration = Duration::from_secs(20);

/// One server under test.
struct Server {
    name: &'static str,
    address: SocketAddr,
    /// socat is far slower: it gets less data per client at 100 clients.
    slow: bool,
    _process: Option<KillOnDrop>,
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Our binary, started like a student would, with a backlog big enough for 100
/// simultaneous connects and room for 100 clients at once (the default is 64). Its log
/// lines are read and thrown away, so logging costs what it costs a real run.
fn start_ours() -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    command.args([
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--backlog",
        "512",
        "--max-clients",
        "1000",
    ]);
    start_process("tcp-echo", command)
}

/// The limit reference: the least a thread-per-connection echo can do. It runs in a
/// process of its own (this bench binary started again with `--reference-server`), like
/// ours and socat: threads of one process switch between each other more cheaply than
/// threads of two, which would flatter an in-process server.
fn reference_server() -> ! {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the reference");
    let address = listener.local_addr().expect("local_addr");
    println!("listening on tcp {address}");
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        thread::spawn(move || {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(count) => {
                        if stream.write_all(&buffer[..count]).is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
    std::process::exit(0)
}

/// Starts `command`, reads its readiness line `listening on tcp ADDRESS`, and keeps
/// reading (and dropping) whatever else it prints.
fn start_process(name: &'static str, mut command: Command) -> Server {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|error| panic!("start {name}: {error}"));
    let stdout = child.stdout.take().expect("stdout was piped");
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    lines
        .read_line(&mut first)
        .expect("read the readiness line");
    let address = first
        .trim()
        .strip_prefix("listening on tcp ")
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("unexpected readiness line from {name}: {first:?}"));
    thread::spawn(move || {
        let mut sink = [0u8; 64 * 1024];
        while matches!(lines.read(&mut sink), Ok(n) if n > 0) {}
    });
    Server {
        name,
        address,
        slow: false,
        _process: Some(KillOnDrop(child)),
    }
}

fn start_reference() -> Server {
    let mut command = Command::new(std::env::current_exe().expect("current_exe"));
    command.arg("--reference-server");
    start_process("reference", command)
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false)
}

fn start_socat() -> Option<Server> {
    if !on_path("socat") {
        println!("note: socat is not installed (apt-get install socat): measuring without it");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .ok()?;
    let child = Command::new("socat")
        .arg(format!(
            "TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr,backlog=512"
        ))
        .arg("EXEC:cat")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let process = KillOnDrop(child);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    // socat prints nothing when ready: try to connect until it answers (bounded).
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(probe) = TcpStream::connect(address) {
            drop(probe);
            break;
        }
        if Instant::now() > deadline {
            println!("note: socat did not start listening: measuring without it");
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
    Some(Server {
        name: "socat",
        address,
        slow: true,
        _process: Some(process),
    })
}

fn connect(address: SocketAddr) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&address, STUCK)?;
    stream.set_read_timeout(Some(STUCK))?;
    stream.set_write_timeout(Some(STUCK))?;
    Ok(stream)
}

/// `clients` connections at once, each sending `per_client` bytes and checking the echo.
/// Returns MiB/s, or why it failed.
fn throughput(address: SocketAddr, clients: usize, per_client: usize) -> Result<f64, String> {
    let start = Arc::new(Barrier::new(clients + 1));
    let mut handles = Vec::new();
    for id in 0..clients {
        let start = Arc::clone(&start);
        handles.push(thread::spawn(move || -> Result<(), String> {
            let block = Arc::new(testkit::reproducible_bytes(64 * 1024, id as u64));
            let connected = connect(address);
            start.wait();
            let stream = connected.map_err(|e| format!("connect: {e}"))?;
            let mut sending = stream.try_clone().map_err(|e| e.to_string())?;
            let sent_block = Arc::clone(&block);
            let sender = thread::spawn(move || -> std::io::Result<()> {
                let mut left = per_client;
                while left > 0 {
                    let count = left.min(sent_block.len());
                    sending.write_all(&sent_block[..count])?;
                    left -= count;
                }
                sending.shutdown(Shutdown::Write)
            });
            let mut reading = stream;
            let mut buffer = vec![0u8; 64 * 1024];
            let mut offset = 0usize;
            loop {
                let count = reading
                    .read(&mut buffer)
                    .map_err(|e| format!("read after {offset} bytes: {e}"))?;
                if count == 0 {
                    break;
                }
                // Compare slice by slice (a memcmp), not byte by byte: the checking
                // must not make the load client the bottleneck.
                let mut checked = 0;
                while checked < count {
                    let at = (offset + checked) % block.len();
                    let length = (count - checked).min(block.len() - at);
                    if buffer[checked..checked + length] != block[at..at + length] {
                        return Err(format!(
                            "client {id}: wrong bytes near {}",
                            offset + checked
                        ));
                    }
                    checked += length;
                }
                offset += count;
            }
            sender
                .join()
                .map_err(|_| "sender panicked".to_string())?
                .map_err(|e| format!("send: {e}"))?;
            if offset != per_client {
                return Err(format!(
                    "client {id}: {offset} of {per_client} bytes came back"
                ));
            }
            Ok(())
        }));
    }
    start.wait();
    let began = Instant::now();
    for handle in handles {
        handle.join().map_err(|_| "client panicked".to_string())??;
    }
    let elapsed = began.elapsed().as_secs_f64();
    Ok((clients * per_client) as f64 / MIB as f64 / elapsed)
}

/// `clients` loops of connect, 16 bytes there and back, close, for [`RATE_TIME`].
fn connection_rate(address: SocketAddr, clients: usize) -> Result<f64, String> {
    let start = Arc::new(Barrier::new(clients + 1));
    let mut handles = Vec::new();
    for id in 0..clients {
        let start = Arc::clone(&start);
        handles.push(thread::spawn(move || -> Result<u64, String> {
            let message = *b"0123456789abcdef";
            start.wait();
            let deadline = Instant::now() + RATE_TIME;
            let mut done = 0;
            while Instant::now() < deadline {
                let mut stream = connect(address).map_err(|e| format!("connect: {e}"))?;
                stream.write_all(&message).map_err(|e| e.to_string())?;
                let mut back = [0u8; 16];
                stream
                    .read_exact(&mut back)
                    .map_err(|e| format!("client {id}: read: {e}"))?;
                if back != message {
                    return Err(format!("client {id}: wrong echo"));
                }
                done += 1;
            }
            Ok(done)
        }));
    }
    start.wait();
    let began = Instant::now();
    let mut total = 0;
    for handle in handles {
        total += handle.join().map_err(|_| "client panicked".to_string())??;
    }
    Ok(total as f64 / began.elapsed().as_secs_f64())
}

/// Median and spread of a set of figures.
fn summary(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
    )
}

fn show(values: &Result<Vec<f64>, String>) -> String {
    match values {
        Ok(values) if !values.is_empty() => {
            let (median, low, high) = summary(values);
            format!("{median:9.0} ({low:.0}-{high:.0})")
        }
        Ok(_) => "        -".to_string(),
        Err(error) => format!("failed: {error}"),
    }
}

fn median(values: &Result<Vec<f64>, String>) -> Option<f64> {
    values
        .as_ref()
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| summary(v).0)
}

fn ratio(ours: Option<f64>, other: Option<f64>) -> String {
    match (ours, other) {
        (Some(ours), Some(other)) if other > 0.0 => format!("{:.2}x", ours / other),
        _ => "-".to_string(),
    }
}

/// One measurement for every server, `rounds` times, servers interleaved in each round.
fn measure(
    servers: &[Server],
    rounds: usize,
    run: &dyn Fn(&Server) -> Result<f64, String>,
) -> Vec<Result<Vec<f64>, String>> {
    let mut results: Vec<Result<Vec<f64>, String>> =
        servers.iter().map(|_| Ok(Vec::new())).collect();
    for _ in 0..rounds {
        for (server, result) in servers.iter().zip(results.iter_mut()) {
            if let Ok(values) = result {
                match run(server) {
                    Ok(value) => values.push(value),
                    Err(error) => *result = Err(error),
                }
            }
        }
    }
    results
}

fn report(title: &str, unit: &str, servers: &[Server], results: &[Result<Vec<f64>, String>]) {
    let figure = |name: &str| {
        servers
            .iter()
            .position(|s| s.name == name)
            .and_then(|at| median(&results[at]))
    };
    let cells: Vec<String> = servers
        .iter()
        .zip(results)
        .map(|(server, values)| format!("{} {}", server.name, show(values)))
        .collect();
    println!(
        "{title:<22} {unit:<6} {} | ours/reference {} | ours/socat {}",
        cells.join(" | "),
        ratio(figure("tcp-echo"), figure("reference")),
        ratio(figure("tcp-echo"), figure("socat")),
    );
}

fn main() {
    if std::env::args().any(|arg| arg == "--reference-server") {
        reference_server();
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a
    // single quick round then, so the bench stays checked without taking long.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let rounds = if quick { 1 } else { ROUNDS };
    let began = Instant::now();
    let mut servers = vec![start_ours(), start_reference()];
    if let Some(socat) = start_socat() {
        servers.push(socat);
    }
    println!(
        "tcp-echo bench: median (min-max) of {rounds} rounds, loopback, unpinned; a shared machine makes these noisy"
    );
    if quick {
        println!(
            "note: quick check (not run by `cargo bench`): 1 round, small sizes, and the binaries may be debug builds; use `cargo bench -p tcp-echo` for figures"
        );
    }
    let rounds_servers: &[Server] = &servers;
    let cases: [(usize, usize, usize); 3] = [
        (1, 64 * MIB, 64 * MIB),
        (10, 16 * MIB, 16 * MIB),
        (100, 2 * MIB, MIB / 2),
    ];
    for (clients, per_client, slow_per_client) in cases {
        let (per_client, slow_per_client) = if quick {
            (per_client / 32, slow_per_client / 32)
        } else {
            (per_client, slow_per_client)
        };
        let run = |server: &Server| {
            let size = if server.slow {
                slow_per_client
            } else {
                per_client
            };
            throughput(server.address, clients, size)
        };
        let results = measure(rounds_servers, rounds, &run);
        report(
            &format!("echo {clients} x {} KiB", per_client / 1024),
            "MiB/s",
            rounds_servers,
            &results,
        );
    }
    for clients in [1, 10] {
        let run = |server: &Server| connection_rate(server.address, clients);
        let results = measure(rounds_servers, rounds, &run);
        report(
            &format!("connect+16B {clients} clients"),
            "conn/s",
            rounds_servers,
            &results,
        );
    }
    if servers.iter().any(|s| s.slow) {
        println!(
            "note: socat sends 1/4 of the bytes per client at 100 clients (it is slow); MiB/s stay comparable"
        );
    }
    println!("bench took {:.1} s", began.elapsed().as_secs_f64());
}
