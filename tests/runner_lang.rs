//! The course runner in Chinese: `--lang zh-CN`, or a `zh_*` locale; `--lang en` forces
//! English.
//!
//! Most tests run it in a copy of the fixture course `tests/fixtures/course`, whose lesson
//! 1 has a Chinese twin (`lessons/zh-CN/01-ping.md`) and whose lesson 2 has none (the
//! runner shows that one in English). Each test sets the locale itself: the tester's own
//! must not matter.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

mod common;

use common::{CourseCopy, ROOT, in_copy, runner_without_locale, stderr_of, stdout_of};

/// How the runner is asked for a language.
enum Asked {
    /// `--lang VALUE` (in a locale that says nothing).
    Option(&'static str),
    /// `LANG=VALUE`, without `--lang`.
    Locale(&'static str),
    /// `LANG=zh_CN.UTF-8` and `--lang VALUE`.
    Both(&'static str),
}

/// The runner in `dir`, asked for a language as `asked`; every other locale variable is
/// removed so the tester's own does not count.
fn netlab_in(dir: &Path, asked: Asked) -> Command {
    let mut command = runner_without_locale();
    command.current_dir(dir);
    match asked {
        Asked::Option(value) => {
            command.env("LANG", "C.UTF-8").args(["--lang", value]);
        }
        Asked::Locale(value) => {
            command.env("LANG", value);
        }
        Asked::Both(value) => {
            command.env("LANG", "zh_CN.UTF-8").args(["--lang", value]);
        }
    }
    command
}

/// A private copy of the fixture course, deleted when dropped.
struct Fixture(CourseCopy);

impl Fixture {
    fn new() -> Fixture {
        Fixture(CourseCopy::new("runner-lang"))
    }

    /// The runner in the copy, which builds into its own `target/`.
    fn netlab(&self, asked: Asked) -> Command {
        in_copy(netlab_in(&self.dir, asked), &self.dir)
    }
}

impl std::ops::Deref for Fixture {
    type Target = CourseCopy;

    fn deref(&self) -> &CourseCopy {
        &self.0
    }
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn lang_option_shows_the_chinese_lesson_table_with_english_for_an_untranslated_lesson() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Option("zh-CN"))
        .arg("lessons")
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    assert!(stdout.starts_with("netlab：运行真实的协议"), "{stdout}");
    assert!(stdout.contains("课  "), "{stdout}");
    // The title from the Chinese lesson's `# 第 1 课 — 用文字 `ping``, and its file; the
    // columns line up on a terminal, where a Chinese character takes two cells.
    assert!(
        stdout.contains(
            "\n 1  用文字 ping                              ping   lessons/zh-CN/01-ping.md  \
             cargo test -p ping\n"
        ),
        "{stdout}"
    );
    // Lesson 2 has no Chinese twin: its English title and file.
    assert!(
        stdout.contains(
            "\n 2  A lesson whose crate is not written yet  -      lessons/02-later.md       \
             （阅读课；其中的命令由 cargo test -p netlab 运行）\n"
        ),
        "{stdout}"
    );
}

#[test]
fn zh_cn_locale_shows_the_chinese_status_and_next_step() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Locale("zh_CN.UTF-8"))
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    for expected in [
        "第 1 课（ping）：1/2 个练习通过",
        "  练习 1.1   通过            下一个端口",
        "  练习 1.2   未通过          应答",
        "第 2 课（尚无 crate）：0/1 个练习通过",
        "  练习 2.1   尚无 crate      Later",
        "下一步：练习 1.2，应答（未通过）。",
        // The statement's first sentence, up to the first `。`.
        "  写出 `reply(request, count)`：返回 `pong: ` 加上请求。\n",
        "  阅读  lessons/zh-CN/01-ping.md 中的“练习 1.2”",
        "  提示  cargo run -- hint 1.2",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}:\n{stdout}");
    }
    assert!(
        !stdout.contains("不打印 count"),
        "only the first sentence:\n{stdout}"
    );
}

#[test]
fn hint_in_chinese_is_the_chinese_lessons_then_its_stronger_one() {
    let fixture = Fixture::new();
    let first = fixture
        .netlab(Asked::Option("zh-CN"))
        .args(["hint", "1.2"])
        .assert()
        .success();
    let stdout = stdout_of(&first);
    assert!(
        stdout.starts_with("练习 1.2：应答\n\n提示 1（共 2 条）：\n\n`format!` 可以拼出字符串。\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("再运行一次 `cargo run -- hint 1.2`"),
        "{stdout}"
    );
    let second = fixture
        .netlab(Asked::Locale("zh_CN.UTF-8"))
        .args(["hint", "1.2"])
        .assert()
        .success();
    let stdout = stdout_of(&second);
    assert!(
        stdout.contains("提示 2（共 2 条）：\n\n```text\nformat!(\"pong: {request}\")\n```"),
        "{stdout}"
    );
}

#[test]
fn failed_check_in_chinese_explains_with_the_chinese_hint_and_the_tests_own_words() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Locale("zh_CN.UTF-8"))
        .args(["check", "1.2"])
        .assert()
        .code(1);
    let stdout = stdout_of(&assert);
    for expected in [
        "练习 1.2   未通过          应答",
        "练习 1.2：应答（未通过）",
        "测试 exercise_tests::exercise_1_2_reply_names_the_request 未通过：",
        // The test's own assertion message is code, and stays as written.
        "the reply to one ping",
        "提示：\n    `format!` 可以拼出字符串。",
        "（更强的提示：运行 cargo run -- hint 1.2 两次）",
        "题目见 lessons/zh-CN/01-ping.md 中的“练习 1.2”。",
        "再检查一次：cargo run -- check 1.2",
        "0/1 个练习通过。",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}:\n{stdout}");
    }
}

