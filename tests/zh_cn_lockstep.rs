//! The Chinese edition (`lessons/zh-CN/`) is the English course, translated, and never
//! drifts from it: for every lesson `lessons/NN-x.md` its twin `lessons/zh-CN/NN-x.md`
//! has
//!
//! * the same ```` ```console ```` blocks in the same order, byte for byte (info string
//!   and tags, commands, expected output), and so does `lessons/zh-CN/README.md` against
//!   `lessons/README.md`;
//! * the same exercises (`### 练习 N.M：标题` for `### Exercise N.M: Title`), in the same
//!   order, each with a statement (whose first sentence, up to `。`, is the runner's
//!   summary) and as many hints (`提示`, `提示 2` for `Hint`, `Hint 2`);
//! * the same relative links and images: the same files of the repository (the twin sits
//!   one directory deeper, so `../crates/x` becomes `../../crates/x`; a link to another
//!   lesson points to its Chinese twin), anchors aside, and every one of them exists.
//!
//! A difference fails naming the lesson, the block or exercise, and both texts. To change
//! a lesson, change both files (see `lessons/README.md`); this test tells you what is
//! left.
//!
//! Why the Chinese lessons are not run as well: their console blocks are proven here to
//! be the very blocks of the English lessons, which `tests/lesson_NN_*.rs` run as
//! written. Running the Chinese ones too would repeat the same commands, with the same
//! output, and double the lessons' share of the suite's time for nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Where the Chinese twins live, relative to `lessons/`.
const TWIN_DIR: &str = "zh-CN";

// ---- reading Markdown ----

/// A fenced code block: its lines from the opening fence to the closing one, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fenced {
    /// 1-based line of the opening fence.
    line: usize,
    /// The info string: `console background`.
    info: String,
    /// The whole block as written, fences included.
    text: String,
}

/// The opening fence of a line (CommonMark: up to three spaces, then three or more
/// backticks or tildes): the fence character, its length and the info string.
fn opening_fence(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let fence = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.chars().take_while(|c| *c == fence).count();
    if length < 3 {
        return None;
    }
    let info = rest[length..].trim();
    if fence == '`' && info.contains('`') {
        return None;
    }
    Some((fence, length, info))
}

/// Whether `line` closes a block opened with `length` times `fence`.
fn closes(line: &str, fence: char, length: usize) -> bool {
    let trimmed = line.trim();
    let indent = line.len() - line.trim_start_matches(' ').len();
    indent <= 3 && trimmed.len() >= length && trimmed.chars().all(|c| c == fence)
}

/// Every fenced block of a Markdown text, and for each line whether it is inside one.
fn fenced_blocks(markdown: &str) -> (Vec<Fenced>, Vec<bool>) {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut inside = vec![false; lines.len()];
    let mut index = 0;
    while index < lines.len() {
        let Some((fence, length, info)) = opening_fence(lines[index]) else {
            index += 1;
            continue;
        };
        let start = index;
        index += 1;
        while index < lines.len() && !closes(lines[index], fence, length) {
            index += 1;
        }
        // An unclosed block runs to the end of the file, as in CommonMark.
        let end = index.min(lines.len() - 1);
        for flag in &mut inside[start..=end] {
            *flag = true;
        }
        blocks.push(Fenced {
            line: start + 1,
            info: info.to_string(),
            text: lines[start..=end].join("\n"),
        });
        index += 1;
    }
    (blocks, inside)
}

/// The ```` ```console ```` blocks, in order.
fn console_blocks(markdown: &str) -> Vec<Fenced> {
    fenced_blocks(markdown)
        .0
        .into_iter()
        .filter(|block| block.info.split_whitespace().next() == Some("console"))
        .collect()
}

/// One exercise as a lesson states it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Exercise {
    id: String,
    line: usize,
    title: String,
    statement: String,
    /// The hints' labels, in order: `Hint`, `Hint 2` (`提示`, `提示 2`).
    hints: Vec<String>,
}

/// The words of one language's exercise markers.
struct Markers {
    /// An exercise heading, as the message of a malformed one shows it.
    pattern: &'static str,
    section: &'static str,
    heading: &'static str,
    colon: char,
    hint: &'static str,
}

const ENGLISH: Markers = Markers {
    pattern: "### Exercise N.M: Title",
    section: "## Exercises",
    heading: "### Exercise ",
    colon: ':',
    hint: "Hint",
};

const CHINESE: Markers = Markers {
    pattern: "### 练习 N.M：标题",
    section: "## 练习",
    heading: "### 练习 ",
    colon: '：',
    hint: "提示",
};

