//! Locking before the computer sleeps and when the desktop session locks.
//!
//! A laptop seized while asleep keeps the database key and decrypted pages
//! in RAM (and in a hibernation image). So while a vault is unlocked, the
//! app holds a logind *delay inhibitor* for sleep: logind then announces a
//! sleep with `PrepareForSleep(true)` and waits (up to its
//! `InhibitDelayMaxSec`, 5 s by default) until every delay inhibitor is
//! released. On that signal we lock, wait until the key is actually
//! dropped, and only then close the inhibitor's file descriptor. The
//! session's `Lock` signal (`loginctl lock-session`, the desktop's lock
//! screen) and its `LockedHint` turning true lock as well.
//!
//! Everything goes over the system bus through zbus; `zbus` honours
//! `DBUS_SYSTEM_BUS_ADDRESS`, which is how the tests point it at a private
//! bus with a fake logind. Without a system bus or logind (containers, CI,
//! other init systems) the watcher ends quietly and logs nothing; the idle
//! timer's clock check ([`crate::idle`]) still locks after a sleep, on the
//! first tick after resume.

use crate::lock::LockReason;
use futures_util::StreamExt;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use zbus::{Connection, OwnedFd, OwnedObjectPath};

/// How long, after `PrepareForSleep(true)`, we keep the inhibitor while
/// waiting for the key to be dropped (logind's own limit is 5 s).
pub const SLEEP_WAIT: Duration = Duration::from_millis(4500);

/// The inhibitor, as logind shows it (`systemd-inhibit --list`).
pub const WHO: &str = "Vekil";
/// Why we delay sleep.
pub const WHY: &str = "Lock the case vault before sleep";

#[zbus::proxy(
    interface = "org.freedesktop.login1.Manager",
    default_service = "org.freedesktop.login1",
    default_path = "/org/freedesktop/login1"
)]
trait Manager {
    /// Takes an inhibitor lock; closing the returned descriptor releases it.
    fn inhibit(&self, what: &str, who: &str, why: &str, mode: &str) -> zbus::Result<OwnedFd>;

    /// The session a process belongs to.
    #[zbus(name = "GetSessionByPID")]
    fn get_session_by_pid(&self, pid: u32) -> zbus::Result<OwnedObjectPath>;

    /// A session by its id (`$XDG_SESSION_ID`).
    fn get_session(&self, session_id: &str) -> zbus::Result<OwnedObjectPath>;

    /// `true` just before the system sleeps, `false` after it resumed.
    #[zbus(signal)]
    fn prepare_for_sleep(&self, start: bool) -> zbus::Result<()>;
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.Session",
    default_service = "org.freedesktop.login1"
)]
trait Session {
    /// The session should lock its screen.
    #[zbus(signal)]
    fn lock(&self) -> zbus::Result<()>;

    /// Set by the desktop while its lock screen is up.
    #[zbus(property)]
    fn locked_hint(&self) -> zbus::Result<bool>;
}

/// Our logind session: by process id, else by `$XDG_SESSION_ID`.
async fn session_path(manager: &ManagerProxy<'_>) -> Option<OwnedObjectPath> {
    if let Ok(p) = manager.get_session_by_pid(std::process::id()).await {
        return Some(p);
    }
    let id = std::env::var("XDG_SESSION_ID").ok()?;
    manager.get_session(&id).await.ok()
}

/// Watches logind on `conn` for as long as the connection lives. `keyed`
/// follows whether a vault key is in memory (the inhibitor is held exactly
/// then); `lock` starts a lock and returns once it has been asked for.
/// `on_sleep` is told how long each sleep signal took to drop the key.
/// Returns an error only if logind is not there at all.
pub async fn watch<F, Fut>(
    conn: &Connection,
    mut keyed: watch::Receiver<bool>,
    lock: F,
    on_sleep: impl Fn(Duration, bool),
) -> zbus::Result<()>
where
    F: Fn(LockReason) -> Fut,
    Fut: Future<Output = ()>,
{
    let manager = ManagerProxy::new(conn).await?;
    let mut sleeps = manager.receive_prepare_for_sleep().await?;
    let session = match session_path(&manager).await {
        Some(path) => SessionProxy::builder(conn).path(path).build().await.ok(),
        None => None,
    };
    let mut session_locks = match &session {
        Some(s) => Some(s.receive_lock().await?),
        None => None,
    };
    let mut hints = match &session {
        Some(s) => Some(s.receive_locked_hint_changed().await),
        None => None,
    };
    let mut inhibitor: Option<OwnedFd> = None;
    loop {
        let has_key = *keyed.borrow_and_update();
        if has_key && inhibitor.is_none() {
            // Refused (policy) or unsupported: sleep then only triggers the
            // lock, without delaying the sleep for it.
            inhibitor = manager.inhibit("sleep", WHO, WHY, "delay").await.ok();
        } else if !has_key {
            inhibitor = None;
        }
        tokio::select! {
            changed = keyed.changed() => {
                if changed.is_err() {
                    return Ok(());
                }
            }
            signal = sleeps.next() => {
                let Some(signal) = signal else { return Ok(()) };
                let starting = signal.args().map(|a| a.start).unwrap_or(false);
                if starting && has_key {
                    let started = Instant::now();
                    lock(LockReason::Sleep).await;
                    let dropped = tokio::time::timeout(
                        SLEEP_WAIT.saturating_sub(started.elapsed()),
                        keyed.wait_for(|k| !*k),
                    )
                    .await
                    .is_ok();
                    on_sleep(started.elapsed(), dropped);
                    // Now, and not before, logind may let the machine sleep.
                    inhibitor = None;
                }
            }
            Some(_) = next(&mut session_locks) => {
                lock(LockReason::Session).await;
            }
            Some(hint) = next(&mut hints) => {
                if hint.get().await.unwrap_or(false) {
                    lock(LockReason::Session).await;
                }
            }
        }
    }
}

/// The next item of a stream that may not exist (no session found):
/// pending for ever in that case, so `select!` ignores the branch.
async fn next<S: futures_util::Stream + Unpin>(s: &mut Option<S>) -> Option<S::Item> {
    match s {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}
