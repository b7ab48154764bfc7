//! What this server allows: its root, whether it takes uploads, and a limit on every
//! resource a client could ask for (block and window sizes, timeouts, the size of an
//! upload, transfers at once, a transfer's whole life). The server's loop, each request
//! and the option negotiation all read it, so it sits below them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use say::Trace;

use crate::packet;
use crate::transfer_log::TransferLog;

/// Receives the log line of each finished transfer (from the transfer's thread).
pub type Logger = Arc<dyn Fn(&TransferLog) + Send + Sync>;

/// Default for [`ServerConfig::max_at_once`].
pub const DEFAULT_MAX_AT_ONCE: usize = 64;
/// Default for [`ServerConfig::max_per_client`].
pub const DEFAULT_MAX_PER_CLIENT: usize = 16;
/// Default for [`ServerConfig::max_timeout`], in seconds.
pub const DEFAULT_MAX_TIMEOUT_SECS: u64 = 10;
/// Default for [`ServerConfig::max_transfer_time`], in seconds.
pub const DEFAULT_MAX_TRANSFER_SECS: u64 = 600;

/// Everything the server needs to know; [`ServerConfig::new`] gives the defaults.
#[derive(Clone)]
pub struct ServerConfig {
    /// Only files under this directory are served.
    pub root: PathBuf,
    /// Accept WRQ (uploads).
    pub allow_write: bool,
    /// Let an upload replace an existing file.
    pub overwrite: bool,
    /// The largest `blksize` we agree to (RFC 2348 allows up to 65464).
    pub max_blksize: u16,
    /// The largest `windowsize` we agree to (RFC 7440 allows up to 65535).
    pub max_windowsize: u16,
    /// Our retransmission timeout when the client does not ask for one.
    pub timeout: Duration,
    /// The longest `timeout` option we accept; a longer one is ignored (left out of the
    /// OACK), so we keep our own.
    pub max_timeout: Duration,
    /// Timeouts in a row before a transfer is abandoned.
    pub retries: u32,
    /// The most bytes an upload may bring: refused at once when its `tsize` says more,
    /// and stopped with ERROR 3 (the partial file removed) when more arrive.
    pub max_upload: Option<u64>,
    /// Stop after this many transfers (tests and lessons use it).
    pub max_transfers: Option<u64>,
    /// The most transfers running at once.
    pub max_at_once: usize,
    /// The most transfers running at once for one client address (IP, any port).
    pub max_per_client: usize,
    /// The longest a transfer may run, from request to end.
    pub max_transfer_time: Duration,
    /// Print every packet to stderr, each line naming its peer.
    pub trace: Trace,
    /// Called with one [`TransferLog`] at the end of every transfer.
    pub log: Option<Logger>,
}

impl ServerConfig {
    pub fn new(root: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            root: root.into(),
            allow_write: false,
            overwrite: false,
            max_blksize: packet::MAX_BLKSIZE,
            max_windowsize: 64,
            timeout: Duration::from_secs(1),
            max_timeout: Duration::from_secs(DEFAULT_MAX_TIMEOUT_SECS),
            retries: 5,
            max_upload: None,
            max_transfers: None,
            max_at_once: DEFAULT_MAX_AT_ONCE,
            max_per_client: DEFAULT_MAX_PER_CLIENT,
            max_transfer_time: Duration::from_secs(DEFAULT_MAX_TRANSFER_SECS),
            trace: Trace::OFF,
            log: None,
        }
    }
}
