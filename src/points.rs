//! How many points each exercise is worth, for `grade` and the classroom workflow.
//!
//! An exercise is worth 1 point, its crate's larger exercise 3 (`coverage.rs`), unless
//! `--points`, the starter copy's `grading.txt`, or `points.txt` at the workspace root (a
//! teacher's defaults for `starter`, by hand) says otherwise, one exercise per line:
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
    /// The points set for `id`, if any.
    pub fn get(&self, id: ExerciseId) -> Option<u32> {
        self.by_exercise.get(&id).copied()
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_from_lines_or_commas() {
        let points = Points::parse("# comment\n1.3 = 4\n", "points.txt").unwrap();
        assert_eq!(points.get("1.3".parse().unwrap()), Some(4));
        assert_eq!(points.get("1.1".parse().unwrap()), None);
        let points = Points::parse("1.1=2,2.1=3", "--points").unwrap();
        assert_eq!(points.get("2.1".parse().unwrap()), Some(3));
        assert!(Points::parse("1.1", "--points").is_err());
    }
}
