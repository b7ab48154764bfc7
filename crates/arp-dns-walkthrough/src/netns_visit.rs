//! The notes' visit of a web page on real wires (Linux, root): `visit --netns`.
//!
//! The lesson 5 network is built from network namespaces, each one a separate network
//! stack (its own interfaces, addresses, routes and ARP cache) inside this one machine,
//! joined by veth pairs (virtual cables):
//!
//! ```text
//! host    eth0 192.168.1.10/24 (02:00:00:00:01:0a), default gateway 192.168.1.1
//!          │
//! switch  port1 ── bridge br0 ── port2
//!                                 │
//! router                         lan0 192.168.1.1/24 (02:00:00:00:01:01), ip_forward=1
//!                                dns0 192.0.2.1/24 ───── dns  eth0 192.0.2.53/24, dnsmasq
//!                                web0 198.51.100.1/24 ── web  eth0 198.51.100.10/24, our HTTP/1.0 responder
//! ```
//!
//! The namespaces are named `nl5-PID-host`, `-switch`, `-router`, `-dns` and `-web`
//! (PID: this process; `NETLAB_NS_PREFIX` replaces `nl5-PID`), so two runs never
//! collide, and every one of them is removed at the end, also after an error or
//! Ctrl-C (the `Drop` of `Lab`).
//!
//! Then tcpdump captures on the host's `eth0`, the host's ARP cache is emptied, and
//! the host makes the notes' whole walk: its first packet makes the kernel ARP for the
//! gateway, our resolver ([`crate::dns::resolve`]) asks the DNS server, then a TCP
//! connection to the web server carries `GET /` and the page, and the server closes.
//! tcpdump is stopped, the capture is read back (the file by the course's capture
//! reader, [`ladder::capture`], each frame by this crate's parsers in
//! [`crate::capture_walk`]), and drawn as a ladder ([`capture_walk::walk_ladder`]).
//!
//! The host's side runs in this process: a thread enters a namespace with `setns(2)`
//! (a network namespace belongs to each thread), and every socket it opens belongs to
//! that namespace. dnsmasq and tcpdump run under `ip netns exec`.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use crate::capture_walk::{self, WalkFrame, WalkLadder};
use crate::dns::RecordType;
use crate::dns::resolve::{ResolveError, ResolveOptions};
use crate::ethernet::MacAddr;
use crate::http_responder::{self, HttpError, Served};
use crate::simulate::{DNS_SERVER, GATEWAY_IP, GATEWAY_MAC, HOST_IP, HOST_MAC, WEB_SERVER};
use crate::visit::{self, VisitError};
use say::Explain;

/// The page the walk visits when no URL is given (`.test` is reserved for testing,
/// RFC 2606, so the name can never mean a real server).
pub const DEFAULT_URL: &str = "http://www.netlab.test/";

/// The router's side of the DNS server's network, and of the web server's.
pub const ROUTER_DNS_SIDE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const ROUTER_WEB_SIDE: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
const DNS_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x02, 0x35]);
const ROUTER_DNS_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x02, 0x01]);
const WEB_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x03, 0x0a]);
const ROUTER_WEB_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x03, 0x01]);

/// The namespaces of the lab, by role.
pub const ROLES: [&str; 5] = ["host", "switch", "router", "dns", "web"];

/// The longest the lab waits for a tool's readiness line (dnsmasq, tcpdump): they
/// start in milliseconds; this only bounds a broken start.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest capture read back: the walk is a few kilobytes; a bigger file means
/// something else was captured too, and is not read into memory whole.
const MAX_CAPTURE_LEN: u64 = 16 * 1024 * 1024;

/// What to visit, where to keep the capture, and how to stop.
#[derive(Debug, Clone)]
pub struct NetnsVisitOptions {
    /// `http://NAME[:PORT]/PATH`; NAME gets an address record on the DNS server.
    pub url: String,
    /// Where tcpdump writes the capture (it stays there afterwards).
    pub capture: PathBuf,
    /// The longest each exchange (DNS, connect, each read) may take.
    pub timeout: Duration,
    /// The namespaces' name prefix ([`default_prefix`]).
    pub prefix: String,
    /// Set (by a Ctrl-C handler) to stop early; everything is still removed.
    pub stop: Arc<AtomicBool>,
}

/// `nl5-PID`, or `NETLAB_NS_PREFIX` when set (as `lab/router-lab.sh` does).
pub fn default_prefix() -> String {
    match std::env::var("NETLAB_NS_PREFIX") {
        Ok(prefix) if !prefix.is_empty() => prefix,
        _ => format!("nl5-{}", std::process::id()),
    }
}

