//! The little language of `arp simulate` scripts: one input per line (our interface, a
//! datagram to send, time passing, an ARP packet arriving), run through an
//! [`ArpHost`], one printed line per thing the host does.

use std::fmt;
use std::net::Ipv4Addr;

use super::cache::ArpHost;
use super::{ArpPacket, Operation};
use crate::ethernet::MacAddr;

/// The longest single `tick` a script may ask for: one hour, far beyond the 30 s a
/// mapping lives and the 5 s between requests.
pub const MAX_TICK_MS: u64 = 3_600_000;

/// A bad line in an `arp simulate` script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "script line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ScriptError {}

/// Runs an `arp simulate` script and returns the printed lines.
///
/// ```text
/// host 10.0.0.1 02:00:00:00:00:01     # our interface (must come first)
/// send 10.0.0.9                       # an IP datagram whose next hop is 10.0.0.9
/// tick 800                            # 800 ms pass
/// reply 10.0.0.9 02:00:00:00:00:09    # an ARP reply arrives from 10.0.0.9
/// request 10.0.0.5 02:00:00:00:00:05 10.0.0.1   # 10.0.0.5 asks "who has 10.0.0.1?"
/// ```
pub fn run_script(script: &str) -> Result<Vec<String>, ScriptError> {
    let mut host: Option<ArpHost> = None;
    let mut lines = Vec::new();
    let mut next_datagram: u32 = 1;
    for (index, raw) in script.lines().enumerate() {
        let line_number = index + 1;
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let error = |reason: String| ScriptError {
            line: line_number,
            reason,
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let ip = |word: Option<&&str>| -> Result<Ipv4Addr, ScriptError> {
            let word = word.ok_or_else(|| error(format!("'{text}' misses an IP address")))?;
            crate::subnet::parse_ipv4(word).map_err(|e| error(e.to_string()))
        };
        let mac = |word: Option<&&str>| -> Result<MacAddr, ScriptError> {
            let word = word.ok_or_else(|| error(format!("'{text}' misses a MAC address")))?;
            word.parse::<MacAddr>().map_err(|e| error(e.to_string()))
        };
        if words[0] == "host" {
            let new = ArpHost::new(mac(words.get(2))?, ip(words.get(1))?);
            lines.push(format!("[{:>7}] host {} {}", "0.000s", new.ip, new.mac));
            host = Some(new);
            continue;
        }
        let Some(host) = host.as_mut() else {
            return Err(error(
                "the script must start with 'host IP MAC'".to_string(),
            ));
        };
        let stamp = |host: &ArpHost| format!("[{:>6.3}s]", host.now_ms() as f64 / 1000.0);
        let events = match words[0] {
            "send" => {
                let next_hop = ip(words.get(1))?;
                let number = next_datagram;
                next_datagram = next_datagram
                    .checked_add(1)
                    .ok_or_else(|| error("too many datagrams in one script".to_string()))?;
                host.send_datagram(number, next_hop)
            }
            "tick" => {
                let ms: u64 = words
                    .get(1)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| error("tick needs milliseconds, like 'tick 800'".to_string()))?;
                if ms > MAX_TICK_MS {
                    return Err(error(format!(
                        "tick {ms}: at most {MAX_TICK_MS} ms (one hour) per tick"
                    )));
                }
                let events = host
                    .try_tick(ms)
                    .map_err(|overflow| error(overflow.to_string()))?;
                lines.push(format!("{} {ms} ms pass", stamp(host)));
                events
            }
            "reply" => {
                let packet = ArpPacket {
                    operation: Operation::Reply,
                    sender_ip: ip(words.get(1))?,
                    sender_mac: mac(words.get(2))?,
                    target_mac: host.mac,
                    target_ip: host.ip,
                };
                lines.push(format!(
                    "{} <- ARP reply: {}",
                    stamp(host),
                    packet.summary()
                ));
                host.receive(&packet)
            }
            "request" => {
                let packet =
                    ArpPacket::request(mac(words.get(2))?, ip(words.get(1))?, ip(words.get(3))?);
                lines.push(format!(
                    "{} <- ARP request from {}: {}",
                    stamp(host),
                    packet.sender_mac,
                    packet.summary()
                ));
                host.receive(&packet)
            }
            other => {
                return Err(error(format!(
                    "unknown command '{other}': use host, send, tick, reply or request"
                )));
            }
        };
        for event in events {
            lines.push(format!("{}   {event}", stamp(host)));
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_errors_name_the_line() {
        let error = run_script("host 10.0.0.1 02:00:00:00:00:01\nsend 10.0.0.300\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(run_script("send 10.0.0.2").is_err());
    }

    #[test]
    fn tick_past_the_end_of_the_clock_is_a_script_error() {
        // Found by fuzzing: two huge ticks overflowed the millisecond clock. A tick is now
        // bounded at the parser, so the first of them is the error.
        let error =
            run_script("host 10.0.0.1 02:00:00:00:00:01\ntick 18446744073709551615\ntick 1\n")
                .unwrap_err();
        assert_eq!(error.line, 2);
    }
}
