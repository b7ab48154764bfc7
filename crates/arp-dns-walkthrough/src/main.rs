//! `arp-dns-walkthrough`: the command-line front end of lesson 5.
//!
//! Every subcommand parses its arguments, calls the library, and turns an error into
//! `error: ...` (plus `hint: ...`) on stderr with exit status 1 (a failure at run
//! time) or 2 (bad input). Try, with nothing installed:
//!
//! ```text
//! cargo run -p arp-dns-walkthrough -- subnet 192.168.1.10/24
//! cargo run -p arp-dns-walkthrough -- arp request --sender-mac 02:00:00:00:0a:01 --sender-ip 10.0.1.2 --target-ip 10.0.1.1
//! cargo run -p arp-dns-walkthrough -- visit http://baidu.com/
//! cargo run -p arp-dns-walkthrough -- visit http://baidu.com/ --ladder
//! ```

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use arp_dns_walkthrough::arp::{self, ArpPacket, Operation};
use arp_dns_walkthrough::dns::{self, Message, RecordType};
use arp_dns_walkthrough::ethernet::MacAddr;
use arp_dns_walkthrough::subnet::{self, Ipv4Network};
use arp_dns_walkthrough::{hex, parse_hex, pcap, report, simulate, visit};
use clap::{Parser, Subcommand};
use say::{Failure, LadderMode, Trace};

#[derive(Parser)]
#[command(
    name = "arp-dns-walkthrough",
    version,
    about = "Lesson 5: subnets, ARP, DNS and the visit of a web page, on real bytes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Network, netmask, broadcast and hosts of `IP/LEN` or `IP MASK`.
    Subnet {
        /// `192.168.1.10/24`, or an IP followed by MASK
        address: String,
        /// a dotted netmask such as 255.255.255.0
        mask: Option<String>,
        /// print the fields as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Is DEST on our own network (ARP for it) or not (ARP for the gateway)?
    Route {
        /// our address and prefix, `192.168.1.10/24`
        #[arg(long)]
        ip: String,
        /// the default gateway
        #[arg(long)]
        gateway: String,
        /// where the packet is going
        destination: String,
    },
    /// Build, parse, simulate, send and answer ARP.
    #[command(subcommand)]
    Arp(ArpCommand),
    /// Build, parse and send DNS messages.
    #[command(subcommand)]
    Dns(DnsCommand),
    /// A packet's trip hop by hop through switch and routers.
    Simulate {
        /// write one pcap per link into this directory
        #[arg(long)]
        pcap_dir: Option<PathBuf>,
        /// print the hops as JSON
        #[arg(long)]
        json: bool,
    },
    /// The whole visit of a web page, step by step (loopback only; with --netns, on
    /// real wires between network namespaces, as root on Linux).
    Visit {
        /// `http://baidu.com/` (with --netns, `http://www.netlab.test/` when left out)
        #[arg(required_unless_present = "netns")]
        url: Option<String>,
        /// (root, Linux) build the lesson's network from network namespaces, capture
        /// the walk with tcpdump, and label each frame with the notes' step
        #[arg(long, conflicts_with_all = ["dns", "connect", "pcap_dir"])]
        netns: bool,
        /// with --netns: keep the capture in this file
        #[arg(long, value_name = "FILE", requires = "netns")]
        pcap: Option<PathBuf>,
        /// draw the visit's own exchanges on stderr as a ladder: the DNS query and answer,
        /// then the TCP socket calls (ARP, simulated here, is a note)
        #[arg(long)]
        ladder: bool,
        /// with --ladder: print a mermaid sequenceDiagram on stderr at the end instead;
        /// with --netns: draw the capture's ladder as a mermaid sequenceDiagram
        #[arg(long)]
        mermaid: bool,
        /// with --netns: draw the ladder with ASCII characters only (the default follows
        /// the locale: Unicode when it says UTF-8)
        #[arg(long, requires = "netns")]
        ascii: bool,
        /// ask this DNS server (HOST:PORT) instead of the built-in responder
        #[arg(long)]
        dns: Option<String>,
        /// connect to this loopback address instead of the built-in web server
        #[arg(long)]
        connect: Option<String>,
        /// write visit.pcap into this directory
        #[arg(long)]
        pcap_dir: Option<PathBuf>,
        /// seconds to wait for each answer (at most 3600)
        #[arg(long, value_name = "SECS", default_value = "3", value_parser = parse_seconds)]
        timeout: Duration,
    },
}

