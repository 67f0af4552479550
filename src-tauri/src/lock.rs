//! The one way the desktop app locks, and what "locked" means.
//!
//! Every trigger ends in [`lock`]: "Lock now" and the panic chord (the page
//! calls `vault_lock`), the idle timer ([`crate::idle`]), logind's
//! `PrepareForSleep` and the session's `Lock` signal ([`crate::sleep`]),
//! and the window closing. Locking
//!
//! 1. marks the session locked at once (`vault_status` says so and new
//!    commands are refused), and sets the vault's cancel flag, so a running
//!    export, import or attachment transfer stops at its next chunk;
//! 2. takes the [`Vault`] out of its slot as soon as the running command
//!    gives it back, recovering a poisoned mutex rather than giving up,
//!    keeps the page's unsaved form as an encrypted draft, and drops the
//!    vault: the SQLCipher connection closes (wiping its key), and the
//!    attachment key and name key are zeroized by their own `Drop`;
//! 3. forgets the files chosen in dialogs or dropped since the unlock
//!    (`picked.rs`), and reloads the page, so its JavaScript heap starts
//!    empty and it learns from `vault_status` that it is locked (and why).
//!
//! The caller waits at most [`RELEASE_WAIT`] for step 2. A command that
//! does not check the flag and runs longer (a passphrase change, laying
//! out a huge PDF) keeps the vault until it returns; the key is dropped at
//! that moment by the thread already waiting for it, while the page is
//! reloaded and shown locked without waiting.
//!
//! Locks the backend decides on (idle, sleep, session lock) first ask the
//! page for its unsaved form ([`LOCK_REQUEST_EVENT`]) and give it
//! [`DRAFT_WAIT`] to answer through `vault_lock`; then they lock anyway.

use crate::error::{CmdResult, CommandError};
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::watch;
use ts_rs::TS;
use vekil::cancel::Cancel;
use vekil::Vault;
use zeroize::Zeroizing;

/// Where the unlocked vault lives; `None` is locked.
pub type Slot = Arc<Mutex<Option<Vault>>>;

/// Name under which the window's unsaved form is kept in the vault.
pub const UI_DRAFT: &str = "desktop-form";

/// The event that asks the page for its unsaved form before a lock the
/// backend started; the page answers by calling `vault_lock`.
pub const LOCK_REQUEST_EVENT: &str = "vault-lock-requested";

/// How long a lock waits for a running command to give the vault back
/// before it reloads the page anyway (the key is dropped when it does).
pub const RELEASE_WAIT: Duration = Duration::from_secs(3);

/// How long a backend lock waits for the page's unsaved form.
pub const DRAFT_WAIT: Duration = Duration::from_millis(500);

/// Why the vault was locked; the page words it after the reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LockReason {
    /// "Lock now" or the panic chord.
    Manual,
    /// No input for the auto-lock time.
    Idle,
    /// The computer was about to sleep.
    Sleep,
    /// The desktop session was locked.
    Session,
}

/// What [`Locker::drop_key`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Nothing was unlocked (or another lock is already under way).
    AlreadyLocked,
    /// The vault was dropped after this long.
    Now(Duration),
    /// A command still holds the vault; it is dropped when it returns.
    WhenReleased,
}

/// The lock state shared by the commands, the idle timer and the sleep
/// watcher. Held in an `Arc` (the waiting thread keeps a reference).
pub struct Locker {
    slot: Slot,
    /// The running session's cancel flag; `Some` while unlocked.
    session: Mutex<Option<Cancel>>,
    /// Unlocked (as the status reports it).
    unlocked: watch::Sender<bool>,
    /// A vault, and so its key, is in memory (may outlive `unlocked`
    /// while a command finishes).
    keyed: watch::Sender<bool>,
    /// A lock the backend asked the page to complete.
    pending: Mutex<Option<LockReason>>,
    /// Why the vault was last locked, until the next unlock.
    last: Mutex<Option<LockReason>>,
}

