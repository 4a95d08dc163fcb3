//! Time for certlab.
//!
//! Every component that reads the wall clock — the controller computing a renewal time,
//! mock-acme stamping `notBefore`, the embedded API server stamping `creationTimestamp` —
//! goes through a [`Clock`]. Production code gets [`SystemClock`]; the lab hands one
//! [`VirtualClock`] to all of them so that "61 days later" is a method call.
//!
//! Two operations matter:
//! - [`Clock::now`], the current time;
//! - [`Clock::sleep_until`], a future that completes once the clock has reached a
//!   deadline. On a virtual clock it also completes when the clock is advanced past the
//!   deadline, which is what makes renewal after 60 days take milliseconds.
//!
//! Timeouts that guard real I/O (a TCP connect, an HTTP request) are *not* clock time:
//! they keep using `tokio::time` directly.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

/// A boxed future returned by [`Clock::sleep_until`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of time. Cheap to share as [`SharedClock`].
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// Completes once `now() >= deadline`.
    fn sleep_until(&self, deadline: SystemTime) -> Sleep;

    /// Completes once `duration` of clock time has passed.
    fn sleep(&self, duration: Duration) -> Sleep {
        let deadline = self.now() + duration;
        self.sleep_until(deadline)
    }

    /// Whether this clock can jump (a [`VirtualClock`]). Components may use this to
    /// report that time is simulated, e.g. in a startup log line.
    fn is_virtual(&self) -> bool {
        false
    }

    /// A receiver that changes every time the clock jumps forward, for components
    /// that schedule work on real-time timers and must re-check their deadlines after
    /// a jump (a controller requeueing at a renewal time). `None` for clocks that
    /// never jump.
    fn jumps(&self) -> Option<watch::Receiver<u64>> {
        None
    }
}

/// The clock shared between components.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// A [`SharedClock`] reading the system time.
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep_until(&self, deadline: SystemTime) -> Sleep {
        Box::pin(async move {
            // Re-check after waking: the system clock itself may have been stepped.
            loop {
                match deadline.duration_since(SystemTime::now()) {
                    Ok(remaining) if !remaining.is_zero() => tokio::time::sleep(remaining).await,
                    _ => return,
                }
            }
        })
    }
}

/// Whether a [`VirtualClock`] moves on its own between explicit advances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Time moves with the wall clock, plus every explicit advance.
    Flowing,
    /// Time moves only when advanced; useful for fully deterministic runs.
    Frozen,
}

#[derive(Debug)]
struct VirtualState {
    /// Clock time at `anchor`.
    base: SystemTime,
    /// Wall instant at which `base` was taken (only meaningful while flowing).
    anchor: Instant,
    flow: Flow,
}

impl VirtualState {
    fn now(&self) -> SystemTime {
        match self.flow {
            Flow::Flowing => self.base + self.anchor.elapsed(),
            Flow::Frozen => self.base,
        }
    }
}

/// A clock that can be advanced. Clones share the same time.
///
/// Sleepers are woken on every advance and re-check their deadline, so a deadline that
/// an advance jumps over completes immediately.
#[derive(Clone)]
pub struct VirtualClock {
    state: Arc<Mutex<VirtualState>>,
    /// Bumped on every advance; sleepers watch it.
    epoch: Arc<watch::Sender<u64>>,
}

impl fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("VirtualClock")
            .field("now", &state.now())
            .field("flow", &state.flow)
            .finish()
    }
}

impl VirtualClock {
    /// A virtual clock starting at `start`, moving with the wall clock.
    pub fn flowing(start: SystemTime) -> Self {
        Self::new(start, Flow::Flowing)
    }

    /// A virtual clock starting at `start` that moves only when advanced.
    pub fn frozen(start: SystemTime) -> Self {
        Self::new(start, Flow::Frozen)
    }

    /// A virtual clock starting at `start`.
    pub fn new(start: SystemTime, flow: Flow) -> Self {
        let (epoch, _) = watch::channel(0);
        Self {
            state: Arc::new(Mutex::new(VirtualState {
                base: start,
                anchor: Instant::now(),
                flow,
            })),
            epoch: Arc::new(epoch),
        }
    }