#[derive(clap::Args)]
struct FrameOutput {
    /// print only the frame as lowercase hex, one line
    #[arg(long)]
    raw: bool,
    /// also write the frame to this pcap file
    #[arg(long)]
    pcap: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ArpCommand {
    /// An ARP request frame: "who has TARGET-IP? tell SENDER-IP".
    Request {
        #[arg(long)]
        sender_mac: String,
        #[arg(long)]
        sender_ip: String,
        #[arg(long)]
        target_ip: String,
        #[command(flatten)]
        output: FrameOutput,
    },
    /// An ARP reply frame: "SENDER-IP is at SENDER-MAC", sent to the asker.
    Reply {
        #[arg(long)]
        sender_mac: String,
        #[arg(long)]
        sender_ip: String,
        #[arg(long)]
        target_mac: String,
        #[arg(long)]
        target_ip: String,
        #[command(flatten)]
        output: FrameOutput,
    },
    /// Decode an Ethernet frame holding ARP, field by field.
    Parse {
        /// the frame as hex (spaces and colons allowed)
        hex: String,
    },
    /// Step a host's ARP behaviour through a script (see the lesson for the format).
    Simulate {
        /// the script file (`-` for standard input); at most 1 MiB, and each `tick` at
        /// most 3600000 ms
        script: PathBuf,
    },
    /// (root, Linux) Send a real ARP request and print the MAC in the reply.
    Send {
        #[arg(long)]
        interface: String,
        #[arg(long)]
        target_ip: String,
        /// our IP in the request (0.0.0.0, an RFC 5227 probe, when left out)
        #[arg(long)]
        sender_ip: Option<String>,
        /// seconds to wait for the reply (at most 3600)
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = parse_seconds)]
        timeout: Duration,
    },
    /// (root, Linux) Answer ARP requests for IP from user space.
    Respond {
        #[arg(long)]
        interface: String,
        #[arg(long)]
        ip: String,
        /// the MAC to answer with (the interface's own when left out)
        #[arg(long)]
        mac: Option<String>,
        /// stop after this many replies (at most 1000000)
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        count: Option<u64>,
        /// after the first request, stop when none came for this many seconds (at most
        /// 3600; the first is awaited without a limit: stop it with Ctrl-C)
        #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_seconds)]
        timeout: Duration,
    },
}