/// What the visit saw.
#[derive(Debug, Clone)]
pub struct WireVisit {
    /// The capture file tcpdump wrote on the host's interface.
    pub capture: PathBuf,
    /// Its frames, decoded and labelled with the notes' steps.
    pub frames: Vec<WalkFrame>,
    /// The same frames as a ladder diagram (`host`, `gateway`, `DNS server`, `web
    /// server`), for `ladder::draw::terminal` or `ladder::draw::mermaid`.
    pub ladder: WalkLadder,
    /// The address DNS gave for the name.
    pub address: Ipv4Addr,
    /// The first line of the web server's response.
    pub status_line: String,
}

impl WireVisit {
    /// The capture of the walk, for whatever reads it next (a ladder diagram, say).
    pub fn capture_path(&self) -> &Path {
        &self.capture
    }
}

/// Why the visit on real wires stopped.
#[derive(Debug)]
pub enum NetnsError {
    /// Namespaces, veths and captures need root.
    NotRoot,
    /// A program the lab runs is not installed.
    MissingTool {
        tool: &'static str,
        package: &'static str,
    },
    /// The URL is not usable (bad input).
    Url(VisitError),
    /// The URL names an address, so there would be no DNS step.
    AddressInUrl { url: String },
    /// An `ip` command (or another helper program) failed.
    Command { command: String, output: String },
    /// A system call failed; `doing` says which.
    Io { doing: String, source: io::Error },
    /// A tool did not print its readiness line in time.
    NotReady { tool: String, output: String },
    /// Ctrl-C (or SIGTERM) arrived.
    Interrupted,
    /// The host could not resolve the name.
    Dns(ResolveError),
    /// DNS answered without an IPv4 address.
    NoAddress { name: String },
    /// The web exchange failed on the host's side.
    Web { doing: String, source: io::Error },
    /// The web server's side failed.
    Server(HttpError),
    /// The capture could not be read back.
    Capture(String),
    /// The capture misses a step of the walk.
    StepMissing(String),
    /// A thread of the lab stopped with a panic (a bug: please report it).
    ThreadPanicked(&'static str),
}

impl fmt::Display for NetnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetnsError::NotRoot => write!(
                f,
                "visit --netns builds network namespaces and captures with tcpdump, which needs root"
            ),
            NetnsError::MissingTool { tool, package } => {
                write!(
                    f,
                    "visit --netns runs {tool}, which is not installed ({package})"
                )
            }
            NetnsError::Url(error) => write!(f, "{error}"),
            NetnsError::AddressInUrl { url } => write!(
                f,
                "{url}: give a name, not an address: the walk's DNS step needs one to look up"
            ),
            NetnsError::Command { command, output } => {
                write!(f, "`{command}` failed: {}", output.trim())
            }
            NetnsError::Io { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            NetnsError::NotReady { tool, output } => write!(
                f,
                "{tool} did not say it was ready within {} s: {}",
                START_TIMEOUT.as_secs(),
                output.trim()
            ),
            NetnsError::Interrupted => write!(f, "interrupted; the lab's namespaces are removed"),
            NetnsError::Dns(error) => write!(f, "DNS from the host: {error}"),
            NetnsError::NoAddress { name } => write!(f, "DNS gave no IPv4 address for {name}"),
            NetnsError::Web { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            NetnsError::Server(error) => write!(f, "the web server: {error}"),
            NetnsError::Capture(error) => write!(f, "reading the capture: {error}"),
            NetnsError::StepMissing(what) => write!(f, "{what}"),
            NetnsError::ThreadPanicked(which) => {
                write!(f, "{which} stopped with a panic, a bug in this program")
            }
        }
    }
}

impl std::error::Error for NetnsError {}

impl Explain for NetnsError {
    /// A `hint:` line for the common causes.
    fn hint(&self) -> Option<String> {
        match self {
            NetnsError::NotRoot => Some(
                "needs root: sudo ./target/debug/arp-dns-walkthrough visit --netns (build it first as yourself: cargo build -q -p arp-dns-walkthrough)"
                    .into(),
            ),
            NetnsError::MissingTool { package, .. } => {
                Some(format!("install it: sudo apt-get install {package}"))
            }
            NetnsError::Interrupted => None,
            NetnsError::StepMissing(_) => Some(
                "open the capture in Wireshark (or tcpdump -r FILE -n) to see what happened"
                    .into(),
            ),
            _ => None,
        }
    }