    /// This clock as a [`SharedClock`].
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VirtualState> {
        // A poisoned lock only means a panic elsewhere; the state itself is always valid.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward by `by` and wakes every sleeper whose deadline has passed.
    pub fn advance(&self, by: Duration) {
        {
            let mut state = self.lock();
            let now = state.now();
            state.base = now + by;
            state.anchor = Instant::now();
        }
        self.epoch.send_modify(|e| *e += 1);
    }

    /// Moves the clock to `to`, if that is later than now. Returns the distance moved.
    pub fn advance_to(&self, to: SystemTime) -> Duration {
        let by = to.duration_since(self.now()).unwrap_or_default();
        if !by.is_zero() {
            self.advance(by);
        }
        by
    }

    /// Switches between flowing and frozen time without moving the clock.
    pub fn set_flow(&self, flow: Flow) {
        let mut state = self.lock();
        let now = state.now();
        state.base = now;
        state.anchor = Instant::now();
        state.flow = flow;
    }

    /// The current flow mode.
    pub fn flow(&self) -> Flow {
        self.lock().flow
    }

    /// How many times the clock has been advanced.
    pub fn advances(&self) -> u64 {
        *self.epoch.borrow()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> SystemTime {
        self.lock().now()
    }

    fn sleep_until(&self, deadline: SystemTime) -> Sleep {
        let clock = self.clone();
        Box::pin(async move {
            let mut epoch = clock.epoch.subscribe();
            loop {
                // Mark the current epoch seen before reading the time, so an advance that
                // lands between the read and the wait is never missed.
                epoch.borrow_and_update();
                let (now, flow) = {
                    let state = clock.lock();
                    (state.now(), state.flow)
                };
                let Ok(remaining) = deadline.duration_since(now) else {
                    return;
                };
                if remaining.is_zero() {
                    return;
                }
                match flow {
                    Flow::Flowing => {
                        tokio::select! {
                            _ = tokio::time::sleep(remaining) => {}
                            _ = epoch.changed() => {}
                        }
                    }
                    Flow::Frozen => {
                        if epoch.changed().await.is_err() {
                            // The clock is gone; nothing can ever advance it.
                            std::future::pending::<()>().await;
                        }
                    }
                }
            }
        })
    }

    fn is_virtual(&self) -> bool {
        true
    }

    fn jumps(&self) -> Option<watch::Receiver<u64>> {
        Some(self.epoch.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn epoch_plus(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn frozen_clock_stands_still_until_advanced() {
        let clock = VirtualClock::frozen(epoch_plus(1_000));
        assert_eq!(clock.now(), epoch_plus(1_000));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), epoch_plus(1_000));
        clock.advance(Duration::from_secs(10));
        assert_eq!(clock.now(), epoch_plus(1_010));
        assert_eq!(clock.advance_to(epoch_plus(1_005)), Duration::ZERO);
        assert_eq!(clock.advance_to(epoch_plus(1_020)), Duration::from_secs(10));
        assert_eq!(clock.advances(), 2);
    }

    #[test]
    fn flowing_clock_moves_with_the_wall() {
        let clock = VirtualClock::flowing(epoch_plus(0));
        std::thread::sleep(Duration::from_millis(20));
        assert!(clock.now() >= epoch_plus(0) + Duration::from_millis(20));
        clock.set_flow(Flow::Frozen);
        let frozen_at = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), frozen_at);
    }

    #[tokio::test]
    async fn sixty_days_pass_in_an_advance() {
        let clock = VirtualClock::frozen(epoch_plus(0));
        let shared = clock.shared();
        let sleeper = tokio::spawn(async move { shared.sleep(60 * DAY).await });
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(30 * DAY);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!sleeper.is_finished(), "woke before its deadline");
        clock.advance(31 * DAY);
        tokio::time::timeout(Duration::from_secs(1), sleeper)
            .await
            .expect("sleeper woke after the advance")
            .unwrap();
    }

    #[tokio::test]
    async fn jumps_are_announced() {
        let clock = VirtualClock::frozen(epoch_plus(0));
        let shared = clock.shared();
        let mut jumps = shared.jumps().expect("a virtual clock announces jumps");
        assert!(SystemClock.jumps().is_none());
        clock.advance(DAY);
        tokio::time::timeout(Duration::from_secs(1), jumps.changed())
            .await
            .expect("announced")
            .unwrap();
        assert_eq!(*jumps.borrow(), 1);
    }

    #[tokio::test]
    async fn flowing_sleep_completes_on_wall_time() {
        let clock = VirtualClock::flowing(SystemTime::now());
        tokio::time::timeout(
            Duration::from_secs(1),
            clock.sleep(Duration::from_millis(20)),
        )
        .await
        .expect("flowing virtual sleep completes by itself");
    }

    #[tokio::test]
    async fn past_deadline_completes_immediately() {
        let clock = VirtualClock::frozen(epoch_plus(100));
        tokio::time::timeout(
            Duration::from_millis(100),
            clock.sleep_until(epoch_plus(50)),
        )
        .await
        .expect("deadline in the past");
        tokio::time::timeout(
            Duration::from_millis(100),
            SystemClock.sleep_until(epoch_plus(0)),
        )
        .await
        .expect("system deadline in the past");
    }
}