#[derive(Subcommand)]
enum DnsCommand {
    /// Build a query and show it byte by byte.
    Query {
        name: String,
        /// the query ID, decimal or 0x-hex (random when left out)
        #[arg(long)]
        id: Option<String>,
        #[arg(long = "type", default_value = "A")]
        record_type: String,
        /// clear RD (recursion desired)
        #[arg(long)]
        no_rd: bool,
        /// print only the message as lowercase hex, one line
        #[arg(long)]
        raw: bool,
        /// also write the query, in a frame from the host to the DNS server, to this pcap file
        #[arg(long)]
        pcap: Option<PathBuf>,
    },
    /// Decode a message (hex on the command line, or the raw bytes of --file).
    Parse {
        hex: Option<String>,
        /// a file holding the message as raw bytes (at most 65535)
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Ask a DNS server over UDP (TCP when the answer is truncated), follow CNAMEs.
    Resolve {
        name: String,
        /// the server, HOST:PORT (port 53 when left out)
        #[arg(long)]
        server: String,
        #[arg(long = "type", default_value = "A")]
        record_type: String,
        /// ask over TCP from the start
        #[arg(long)]
        tcp: bool,
        /// seconds the whole resolution may take, every exchange included (at most 3600)
        #[arg(long, value_name = "SECS", default_value = "2", value_parser = parse_seconds)]
        timeout: Duration,
        /// the first query ID (random when left out)
        #[arg(long)]
        id: Option<String>,
        /// print each socket call to stderr (bind, sendto, recvfrom, ...)
        #[arg(long)]
        trace: bool,
        /// draw the exchange on stderr as a ladder, one arrow per query and answer
        #[arg(long)]
        ladder: bool,
        /// with --ladder: print a mermaid sequenceDiagram on stderr at the end instead
        #[arg(long, requires = "ladder")]
        mermaid: bool,
    },
}

/// `println!` that reports a failed write instead of panicking (a closed pipe, say).
macro_rules! stdout {
    ($($arg:tt)*) => {
        if let Err(error) = writeln!(std::io::stdout(), $($arg)*) {
            return Err(output_failure(error));
        }
    };
}

/// A write to standard output failed: the reader went away (`| head`: stop quietly,
/// with success), or something else went wrong.
fn output_failure(error: std::io::Error) -> Failure {
    if say::is_closed_pipe(&error) {
        Failure::closed_pipe()
    } else {
        Failure::runtime(format!("writing to standard output: {error}"))
    }
}

type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Subnet {
            address,
            mask,
            json,
        } => run_subnet(&address, mask.as_deref(), json),
        Command::Route {
            ip,
            gateway,
            destination,
        } => run_route(&ip, &gateway, &destination),
        Command::Arp(command) => run_arp(command),
        Command::Dns(command) => run_dns(command),
        Command::Simulate { pcap_dir, json } => run_simulate(pcap_dir, json),
        Command::Visit {
            url,
            netns: true,
            pcap,
            mermaid,
            ascii,
            timeout,
            ..
        } => run_visit_netns(url, pcap, LadderDrawing::chosen(mermaid, ascii), timeout),
        Command::Visit {
            mermaid: true,
            ladder: false,
            ..
        } => Err(Failure::usage(
            "--mermaid draws a ladder: add --ladder (the loopback visit's own exchanges) or --netns (the capture on real wires)",
        )),
        Command::Visit {
            url,
            dns,
            connect,
            pcap_dir,
            timeout,
            ladder,
            mermaid,
            ..
        } => {
            let trace = Trace::OFF.with_ladder(LadderMode::from_flags(ladder, mermaid));
            run_visit(
                url.unwrap_or_default(),
                dns,
                connect,
                pcap_dir,
                timeout,
                trace,
            )
        }
    };
    say::finish(result)
}

/// The longest wait any command accepts: an hour is more than any exchange on a lab
/// network needs, and keeps every `now + timeout` far from overflowing.
const MAX_SECONDS: f64 = 3600.0;

/// `2`, `0.5`: a positive number of seconds, at most [`MAX_SECONDS`] (a clap value
/// parser, so a bad value is a usage error, exit 2).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("'{text}': give a positive number of seconds"));
    }
    if value > MAX_SECONDS {
        return Err(format!("'{text}': at most {MAX_SECONDS} seconds"));
    }
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("'{text}': give a positive number of seconds"))
}

/// The largest script `arp simulate` reads: far more lines than any lesson needs.
const MAX_SCRIPT_BYTES: u64 = 1024 * 1024;

/// The largest message `dns parse --file` reads: a DNS message over TCP is at most
/// 65 535 bytes (its length is two bytes).
const MAX_MESSAGE_BYTES: u64 = 65_535;

/// Reads at most `limit` bytes from `reader`; more is an error naming `what`.
fn read_bounded(reader: impl std::io::Read, limit: u64, what: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::runtime(format!("reading {what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::usage(format!(
            "{what} is longer than {limit} bytes"
        )));
    }
    Ok(bytes)
}

fn run_subnet(address: &str, mask: Option<&str>, json: bool) -> Outcome {
    let network = match mask {
        Some(mask) => Ipv4Network::parse_with_mask(address, mask),
        None => Ipv4Network::parse_cidr(address),
    }
    .map_err(Failure::usage)?;
    let summary = network.summary();
    if json {
        stdout!("{}", summary.to_json());
    } else {
        stdout!("{}", summary.to_text().trim_end());
    }
    Ok(())
}

fn run_route(ip: &str, gateway: &str, destination: &str) -> Outcome {
    let host = Ipv4Network::parse_cidr(ip).map_err(Failure::usage)?;
    let gateway = subnet::parse_ipv4(gateway).map_err(Failure::usage)?;
    let destination = subnet::parse_ipv4(destination).map_err(Failure::usage)?;
    let decision = subnet::route(host, gateway, destination).map_err(Failure::usage)?;
    stdout!("{}", decision.to_text().trim_end());
    Ok(())
}

fn mac_arg(text: &str) -> Result<MacAddr, Failure> {
    text.parse::<MacAddr>().map_err(Failure::usage)
}

