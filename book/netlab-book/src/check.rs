//! `check`: opens every page of both built books in headless Chromium (Debian's
//! `chromium`; `$CHROMIUM` names another) and fails on the first thing a reader would see
//! broken. No browser framework: Chromium prints the page as its scripts left it
//! (`--dump-dom`) and writes what the page logs to stderr (`--enable-logging=stderr`).
//!
//! - no console output at all (an uncaught exception or a `console.error` shows up there);
//! - every mermaid block drawn: an `<svg>` with at least one arrow (`marker-end`);
//! - every `href` and `src`, in the built files and in the page after its scripts ran (the
//!   sidebar, the exercise entries, the language switch), is a file, and its `#anchor` is an
//!   `id` in that file;
//! - the search finds `handshake` in English and `三次握手` in Chinese;
//! - a screenshot of one page of each book: `target/book-en.png`, `target/book-zh-CN.png`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::LANGUAGES;

/// What the search must find in each book.
const SEARCHES: [(&str, &str); 2] = [("en", "handshake"), ("zh-CN", "三次握手")];
/// The page shown in each screenshot, tall enough to show its first diagram.
const SCREENSHOT_PAGE: &str = "01-udp-basic.html";
const SCREENSHOT_SIZE: &str = "--window-size=1280,2400";
/// How long one page may take in Chromium before the check gives up on it.
const PAGE_DEADLINE: Duration = Duration::from_secs(90);
/// Simulated time the page's scripts get (mermaid draws, the search index loads).
const SCRIPT_TIME_MS: u32 = 15_000;
/// Pages opened at once.
const PARALLEL: usize = 3;

pub fn run(repository: &Path) -> Result<(), String> {
    let started = Instant::now();
    let chromium = find_chromium()?;
    let scratch = repository.join("target/book-check");
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;

    let mut failures = Vec::new();
    let mut pages = Vec::new();
    for language in LANGUAGES {
        let root = repository.join("book").join(language);
        if !root.join("index.html").is_file() {
            return Err(format!(
                "{} is missing: build the books first (netlab-book build)",
                root.join("index.html").display()
            ));
        }
        for page in html_files(&root) {
            // 404.html is for a web server (its links start at the site's root).
            if page.file_name().is_some_and(|n| n == "404.html") {
                continue;
            }
            pages.push(page);
        }
    }

    let mut ids = IdCache::default();
    let mut links = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
        links += check_links(page, &html, "", &mut ids, &mut failures);
    }

    let dumps = open_all(&chromium, &scratch, &pages);
    let mut diagrams = 0;
    for (page, dump) in pages.iter().zip(dumps) {
        let (dom, console) = match dump {
            Ok(dump) => dump,
            Err(e) => {
                failures.push(format!("{}: {e}", page.display()));
                continue;
            }
        };
        for line in console {
            failures.push(format!("{}: console: {line}", page.display()));
        }
        links += check_links(
            page,
            &dom,
            " (after its scripts ran)",
            &mut ids,
            &mut failures,
        );
        diagrams += check_diagrams(page, &dom, &mut failures);
        let is_sidebar = page.file_name().is_some_and(|n| n == "toc.html");
        if !is_sidebar && !dom.contains("class=\"lang-switch\"") {
            failures.push(format!("{}: no language switch", page.display()));
        }
    }

    for (language, term) in SEARCHES {
        let index = repository.join("book").join(language).join("index.html");
        let url = format!(
            "{}?search={}",
            file_url(&index),
            crate::percent::encode(term)
        );
        match chromium_dump(&chromium, &scratch, &url, "search") {
            Ok((dom, _)) => {
                let found = search_results(&dom);
                if found == 0 {
                    failures.push(format!("{language}: the search finds nothing for `{term}`"));
                } else {
                    println!("search `{term}` in {language}: {found} results");
                }
            }
            Err(e) => failures.push(format!("{language}: search: {e}")),
        }
    }

    for language in LANGUAGES {
        let page = repository.join("book").join(language).join(SCREENSHOT_PAGE);
        let png = repository.join(format!("target/book-{language}.png"));
        let _ = std::fs::remove_file(&png);
        let result = chromium_run(
            &chromium,
            &scratch,
            &[
                &format!("--screenshot={}", png.display()),
                SCREENSHOT_SIZE,
                &format!("--virtual-time-budget={SCRIPT_TIME_MS}"),
                &file_url(&page),
            ],
            "screenshot",
        );
        match (result, std::fs::metadata(&png)) {
            (Ok(_), Ok(meta)) if meta.len() > 0 => println!("screenshot {}", png.display()),
            (Err(e), _) => failures.push(format!("screenshot of {}: {e}", page.display())),
            _ => failures.push(format!("screenshot of {}: no file written", page.display())),
        }
    }

    println!(
        "checked {} pages, {links} links, {diagrams} diagrams in {:.0?}",
        pages.len(),
        started.elapsed()
    );
    if failures.is_empty() {
        println!("book check: 2 books passed, 0 failed");
        Ok(())
    } else {
        for failure in &failures {
            eprintln!("FAIL {failure}");
        }
        Err(format!(
            "the book check found {} problems (above)",
            failures.len()
        ))
    }
}

