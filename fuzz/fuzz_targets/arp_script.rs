//! `arp simulate` scripts, text a student writes: any text either runs or is refused
//! with a line number, and never panics (huge ticks, missing words, bad addresses).
#![no_main]

use arp_dns_walkthrough::arp::run_script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|script: &str| {
    match run_script(script) {
        Ok(lines) => {
            for line in lines {
                assert!(!line.contains('\n'));
            }
        }
        Err(error) => {
            assert!(error.line >= 1 && error.line <= script.lines().count());
            let _ = error.to_string();
        }
    }
});