/// A mutex whose holder panicked still guards valid data here (an
/// `Option` and flags), so locking takes it back instead of failing.
fn take<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Locker {
    /// A locker over the vault slot, locked.
    pub fn new(slot: Slot) -> Arc<Self> {
        Arc::new(Self {
            slot,
            session: Mutex::new(None),
            unlocked: watch::channel(false).0,
            keyed: watch::channel(false).0,
            pending: Mutex::new(None),
            last: Mutex::new(None),
        })
    }

    /// The vault slot the commands use.
    pub fn slot(&self) -> &Slot {
        &self.slot
    }

    /// Puts a freshly unlocked vault in the slot and starts its session.
    /// Waits for a lock still finishing, so two vaults never overlap.
    pub fn install(&self, vault: Vault) {
        let cancel = vault.cancel_handle();
        let mut guard = take(&self.slot);
        self.slot.clear_poison();
        // Only possible if an earlier lock never ran; never keep two keys.
        drop(guard.take());
        *guard = Some(vault);
        drop(guard);
        *take(&self.session) = Some(cancel);
        *take(&self.pending) = None;
        *take(&self.last) = None;
        self.keyed.send_replace(true);
        self.unlocked.send_replace(true);
    }

    /// Whether a session is unlocked (false as soon as a lock starts).
    pub fn is_unlocked(&self) -> bool {
        take(&self.session).is_some()
    }

    /// Follows [`Locker::is_unlocked`].
    pub fn watch_unlocked(&self) -> watch::Receiver<bool> {
        self.unlocked.subscribe()
    }

    /// Follows whether a vault (and its key) is in memory.
    pub fn watch_keyed(&self) -> watch::Receiver<bool> {
        self.keyed.subscribe()
    }

    /// Why the vault was last locked (cleared by the next unlock).
    pub fn last_reason(&self) -> Option<LockReason> {
        *take(&self.last)
    }

    /// Stops the running session's long work now, before the lock itself
    /// (a backend lock does this while it waits for the page's draft).
    pub fn cancel_running(&self) {
        if let Some(c) = take(&self.session).as_ref() {
            c.cancel();
        }
    }

    fn set_pending(&self, reason: LockReason) {
        *take(&self.pending) = Some(reason);
    }

    fn take_pending(&self) -> Option<LockReason> {
        take(&self.pending).take()
    }

    /// Locks: ends the session, then drops the vault as soon as no command
    /// holds it, keeping `draft` (the page's unsaved form) in it first.
    /// Blocks at most `wait`; past that, a thread already waiting for the
    /// vault drops it the moment the command returns.
    pub fn drop_key(
        self: &Arc<Self>,
        draft: Option<Zeroizing<String>>,
        reason: LockReason,
        wait: Duration,
    ) -> Dropped {
        let Some(cancel) = take(&self.session).take() else {
            return Dropped::AlreadyLocked;
        };
        cancel.cancel();
        *take(&self.last) = Some(reason);
        *take(&self.pending) = None;
        self.unlocked.send_replace(false);

        let start = Instant::now();
        let (done, finished) = std::sync::mpsc::channel();
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("vekil-lock".into())
            .spawn(move || {
                me.close_slot(draft);
                let _ = done.send(());
            });
        if spawned.is_err() {
            // No thread to wait with: wait here, without a bound.
            self.close_slot(None);
            return Dropped::Now(start.elapsed());
        }
        match finished.recv_timeout(wait) {
            Ok(()) => Dropped::Now(start.elapsed()),
            Err(_) => Dropped::WhenReleased,
        }
    }

    /// Takes the vault out of the slot (waiting for the command holding
    /// it), keeps the draft, closes and drops it.
    fn close_slot(&self, draft: Option<Zeroizing<String>>) {
        let (vault, empty) = {
            let mut guard = take(&self.slot);
            self.slot.clear_poison();
            // Only a vault whose session was cancelled: if the lawyer
            // unlocked again in the meantime, the new vault stays.
            let vault = match guard.as_ref() {
                Some(v) if v.check_cancel().is_err() => guard.take(),
                _ => None,
            };
            (vault, guard.is_none())
        };
        if let Some(vault) = vault {
            if let Some(d) = draft.as_deref().filter(|d| !d.trim().is_empty()) {
                // Locking is never refused: a draft that cannot be kept is lost.
                let _ = vault.put_draft(UI_DRAFT, d);
            }
            // Checkpoint and close; dropping closes it as well if this fails.
            let _ = vault.close();
        }
        if empty {
            self.keyed.send_replace(false);
        }
    }
}

/// Runs `f` on the unlocked vault; refuses when locked or being locked.
pub fn with_unlocked<T>(slot: &Slot, f: impl FnOnce(&Vault) -> CmdResult<T>) -> CmdResult<T> {
    // A poisoned slot means a command panicked; the next lock recovers it.
    let guard = slot.lock().map_err(|_| CommandError::internal())?;
    let vault = guard.as_ref().ok_or_else(CommandError::locked)?;
    if vault.check_cancel().is_err() {
        return Err(CommandError::locked());
    }
    f(vault)
}

