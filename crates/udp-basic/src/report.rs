//! The counting receiver of the loss experiment: how many `blast` datagrams arrived,
//! and how many came out of order (exercise 1.2 is the summary line).

use std::fmt;
use std::net::UdpSocket;
use std::time::Duration;

use crate::{UdpError, is_timeout, sequence_of};

/// What a counting receiver saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LossReport {
    pub expected: u64,
    pub received: u64,
    /// Datagrams whose sequence number was lower than one received before them.
    pub out_of_order: u64,
}

impl fmt::Display for LossReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", loss_summary(self.expected, self.received))?;
        if self.out_of_order > 0 {
            write!(f, ", {} out of order", self.out_of_order)?;
        }
        Ok(())
    }
}

/// `received 998/1000 datagrams (2 lost, 0.2%)`. More received than expected (another
/// sender on the port) counts as 0 lost; expecting 0 is 0%.
pub fn loss_summary(expected: u64, received: u64) -> String {
    // exercise 1.2: begin
    let lost = expected.saturating_sub(received);
    let percent = if expected == 0 {
        0.0
    } else {
        lost as f64 * 100.0 / expected as f64
    };
    format!("received {received}/{expected} datagrams ({lost} lost, {percent:.1}%)")
    // exercise 1.2: end
}

/// Counts datagrams until `expected` arrived or nothing came for `timeout`; the first
/// wait is for `first_timeout`, so a receiver can be started before the sender.
pub fn receive_report(
    socket: &UdpSocket,
    expected: u64,
    first_timeout: Duration,
    timeout: Duration,
) -> Result<LossReport, UdpError> {
    let mut report = LossReport {
        expected,
        received: 0,
        out_of_order: 0,
    };
    let mut highest: Option<u64> = None;
    let mut buffer = vec![0u8; 65_536];
    while report.received < expected {
        let wait = if report.received == 0 {
            first_timeout
        } else {
            timeout
        };
        socket
            .set_read_timeout(Some(wait))
            .map_err(|source| UdpError::Socket {
                doing: "setting the receive timeout",
                source,
            })?;
        match socket.recv_from(&mut buffer) {
            Ok((len, _from)) => {
                report.received += 1;
                if let Some(sequence) = sequence_of(&buffer[..len]) {
                    if highest.is_some_and(|h| sequence < h) {
                        report.out_of_order += 1;
                    }
                    highest = Some(highest.map_or(sequence, |h| h.max(sequence)));
                }
            }
            Err(error) if is_timeout(&error) => break,
            Err(source) => return Err(UdpError::Receive { source }),
        }
    }
    Ok(report)
}

#[cfg(test)]
#[path = "exercise_tests/report.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Trace, bind, blast};

    #[test]
    fn report_counts_every_datagram_when_nothing_is_lost() {
        let receiver = bind("127.0.0.1:0".parse().unwrap(), None, Trace::default()).unwrap();
        let address = receiver.local_addr().unwrap();
        blast(address, 50, 100, None, Trace::default()).unwrap();
        let report = receive_report(
            &receiver,
            50,
            Duration::from_secs(5),
            Duration::from_secs(2),
        )
        .unwrap();
        assert_eq!(report.received, 50);
        assert_eq!(report.out_of_order, 0);
    }
}
