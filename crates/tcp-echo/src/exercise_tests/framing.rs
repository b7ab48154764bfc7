//! The tests of exercises 3.2 and 3.3, which grade the solutions in `framing.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `framing.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

/// A reader that hands out its data in pieces of fixed sizes, like a socket whose
/// bytes arrive in several segments.
struct Pieces {
    pieces: Vec<Vec<u8>>,
}

impl Read for Pieces {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Some(piece) = self.pieces.first_mut() else {
            return Ok(0);
        };
        if piece.is_empty() {
            self.pieces.remove(0);
            return Err(io::ErrorKind::Interrupted.into());
        }
        let count = piece.len().min(out.len());
        out[..count].copy_from_slice(&piece[..count]);
        piece.drain(..count);
        if piece.is_empty() {
            self.pieces.remove(0);
        }
        Ok(count)
    }
}

#[test]
fn exercise_3_2_two_messages_in_one_recv_give_two_lines() {
    let mut buffer = b"hello\nworld\n".to_vec();
    assert_eq!(take_line(&mut buffer).as_deref(), Some(&b"hello"[..]));
    assert_eq!(take_line(&mut buffer).as_deref(), Some(&b"world"[..]));
    assert_eq!(take_line(&mut buffer), None);
    assert!(buffer.is_empty());
}

#[test]
fn exercise_3_2_half_a_line_waits_for_the_rest() {
    let mut buffer = b"hel".to_vec();
    assert_eq!(take_line(&mut buffer), None);
    assert_eq!(buffer, b"hel");
    buffer.extend_from_slice(b"lo\r\nwor");
    assert_eq!(take_line(&mut buffer).as_deref(), Some(&b"hello"[..]));
    assert_eq!(buffer, b"wor");
}

#[test]
fn exercise_3_2_an_empty_line_is_a_line() {
    let mut buffer = b"\nx".to_vec();
    assert_eq!(take_line(&mut buffer).as_deref(), Some(&b""[..]));
    assert_eq!(buffer, b"x");
}

#[test]
fn exercise_3_3_reads_every_piece_until_the_peer_closes() {
    let mut stream = Pieces {
        pieces: vec![
            b"hel".to_vec(),
            Vec::new(),
            b"lo wo".to_vec(),
            b"rld".to_vec(),
        ],
    };
    let mut reply = Vec::new();
    let received = receive_until_closed(&mut stream, &mut reply).unwrap();
    assert_eq!(reply, b"hello world");
    assert_eq!(
        received,
        Received {
            bytes: 11,
            recv_calls: 3
        }
    );
}

#[test]
fn exercise_3_3_gets_more_than_one_recv_buffer() {
    let big = vec![7u8; 3 * RECV_SIZE + 5];
    let mut stream = Pieces {
        pieces: vec![big.clone()],
    };
    let mut reply = Vec::new();
    let received = receive_until_closed(&mut stream, &mut reply).unwrap();
    assert_eq!(reply, big);
    assert_eq!(received.recv_calls, 4);
}

#[test]
fn exercise_3_3_passes_a_reset_on() {
    struct Reset;
    impl Read for Reset {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::ErrorKind::ConnectionReset.into())
        }
    }
    let error = receive_until_closed(&mut Reset, &mut Vec::new()).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
}
