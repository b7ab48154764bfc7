//! The book's preprocessor (mdBook runs it with the book as JSON on stdin and reads the
//! changed book from stdout). It does three things to the lessons, which it never copies:
//!
//! - A link that leaves the book for code (`../crates/tftp/src/server.rs`) would point
//!   outside the built site, so it is pointed at a page of this book that shows the file:
//!   `code/crates/tftp/src/server.rs.html`, with the source in a code block. A rendered copy
//!   rather than a repository URL, because the book is read offline and must show the code
//!   of the checkout it was built from. One such page is made for every file that either
//!   language links to, so the language switch always finds the twin page.
//! - A link to a page of the other language (`../teachers.md` from the Chinese lessons) is
//!   pointed at the other book.
//! - SUMMARY.md lists each lesson's exercises as draft sub-entries named like their
//!   headings; a lesson whose exercise headings and SUMMARY.md entries differ fails the
//!   build, so the table of contents cannot drift from the lessons.
//!
//! It also puts a note at the top of the first page (what `...` in a console block means).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::markdown;

/// What the preprocessor reads from `[preprocessor.netlab]` in book.toml.
struct Settings {
    /// The lessons this book is made of (the book's `src`), absolute.
    src: PathBuf,
    /// The other language's lessons, absolute.
    twin_src: PathBuf,
    /// The other book's root, seen from this book's root (`../zh-CN/`).
    twin_book: String,
    /// The repository's root, absolute: only files inside it get a page.
    repository: PathBuf,
    /// How an exercise heading starts (`Exercise ` / `练习 `).
    exercise_heading: String,
    first_page_note: String,
    code_title: String,
    /// Said above each copy of a file; `{path}` is the file's path.
    code_note: String,
}

/// Where a link in a lesson leads.
#[derive(Debug, PartialEq)]
enum Destination {
    /// A page or file of this book: mdBook handles it.
    ThisBook,
    /// A page of the other language's book, at this path from that book's root.
    TwinPage(String),
    /// A file of the repository outside the book, by its path from the repository's root.
    Code {
        path: String,
        is_dir: bool,
    },
    Missing(PathBuf),
}

pub fn run(input: &str) -> Result<String, String> {
    let parsed: Value =
        serde_json::from_str(input).map_err(|e| format!("mdBook sent JSON we cannot read: {e}"))?;
    let (context, book) = match parsed {
        Value::Array(mut pair) if pair.len() == 2 => {
            let book = pair.pop().unwrap_or(Value::Null);
            (pair.pop().unwrap_or(Value::Null), book)
        }
        _ => return Err("mdBook sent something other than [context, book]".into()),
    };
    let settings = settings(&context)?;
    let mut book = book;
    let items = book
        .get_mut("items")
        .and_then(Value::as_array_mut)
        .ok_or("the book mdBook sent has no `items`")?;

    let mut errors = Vec::new();
    let mut code = BTreeSet::new();
    for item in items.iter_mut() {
        visit_chapters(item, &mut |chapter| {
            process_chapter(chapter, &settings, &mut code, &mut errors)
        });
    }
    collect_twin_code_links(&settings, &mut code, &mut errors);
    if let Some(Value::Object(first)) = items.first_mut() {
        if let Some(Value::Object(chapter)) = first.get_mut("Chapter") {
            add_first_page_note(chapter, &settings.first_page_note);
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\nerror: "));
    }
    if !code.is_empty() {
        // The sidebar nests entries by their section number (hidden: no-section-label).
        let last = items
            .iter()
            .filter_map(|item| item["Chapter"]["number"][0].as_u64())
            .max()
            .unwrap_or(0);
        items.push(code_chapter(&settings, &code, last + 1));
    }
    serde_json::to_string(&book).map_err(|e| format!("cannot write the book as JSON: {e}"))
}

fn settings(context: &Value) -> Result<Settings, String> {
    let root = PathBuf::from(context["root"].as_str().ok_or("no `root` in the context")?);
    let config = &context["config"];
    let ours = &config["preprocessor"]["netlab"];
    let text = |key: &str| -> Result<String, String> {
        ours[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("book.toml: [preprocessor.netlab] needs `{key}`"))
    };
    let absolute = |relative: &str| -> Result<PathBuf, String> {
        let path = root.join(relative);
        path.canonicalize()
            .map_err(|e| format!("book.toml: {}: {e}", path.display()))
    };
    let src = config["book"]["src"].as_str().unwrap_or("src");
    Ok(Settings {
        src: absolute(src)?,
        twin_src: absolute(&text("twin-src")?)?,
        twin_book: text("twin-book")?,
        repository: absolute(&text("repository")?)?,
        exercise_heading: text("exercise-heading")?,
        first_page_note: text("first-page-note")?,
        code_title: text("code-title")?,
        code_note: text("code-note")?,
    })
}

/// Calls `f` on every chapter object, depth first.
fn visit_chapters(item: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Object(chapter)) = item.get_mut("Chapter") {
        f(chapter);
        if let Some(Value::Array(sub_items)) = chapter.get_mut("sub_items") {
            for sub_item in sub_items {
                visit_chapters(sub_item, f);
            }
        }
    }
}

