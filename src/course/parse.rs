//! Reading a lesson file: its number and crate from the file name, its title from the
//! first heading, and its exercises.
//!
//! The lessons are the files `lessons/NN-<crate>.md`; a
//! lesson's exercise crate is `crates/<crate>` when that directory exists; and each
//! exercise's title, statement and hints are read from the lesson itself, from sections
//! in this form (see `lessons/README.md`, "For lesson writers: exercises"):
//!
//! ```text
//! ### Exercise 1.2: Count the losses
//!
//! The statement: one or more paragraphs.
//!
//! <details><summary>Hint</summary>
//!
//! The hint.
//!
//! </details>
//! ```
//!
//! An optional second `<details><summary>Hint 2</summary>` holds a stronger hint.

use crate::course::{Exercise, ExerciseId};

/// `01-udp-basic.md` → `(1, "udp-basic")`; `None` for any other file name.
pub(super) fn lesson_file_name(file_name: &str) -> Option<(u32, &str)> {
    let stem = file_name.strip_suffix(".md")?;
    let (digits, slug) = stem.split_once('-')?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || slug.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, slug))
}

/// The title from the lesson's first heading, `# Lesson 1 — UDP: ...` (in Chinese
/// `# 第 1 课 — UDP：...`), without the `Lesson 1 —` part and without Markdown backticks.
pub(super) fn lesson_title(text: &str, number: u32) -> String {
    let heading = text
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap_or("(no title)");
    let prefixes = [
        format!("Lesson {number}"),
        format!("第 {number} 课"),
        format!("第{number}课"),
    ];
    let title = prefixes
        .iter()
        .find_map(|prefix| heading.strip_prefix(prefix.as_str()))
        .map(|rest| rest.trim_start_matches([' ', '—', '-', ':', '：']))
        .unwrap_or(heading);
    title.replace('`', "").trim().to_string()
}

/// Where a line of the exercise section goes.
enum Part {
    Statement,
    Hint,
    /// Inside `<details>` of another kind (not ours to read).
    Other,
}

/// Reads the `### Exercise N.M: Title` sections of a lesson.
pub(super) fn parse_exercises(text: &str) -> Vec<Exercise> {
    let mut exercises = Vec::new();
    let mut current: Option<(Exercise, Vec<String>, Vec<Vec<String>>)> = None;
    let mut part = Part::Statement;
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if !in_fence && trimmed.starts_with('#') {
            // Any heading ends the exercise before it.
            if let Some(done) = current.take() {
                exercises.push(finish(done));
            }
            if let Some((id, title)) = exercise_heading(trimmed) {
                let exercise = Exercise {
                    id,
                    title,
                    statement: String::new(),
                    hints: Vec::new(),
                };
                current = Some((exercise, Vec::new(), Vec::new()));
                part = Part::Statement;
            }
            continue;
        }
        let Some((_, statement, hints)) = current.as_mut() else {
            continue;
        };
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && trimmed.starts_with("<details>") {
            if trimmed.contains("<summary>Hint") || trimmed.contains("<summary>提示") {
                hints.push(Vec::new());
                part = Part::Hint;
            } else {
                part = Part::Other;
            }
            continue;
        }
        if !in_fence && trimmed == "</details>" {
            part = Part::Statement;
            continue;
        }
        match part {
            Part::Statement => statement.push(line.to_string()),
            Part::Hint => {
                if let Some(hint) = hints.last_mut() {
                    hint.push(line.to_string());
                }
            }
            Part::Other => {}
        }
    }
    if let Some(done) = current.take() {
        exercises.push(finish(done));
    }
    exercises
}

fn finish((mut exercise, statement, hints): (Exercise, Vec<String>, Vec<Vec<String>>)) -> Exercise {
    exercise.statement = statement.join("\n").trim().to_string();
    exercise.hints = hints
        .into_iter()
        .map(|hint| hint.join("\n").trim().to_string())
        .filter(|hint| !hint.is_empty())
        .collect();
    exercise
}

