//! A test that needs a peer tool or root: SKIP on a student's laptop, a failure in CI.

use std::io::Write;
use std::path::PathBuf;

/// True when running under CI (`CI=true`), where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    matches!(
        std::env::var("CI").as_deref(),
        Ok("true") | Ok("1") | Ok("TRUE")
    )
}

/// Writes straight to the terminal: the test harness captures `println!`/`eprintln!` of
/// passing tests, but a SKIP line must be seen.
pub fn announce(line: &str) {
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "{line}");
}

/// Finds an executable on `PATH` (or an absolute path), like `command -v`.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    let candidate = PathBuf::from(tool);
    if candidate.is_absolute() {
        return is_executable(&candidate).then_some(candidate);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|path| is_executable(path))
}

fn is_executable(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file() || path.with_extension("exe").is_file()
    }
}

/// Returns true when `tool` is installed. Otherwise prints
/// `SKIP: <test> needs <tool> (apt-get install <package>)` and returns false so the
/// test can return early, or panics under CI, where the tool must be there.
pub fn require_tool(test: &str, tool: &str, package: &str) -> bool {
    if find_tool(tool).is_some() {
        return true;
    }
    if in_ci() {
        panic!("{test} needs {tool}, which CI must install: add {package} to .ci/run");
    }
    announce(&format!(
        "SKIP: {test} needs {tool} (apt-get install {package})"
    ));
    false
}

/// True when this process runs as root (uid 0). Only Linux can tell; elsewhere false.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .and_then(|line| line.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Returns true as root on Linux. Otherwise prints a SKIP line and returns false, or
/// panics under CI (which runs as root, so a namespace lab there must really run).
pub fn require_root(test: &str) -> bool {
    if is_root() {
        return true;
    }
    if in_ci() {
        panic!("{test} needs root (network namespaces or raw sockets), and CI runs as root");
    }
    announce(&format!(
        "SKIP: {test} needs root (run it with sudo -E cargo test, on Linux)"
    ));
    false
}
