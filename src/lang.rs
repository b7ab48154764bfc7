//! The language the runner speaks, and every sentence it says in each one.
//!
//! `--lang en` or `--lang zh-CN` chooses; without it the locale does, as every Unix
//! program reads it: `LC_ALL`, else `LC_MESSAGES`, else `LANG`, Chinese when the first
//! of them that is set starts with `zh`. The lessons' own words (titles, statements,
//! hints) come from `lessons/` or `lessons/zh-CN/` (see `course.rs`); this file holds
//! only the runner's own sentences. Each is one `match` on `Lang`, so a new sentence
//! cannot be written in one language and forgotten in the other.
//!
//! What stays English whatever the language: the programs' output, cargo's and the
//! tests' own messages, clap's `--help` and its usage errors, the `error:`/`hint:`
//! prefixes scripts look for, `dev-check` (for lesson writers, who read both), everything
//! machine-readable (`grade --json`, `--csv`, `grading.txt`, the classroom workflow), and
//! the `todo!()` texts of a starter copy (they are code).

use std::fmt::Display;

use crate::error::Error;

/// A language of the course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese, from `lessons/zh-CN/`.
    ZhCn,
}

/// The values `--lang` accepts, as the error lists them.
const CHOICES: &str = "en, zh-CN";

impl Lang {
    /// `--lang VALUE`: `en` or `zh-CN` (any case, `zh` and `zh_CN` too), else a usage
    /// error that lists the choices.
    pub fn parse(value: &str) -> Result<Lang, Error> {
        match value.to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "zh-cn" | "zh_cn" | "zh" => Ok(Lang::ZhCn),
            _ => Err(Error::usage(format!(
                "unknown language `{value}` for --lang: the choices are {CHOICES}"
            ))),
        }
    }

    /// The language the locale asks for: the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// that is set and not empty (POSIX's order) decides; Chinese if it starts with `zh`.
    pub fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
        let chosen = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.is_empty());
        match chosen {
            Some(value) if value.starts_with("zh") => Lang::ZhCn,
            _ => Lang::En,
        }
    }

    /// `--lang` when given, else the locale of this process.
    pub fn choose(option: Option<&str>) -> Result<Lang, Error> {
        match option {
            Some(value) => Lang::parse(value),
            None => Ok(Lang::from_locale(|name| std::env::var(name).ok())),
        }
    }

    /// Where this language's lessons are, relative to the workspace root.
    pub fn lessons_dir(self) -> &'static str {
        match self {
            Lang::En => "lessons",
            Lang::ZhCn => "lessons/zh-CN",
        }
    }

    // ---- the lesson table (`lessons`, top of `status`) ----

    pub fn course_banner(self) -> &'static str {
        match self {
            Lang::En => "netlab: network programming by running real protocols",
            Lang::ZhCn => "netlab：运行真实的协议，学习网络编程",
        }
    }

    pub fn table_headings(self) -> [&'static str; 4] {
        match self {
            Lang::En => ["lesson", "crate", "read", "test with"],
            Lang::ZhCn => ["课", "crate", "阅读", "测试命令"],
        }
    }

    /// The "test with" cell of a lesson without a crate.
    pub fn reading_lesson(self) -> &'static str {
        match self {
            Lang::En => "(reading; its commands run in cargo test -p netlab)",
            Lang::ZhCn => "（阅读课；其中的命令由 cargo test -p netlab 运行）",
        }
    }

    // ---- exercise statuses ----

    pub fn status_passing(self) -> &'static str {
        match self {
            Lang::En => "passing",
            Lang::ZhCn => "通过",
        }
    }

    pub fn status_failing(self) -> &'static str {
        match self {
            Lang::En => "failing",
            Lang::ZhCn => "未通过",
        }
    }

    pub fn status_not_started(self) -> &'static str {
        match self {
            Lang::En => "not started",
            Lang::ZhCn => "未开始",
        }
    }

    pub fn status_does_not_build(self) -> &'static str {
        match self {
            Lang::En => "does not build",
            Lang::ZhCn => "编译失败",
        }
    }

    pub fn status_no_tests(self) -> &'static str {
        match self {
            Lang::En => "no tests",
            Lang::ZhCn => "没有测试",
        }
    }

    pub fn status_no_crate(self) -> &'static str {
        match self {
            Lang::En => "no crate yet",
            Lang::ZhCn => "尚无 crate",
        }
    }

    /// The first word of an exercise's line: `exercise 1.2  failing  Count the losses`.
    pub fn exercise_word(self) -> &'static str {
        match self {
            Lang::En => "exercise",
            Lang::ZhCn => "练习",
        }
    }

    // ---- status ----

    /// `lesson 1 (udp-basic): 2/5 exercises pass`; `crate_name` is `None` without a crate.
    pub fn lesson_summary(
        self,
        number: u32,
        crate_name: Option<&str>,
        passing: usize,
        total: usize,
    ) -> String {
        match self {
            Lang::En => format!(
                "lesson {number} ({}): {passing}/{total} exercises pass",
                crate_name.unwrap_or("no crate yet")
            ),
            Lang::ZhCn => format!(
                "第 {number} 课（{}）：{passing}/{total} 个练习通过",
                crate_name.unwrap_or("尚无 crate")
            ),
        }
    }

    pub fn all_pass_try_the_tour(self) -> &'static str {
        match self {
            Lang::En => {
                "Every exercise passes. `cargo run -- tour` shows them all working together."
            }
            Lang::ZhCn => "所有练习都已通过。`cargo run -- tour` 演示它们如何一起工作。",
        }
    }

    /// What to do next: the exercise, where to read it, and the commands for it.
    /// `summary` is the statement's first sentence (shown in Chinese only: the English
    /// table has always been without it).
    pub fn next_step(
        self,
        id: impl Display,
        title: &str,
        status: &str,
        file: &str,
        summary: &str,
    ) -> String {
        match self {
            Lang::En => format!(
                "Next: exercise {id}, {title} ({status}).\n  read   {file}, \"Exercise {id}\"\n  \
                 check  cargo run -- check {id}\n  hint   cargo run -- hint {id}\n  \
                 watch  cargo run -- watch      (re-checks it on every save)"
            ),
            Lang::ZhCn => format!(
                "下一步：练习 {id}，{title}（{status}）。\n  {summary}\n  \
                 阅读  {file} 中的“练习 {id}”\n  检查  cargo run -- check {id}\n  \
                 提示  cargo run -- hint {id}\n  监视  cargo run -- watch      （每次保存都重新检查）"
            ),
        }
    }

    /// The progress line while cargo runs: `netlab: running cargo test -p x ...`.
    pub fn running(self, command: &str) -> String {
        match self {
            Lang::En => format!("netlab: running {command} ..."),
            Lang::ZhCn => format!("netlab：正在运行 {command} ..."),
        }
    }

    // ---- check ----

    pub fn exercises_pass(self, passed: usize, total: usize) -> String {
        match self {
            Lang::En => format!("{passed}/{total} exercises pass."),
            Lang::ZhCn => format!("{passed}/{total} 个练习通过。"),
        }
    }

    pub fn grading_file_changed(self, entry: &str) -> String {
        match self {
            Lang::En => format!("grading file changed: {entry}"),
            Lang::ZhCn => format!("评分文件被改动：{entry}"),
        }
    }

    /// `Exercise 1.2: Count the losses (failing)`
    pub fn exercise_heading(self, id: impl Display, title: &str, status: &str) -> String {
        match self {
            Lang::En => format!("Exercise {id}: {title} ({status})"),
            Lang::ZhCn => format!("练习 {id}：{title}（{status}）"),
        }
    }

    pub fn test_failed(self, test: &str) -> String {
        match self {
            Lang::En => format!("test {test} failed:"),
            Lang::ZhCn => format!("测试 {test} 未通过："),
        }
    }

    /// Where a not-started exercise's body is; `None` when its file is unknown.
    pub fn still_todo(self, file: Option<&str>) -> String {
        match self {
            Lang::En => format!(
                "Its body in {} is still the starter's todo!(): write your solution there.",
                file.unwrap_or("its crate")
            ),
            Lang::ZhCn => format!(
                "{} 中它的函数体仍是初始代码的 todo!()：请在那里写你的解答。",
                file.unwrap_or("它的 crate")
            ),
        }
    }

    pub fn does_not_compile(self) -> &'static str {
        match self {
            Lang::En => "The crate does not compile:",
            Lang::ZhCn => "这个 crate 编译失败：",
        }
    }

    /// `filter` is `exercise_1_2`.
    pub fn no_tests_ran(self, filter: &str) -> String {
        match self {
            Lang::En => format!(
                "No test named {filter}_... ran: an exercise without its tests earns nothing. \
                 Is the `mod exercise_tests` line still in the file of the solution?"
            ),
            Lang::ZhCn => format!(
                "没有运行任何名为 {filter}_... 的测试：没有测试的练习不得分。\
                 解答所在的文件里，`mod exercise_tests` 这一行还在吗？"
            ),
        }
    }

    pub fn no_crate_yet(self, lesson: u32) -> String {
        match self {
            Lang::En => format!("Lesson {lesson} has no crate in crates/ yet."),
            Lang::ZhCn => format!("第 {lesson} 课在 crates/ 中还没有 crate。"),
        }
    }

    /// The heading of the hint a failed check shows.
    pub fn hint_heading(self) -> &'static str {
        match self {
            Lang::En => "hint:",
            Lang::ZhCn => "提示：",
        }
    }

    pub fn stronger_hint_twice(self, id: impl Display) -> String {
        match self {
            Lang::En => format!("(a stronger hint: cargo run -- hint {id}, twice)"),
            Lang::ZhCn => format!("（更强的提示：运行 cargo run -- hint {id} 两次）"),
        }
    }

    pub fn statement_is_in(self, file: &str, id: impl Display) -> String {
        match self {
            Lang::En => format!("The statement: {file}, \"Exercise {id}\"."),
            Lang::ZhCn => format!("题目见 {file} 中的“练习 {id}”。"),
        }
    }

    pub fn check_again(self, id: impl Display) -> String {
        match self {
            Lang::En => format!("Check it again: cargo run -- check {id}"),
            Lang::ZhCn => format!("再检查一次：cargo run -- check {id}"),
        }
    }

    /// Added to a failure of a whole-program test while other exercises are `todo!()`.
    pub fn others_still_todo(self, others: &str) -> String {
        match self {
            Lang::En => format!(
                "(this test runs the whole program: exercise {others} of this crate is \
                 still todo!(), and it may need that too)"
            ),
            Lang::ZhCn => format!(
                "（这个测试运行整个程序：本 crate 的练习 {others} 仍是 todo!()，它可能也需要）"
            ),
        }
    }

    // ---- hint ----

    /// `Exercise 1.2: Count the losses`
    pub fn exercise_title(self, id: impl Display, title: &str) -> String {
        match self {
            Lang::En => format!("Exercise {id}: {title}"),
            Lang::ZhCn => format!("练习 {id}：{title}"),
        }
    }

    pub fn no_hint_in_lesson(self, file: &str, statement: &str) -> String {
        match self {
            Lang::En => {
                format!("{file} gives no hint for this exercise; its statement:\n\n{statement}")
            }
            Lang::ZhCn => format!("{file} 没有给这个练习写提示。它的题目：\n\n{statement}"),
        }
    }

    /// `Hint:` or `Hint 2 of 2:`, before the hint's text.
    pub fn hint_label(self, level: usize, total: usize) -> String {
        match (self, total) {
            (Lang::En, 1) => "Hint:".to_string(),
            (Lang::En, _) => format!("Hint {level} of {total}:"),
            (Lang::ZhCn, 1) => "提示：".to_string(),
            (Lang::ZhCn, _) => format!("提示 {level}（共 {total} 条）："),
        }
    }

    pub fn still_stuck(self, id: impl Display) -> String {
        match self {
            Lang::En => {
                format!("Still stuck? `cargo run -- hint {id}` again shows a stronger hint.")
            }
            Lang::ZhCn => {
                format!("还是没有头绪？再运行一次 `cargo run -- hint {id}`，会给出更强的提示。")
            }
        }
    }

    // ---- watch ----

    pub fn all_pass_well_done(self) -> &'static str {
        match self {
            Lang::En => "Every exercise passes. Well done!",
            Lang::ZhCn => "所有练习都已通过。做得好！",
        }
    }

    pub fn passes_next(self, id: impl Display, next: impl Display, title: &str) -> String {
        match self {
            Lang::En => format!(
                "Exercise {id} passes. Next: exercise {next}, {title} (cargo run -- hint {next})."
            ),
            Lang::ZhCn => format!(
                "练习 {id} 通过了。下一个：练习 {next}，{title}（cargo run -- hint {next}）。"
            ),
        }
    }

    pub fn passes_and_all_others(self, id: impl Display) -> String {
        match self {
            Lang::En => format!("Exercise {id} passes, and so does every other. Well done!"),
            Lang::ZhCn => format!("练习 {id} 通过了，其他练习也都通过了。做得好！"),
        }
    }

    pub fn watching(self, interval_ms: u128) -> String {
        match self {
            Lang::En => {
                format!("watching crates/ for changes (every {interval_ms} ms; Ctrl-C to stop)")
            }
            Lang::ZhCn => {
                format!("正在监视 crates/ 中的改动（每 {interval_ms} 毫秒查看一次；Ctrl-C 停止）")
            }
        }
    }

    pub fn changed(self, file: &str) -> String {
        match self {
            Lang::En => format!("changed: {file}"),
            Lang::ZhCn => format!("已改动：{file}"),
        }
    }

    // ---- reset ----

    pub fn reset_without_crate(self, id: impl Display, lesson: u32) -> String {
        match self {
            Lang::En => format!("exercise {id} belongs to lesson {lesson}, which has no crate yet"),
            Lang::ZhCn => format!("练习 {id} 属于第 {lesson} 课，这一课还没有 crate"),
        }
    }

    pub fn reset_no_markers(self, id: impl Display) -> (String, &'static str) {
        match self {
            Lang::En => (
                format!(
                    "exercise {id} has no `// exercise {id}: begin` / `end` markers in its crate"
                ),
                "the markers must stay around your solution for reset to find it",
            ),
            Lang::ZhCn => (
                format!("练习 {id} 的 crate 中没有 `// exercise {id}: begin` / `end` 标记"),
                "这两行标记要留在你的解答前后，reset 才能找到它",
            ),
        }
    }

    pub fn already_starter(self, id: impl Display) -> String {
        match self {
            Lang::En => format!("Exercise {id} is already at its starter body; nothing to do."),
            Lang::ZhCn => format!("练习 {id} 已经是初始代码，无需改动。"),
        }
    }

    pub fn reset_question(self, id: impl Display, file: &str) -> String {
        match self {
            Lang::En => format!(
                "Replace your exercise {id} in {file} with the starter todo!()? \
                 (your code is saved in .netlab/reset/) [y/N] "
            ),
            Lang::ZhCn => format!(
                "把 {file} 中你写的练习 {id} 换回初始代码 todo!() 吗？\
                 （你的代码会保存在 .netlab/reset/ 中）[y/N] "
            ),
        }
    }

    pub fn nothing_changed(self) -> &'static str {
        match self {
            Lang::En => "Nothing changed.",
            Lang::ZhCn => "没有改动任何文件。",
        }
    }

    pub fn reset_done(self, id: impl Display, file: &str) -> String {
        match self {
            Lang::En => format!("Exercise {id} is back to its starter body in {file}."),
            Lang::ZhCn => format!("{file} 中的练习 {id} 已换回初始代码。"),
        }
    }

    // ---- teachers: starter and grade (their machine-readable output stays English) ----

    pub fn directory_not_empty(self, dir: &str) -> (String, &'static str) {
        match self {
            Lang::En => (
                format!("{dir} already exists and is not empty"),
                "name a new directory; starter never overwrites one",
            ),
            Lang::ZhCn => (
                format!("{dir} 已经存在并且不是空目录"),
                "请指定一个新目录；starter 从不覆盖已有的目录",
            ),
        }
    }

    pub fn no_begin_marker(self, id: impl Display, crate_name: &str) -> String {
        match self {
            Lang::En => format!(
                "exercise {id} has no `// exercise {id}: begin` marker in crates/{crate_name}/src"
            ),
            Lang::ZhCn => {
                format!("crates/{crate_name}/src 中没有练习 {id} 的 `// exercise {id}: begin` 标记")
            }
        }
    }

    /// What `starter` wrote: the copy, the solutions it removed, `grading.txt` and the
    /// classroom workflow.
    pub fn starter_written(
        self,
        dir: &str,
        removed: &[String],
        manifest: &str,
        points: u32,
        files: usize,
        workflow: &str,
    ) -> String {
        let count = removed.len();
        match self {
            Lang::En => {
                let list = if removed.is_empty() {
                    "none".to_string()
                } else {
                    removed.join(", ")
                };
                format!(
                    "wrote a starter copy to {dir}\n  todo!() in place of {count} solution(s): {list}\n  \
                     {manifest} lists them with their points ({points} in all) and the SHA-256 of \
                     {files} grading files\n  {workflow} grades exactly them (GitHub Classroom autograding)"
                )
            }
            Lang::ZhCn => {
                let list = if removed.is_empty() {
                    "无".to_string()
                } else {
                    removed.join(", ")
                };
                format!(
                    "已把初始代码副本写到 {dir}\n  {count} 个解答换成了 todo!()：{list}\n  \
                     {manifest} 列出它们及其分值（共 {points} 分），以及 {files} 个评分文件的 SHA-256\n  \
                     {workflow} 只给它们评分（GitHub Classroom 自动评分）"
                )
            }
        }
    }

    pub fn starter_next(self, dir: &str) -> String {
        match self {
            Lang::En => format!(
                "Next: cd {dir} && git init && git add . && git commit -m 'Starter', then push it as \
                 the assignment's template repository (lessons/teachers.md, step by step)."
            ),
            Lang::ZhCn => format!(
                "下一步：cd {dir} && git init && git add . && git commit -m 'Starter'，然后把它推送为\
                 作业的模板仓库（步骤见 lessons/teachers.md）。"
            ),
        }
    }

    /// After a grade line whose exercise's grading files were changed.
    pub fn grading_files_changed_mark(self) -> &'static str {
        match self {
            Lang::En => "  (grading files changed)",
            Lang::ZhCn => "  （评分文件被改动）",
        }
    }

    pub fn total_points(self, score: u32, max: u32) -> String {
        match self {
            Lang::En => format!("total: {score}/{max} points"),
            Lang::ZhCn => format!("总分：{score}/{max} 分"),
        }
    }

    pub fn differing_grading_files(self) -> &'static str {
        match self {
            Lang::En => "grading files that differ from grading.txt:",
            Lang::ZhCn => "与 grading.txt 不一致的评分文件：",
        }
    }

    pub fn grading_copy(self, name: &str) -> String {
        match self {
            Lang::En => format!("netlab: grading {name} ..."),
            Lang::ZhCn => format!("netlab：正在评分 {name} ..."),
        }
    }

    /// One student's line of `grade --roster DIR`; `tampered` lists changed grading files.
    pub fn roster_line(self, name: &str, score: u32, max: u32, tampered: &[String]) -> String {
        let list = tampered.join("; ");
        match (self, tampered.is_empty()) {
            (Lang::En, true) => format!("{name}: {score}/{max} points"),
            (Lang::En, false) => format!("{name}: {score}/{max} points  tampered: {list}"),
            (Lang::ZhCn, true) => format!("{name}：{score}/{max} 分"),
            (Lang::ZhCn, false) => format!("{name}：{score}/{max} 分  评分文件被改动：{list}"),
        }
    }

    pub fn not_graded(self, name: &str, error: &str) -> String {
        match self {
            Lang::En => format!("{name}: not graded: {error}"),
            Lang::ZhCn => format!("{name}：未评分：{error}"),
        }
    }

    pub fn no_student_copy(self, dir: &str) -> (String, &'static str) {
        match self {
            Lang::En => (
                format!("{dir} holds no student copy (a directory with Cargo.toml and lessons/)"),
                "clone every student repository into one directory, then name it",
            ),
            Lang::ZhCn => (
                format!("{dir} 中没有学生副本（含 Cargo.toml 和 lessons/ 的目录）"),
                "把每个学生的仓库都克隆到同一个目录下，再指定这个目录",
            ),
        }
    }

    // ---- finding exercises and lessons ----

    pub fn no_such_exercise(self, id: impl Display, known: &str) -> (String, String) {
        match self {
            Lang::En => (
                format!("there is no exercise {id}"),
                format!("the exercises are {known}"),
            ),
            Lang::ZhCn => (format!("没有练习 {id}"), format!("现有的练习是 {known}")),
        }
    }

    pub fn no_such_lesson(self, name: &str) -> (String, &'static str) {
        match self {
            Lang::En => (
                format!("there is no lesson `{name}`"),
                "name a lesson by its number (1) or its crate (udp-basic)",
            ),
            Lang::ZhCn => (
                format!("没有课 `{name}`"),
                "用编号（1）或 crate 名（udp-basic）指明一课",
            ),
        }
    }

    pub fn lesson_without_exercises(self, lesson: u32, file: &str) -> String {
        match self {
            Lang::En => format!("lesson {lesson} ({file}) has no exercises"),
            Lang::ZhCn => format!("第 {lesson} 课（{file}）没有练习"),
        }
    }

    pub fn outside_workspace(self, dir: &str) -> (String, &'static str) {
        match self {
            Lang::En => (
                format!(
                    "{dir} is not inside the netlab workspace (no Cargo.toml with a lessons/ \
                     directory beside it)"
                ),
                "run netlab from the top of the repository: cargo run -- ...",
            ),
            Lang::ZhCn => (
                format!("{dir} 不在 netlab 工作区中（找不到旁边有 lessons/ 目录的 Cargo.toml）"),
                "请在仓库的顶层目录运行 netlab：cargo run -- ...",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn lc_all_then_lc_messages_then_lang_decide() {
        assert_eq!(Lang::from_locale(locale(&[])), Lang::En);
        assert_eq!(
            Lang::from_locale(locale(&[("LANG", "zh_CN.UTF-8")])),
            Lang::ZhCn
        );
        assert_eq!(
            Lang::from_locale(locale(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(locale(&[("LC_MESSAGES", "zh_TW"), ("LANG", "en_US")])),
            Lang::ZhCn
        );
        // An empty variable counts as unset.
        assert_eq!(
            Lang::from_locale(locale(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")])),
            Lang::ZhCn
        );
    }

    #[test]
    fn lang_option_takes_en_and_zh_cn_only() {
        assert_eq!(Lang::parse("en").unwrap(), Lang::En);
        assert_eq!(Lang::parse("zh-CN").unwrap(), Lang::ZhCn);
        assert_eq!(Lang::parse("zh_cn").unwrap(), Lang::ZhCn);
        let error = Lang::parse("fr").unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.message.contains("en, zh-CN"), "{}", error.message);
    }
}
