//! An exercise that is still `todo!()`, met by a running binary, as one line a student
//! can act on.
//!
//! In a starter copy (or after `cargo run -- reset 1.3`) a solution is replaced by
//! `todo!("Exercise 1.3 (The receive loop that reports truncation): Write ...")`. A
//! lesson command that reaches it would panic: `thread 'main' panicked at ...: not yet
//! implemented: Exercise 1.3 ...`, a backtrace note, exit status 101. That is the right
//! signal for a test, and the wrong one for a person typing the lesson's commands. Every
//! netlab binary therefore starts with
//!
//! ```no_run
//! unsolved::install();
//! ```
//!
//! and then such a panic, in any thread (a TFTP transfer runs in a thread of its own),
//! prints
//!
//! ```text
//! error: this needs Exercise 1.3 (The receive loop that reports truncation), not solved yet: cargo run -- hint 1.3
//! ```
//!
//! and ends the process with exit status 1, like every other run-time error. Any other
//! panic is a bug, and goes to Rust's usual panic message unchanged.

use std::fmt;

/// What `todo!()` puts in front of its message.
const TODO_PREFIX: &str = "not yet implemented: ";

/// An exercise named by a starter `todo!()` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsolved<'a> {
    /// `1.3`: the lesson's number, a dot, the exercise's number.
    pub id: &'a str,
    /// The exercise's title, when the message carries one (`Exercise 1.3 (TITLE): ...`).
    pub title: Option<&'a str>,
}

impl fmt::Display for Unsolved<'_> {
    /// `this needs Exercise 1.3 (TITLE), not solved yet: cargo run -- hint 1.3`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "this needs Exercise {}", self.id)?;
        if let Some(title) = self.title {
            write!(f, " ({title})")?;
        }
        write!(f, ", not solved yet: cargo run -- hint {}", self.id)
    }
}

/// Reads a panic message of the starter's `todo!()`:
/// `not yet implemented: Exercise N.M (TITLE): FIRST SENTENCE`, or the older
/// `not yet implemented: Exercise N.M: FIRST SENTENCE`. Anything else is `None`.
pub fn parse(message: &str) -> Option<Unsolved<'_>> {
    let rest = message
        .strip_prefix(TODO_PREFIX)?
        .strip_prefix("Exercise ")?;
    let id_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (id, rest) = rest.split_at(id_len);
    if !is_exercise_id(id) {
        return None;
    }
    if let Some(titled) = rest.strip_prefix(" (") {
        // The title ends at the first "): " (a title may hold parentheses of its own,
        // "(RFC 7440)", but never that pair), or at a final ")" when no sentence follows.
        let title = match titled.find("): ") {
            Some(end) => &titled[..end],
            None => titled.strip_suffix(')')?,
        };
        let title = title.trim();
        return Some(Unsolved {
            id,
            title: (!title.is_empty()).then_some(title),
        });
    }
    if rest.is_empty() || rest.starts_with(':') {
        return Some(Unsolved { id, title: None });
    }
    None
}

/// `N.M`, both numbers present.
fn is_exercise_id(id: &str) -> bool {
    match id.split_once('.') {
        Some((lesson, exercise)) => {
            !lesson.is_empty()
                && !exercise.is_empty()
                && lesson.bytes().all(|b| b.is_ascii_digit())
                && exercise.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// The text a panic was raised with: `panic!("...")` and `todo!("...")` carry a `&str`
/// or a `String`.
fn payload_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Installs the panic hook: a panic raised by a starter `todo!()`, in any thread, prints
/// one `error: this needs Exercise N.M ...` line on stderr and exits with status 1.
/// Every other panic goes to the hook that was there before (Rust's own message).
///
/// Call it first thing in `main`.
pub fn install() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        match payload_text(info.payload()).and_then(parse) {
            Some(unsolved) => {
                eprintln!("error: {unsolved}");
                // From whichever thread reached the todo!(): the program cannot do what
                // was asked without that exercise, so it ends here, as a run-time
                // failure (exit 1), rather than leaving a server running without the
                // thread that died.
                std::process::exit(1);
            }
            None => previous(info),
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titled_message_gives_the_id_and_the_title() {
        let message = "not yet implemented: Exercise 1.3 (The receive loop that reports \
                       truncation): Write `receive_loop`, the heart of `recv`.";
        let unsolved = parse(message).unwrap();
        assert_eq!(unsolved.id, "1.3");
        assert_eq!(
            unsolved.title,
            Some("The receive loop that reports truncation")
        );
        assert_eq!(
            unsolved.to_string(),
            "this needs Exercise 1.3 (The receive loop that reports truncation), \
             not solved yet: cargo run -- hint 1.3"
        );
    }

    #[test]
    fn title_with_parentheses_of_its_own_is_kept_whole() {
        let message = "not yet implemented: Exercise 2.3 (The echo server (the larger \
                       one)): Write `serve_echo`: receive (recvfrom), then send.";
        assert_eq!(
            parse(message).unwrap().title,
            Some("The echo server (the larger one)")
        );
    }

    #[test]
    fn untitled_message_of_the_older_starter_gives_the_id_alone() {
        let unsolved =
            parse("not yet implemented: Exercise 3.1: Write `hint_for`, which ...").unwrap();
        assert_eq!(
            unsolved,
            Unsolved {
                id: "3.1",
                title: None
            }
        );
        assert_eq!(
            unsolved.to_string(),
            "this needs Exercise 3.1, not solved yet: cargo run -- hint 3.1"
        );
    }

    #[test]
    fn two_digit_numbers_and_a_title_without_a_sentence_are_read() {
        let unsolved = parse("not yet implemented: Exercise 12.10 (Big one)").unwrap();
        assert_eq!(unsolved.id, "12.10");
        assert_eq!(unsolved.title, Some("Big one"));
    }

    #[test]
    fn other_panics_are_not_exercises() {
        for message in [
            "index out of bounds: the len is 3 but the index is 7",
            "not yet implemented",
            "not yet implemented: later",
            "not yet implemented: Exercise",
            "not yet implemented: Exercise 1: Write it",
            "not yet implemented: Exercise 1.: Write it",
            "not yet implemented: Exercise .3: Write it",
            "not yet implemented: Exercise 1.2.3: Write it",
            "not yet implemented: Exercise 1.3 is hard",
            "not yet implemented: Exercise 1.3 (no closing parenthesis: Write it",
            "Exercise 1.3 (Title): not from todo!()",
        ] {
            assert_eq!(parse(message), None, "{message}");
        }
    }

    #[test]
    fn payload_of_str_and_of_string_are_read() {
        let text: &str = "not yet implemented: Exercise 1.1: x";
        assert_eq!(payload_text(&text), Some(text));
        assert_eq!(payload_text(&text.to_string()), Some(text));
        assert_eq!(payload_text(&42u32), None);
    }
}