    /// Bad input (exit 2) rather than a failure at run time (exit 1).
    fn exit_code(&self) -> u8 {
        match self {
            NetnsError::Url(error) => error.exit_code(),
            NetnsError::AddressInUrl { .. } => 2,
            _ => 1,
        }
    }

    /// Our output was closed (`visit --netns | head`): not a failure of the visit.
    fn is_closed_pipe(&self) -> bool {
        match self {
            NetnsError::Io { source, .. } => say::is_closed_pipe(source),
            _ => false,
        }
    }
}

fn io_error(doing: impl Into<String>) -> impl FnOnce(io::Error) -> NetnsError {
    let doing = doing.into();
    move |source| NetnsError::Io { doing, source }
}

fn write_error(source: io::Error) -> NetnsError {
    NetnsError::Io {
        doing: "writing the output".into(),
        source,
    }
}

/// The programs the lab runs, with the Debian package of each.
const TOOLS: [(&str, &str); 3] = [
    ("ip", "iproute2"),
    ("dnsmasq", "dnsmasq"),
    ("tcpdump", "tcpdump"),
];

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// The namespaces and processes of one run. Dropping it stops the processes and
/// deletes the namespaces (which takes their veths and bridge with them), whatever
/// happened before.
struct Lab {
    prefix: String,
    namespaces: Vec<String>,
    children: Vec<(String, Child)>,
}

impl Lab {
    fn name(&self, role: &str) -> String {
        format!("{}-{role}", self.prefix)
    }

    /// Runs `ip ARGS` and checks that it worked.
    fn ip(&self, args: &[&str]) -> Result<(), NetnsError> {
        run_checked(Command::new("ip").args(args))
    }

    fn add_namespace(&mut self, role: &str) -> Result<String, NetnsError> {
        let name = self.name(role);
        self.ip(&["netns", "add", &name])?;
        // Recorded once it exists, so the clean-up deletes exactly what we made.
        self.namespaces.push(name.clone());
        self.ip(&["-n", &name, "link", "set", "lo", "up"])?;
        // No IPv6: its router and neighbour solicitations would crowd the capture.
        let kernel_settings = [
            ("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1"),
            ("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"),
        ];
        in_namespace(&name, move || write_settings(&kernel_settings))??;
        Ok(name)
    }

