//! [`FieldSet`]: a set of field paths stored as a trie, as structured-merge-diff's
//! `fieldpath.Set` does. A node lists the path elements that end there (its members)
//! and the subtrees below it (its children); one element can be both.

use std::fmt;

use super::path::{Path, PathElement};

/// A set of field paths (the FieldsV1 trie).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet {
    /// Steps that end a path here; sorted, unique.
    members: Vec<PathElement>,
    /// Non-empty subtrees; sorted by step, unique.
    children: Vec<(PathElement, FieldSet)>,
}

impl FieldSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of these paths.
    pub fn from_paths<I: IntoIterator<Item = Path>>(paths: I) -> Self {
        let mut s = Self::new();
        for p in paths {
            s.insert(p.elements());
        }
        s
    }

    /// Builds a node from unsorted parts; repeated steps are merged and empty children
    /// dropped.
    pub(crate) fn from_parts(
        mut members: Vec<PathElement>,
        children: Vec<(PathElement, FieldSet)>,
    ) -> Self {
        members.sort();
        members.dedup();
        let mut s = FieldSet {
            members,
            children: Vec::new(),
        };
        for (pe, child) in children {
            s.add_child(pe, child);
        }
        s
    }

    /// The steps that end a path at this node.
    pub fn members(&self) -> &[PathElement] {
        &self.members
    }

    /// The subtrees below this node.
    pub fn children(&self) -> &[(PathElement, FieldSet)] {
        &self.children
    }

    /// Whether the set has no path.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.iter().all(|(_, c)| c.is_empty())
    }

    /// The number of paths.
    pub fn len(&self) -> usize {
        self.members.len() + self.children.iter().map(|(_, c)| c.len()).sum::<usize>()
    }

    /// Adds a path. The empty path is ignored.
    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => self.insert_member(last.clone()),
            [first, rest @ ..] => {
                let at = match self.children.binary_search_by(|(p, _)| p.cmp(first)) {
                    Ok(at) => at,
                    Err(at) => {
                        self.children.insert(at, (first.clone(), FieldSet::new()));
                        at
                    }
                };
                if let Some((_, child)) = self.children.get_mut(at) {
                    child.insert(rest);
                }
            }
        }
    }

    /// A set of these paths, built in one pass (sorting first keeps every insertion an
    /// append).
    pub(crate) fn from_unsorted_paths(mut paths: Vec<Vec<PathElement>>) -> FieldSet {
        paths.sort();
        let mut s = FieldSet::new();
        for p in &paths {
            s.insert(p);
        }
        s
    }

    pub(crate) fn insert_member(&mut self, pe: PathElement) {
        if let Err(at) = self.members.binary_search(&pe) {
            self.members.insert(at, pe);
        }
    }

    /// Merges `child` into the subtree at `pe`.
    pub(crate) fn add_child(&mut self, pe: PathElement, child: FieldSet) {
        if child.is_empty() {
            return;
        }
        match self.children.binary_search_by(|(p, _)| p.cmp(&pe)) {
            Ok(at) => {
                if let Some((_, existing)) = self.children.get_mut(at) {
                    *existing = existing.union(&child);
                }
            }
            Err(at) => self.children.insert(at, (pe, child)),
        }
    }

    /// Whether the set holds exactly this path.
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.has_member(last),
            [first, rest @ ..] => self.child(first).is_some_and(|c| c.has(rest)),
        }
    }

    pub(crate) fn has_member(&self, pe: &PathElement) -> bool {
        self.members.binary_search(pe).is_ok()
    }

    /// The subtree at `pe` (`WithPrefix`), if any.
    pub fn child(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.children
            .binary_search_by(|(p, _)| p.cmp(pe))
            .ok()
            .and_then(|at| self.children.get(at))
            .map(|(_, c)| c)
    }

    /// Paths in either set.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut members = self.members.clone();
        members.extend(other.members.iter().cloned());
        let mut out = FieldSet::from_parts(members, Vec::new());
        out.children = self.children.clone();
        for (pe, c) in &other.children {
            out.add_child(pe.clone(), c.clone());
        }
        out
    }

    /// Paths in both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let members = self
            .members
            .iter()
            .filter(|m| other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter_map(|(pe, c)| other.child(pe).map(|o| (pe.clone(), c.intersection(o))))
            .collect();
        FieldSet::from_parts(members, children)
    }

    /// Paths of `self` that are not exactly paths of `other`.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let members = self
            .members
            .iter()
            .filter(|m| !other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .map(|(pe, c)| match other.child(pe) {
                Some(o) => (pe.clone(), c.difference(o)),
                None => (pe.clone(), c.clone()),
            })
            .collect();
        FieldSet::from_parts(members, children)
    }

    /// Paths of `self` that are neither paths of `other` nor below one of them.
    pub fn recursive_difference(&self, other: &FieldSet) -> FieldSet {
        let members = self
            .members
            .iter()
            .filter(|m| !other.has_member(m))
            .cloned()
            .collect();
        let children = self
            .children
            .iter()
            .filter(|(pe, _)| !other.has_member(pe))
            .map(|(pe, c)| match other.child(pe) {
                Some(o) => (pe.clone(), c.recursive_difference(o)),
                None => (pe.clone(), c.clone()),
            })
            .collect();
        FieldSet::from_parts(members, children)
    }

    /// Every path, members of a node before the paths below it, each group in order.
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Path>) {
        for m in &self.members {
            let mut p = prefix.clone();
            p.push(m.clone());
            out.push(Path(p));
        }
        for (pe, c) in &self.children {
            prefix.push(pe.clone());
            c.collect_paths(prefix, out);
            prefix.pop();
        }
    }
}

impl fmt::Display for FieldSet {
    /// One path a line, as `fieldpath.Set.String` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.paths().iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(paths: &[&[&str]]) -> FieldSet {
        FieldSet::from_paths(paths.iter().map(|p| Path::fields(p)))
    }

    #[test]
    fn set_algebra() {
        let a = set(&[&["spec", "a"], &["spec", "b"], &["spec"], &["x"]]);
        let b = set(&[&["spec", "a"], &["x"]]);
        assert_eq!(a.difference(&b), set(&[&["spec", "b"], &["spec"]]));
        assert_eq!(a.intersection(&b), b);
        assert_eq!(b.union(&a), a);
        let spec = set(&[&["spec"]]);
        assert_eq!(a.recursive_difference(&spec), set(&[&["x"]]));
        assert_eq!(
            a.difference(&spec),
            set(&[&["spec", "a"], &["spec", "b"], &["x"]])
        );
        assert!(a.has(Path::fields(&["spec", "b"]).elements()));
        assert!(!a.has(Path::fields(&["spec", "c"]).elements()));
        assert_eq!(a.len(), 4);
        assert!(a.difference(&a).is_empty());
        assert_eq!(a.to_string(), ".spec\n.x\n.spec.a\n.spec.b");
    }
}