/// The exercises of a lesson, read with `markers`; a heading that starts like an exercise
/// but is not one exactly (`### 练习 1.2: x` with an ASCII colon) is an error.
fn exercises(markdown: &str, markers: &Markers) -> Result<Vec<Exercise>, String> {
    let (_, inside) = fenced_blocks(markdown);
    let mut found: Vec<Exercise> = Vec::new();
    let mut in_exercise = false;
    let mut in_hint = false;
    for (index, line) in markdown.lines().enumerate() {
        if inside[index] {
            if in_exercise && !in_hint {
                let exercise = found.last_mut().expect("in_exercise means one was found");
                exercise.statement.push_str(line);
                exercise.statement.push('\n');
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            in_exercise = false;
            in_hint = false;
            let Some(rest) = trimmed.strip_prefix(markers.heading) else {
                continue;
            };
            let Some((id, title)) = rest.split_once(markers.colon) else {
                return Err(format!(
                    "line {}: `{trimmed}` is not `{}`",
                    index + 1,
                    markers.pattern
                ));
            };
            let well_formed = id.split_once('.').is_some_and(|(a, b)| {
                [a, b]
                    .iter()
                    .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            });
            if !well_formed || title.trim().is_empty() {
                return Err(format!(
                    "line {}: `{trimmed}` is not `{}`",
                    index + 1,
                    markers.pattern
                ));
            }
            found.push(Exercise {
                id: id.to_string(),
                line: index + 1,
                title: title.trim().to_string(),
                statement: String::new(),
                hints: Vec::new(),
            });
            in_exercise = true;
            continue;
        }
        if !in_exercise {
            continue;
        }
        let exercise = found.last_mut().expect("in_exercise means one was found");
        if trimmed.starts_with("<details>") {
            let label = trimmed
                .split_once("<summary>")
                .and_then(|(_, rest)| rest.split_once("</summary>"))
                .map(|(label, _)| label.trim().to_string());
            match label {
                Some(label) if label.starts_with(markers.hint) => {
                    exercise.hints.push(label);
                    in_hint = true;
                }
                // Some other <details>: neither statement nor hint.
                _ => in_hint = true,
            }
        } else if trimmed == "</details>" {
            in_hint = false;
        } else if !in_hint {
            exercise.statement.push_str(line);
            exercise.statement.push('\n');
        }
    }
    if !found.is_empty() && !markdown.lines().any(|line| line.trim() == markers.section) {
        return Err(format!(
            "it has exercises but no `{}` section heading",
            markers.section
        ));
    }
    Ok(found)
}

/// `path` with `.` and `..` resolved, as a repository path with `/` separators.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            // `a/..` is nothing; `..` at the start (leaving the repository) stays.
            Component::ParentDir => match parts.last() {
                Some(last) if last != ".." => {
                    parts.pop();
                }
                _ => parts.push("..".to_string()),
            },
            Component::Normal(part) => parts.push(part.to_string_lossy().to_string()),
            _ => {}
        }
    }
    parts.join("/")
}

/// Whether a link target leaves the repository: a URL, an e-mail address, or only an
/// anchor in the same page.
fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:") || target.starts_with('#')
}

/// The relative link and image targets of a Markdown text outside code (`[x](t)`,
/// `![x](t)`, `[x]: t`, `src="t"`, `href="t"`), without their `#anchor` or title.
fn relative_targets(markdown: &str) -> Vec<(usize, String)> {
    let (_, inside) = fenced_blocks(markdown);
    let mut targets = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        if inside[index] {
            continue;
        }
        // Inline code spans are text, not links: drop them first.
        let mut text = String::new();
        for (part, piece) in line.split('`').enumerate() {
            if part % 2 == 0 {
                text.push_str(piece);
                text.push(' ');
            }
        }
        let mut found: Vec<String> = Vec::new();
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].to_string());
            }
        }
        for attribute in ["src=\"", "href=\""] {
            for (at, _) in text.match_indices(attribute) {
                let rest = &text[at + attribute.len()..];
                if let Some(end) = rest.find('"') {
                    found.push(rest[..end].to_string());
                }
            }
        }
        let trimmed = text.trim();
        if trimmed.starts_with('[') {
            if let Some((_, rest)) = trimmed.split_once("]: ") {
                found.push(rest.to_string());
            }
        }
        for target in found {
            let target = target.trim().trim_start_matches('<');
            let target = target.split_whitespace().next().unwrap_or("");
            let target = target.trim_end_matches('>');
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() || is_external(target) {
                continue;
            }
            targets.push((index + 1, path.to_string()));
        }
    }
    targets
}

