//! The tests of exercise 3.4, which grade the solution in `server.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `server.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

/// A fake connection: reads come from `input` in pieces of `read_size`, writes take
/// at most `write_size` bytes each, and every third write is interrupted by a
/// "signal" first: what a real socket may do under pressure.
struct Trickle {
    input: Vec<u8>,
    read_size: usize,
    write_size: usize,
    writes: usize,
    output: Vec<u8>,
}

impl Read for Trickle {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.input.len().min(self.read_size).min(buffer.len());
        buffer[..count].copy_from_slice(&self.input[..count]);
        self.input.drain(..count);
        Ok(count)
    }
}

impl Write for Trickle {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        if self.writes % 3 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let count = bytes.len().min(self.write_size);
        self.output.extend_from_slice(&bytes[..count]);
        Ok(count)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pattern(length: usize) -> Vec<u8> {
    (0..length).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn exercise_3_4_partial_writes_are_finished() {
    let input = pattern(10_000);
    let mut stream = Trickle {
        input: input.clone(),
        read_size: 1000,
        write_size: 7,
        writes: 0,
        output: Vec::new(),
    };
    let mut echoed = 0;
    echo_loop(&mut stream, &mut [0u8; 1024], &mut echoed).unwrap();
    assert_eq!(stream.output, input);
    assert_eq!(echoed, 10_000);
}

#[test]
fn exercise_3_4_reads_bigger_than_the_buffer_come_back_whole() {
    let input = pattern(5000);
    let mut stream = Trickle {
        input: input.clone(),
        read_size: 5000,
        write_size: 300,
        writes: 0,
        output: Vec::new(),
    };
    let mut echoed = 0;
    echo_loop(&mut stream, &mut [0u8; 64], &mut echoed).unwrap();
    assert_eq!(stream.output, input);
}

#[test]
fn exercise_3_4_a_write_of_zero_bytes_is_an_error() {
    struct Stuck;
    impl Read for Stuck {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            buffer[0] = b'x';
            Ok(1)
        }
    }
    impl Write for Stuck {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Ok(0)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut echoed = 0;
    let error = echo_loop(&mut Stuck, &mut [0u8; 16], &mut echoed).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::WriteZero);
    assert_eq!(echoed, 0);
}

#[test]
fn exercise_3_4_a_reset_is_returned_with_the_bytes_echoed_so_far() {
    struct ResetAfterOne {
        reads: usize,
    }
    impl Read for ResetAfterOne {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if self.reads > 1 {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            buffer[..3].copy_from_slice(b"abc");
            Ok(3)
        }
    }
    impl Write for ResetAfterOne {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut echoed = 0;
    let error =
        echo_loop(&mut ResetAfterOne { reads: 0 }, &mut [0u8; 16], &mut echoed).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
    assert_eq!(echoed, 3);
}
