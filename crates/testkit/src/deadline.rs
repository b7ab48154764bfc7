//! Every wait in a test has a deadline: the common one, and polling up to a deadline.

use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for a readiness line or an exit before it gives up. Generous,
/// because a loaded 2-core CI machine can be slow; a passing test never waits this long.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
/// For conditions nothing tells us about (a file appears, a counter moves).
pub fn poll_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
