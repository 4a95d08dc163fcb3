//! What kube-controller-manager does for a real cluster, done here: garbage
//! collection of owned objects, namespace deletion, a `default` ServiceAccount per
//! namespace, and finishing the deletion of CRDs.
//!
//! One task follows every change in the store and reacts to each; a periodic resync
//! repairs anything missed (for instance after the task fell behind and lost its
//! subscription). Every action goes through [`Objects`], so it obeys the same rules
//! as a client's request.

mod gc;
mod namespace;

pub use namespace::ensure_service_account;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::objects::Objects;
use crate::store::{Change, Interest};

/// How often the controllers re-check everything.
pub const RESYNC: Duration = Duration::from_secs(10);

/// Runs the controllers until `stop` is cancelled.
pub async fn run(objects: Arc<Objects>, stop: CancellationToken) {
    loop {
        let sub = objects
            .store()
            .subscribe_with_capacity(Interest::All, None, 1 << 20);
        let Ok(mut sub) = sub else { return };
        resync(&objects);
        let mut ticker = tokio::time::interval(RESYNC);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                change = sub.live.recv() => match change {
                    Some(change) => react(&objects, &change),
                    // Cut off for falling behind: subscribe again and resync.
                    None => break,
                },
                _ = ticker.tick() => resync(&objects),
            }
        }
    }
}

/// Reacts to one change.
pub fn react(objects: &Objects, change: &Change) {
    gc::react(objects, change);
    namespace::react(objects, change);
}

/// Re-checks the whole store.
pub fn resync(objects: &Objects) {
    gc::resync(objects);
    namespace::resync(objects);
}
