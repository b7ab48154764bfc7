//! `netlab`, the course runner.
//!
//! ```text
//! cargo run            the lessons, in order, with the command that tests each
//! cargo run -- tour    a short live demo of every exercise, on loopback, offline
//! ```
//!
//! The lessons themselves are in `lessons/`; each exercise is a crate in `crates/`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod course;

/// The netlab course: network programming by running real protocols.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Print the lessons, in order (the default).
    Lessons,
    /// Run a short live demo of every exercise (loopback only, nothing to install).
    Tour,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let result = match cli.command.unwrap_or(Command::Lessons) {
        Command::Lessons => course::print_lessons(&mut stdout).map_err(|e| e.to_string()),
        Command::Tour => course::tour(&mut stdout),
    };
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) if message.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