fn ip_arg(text: &str) -> Result<Ipv4Addr, Failure> {
    subnet::parse_ipv4(text).map_err(Failure::usage)
}

fn print_lines(lines: &[String]) -> Outcome {
    for line in lines {
        stdout!("{line}");
    }
    Ok(())
}

fn show_frame(frame: &[u8], output: &FrameOutput) -> Outcome {
    if let Some(path) = &output.pcap {
        let record = pcap::Record {
            micros: 1_767_225_600_000_000,
            frame: frame.to_vec(),
        };
        pcap::write_file(path, &[record])
            .map_err(|e| Failure::runtime(format!("writing {}: {e}", path.display())))?;
    }
    if output.raw {
        stdout!("{}", hex(frame));
        return Ok(());
    }
    print_lines(&report::arp_frame(frame).map_err(Failure::runtime)?)?;
    stdout!("hex: {}", hex(frame));
    Ok(())
}

fn run_arp(command: ArpCommand) -> Outcome {
    match command {
        ArpCommand::Request {
            sender_mac,
            sender_ip,
            target_ip,
            output,
        } => {
            let packet = ArpPacket::request(
                mac_arg(&sender_mac)?,
                ip_arg(&sender_ip)?,
                ip_arg(&target_ip)?,
            );
            show_frame(&packet.to_frame(), &output)
        }
        ArpCommand::Reply {
            sender_mac,
            sender_ip,
            target_mac,
            target_ip,
            output,
        } => {
            let packet = ArpPacket {
                operation: Operation::Reply,
                sender_mac: mac_arg(&sender_mac)?,
                sender_ip: ip_arg(&sender_ip)?,
                target_mac: mac_arg(&target_mac)?,
                target_ip: ip_arg(&target_ip)?,
            };
            show_frame(&packet.to_frame(), &output)
        }
        ArpCommand::Parse { hex: text } => {
            let bytes = parse_hex(&text).map_err(Failure::usage)?;
            print_lines(&report::arp_frame(&bytes).map_err(Failure::usage)?)
        }
        ArpCommand::Simulate { script } => {
            let bytes = if script.as_os_str() == "-" {
                read_bounded(std::io::stdin(), MAX_SCRIPT_BYTES, "standard input")?
            } else {
                let file = std::fs::File::open(&script)
                    .map_err(|e| Failure::runtime(format!("reading {}: {e}", script.display())))?;
                read_bounded(file, MAX_SCRIPT_BYTES, &script.display().to_string())?
            };
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::usage("the script is not valid UTF-8 text"))?;
            for line in arp::run_script(&text).map_err(Failure::usage)? {
                stdout!("{line}");
            }
            Ok(())
        }
        ArpCommand::Send {
            interface,
            target_ip,
            sender_ip,
            timeout,
        } => {
            let target = ip_arg(&target_ip)?;
            let sender = match sender_ip {
                Some(text) => ip_arg(&text)?,
                None => Ipv4Addr::UNSPECIFIED,
            };
            arp_send(&interface, sender, target, timeout)
        }
        ArpCommand::Respond {
            interface,
            ip,
            mac,
            count,
            timeout,
        } => {
            let ip = ip_arg(&ip)?;
            let mac = mac.as_deref().map(mac_arg).transpose()?;
            // Bounded at the parser to a million, which fits every usize.
            let count = count.map(|count| count as usize);
            arp_respond(&interface, ip, mac, count, timeout)
        }
    }
}

#[cfg(target_os = "linux")]
fn raw_socket_failure(interface: &str, error: std::io::Error) -> Failure {
    let hint = match error.kind() {
        std::io::ErrorKind::PermissionDenied => {
            Some("AF_PACKET sockets need root (or CAP_NET_RAW): build as yourself, then run the binary with sudo, inside a lab namespace: sudo ip netns exec NS ./target/debug/arp-dns-walkthrough ...".to_string())
        }
        std::io::ErrorKind::NotFound => Some("list the interfaces with `ip link`".to_string()),
        _ => None,
    };
    let failure = Failure::runtime(format!(
        "on interface {interface}: {}",
        hostport::describe(&error)
    ));
    match hint {
        Some(hint) => failure.with_hint(hint),
        None => failure,
    }
}

