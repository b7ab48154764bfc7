//! How counts and durations read in our output and errors: `1 byte`, `5 bytes`, `2 s`,
//! written once so every command says them the same way.

use std::time::Duration;

/// `1 byte`, `5 bytes`.
pub fn count_bytes(count: usize) -> String {
    plural(count as u64, "byte")
}

/// `1 client`, `2 clients`: a count and a noun, with an `s` when it is not 1.
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `2 s`, `0.5 s`: a duration as a student would say it.
pub fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(2)), "2 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }
}