/// The repository files a lesson links to. `file` is the lesson's repository path; a
/// target inside `lessons/zh-CN/` counts as its English twin (`lessons/...`), and a link
/// from a lesson to its own twin (the other language of the same page) is left out.
fn linked_files(markdown: &str, file: &str) -> BTreeSet<String> {
    let twin_prefix = format!("lessons/{TWIN_DIR}/");
    let english_of = |path: &str| match path.strip_prefix(&twin_prefix) {
        Some(rest) => format!("lessons/{rest}"),
        None => path.to_string(),
    };
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    let itself = english_of(file);
    relative_targets(markdown)
        .into_iter()
        .map(|(_, target)| english_of(&normalise(&dir.join(target))))
        .filter(|path| *path != itself)
        .collect()
}

// ---- comparing the twins ----

/// The English lessons, `lessons/NN-x.md`, as repository paths, in order.
fn english_lessons() -> Vec<String> {
    let mut lessons: Vec<String> = fs::read_dir(Path::new(ROOT).join("lessons"))
        .expect("lessons/ is readable")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().to_string();
            let (digits, rest) = name.split_once('-')?;
            let numbered = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
            (numbered && !rest.is_empty() && name.ends_with(".md"))
                .then(|| format!("lessons/{name}"))
        })
        .collect();
    lessons.sort();
    assert!(!lessons.is_empty(), "no lessons/NN-*.md found");
    lessons
}

/// `lessons/01-x.md` → `lessons/zh-CN/01-x.md`.
fn twin_of(english: &str) -> String {
    let name = english.strip_prefix("lessons/").unwrap_or(english);
    format!("lessons/{TWIN_DIR}/{name}")
}

fn read(file: &str) -> Result<String, String> {
    fs::read_to_string(Path::new(ROOT).join(file)).map_err(|e| format!("{file}: {e}"))
}

/// Both files of a pair, or a problem saying which one is missing.
fn read_pair(english: &str) -> Result<(String, String), String> {
    let twin = twin_of(english);
    let chinese = read(&twin).map_err(|e| {
        format!("{e}\n  every lesson needs its Chinese twin: translate {english} into {twin}")
    })?;
    Ok((read(english)?, chinese))
}

/// The differences between the console blocks of `english` (file `en_file`) and
/// `chinese` (file `zh_file`), one message each.
fn compare_console_blocks(
    en_file: &str,
    english: &str,
    zh_file: &str,
    chinese: &str,
) -> Vec<String> {
    let en = console_blocks(english);
    let zh = console_blocks(chinese);
    let mut problems = Vec::new();
    for number in 0..en.len().max(zh.len()) {
        match (en.get(number), zh.get(number)) {
            (Some(a), Some(b)) if a.text == b.text => {}
            (Some(a), Some(b)) => problems.push(format!(
                "{zh_file}: console block {} differs from {en_file}'s\n\
                 --- {en_file}, line {}:\n{}\n--- {zh_file}, line {}:\n{}",
                number + 1,
                a.line,
                a.text,
                b.line,
                b.text
            )),
            (Some(a), None) => problems.push(format!(
                "{zh_file}: console block {} is missing (it has {} blocks, {en_file} has {})\n\
                 --- {en_file}, line {}:\n{}",
                number + 1,
                zh.len(),
                en.len(),
                a.line,
                a.text
            )),
            (None, Some(b)) => problems.push(format!(
                "{zh_file}: console block {} is extra (it has {} blocks, {en_file} has {})\n\
                 --- {zh_file}, line {}:\n{}",
                number + 1,
                zh.len(),
                en.len(),
                b.line,
                b.text
            )),
            (None, None) => {}
        }
    }
    problems
}

