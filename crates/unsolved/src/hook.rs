//! The panic hook that turns a starter `todo!()` into one `error:` line and exit status 1.

use crate::message::parse;

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
    fn payload_of_str_and_of_string_are_read() {
        let text: &str = "not yet implemented: Exercise 1.1: x";
        assert_eq!(payload_text(&text), Some(text));
        assert_eq!(payload_text(&text.to_string()), Some(text));
        assert_eq!(payload_text(&42u32), None);
    }
}
