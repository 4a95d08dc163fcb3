//! The bounded history of changes that watches resume from.

use std::collections::VecDeque;
use std::sync::Arc;

use super::Change;

/// The last `capacity` changes, in resource-version order.
#[derive(Debug)]
pub struct History {
    changes: VecDeque<Arc<Change>>,
    capacity: usize,
    /// Every change with a resource version above this one is still held.
    compacted: u64,
}

impl History {
    /// An empty history holding at most `capacity` changes.
    pub fn new(capacity: usize) -> Self {
        Self {
            changes: VecDeque::new(),
            capacity: capacity.max(1),
            compacted: 0,
        }
    }

    /// Appends a change, forgetting the oldest when full.
    pub fn push(&mut self, change: Arc<Change>) {
        if self.changes.len() == self.capacity
            && let Some(dropped) = self.changes.pop_front()
        {
            self.compacted = dropped.rv;
        }
        self.changes.push_back(change);
    }

    /// Changes after `rv` that `wanted` selects, or the oldest resource version still
    /// replayable when `rv` is older than that.
    pub fn since(
        &self,
        rv: u64,
        wanted: impl Fn(&Change) -> bool,
    ) -> Result<Vec<Arc<Change>>, u64> {
        if rv < self.compacted {
            return Err(self.compacted + 1);
        }
        // Resource versions are dense and increasing, so find the start by binary search.
        let start = self.changes.partition_point(|c| c.rv <= rv);
        Ok(self
            .changes
            .range(start..)
            .filter(|c| wanted(c))
            .cloned()
            .collect())
    }

    /// Forgets everything up to and including `rv`.
    pub fn compact(&mut self, rv: u64) {
        while self.changes.front().is_some_and(|c| c.rv <= rv) {
            self.changes.pop_front();
        }
        self.compacted = self.compacted.max(rv);
    }
}