fn process_chapter(
    chapter: &mut Map<String, Value>,
    settings: &Settings,
    code: &mut BTreeSet<(String, bool)>,
    errors: &mut Vec<String>,
) {
    let Some(source) = chapter.get("source_path").and_then(Value::as_str) else {
        return; // a draft entry (an exercise) or a page made here
    };
    let source = PathBuf::from(source);
    let content = chapter["content"].as_str().unwrap_or("").to_string();
    check_exercises(chapter, &source, &content, settings, errors);
    // A page with no twin in the other language: the language switch goes to that book's
    // first page instead (theme/head.hbs looks for this mark).
    let content = if settings.twin_src.join(&source).is_file() {
        content
    } else {
        format!("<div id=\"netlab-no-twin\" hidden></div>\n\n{content}")
    };

    let file_dir = settings.src.join(&source);
    let file_dir = file_dir.parent().unwrap_or(&settings.src).to_path_buf();
    let to_root = "../".repeat(source.components().count().saturating_sub(1));
    let rewritten = markdown::rewrite_link_targets(&content, |target| {
        let (path, fragment) = split_target(target)?;
        match classify(&file_dir.join(path), &settings.src, settings) {
            Destination::ThisBook => None,
            Destination::TwinPage(page) => Some(format!(
                "{to_root}{}{}{}",
                settings.twin_book,
                page,
                fragment.map(|f| format!("#{f}")).unwrap_or_default()
            )),
            Destination::Code { path, is_dir } => {
                let page = code_page(&path, is_dir);
                code.insert((path, is_dir));
                Some(format!("{to_root}{}", html_path(&page)))
            }
            Destination::Missing(missing) => {
                errors.push(format!(
                    "{}: the link `{target}` leads to {}, which does not exist",
                    source.display(),
                    missing.display()
                ));
                None
            }
        }
    });
    chapter.insert("content".into(), Value::String(rewritten));
}

/// The path and fragment of a relative link target; `None` for a URL or a bare `#anchor`.
fn split_target(target: &str) -> Option<(&str, Option<&str>)> {
    if target.is_empty() || target.starts_with('#') || target.starts_with('/') {
        return None;
    }
    let before_slash = target.split('/').next().unwrap_or("");
    if before_slash.contains(':') {
        return None; // https://..., mailto:...
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (target, None),
    };
    Some((path, fragment))
}

