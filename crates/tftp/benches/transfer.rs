//! `cargo bench -p tftp`: our server and client against tftpd-hpa, atftpd, curl and atftp.
//!
//! A 64 MiB file in tmpfs is downloaded (and uploaded) over loopback with the server and
//! the client pinned to one CPU (`taskset -c 0`: on a 2-vCPU machine, unpinned runs
//! spread 2× with the scheduler's placement). Every case runs once per round, rounds
//! interleave the cases, and each case prints its median and spread in MiB/s, its ratio
//! to the best peer at the same block size, and the client's peak RSS. The whole client
//! process is timed (start, negotiation, transfer); the copy is compared afterwards.
//! Beside the rate, each case prints the CPU time both ends spent per block (user +
//! system, client and server together, from `/usr/bin/time` and `/proc/PID/stat`): a
//! figure a busy machine disturbs much less than the rate, as long as both ends are
//! pinned to one CPU and never wait for each other in vain.
//!
//! Two reference rows frame the figures, measured the same way. The *bare loop* does the
//! least any lock-step download does, with no protocol at all: one thread reads the file
//! and sends it block by block, the other receives, writes the copy and answers each
//! block with 4 bytes (connected sockets, no parsing, no timers). Every lock-step TFTP
//! transfer does all of that and more, so on the same machine it is their limit. The
//! *bare loop, no files* does the same without reading or writing files: the gap
//! between the two is the file's share of a transfer's time, which no protocol can win
//! back.
//!
//! The goal's own figure, lock-step against the bare loop, is measured once more after
//! the rounds, in pairs run back to back (`TFTP_BENCH_PAIRS`, default 9 per block size,
//! each pair in turn starting with one or the other): on a shared machine a slow minute
//! slows both runs of a pair, so the median of the pairs' ratios moves much less than a
//! ratio of two medians taken minutes apart.
//!
//! Environment: `TFTP_BENCH_MIB` (file size, default 64), `TFTP_BENCH_ROUNDS` (default 3),
//! `ATFTPD` (the atftpd binary; default /opt/atftpd/usr/sbin/atftpd), and
//! `TFTP_BENCH_BLKSIZES` (a comma-separated subset of 512,1468,8192,65464 to measure only
//! those block sizes, e.g. `TFTP_BENCH_BLKSIZES=65464 cargo bench -p tftp`). Missing peers
//! are noted and left out; without any peer the bench runs a small quick version.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use testkit::Running;