#[cfg(target_os = "linux")]
fn arp_send(interface: &str, sender: Ipv4Addr, target: Ipv4Addr, timeout: Duration) -> Outcome {
    use arp_dns_walkthrough::packet_socket::{self, PacketSocket};
    let socket = PacketSocket::open(interface).map_err(|e| raw_socket_failure(interface, e))?;
    stdout!("-> Who has {target}? Tell {sender} (broadcast on {interface})");
    match packet_socket::ask(&socket, sender, target, timeout) {
        Ok(Some(mac)) => {
            stdout!("<- {target} is at {mac}");
            Ok(())
        }
        Ok(None) => Err(Failure::runtime(format!(
            "no ARP reply for {target} within {:.1} s",
            timeout.as_secs_f64()
        ))
        .with_hint("is the address on this link? `ip neigh` shows what the kernel knows")),
        Err(error) => Err(raw_socket_failure(interface, error)),
    }
}

#[cfg(target_os = "linux")]
fn arp_respond(
    interface: &str,
    ip: Ipv4Addr,
    mac: Option<MacAddr>,
    count: Option<usize>,
    idle: Duration,
) -> Outcome {
    use arp_dns_walkthrough::packet_socket::{self, PacketSocket};
    let socket = PacketSocket::open(interface).map_err(|e| raw_socket_failure(interface, e))?;
    stdout!(
        "answering ARP for {ip} as {} on {interface}",
        mac.unwrap_or(socket.mac)
    );
    // A failed write of these lines ends the responder; a closed stdout (`... | head`)
    // ends it quietly, as it ends every netlab command.
    let mut output_failed = false;
    let mut report = |request: &ArpPacket, reply: &ArpPacket| -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        let written = writeln!(
            stdout,
            "<- {} (from {})",
            request.summary(),
            request.sender_mac
        )
        .and_then(|()| writeln!(stdout, "-> {}", reply.summary()));
        output_failed = written.is_err();
        written
    };
    let replies = packet_socket::respond(&socket, ip, mac, count, idle, &mut report);
    let replies = match replies {
        Err(error) if output_failed => return Err(output_failure(error)),
        other => other.map_err(|e| raw_socket_failure(interface, e))?,
    };
    stdout!("answered {replies} request(s)");
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn arp_send(_: &str, _: Ipv4Addr, _: Ipv4Addr, _: Duration) -> Outcome {
    Err(Failure::runtime("arp send needs Linux (AF_PACKET sockets)"))
}

#[cfg(not(target_os = "linux"))]
fn arp_respond(_: &str, _: Ipv4Addr, _: Option<MacAddr>, _: Option<usize>, _: Duration) -> Outcome {
    Err(Failure::runtime(
        "arp respond needs Linux (AF_PACKET sockets)",
    ))
}

/// A query ID from `--id`, or `None` when it was left out.
fn id_arg(text: Option<&str>) -> Result<Option<u16>, Failure> {
    let Some(text) = text else {
        return Ok(None);
    };
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16),
        None => text.parse::<u16>(),
    };
    parsed.map(Some).map_err(|_| {
        Failure::usage(format!(
            "--id {text}: a query ID is a number from 0 to 65535 (or 0x0000 to 0xffff)"
        ))
    })
}

fn show_message(title: &str, bytes: &[u8]) -> Outcome {
    print_lines(&report::dns_message(title, bytes).map_err(Failure::usage)?)
}

