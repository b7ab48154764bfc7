//! Reading a starter `todo!()` message: which exercise it names, and its title.

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
}