const OUR_BINARY: &str = env!("CARGO_BIN_EXE_tftp");
const BLOCK_SIZES: [u16; 4] = [512, 1468, 8192, 65464];
const WINDOWS: [u16; 3] = [4, 16, 64];
/// A run slower than this is stopped and counted as failed.
const RUN_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Server {
    Ours,
    InTftpd,
    Atftpd,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Client {
    Ours,
    Curl,
    Atftp,
    /// The bare lock-step loop, the file read and written (this bench, run again).
    BareLoop,
    /// The bare lock-step loop from memory to nowhere.
    BareNoFiles,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Way {
    Download,
    Upload,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Case {
    way: Way,
    blksize: u16,
    window: u16,
    client: Client,
    server: Server,
}

impl Client {
    /// The program's name, as it is run and printed.
    fn name(self) -> &'static str {
        match self {
            Client::Ours => "netlab",
            Client::Curl => "curl",
            Client::Atftp => "atftp",
            Client::BareLoop => "bare loop (the limit)",
            Client::BareNoFiles => "bare loop, no files",
        }
    }
}

impl Case {
    fn label(&self) -> String {
        if matches!(self.client, Client::BareLoop | Client::BareNoFiles) {
            return self.client.name().to_string();
        }
        let client = self.client.name();
        let server = match self.server {
            Server::Ours => "netlab",
            Server::InTftpd => "in.tftpd",
            Server::Atftpd => "atftpd",
        };
        let arrow = match self.way {
            Way::Download => "<-",
            Way::Upload => "->",
        };
        format!("{client} {arrow} {server}")
    }

    fn is_peer(&self) -> bool {
        matches!(self.client, Client::Curl | Client::Atftp) && self.server != Server::Ours
    }
}

struct Measure {
    rates: Vec<f64>,
    rss_kib: Vec<u64>,
    /// CPU time of both ends per block, in µs.
    cpu_per_block: Vec<f64>,
    failures: u32,
}

/// One run of a case: its time, the client's peak RSS and the CPU both ends used.
struct Run {
    seconds: f64,
    rss_kib: Option<u64>,
    cpu_seconds: Option<f64>,
}

/// Set (to the block size) when the bench runs itself as the bare loop; see [`bare_loop`].
const BARE_LOOP: &str = "TFTP_BENCH_BARE_LOOP";

fn main() {
    if let Ok(blksize) = std::env::var(BARE_LOOP) {
        let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
        let outcome = match (blksize.parse(), args.as_slice()) {
            (Ok(blksize), [source, copy]) => bare_loop(
                blksize,
                source,
                Some(copy.as_path()).filter(|c| c.as_os_str() != "-"),
            ),
            _ => Err(io::Error::other("usage: BLKSIZE SOURCE COPY|-")),
        };
        if let Err(error) = outcome {
            eprintln!("error: bare loop: {error}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us as a test: be quick.
    let as_test = !std::env::args().any(|arg| arg == "--bench");
    let env_number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let have = |tool: &str| testkit::find_tool(tool).is_some();
    let atftpd = std::env::var_os("ATFTPD")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/opt/atftpd/usr/sbin/atftpd")).filter(|p| p.exists()))
        .or_else(|| testkit::find_tool("atftpd"));
    let root_user = testkit::is_root();
    let peers_present = have("curl") || have("atftp");
    let quick = as_test || !peers_present;
    let mib = if quick {
        4
    } else {
        env_number("TFTP_BENCH_MIB", 64)
    };
    let rounds = if quick {
        1
    } else {
        env_number("TFTP_BENCH_ROUNDS", 3)
    };
    let pin = have("taskset");
    // Only some block sizes, when asked (a quicker run while working on one of them).
    let block_sizes: Vec<u16> = match std::env::var("TFTP_BENCH_BLKSIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|size| size.trim().parse().ok())
            .filter(|size| BLOCK_SIZES.contains(size))
            .collect(),
        Err(_) => BLOCK_SIZES.to_vec(),
    };
    println!(
        "tftp bench: {mib} MiB file, {rounds} round(s), {}",
        if pin {
            "both ends pinned to CPU 0 (taskset -c 0)"
        } else {
            "NOT pinned (taskset missing): expect a 2x spread"
        }
    );
    println!(
        "note: the machine may be shared; figures are only meaningful as ratios taken in one run"
    );
    if !peers_present {
        println!(
            "note: curl and atftp are missing (apt-get install curl atftp): only netlab is measured"
        );
    }
    let use_in_tftpd = have("in.tftpd") && root_user && !quick;
    let use_atftpd = atftpd.is_some() && root_user && !quick;
    if !use_in_tftpd {
        println!("note: in.tftpd left out (needs tftpd-hpa installed and root)");
    }
    if !use_atftpd {
        println!("note: atftpd left out (needs its binary, see ATFTPD, and root)");
    }

    let scratch = scratch_dir();
    let root = scratch.join("root");
    let out_dir = scratch.join("out");
    std::fs::create_dir_all(&root).expect("create bench root");
    std::fs::create_dir_all(&out_dir).expect("create bench out");
    let content = testkit::reproducible_bytes(mib as usize * 1024 * 1024, 0);
    std::fs::write(root.join("big.bin"), &content).expect("write bench file");
    std::fs::write(out_dir.join("up.bin"), &content).expect("write upload file");

    let mut servers: BTreeMap<Server, (SocketAddr, ServerProcess)> = BTreeMap::new();
    servers.insert(Server::Ours, start_ours(&root, pin));
    if use_in_tftpd {
        servers.insert(Server::InTftpd, start_in_tftpd(&root, pin));
    }
    if let (true, Some(atftpd)) = (use_atftpd, &atftpd) {
        servers.insert(Server::Atftpd, start_atftpd(atftpd, &root, pin));
    }

    let mut cases = Vec::new();
    for &blksize in &block_sizes {
        cases.push(Case {
            way: Way::Download,
            blksize,
            window: 1,
            client: Client::Ours,
            server: Server::Ours,
        });
        for window in WINDOWS {
            cases.push(Case {
                way: Way::Download,
                blksize,
                window,
                client: Client::Ours,
                server: Server::Ours,
            });
        }
        for client in [Client::BareLoop, Client::BareNoFiles] {
            cases.push(Case {
                way: Way::Download,
                blksize,
                window: 1,
                client,
                server: Server::Ours,
            });
        }
        for client in [Client::Curl, Client::Atftp] {
            if !have(client.name()) || quick {
                continue;
            }
            for server in servers.keys() {
                cases.push(Case {
                    way: Way::Download,
                    blksize,
                    window: 1,
                    client,
                    server: *server,
                });
            }
        }
    }
    for blksize in [1468, 65464] {
        if !block_sizes.contains(&blksize) {
            continue;
        }
        for window in [1, 16] {
            cases.push(Case {
                way: Way::Upload,
                blksize,
                window,
                client: Client::Ours,
                server: Server::Ours,
            });
        }
        for client in [Client::Curl, Client::Atftp] {
            if !have(client.name()) || quick {
                continue;
            }
            for server in servers.keys() {
                if *server == Server::Ours {
                    continue;
                }
                cases.push(Case {
                    way: Way::Upload,
                    blksize,
                    window: 1,
                    client,
                    server: *server,
                });
            }
        }
    }

    let mut results: BTreeMap<Case, Measure> = BTreeMap::new();
    let mut upload_counter = 0;
    for round in 0..rounds {
        eprintln!("round {}/{rounds}: {} cases", round + 1, cases.len());
        for case in &cases {
            let (addr, server) = &servers[&case.server];
            upload_counter += 1;
            // The bare loop runs without the server: only its own CPU time counts.
            let server_pid = match case.client {
                Client::BareLoop | Client::BareNoFiles => None,
                _ => Some(server.pid()),
            };
            let server_before = server_pid.and_then(cpu_seconds_of);
            let outcome = run_case(case, *addr, &root, &out_dir, pin, upload_counter, &content);
            let server_cpu = match (server_pid.and_then(cpu_seconds_of), server_before) {
                (Some(after), Some(before)) => Some(after - before),
                _ if server_pid.is_none() => Some(0.0),
                _ => None,
            };
            let entry = results.entry(*case).or_insert(Measure {
                rates: Vec::new(),
                rss_kib: Vec::new(),
                cpu_per_block: Vec::new(),
                failures: 0,
            });
            match outcome {
                Some(run) => {
                    entry.rates.push(mib as f64 / run.seconds);
                    if let Some(rss) = run.rss_kib {
                        entry.rss_kib.push(rss);
                    }
                    if let (Some(client), Some(server)) = (run.cpu_seconds, server_cpu) {
                        let blocks = (mib * 1024 * 1024 / u64::from(case.blksize) + 1) as f64;
                        entry.cpu_per_block.push((client + server) * 1e6 / blocks);
                    }
                }
                None => entry.failures += 1,
            }
        }
    }

    // The goal's figure, lock-step against the bare loop, in pairs run back to back (in
    // turn first and second): a busy machine's slow minutes then slow both alike.
    let pairs = if quick {
        0
    } else {
        env_number("TFTP_BENCH_PAIRS", 9)
    };
    let mut paired: BTreeMap<u16, Vec<f64>> = BTreeMap::new();
    if pairs > 0 {
        eprintln!("lock-step against the bare loop: {pairs} pairs per block size");
    }
    for &blksize in &block_sizes {
        let ours = Case {
            way: Way::Download,
            blksize,
            window: 1,
            client: Client::Ours,
            server: Server::Ours,
        };
        let bare = Case {
            client: Client::BareLoop,
            ..ours
        };
        let (addr, _) = &servers[&Server::Ours];
        for pair in 0..pairs {
            let order = if pair % 2 == 0 {
                [ours, bare]
            } else {
                [bare, ours]
            };
            let mut seconds = BTreeMap::new();
            for case in order {
                upload_counter += 1;
                if let Some(run) =
                    run_case(&case, *addr, &root, &out_dir, pin, upload_counter, &content)
                {
                    seconds.insert(case.client, run.seconds);
                }
            }
            if let (Some(ours), Some(bare)) =
                (seconds.get(&Client::Ours), seconds.get(&Client::BareLoop))
            {
                paired.entry(blksize).or_default().push(bare / ours);
            }
        }
    }

    print_table(&results, &paired);
    for (server, (_, process)) in &servers {
        if let Some(kib) = process.peak_rss_kib() {
            println!("server {server:?}: peak RSS {:.1} MB", kib as f64 / 1024.0);
        }
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&scratch);
}

fn scratch_dir() -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("netlab-tftp-bench-{}", std::process::id()))
}

/// A peer server we started (killed on drop), or ours.
enum ServerProcess {
    /// Our server: kept alive here, killed on drop.
    Running {
        _process: Running,
        pid: u32,
    },
    Child(Child),
}

impl ServerProcess {
    fn pid(&self) -> u32 {
        match self {
            ServerProcess::Running { pid, .. } => *pid,
            ServerProcess::Child(child) => child.id(),
        }
    }

    fn peak_rss_kib(&self) -> Option<u64> {
        // The pinned server runs under taskset, which execs it: same pid.
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let ServerProcess::Child(child) = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The CPU time (user + system, its waited-for children included) process `pid` has
/// used so far, in seconds, from `/proc/PID/stat` (in clock ticks of 1/100 s).
fn cpu_seconds_of(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name in parentheses (which may hold spaces):
    // state is field 3, utime, stime, cutime and cstime are fields 14 to 17.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .map(|field| field.parse::<u64>().ok())
        .sum::<Option<u64>>()?;
    Some(ticks as f64 / 100.0)
}

fn pinned(pin: bool, program: &str) -> Command {
    if pin {
        let mut command = Command::new("taskset");
        command.args(["-c", "0", program]);
        command
    } else {
        Command::new(program)
    }
}

fn start_ours(root: &Path, pin: bool) -> (SocketAddr, ServerProcess) {
    let mut command = pinned(pin, OUR_BINARY);
    command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--allow-write",
            "--overwrite",
        ])
        .args(["--max-windowsize", "64", "--root"])
        .arg(root);
    let running = Running::server(command);
    let addr = running.addr();
    let pid = find_pid_listening(addr).unwrap_or(0);
    (
        addr,
        ServerProcess::Running {
            _process: running,
            pid,
        },
    )
}

/// The pid of the process holding UDP `addr` (for its peak RSS), via /proc.
fn find_pid_listening(addr: SocketAddr) -> Option<u32> {
    let port_hex = format!("{:04X}", addr.port());
    let table = std::fs::read_to_string("/proc/net/udp").ok()?;
    let inode = table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local = fields.get(1)?;
        local
            .ends_with(&format!(":{port_hex}"))
            .then(|| fields.get(9).map(|s| s.to_string()))?
    })?;
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path())
                .map(|link| link.to_string_lossy() == wanted)
                .unwrap_or(false)
            {
                return Some(pid);
            }
        }
    }
    None
}