    /// A veth pair: `left` in namespace `left_ns`, `right` in `right_ns`.
    fn cable(
        &self,
        (left_ns, left, left_mac): (&str, &str, Option<MacAddr>),
        (right_ns, right, right_mac): (&str, &str, Option<MacAddr>),
    ) -> Result<(), NetnsError> {
        let mut args = vec![
            "link".to_string(),
            "add".into(),
            left.into(),
            "netns".into(),
            left_ns.into(),
        ];
        if let Some(mac) = left_mac {
            args.extend(["address".into(), mac.to_string()]);
        }
        args.extend([
            "type".into(),
            "veth".into(),
            "peer".into(),
            "name".into(),
            right.into(),
            "netns".into(),
            right_ns.into(),
        ]);
        if let Some(mac) = right_mac {
            args.extend(["address".into(), mac.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.ip(&args)?;
        self.ip(&["-n", left_ns, "link", "set", left, "up"])?;
        self.ip(&["-n", right_ns, "link", "set", right, "up"])
    }

    /// Starts `command` and keeps it, so the clean-up stops it.
    fn spawn(&mut self, what: &str, command: &mut Command) -> Result<&mut Child, NetnsError> {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .map_err(io_error(format!("starting {what}")))?;
        self.children.push((what.to_string(), child));
        let last = self.children.len() - 1;
        Ok(&mut self.children[last].1)
    }

    /// Stops every process and deletes every namespace; returns the names deleted.
    fn remove(&mut self) -> Vec<String> {
        for (_, child) in &mut self.children {
            // SIGTERM lets dnsmasq and tcpdump exit cleanly; a process already gone
            // (Ctrl-C reaches the whole process group) just reports an error here.
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_child(child),
                rustix::process::Signal::TERM,
            );
        }
        for (_, mut child) in self.children.drain(..) {
            if wait_with_deadline(&mut child, Duration::from_secs(3)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let mut removed = Vec::new();
        for name in self.namespaces.drain(..) {
            if run_checked(Command::new("ip").args(["netns", "del", &name])).is_ok() {
                removed.push(name);
            }
        }
        removed
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Runs a command to its end; a failure carries what it printed.
fn run_checked(command: &mut Command) -> Result<(), NetnsError> {
    let text = format!("{command:?}").replace('"', "");
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("running {text}")))?;
    if output.status.success() {
        return Ok(());
    }
    Err(NetnsError::Command {
        command: text,
        output: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Waits for `child` to exit, at most `limit`; `None` when it is still running.
fn wait_with_deadline(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

fn write_settings(settings: &[(&str, &str)]) -> Result<(), NetnsError> {
    for (path, value) in settings {
        std::fs::write(path, value).map_err(io_error(format!("writing {value} to {path}")))?;
    }
    Ok(())
}

/// Runs `work` on a new thread that has entered network namespace `name` (setns(2)
/// on `/run/netns/NAME`, which `ip netns add` made), and waits for it.
fn in_namespace<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, NetnsError> {
    spawn_in_namespace(name, work)
        .join()
        .unwrap_or(Err(NetnsError::ThreadPanicked("a lab thread")))
}

/// Like [`in_namespace`], without waiting.
fn spawn_in_namespace<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> thread::JoinHandle<Result<T, NetnsError>> {
    let path = format!("/run/netns/{name}");
    thread::spawn(move || {
        let namespace = File::open(&path).map_err(io_error(format!("opening {path}")))?;
        rustix::thread::move_into_link_name_space(
            namespace.as_fd(),
            Some(rustix::thread::LinkNameSpaceType::Network),
        )
        .map_err(|error| NetnsError::Io {
            doing: format!("entering {path} (setns)"),
            source: error.into(),
        })?;
        Ok(work())
    })
}

/// Sends each line `reader` gives to a channel, so a caller can wait for one with a
/// deadline.
fn lines_of(reader: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Waits until a line containing `needle` arrives, for at most `limit`, watching the
/// stop flag; returns the lines seen.
fn wait_for_line(
    tool: &str,
    lines: &Receiver<String>,
    needle: &str,
    limit: Duration,
    stop: &AtomicBool,
) -> Result<Vec<String>, NetnsError> {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(NetnsError::Interrupted);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NetnsError::NotReady {
                tool: tool.into(),
                output: seen.join("\n"),
            });
        }
        match lines.recv_timeout(left.min(Duration::from_millis(100))) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return Ok(seen);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(NetnsError::NotReady {
                    tool: format!("{tool} (it exited)"),
                    output: seen.join("\n"),
                });
            }
        }
    }
}

fn check_stop(stop: &AtomicBool) -> Result<(), NetnsError> {
    if stop.load(Ordering::SeqCst) {
        Err(NetnsError::Interrupted)
    } else {
        Ok(())
    }
}

/// What the host got from its walk.
struct HostWalk {
    address: Ipv4Addr,
    local: SocketAddr,
    status_line: String,
    response_len: usize,
}

/// Builds the lab, makes the walk, reads the capture back, removes the lab. Progress
/// and the labelled capture are written to `out`; the capture stays at
/// `options.capture` ([`WireVisit::capture_path`]).
pub fn visit_on_wires(
    options: &NetnsVisitOptions,
    out: &mut dyn Write,
) -> Result<WireVisit, NetnsError> {
    let url = visit::parse_url(&options.url).map_err(NetnsError::Url)?;
    if url.host.parse::<Ipv4Addr>().is_ok() {
        return Err(NetnsError::AddressInUrl {
            url: options.url.clone(),
        });
    }
    if !rustix::process::geteuid().is_root() {
        return Err(NetnsError::NotRoot);
    }
    for (tool, package) in TOOLS {
        if !on_path(tool) {
            return Err(NetnsError::MissingTool { tool, package });
        }
    }
    meet_the_exercises_first();
    let stop = &*options.stop;
    let timeout = options.timeout;
    let capture = options.capture.clone();
    let mut lab = Lab {
        prefix: options.prefix.clone(),
        namespaces: Vec::new(),
        children: Vec::new(),
    };

    writeln!(
        out,
        "building the lesson 5 network from network namespaces ({}-*):",
        lab.prefix
    )
    .map_err(write_error)?;
    let names = build_network(&mut lab, stop)?;
    writeln!(
        out,
        "  host    {HOST_IP}/24 on eth0 ({HOST_MAC}), default gateway {GATEWAY_IP}"
    )
    .map_err(write_error)?;
    writeln!(
        out,
        "  switch  bridge br0: port1 to the host, port2 to the router"
    )
    .map_err(write_error)?;
    writeln!(
        out,
        "  router  lan0 {GATEWAY_IP} ({GATEWAY_MAC}) | dns0 {ROUTER_DNS_SIDE} | web0 {ROUTER_WEB_SIDE}, ip_forward=1"
    )
    .map_err(write_error)?;
    start_dns_server(&mut lab, &names.dns, &url.host, stop)?;
    writeln!(
        out,
        "  dns     {DNS_SERVER}:53, dnsmasq: {} has address {WEB_SERVER}",
        url.host
    )
    .map_err(write_error)?;
    let web_address = SocketAddrV4::new(WEB_SERVER, url.port);
    let web_server = start_web_server(&names.web, web_address, timeout)?;
    writeln!(
        out,
        "  web     {web_address}, our HTTP/1.0 responder (one GET /)"
    )
    .map_err(write_error)?;

    let tcpdump = start_tcpdump(&mut lab, &names.host, &capture, stop)?;
    writeln!(
        out,
        "tcpdump listening on the host's eth0, writing {}",
        capture.display()
    )
    .map_err(write_error)?;

    // An empty ARP cache, as in the notes: the host knows no MAC yet.
    lab.ip(&["-n", &names.host, "neigh", "flush", "all"])?;
    writeln!(
        out,
        "the host's ARP cache is empty (ip neigh flush all): its first packet must ask for the gateway's MAC"
    )
    .map_err(write_error)?;

    // The walk, from a thread in the host's namespace.
    check_stop(stop)?;
    let name = url.host.clone();
    let request = http_responder::request(&url.host, &url.path);
    let port = url.port;
    let walked = spawn_in_namespace(&names.host, move || walk(&name, port, &request, timeout))
        .join()
        .unwrap_or(Err(NetnsError::ThreadPanicked("the host's thread")))??;
    let served = web_server
        .join()
        .unwrap_or(Err(NetnsError::ThreadPanicked("the web server's thread")))?;
    if let Some(Err(error)) = served {
        return Err(NetnsError::Server(error));
    }
    writeln!(
        out,
        "the walk: {} has address {}; {} connected to {}:{port}; {}, {} bytes; the server closed, then the host",
        url.host, walked.address, walked.local, walked.address, walked.status_line, walked.response_len
    )
    .map_err(write_error)?;

    wait_for_close(&capture, timeout, stop)?;
    let counts = stop_tcpdump(&mut lab, tcpdump);
    writeln!(out, "tcpdump stopped: {}", counts.join("; ")).map_err(write_error)?;

    let bytes = read_capture(&capture)?;
    let captured =
        ladder::capture::read_all(&bytes).map_err(|e| NetnsError::Capture(e.to_string()))?;
    let frames =
        capture_walk::read_walk(&captured).map_err(|e| NetnsError::Capture(e.to_string()))?;
    let drawn = capture_walk::walk_ladder(&captured, &frames);
    writeln!(out).map_err(write_error)?;
    writeln!(
        out,
        "the capture, read back with this crate's parsers ({} frames; the notes' step of each):",
        frames.len()
    )
    .map_err(write_error)?;
    for line in capture_walk::report_lines(&frames) {
        writeln!(out, "{line}").map_err(write_error)?;
    }
    writeln!(out).map_err(write_error)?;
    capture_walk::check_walk(&frames).map_err(NetnsError::StepMissing)?;
    writeln!(
        out,
        "every step of the notes' walk is in the capture, in order (step 5, rendering, happens in the browser)"
    )
    .map_err(write_error)?;
    writeln!(out, "{}", capture_walk::close_sentence(&frames)).map_err(write_error)?;

    let wanted = lab.namespaces.len();
    let removed = lab.remove();
    writeln!(
        out,
        "removed the {} namespaces {}-{{{}}}",
        removed.len(),
        lab.prefix,
        ROLES.join(",")
    )
    .map_err(write_error)?;
    if removed.len() != wanted {
        return Err(NetnsError::Command {
            command: "ip netns del".into(),
            output: "some of the lab's namespaces could not be deleted: see `ip netns list`".into(),
        });
    }
    Ok(WireVisit {
        capture,
        frames,
        ladder: drawn,
        address: walked.address,
        status_line: walked.status_line,
    })
}

/// The walk runs code the student writes: Exercise 5.4 (reading names) in the resolver
/// and Exercise 5.3 (the checksum) when the capture is read back. In a starter copy an
/// unsolved one ends the whole process where it is met (see the `unsolved` crate), and
/// in the middle of the walk that would leave the lab's namespaces behind. So both run
/// once here, before anything is built.
fn meet_the_exercises_first() {
    let _ = crate::ipv4::internet_checksum(&[0x45, 0x00, 0x00, 0x14]);
    let _ = crate::dns::read_name(&[3, b'w', b'w', b'w', 0], 0);
}

/// The names of the namespaces where the walk's programs run (the switch and the
/// router only pass frames on).
struct Names {
    host: String,
    dns: String,
    web: String,
}

/// The namespaces, the cables between them, their addresses and routes (the picture
/// at the top of this file).
fn build_network(lab: &mut Lab, stop: &AtomicBool) -> Result<Names, NetnsError> {
    let mut made = Vec::new();
    for role in ROLES {
        check_stop(stop)?;
        made.push(lab.add_namespace(role)?);
    }
    let [host, switch, router, dns, web] = [0, 1, 2, 3, 4].map(|i| made[i].clone());

    // The switch: a bridge with two ports, one cable to the host, one to the router.
    // Without multicast snooping, as the notes' switch: a snooping bridge joins
    // 224.0.0.106 and announces it with IGMP reports, which would land in the capture.
    lab.ip(&[
        "-n",
        &switch,
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "mcast_snooping",
        "0",
    ])?;
    lab.ip(&["-n", &switch, "link", "set", "br0", "up"])?;
    lab.cable((&host, "eth0", Some(HOST_MAC)), (&switch, "port1", None))?;
    lab.cable(
        (&router, "lan0", Some(GATEWAY_MAC)),
        (&switch, "port2", None),
    )?;
    for port in ["port1", "port2"] {
        lab.ip(&["-n", &switch, "link", "set", port, "master", "br0"])?;
    }
    // The router's two other networks: one cable to each server.
    lab.cable(
        (&router, "dns0", Some(ROUTER_DNS_MAC)),
        (&dns, "eth0", Some(DNS_MAC)),
    )?;
    lab.cable(
        (&router, "web0", Some(ROUTER_WEB_MAC)),
        (&web, "eth0", Some(WEB_MAC)),
    )?;
    check_stop(stop)?;
    let addresses = [
        (&host, "eth0", HOST_IP),
        (&router, "lan0", GATEWAY_IP),
        (&router, "dns0", ROUTER_DNS_SIDE),
        (&router, "web0", ROUTER_WEB_SIDE),
        (&dns, "eth0", DNS_SERVER),
        (&web, "eth0", WEB_SERVER),
    ];
    for (namespace, interface, ip) in addresses {
        let address = format!("{ip}/24");
        lab.ip(&["-n", namespace, "addr", "add", &address, "dev", interface])?;
    }
    // Anything not on a namespace's own network goes to its default gateway.
    for (namespace, gateway) in [
        (&host, GATEWAY_IP),
        (&dns, ROUTER_DNS_SIDE),
        (&web, ROUTER_WEB_SIDE),
    ] {
        let gateway = gateway.to_string();
        lab.ip(&["-n", namespace, "route", "add", "default", "via", &gateway])?;
    }
    // Forwarding packets between its interfaces is what makes the router a router.
    in_namespace(&router, || {
        write_settings(&[("/proc/sys/net/ipv4/ip_forward", "1")])
    })??;
    Ok(Names { host, dns, web })
}

/// dnsmasq in the DNS server's namespace, answering only for `name` (an address
/// record pointing at the web server), once it says it started.
fn start_dns_server(
    lab: &mut Lab,
    namespace: &str,
    name: &str,
    stop: &AtomicBool,
) -> Result<(), NetnsError> {
    check_stop(stop)?;
    let dnsmasq = lab.spawn(
        "dnsmasq",
        Command::new("ip")
            .args([
                "netns",
                "exec",
                namespace,
                "dnsmasq",
                "-C",
                "/dev/null",
                "-k",
            ])
            .args(["-p", "53", "--bind-interfaces", "--no-resolv", "--no-hosts"])
            .arg(format!("--listen-address={DNS_SERVER}"))
            .args(["--local-ttl=300", "--pid-file=", "--log-facility=-"])
            .arg(format!("--host-record={name},{WEB_SERVER}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )?;
    let lines = lines_of(dnsmasq.stderr.take().ok_or_else(|| NetnsError::NotReady {
        tool: "dnsmasq".into(),
        output: "no standard error to read".into(),
    })?);
    wait_for_line("dnsmasq", &lines, "started", START_TIMEOUT, stop)?;
    Ok(())
}

/// What the web server's thread ends with: `None` when it could not listen (the
/// error went to the caller already), else how its one exchange went.
type WebServer = thread::JoinHandle<Result<Option<Result<Served, HttpError>>, NetnsError>>;

/// Our HTTP/1.0 responder, on a thread inside the web server's namespace, once it
/// listens on `address`.
fn start_web_server(
    namespace: &str,
    address: SocketAddrV4,
    timeout: Duration,
) -> Result<WebServer, NetnsError> {
    let (ready_sender, ready) = mpsc::channel();
    let web_server = spawn_in_namespace(namespace, move || {
        // accept() waits while tcpdump starts, then for the DNS step and connect().
        let accept_timeout = START_TIMEOUT.saturating_add(timeout.saturating_mul(2));
        let listener = match listen(address, accept_timeout) {
            Ok(listener) => {
                let _ = ready_sender.send(Ok(()));
                listener
            }
            Err(error) => {
                let _ = ready_sender.send(Err(error));
                return None;
            }
        };
        Some(http_responder::serve_one(&listener, timeout))
    });
    match ready.recv_timeout(START_TIMEOUT) {
        Ok(Ok(())) => Ok(web_server),
        Ok(Err(error)) => Err(error),
        // The thread could not enter the namespace: its error says why.
        Err(_) => Err(match web_server.join() {
            Ok(Err(error)) => error,
            _ => NetnsError::NotReady {
                tool: "the web server".into(),
                output: String::new(),
            },
        }),
    }
}

/// A running tcpdump: its process ID and its standard error, line by line.
struct Tcpdump {
    pid: rustix::process::Pid,
    lines: Receiver<String>,
}

/// tcpdump on the host's only interface, writing `capture`. It prints "listening on"
/// once its filter is in place, so nothing after that line is missed; `-U` with
/// `--immediate-mode` writes each frame as it comes (lab-tools §3: without them,
/// SIGINT can lose frames still in the kernel's buffer).
fn start_tcpdump(
    lab: &mut Lab,
    namespace: &str,
    capture: &Path,
    stop: &AtomicBool,
) -> Result<Tcpdump, NetnsError> {
    check_stop(stop)?;
    let tcpdump = lab.spawn(
        "tcpdump",
        Command::new("ip")
            .args(["netns", "exec", namespace, "tcpdump", "-i", "eth0", "-n"])
            .args(["-U", "--immediate-mode", "-w"])
            .arg(capture)
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )?;
    // `ip netns exec` enters the namespace and then becomes tcpdump (exec), so the
    // child's process ID is tcpdump's.
    let pid = rustix::process::Pid::from_child(tcpdump);
    let lines = lines_of(tcpdump.stderr.take().ok_or_else(|| NetnsError::NotReady {
        tool: "tcpdump".into(),
        output: "no standard error to read".into(),
    })?);
    wait_for_line("tcpdump", &lines, "listening on", START_TIMEOUT, stop)?;
    Ok(Tcpdump { pid, lines })
}

/// The host's last ACK can still be on its way when the walk returns: waits (at most
/// `timeout`) until the capture holds the whole close.
fn wait_for_close(capture: &Path, timeout: Duration, stop: &AtomicBool) -> Result<(), NetnsError> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        check_stop(stop)?;
        let bytes = read_capture(capture)?;
        let complete = capture_walk::read_walk(&capture_walk::frames_written_so_far(&bytes))
            .is_ok_and(|frames| capture_walk::close_complete(&frames));
        if complete {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// The bytes of the capture file, at most [`MAX_CAPTURE_LEN`].
fn read_capture(path: &Path) -> Result<Vec<u8>, NetnsError> {
    let doing = format!("reading the capture {}", path.display());
    let file = File::open(path).map_err(io_error(&doing))?;
    let mut bytes = Vec::new();
    file.take(MAX_CAPTURE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(&doing))?;
    if bytes.len() as u64 > MAX_CAPTURE_LEN {
        return Err(NetnsError::Capture(format!(
            "{} is over {MAX_CAPTURE_LEN} bytes, far more than the walk makes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Stops tcpdump with SIGINT, as Ctrl-C would (it then writes out what it holds and
/// prints its counts), and returns the count lines.
fn stop_tcpdump(lab: &mut Lab, tcpdump: Tcpdump) -> Vec<String> {
    let _ = rustix::process::kill_process(tcpdump.pid, rustix::process::Signal::INT);
    let index = lab.children.iter().position(|(what, _)| what == "tcpdump");
    if let Some(index) = index {
        let (_, mut child) = lab.children.remove(index);
        if wait_with_deadline(&mut child, START_TIMEOUT).is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
    tcpdump
        .lines
        .try_iter()
        .filter(|line| line.contains("captured"))
        .collect()
}

/// A listening socket whose `accept` gives up after `accept_timeout` (Linux applies
/// the receive timeout to `accept`), so a walk that never connects cannot leave the
/// web server's thread waiting for ever.
fn listen(address: SocketAddrV4, accept_timeout: Duration) -> Result<TcpListener, NetnsError> {
    use socket2::{Domain, Socket, Type};
    let doing = format!("listening on tcp {address}");
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).map_err(io_error(&doing))?;
    socket
        .bind(&SocketAddr::V4(address).into())
        .map_err(io_error(&doing))?;
    socket.listen(1).map_err(io_error(&doing))?;
    socket
        .set_read_timeout(Some(accept_timeout))
        .map_err(io_error(&doing))?;
    Ok(socket.into())
}

/// The host's part: DNS with our resolver, then one HTTP exchange, then the close.
fn walk(name: &str, port: u16, request: &[u8], timeout: Duration) -> Result<HostWalk, NetnsError> {
    // Step 1.1 happens inside this first send: the kernel has no MAC for the
    // gateway, so it ARPs for it and holds the datagram until the reply comes.
    let options = ResolveOptions {
        server: SocketAddr::V4(SocketAddrV4::new(DNS_SERVER, 53)),
        record_type: RecordType::A,
        tcp: false,
        timeout,
        first_id: None,
        trace: say::Trace::OFF,
    };
    let resolution = crate::dns::resolve::resolve(name, &options).map_err(NetnsError::Dns)?;
    let address = resolution
        .records
        .iter()
        .find_map(|record| match record.data {
            crate::dns::RecordData::A(ip) => Some(ip),
            _ => None,
        })
        .ok_or_else(|| NetnsError::NoAddress { name: name.into() })?;
    let web = |doing: &str| {
        let doing = doing.to_string();
        move |source| NetnsError::Web { doing, source }
    };
    let target = SocketAddr::V4(SocketAddrV4::new(address, port));
    // Step 2: connect() is where the kernel does the three-way handshake.
    let mut stream = TcpStream::connect_timeout(&target, timeout)
        .map_err(web(&format!("connecting to {target}")))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(web("setting the receive timeout"))?;
    let local = stream.local_addr().map_err(web("reading our address"))?;
    // Step 3: the request; step 4: the response, until the server's FIN (read gives 0).
    stream
        .write_all(request)
        .map_err(web("sending the HTTP request"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(web("reading the HTTP response"))?;
    // Step 6: our side of the close.
    drop(stream);
    let status_line = response
        .split(|&byte| byte == b'\r')
        .next()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .unwrap_or_default();
    Ok(HostWalk {
        address,
        local,
        status_line,
        response_len: response.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lesson prints every frame of the capture, so the lab itself must say
    /// nothing: with nobody talking, not one frame reaches the host's wire. (A bridge
    /// with multicast snooping joins 224.0.0.106 and says so in IGMP reports, at random
    /// moments in the seconds after it comes up: one landed in a lesson run's capture.)
    #[test]
    fn the_lab_at_rest_puts_nothing_on_the_hosts_wire() {
        let test = "the_lab_at_rest_puts_nothing_on_the_hosts_wire";
        if !(testkit::require_root(test)
            && testkit::require_tool(test, "ip", "iproute2")
            && testkit::require_tool(test, "tcpdump", "tcpdump"))
        {
            return;
        }
        let stop = AtomicBool::new(false);
        let mut lab = Lab {
            prefix: format!("nl5q-{}", std::process::id()),
            namespaces: Vec::new(),
            children: Vec::new(),
        };
        let names = build_network(&mut lab, &stop).expect("the lab is built");
        let dir = testkit::Scratch::new("quiet-lab");
        let capture = dir.join("quiet.pcap");
        let tcpdump = start_tcpdump(&mut lab, &names.host, &capture, &stop).unwrap();
        // Not a wait for something to happen: the window in which nothing may. The
        // bridge's reports come within about two seconds of the lab being built.
        thread::sleep(Duration::from_secs(3));
        let counts = stop_tcpdump(&mut lab, tcpdump);
        let removed = lab.remove();
        let bytes = read_capture(&capture).unwrap();
        assert_eq!(removed.len(), ROLES.len(), "{removed:?}");
        let frames = ladder::capture::read_all(&bytes).unwrap();
        let heard: Vec<String> = capture_walk::read_walk(&frames)
            .unwrap()
            .iter()
            .map(|frame| frame.summary.clone())
            .collect();
        assert_eq!(heard, Vec::<String>::new(), "tcpdump: {counts:?}");
    }
}
