//! DNS messages: how a name becomes an IP address, byte by byte.
//!
//! RFC 1035 §4.1: a 12-byte header, then the question, answer, authority and additional
//! sections. The module is cut the way a message is read:
//!
//! * [`header`]: the ID, the named flags (`response`, `truncated`, ...) and [`Rcode`];
//! * [`name`]: names on the wire, compression pointers included (exercise 5.4,
//!   [`read_name`], starts here);
//! * [`record`]: questions and resource records, and the record types we decode;
//! * [`message`]: the whole message, parsed and encoded;
//! * `annotate`: the offset / bytes / meaning lines of `dns parse`;
//! * [`resolve`]: a resolver (UDP, then TCP when the answer is truncated);
//! * [`server`]: a tiny responder for a fixed zone, so the lesson works offline.
//!
//! Start with [`header`], then [`name`]: the rest follows the bytes in order.

mod annotate;
pub mod header;
pub mod message;
pub mod name;
pub mod record;
pub mod resolve;
pub mod server;

pub use header::{Header, Rcode, field};
pub use message::{EncodeError, Message, ParseError};
pub use name::{MAX_LABEL_LEN, MAX_NAME_LEN, NameError, NameWriter, name_labels, read_name};
pub use record::{Question, Record, RecordData, RecordType, UnknownType};
