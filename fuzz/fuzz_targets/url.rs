//! `visit URL` and the page it fetches: any URL text is parsed or refused without a
//! panic, an accepted URL written back as `http://HOST:PORT/PATH` parses the same, and
//! the page title is found in any text without a panic.
#![no_main]

use arp_dns_walkthrough::{simulate, visit};
use libfuzzer_sys::fuzz_target;
use say::Explain;

fuzz_target!(|text: &str| {
    let _ = visit::find_title(text);
    let url = match visit::parse_url(text) {
        Ok(url) => url,
        Err(error) => {
            let _ = error.to_string();
            let _ = error.hint();
            return;
        }
    };
    assert!(!url.host.is_empty());
    // The error for a bad port says "a number from 1 to 65535": 0 is not a port to visit.
    assert_ne!(url.port, 0, "port 0 accepted in {text:?}");
    assert!(url.path.starts_with('/'));
    let written = format!("http://{}:{}{}", url.host, url.port, url.path);
    assert_eq!(
        visit::parse_url(&written).ok(),
        Some(url.clone()),
        "{written}"
    );
    let _ = simulate::http_request(&url.host, &url.path);
});