/// The differences between the exercises of a lesson and of its twin.
fn compare_exercises(en_file: &str, english: &str, zh_file: &str, chinese: &str) -> Vec<String> {
    let en = match exercises(english, &ENGLISH) {
        Ok(found) => found,
        Err(problem) => return vec![format!("{en_file}: {problem}")],
    };
    let zh = match exercises(chinese, &CHINESE) {
        Ok(found) => found,
        Err(problem) => return vec![format!("{zh_file}: {problem}")],
    };
    let ids = |list: &[Exercise]| list.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    if ids(&en) != ids(&zh) {
        return vec![format!(
            "{zh_file}: exercises {:?}, but {en_file} has {:?} (same ids, same order: \
             `### 练习 N.M：标题`)",
            ids(&zh),
            ids(&en)
        )];
    }
    let mut problems = Vec::new();
    for (a, b) in en.iter().zip(&zh) {
        let where_ = format!("{zh_file}: exercise {} (line {})", b.id, b.line);
        if b.statement.trim().is_empty() {
            problems.push(format!("{where_} has no statement"));
        } else if !b.statement.contains('。') {
            problems.push(format!(
                "{where_}: its statement has no `。`; its first sentence, up to the first \
                 `。`, is what the runner shows as the exercise's summary:\n{}",
                b.statement.trim()
            ));
        }
        let translated: Vec<String> = a
            .hints
            .iter()
            .map(|label| label.replacen(ENGLISH.hint, CHINESE.hint, 1))
            .collect();
        if b.hints != translated {
            problems.push(format!(
                "{where_}: hints {:?}, but {en_file} line {} has {:?} (so {:?} here)",
                b.hints, a.line, a.hints, translated
            ));
        }
        if b.title.is_empty() {
            problems.push(format!("{where_} has no title"));
        }
    }
    problems
}

/// The differences between the files a lesson and its twin link to, and the twin's
/// links that lead nowhere.
fn compare_links(en_file: &str, english: &str, zh_file: &str, chinese: &str) -> Vec<String> {
    let mut problems = broken_links(zh_file, chinese);
    let en = linked_files(english, en_file);
    let zh = linked_files(chinese, zh_file);
    let missing: Vec<&String> = en.difference(&zh).collect();
    let extra: Vec<&String> = zh.difference(&en).collect();
    if !missing.is_empty() || !extra.is_empty() {
        problems.push(format!(
            "{zh_file}: links and images differ from {en_file}'s\n  only in {en_file}: \
             {missing:?}\n  only in {zh_file}: {extra:?}"
        ));
    }
    problems
}

/// The relative links of `markdown` (the file `file`) whose file does not exist.
fn broken_links(file: &str, markdown: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = Path::new(file).parent().unwrap_or(Path::new(""));
    for (line, target) in relative_targets(markdown) {
        let path = normalise(&dir.join(&target));
        if !Path::new(ROOT).join(&path).exists() {
            problems.push(format!(
                "{file} line {line}: `{target}` leads nowhere ({path} does not exist; the \
                 Chinese lessons are one directory deeper: `../` becomes `../../`)"
            ));
        }
    }
    problems
}

/// Fails with every problem, one paragraph each.
fn report(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s)\n\n{}\n\nChange both files together: the English lesson and \
         its twin in lessons/{TWIN_DIR}/.",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Runs `compare` on every lesson and its twin; a missing twin is a problem too.
fn each_lesson(compare: fn(&str, &str, &str, &str) -> Vec<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for english in english_lessons() {
        match read_pair(&english) {
            Ok((en, zh)) => problems.extend(compare(&english, &en, &twin_of(&english), &zh)),
            Err(problem) => problems.push(problem),
        }
    }
    problems
}

#[test]
fn every_lesson_has_its_chinese_twin() {
    let problems = english_lessons()
        .iter()
        .chain(std::iter::once(&"lessons/README.md".to_string()))
        .filter_map(|english| read_pair(english).err())
        .collect();
    report("missing Chinese lessons", problems);
}

#[test]
fn chinese_lessons_have_the_english_console_blocks_in_order() {
    let mut problems = each_lesson(compare_console_blocks);
    match read_pair("lessons/README.md") {
        Ok((en, zh)) => problems.extend(compare_console_blocks(
            "lessons/README.md",
            &en,
            &twin_of("lessons/README.md"),
            &zh,
        )),
        Err(problem) => problems.push(problem),
    }
    report("console blocks", problems);
}

#[test]
fn chinese_lessons_have_the_same_exercises_each_with_statement_and_hints() {
    report("exercises", each_lesson(compare_exercises));
}

#[test]
fn chinese_lessons_link_to_the_same_files_and_images() {
    let mut problems = each_lesson(compare_links);
    // The Chinese README may link to more (the root README.zh-CN.md, say), but never to
    // a file that is not there.
    let readme = twin_of("lessons/README.md");
    match read(&readme) {
        Ok(text) => problems.extend(broken_links(&readme, &text)),
        Err(problem) => problems.push(problem),
    }
    report("links and images", problems);
}

// ---- the comparisons themselves, on small texts ----

