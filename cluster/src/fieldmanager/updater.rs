//! The ownership algebra of structured-merge-diff's `merge.Updater`: who loses what when
//! an object changes, who conflicts, and what an applier's omissions remove.

use serde_json::Value;

use super::conflict::Conflict;
use super::managed::{Managed, ManagerId, VersionedSet};
use super::set::FieldSet;
use super::typed::{self, Comparison};
use crate::shape::Shape;

/// The fields a write through some endpoint cannot change, and so never owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reset {
    /// Nothing: every field is written.
    Nothing,
    /// The main resource of a kind with a status subresource: `status` is not written.
    Status,
    /// The status subresource: only `status` is written.
    AllButStatus,
}

impl Reset {
    /// `set` without the fields this endpoint cannot write.
    pub(crate) fn filter(self, set: &FieldSet) -> FieldSet {
        let status = super::path::PathElement::field("status");
        match self {
            Reset::Nothing => set.clone(),
            Reset::Status => {
                let mut excluded = FieldSet::new();
                excluded.insert_member(status);
                set.recursive_difference(&excluded)
            }
            Reset::AllButStatus => {
                let members = if set.has_member(&status) {
                    vec![status.clone()]
                } else {
                    Vec::new()
                };
                let children = set
                    .child(&status)
                    .map(|c| (status, c.clone()))
                    .into_iter()
                    .collect();
                FieldSet::from_parts(members, children)
            }
        }
    }
}

/// One structured-merge-diff updater over objects of one shape.
pub(crate) struct Updater<'a> {
    pub(crate) shape: &'a Shape,
    pub(crate) reset: Reset,
}

/// The conflicts of an apply, in the API server's order.
pub(crate) type Conflicts = Vec<Conflict>;

impl Updater<'_> {
    /// Takes the fields that changed from `old` to `new` away from every manager but
    /// `workflow`; without `force`, fields another manager owns that changed are
    /// conflicts instead.
    fn update_managers(
        &self,
        old: &Value,
        new: &Value,
        managed: &mut Managed,
        workflow: &str,
        force: bool,
    ) -> Result<Comparison, Conflicts> {
        let cmp = typed::compare(old, new, self.shape).map(|s| self.reset.filter(s));
        let changed = cmp.modified.union(&cmp.added);
        let mut conflicts: Vec<(String, FieldSet)> = Vec::new();
        for (key, (_, vs)) in &managed.fields {
            if key == workflow {
                continue;
            }
            let clash = vs.set.intersection(&changed);
            if !clash.is_empty() {
                conflicts.push((key.clone(), clash));
            }
        }
        if !force && !conflicts.is_empty() {
            let mut out = Vec::new();
            for (key, clash) in &conflicts {
                if let Some((id, _)) = managed.fields.get(key) {
                    out.extend(clash.paths().into_iter().map(|p| Conflict::new(id, p)));
                }
            }
            return Err(out);
        }
        for (key, clash) in &conflicts {
            if let Some((_, vs)) = managed.fields.get_mut(key) {
                vs.set = vs.set.difference(clash);
            }
        }
        if !cmp.removed.is_empty() {
            for (key, (_, vs)) in managed.fields.iter_mut() {
                if key != workflow {
                    vs.set = vs.set.difference(&cmp.removed);
                }
            }
        }
        managed.fields.retain(|_, (_, vs)| !vs.set.is_empty());
        Ok(cmp)
    }

    /// Records a non-apply write by `key`: it owns what it changed (`Updater.Update`).
    pub(crate) fn update(
        &self,
        old: &Value,
        new: &Value,
        api_version: &str,
        managed: &mut Managed,
        key: &str,
        id: &ManagerId,
    ) {
        let cmp = match self.update_managers(old, new, managed, key, true) {
            Ok(cmp) => cmp,
            // Unreachable: forced updates never conflict.
            Err(_) => return,
        };
        let previous = managed
            .fields
            .get(key)
            .map(|(_, vs)| vs.set.clone())
            .unwrap_or_default();
        let set = previous
            .difference(&cmp.removed)
            .union(&cmp.modified)
            .union(&cmp.added);
        let set = self.reset.filter(&set);
        if set.is_empty() {
            managed.fields.remove(key);
        } else {
            let vs = VersionedSet {
                set,
                api_version: api_version.to_string(),
                applied: false,
            };
            managed.fields.insert(key.to_string(), (id.clone(), vs));
        }
    }

    /// Applies `config` by `key` (`Updater.Apply`): merges it into `live`, prunes what
    /// the applier no longer applies and nobody else owns, and settles ownership.
    /// `Ok(None)` when the object does not change.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn apply(
        &self,
        live: &Value,
        config: &Value,
        api_version: &str,
        managed: &mut Managed,
        key: &str,
        id: &ManagerId,
        force: bool,
    ) -> Result<Option<Value>, Conflicts> {
        let merged =
            typed::merge(Some(live), Some(config), self.shape, 0).unwrap_or_else(|| live.clone());
        let last = managed.fields.get(key).map(|(_, vs)| vs.set.clone());
        let set = self.reset.filter(&typed::to_field_set(config, self.shape));
        let vs = VersionedSet {
            set,
            api_version: api_version.to_string(),
            applied: true,
        };
        managed.fields.insert(key.to_string(), (id.clone(), vs));
        let new = match last {
            Some(last) if !last.is_empty() => self.prune(&merged, managed, &last),
            _ => merged,
        };
        self.update_managers(live, &new, managed, key, force)?;
        if super::value::equals(live, &new) {
            Ok(None)
        } else {
            Ok(Some(new))
        }
    }

    /// Removes from `merged` what the applier applied last time (`last`) and nobody
    /// owns now, its own new configuration included.
    fn prune(&self, merged: &Value, managed: &Managed, last: &FieldSet) -> Value {
        let shape = self.shape;
        let named = |s: &FieldSet| typed::ensure_named_fields_are_members(s, shape);
        let fields_of = |v: &Value| named(&typed::to_field_set(v, shape));
        let remove = |s: &FieldSet| {
            typed::remove_items(merged, s, shape)
                .unwrap_or_else(|| Value::Object(Default::default()))
        };
        let last = named(last);
        let pruned = remove(&last);
        // Add back what anyone owns.
        let owned = managed
            .fields
            .values()
            .fold(FieldSet::new(), |acc, (_, vs)| acc.union(&vs.set));
        let merged_set = fields_of(merged);
        let keep = fields_of(&pruned).union(&named(&owned));
        let pruned = remove(&merged_set.difference(&keep));
        // Remove only what the applier had applied; leave dangling items alone.
        let gone = merged_set
            .difference(&fields_of(&pruned))
            .intersection(&last);
        remove(&gone)
    }
}
