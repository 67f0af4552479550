//! Managed state: where the vault lives and, while unlocked, the vault.

use crate::error::{CmdResult, CommandError};
use crate::idle::Idle;
use crate::lock::{Locker, Slot};
use crate::picked::Picks;
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;
use vekil::Vault;

/// Shared by every command. The vault is `Send` but not `Sync`, hence the mutex;
/// `None` means locked. Only [`Locker`] puts a vault in or takes it out.
pub struct AppState {
    /// The vault directory (`VEKIL_VAULT` or the platform data dir).
    pub vault_dir: PathBuf,
    /// Plain settings file (language, auto-lock); holds no case data.
    pub settings_file: PathBuf,
    /// The unlocked vault.
    pub vault: Slot,
    /// Unlocking, locking and the lock's state (see `lock.rs`).
    pub lock: Arc<Locker>,
    /// The auto-lock timer's activity and timeout (see `idle.rs`).
    pub idle: Arc<Idle>,
    /// scrypt work factor for new vaults (lowered only by tests).
    pub kdf_log_n: u8,
    /// Files chosen in the backend's dialogs or dropped on the window,
    /// which the page knows only by token (see `picked.rs`).
    pub picks: Picks,
}

impl AppState {
    /// State for a vault directory and a settings file.
    pub fn new(vault_dir: PathBuf, settings_file: PathBuf) -> Self {
        let vault: Slot = Arc::new(Mutex::new(None));
        let minutes = crate::commands::settings::load(&settings_file).auto_lock_minutes;
        Self {
            vault_dir,
            settings_file,
            lock: Locker::new(Arc::clone(&vault)),
            vault,
            idle: Idle::new(Duration::from_secs(u64::from(minutes) * 60)),
            kdf_log_n: vekil::vault::DEFAULT_KDF_LOG_N,
            picks: Picks::new(),
        }
    }

    /// What puts a freshly unlocked vault in place, to move into the
    /// blocking task that unlocked it (it may wait for a lock finishing).
    pub fn installer(&self) -> Installer {
        Installer {
            lock: Arc::clone(&self.lock),
            idle: Arc::clone(&self.idle),
        }
    }

    /// Same, with a cheaper KDF for new vaults. For tests only: a low work
    /// factor makes guessing the passphrase of such a vault cheap.
    pub fn with_test_kdf(mut self, log_n: u8) -> Self {
        self.kdf_log_n = log_n;
        self
    }
}

/// See [`AppState::installer`].
pub struct Installer {
    lock: Arc<Locker>,
    idle: Arc<Idle>,
}

impl Installer {
    /// Starts the session of `vault`; the idle time counts from now.
    pub fn install(self, vault: Vault) {
        self.lock.install(vault);
        self.idle.touch();
    }
}

/// Runs `f` on the unlocked vault off the main thread.
pub async fn with_vault<T, F>(state: &AppState, f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Vault) -> CmdResult<T> + Send + 'static,
{
    let slot = state.vault.clone();
    blocking(move || crate::lock::with_unlocked(&slot, f)).await
}

/// Runs blocking work (KDF, SQLite, encryption) on the blocking pool.
pub async fn blocking<T, F>(f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> CmdResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| CommandError::internal())?
}

/// Parses an id sent by the UI.
pub fn parse_id(field: &str, id: &str) -> CmdResult<Uuid> {
    Uuid::parse_str(id.trim())
        .map_err(|_| CommandError::invalid(field, format!("{field} is not a valid record id.")))
}

/// Parses a record sent by the UI. Records arrive as raw JSON so that a
/// malformed one becomes a typed `invalid_input` error naming the problem,
/// instead of Tauri's untyped argument error.
pub fn parse_record<T: DeserializeOwned>(field: &str, value: serde_json::Value) -> CmdResult<T> {
    serde_json::from_value(value).map_err(|e| {
        CommandError::invalid(
            field,
            format!("The {field} sent by the window is not in the expected form ({e})."),
        )
    })
}
