//! The demos `cargo run -- tour` runs: one per exercise crate, each that crate's own
//! `tour` (in its `tour.rs`), compiled into this binary so the tour needs no workspace.
//!
//! In a starter copy a demo can reach an exercise that is still `todo!()`; its panic is
//! caught here and turned into the exercise's name, so the student sees what to solve
//! instead of a backtrace.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// What a demo returns: each crate's `tour` reports any error it meets.
pub type DemoResult = Result<(), Box<dyn std::error::Error>>;

/// A demo: a title and the function that runs it.
pub type Demo = (&'static str, fn(&mut dyn Write) -> DemoResult);

/// The demos, one per exercise crate, in lesson order. Add each new crate's
/// `<crate>::tour` here (and the crate to the root Cargo.toml's [dependencies]).
pub const DEMOS: &[Demo] = &[
    ("1  udp-basic: one datagram, two encodings", udp_basic::tour),
    ("2  udp-bind: ports, echo and broadcast", udp_bind::tour),
    (
        "3  tcp-echo: a stream, a handshake, a backlog",
        tcp_echo::tour,
    ),
    ("4  tftp: reliability built by hand on UDP", tftp::tour),
    (
        "5  arp-dns-walkthrough: from netmask to web page",
        arp_dns_walkthrough::tour,
    ),
];

/// Runs one demo, catching the panic of an exercise that is still `todo!()` (in the
/// demo's own thread or in a server thread it started) so the student sees which
/// exercise to solve instead of a backtrace. Returns the panic's message in that case.
pub fn run_demo(
    demo: fn(&mut dyn Write) -> DemoResult,
    out: &mut dyn Write,
) -> Result<DemoResult, String> {
    let first_panic: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&first_panic);
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut slot = sink.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| panic_text(info.payload()));
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| demo(out)));
    std::panic::set_hook(previous_hook);
    let panicked = first_panic.lock().unwrap_or_else(|e| e.into_inner()).take();
    // `todo!("Exercise 2.3: ...")` panics with "not yet implemented: Exercise 2.3: ...".
    let unsolved = |message: String| {
        message
            .strip_prefix("not yet implemented: ")
            .map(str::to_string)
            .unwrap_or(message)
    };
    match (result, panicked) {
        (_, Some(message)) => Err(unsolved(message)),
        (Ok(outcome), None) => Ok(outcome),
        (Err(payload), None) => Err(unsolved(panic_text(payload.as_ref()))),
    }
}

/// The text a panic was raised with (`panic!("...")`, `todo!("...")`).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "a demo stopped".to_string())
}
