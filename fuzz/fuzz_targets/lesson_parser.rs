//! The lesson format the lesson tests run (`testkit::lesson`, documented in
//! `lessons/README.md`): any Markdown is read into console blocks without a panic, and
//! the helpers that read those blocks (output patterns with `...`, port substitution,
//! the programs a command starts) take any text.
//!
//! The course runner's own exercise reader (`src/course.rs`) lives in the `netlab`
//! binary, which has no library target, so it cannot be reached from here.
#![no_main]

use libfuzzer_sys::fuzz_target;
use testkit::lesson;

fuzz_target!(|markdown: &str| {
    let blocks = lesson::parse(markdown);
    let line_count = markdown.lines().count();
    for block in &blocks {
        assert!(block.line >= 1 && block.line <= line_count);
        for step in &block.commands {
            let _ = lesson::programs_in(&step.command);
            let _ = lesson::packages_in(&step.command);
            let substituted = lesson::substitute_port(&step.command, 7788, 40123);
            assert!(!substituted.contains("7788") || step.command.contains("7788"));
            // Each expected line as a pattern, against the command and against itself.
            for pattern in &step.expected {
                let _ = lesson::line_matches(pattern, &step.command);
                if !pattern.contains("...") {
                    assert!(lesson::line_matches(pattern, pattern), "{pattern:?}");
                }
            }
        }
    }
});
