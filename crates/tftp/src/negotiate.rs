//! Option negotiation (RFC 2347): what the server agrees to, from a request's options.
//!
//! A client asks (`blksize=1468 windowsize=8 tsize=0`); the server answers with an OACK
//! listing only the options it accepts, each clamped to its own limits (RFC 2348 for
//! `blksize`, 2349 for `timeout` and `tsize`, 7440 for `windowsize`), and silently leaves
//! out what it does not know or will not take. With nothing accepted there is no OACK,
//! and the transfer starts as RFC 1350 describes.

use std::time::Duration;

use crate::buffers;
use crate::config::ServerConfig;
use crate::packet::{self, Direction, Request, TftpOption};
use crate::transfer::Settings;

/// What the server agreed to, from the options of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub settings: Settings,
    /// The OACK's options; empty means "no OACK, start as RFC 1350".
    pub accepted: Vec<TftpOption>,
}

/// RFC 2347: take the options we know, clamp them to our limits, ignore the rest.
/// `tsize` is the file's size for a read (when known), `window_fits` the largest window
/// our receive buffer holds for a write.
pub fn negotiate(request: &Request, config: &ServerConfig, file_size: Option<u64>) -> Negotiated {
    let mut settings = Settings {
        timeout: config.timeout,
        retries: config.retries,
        ..Settings::default()
    };
    let mut accepted = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for option in &request.options {
        let name = option.name.to_ascii_lowercase();
        if seen.contains(&name) {
            continue; // the first one wins
        }
        seen.push(name.clone());
        let number = option.value.trim().parse::<u64>().ok();
        match (name.as_str(), number) {
            ("blksize", Some(asked)) if asked >= u64::from(packet::MIN_BLKSIZE) => {
                let most = config.max_blksize.max(packet::MIN_BLKSIZE);
                let size = u16::try_from(asked).map_or(most, |asked| asked.min(most));
                settings.blksize = size;
                accepted.push(TftpOption::new("blksize", size));
            }
            // A longer wait than we allow is ignored: RFC 2349 lets us only take the
            // value asked or leave the option out, and each wait costs us a socket.
            ("timeout", Some(seconds @ 1..=255))
                if Duration::from_secs(seconds) <= config.max_timeout.max(config.timeout) =>
            {
                settings.timeout = Duration::from_secs(seconds);
                accepted.push(TftpOption::new("timeout", seconds));
            }
            ("tsize", Some(announced)) => match (request.direction, file_size) {
                (Direction::Read, Some(size)) => accepted.push(TftpOption::new("tsize", size)),
                (Direction::Write, _) => accepted.push(TftpOption::new("tsize", announced)),
                // netascii: the size on the wire is unknown until it is sent.
                (Direction::Read, None) => {}
            },
            ("windowsize", Some(asked @ 1..)) => {
                // Clamped later to what the block size allows (buffers::window_limit).
                let most = config.max_windowsize.max(1);
                let size = u16::try_from(asked).map_or(most, |asked| asked.min(most));
                settings.windowsize = size;
                accepted.push(TftpOption::new("windowsize", size));
            }
            // Unknown options, and values out of range, are ignored (RFC 2347).
            _ => {}
        }
    }
    let limit = buffers::window_limit(settings.blksize);
    let mut negotiated = Negotiated { settings, accepted };
    if negotiated.settings.windowsize > limit {
        set_window(&mut negotiated, limit);
    }
    negotiated
}

/// Replaces the `windowsize` the OACK will carry.
pub(crate) fn set_window(negotiated: &mut Negotiated, window: u16) {
    negotiated.settings.windowsize = window;
    for option in &mut negotiated.accepted {
        if option.is("windowsize") {
            option.value = window.to_string();
        }
    }
}

/// May an upload that announced `tsize` bytes go ahead, given the server's limit?
/// Without a `tsize` we cannot know in advance, so it may.
pub fn upload_fits(tsize: Option<u64>, limit: Option<u64>) -> bool {
    match (tsize, limit) {
        (Some(size), Some(limit)) => size <= limit,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::Mode;

    fn request(options: &[(&str, &str)], direction: Direction) -> Request {
        Request {
            direction,
            filename: "f".into(),
            mode: Mode::Octet,
            options: options
                .iter()
                .map(|(name, value)| TftpOption::new(name, value))
                .collect(),
        }
    }

    #[test]
    fn options_are_clamped_to_the_server_limits() {
        let mut config = ServerConfig::new(".");
        config.max_blksize = 1468;
        config.max_windowsize = 8;
        let negotiated = negotiate(
            &request(
                &[("BlkSize", "65464"), ("windowsize", "64"), ("tsize", "0")],
                Direction::Read,
            ),
            &config,
            Some(1234),
        );
        assert_eq!(negotiated.settings.blksize, 1468);
        assert_eq!(negotiated.settings.windowsize, 8);
        assert_eq!(
            negotiated.accepted,
            vec![
                TftpOption::new("blksize", 1468),
                TftpOption::new("windowsize", 8),
                TftpOption::new("tsize", 1234),
            ]
        );
    }

    #[test]
    fn unknown_and_invalid_options_are_left_out_of_the_oack() {
        let config = ServerConfig::new(".");
        let negotiated = negotiate(
            &request(
                &[
                    ("color", "blue"),
                    ("blksize", "7"),
                    ("timeout", "0"),
                    ("windowsize", "x"),
                ],
                Direction::Read,
            ),
            &config,
            Some(1),
        );
        assert!(negotiated.accepted.is_empty());
        assert_eq!(negotiated.settings.blksize, 512);
    }

    #[test]
    fn timeout_option_is_taken_as_asked() {
        let config = ServerConfig::new(".");
        let negotiated = negotiate(
            &request(&[("timeout", "3")], Direction::Write),
            &config,
            None,
        );
        assert_eq!(negotiated.settings.timeout, Duration::from_secs(3));
        assert_eq!(negotiated.accepted, vec![TftpOption::new("timeout", 3)]);
    }

    #[test]
    fn a_timeout_longer_than_the_server_waits_is_left_out() {
        let config = ServerConfig::new(".");
        let negotiated = negotiate(
            &request(&[("timeout", "255"), ("blksize", "1024")], Direction::Read),
            &config,
            Some(1),
        );
        assert_eq!(negotiated.settings.timeout, config.timeout);
        assert_eq!(negotiated.accepted, vec![TftpOption::new("blksize", 1024)]);
    }

    #[test]
    fn uploads_above_the_limit_do_not_fit() {
        assert!(upload_fits(Some(10), Some(10)));
        assert!(!upload_fits(Some(11), Some(10)));
        assert!(upload_fits(None, Some(10)));
        assert!(upload_fits(Some(11), None));
    }
}
