//! `ladder`: draw the exchange in a capture file as a ladder diagram.
//!
//! Capture, then draw:
//!
//! ```text
//! $ sudo tcpdump -i lo -U -w tftp.pcap udp
//! $ cargo run -q -p ladder -- tftp.pcap --filter "udp and port 69"
//! $ cargo run -q -p ladder -- tftp.pcap --mermaid > tftp.mmd
//! ```
//!
//! This file only reads the command line and reports errors; the reader, the decoders and
//! the drawings live in the library (`src/lib.rs`).

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use exit_report::Failure;

use ladder::capture::{self, CaptureError};
use ladder::decode;
use ladder::draw::{self, Style};
use ladder::filter::Filter;
use ladder::width;

/// The largest capture read: a ladder of more frames than this holds is unreadable anyway.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// Draw the packets of a capture (tcpdump's pcap or tshark's pcapng) as a ladder diagram.
///
/// The drawing fits the terminal's width (80 columns when the output is not a terminal).
#[derive(Parser)]
#[command(name = "ladder", version)]
struct Cli {
    /// The capture file (`tcpdump -w FILE`, `tshark -w FILE`).
    file: PathBuf,
    /// Show only some packets: terms udp, tcp, arp, `port N`, `host A.B.C.D`, joined by
    /// `and` (for example "udp and port 69").
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// Print a mermaid sequenceDiagram instead of the terminal drawing.
    #[arg(long)]
    mermaid: bool,
    /// Draw with ASCII characters only (the default follows the locale: Unicode when it
    /// says UTF-8).
    #[arg(long)]
    ascii: bool,
}

fn main() -> ExitCode {
    exit_report::finish(run(Cli::parse()))
}

/// Reads the whole file, refusing one larger than [`MAX_FILE`].
fn read_capture(path: &Path) -> Result<Vec<u8>, Failure> {
    let name = path.display();
    let cannot = |error: std::io::Error| {
        let (why, hint) = match error.kind() {
            ErrorKind::NotFound => (
                "no such file".to_string(),
                Some("capture one with `sudo tcpdump -i lo -U -w FILE`".to_string()),
            ),
            ErrorKind::PermissionDenied => (
                "permission denied".to_string(),
                Some(
                    "tcpdump run with sudo writes files owned by root: sudo chown $USER FILE"
                        .to_string(),
                ),
            ),
            _ => (error.to_string(), None),
        };
        let failure = Failure::runtime(format!("cannot read {name}: {why}"));
        match hint {
            Some(hint) => failure.with_hint(hint),
            None => failure,
        }
    };
    let file = File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Failure::usage(format!(
            "{name} is larger than {} MiB",
            MAX_FILE / 1024 / 1024
        ))
        .with_hint("keep the packets you want: tcpdump -r BIG -w SMALL 'udp port 69'"));
    }
    Ok(bytes)
}

fn capture_failure(name: &str, error: CaptureError) -> Failure {
    let hint = match error {
        CaptureError::NotACapture { .. } | CaptureError::TooShort { .. } => Some(
            "ladder reads the files `tcpdump -w FILE` (pcap) and `tshark -w FILE` (pcapng) write"
                .to_string(),
        ),
        CaptureError::CutShort { .. } => Some(
            "the file ends inside a packet: was it copied while the capture was still being written?"
                .to_string(),
        ),
        _ => None,
    };
    let failure = Failure::usage(format!("{name}: {error}"));
    match hint {
        Some(hint) => failure.with_hint(hint),
        None => failure,
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let filter = match &cli.filter {
        Some(expression) => {
            Filter::parse(expression).map_err(|error| Failure::usage(error.to_string()))?
        }
        None => Filter::default(),
    };
    let bytes = read_capture(&cli.file)?;
    let name = cli.file.display().to_string();
    let frames = capture::read_all(&bytes).map_err(|error| capture_failure(&name, error))?;
    let summary = decode::ladder(&frames, &filter);
    if summary.frames > 0 && summary.skipped == summary.frames {
        let why = summary
            .skipped_examples
            .first()
            .map(|(number, why)| format!(" (frame {number}: {why})"))
            .unwrap_or_default();
        return Err(Failure::usage(format!(
            "{name}: none of its {} frames could be decoded{why}",
            summary.frames
        ))
        .with_hint(
            "ladder decodes Ethernet (1), LINUX_SLL (113) and LINUX_SLL2 (276) captures of \
             ARP, IPv4 and IPv6",
        ));
    }
    if summary.skipped > 0 {
        let examples: Vec<String> = summary
            .skipped_examples
            .iter()
            .map(|(number, why)| format!("frame {number}: {why}"))
            .collect();
        eprintln!(
            "note: {} of {} frames not drawn ({})",
            summary.skipped,
            summary.frames,
            examples.join("; ")
        );
    }
    if summary.shown == 0 && cli.filter.is_some() {
        eprintln!("note: no frame matched the filter");
    }
    let style = if cli.ascii {
        Style::Ascii
    } else {
        Style::from_env()
    };
    let drawing = if cli.mermaid {
        draw::mermaid(&summary.ladder)
    } else {
        draw::terminal_within(&summary.ladder, style, width::of_stdout())
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(drawing.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // `ladder F | head` closes the pipe early: not an error.
        Err(error) if exit_report::is_closed_pipe(&error) => Ok(()),
        Err(error) => Err(Failure::runtime(format!(
            "writing to standard output: {error}"
        ))),
    }
}
