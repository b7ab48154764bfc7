//! RFC 2347 option negotiation on the server: any request (parsed from the datagram)
//! against any server limits. The agreed settings stay inside the RFC ranges and the
//! limits, and the OACK we would send parses back to the options we accepted.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tftp::packet::{self, Oack, Request};
use tftp::negotiate::negotiate;
use tftp::server::ServerConfig;

#[derive(Debug, Arbitrary)]
struct Limits {
    max_blksize: u16,
    max_windowsize: u16,
    file_size: Option<u64>,
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    limits: Limits,
    /// The RRQ or WRQ datagram.
    request: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let limits = input.limits;
    let Ok(request) = Request::parse(input.request) else {
        return;
    };
    let mut config = ServerConfig::new("/nonexistent-root");
    config.max_blksize = limits.max_blksize;
    config.max_windowsize = limits.max_windowsize;
    let negotiated = negotiate(&request, &config, limits.file_size);
    let settings = &negotiated.settings;

    assert!(settings.blksize >= packet::MIN_BLKSIZE);
    if negotiated
        .accepted
        .iter()
        .any(|option| option.is("blksize"))
    {
        assert!(settings.blksize <= limits.max_blksize.max(packet::MIN_BLKSIZE));
    }
    assert!(settings.windowsize >= 1);
    assert!(settings.windowsize <= limits.max_windowsize.max(1));
    assert!(settings.windowsize <= tftp::buffers::window_limit(settings.blksize));
    assert!((1..=255).contains(&settings.timeout.as_secs()));

    for option in &negotiated.accepted {
        // We only ever answer options the client asked for, each once.
        assert!(
            request.option(&option.name).is_some(),
            "{option:?} was not asked"
        );
        let same_name = negotiated
            .accepted
            .iter()
            .filter(|o| o.is(&option.name))
            .count();
        assert_eq!(same_name, 1, "{} answered twice", option.name);
        let value: u64 = option.value.parse().expect("an OACK value is a number");
        match option.name.as_str() {
            "blksize" => assert_eq!(value, u64::from(settings.blksize)),
            "windowsize" => assert_eq!(value, u64::from(settings.windowsize)),
            "timeout" => assert_eq!(value, settings.timeout.as_secs()),
            "tsize" => {}
            other => panic!("accepted an option we do not know: {other}"),
        }
    }

    let oack = Oack {
        options: negotiated.accepted.clone(),
    };
    let mut bytes = Vec::new();
    oack.encode(&mut bytes);
    assert_eq!(Oack::parse(&bytes).expect("our OACK parses"), oack);
});