#[test]
fn lang_en_under_a_chinese_locale_is_english() {
    let fixture = Fixture::new();
    let table = fixture
        .netlab(Asked::Both("en"))
        .arg("lessons")
        .assert()
        .success();
    let stdout = stdout_of(&table);
    assert!(
        stdout.contains(" 1  Ping, in words") && !has_chinese(&stdout),
        "{stdout}"
    );
    let hint = fixture
        .netlab(Asked::Both("en"))
        .args(["hint", "1.1"])
        .assert()
        .success();
    let stdout = stdout_of(&hint);
    assert_eq!(
        stdout,
        "Exercise 1.1: The next port\n\nHint:\n\n`u16::MAX` is 65535.\n"
    );
    let check = fixture
        .netlab(Asked::Both("en"))
        .args(["check", "1.2"])
        .assert()
        .code(1);
    let stdout = stdout_of(&check);
    assert!(
        stdout.contains("test exercise_tests::exercise_1_2_reply_names_the_request failed:")
            && stdout.contains("\nhint:\n")
            && !has_chinese(&stdout),
        "{stdout}"
    );
}

#[test]
fn lc_all_decides_before_lang() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Locale("zh_CN.UTF-8"))
        .env("LC_ALL", "en_US.UTF-8")
        .arg("lessons")
        .assert()
        .success();
    assert!(!has_chinese(&stdout_of(&assert)), "{}", stdout_of(&assert));
}

#[test]
fn lang_is_a_global_option_after_the_subcommand_too() {
    let fixture = Fixture::new();
    let mut command = netlab_in(&fixture.dir, Asked::Locale("C"));
    let assert = command
        .args(["hint", "1.1", "--lang", "zh-CN"])
        .assert()
        .success();
    assert!(
        stdout_of(&assert).starts_with("练习 1.1：下一个端口"),
        "{}",
        stdout_of(&assert)
    );
}

#[test]
fn unknown_lang_is_a_usage_error_naming_the_choices() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Option("fr"))
        .arg("lessons")
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert_eq!(
        stderr,
        "error: unknown language `fr` for --lang: the choices are en, zh-CN\n"
    );
    assert!(stdout_of(&assert).is_empty());
}

#[test]
fn usage_errors_in_chinese_keep_the_error_prefix() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Option("zh-CN"))
        .args(["hint", "9.9"])
        .assert()
        .code(2);
    assert_eq!(
        stderr_of(&assert),
        "error: 没有练习 9.9\nhint: 现有的练习是 1.1, 1.2, 2.1\n"
    );
}

#[test]
fn reset_in_chinese_speaks_chinese_but_writes_the_english_todo() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab(Asked::Option("zh-CN"))
        .args(["reset", "1.1", "--yes"])
        .assert()
        .success();
    assert_eq!(
        stdout_of(&assert),
        "crates/ping/src/lib.rs 中的练习 1.1 已换回初始代码。\n"
    );
    let lib_rs = fs::read_to_string(fixture.dir.join("crates/ping/src/lib.rs")).unwrap();
    // Code stays English: the todo!() a starter copy would have.
    assert!(
        lib_rs.contains("todo!(\"Exercise 1.1 (The next port): Write `next_port`.\")"),
        "{lib_rs}"
    );
}

#[test]
fn teachers_commands_speak_chinese_but_code_and_json_stay_english() {
    let fixture = Fixture::new();
    let written = fixture
        .netlab(Asked::Locale("zh_CN.UTF-8"))
        .args([
            "starter",
            "student",
            "--exercises",
            "1.2",
            "--points",
            "1.2=3",
        ])
        .assert()
        .success();
    let stdout = stdout_of(&written);
    assert!(
        stdout.starts_with("已把初始代码副本写到 student\n  1 个解答换成了 todo!()：1.2\n"),
        "{stdout}"
    );
    let student = fixture.dir.join("student");
    let lib_rs = fs::read_to_string(student.join("crates/ping/src/lib.rs")).unwrap();
    assert!(
        lib_rs.contains("todo!(\"Exercise 1.2 (The reply): Write `reply(request, count)`"),
        "{lib_rs}"
    );

    let mut grade = netlab_in(&student, Asked::Locale("zh_CN.UTF-8"));
    grade.env_remove("CARGO_TARGET_DIR").env_remove("RUSTFLAGS");
    let text = stdout_of(&grade.arg("grade").assert().success());
    assert!(
        text.contains("练习 1.2   未开始          应答") && text.contains("总分：0/3 分"),
        "{text}"
    );
    let mut grade = netlab_in(&student, Asked::Locale("zh_CN.UTF-8"));
    grade.env_remove("CARGO_TARGET_DIR").env_remove("RUSTFLAGS");
    let json = stdout_of(&grade.args(["grade", "--json"]).assert().success());
    assert!(
        json.contains("\"name\": \"Exercise 1.2: The reply\"")
            && json.contains("\"state\": \"not started\"")
            && !has_chinese(&json),
        "{json}"
    );
}

// ---- the real workspace (runs no cargo) ----

#[test]
fn chinese_table_of_the_real_course_reads_every_translated_lesson() {
    let assert = netlab_in(Path::new(ROOT), Asked::Option("zh-CN"))
        .arg("lessons")
        .assert()
        .success();
    let stdout = stdout_of(&assert);
    let lessons = fs::read_dir(Path::new(ROOT).join("lessons")).expect("lessons/ exists");
    for name in lessons
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".md") && name.starts_with(|c: char| c.is_ascii_digit()))
    {
        assert!(
            stdout.contains(&format!("lessons/zh-CN/{name}")),
            "lessons/zh-CN/{name} is not in the Chinese lesson table (not translated yet?):\n\
             {stdout}"
        );
    }
}