const EN_LESSON: &str = "# Lesson 1 — Ping\n\nSee [the server](../crates/ping/src/lib.rs), \
    [lesson 2](02-next.md#bind) and ![a diagram](img/ping.svg).\n\n\
    ```console background\n$ cargo run -q -p ping -- serve\nlistening on udp 127.0.0.1:7788\n```\n\n\
    ````markdown\n```console\n$ not a block of its own\n```\n````\n\n\
    ## Exercises\n\n### Exercise 1.1: The port\n\nWrite `port`. It wraps.\n\n\
    <details><summary>Hint</summary>\n\nUse `u16`.\n\n</details>\n\n\
    <details><summary>Hint 2</summary>\n\n```rust\nlet x = 1;\n```\n\n</details>\n";

const ZH_LESSON: &str = "# 第 1 课 — Ping\n\n见[服务器](../../crates/ping/src/lib.rs)、\
    [第 2 课](02-next.md#绑定)和 ![示意图](../img/ping.svg)；`[不是](链接)`。\
    [英文版](../01-ping.md)\n\n\
    ```console background\n$ cargo run -q -p ping -- serve\nlistening on udp 127.0.0.1:7788\n```\n\n\
    ````markdown\n```console\n$ 不是单独的块\n```\n````\n\n\
    ## 练习\n\n### 练习 1.1：端口\n\n写出 `port`。它会回绕。\n\n\
    <details><summary>提示</summary>\n\n用 `u16`。\n\n</details>\n\n\
    <details><summary>提示 2</summary>\n\n```rust\nlet x = 1;\n```\n\n</details>\n";

const EN_FILE: &str = "lessons/01-ping.md";
const ZH_FILE: &str = "lessons/zh-CN/01-ping.md";

#[test]
fn twins_that_agree_show_no_difference() {
    assert_eq!(
        compare_console_blocks(EN_FILE, EN_LESSON, ZH_FILE, ZH_LESSON),
        Vec::<String>::new()
    );
    assert_eq!(
        compare_exercises(EN_FILE, EN_LESSON, ZH_FILE, ZH_LESSON),
        Vec::<String>::new()
    );
    assert_eq!(
        linked_files(EN_LESSON, EN_FILE),
        linked_files(ZH_LESSON, ZH_FILE)
    );
    assert_eq!(
        linked_files(ZH_LESSON, ZH_FILE),
        BTreeSet::from([
            "crates/ping/src/lib.rs".to_string(),
            "lessons/02-next.md".to_string(),
            "lessons/img/ping.svg".to_string(),
        ])
    );
}

#[test]
fn a_changed_console_block_is_reported_with_its_number_and_both_texts() {
    let changed = ZH_LESSON.replace("listening on udp", "正在监听 udp");
    let problems = compare_console_blocks(EN_FILE, EN_LESSON, ZH_FILE, &changed);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert!(problem.contains("console block 1 differs"), "{problem}");
    assert!(
        problem.contains("listening on udp 127.0.0.1:7788"),
        "{problem}"
    );
    assert!(problem.contains("正在监听 udp 127.0.0.1:7788"), "{problem}");
    let retagged = ZH_LESSON.replace("```console background", "```console");
    assert_eq!(
        compare_console_blocks(EN_FILE, EN_LESSON, ZH_FILE, &retagged).len(),
        1
    );
}

#[test]
fn a_wrong_exercise_marker_or_hint_count_is_reported() {
    let ascii_colon = ZH_LESSON.replace("### 练习 1.1：端口", "### 练习 1.1: 端口");
    let problems = compare_exercises(EN_FILE, EN_LESSON, ZH_FILE, &ascii_colon);
    assert!(
        problems[0].contains("is not `### 练习 N.M："),
        "{problems:?}"
    );
    let one_hint = ZH_LESSON.replace("<summary>提示 2</summary>", "<summary>更多</summary>");
    let problems = compare_exercises(EN_FILE, EN_LESSON, ZH_FILE, &one_hint);
    assert!(problems[0].contains("hints [\"提示\"]"), "{problems:?}");
    let renumbered = ZH_LESSON.replace("练习 1.1：", "练习 1.2：");
    let problems = compare_exercises(EN_FILE, EN_LESSON, ZH_FILE, &renumbered);
    assert!(problems[0].contains("exercises [\"1.2\"]"), "{problems:?}");
}

#[test]
fn a_link_not_moved_one_directory_deeper_is_reported() {
    let shallow = ZH_LESSON.replace("../../crates/", "../crates/");
    let en = linked_files(EN_LESSON, EN_FILE);
    let zh = linked_files(&shallow, ZH_FILE);
    assert!(zh.contains("lessons/crates/ping/src/lib.rs"), "{zh:?}");
    assert_ne!(en, zh);
    let problems = compare_links(EN_FILE, EN_LESSON, ZH_FILE, &shallow);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("only in lessons/zh-CN/01-ping.md")),
        "{problems:?}"
    );
}
