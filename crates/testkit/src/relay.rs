//! A deterministic lossy UDP relay, for testing protocols that must survive loss.
//!
//! The relay sits between a client and a server on loopback and behaves like a
//! port-preserving NAT, so protocols that change ports mid-conversation (TFTP answers
//! from a new port, its "transfer ID") work through it:
//!
//! ```text
//!  client ──► relay.addr() ───────────────► server (its listening port)
//!  client ◄── relay front port F_S ◄─────── server's reply from port S
//!  client ──► F_S ──────────────────────────► server port S
//! ```
//!
//! Every datagram passes through a [`Schedule`] that decides, per direction and per
//! datagram number, to forward, drop, duplicate or delay it (a delayed datagram goes out
//! after the next one in the same direction: a reordering). Decisions depend only on the
//! seed and the datagram's index in its direction, never on timing, so a failing test
//! fails the same way again.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Which way a datagram travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    ToServer,
    ToClient,
}

/// What happens to one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Forward,
    Drop,
    Duplicate,
    /// Held back and sent after the next datagram in the same direction (or after a
    /// short pause when no other datagram comes).
    Delay,
}

/// Decides the fate of each datagram.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Forward everything.
    Perfect,
    /// A seeded pseudo-random schedule, in percent.
    Seeded {
        seed: u64,
        drop_percent: u8,
        duplicate_percent: u8,
        delay_percent: u8,
    },
    /// Exactly these fates, by direction and 0-based datagram index; all else forwards.
    Script(Vec<(Direction, u64, Fate)>),
}

impl Schedule {
    /// The schedule most tests want: 10% drop, 5% duplicate, 5% reorder.
    pub fn lossy(seed: u64) -> Schedule {
        Schedule::Seeded {
            seed,
            drop_percent: 10,
            duplicate_percent: 5,
            delay_percent: 5,
        }
    }

    /// The fate of datagram number `index` travelling `direction`.
    pub fn fate(&self, direction: Direction, index: u64) -> Fate {
        match self {
            Schedule::Perfect => Fate::Forward,
            Schedule::Script(entries) => entries
                .iter()
                .find(|(d, i, _)| *d == direction && *i == index)
                .map(|(_, _, fate)| *fate)
                .unwrap_or(Fate::Forward),
            Schedule::Seeded {
                seed,
                drop_percent,
                duplicate_percent,
                delay_percent,
            } => {
                let lane = match direction {
                    Direction::ToServer => 0x5157_5345,
                    Direction::ToClient => 0x434c_4e54,
                };
                let roll = splitmix64(seed ^ lane ^ index.wrapping_mul(0x9e37_79b9)) % 100;
                let drop = u64::from(*drop_percent);
                let duplicate = drop + u64::from(*duplicate_percent);
                let delay = duplicate + u64::from(*delay_percent);
                if roll < drop {
                    Fate::Drop
                } else if roll < duplicate {
                    Fate::Duplicate
                } else if roll < delay {
                    Fate::Delay
                } else {
                    Fate::Forward
                }
            }
        }
    }
}

/// SplitMix64: a tiny, well-mixed hash, enough for a reproducible schedule.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// What the relay did, for a test to check that faults really happened.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RelayStats {
    pub forwarded: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub delayed: u64,
}

#[derive(Default)]
struct Counters {
    forwarded: AtomicU64,
    dropped: AtomicU64,
    duplicated: AtomicU64,
    delayed: AtomicU64,
    to_server: AtomicU64,
    to_client: AtomicU64,
}

/// The shared routing table: which socket talks to whom.
struct Table {
    server: SocketAddr,
    /// client address -> the socket the relay uses toward the server for that client.
    back: HashMap<SocketAddr, Arc<UdpSocket>>,
    /// (client, server port) -> the front socket the client sees that server port as.
    front: HashMap<(SocketAddr, SocketAddr), Arc<UdpSocket>>,
}

/// A datagram held back for reordering: the socket to send it from, its bytes, and where.
type Held = (Arc<UdpSocket>, Vec<u8>, SocketAddr);

