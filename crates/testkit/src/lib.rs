//! Test-only helpers shared by every netlab crate's tests (a dev-dependency, never
//! shipped in a binary).
//!
//! * [`Running`]: start one of our binaries, wait (with a deadline) for its readiness line
//!   `listening on udp 127.0.0.1:40123`, read the real address from it, and kill the
//!   process when the test is done, even when it fails.
//! * [`require_tool`] / [`require_root`]: a test that needs a peer tool (`nc`, `socat`,
//!   `tshark`, ...) or root prints `SKIP: ...` with the Debian package to install and
//!   returns early on a student's laptop, but fails under `CI=true`, where `.ci/run`
//!   installs everything.
//! * [`relay::LossyRelay`]: a deterministic, seeded UDP relay that drops, duplicates and
//!   reorders datagrams, so loss is tested on purpose, not by luck.
//! * [`lesson`]: runs every `console` block of a lesson as written and compares the output.
//!
//! Every wait here has a deadline; nothing sleeps to synchronise.
//!
//! Start reading at [`running`], the helper nearly every test uses. One idea per module:
//! - [`running`]: [`Running`] and [`Finished`], a child process and its readiness line
//!   ([`parse_readiness`]); `lines.rs` reads its output as it arrives;
//! - [`deadline`]: [`DEADLINE`], and [`poll_until`] for what nothing reports;
//! - [`require`]: [`require_tool`], [`require_root`] and the SKIP line ([`announce`]);
//! - [`locale`]: [`in_english`], the same text on every tester's machine;
//! - [`ports`]: [`free_port`], for a lesson command that names a fixed port;
//! - [`piped`]: [`Piped`], a binary whose pipes the test holds or closes itself;
//! - [`payload`]: [`reproducible_bytes`], seeded test data;
//! - [`scratch`]: [`Scratch`], a directory of a test's own, removed when it ends;
//! - [`relay`]: the lossy UDP relay;
//! - [`lesson`]: the lesson runner.

pub mod deadline;
pub mod lesson;
mod lines;
pub mod locale;
pub mod payload;
pub mod piped;
pub mod ports;
pub mod relay;
pub mod require;
pub mod running;
pub mod scratch;

pub use deadline::{DEADLINE, poll_until};
pub use locale::{LOCALE_VARIABLES, in_english};
pub use payload::reproducible_bytes;
pub use piped::Piped;
pub use ports::free_port;
pub use require::{announce, find_tool, in_ci, is_root, require_root, require_tool};
pub use running::{Finished, Running, parse_readiness, send_signal};
pub use scratch::Scratch;
