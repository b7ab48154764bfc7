//! `HOST:PORT` addresses, as every netlab binary takes them.
//!
//! Python's socket calls take a tuple, `("127.0.0.1", 7788)`; on a command line we write
//! `127.0.0.1:7788`, `localhost:7788` or `[::1]:7788` (IPv6 needs the brackets, because
//! the address itself contains colons). [`resolve`] turns such text into a
//! [`SocketAddr`](std::net::SocketAddr), looking the name up like `getaddrinfo` does,
//! and [`explain_bind_error`] turns the error of a failed `bind` into a sentence and a
//! hint a student can act on.
//!
//! Start reading at [`parse`], then [`lookup`]:
//! - [`parse`]: where the host ends and the port begins ([`split`]);
//! - [`lookup`]: the host looked up, IPv4 preferred ([`resolve`]);
//! - [`error`]: what can be wrong with an address ([`AddressError`]);
//! - [`explain`]: a failed `bind` as a message and a hint ([`explain_bind_error`]), an
//!   `io::Error` as a short phrase ([`describe`]).

pub mod error;
pub mod explain;
pub mod lookup;
pub mod parse;

pub use error::AddressError;
pub use explain::{Explained, describe, explain_bind_error, suggest_high_port};
pub use lookup::resolve;
pub use parse::split;