/// Where a path met in a link in the lessons `own_src` leads.
fn classify(path: &Path, own_src: &Path, settings: &Settings) -> Destination {
    let path = normalize(path);
    let other_src = if own_src == settings.src {
        &settings.twin_src
    } else {
        &settings.src
    };
    // The English lessons hold the Chinese ones: the deeper of the two roots owns a path.
    let in_own = path.starts_with(own_src);
    let in_other = path.starts_with(other_src);
    let own_is_deeper = own_src.starts_with(other_src);
    let is_page = path.extension().is_some_and(|e| e == "md");
    if !path.exists() {
        return Destination::Missing(path);
    }
    if in_own && (!in_other || own_is_deeper) {
        return Destination::ThisBook;
    }
    if in_other && is_page {
        let relative = path.strip_prefix(other_src).unwrap_or(&path);
        let mut page = slashed(relative);
        if page == "README.md" || page.ends_with("/README.md") {
            page.truncate(page.len() - "README.md".len());
            page.push_str("index.md");
        }
        return Destination::TwinPage(html_path(&page));
    }
    match path.strip_prefix(&settings.repository) {
        Ok(relative) => Destination::Code {
            path: slashed(relative),
            is_dir: path.is_dir(),
        },
        Err(_) => Destination::Missing(path),
    }
}

/// Every code file the other language's lessons link to gets a page here too.
fn collect_twin_code_links(
    settings: &Settings,
    code: &mut BTreeSet<(String, bool)>,
    errors: &mut Vec<String>,
) {
    let entries = match std::fs::read_dir(&settings.twin_src) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(format!("reading {}: {e}", settings.twin_src.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let file = entry.path();
        if file.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for target in markdown::link_targets(&text) {
            let Some((path, _)) = split_target(&target) else {
                continue;
            };
            if let Destination::Code { path, is_dir } =
                classify(&settings.twin_src.join(path), &settings.twin_src, settings)
            {
                code.insert((path, is_dir));
            }
        }
    }
}

/// `path` with `.` and `..` worked out, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The book page (as a source path) that shows a repository file or folder.
fn code_page(path: &str, is_dir: bool) -> String {
    if is_dir {
        format!("code/{}/index.md", path.trim_end_matches('/'))
    } else {
        format!("code/{path}.md")
    }
}

fn html_path(page: &str) -> String {
    match page.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None => page.to_string(),
    }
}

