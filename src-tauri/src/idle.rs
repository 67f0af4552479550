//! The auto-lock timer, in the backend.
//!
//! It used to be a JavaScript timer in the page, which a busy or hung page
//! never ran, and which saw a system sleep only as a gap between its ticks,
//! up to 10 s after resume. Here a tokio task sleeps until the deadline
//! (last activity + the auto-lock minutes from Settings) and then asks for
//! a lock ([`crate::lock::request`]). The page reports input through the
//! `activity` command, at most once every few seconds.
//!
//! The same task is the quiet fallback for machines without logind (no
//! system bus, containers): tokio's clock is `CLOCK_MONOTONIC`, which
//! stops while the machine sleeps, whereas the wall clock does not, so a
//! wake-up that finds the wall clock well ahead of the monotonic one has
//! just come back from a sleep, and locks. It wakes at least every
//! [`TICK`] while unlocked for that check; it logs nothing.

use crate::lock::LockReason;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{watch, Notify};

/// Longest sleep of the timer while unlocked (the suspend check's period).
pub const TICK: Duration = Duration::from_secs(15);

/// Wall-clock time beyond monotonic time that counts as a system sleep.
pub const SLEEP_GAP: Duration = Duration::from_secs(10);

/// Last activity and the timeout, shared with the commands.
pub struct Idle {
    last: Mutex<Instant>,
    timeout: Mutex<Duration>,
    changed: Notify,
}

impl Idle {
    /// A timer with this timeout, counting from now.
    pub fn new(timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            last: Mutex::new(Instant::now()),
            timeout: Mutex::new(timeout),
            changed: Notify::new(),
        })
    }

    /// The page saw input (or the vault was just unlocked).
    pub fn touch(&self) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
    }

    /// The auto-lock setting changed.
    pub fn set_timeout(&self, timeout: Duration) {
        *self.timeout.lock().unwrap_or_else(PoisonError::into_inner) = timeout;
        self.changed.notify_one();
    }

    fn deadline(&self) -> Instant {
        let last = *self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let timeout = *self.timeout.lock().unwrap_or_else(PoisonError::into_inner);
        last + timeout
    }
}

/// Runs for the life of the app: while `unlocked` is true, calls `fire`
/// with [`LockReason::Idle`] once the deadline passes without activity, or
/// [`LockReason::Sleep`] after a sleep the monotonic clock did not see.
pub async fn run<F, Fut>(idle: Arc<Idle>, mut unlocked: watch::Receiver<bool>, fire: F)
where
    F: Fn(LockReason) -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        if !*unlocked.borrow_and_update() {
            if unlocked.changed().await.is_err() {
                return;
            }
            continue;
        }
        let (mono, wall) = (Instant::now(), SystemTime::now());
        let wake = idle.deadline().min(mono + TICK);
        tokio::select! {
            _ = tokio::time::sleep_until(wake.into()) => {}
            _ = idle.changed.notified() => continue,
            r = unlocked.changed() => {
                if r.is_err() {
                    return;
                }
                continue;
            }
        }
        let slept = SystemTime::now()
            .duration_since(wall)
            .unwrap_or_default()
            .saturating_sub(mono.elapsed());
        let reason = if slept > SLEEP_GAP {
            LockReason::Sleep
        } else if Instant::now() >= idle.deadline() {
            LockReason::Idle
        } else {
            continue;
        };
        // Counted from now, so a lock that did not happen is retried after
        // a full timeout rather than in a busy loop.
        idle.touch();
        fire(reason).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    }

    /// Fires once the timeout passes with no activity, only while unlocked,
    /// and activity pushes the deadline back.
    #[test]
    fn fires_after_the_timeout_without_activity() {
        rt().block_on(async {
            let idle = Idle::new(Duration::from_millis(300));
            let (tx, rx) = watch::channel(true);
            let fired = Arc::new(Mutex::new(vec![]));
            let log = Arc::clone(&fired);
            let tx = Arc::new(tx);
            let tx2 = Arc::clone(&tx);
            let task = tokio::spawn(run(Arc::clone(&idle), rx, move |r| {
                log.lock().expect("log").push((r, Instant::now()));
                // The lock ends the session.
                tx2.send_replace(false);
                async {}
            }));
            let start = Instant::now();
            // Activity every 100 ms for 600 ms: no lock.
            for _ in 0..6 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                idle.touch();
            }
            assert!(
                fired.lock().expect("log").is_empty(),
                "locked despite activity"
            );
            tokio::time::sleep(Duration::from_millis(600)).await;
            let got = fired.lock().expect("log").clone();
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, LockReason::Idle);
            assert!(got[0].1 - start >= Duration::from_millis(850));
            // Locked: no further firing however long it stays idle.
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert_eq!(fired.lock().expect("log").len(), 1);
            task.abort();
        });
    }

    /// A shorter setting applies to the running timer at once.
    #[test]
    fn a_shorter_setting_applies_at_once() {
        rt().block_on(async {
            let idle = Idle::new(Duration::from_secs(3600));
            let (_tx, rx) = watch::channel(true);
            let (fired_tx, mut fired) = tokio::sync::mpsc::unbounded_channel();
            let task = tokio::spawn(run(Arc::clone(&idle), rx, move |r| {
                let _ = fired_tx.send(r);
                async {}
            }));
            tokio::time::sleep(Duration::from_millis(50)).await;
            idle.set_timeout(Duration::from_millis(100));
            let r = tokio::time::timeout(Duration::from_secs(2), fired.recv()).await;
            assert_eq!(r.ok().flatten(), Some(LockReason::Idle));
            task.abort();
        });
    }
}
