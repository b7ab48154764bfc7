//! Text on the wire is bytes.
//!
//! A socket sends and receives bytes, never characters. Python makes this visible with
//! `'你好'.encode('gb2312')` and `data.decode('utf-8')`; this crate is the same step for
//! every netlab binary, with two rules the Python defaults do not give you:
//!
//! * a character the chosen encoding cannot represent is an error that names the
//!   character ([`EncodeError::Unmappable`]), never a silent `?` or `&#20320;`;
//! * bytes that are not valid in the chosen encoding decode to U+FFFD (`�`) and the
//!   caller is told ([`Decoded::had_errors`]) so it can warn.
//!
//! Encodings are named by their WHATWG labels (`utf-8`, `gbk`, `gb2312`, `gb18030`,
//! `big5`, `shift_jis`, `euc-kr`, `windows-1252`, `utf-16le`, ...), looked up through
//! `encoding_rs`. Note that the label `gb2312` means GBK on the web platform: GBK is a
//! superset of GB2312, so every GB2312 text encodes the same way, and `encoding_rs` calls
//! the result `GBK`.
//!
//! ```
//! let gbk = wire_text::TextEncoding::for_label("gb2312").unwrap();
//! assert_eq!(gbk.name(), "GBK");
//! assert_eq!(gbk.encode("你好").unwrap(), [0xc4, 0xe3, 0xba, 0xc3]);
//! assert_eq!(wire_text::hex(&[0xc4, 0xe3, 0xba, 0xc3]), "c4 e3 ba c3");
//! ```
//!
//! Start reading at [`encoding`]:
//! - [`encoding`]: [`TextEncoding`], text to bytes ([`TextEncoding::encode`]) and back
//!   ([`TextEncoding::decode`]), and why either can fail;
//! - [`hex_dump`]: bytes as hex text ([`hex`], [`hex_compact`]), as `--hex` prints them;
//! - [`hex_parse`]: hex text read back into bytes ([`parse_hex`]).

pub mod encoding;
pub mod hex_dump;
pub mod hex_parse;

pub use encoding::{Decoded, EncodeError, TextEncoding, UnknownEncoding};
pub use hex_dump::{hex, hex_compact};
pub use hex_parse::{BadHex, parse_hex};