fn find_chromium() -> Result<String, String> {
    if let Ok(chromium) = std::env::var("CHROMIUM") {
        return Ok(chromium);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return Ok(name.to_string());
        }
    }
    Err("no Chromium found (apt-get install chromium, or set CHROMIUM)".into())
}

fn html_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Opens every page, `PARALLEL` at a time; the results are in the pages' order.
#[allow(clippy::type_complexity)]
fn open_all(
    chromium: &str,
    scratch: &Path,
    pages: &[PathBuf],
) -> Vec<Result<(String, Vec<String>), String>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for worker in 0..PARALLEL {
            let (next, results) = (&next, &results);
            scope.spawn(move || {
                loop {
                    let at = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(page) = pages.get(at) else { break };
                    let dump =
                        chromium_dump(chromium, scratch, &file_url(page), &worker.to_string());
                    if let Ok(mut results) = results.lock() {
                        results.insert(at, dump);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    (0..pages.len())
        .map(|at| {
            results
                .remove(&at)
                .unwrap_or_else(|| Err("not opened".into()))
        })
        .collect()
}

/// The page's DOM after its scripts ran, and the console lines it logged.
fn chromium_dump(
    chromium: &str,
    scratch: &Path,
    url: &str,
    slot: &str,
) -> Result<(String, Vec<String>), String> {
    let budget = format!("--virtual-time-budget={SCRIPT_TIME_MS}");
    let (stdout, stderr) = chromium_run(chromium, scratch, &[&budget, "--dump-dom", url], slot)?;
    let console = stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(|line| line.split_once("] ").map_or(line, |(_, m)| m).to_string())
        .collect();
    Ok((stdout, console))
}

/// Runs headless Chromium with a deadline; its stdout and stderr.
fn chromium_run(
    chromium: &str,
    scratch: &Path,
    args: &[&str],
    slot: &str,
) -> Result<(String, String), String> {
    let out_file = scratch.join(format!("{slot}.out"));
    let err_file = scratch.join(format!("{slot}.err"));
    let profile = scratch.join(format!("profile-{slot}"));
    let create = |p: &Path| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(create(&out_file)?)
        .stderr(create(&err_file)?)
        .spawn()
        .map_err(|e| format!("starting {chromium}: {e}"))?;
    let deadline = Instant::now() + PAGE_DEADLINE;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("Chromium took more than {PAGE_DEADLINE:?}"));
            }
            Err(e) => return Err(format!("waiting for Chromium: {e}")),
        }
    }
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok((read(&out_file), read(&err_file)))
}

/// Each `<pre class="mermaid">` must hold an svg with an arrow; returns how many there are.
fn check_diagrams(page: &Path, dom: &str, failures: &mut Vec<String>) -> usize {
    let static_count = std::fs::read_to_string(page)
        .map(|html| html.matches("<pre class=\"mermaid\">").count())
        .unwrap_or(0);
    let mut drawn = 0;
    for (number, block) in dom.split("<pre class=\"mermaid\"").skip(1).enumerate() {
        let block = block.split("</pre>").next().unwrap_or("");
        if !block.contains("<svg") {
            failures.push(format!(
                "{}: diagram {} not drawn",
                page.display(),
                number + 1
            ));
        } else if block.contains("Syntax error") || !block.contains("marker-end") {
            failures.push(format!(
                "{}: diagram {} drawn without an arrow (a mermaid syntax error?)",
                page.display(),
                number + 1
            ));
        } else {
            drawn += 1;
        }
    }
    if dom.matches("<pre class=\"mermaid\"").count() != static_count {
        failures.push(format!(
            "{}: {} mermaid blocks in the file, another number in the page",
            page.display(),
            static_count
        ));
    }
    static_count.max(drawn)
}