/// Exercise headings and SUMMARY.md's draft sub-entries must name the same exercises.
fn check_exercises(
    chapter: &Map<String, Value>,
    source: &Path,
    content: &str,
    settings: &Settings,
    errors: &mut Vec<String>,
) {
    let plain = |text: &str| text.replace('`', "").replace('\u{2019}', "'");
    let headings: Vec<String> = markdown::headings(content, 3)
        .iter()
        .filter(|h| h.starts_with(&settings.exercise_heading))
        .map(|h| plain(h))
        .collect();
    let listed: Vec<String> = chapter["sub_items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.get("Chapter"))
        .filter(|sub| sub["path"].is_null())
        .filter_map(|sub| sub["name"].as_str())
        .map(plain)
        .collect();
    for heading in &headings {
        if !listed.contains(heading) {
            errors.push(format!(
                "SUMMARY.md: add `- [{heading}]()` under {} (its exercise heading has no entry)",
                source.display()
            ));
        }
    }
    for name in &listed {
        if !headings.contains(name) {
            errors.push(format!(
                "SUMMARY.md: the entry `{name}` under {} names no `### {}...` heading there",
                source.display(),
                settings.exercise_heading
            ));
        }
    }
}

fn add_first_page_note(chapter: &mut Map<String, Value>, note: &str) {
    let content = chapter["content"].as_str().unwrap_or("");
    let note = format!("\n> {}\n\n", note.trim().replace('\n', "\n> "));
    let with_note = match content.split_once('\n') {
        Some((title, rest)) if title.starts_with("# ") => format!("{title}\n{note}{rest}"),
        _ => format!("{note}{content}"),
    };
    chapter.insert("content".into(), Value::String(with_note));
}

/// The last chapter: a list of the files the lessons link to, each a sub-page with its source.
fn code_chapter(settings: &Settings, code: &BTreeSet<(String, bool)>, number: u64) -> Value {
    let mut list = format!("# {}\n\n", settings.code_title);
    let mut pages = Vec::new();
    for (path, is_dir) in code {
        let page = code_page(path, *is_dir);
        let shown = if *is_dir {
            format!("{path}/")
        } else {
            path.clone()
        };
        let from_list = html_path(&page);
        let from_list = from_list.strip_prefix("code/").unwrap_or(&from_list);
        let _ = writeln!(list, "- [`{shown}`]({from_list})");
        let content = if *is_dir {
            folder_page(settings, path, &shown)
        } else {
            file_page(settings, path)
        };
        let mut sub_page = chapter_json(&shown, content, &page, &settings.code_title);
        sub_page["Chapter"]["number"] = json!([number, pages.len() + 1]);
        pages.push(sub_page);
    }
    let mut chapter = chapter_json(&settings.code_title, list, "code/index.md", "");
    chapter["Chapter"]["number"] = json!([number]);
    chapter["Chapter"]["sub_items"] = Value::Array(pages);
    chapter
}

fn chapter_json(name: &str, content: String, path: &str, parent: &str) -> Value {
    let parents: Vec<&str> = if parent.is_empty() {
        vec![]
    } else {
        vec![parent]
    };
    json!({ "Chapter": {
        "name": name,
        "content": content,
        "number": null,
        "sub_items": [],
        "path": path,
        "source_path": null,
        "parent_names": parents,
    }})
}

fn file_page(settings: &Settings, path: &str) -> String {
    let file = settings.repository.join(path);
    let source = match std::fs::read(&file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("({}: {e})", file.display()),
    };
    // The fence must be longer than any run of backticks in the file.
    let longest = source.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let language = match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("rs") => "rust",
        Some("py") => "python",
        Some("toml") => "toml",
        Some("sh") => "bash",
        Some("md") => "markdown",
        Some("json") => "json",
        Some("yml" | "yaml") => "yaml",
        _ => "text",
    };
    format!(
        "# `{path}`\n\n{}\n\n{fence}{language}\n{source}\n{fence}\n",
        settings.code_note.replace("{path}", path)
    )
}

