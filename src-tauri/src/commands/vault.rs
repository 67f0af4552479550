//! Create, unlock, recover, lock; the encrypted draft kept across a lock.

use crate::error::{CmdResult, CommandError};
use crate::state::{blocking, with_vault, AppState};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::vault::VaultOptions;
use vekil::Vault;

/// Name under which the window's unsaved form is kept in the vault.
const UI_DRAFT: &str = "desktop-form";

/// What the first screen needs.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    /// A vault exists at `path`.
    pub exists: bool,
    /// It is unlocked in this window.
    pub unlocked: bool,
    /// The vault directory.
    pub path: String,
    /// Vekil's version.
    pub version: String,
    /// Seconds before another unlock attempt is allowed.
    #[ts(type = "number")]
    pub retry_after_secs: u64,
    /// Sealed for travel: the unlock screen offers the release steps instead.
    pub sealed: bool,
    /// Shortest passphrase the core accepts, so the UI checks the same rule.
    #[ts(type = "number")]
    pub min_passphrase_chars: usize,
}

/// Returned once, at creation: the code the lawyer must write down.
#[derive(Serialize, TS)]
#[ts(export)]
pub struct CreatedVault {
    /// Eight groups of four characters.
    pub recovery_code: String,
}

pub(crate) type Slot = std::sync::Arc<std::sync::Mutex<Option<Vault>>>;

fn install(slot: &Slot, vault: Vault) -> CmdResult<()> {
    let mut guard = slot.lock().map_err(|_| CommandError::internal())?;
    *guard = Some(vault);
    Ok(())
}

/// The status as the window needs it; also handed to the page at start-up
/// (see `boot_script`), so the first screen needs no IPC round trip.
pub fn app_status(vault_dir: &std::path::Path, slot: &Slot) -> CmdResult<AppStatus> {
    let unlocked = slot
        .lock()
        .map(|g| g.is_some())
        .map_err(|_| CommandError::internal())?;
    let s = Vault::status(vault_dir);
    Ok(AppStatus {
        exists: s.exists,
        unlocked,
        path: vault_dir.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        retry_after_secs: s.retry_after_secs,
        sealed: s.sealed,
        min_passphrase_chars: vekil::secret::MIN_PASSPHRASE_CHARS,
    })
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let slot = state.vault.clone();
    let dir = state.vault_dir.clone();
    blocking(move || app_status(&dir, &slot)).await
}

#[tauri::command]
pub async fn vault_create(
    state: State<'_, AppState>,
    passphrase: String,
) -> CmdResult<CreatedVault> {
    let passphrase = Passphrase::new(passphrase);
    let (slot, dir) = (state.vault.clone(), state.vault_dir.clone());
    let opts = VaultOptions {
        kdf_log_n: state.kdf_log_n,
    };
    blocking(move || {
        let (vault, code) = Vault::create_with(&dir, &passphrase, &opts)?;
        install(&slot, vault)?;
        Ok(CreatedVault {
            recovery_code: code.expose_secret().to_owned(),
        })
    })
    .await
}

#[tauri::command]
pub async fn vault_unlock(state: State<'_, AppState>, passphrase: String) -> CmdResult<()> {
    let passphrase = Passphrase::new(passphrase);
    let (slot, dir) = (state.vault.clone(), state.vault_dir.clone());
    blocking(move || {
        let vault = Vault::unlock(&dir, &passphrase)?;
        install(&slot, vault)
    })
    .await
}

#[tauri::command]
pub async fn vault_recover(
    state: State<'_, AppState>,
    recovery_code: String,
    new_passphrase: String,
) -> CmdResult<()> {
    let new_passphrase = Passphrase::new(new_passphrase);
    let code = RecoveryCode::parse(&recovery_code).map_err(|_| {
        CommandError::new("bad_recovery_code", "That recovery code is not correct.")
    })?;
    drop(recovery_code);
    let (slot, dir) = (state.vault.clone(), state.vault_dir.clone());
    blocking(move || {
        let vault = Vault::recover(&dir, &code, &new_passphrase)?;
        install(&slot, vault)
    })
    .await
}

/// Locks: keeps the window's unsaved form (if any) encrypted in the vault,
/// then closes the database. Locking an already locked vault is not an error.
#[tauri::command]
pub async fn vault_lock(state: State<'_, AppState>, draft: Option<String>) -> CmdResult<()> {
    let slot = state.vault.clone();
    blocking(move || {
        let mut guard = slot.lock().map_err(|_| CommandError::internal())?;
        let Some(vault) = guard.take() else {
            return Ok(());
        };
        let kept = match draft.as_deref() {
            Some(d) if !d.trim().is_empty() => vault.put_draft(UI_DRAFT, d).map_err(Into::into),
            _ => Ok(()),
        };
        // Close even if keeping the draft failed: locking must never be refused.
        let closed = vault.close().map_err(CommandError::from);
        kept.and(closed)
    })
    .await
}

#[tauri::command]
pub async fn vault_change_passphrase(
    state: State<'_, AppState>,
    current: String,
    next: String,
) -> CmdResult<()> {
    let current = Passphrase::new(current);
    let next = Passphrase::new(next);
    with_vault(&state, move |v| Ok(v.change_passphrase(&current, &next)?)).await
}

/// Returns (and forgets) the form kept at the last lock.
#[tauri::command]
pub async fn draft_take(state: State<'_, AppState>) -> CmdResult<Option<String>> {
    with_vault(&state, |v| Ok(v.take_draft(UI_DRAFT)?)).await
}
