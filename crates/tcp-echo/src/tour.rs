//! The course runner's demo of lesson 3 (`cargo run -- tour`).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::{Trace, client, server};

/// A short demo of this lesson, run by `cargo run -- tour`: a server on a free loopback
/// port, a one-line echo, a 1 MiB echo that needs many `recv` calls, and the backlog
/// experiment with `listen(1)`.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    writeln!(out, "== lesson 3: tcp-echo ==")?;
    let loopback: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let listener = server::listen(loopback, 5, Trace::OFF)?;
    let address = listener.local_addr()?;
    writeln!(out, "listening on tcp {address} (socket, bind, listen(5))")?;

    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let log_lines = Arc::clone(&lines);
    let log: server::Log = Arc::new(move |line: &str| {
        log_lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line.to_string());
    });
    let options = server::ServeOptions {
        count: Some(2),
        idle_timeout: Some(Duration::from_secs(2)),
        ..server::ServeOptions::default()
    };
    // In a thread that never outlives the tour: a client thread's `todo!()` in a starter
    // copy panics inside the demo, where the runner names the exercise.
    let stop = server::Stop::new();
    let serving = stop.clone();
    let server_thread = unsolved::DemoThread::spawn(
        move || stop.request(),
        move || server::serve(listener, &options, &serving, log),
    );

    let client_options = client::ClientOptions {
        timeout: Duration::from_secs(2),
        trace: Trace::OFF,
    };
    let mut reply = Vec::new();
    let exchange = client::send(address, &mut &b"hello"[..], &mut reply, client_options)?;
    writeln!(
        out,
        "send \"hello\" from {}: the echo is {:?}",
        exchange.local,
        String::from_utf8_lossy(&reply)
    )?;

    let big: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let mut reply = Vec::new();
    let exchange = client::send(address, &mut &big[..], &mut reply, client_options)?;
    writeln!(
        out,
        "send 1 MiB: {} bytes back in {} recv calls, identical: {}",
        exchange.received.bytes,
        exchange.received.recv_calls,
        reply == big
    )?;
    let Some(served) = server_thread.join() else {
        return Err("the tour's server thread panicked".into());
    };
    let summary = served?;
    for line in lines.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        writeln!(out, "server: {line}")?;
    }
    writeln!(
        out,
        "the server served {} clients and stopped",
        summary.served
    )?;

    // The backlog experiment: listen(1) and never accept.
    let queue = server::listen(loopback, 1, Trace::OFF)?;
    let queue_address = queue.local_addr()?;
    let probe = client::probe(queue_address, 3, Duration::from_millis(300), &mut |_| {})?;
    writeln!(
        out,
        "listen(1) without accept: completed {}/3 handshakes (Linux lets backlog + 1 wait)",
        probe.completed()
    )?;
    drop(queue);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tour_runs_offline_and_tells_the_story() {
        let mut out = Vec::new();
        super::tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("the echo is \"hello\""), "{text}");
        assert!(text.contains("identical: true"), "{text}");
        assert!(text.contains("served 2 clients"), "{text}");
        assert!(text.lines().count() <= 15, "{text}");
    }
}
