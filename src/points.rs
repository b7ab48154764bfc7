//! How many points each exercise is worth, for `grade` and the classroom workflow.
//!
//! Every exercise is worth 1 point unless `points.txt` at the workspace root (written by
//! `starter --points`, or by hand) says otherwise, one exercise per line:
//!
//! ```text
//! # exercise = points
//! 1.3 = 4
//! 4.1 = 5
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::course::ExerciseId;
use crate::error::{Error, io_error};

pub const FILE: &str = "points.txt";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Points {
    by_exercise: BTreeMap<ExerciseId, u32>,
}

impl Points {
    /// The points of `id`: 1 unless set.
    pub fn of(&self, id: ExerciseId) -> u32 {
        self.by_exercise.get(&id).copied().unwrap_or(1)
    }

    /// Reads `points.txt` at `root`, if there is one.
    pub fn load(root: &Path) -> Result<Points, Error> {
        let path = root.join(FILE);
        match fs::read_to_string(&path) {
            Ok(text) => Points::parse(&text, FILE),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Points::default()),
            Err(error) => Err(io_error(format!("reading {}", path.display()))(error)),
        }
    }

    /// Parses `1.3 = 4` lines (or `1.3=4,4.1=5` from the command line: commas count as
    /// line ends). `source` names where the text came from, for errors.
    pub fn parse(text: &str, source: &str) -> Result<Points, Error> {
        let mut points = Points::default();
        for (index, line) in text.split(['\n', ',']).enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = || {
                Error::usage(format!(
                    "{source}: `{line}` is not `EXERCISE = POINTS` (item {})",
                    index + 1
                ))
                .with_hint("write it like 1.3 = 4")
            };
            let (id, value) = line.split_once('=').ok_or_else(bad)?;
            let id: ExerciseId = id.trim().parse().map_err(|_| bad())?;
            let value: u32 = value.trim().parse().map_err(|_| bad())?;
            points.by_exercise.insert(id, value);
        }
        Ok(points)
    }

    /// `other`'s settings on top of these.
    pub fn merge(mut self, other: &Points) -> Points {
        self.by_exercise
            .extend(other.by_exercise.iter().map(|(k, v)| (*k, *v)));
        self
    }

    /// The file's text, or `None` when every exercise has the default.
    pub fn to_file(&self) -> Option<String> {
        if self.by_exercise.is_empty() {
            return None;
        }
        let mut text = String::from(
            "# Points per exercise for `cargo run -- grade` (1 when not listed).\n\
             # The GitHub Classroom workflow's max-score values were written from this file.\n",
        );
        for (id, value) in &self.by_exercise {
            text.push_str(&format!("{id} = {value}\n"));
        }
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_default_to_one_and_parse_from_lines_or_commas() {
        let points = Points::parse("# comment\n1.3 = 4\n", "points.txt").unwrap();
        assert_eq!(points.of("1.3".parse().unwrap()), 4);
        assert_eq!(points.of("1.1".parse().unwrap()), 1);
        let points = Points::parse("1.1=2,2.1=3", "--points").unwrap();
        assert_eq!(points.of("2.1".parse().unwrap()), 3);
        assert!(Points::parse("1.1", "--points").is_err());
    }
}
