//! Managed state: where the vault lives and, while unlocked, the vault.

use crate::error::{CmdResult, CommandError};
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use vekil::Vault;

/// Shared by every command. The vault is `Send` but not `Sync`, hence the mutex;
/// `None` means locked.
pub struct AppState {
    /// The vault directory (`VEKIL_VAULT` or the platform data dir).
    pub vault_dir: PathBuf,
    /// Plain settings file (language, auto-lock); holds no case data.
    pub settings_file: PathBuf,
    /// The unlocked vault.
    pub vault: Arc<Mutex<Option<Vault>>>,
    /// scrypt work factor for new vaults (lowered only by tests).
    pub kdf_log_n: u8,
}

impl AppState {
    /// State for a vault directory and a settings file.
    pub fn new(vault_dir: PathBuf, settings_file: PathBuf) -> Self {
        Self {
            vault_dir,
            settings_file,
            vault: Arc::new(Mutex::new(None)),
            kdf_log_n: vekil::vault::DEFAULT_KDF_LOG_N,
        }
    }

    /// Same, with a cheaper KDF for new vaults. For tests only: a low work
    /// factor makes guessing the passphrase of such a vault cheap.
    pub fn with_test_kdf(mut self, log_n: u8) -> Self {
        self.kdf_log_n = log_n;
        self
    }
}

/// Runs `f` on the unlocked vault off the main thread.
pub async fn with_vault<T, F>(state: &AppState, f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Vault) -> CmdResult<T> + Send + 'static,
{
    let slot = state.vault.clone();
    blocking(move || {
        let guard = slot.lock().map_err(|_| CommandError::internal())?;
        let vault = guard.as_ref().ok_or_else(CommandError::locked)?;
        f(vault)
    })
    .await
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