fn run_dns(command: DnsCommand) -> Outcome {
    match command {
        DnsCommand::Query {
            name,
            id,
            record_type,
            no_rd,
            raw,
            pcap,
        } => {
            let record_type: RecordType = record_type.parse().map_err(Failure::usage)?;
            let id = match id_arg(id.as_deref())? {
                Some(id) => id,
                None => dns::resolve::random_id().map_err(Failure::runtime)?,
            };
            let query = Message::query(id, &name, record_type, !no_rd).map_err(Failure::usage)?;
            let bytes = query.to_bytes().map_err(Failure::usage)?;
            if let Some(path) = &pcap {
                let record = pcap::Record {
                    micros: 1_767_225_600_000_000,
                    frame: simulate::dns_query_frame(&bytes).map_err(Failure::usage)?,
                };
                pcap::write_file(path, &[record])
                    .map_err(|e| Failure::runtime(format!("writing {}: {e}", path.display())))?;
            }
            if raw {
                stdout!("{}", hex(&bytes));
                return Ok(());
            }
            show_message(&format!("DNS query, {} bytes", bytes.len()), &bytes)?;
            stdout!("hex: {}", hex(&bytes));
            Ok(())
        }
        DnsCommand::Parse { hex: text, file } => {
            let bytes = match (text, file) {
                (Some(text), None) => parse_hex(&text).map_err(Failure::usage)?,
                (None, Some(path)) => {
                    let file = std::fs::File::open(&path).map_err(|e| {
                        Failure::runtime(format!("reading {}: {e}", path.display()))
                    })?;
                    read_bounded(file, MAX_MESSAGE_BYTES, &path.display().to_string())?
                }
                _ => {
                    return Err(Failure::usage(
                        "give the message as HEX or with --file FILE (one of them)",
                    ));
                }
            };
            show_message(&format!("DNS message, {} bytes", bytes.len()), &bytes)
        }
        DnsCommand::Resolve {
            name,
            server,
            record_type,
            tcp,
            timeout,
            id,
            trace,
            ladder,
            mermaid,
        } => {
            let record_type: RecordType = record_type.parse().map_err(Failure::usage)?;
            let server = hostport::resolve(&server, Some(53)).map_err(Failure::usage)?;
            let options = dns::resolve::ResolveOptions {
                server,
                record_type,
                tcp,
                timeout,
                first_id: id_arg(id.as_deref())?,
                trace: Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid)),
            };
            // Each exchange is printed as it happens, so a failure still shows them.
            let mut show = |line: &str| {
                let _ = writeln!(std::io::stdout(), "{line}");
            };
            let resolution = dns::resolve::resolve_with_log(&name, &options, &mut show)?;
            print_lines(&report::resolution(&resolution, record_type))
        }
    }
}

fn run_simulate(pcap_dir: Option<PathBuf>, json: bool) -> Outcome {
    let topology = simulate::Topology::home();
    if json {
        stdout!("{}", simulate::report_json(&topology));
    } else {
        for line in simulate::report(&topology) {
            stdout!("{line}");
        }
    }
    if let Some(dir) = pcap_dir {
        create_pcap_dir(&dir)?;
        let mut written = Vec::new();
        for (link, records) in topology.capture() {
            let path = dir.join(format!("{link}.pcap"));
            pcap::write_file(&path, &records)
                .map_err(|e| Failure::runtime(format!("writing {}: {e}", path.display())))?;
            written.push(format!("{} ({} frames)", path.display(), records.len()));
        }
        if !json {
            stdout!("");
            for line in written {
                stdout!("wrote {line}");
            }
        }
    }
    let _ = std::io::stdout().flush();
    Ok(())
}

/// Makes sure `--pcap-dir DIR` exists: DIR itself may be created, but not its parents
/// (a typo in the path should be an error, not a tree of new directories).
fn create_pcap_dir(dir: &std::path::Path) -> Outcome {
    if dir.is_dir() {
        return Ok(());
    }
    let parent = match dir.parent() {
        Some(parent) if parent.as_os_str().is_empty() => std::path::Path::new("."),
        Some(parent) => parent,
        None => std::path::Path::new("/"),
    };
    if !parent.is_dir() {
        return Err(Failure::runtime(format!(
            "--pcap-dir {}: the directory {} does not exist",
            dir.display(),
            parent.display()
        ))
        .with_hint(
            "only the last directory of --pcap-dir is created: create its parent first (mkdir -p)",
        ));
    }
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        // Someone made it meanwhile: what we wanted.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(Failure::runtime(format!("creating {}: {e}", dir.display()))),
    }
}

fn run_visit(
    url: String,
    dns: Option<String>,
    connect: Option<String>,
    pcap_dir: Option<PathBuf>,
    timeout: Duration,
    trace: Trace,
) -> Outcome {
    let loopback_only = |text: &str, flag: &str| -> Result<SocketAddr, Failure> {
        let address = hostport::resolve(text, Some(if flag == "--dns" { 53 } else { 80 }))
            .map_err(Failure::usage)?;
        if !address.ip().is_loopback() {
            return Err(Failure::usage(format!(
                "{flag} {address}: visit only talks to loopback addresses (127.0.0.0/8, ::1), so nothing leaves this machine"
            )));
        }
        Ok(address)
    };
    let options = visit::VisitOptions {
        url,
        dns: dns
            .as_deref()
            .map(|d| loopback_only(d, "--dns"))
            .transpose()?,
        connect: connect
            .as_deref()
            .map(|c| loopback_only(c, "--connect"))
            .transpose()?,
        pcap_dir: pcap_dir.clone(),
        timeout,
        trace,
    };
    if let Some(dir) = &pcap_dir {
        create_pcap_dir(dir)?;
    }
    let mut stdout = std::io::stdout();
    visit::visit(&options, &mut stdout)?;
    Ok(())
}