fn folder_page(settings: &Settings, path: &str, shown: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(settings.repository.join(path))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let mut name = e.file_name().to_string_lossy().into_owned();
                    if e.path().is_dir() {
                        name.push('/');
                    }
                    name
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut page = format!(
        "# `{shown}`\n\n{}\n\n",
        settings.code_note.replace("{path}", shown)
    );
    for name in names {
        let _ = writeln!(page, "- `{name}`");
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_for(repository: &Path) -> Settings {
        Settings {
            src: repository.join("lessons"),
            twin_src: repository.join("lessons/zh-CN"),
            twin_book: "../zh-CN/".into(),
            repository: repository.to_path_buf(),
            exercise_heading: "Exercise ".into(),
            first_page_note: "note".into(),
            code_title: "Code".into(),
            code_note: "A copy of {path}.".into(),
        }
    }

    #[test]
    fn links_resolve_to_this_book_the_twin_or_a_code_page() {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let repository = repository.canonicalize().unwrap();
        let settings = settings_for(&repository);
        let en = &settings.src;
        let zh = &settings.twin_src;
        assert_eq!(
            classify(&en.join("01-udp-basic.md"), en, &settings),
            Destination::ThisBook
        );
        assert_eq!(
            classify(&en.join("zh-CN/01-udp-basic.md"), en, &settings),
            Destination::TwinPage("01-udp-basic.html".into())
        );
        assert_eq!(
            classify(&zh.join("../teachers.md"), zh, &settings),
            Destination::TwinPage("teachers.html".into())
        );
        assert_eq!(
            classify(&zh.join("../README.md"), zh, &settings),
            Destination::TwinPage("index.html".into())
        );
        assert_eq!(
            classify(&en.join("../crates/tftp/src/server.rs"), en, &settings),
            Destination::Code {
                path: "crates/tftp/src/server.rs".into(),
                is_dir: false
            }
        );
        assert_eq!(
            classify(&zh.join("../../crates/tftp/src"), zh, &settings),
            Destination::Code {
                path: "crates/tftp/src".into(),
                is_dir: true
            }
        );
        assert!(matches!(
            classify(&en.join("../crates/nothing.rs"), en, &settings),
            Destination::Missing(_)
        ));
    }

    /// What mdBook sends for a one-lesson English book whose lesson is `content`, with
    /// `exercises` as SUMMARY.md's draft entries under it.
    fn input(content: &str, exercises: &[&str]) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/en");
        let drafts: Vec<Value> = exercises
            .iter()
            .map(|name| {
                json!({"Chapter": {"name": name, "content": "", "number": null,
                "sub_items": [], "path": null, "source_path": null, "parent_names": []}})
            })
            .collect();
        let context = json!({
            "root": root,
            "config": {
                "book": {"src": "../../../lessons"},
                "preprocessor": {"netlab": {
                    "repository": "../../..",
                    "twin-src": "../../../lessons/zh-CN",
                    "twin-book": "../zh-CN/",
                    "exercise-heading": "Exercise ",
                    "first-page-note": "`...` is a wildcard.",
                    "code-title": "Code",
                    "code-note": "A copy of `{path}`.",
                }},
            },
            "renderer": "html",
            "mdbook_version": "0.5.4",
        });
        let book = json!({"items": [{"Chapter": {
            "name": "Lesson 4", "content": content, "number": null, "sub_items": drafts,
            "path": "04-tftp.md", "source_path": "04-tftp.md", "parent_names": []}}]});
        json!([context, book]).to_string()
    }

    #[test]
    fn a_link_to_code_gets_a_page_with_the_source() {
        let lesson = "# Lesson 4\n\nRead [the server](../crates/tftp/src/server.rs#serve).\n\n\
                      ### Exercise 4.1: Parse an ACK\n";
        let output = run(&input(lesson, &["Exercise 4.1: Parse an ACK"])).unwrap();
        let book: Value = serde_json::from_str(&output).unwrap();
        let lesson = book["items"][0]["Chapter"]["content"].as_str().unwrap();
        assert!(
            lesson.contains("[the server](code/crates/tftp/src/server.rs.html)"),
            "{lesson}"
        );
        assert!(lesson.contains("> `...` is a wildcard."), "{lesson}");
        let code = &book["items"][1]["Chapter"];
        assert_eq!(code["path"], "code/index.md");
        let page = &code["sub_items"][0]["Chapter"];
        assert_eq!(page["path"], "code/crates/tftp/src/server.rs.md");
        let source = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/tftp/src/server.rs"),
        )
        .unwrap();
        assert!(page["content"].as_str().unwrap().contains(&source));
    }

    #[test]
    fn an_exercise_missing_from_the_summary_fails_the_build() {
        let lesson = "# Lesson 4\n\n### Exercise 4.1: Parse an ACK\n### Exercise 4.2: New\n";
        let error = run(&input(
            lesson,
            &["Exercise 4.1: Parse an ACK", "Exercise 4.9: Old"],
        ))
        .unwrap_err();
        assert!(error.contains("add `- [Exercise 4.2: New]()`"), "{error}");
        assert!(error.contains("`Exercise 4.9: Old`"), "{error}");
    }

    #[test]
    fn a_link_to_a_missing_file_fails_the_build() {
        let lesson = "# Lesson 4\n\nSee [this](../crates/tftp/src/gone.rs).\n";
        let error = run(&input(lesson, &[])).unwrap_err();
        assert!(error.contains("`../crates/tftp/src/gone.rs`"), "{error}");
    }

    #[test]
    fn urls_and_anchors_are_left_alone() {
        assert_eq!(split_target("https://example.org/a"), None);
        assert_eq!(split_target("#time_wait"), None);
        assert_eq!(
            split_target("03-tcp-echo.md#time_wait"),
            Some(("03-tcp-echo.md", Some("time_wait")))
        );
    }
}
