//! Anti-replay nonces: 16 random bytes, base64url, single use.
//!
//! Like Pebble's, nonces never expire; unlike Pebble's, the store is bounded (the oldest
//! outstanding nonces are forgotten first), so a client that never redeems nonces cannot
//! grow the server without limit.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// How many outstanding nonces are remembered.
pub const MAX_OUTSTANDING: usize = 100_000;

/// The nonce store.
#[derive(Debug, Default)]
pub struct NonceStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    live: HashSet<String>,
    order: VecDeque<String>,
}

impl NonceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Issues a fresh nonce.
    pub fn issue(&self) -> String {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let nonce = URL_SAFE_NO_PAD.encode(bytes);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        while inner.order.len() >= MAX_OUTSTANDING {
            if let Some(old) = inner.order.pop_front() {
                inner.live.remove(&old);
            }
        }
        inner.live.insert(nonce.clone());
        inner.order.push_back(nonce.clone());
        nonce
    }

    /// Redeems a nonce: true once for each issued nonce, false afterwards.
    pub fn redeem(&self, nonce: &str) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // The deque entry stays until it ages out; `live` is the truth.
        inner.live.remove(nonce)
    }

    /// Forgets every nonce.
    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.live.clear();
        inner.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_single_use() {
        let store = NonceStore::new();
        let n = store.issue();
        assert_eq!(URL_SAFE_NO_PAD.decode(&n).unwrap().len(), 16);
        assert!(store.redeem(&n));
        assert!(!store.redeem(&n));
        assert!(!store.redeem("never-issued"));
    }
}
