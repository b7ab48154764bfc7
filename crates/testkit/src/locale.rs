//! Tests compare English text, whatever the tester's own language.

use std::process::Command;

/// The environment variables that choose a program's language, in the order POSIX reads
/// them (the course runner speaks Chinese when the first one set starts with `zh`).
pub const LOCALE_VARIABLES: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// Runs `command` in English whatever the tester's own locale: the tests compare English
/// text, and a student on a Chinese machine must still see them pass. `C.UTF-8` keeps
/// UTF-8 for the programs that print Chinese text on purpose.
pub fn in_english(command: &mut Command) -> &mut Command {
    for variable in LOCALE_VARIABLES {
        command.env_remove(variable);
    }
    command.env("LANG", "C.UTF-8")
}