struct Shared {
    schedule: Schedule,
    counters: Counters,
    table: Mutex<Table>,
    stop: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    held: Mutex<HashMap<Direction, Held>>,
}

/// A running relay. Dropping it stops its threads.
pub struct LossyRelay {
    address: SocketAddr,
    shared: Arc<Shared>,
}

/// How often a relay thread wakes to check for stop and release a held datagram.
const TICK: Duration = Duration::from_millis(20);

impl LossyRelay {
    /// Starts a relay in front of `server` (a loopback address); clients send to
    /// [`LossyRelay::addr`] instead.
    pub fn start(server: SocketAddr, schedule: Schedule) -> LossyRelay {
        let main = Arc::new(bind_loopback(server));
        let address = main.local_addr().expect("relay local_addr");
        let shared = Arc::new(Shared {
            schedule,
            counters: Counters::default(),
            table: Mutex::new(Table {
                server,
                back: HashMap::new(),
                front: HashMap::new(),
            }),
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            held: Mutex::new(HashMap::new()),
        });
        spawn_front(&shared, main, server);
        LossyRelay { address, shared }
    }

    /// The address clients should use as the server's.
    pub fn addr(&self) -> SocketAddr {
        self.address
    }

    /// What the relay has done so far.
    pub fn stats(&self) -> RelayStats {
        let c = &self.shared.counters;
        RelayStats {
            forwarded: c.forwarded.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            duplicated: c.duplicated.load(Ordering::Relaxed),
            delayed: c.delayed.load(Ordering::Relaxed),
        }
    }
}