fn start_in_tftpd(root: &Path, pin: bool) -> (SocketAddr, ServerProcess) {
    let port = testkit::free_port();
    let mut command = pinned(pin, "in.tftpd");
    command
        .args(["-L", "-s", "-c", "-u", "root", "-a"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = command.spawn().expect("start in.tftpd");
    wait_for_server(port);
    (([127, 0, 0, 1], port).into(), ServerProcess::Child(child))
}

fn start_atftpd(binary: &Path, root: &Path, pin: bool) -> (SocketAddr, ServerProcess) {
    let port = testkit::free_port();
    let mut command = pinned(pin, &binary.to_string_lossy());
    command
        .args(["--daemon", "--no-fork", "--port", &port.to_string()])
        .args(["--bind-address", "127.0.0.1", "--user", "root.root"])
        .args(["--logfile", "/dev/null", "--maxthread", "100"])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = command.spawn().expect("start atftpd");
    wait_for_server(port);
    (([127, 0, 0, 1], port).into(), ServerProcess::Child(child))
}

fn wait_for_server(port: u16) {
    let probe = UdpSocket::bind("127.0.0.1:0").expect("bind probe");
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("probe timeout");
    let request = b"\x00\x01netlab-probe-missing\x00octet\x00";
    let mut buffer = [0u8; 1024];
    testkit::poll_until("a peer TFTP server to answer", testkit::DEADLINE, || {
        probe.send_to(request, ("127.0.0.1", port)).ok()?;
        probe.recv_from(&mut buffer).ok().map(|_| ())
    });
}

/// Runs one client process; None on failure.
fn run_case(
    case: &Case,
    addr: SocketAddr,
    root: &Path,
    out_dir: &Path,
    pin: bool,
    counter: u32,
    content: &[u8],
) -> Option<Run> {
    let host = "127.0.0.1";
    let port = addr.port().to_string();
    let blksize = case.blksize.to_string();
    let local_copy = out_dir.join("copy.bin");
    let local_up = out_dir.join("up.bin");
    let remote_up = format!("up-{counter}.bin");
    let _ = std::fs::remove_file(&local_copy);
    let time = Path::new("/usr/bin/time").exists();
    let mut command = if time {
        let mut command = pinned(pin, "/usr/bin/time");
        command.args(["-f", "%M %U %S"]);
        command
    } else {
        Command::new(if pin { "taskset" } else { "env" })
    };
    if !time && pin {
        command.args(["-c", "0"]);
    }
    match (case.client, case.way) {
        (Client::Ours, way) => {
            command.arg(OUR_BINARY);
            match way {
                Way::Download => command
                    .args(["get", &addr.to_string(), "big.bin", "-o"])
                    .arg(&local_copy),
                Way::Upload => command
                    .args(["put", &addr.to_string()])
                    .arg(&local_up)
                    .arg(&remote_up),
            };
            command.args(["--blksize", &blksize, "--linger", "0"]);
            if case.window > 1 {
                command.args(["--windowsize", &case.window.to_string()]);
            }
        }
        (Client::Curl, Way::Download) => {
            command
                .args(["curl", "-sS", "--tftp-blksize", &blksize])
                .arg(format!("tftp://{addr}/big.bin"))
                .arg("-o")
                .arg(&local_copy);
        }
        (Client::Curl, Way::Upload) => {
            command
                .args(["curl", "-sS", "--tftp-blksize", &blksize, "-T"])
                .arg(&local_up)
                .arg(format!("tftp://{addr}/{remote_up}"));
        }
        (bare @ (Client::BareLoop | Client::BareNoFiles), _) => {
            command
                .env(BARE_LOOP, &blksize)
                .arg(std::env::current_exe().expect("the bench's own path"))
                .arg(root.join("big.bin"));
            if bare == Client::BareLoop {
                command.arg(&local_copy);
            } else {
                command.arg("-");
            }
        }
        (Client::Atftp, way) => {
            command.args(["atftp", "--option", &format!("blksize {blksize}")]);
            match way {
                Way::Download => command.args(["-g", "-r", "big.bin", "-l"]).arg(&local_copy),
                Way::Upload => command.args(["-p", "-r", &remote_up, "-l"]).arg(&local_up),
            };
            command.args([host, &port]);
        }
    }
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().ok()?;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            eprintln!(
                "  {} blksize {} ws {}: stopped after {RUN_LIMIT:?}",
                case.label(),
                case.blksize,
                case.window
            );
            return None;
        }
        std::thread::sleep(Duration::from_micros(500));
    };
    let seconds = started.elapsed().as_secs_f64();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    if !status.success() {
        eprintln!(
            "  {} blksize {} failed: {}",
            case.label(),
            case.blksize,
            stderr.trim()
        );
        return None;
    }
    // /usr/bin/time's line: peak RSS in KiB, user and system seconds.
    let timed: Vec<f64> = stderr
        .lines()
        .last()
        .map(|line| {
            line.split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let (rss_kib, cpu_seconds) = match timed.as_slice() {
        [rss, user, system] => (Some(*rss as u64), Some(user + system)),
        _ => (None, None),
    };
    // Check the copy, untimed.
    let copy = match case.way {
        Way::Download => local_copy,
        Way::Upload => root.join(&remote_up),
    };
    let same = case.client == Client::BareNoFiles
        || std::fs::read(&copy)
            .map(|bytes| bytes == content)
            .unwrap_or(false);
    if case.way == Way::Upload {
        let _ = std::fs::remove_file(&copy);
    }
    if !same {
        eprintln!(
            "  {} blksize {}: the copy differs",
            case.label(),
            case.blksize
        );
        return None;
    }
    Some(Run {
        seconds,
        rss_kib,
        cpu_seconds,
    })
}

/// The least work any lock-step download does, with no protocol: one thread reads
/// `source` and sends it in datagrams of a 4-byte header and `blksize` bytes (the last
/// shorter), waiting for a 4-byte answer after each; the other receives, writes `copy`
/// and answers. Without `copy`, nothing is read or written: the same datagrams go from
/// memory to nowhere. Sockets are connected, and every receive has a timeout. Small
/// blocks are read and written through 64 KiB buffers, as our transfers do
/// ([`tftp::buffers::file_buffer_size`]): one read per block would cost more.
fn bare_loop(blksize: u16, source: &Path, copy: Option<&Path>) -> io::Result<()> {
    let buffered = tftp::buffers::file_buffer_size(blksize);
    let blksize = usize::from(blksize);
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    sender.connect(receiver.local_addr()?)?;
    receiver.connect(sender.local_addr()?)?;
    for socket in [&sender, &receiver] {
        socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    }
    let size = std::fs::metadata(source)?.len();
    let mut output = copy
        .map(File::create)
        .transpose()?
        .map(|file| io::BufWriter::with_capacity(buffered, file));
    let receiving = std::thread::spawn(move || -> io::Result<()> {
        let mut datagram = vec![0u8; blksize + 4];
        loop {
            let len = receiver.recv(&mut datagram)?;
            if let Some(output) = &mut output {
                output.write_all(&datagram[4..len])?;
            }
            receiver.send(&datagram[..4])?;
            if len < blksize + 4 {
                return match &mut output {
                    Some(output) => output.flush(),
                    None => Ok(()),
                };
            }
        }
    });
    let mut input = match copy {
        Some(_) => Some(io::BufReader::with_capacity(buffered, File::open(source)?)),
        None => None,
    };
    let mut packet = vec![0u8; blksize + 4];
    let mut answer = [0u8; 4];
    let mut left = size;
    let mut block: u16 = 0;
    loop {
        block = block.wrapping_add(1);
        packet[..2].copy_from_slice(&3u16.to_be_bytes());
        packet[2..4].copy_from_slice(&block.to_be_bytes());
        let len = match &mut input {
            Some(file) => {
                let mut filled = 0;
                while filled < blksize {
                    match file.read(&mut packet[4 + filled..])? {
                        0 => break,
                        n => filled += n,
                    }
                }
                filled
            }
            None => left.min(blksize as u64) as usize,
        };
        left = left.saturating_sub(len as u64);
        sender.send(&packet[..4 + len])?;
        sender.recv(&mut answer)?;
        if len < blksize {
            break;
        }
    }
    receiving
        .join()
        .map_err(|_| io::Error::other("the receiving thread panicked"))?
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[sorted.len() / 2]
}

fn print_table(results: &BTreeMap<Case, Measure>, paired: &BTreeMap<u16, Vec<f64>>) {
    // The best peer pair per direction and block size, by median.
    let mut best_peer: BTreeMap<(Way, u16), (f64, String)> = BTreeMap::new();
    for (case, measure) in results {
        if case.is_peer() && !measure.rates.is_empty() && measure.failures == 0 {
            let rate = median(&measure.rates);
            let entry = best_peer
                .entry((case.way, case.blksize))
                .or_insert((0.0, String::new()));
            if rate > entry.0 {
                *entry = (rate, case.label());
            }
        }
    }
    println!();
    println!(
        "| way | blksize | window | client <- server | MiB/s median | spread | vs best peer | CPU µs/block | client peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (case, measure) in results {
        let way = match case.way {
            Way::Download => "download",
            Way::Upload => "upload",
        };
        let (rate, spread) = if measure.rates.is_empty() {
            ("failed".to_string(), String::new())
        } else {
            let min = measure.rates.iter().cloned().fold(f64::MAX, f64::min);
            let max = measure.rates.iter().cloned().fold(0.0, f64::max);
            (
                format!("{:.1}", median(&measure.rates)),
                format!("{min:.0}–{max:.0}"),
            )
        };
        let failures = if measure.failures > 0 {
            format!(" ({} failed)", measure.failures)
        } else {
            String::new()
        };
        let ratio = match best_peer.get(&(case.way, case.blksize)) {
            Some((best, _)) if !measure.rates.is_empty() && *best > 0.0 => {
                format!("{:.2}×", median(&measure.rates) / best)
            }
            _ => "–".to_string(),
        };
        let rss = if measure.rss_kib.is_empty() {
            "–".to_string()
        } else {
            let peak = measure.rss_kib.iter().max().copied().unwrap_or(0);
            format!("{:.1} MB", peak as f64 / 1024.0)
        };
        let cpu = if measure.cpu_per_block.is_empty() {
            "–".to_string()
        } else {
            format!("{:.2}", median(&measure.cpu_per_block))
        };
        println!(
            "| {way} | {} | {} | {} | {rate}{failures} | {spread} | {ratio} | {cpu} | {rss} |",
            case.blksize,
            case.window,
            case.label()
        );
    }
    println!();
    for ((way, blksize), (rate, label)) in &best_peer {
        println!("best peer, {way:?} at blksize {blksize}: {label}, {rate:.1} MiB/s");
    }
    // The goal: lock-step at least 95% of the bare loop, at every block size.
    for (case, measure) in results {
        let lock_step = case.way == Way::Download
            && case.window == 1
            && case.client == Client::Ours
            && case.server == Server::Ours;
        let bare = Case {
            client: Client::BareLoop,
            ..*case
        };
        let Some(limit) = results.get(&bare).filter(|_| lock_step) else {
            continue;
        };
        if measure.rates.is_empty() || limit.rates.is_empty() {
            continue;
        }
        let cpu = if measure.cpu_per_block.is_empty() || limit.cpu_per_block.is_empty() {
            String::new()
        } else {
            format!(
                ", {:.0}% of its CPU time per block",
                100.0 * median(&measure.cpu_per_block) / median(&limit.cpu_per_block)
            )
        };
        let pairs = match paired.get(&case.blksize) {
            Some(ratios) if !ratios.is_empty() => {
                let mut sorted = ratios.clone();
                sorted.sort_by(|a, b| a.total_cmp(b));
                format!(
                    "; in {} pairs run back to back: {:.0}% (median; quartiles {:.0}–{:.0}%)",
                    sorted.len(),
                    100.0 * median(&sorted),
                    100.0 * sorted[sorted.len() / 4],
                    100.0 * sorted[(3 * sorted.len()) / 4],
                )
            }
            _ => String::new(),
        };
        println!(
            "lock-step at blksize {}: {:.0}% of the bare loop's rate{cpu}{pairs}",
            case.blksize,
            100.0 * median(&measure.rates) / median(&limit.rates)
        );
    }
    println!(
        "bare loop: the least any lock-step download does (read, send, receive, write, answer), with no protocol: every lock-step transfer does this and more"
    );
    println!("bare loop, no files: the same loop without reading or writing files");
    println!(
        "CPU µs/block: user + system time of client and server together per block (median), counted in 10 ms ticks, so coarse where a run takes little CPU (at blksize 65464 one tick is about 10 µs per block); a server that forks per transfer (in.tftpd) may be under-counted"
    );
}