/// How many results the search list shows.
fn search_results(dom: &str) -> usize {
    let Some(start) = dom.find("id=\"mdbook-searchresults\"") else {
        return 0;
    };
    let list = &dom[start..];
    let list = list.split("</ul>").next().unwrap_or("");
    list.matches("<li").count()
}

/// The ids of each file, read once.
#[derive(Default)]
struct IdCache {
    files: HashMap<PathBuf, HashSet<String>>,
}

impl IdCache {
    fn has(&mut self, file: &Path, id: &str) -> bool {
        let ids = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            let html = std::fs::read_to_string(file).unwrap_or_default();
            attribute_values(&html, "id").into_iter().collect()
        });
        ids.contains(id)
    }
}

/// Checks every `href`/`src` of `html` (the file `page`, or its DOM); returns how many.
fn check_links(
    page: &Path,
    html: &str,
    when: &str,
    ids: &mut IdCache,
    failures: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    let dom_ids: HashSet<String> = attribute_values(html, "id").into_iter().collect();
    let mut values = attribute_values(html, "href");
    values.extend(attribute_values(html, "src"));
    for link in values {
        let Some((file, fragment)) = resolve(page, &link) else {
            continue;
        };
        checked += 1;
        if !file.is_file() {
            failures.push(format!(
                "{}{when}: broken link `{link}`: {} does not exist",
                page.display(),
                file.display()
            ));
            continue;
        }
        if fragment.is_empty() || file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let on_this_page = file == page && dom_ids.contains(&fragment);
        if !on_this_page && !ids.has(&file, &fragment) {
            failures.push(format!(
                "{}{when}: broken link `{link}`: no id `{fragment}` in {}",
                page.display(),
                file.display()
            ));
        }
    }
    checked
}

/// The file and fragment an internal link leads to; `None` for an external one.
fn resolve(page: &Path, link: &str) -> Option<(PathBuf, String)> {
    let link = unescape_html(link);
    let external = [
        "http:",
        "https:",
        "mailto:",
        "javascript:",
        "data:",
        "blob:",
        "about:",
    ];
    if link.is_empty() || external.iter().any(|scheme| link.starts_with(scheme)) {
        return None;
    }
    let (rest, fragment) = match link.split_once('#') {
        Some((rest, fragment)) => (rest.to_string(), crate::percent::decode(fragment)),
        None => (link.clone(), String::new()),
    };
    let path = rest.split('?').next().unwrap_or("").to_string();
    let mut file = if let Some(absolute) = path.strip_prefix("file://") {
        PathBuf::from(crate::percent::decode(absolute))
    } else if path.is_empty() {
        page.to_path_buf()
    } else {
        let joined = page.parent()?.join(crate::percent::decode(&path));
        normalize(&joined)
    };
    if path.ends_with('/') || file.is_dir() {
        file.push("index.html");
    }
    Some((file, fragment))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every value of the attribute `name="..."` in `html` (double-quoted, as mdBook and
/// Chromium's serializer write them).
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=\"");
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(found) = html[from..].find(&needle) {
        let start = from + found;
        let value_start = start + needle.len();
        let before = html[..start].chars().next_back();
        let Some(length) = html[value_start..].find('"') else {
            break;
        };
        // `data-href=` or `xlink:href=` are not links of the page itself.
        if before.is_some_and(char::is_whitespace) {
            values.push(html[value_start..value_start + length].to_string());
        }
        from = value_start + length + 1;
    }
    values
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn file_url(path: &Path) -> String {
    format!("file://{}", crate::percent::encode(&path.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_the_page() {
        let page = Path::new("/b/en/code/crates/x.rs.html");
        assert_eq!(
            resolve(page, "../../index.html#a%20b"),
            Some((PathBuf::from("/b/en/index.html"), "a b".into()))
        );
        assert_eq!(resolve(page, "https://example.org/"), None);
        assert_eq!(
            resolve(page, "file:///b/zh-CN/x.html?q=1"),
            Some((PathBuf::from("/b/zh-CN/x.html"), String::new()))
        );
    }

    #[test]
    fn only_whole_attribute_names_count() {
        let html = r#"<a href="a.html" data-href="no.html"><img src="i.png">"#;
        assert_eq!(attribute_values(html, "href"), ["a.html"]);
        assert_eq!(attribute_values(html, "src"), ["i.png"]);
    }
}
