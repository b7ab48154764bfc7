//! The course runner's demo of lesson 2 (`cargo run -- tour`).

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use crate::{Trace, bind, broadcast, datagram_line, echo, local_address, receive_from, send_to};

/// A short, self-contained demo of lesson 2 for `cargo run -- tour`: loopback only, port 0,
/// finishes in well under a second.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    use std::net::{Ipv4Addr, TcpListener};

    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    writeln!(out, "lesson 2: ports, bind, echo, broadcast")?;

    // A receiver binds a port; a second bind of the same address fails.
    let receiver = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    let port = local_address(&receiver)?.port();
    writeln!(out, "  bind(127.0.0.1:0) -> the OS gave udp port {port}")?;
    match bind::bind_udp(
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        bind::BindOptions::default(),
        Trace::OFF,
    ) {
        Err(error) => writeln!(out, "  a second bind of udp port {port}: {error}")?,
        Ok(_) => writeln!(
            out,
            "  a second bind of udp port {port} worked (unexpected)"
        )?,
    }
    // The rule is per protocol: TCP may hold the same number. (Another program may hold
    // that TCP port by chance, so take a TCP port first and look for its UDP twin.)
    let (tcp, udp_twin) = (0..100)
        .find_map(|_| {
            let tcp = TcpListener::bind(loopback).ok()?;
            let udp = UdpSocket::bind(tcp.local_addr().ok()?).ok()?;
            Some((tcp, udp))
        })
        .ok_or("no port number free for both TCP and UDP")?;
    writeln!(
        out,
        "  tcp {} and udp {} at the same time: fine, one table per protocol",
        tcp.local_addr()?,
        udp_twin.local_addr()?
    )?;

    // A sender that never called bind gets its port at the first sendto.
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let sender = bind::sender_socket(target, None, Trace::OFF)?;
    let before = sender
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "unbound".into());
    send_to(&sender, b"hello", target, Trace::OFF)?;
    writeln!(
        out,
        "  sender before sendto: {before}, after: {}",
        local_address(&sender)?
    )?;
    let mut buffer = [0u8; 64];
    let (length, from) = receive_from(
        &receiver,
        &mut buffer,
        Some(Duration::from_secs(2)),
        Trace::OFF,
    )?;
    writeln!(
        out,
        "  receiver: {}",
        datagram_line(from, &buffer[..length], wire_text::TextEncoding::UTF_8)
    )?;

    // Echo: the server answers each sender at its own address.
    let server = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    let server_address = local_address(&server)?;
    let options = echo::EchoOptions {
        count: Some(1),
        upper: true,
        timeout: Some(Duration::from_secs(2)),
    };
    let server_thread = std::thread::spawn(move || {
        let mut log = Vec::new();
        echo::serve_echo(&server, &options, &mut log, Trace::OFF).map(|_| log)
    });
    let client = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    send_to(&client, b"ping", server_address, Trace::OFF)?;
    let (length, _) = receive_from(
        &client,
        &mut buffer,
        Some(Duration::from_secs(2)),
        Trace::OFF,
    )?;
    let log = server_thread
        .join()
        .map_err(|_| "the echo server thread panicked")??;
    writeln!(
        out,
        "  echo --upper: sent \"ping\", got \"{}\"; the server said: {}",
        String::from_utf8_lossy(&buffer[..length]),
        String::from_utf8_lossy(&log).trim_end()
    )?;

    // Broadcast on loopback: refused without SO_BROADCAST, a copy to every receiver with
    // it. Linux semantics; elsewhere (no SO_REUSEPORT, no loopback broadcast) the tour
    // says what failed instead of stopping.
    if let Err(error) = tour_broadcast(out) {
        writeln!(out, "  broadcast demo not available here: {error}")?;
    }
    Ok(())
}

fn tour_broadcast(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    use std::net::Ipv4Addr;

    let mut buffer = [0u8; 64];
    let shared = bind::BindOptions {
        reuse_port: true,
        ..bind::BindOptions::default()
    };
    let first = bind::bind_udp(
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        shared,
        Trace::OFF,
    )?;
    let broadcast_port = local_address(&first)?.port();
    let second = bind::bind_udp(
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, broadcast_port)),
        shared,
        Trace::OFF,
    )?;
    let to = broadcast::LOOPBACK_BROADCAST;
    let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
    if let Err(error) = broadcast::broadcast(any, broadcast_port, to, b"hi all", false, Trace::OFF)
    {
        writeln!(out, "  without SO_BROADCAST: {error}")?;
    }
    broadcast::broadcast(any, broadcast_port, to, b"hi all", true, Trace::OFF)?;
    let mut copies = 0;
    for socket in [&first, &second] {
        if receive_from(
            socket,
            &mut buffer,
            Some(Duration::from_secs(2)),
            Trace::OFF,
        )
        .is_ok()
        {
            copies += 1;
        }
    }
    writeln!(
        out,
        "  with SO_BROADCAST to {to}:{broadcast_port}: {copies} of 2 receivers got a copy"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tour_runs_offline_and_prints_a_few_lines() {
        let mut out = Vec::new();
        tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines = text.lines().count();
        assert!((5..=15).contains(&lines), "{text}");
        assert!(text.contains("address already in use"), "{text}");
        assert!(text.contains("got \"PING\""), "{text}");
        if cfg!(target_os = "linux") {
            assert!(text.contains("EACCES"), "{text}");
            assert!(text.contains("2 of 2 receivers"), "{text}");
        }
    }
}