/// Locks now, whatever asked for it, and reloads the page. `reason` is
/// `None` when the page calls `vault_lock`: it is then the reason of the
/// backend lock the page is answering, or a manual lock.
pub async fn lock<R: Runtime>(
    app: &AppHandle<R>,
    draft: Option<Zeroizing<String>>,
    reason: Option<LockReason>,
) -> Dropped {
    let Some(state) = app.try_state::<crate::state::AppState>() else {
        return Dropped::AlreadyLocked;
    };
    let locker = Arc::clone(&state.lock);
    let reason = reason
        .or_else(|| locker.take_pending())
        .unwrap_or(LockReason::Manual);
    let started = Instant::now();
    let dropped =
        tauri::async_runtime::spawn_blocking(move || locker.drop_key(draft, reason, RELEASE_WAIT))
            .await
            .unwrap_or(Dropped::WhenReleased);
    if dropped != Dropped::AlreadyLocked {
        record(reason, "lock_to_key_dropped", started.elapsed(), dropped);
        // Files chosen in this session are forgotten with it.
        state.picks.clear();
        reload(app);
    }
    dropped
}

/// A lock the backend decided on: the page gets [`DRAFT_WAIT`] to hand
/// over its unsaved form (its `vault_lock` call does the lock), then the
/// backend locks without it. Running work is cancelled at once.
pub async fn request<R: Runtime>(app: &AppHandle<R>, reason: LockReason) {
    let Some(state) = app.try_state::<crate::state::AppState>() else {
        return;
    };
    let locker = Arc::clone(&state.lock);
    if !locker.is_unlocked() {
        return;
    }
    locker.cancel_running();
    locker.set_pending(reason);
    let mut unlocked = locker.watch_unlocked();
    let asked = app.emit_to("main", LOCK_REQUEST_EVENT, reason).is_ok();
    if asked {
        let _ = tokio::time::timeout(DRAFT_WAIT, unlocked.wait_for(|u| !*u)).await;
    }
    if locker.is_unlocked() {
        lock(app, None, Some(reason)).await;
    }
}

/// Reloads the main window's page. A reload, not a navigation: WebKit
/// keeps a page navigated away from in its back/forward cache (wry turns
/// that cache on), heap and all; a reloaded page is not cached.
fn reload<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.reload();
    }
}