/// `visit --netns`: the walk on real wires (Linux, root). The capture is kept with
/// `--pcap FILE`, otherwise written to a temporary file and removed at the end.
#[cfg(target_os = "linux")]
fn run_visit_netns(
    url: Option<String>,
    pcap: Option<PathBuf>,
    drawing: LadderDrawing,
    timeout: Duration,
) -> Outcome {
    use arp_dns_walkthrough::netns_visit::{self, NetnsVisitOptions};
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    // Ctrl-C or SIGTERM sets the flag: the lab notices it, stops, and removes its
    // namespaces instead of leaving them behind.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| Failure::runtime(format!("installing the Ctrl-C handler: {e}")))?;
    }
    let prefix = netns_visit::default_prefix();
    let keep = pcap.is_some();
    let capture = pcap.unwrap_or_else(|| std::env::temp_dir().join(format!("{prefix}-visit.pcap")));
    let options = NetnsVisitOptions {
        url: url.unwrap_or_else(|| netns_visit::DEFAULT_URL.to_string()),
        capture: capture.clone(),
        timeout,
        prefix,
        stop,
    };
    let mut stdout = std::io::stdout();
    let outcome = match netns_visit::visit_on_wires(&options, &mut stdout) {
        Ok(visit) => print_wire_ladder(&mut stdout, &visit, drawing, keep).map_err(output_failure),
        Err(error) => Err(Failure::from(error)),
    };
    if !keep {
        let _ = std::fs::remove_file(&capture);
    }
    outcome
}

/// How `visit --netns` draws the ladder of its capture (elsewhere only parsed: the
/// command says it is Linux-only).
#[derive(Clone, Copy)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
enum LadderDrawing {
    Terminal(ladder::draw::Style),
    Mermaid,
}

impl LadderDrawing {
    /// `--mermaid`, else the terminal in ASCII with `--ascii`, else as the locale says.
    fn chosen(mermaid: bool, ascii: bool) -> LadderDrawing {
        if mermaid {
            LadderDrawing::Mermaid
        } else if ascii {
            LadderDrawing::Terminal(ladder::draw::Style::Ascii)
        } else {
            LadderDrawing::Terminal(ladder::draw::Style::from_env())
        }
    }
}

/// After the step list: the ladder of the real capture (the terminal drawing, or a
/// mermaid `sequenceDiagram`), the addresses behind its columns, and where the capture
/// is.
#[cfg(target_os = "linux")]
fn print_wire_ladder(
    out: &mut dyn Write,
    visit: &arp_dns_walkthrough::netns_visit::WireVisit,
    drawing: LadderDrawing,
    kept: bool,
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "the ladder of the capture (each arrow one frame, with the notes' step; columns:)"
    )?;
    for line in visit.ladder.legend() {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)?;
    let drawn = match drawing {
        LadderDrawing::Mermaid => ladder::draw::mermaid(&visit.ladder.ladder),
        LadderDrawing::Terminal(style) => {
            ladder::draw::terminal_within(&visit.ladder.ladder, style, ladder::width::of_stdout())
        }
    };
    write!(out, "{drawn}")?;
    writeln!(out)?;
    if kept {
        writeln!(out, "capture kept in {}", visit.capture_path().display())
    } else {
        writeln!(
            out,
            "the capture was temporary: give --pcap FILE to keep it for Wireshark"
        )
    }
}

#[cfg(not(target_os = "linux"))]
fn run_visit_netns(
    _: Option<String>,
    _: Option<PathBuf>,
    _: LadderDrawing,
    _: Duration,
) -> Outcome {
    Err(Failure::runtime(
        "visit --netns is Linux-only: it builds the network from Linux network namespaces",
    )
    .with_hint("everywhere else, `visit http://baidu.com/` makes the same walk on loopback"))
}
