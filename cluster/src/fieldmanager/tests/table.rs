//! Table tests: each case is a sequence of writes to one object and checks of the
//! object, its managedFields, and the errors of the writes.

use serde_json::Value;

use super::{Store, describe};
use crate::shape::Shape;

pub(super) enum Step {
    /// Merge-patch update (a create when there is no object yet) by a manager.
    Update(&'static str, Value),
    /// Merge-patch update through the status subresource.
    UpdateStatus(&'static str, Value),
    /// Server-side apply.
    Apply(&'static str, Value),
    /// Forced server-side apply.
    Force(&'static str, Value),
    /// Server-side apply through the status subresource.
    ApplyStatus(&'static str, Value),
    /// The last write failed with conflicts on these fields, in this order.
    Conflicts(&'static [&'static str]),
    /// The last write failed with this message.
    Message(&'static str),
    /// The value at a JSON pointer.
    Is(&'static str, Value),
    /// Nothing at a JSON pointer.
    Absent(&'static str),
    /// The FieldsV1 of a manager's entry (`name`, or `name/Operation[/subresource]`).
    Owns(&'static str, Value),
    /// A manager has no entry.
    NoEntry(&'static str),
    /// The entries, in order, as `name/Operation[/subresource]`.
    Entries(&'static [&'static str]),
}

use Step::*;

use super::cases::cases;

pub(super) struct Case {
    name: &'static str,
    shape: fn() -> Shape,
    steps: Vec<Step>,
}

pub(super) fn case(name: &'static str, shape: fn() -> Shape, steps: Vec<Step>) -> Case {
    Case { name, shape, steps }
}

fn run(case: &Case) {
    let mut store = Store::new((case.shape)());
    let mut checked_error = true;
    for (i, step) in case.steps.iter().enumerate() {
        let at = format!("case {:?}, step {i}", case.name);
        let is_write = matches!(
            step,
            Update(..) | UpdateStatus(..) | Apply(..) | Force(..) | ApplyStatus(..)
        );
        if is_write && !checked_error {
            panic!(
                "{at}: the previous write failed unchecked: {:?}",
                store.last_error
            );
        }
        match step {
            Update(m, patch) => store.update(m, patch, None),
            UpdateStatus(m, patch) => store.update(m, patch, Some("status")),
            Apply(m, config) => store.apply(m, config, false, None),
            Force(m, config) => store.apply(m, config, true, None),
            ApplyStatus(m, config) => store.apply(m, config, false, Some("status")),
            Conflicts(fields) => {
                let Some(super::ApplyError::Conflicts(c)) = &store.last_error else {
                    panic!("{at}: expected conflicts, got {:?}", store.last_error);
                };
                let got: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
                assert_eq!(got, *fields, "{at}");
                checked_error = true;
            }
            Message(m) => {
                let Some(e) = &store.last_error else {
                    panic!("{at}: expected an error")
                };
                assert_eq!(e.to_string(), *m, "{at}");
                checked_error = true;
            }
            Is(pointer, want) => assert_eq!(
                store.at(pointer),
                Some(want),
                "{at}: {pointer} in {:#?}",
                store.object
            ),
            Absent(pointer) => assert_eq!(store.at(pointer), None, "{at}: {pointer}"),
            Owns(who, want) => {
                let e = store
                    .entry(who)
                    .unwrap_or_else(|| panic!("{at}: no entry {who} in {:#?}", store.object));
                let got = e.fields_v1.to_fields_v1();
                assert_eq!(got, *want, "{at}: {who} owns {got}");
                // The order of keys is the API server's, too.
                assert_eq!(got.to_string(), want.to_string(), "{at}: {who} key order");
            }
            NoEntry(who) => assert!(store.entry(who).is_none(), "{at}: {who} has an entry"),
            Entries(want) => {
                let got: Vec<String> = store.entries().iter().map(describe).collect();
                assert_eq!(got, *want, "{at}");
            }
        }
        if is_write {
            checked_error = store.last_error.is_none();
        }
    }
    assert!(
        checked_error,
        "case {:?}: the last write failed unchecked: {:?}",
        case.name, store.last_error
    );
}

#[test]
fn table() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| std::panic::catch_unwind(|| run(c)).is_err())
        .map(|c| c.name)
        .collect();
    assert!(failed.is_empty(), "failed cases: {failed:#?}");
}
