//! Whole transfers through the testkit's lossy relay (seeded: 10% dropped, 5% duplicated,
//! 5% reordered, in both directions), lock-step and with windowsize 8. Every file must
//! arrive byte-identical. Four workers run side by side, each with its own relays and
//! seeds, so each worker's sequence of faults is the same on every run.

mod common;

use std::time::Duration;

use common::{Scratch, TestServer, content};
use testkit::relay::{LossyRelay, Schedule};
use tftp::client::{self, ClientConfig};
use tftp::server::ServerConfig;

const WORKERS: u64 = 4;
/// Transfers per worker and per direction, for each of the two modes: 4 × 25 = 100.
const EACH_WAY: u64 = 25;
/// A new relay every few transfers, so the relay's threads stay few.
const PER_RELAY: u64 = 10;

fn size_for(index: u64, blksize: u64) -> usize {
    // Empty, one byte, exact multiples, one less and one more, and a spread between.
    let edges = [
        0,
        1,
        blksize - 1,
        blksize,
        blksize + 1,
        2 * blksize,
        3 * blksize + 7,
    ];
    let size = if (index as usize) < edges.len() {
        edges[index as usize]
    } else {
        (index * 131 + 17) % (12 * blksize)
    };
    size as usize
}

fn run_worker(
    server: std::net::SocketAddr,
    root: &std::path::Path,
    worker: u64,
    window: Option<u16>,
    blksize: u16,
) -> (u64, u64) {
    let config = ClientConfig {
        blksize: Some(blksize),
        windowsize: window,
        timeout: Duration::from_millis(40),
        retries: 20,
        // Stay to ACK a repeated last block: otherwise the server keeps sending it, and
        // a later transfer that gets the same port number would receive it.
        linger: Duration::from_millis(50),
        ..ClientConfig::default()
    };
    let mut faults = 0;
    let mut relay: Option<LossyRelay> = None;
    let tag = window.unwrap_or(1);
    for index in 0..2 * EACH_WAY {
        if index % PER_RELAY == 0 {
            if let Some(old) = relay.take() {
                let stats = old.stats();
                faults += stats.dropped + stats.duplicated + stats.delayed;
            }
            let seed = worker * 1000 + u64::from(tag) * 100 + index;
            relay = Some(LossyRelay::start(server, Schedule::lossy(seed)));
        }
        let through = relay.as_ref().map(LossyRelay::addr).unwrap_or(server);
        let size = size_for(index / 2, u64::from(blksize));
        let bytes = content(size, worker * 7919 + index);
        let name = format!("w{worker}-ws{tag}-{index}.bin");
        if index % 2 == 0 {
            client::put_from(through, &mut &bytes[..], None, &name, &config)
                .unwrap_or_else(|error| panic!("put {name} ({size} bytes): {error}"));
        } else {
            std::fs::write(root.join(&name), &bytes).unwrap();
            let mut out = Vec::new();
            client::get_into(through, &name, &mut out, &config)
                .unwrap_or_else(|error| panic!("get {name} ({size} bytes): {error}"));
            assert!(
                out == bytes,
                "get {name}: {size} bytes sent, {} differ",
                out.len()
            );
        }
    }
    if let Some(old) = relay.take() {
        let stats = old.stats();
        faults += stats.dropped + stats.duplicated + stats.delayed;
    }
    (2 * EACH_WAY, faults)
}

fn run_all(window: Option<u16>, blksize: u16) {
    let root = Scratch::new("lossy");
    let mut config = ServerConfig::new(&root.path);
    config.allow_write = true;
    config.timeout = Duration::from_millis(40);
    config.retries = 20;
    let server = TestServer::start(config);
    let addr = server.addr;
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let root = root.path.clone();
            std::thread::spawn(move || run_worker(addr, &root, worker, window, blksize))
        })
        .collect();
    let mut transfers = 0;
    let mut faults = 0;
    for worker in workers {
        let (done, seen) = worker.join().unwrap();
        transfers += done;
        faults += seen;
    }
    server.stop();
    assert_eq!(transfers, 2 * WORKERS * EACH_WAY);
    assert!(
        faults > 50,
        "the relay should have caused faults, saw {faults}"
    );
    // Uploads: byte-identical, and no temporary left behind.
    for worker in 0..WORKERS {
        for index in (0..2 * EACH_WAY).step_by(2) {
            let tag = window.unwrap_or(1);
            let name = format!("w{worker}-ws{tag}-{index}.bin");
            let size = size_for(index / 2, u64::from(blksize));
            let stored = std::fs::read(root.join(&name)).unwrap();
            assert!(
                stored == content(size, worker * 7919 + index),
                "upload {name} differs"
            );
        }
    }
    assert!(
        !root.names().iter().any(|name| name.ends_with(".part")),
        "temporary files left: {:?}",
        root.names()
    );
}

#[test]
fn lock_step_transfers_survive_loss_duplication_and_reordering() {
    run_all(None, 512);
}

#[test]
fn windowsize_8_transfers_survive_loss_duplication_and_reordering() {
    run_all(Some(8), 64);
}