/// `### Exercise 3.2: Echo in upper case` → `(3.2, "Echo in upper case")`; the Chinese
/// lessons write `### 练习 3.2：大写回显` (a full-width colon).
fn exercise_heading(line: &str) -> Option<(ExerciseId, String)> {
    let rest = line
        .strip_prefix("### Exercise ")
        .or_else(|| line.strip_prefix("### 练习 "))?;
    let (number, title) = rest
        .split_once('：')
        .filter(|(number, _)| !number.contains(':'))
        .or_else(|| rest.split_once(':'))?;
    let id = number.trim().parse().ok()?;
    Some((id, title.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# Lesson 3 — TCP `echo`\n\n## Exercises\n\n\
        ### Exercise 3.1: Echo in upper case\n\nWrite `upper`. It returns e.g. the bytes.\n\
        More text.\n\n<details><summary>Hint</summary>\n\nUse `to_ascii_uppercase`.\n\n\
        </details>\n\n### Exercise 3.2: Loop\n\nThe loop.\n\n\
        <details><summary>Hint</summary>\n\nFirst.\n\n</details>\n\n\
        <details><summary>Hint 2</summary>\n\n```text\n# not a heading\n</details>\n```\n\n\
        </details>\n\n## Glossary\n\nNot an exercise.\n";

    #[test]
    fn exercises_are_read_with_statement_and_hints() {
        let exercises = parse_exercises(LESSON);
        assert_eq!(exercises.len(), 2);
        assert_eq!(
            exercises[0].id,
            ExerciseId {
                lesson: 3,
                number: 1
            }
        );
        assert_eq!(exercises[0].title, "Echo in upper case");
        assert_eq!(
            exercises[0].statement,
            "Write `upper`. It returns e.g. the bytes.\nMore text."
        );
        assert_eq!(exercises[0].hints, ["Use `to_ascii_uppercase`."]);
        assert_eq!(exercises[1].hints.len(), 2);
        assert_eq!(
            exercises[1].hints[1],
            "```text\n# not a heading\n</details>\n```"
        );
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        let exercises = parse_exercises(LESSON);
        assert_eq!(exercises[0].first_sentence(), "Write `upper`.");
        assert_eq!(exercises[1].first_sentence(), "The loop.");
        let mut larger = exercises[0].clone();
        larger.statement = "This is the larger one. Write `receive_loop`, the heart.".into();
        assert_eq!(larger.first_sentence(), "Write `receive_loop`, the heart.");
        larger.statement = format!(
            "{}，{}。后面的话。",
            "很长的话".repeat(12),
            "更多".repeat(20)
        );
        assert_eq!(
            larger.first_sentence(),
            format!("{}……", "很长的话".repeat(12))
        );
        larger.statement = "这是较大的练习。写出 `serve`。".to_string();
        assert_eq!(larger.first_sentence(), "写出 `serve`。");
        larger.statement = "word ".repeat(40);
        let cut = larger.first_sentence();
        assert!(cut.ends_with("word ...") && cut.len() <= 124, "{cut}");
    }

    #[test]
    fn lesson_title_drops_the_number_and_backticks() {
        assert_eq!(lesson_title(LESSON, 3), "TCP echo");
    }

    const CHINESE: &str = "# 第 3 课 — TCP：`echo`\n\n## 练习\n\n\
        ### 练习 3.1：大写回显\n\n写出 `upper`。它返回字节。\n\n\
        <details><summary>提示</summary>\n\n用 `to_ascii_uppercase`。\n\n</details>\n\n\
        <details><summary>提示 2</summary>\n\n更强的提示。\n\n</details>\n";

    #[test]
    fn chinese_markers_give_the_same_exercises() {
        let exercises = parse_exercises(CHINESE);
        assert_eq!(exercises.len(), 1);
        assert_eq!(exercises[0].id.to_string(), "3.1");
        assert_eq!(exercises[0].title, "大写回显");
        assert_eq!(exercises[0].statement, "写出 `upper`。它返回字节。");
        assert_eq!(
            exercises[0].hints,
            ["用 `to_ascii_uppercase`。", "更强的提示。"]
        );
        assert_eq!(exercises[0].first_sentence(), "写出 `upper`。");
        assert_eq!(lesson_title(CHINESE, 3), "TCP：echo");
    }

    #[test]
    fn lesson_file_names_give_number_and_crate() {
        assert_eq!(lesson_file_name("01-udp-basic.md"), Some((1, "udp-basic")));
        assert_eq!(lesson_file_name("README.md"), None);
        assert_eq!(lesson_file_name("01-udp-basic.txt"), None);
    }
}