/// Debug builds driven by the E2E suite: appends one JSON line per lock to
/// the file named by `VEKIL_DEBUG_LOCK_LOG`, with the time measured inside
/// the backend. Release builds record nothing.
pub(crate) fn record(reason: LockReason, what: &str, took: Duration, dropped: Dropped) {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("VEKIL_DEBUG_LOCK_LOG") {
        use std::io::Write;
        let line = serde_json::json!({
            "reason": reason,
            "what": what,
            "ms": took.as_secs_f64() * 1000.0,
            "key_dropped": matches!(dropped, Dropped::Now(_)),
        });
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            // One write per line: `writeln!` writes the text and the
            // newline separately, so two locks recorded at once (sleep and
            // session signals) could interleave into one unreadable line.
            let _ = f.write_all(format!("{line}\n").as_bytes());
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (reason, what, took, dropped);
}

#[cfg(test)]
mod tests {
    use super::*;
    use vekil::model::{Client, EvidenceNote};
    use vekil::secret::Passphrase;
    use vekil::vault::VaultOptions;

    const PASS: &str = "Qarabağ atları çapır — 2026";

    fn unlocked() -> (tempfile::TempDir, Arc<Locker>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (vault, _) = Vault::create_with(
            &dir.path().join("vault"),
            &Passphrase::new(PASS.into()),
            &VaultOptions { kdf_log_n: 10 },
        )
        .expect("vault");
        vault
            .insert(Client::new("Rəşad Məmmədov", "C-001"))
            .expect("client");
        let locker = Locker::new(Arc::new(Mutex::new(None)));
        locker.install(vault);
        (dir, locker)
    }

    fn reopen(dir: &tempfile::TempDir) -> Vault {
        Vault::unlock(&dir.path().join("vault"), &Passphrase::new(PASS.into())).expect("unlock")
    }

    /// Before: `vault_lock` took the same mutex as the export and waited
    /// for it to finish. Now the export stops at its next chunk and the
    /// lock takes the vault right away.
    #[test]
    fn a_lock_stops_a_running_command_and_takes_the_vault() {
        let (dir, locker) = unlocked();
        let slot = Arc::clone(locker.slot());
        let (started_tx, started) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            with_unlocked(&slot, |v| {
                let _ = started_tx.send(());
                // A long export: many chunks, each checking the flag.
                for _ in 0..6000 {
                    if v.check_cancel().is_err() {
                        return Err(CommandError::locked());
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(())
            })
        });
        started.recv().expect("worker started");
        let out = locker.drop_key(None, LockReason::Sleep, RELEASE_WAIT);
        assert!(
            matches!(out, Dropped::Now(d) if d < Duration::from_secs(1)),
            "{out:?}"
        );
        assert!(locker.slot().lock().expect("slot").is_none(), "key kept");
        assert!(!*locker.watch_keyed().borrow());
        assert_eq!(
            worker.join().expect("worker").map_err(|e| e.kind),
            Err("locked".to_owned())
        );
        assert_eq!(locker.last_reason(), Some(LockReason::Sleep));
        // The write lock is free again: the vault can be reopened.
        drop(reopen(&dir));
    }

    /// Before: a poisoned mutex made `vault_lock` return `internal`
    /// without locking, while the page showed "locked".
    #[test]
    fn a_poisoned_slot_is_recovered_and_the_key_dropped() {
        let (dir, locker) = unlocked();
        let slot = Arc::clone(locker.slot());
        let _ = std::thread::spawn(move || {
            let _guard = slot.lock().expect("slot");
            panic!("a command panicked while holding the vault");
        })
        .join();
        assert!(locker.slot().is_poisoned());
        let out = locker.drop_key(None, LockReason::Manual, RELEASE_WAIT);
        assert!(matches!(out, Dropped::Now(_)), "{out:?}");
        assert!(!locker.slot().is_poisoned());
        assert!(locker.slot().lock().expect("slot").is_none(), "key kept");
        assert!(!locker.is_unlocked());
        drop(reopen(&dir));
    }

    /// A command that never checks the flag: the lock does not wait for
    /// it, the session is locked at once, and the vault is dropped the
    /// moment the command gives it back.
    #[test]
    fn a_command_that_does_not_stop_loses_the_vault_when_it_returns() {
        let (_dir, locker) = unlocked();
        let slot = Arc::clone(locker.slot());
        let (started_tx, started) = std::sync::mpsc::channel();
        let (release_tx, release) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || {
            with_unlocked(&slot, |_| {
                let _ = started_tx.send(());
                let _ = release.recv();
                Ok(())
            })
        });
        started.recv().expect("worker started");
        let out = locker.drop_key(None, LockReason::Idle, Duration::from_millis(100));
        assert_eq!(out, Dropped::WhenReleased);
        assert!(!locker.is_unlocked(), "status must say locked at once");
        let mut keyed = locker.watch_keyed();
        assert!(*keyed.borrow(), "the command still holds the vault");
        release_tx.send(()).expect("release");
        worker.join().expect("worker").expect("command result");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), keyed.wait_for(|k| !*k))
                .await
                .expect("key dropped after release")
                .expect("watch");
        });
        assert!(locker.slot().lock().expect("slot").is_none());
        assert_eq!(
            with_unlocked(locker.slot(), |_| Ok(())).map_err(|e| e.kind),
            Err("locked".to_owned())
        );
    }

    #[test]
    fn the_draft_is_kept_encrypted_and_a_second_lock_is_a_no_op() {
        let (dir, locker) = unlocked();
        let draft = Zeroizing::new(
            r#"{"form":"quick","facility":"Bakı İstintaq Təcridxanası"}"#.to_owned(),
        );
        assert!(matches!(
            locker.drop_key(Some(draft), LockReason::Manual, RELEASE_WAIT),
            Dropped::Now(_)
        ));
        assert_eq!(
            locker.drop_key(None, LockReason::Manual, RELEASE_WAIT),
            Dropped::AlreadyLocked
        );
        let v = reopen(&dir);
        let kept = v.take_draft(UI_DRAFT).expect("draft").expect("some draft");
        assert!(kept.contains("İstintaq"));
        assert!(v.list::<EvidenceNote>(&Default::default()).is_ok());
    }
}
