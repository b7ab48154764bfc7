//! netlab-book: the course as a book. The lessons in `lessons/` (English) and
//! `lessons/zh-CN/` (中文) become two mdBook books, `book/en/` and `book/zh-CN/`, without
//! copying a lesson: each book's `book.toml` (in `book/config/LANG/`) reads the lessons in
//! place, and this program is its preprocessor.
//!
//! ```text
//! cargo run --manifest-path book/netlab-book/Cargo.toml -- serve   install, build, serve
//! cargo run --manifest-path book/netlab-book/Cargo.toml -- install the pinned tools only
//! cargo run --manifest-path book/netlab-book/Cargo.toml -- build   install, build both
//! cargo run --manifest-path book/netlab-book/Cargo.toml -- check   open every page in Chromium
//! ```
//!
//! The tools (`mdbook`, `mdbook-mermaid`) are pinned in `book/tools.txt`, and nowhere else.

mod check;
mod markdown;
mod percent;
mod preprocess;
mod serve;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The two books: the language code (also the folder of its output and of its book.toml).
pub const LANGUAGES: [&str; 2] = ["en", "zh-CN"];

const USAGE: &str = "usage: netlab-book install | build | serve [--port PORT] | check | preprocess";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["install"] => install(),
        ["build"] => install().and_then(|()| build()),
        ["serve"] => serve_command(3000),
        ["serve", "--port", port] => match port.parse::<u16>() {
            Ok(port) => serve_command(port),
            Err(_) => {
                return usage(&format!(
                    "--port takes a number from 0 to 65535, not {port}"
                ));
            }
        },
        ["check"] => check::run(&repository()),
        // mdBook asks first whether we support its renderer: every one is fine.
        ["preprocess", "supports", _renderer] => Ok(()),
        ["preprocess"] => preprocess(),
        _ => return usage("unknown command"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\n{USAGE}");
    ExitCode::from(2)
}

/// The repository this program was built in (it lives in `book/netlab-book/`).
pub fn repository() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
        .canonicalize()
        .unwrap_or_else(|_| here.join("../.."))
}

fn preprocess() -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("reading the book from mdBook: {e}"))?;
    let output = preprocess::run(&input)?;
    std::io::stdout()
        .write_all(output.as_bytes())
        .map_err(|e| format!("writing the book back to mdBook: {e}"))
}

/// The pinned tools, from `book/tools.txt`: `(name, version)`.
fn pinned_tools() -> Result<Vec<(String, String)>, String> {
    let file = repository().join("book/tools.txt");
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let mut tools = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [name, version] => tools.push((name.to_string(), version.to_string())),
            _ => {
                return Err(format!(
                    "{}: `{line}` is not `NAME VERSION`",
                    file.display()
                ));
            }
        }
    }
    Ok(tools)
}

/// Installs each pinned tool that is missing or at another version.
fn install() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (name, version) in pinned_tools()? {
        let installed = Command::new(&name)
            .arg("--version")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        let has_version = installed
            .split_whitespace()
            .any(|word| word.trim_start_matches('v') == version);
        if has_version {
            continue;
        }
        eprintln!("installing {name} {version} (cargo install --locked, a few minutes)");
        let status = Command::new(&cargo)
            .args(["install", "--locked", &name, "--version", &version])
            .status()
            .map_err(|e| format!("running {cargo} install: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo install --locked {name} --version {version} failed"
            ));
        }
    }
    Ok(())
}

/// Builds both books into `book/en/` and `book/zh-CN/`.
fn build() -> Result<(), String> {
    let book = repository().join("book");
    for language in LANGUAGES {
        let config = book.join("config").join(language);
        // Writes mermaid.min.js and mermaid-init.js, bundled in mdbook-mermaid, beside
        // book.toml (they are not kept in git); book.toml already names them.
        // It talks a lot about it: say nothing unless it fails.
        let mermaid = Command::new("mdbook-mermaid")
            .arg("install")
            .arg(&config)
            .output()
            .map_err(|e| format!("running mdbook-mermaid: {e}"))?;
        if !mermaid.status.success() {
            std::io::stderr().write_all(&mermaid.stderr).ok();
            return Err(format!(
                "mdbook-mermaid install {} failed",
                config.display()
            ));
        }
        run(Command::new("mdbook").arg("build").arg(&config))?;
    }
    eprintln!(
        "built {} and {}",
        book.join("en/index.html").display(),
        book.join("zh-CN/index.html").display()
    );
    Ok(())
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("running {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn serve_command(port: u16) -> Result<(), String> {
    install()?;
    build()?;
    serve::serve(&repository().join("book"), port)
}
