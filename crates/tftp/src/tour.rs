//! The demonstration `netlab tour` runs for lesson 4: a real server in this process and
//! the packets of two downloads, printed as they pass.

use std::io::Write;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::packet::{Ack, Direction, Mode, Packet, Request, TftpOption};

/// A short demonstration of lesson 4 for `netlab tour`: a real server in this process
/// on a port the OS picks, and the packets of two downloads, printed as they pass.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let root = std::env::temp_dir().join(format!("netlab-tftp-tour-{}", std::process::id()));
    std::fs::create_dir_all(&root)?;
    let result = tour_in(&root, out);
    let _ = std::fs::remove_dir_all(&root);
    result
}

fn tour_in(root: &std::path::Path, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let content: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
    std::fs::write(root.join("hello.txt"), &content)?;
    let listener = UdpSocket::bind("127.0.0.1:0")?;
    let server_address = listener.local_addr()?;
    let config = crate::server::ServerConfig::new(root);
    // In a thread that never outlives the tour: however the tour ends, the server is
    // stopped and waited for, so a transfer's `todo!()` in a starter copy panics inside it.
    let stop = Arc::new(AtomicBool::new(false));
    let serving = Arc::clone(&stop);
    let server = unsolved::DemoThread::spawn(
        move || stop.store(true, Ordering::Relaxed),
        move || crate::server::serve(listener, config, serving),
    );

    writeln!(
        out,
        "tftp: a server on {server_address} serves hello.txt (1000 bytes)"
    )?;
    let client = UdpSocket::bind("127.0.0.1:0")?;
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buffer = vec![0u8; 2048];
    let mut request = Request {
        direction: Direction::Read,
        filename: "hello.txt".into(),
        mode: Mode::Octet,
        options: Vec::new(),
    };
    let mut bytes = Vec::new();
    Packet::Request(request.clone()).encode(&mut bytes);
    client.send_to(&bytes, server_address)?;
    writeln!(out, "  -> {}", Packet::Request(request.clone()))?;
    loop {
        let (len, from) = client.recv_from(&mut buffer)?;
        let packet = Packet::parse(&buffer[..len])?;
        let Packet::Data(data) = packet else {
            return Err(format!("unexpected answer {packet}").into());
        };
        writeln!(
            out,
            "  <- {packet} from port {} (the server's transfer ID, not {})",
            from.port(),
            server_address.port()
        )?;
        let block = data.block;
        let last = data.payload.len() < 512;
        bytes.clear();
        Ack { block }.encode(&mut bytes);
        if block == 1 {
            // A stranger writes to the transfer's port: it gets ERROR 5, we carry on.
            let stranger = UdpSocket::bind("127.0.0.1:0")?;
            stranger.set_read_timeout(Some(Duration::from_secs(2)))?;
            stranger.send_to(&bytes, from)?;
            let (len, _) = stranger.recv_from(&mut buffer)?;
            writeln!(
                out,
                "  a stranger's ACK to that port gets {}",
                Packet::parse(&buffer[..len])?
            )?;
        }
        client.send_to(&bytes, from)?;
        writeln!(out, "  -> {}", Packet::Ack(Ack { block }))?;
        if last {
            writeln!(out, "  a block shorter than 512 bytes ends the transfer")?;
            break;
        }
    }
    request.options = vec![
        TftpOption::new("blksize", 1468),
        TftpOption::new("windowsize", 4),
    ];
    let config = crate::client::ClientConfig {
        blksize: Some(1468),
        windowsize: Some(4),
        linger: Duration::ZERO,
        ..crate::client::ClientConfig::default()
    };
    let mut received = Vec::new();
    let outcome = crate::client::get_into(server_address, "hello.txt", &mut received, &config)?;
    writeln!(
        out,
        "with options {}: OACK blksize={} windowsize={}, {} bytes in {} block, identical: {}",
        Packet::Request(request),
        outcome.settings.blksize,
        outcome.settings.windowsize,
        outcome.bytes,
        outcome.bytes.div_ceil(u64::from(outcome.settings.blksize)),
        received == content
    )?;
    match server.stop() {
        Some(served) => {
            served?;
            Ok(())
        }
        None => Err("the server thread panicked".into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tour_runs_and_shows_the_exchange() {
        let mut out = Vec::new();
        super::tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("-> RRQ \"hello.txt\" octet"), "{text}");
        assert!(text.contains("<- DATA #2 488 bytes"), "{text}");
        assert!(text.contains("ERROR 5"), "{text}");
        assert!(text.contains("identical: true"), "{text}");
    }
}
