//! The ladder itself: who talks (the endpoints, one column each) and what they send (the
//! arrows, in time order), plus notes on a column ("timeout", "gives up").
//!
//! A program fills one in as its exchange happens (or [`crate::decode`] fills it from a
//! capture) and [`crate::draw`] turns it into text. Endpoints are plain labels
//! (`127.0.0.1:69`, `02:00:00:00:00:01`, `host`): the ladder does not care what they are,
//! only that the same label is the same column.

use std::time::Duration;

/// How an arrow is drawn besides its label: what happened to the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Sent and received once, as expected.
    Plain,
    /// Sent, never arrived (a relay dropped it, or the capture shows no answer).
    Lost,
    /// The same packet again (same direction, same summary): a duplicate on the wire.
    Repeated,
    /// Sent again by its sender because an answer did not come in time.
    Retransmitted,
}

/// One packet (or one socket call) from one column to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// Time since the start of the exchange.
    pub at: Duration,
    /// Index of the sending endpoint in [`Ladder::endpoints`].
    pub from: usize,
    /// Index of the receiving endpoint in [`Ladder::endpoints`].
    pub to: usize,
    /// The packet's one-line summary: `RRQ "hello.txt" octet`, `SYN+ACK seq=0 ack=1`.
    pub label: String,
    /// What happened to it.
    pub mark: Mark,
}

/// Free text on one column at one moment: `timeout, sending DATA #3 again`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Time since the start of the exchange.
    pub at: Duration,
    /// Index of the endpoint the note stands on.
    pub on: usize,
    /// The note.
    pub text: String,
}

/// One row of the ladder, in the order it was added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Arrow(Arrow),
    Note(Note),
}

/// A ladder diagram: the endpoints in order of first appearance, and the steps in the
/// order they happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ladder {
    endpoints: Vec<String>,
    steps: Vec<Step>,
}

impl Ladder {
    /// An empty ladder.
    pub fn new() -> Ladder {
        Ladder::default()
    }

    /// The column of `name`, added at the right when it is new.
    pub fn endpoint(&mut self, name: &str) -> usize {
        match self.endpoints.iter().position(|known| known == name) {
            Some(index) => index,
            None => {
                self.endpoints.push(name.to_string());
                self.endpoints.len() - 1
            }
        }
    }

    /// Adds an arrow from `from` to `to` (columns are added as needed).
    pub fn arrow(
        &mut self,
        at: Duration,
        from: &str,
        to: &str,
        label: impl Into<String>,
        mark: Mark,
    ) -> &mut Ladder {
        let from = self.endpoint(from);
        let to = self.endpoint(to);
        self.steps.push(Step::Arrow(Arrow {
            at,
            from,
            to,
            label: label.into(),
            mark,
        }));
        self
    }

    /// Adds a note on the column of `on` (added as needed).
    pub fn note(&mut self, at: Duration, on: &str, text: impl Into<String>) -> &mut Ladder {
        let on = self.endpoint(on);
        self.steps.push(Step::Note(Note {
            at,
            on,
            text: text.into(),
        }));
        self
    }

    /// The endpoint labels, one per column, left to right.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Every arrow and note, in the order they were added.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The arrows only, in order.
    pub fn arrows(&self) -> impl Iterator<Item = &Arrow> {
        self.steps.iter().filter_map(|step| match step {
            Step::Arrow(arrow) => Some(arrow),
            Step::Note(_) => None,
        })
    }

    /// The notes only, in order.
    pub fn notes(&self) -> impl Iterator<Item = &Note> {
        self.steps.iter().filter_map(|step| match step {
            Step::Note(note) => Some(note),
            Step::Arrow(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_columns_in_order_of_first_appearance() {
        let mut ladder = Ladder::new();
        ladder
            .arrow(Duration::ZERO, "b", "a", "one", Mark::Plain)
            .arrow(Duration::ZERO, "a", "c", "two", Mark::Plain)
            .note(Duration::ZERO, "b", "three");
        assert_eq!(ladder.endpoints(), ["b", "a", "c"]);
        let arrows: Vec<(usize, usize)> = ladder.arrows().map(|a| (a.from, a.to)).collect();
        assert_eq!(arrows, [(0, 1), (1, 2)]);
        assert_eq!(ladder.notes().next().map(|note| note.on), Some(0));
    }
}
