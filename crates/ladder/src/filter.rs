//! `--filter "udp and port 69"`: which packets the ladder shows.
//!
//! A filter is a short list of terms joined by `and`; a packet is shown when every term
//! holds. The terms are a small, readable part of what tcpdump's filters say:
//! `udp`, `tcp`, `arp`, `port N` (either port), `host A.B.C.D` (either address).

use std::fmt;
use std::net::IpAddr;

use crate::decode::{Packet, Protocol};

/// What the filter accepts, for the error message.
pub const TERMS: &str = "udp, tcp, arp, port N, host A.B.C.D, joined by \"and\"";

/// One condition on a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    Udp,
    Tcp,
    Arp,
    Port(u16),
    Host(IpAddr),
}

/// Every term must hold (an empty filter shows everything).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

/// Why a filter expression was not understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterError {
    /// A word that is not a term.
    UnknownTerm(String),
    /// `port` or `host` without its value, or with a value that is not one.
    BadValue { term: &'static str, value: String },
    /// Two terms without `and` between them, or `and` with nothing after it.
    MissingAnd(String),
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::UnknownTerm(word) => {
                write!(f, "unknown filter term {word:?}; the terms are {TERMS}")
            }
            FilterError::BadValue { term, value } => {
                let wants = if *term == "port" {
                    "a port number (0 to 65535)"
                } else {
                    "an IP address"
                };
                write!(
                    f,
                    "filter term {term:?} needs {wants}, not {value:?}; the terms are {TERMS}"
                )
            }
            FilterError::MissingAnd(word) => {
                write!(
                    f,
                    "expected \"and\" between filter terms near {word:?}; the terms are {TERMS}"
                )
            }
        }
    }
}

impl std::error::Error for FilterError {}

impl Filter {
    /// Reads `udp and port 69`.
    pub fn parse(expression: &str) -> Result<Filter, FilterError> {
        let mut words = expression.split_whitespace();
        let mut terms = Vec::new();
        while let Some(word) = words.next() {
            let term = match word.to_ascii_lowercase().as_str() {
                "udp" => Term::Udp,
                "tcp" => Term::Tcp,
                "arp" => Term::Arp,
                "port" => {
                    let value = words.next().unwrap_or("");
                    let port = value.parse().map_err(|_| FilterError::BadValue {
                        term: "port",
                        value: value.to_string(),
                    })?;
                    Term::Port(port)
                }
                "host" => {
                    let value = words.next().unwrap_or("");
                    let host = value.parse().map_err(|_| FilterError::BadValue {
                        term: "host",
                        value: value.to_string(),
                    })?;
                    Term::Host(host)
                }
                _ => return Err(FilterError::UnknownTerm(word.to_string())),
            };
            terms.push(term);
            match words.next() {
                None => break,
                Some(joiner) if joiner.eq_ignore_ascii_case("and") => {
                    if words.clone().next().is_none() {
                        return Err(FilterError::MissingAnd(joiner.to_string()));
                    }
                }
                Some(other) => return Err(FilterError::MissingAnd(other.to_string())),
            }
        }
        Ok(Filter { terms })
    }

    /// True when every term holds for `packet`.
    pub fn matches(&self, packet: &Packet) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Udp => packet.protocol == Protocol::Udp,
            Term::Tcp => packet.protocol == Protocol::Tcp,
            Term::Arp => packet.protocol == Protocol::Arp,
            Term::Port(port) => packet.ports.contains(port),
            Term::Host(host) => packet.hosts.contains(host),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_and_port_69_is_two_terms() {
        assert_eq!(
            Filter::parse("udp and port 69"),
            Ok(Filter {
                terms: vec![Term::Udp, Term::Port(69)]
            })
        );
        assert_eq!(Filter::parse(""), Ok(Filter::default()));
    }

    #[test]
    fn other_words_are_errors_that_list_the_terms() {
        let error = Filter::parse("icmp").unwrap_err();
        assert_eq!(error, FilterError::UnknownTerm("icmp".into()));
        assert!(error.to_string().contains("port N"));
        assert!(matches!(
            Filter::parse("port http"),
            Err(FilterError::BadValue { term: "port", .. })
        ));
        assert!(matches!(
            Filter::parse("udp tcp"),
            Err(FilterError::MissingAnd(_))
        ));
        assert!(matches!(
            Filter::parse("udp and"),
            Err(FilterError::MissingAnd(_))
        ));
        assert!(matches!(
            Filter::parse("udp or tcp"),
            Err(FilterError::MissingAnd(_))
        ));
    }
}