impl Drop for LossyRelay {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        let threads = std::mem::take(
            &mut *self
                .shared
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn bind_loopback(like: SocketAddr) -> UdpSocket {
    let any = if like.is_ipv6() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    let socket = UdpSocket::bind(any).expect("relay bind on loopback");
    socket
        .set_read_timeout(Some(TICK))
        .expect("relay set_read_timeout");
    socket
}

/// A front socket: receives from clients, forwards to `server_port` through the
/// client's back socket.
fn spawn_front(shared: &Arc<Shared>, front: Arc<UdpSocket>, server_port: SocketAddr) {
    let shared_for_thread = Arc::clone(shared);
    let handle = thread::spawn(move || {
        let shared = shared_for_thread;
        let mut buffer = vec![0u8; 65536];
        while !shared.stop.load(Ordering::Relaxed) {
            match front.recv_from(&mut buffer) {
                Ok((len, client)) => {
                    let back = back_socket_for(&shared, client);
                    let index = shared.counters.to_server.fetch_add(1, Ordering::Relaxed);
                    deliver(
                        &shared,
                        Direction::ToServer,
                        index,
                        &back,
                        &buffer[..len],
                        server_port,
                    );
                }
                Err(_) => release_held(&shared, Direction::ToServer),
            }
        }
    });
    shared
        .threads
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(handle);
}

/// The socket that speaks to the server for `client`, made (with its thread) on first use.
fn back_socket_for(shared: &Arc<Shared>, client: SocketAddr) -> Arc<UdpSocket> {
    let mut table = shared.table.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(socket) = table.back.get(&client) {
        return Arc::clone(socket);
    }
    let back = Arc::new(bind_loopback(table.server));
    table.back.insert(client, Arc::clone(&back));
    drop(table);
    let shared_for_thread = Arc::clone(shared);
    let back_for_thread = Arc::clone(&back);
    let handle = thread::spawn(move || {
        let shared = shared_for_thread;
        let mut buffer = vec![0u8; 65536];
        while !shared.stop.load(Ordering::Relaxed) {
            match back_for_thread.recv_from(&mut buffer) {
                Ok((len, server_port)) => {
                    let front = front_socket_for(&shared, client, server_port);
                    let index = shared.counters.to_client.fetch_add(1, Ordering::Relaxed);
                    deliver(
                        &shared,
                        Direction::ToClient,
                        index,
                        &front,
                        &buffer[..len],
                        client,
                    );
                }
                Err(_) => release_held(&shared, Direction::ToClient),
            }
        }
    });
    shared
        .threads
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(handle);
    back
}

/// The front socket through which `client` sees `server_port`.
fn front_socket_for(
    shared: &Arc<Shared>,
    client: SocketAddr,
    server_port: SocketAddr,
) -> Arc<UdpSocket> {
    let mut table = shared.table.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(socket) = table.front.get(&(client, server_port)) {
        return Arc::clone(socket);
    }
    let front = Arc::new(bind_loopback(table.server));
    table
        .front
        .insert((client, server_port), Arc::clone(&front));
    drop(table);
    spawn_front(shared, Arc::clone(&front), server_port);
    front
}

fn deliver(
    shared: &Shared,
    direction: Direction,
    index: u64,
    via: &Arc<UdpSocket>,
    datagram: &[u8],
    to: SocketAddr,
) {
    let counters = &shared.counters;
    match shared.schedule.fate(direction, index) {
        Fate::Drop => {
            counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        Fate::Delay => {
            counters.delayed.fetch_add(1, Ordering::Relaxed);
            // Hold this one; a datagram already held goes out now, so at most one waits.
            let previous = shared
                .held
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(direction, (Arc::clone(via), datagram.to_vec(), to));
            if let Some((socket, bytes, destination)) = previous {
                let _ = socket.send_to(&bytes, destination);
            }
            return;
        }
        Fate::Duplicate => {
            counters.duplicated.fetch_add(1, Ordering::Relaxed);
            let _ = via.send_to(datagram, to);
        }
        Fate::Forward => {}
    }
    counters.forwarded.fetch_add(1, Ordering::Relaxed);
    let _ = via.send_to(datagram, to);
    // A datagram held back goes out after this one: that is the reordering.
    release_held(shared, direction);
}

fn release_held(shared: &Shared, direction: Direction) {
    let held = shared
        .held
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&direction);
    if let Some((socket, bytes, destination)) = held {
        let _ = socket.send_to(&bytes, destination);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_schedule_is_reproducible_and_near_its_rates() {
        let schedule = Schedule::lossy(42);
        let fates: Vec<Fate> = (0..1000)
            .map(|i| schedule.fate(Direction::ToServer, i))
            .collect();
        let again: Vec<Fate> = (0..1000)
            .map(|i| schedule.fate(Direction::ToServer, i))
            .collect();
        assert_eq!(fates, again);
        let drops = fates.iter().filter(|f| **f == Fate::Drop).count();
        assert!((60..=140).contains(&drops), "{drops} drops in 1000");
    }

    #[test]
    fn relay_forwards_and_follows_a_new_server_port() {
        // A "server" that answers each request from a fresh socket, like TFTP.
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let server_addr = server.local_addr().unwrap();
        let relay = LossyRelay::start(server_addr, Schedule::Perfect);
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();

        client.send_to(b"hello", relay.addr()).unwrap();
        let mut buffer = [0u8; 64];
        let (len, relay_back) = server.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..len], b"hello");

        let transfer = UdpSocket::bind("127.0.0.1:0").unwrap();
        transfer
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        transfer.send_to(b"reply", relay_back).unwrap();
        let (len, seen_from) = client.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..len], b"reply");
        assert_ne!(
            seen_from,
            relay.addr(),
            "a new server port gets a new front port"
        );

        client.send_to(b"ack", seen_from).unwrap();
        let (len, _) = transfer.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..len], b"ack");
    }

    #[test]
    fn scripted_drop_and_duplicate_happen_exactly() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let relay = LossyRelay::start(
            server.local_addr().unwrap(),
            Schedule::Script(vec![
                (Direction::ToServer, 0, Fate::Drop),
                (Direction::ToServer, 1, Fate::Duplicate),
            ]),
        );
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        for message in [b"one", b"two", b"six"] {
            client.send_to(message, relay.addr()).unwrap();
        }
        let mut buffer = [0u8; 16];
        let mut seen = Vec::new();
        for _ in 0..3 {
            let (len, _) = server.recv_from(&mut buffer).unwrap();
            seen.push(String::from_utf8_lossy(&buffer[..len]).to_string());
        }
        assert_eq!(seen, ["two", "two", "six"]);
        let stats = relay.stats();
        assert_eq!((stats.dropped, stats.duplicated), (1, 1));
    }
}
