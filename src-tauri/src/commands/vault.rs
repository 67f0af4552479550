//! Create, unlock, recover, lock, verify; the encrypted draft kept across
//! a lock.

use crate::error::{CmdResult, CommandError};
use crate::lock::{LockReason, Locker, UI_DRAFT};
use crate::state::{blocking, with_vault, AppState};
use serde::Serialize;
use std::sync::Arc;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::store::VerifyReport;
use vekil::vault::{UnlockOptions, UnlockReport, VaultOptions, DEFAULT_KDF_LOG_N};
use vekil::Vault;

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
    /// Why the vault was last locked in this run (until the next unlock):
    /// the page, reloaded by the lock, words it.
    pub locked_by: Option<LockReason>,
}

/// Returned once, at creation: the code the lawyer must write down.
#[derive(Serialize, TS)]
#[ts(export)]
pub struct CreatedVault {
    /// Eight groups of four characters.
    pub recovery_code: String,
}

/// The status as the window needs it; also handed to the page at start-up
/// (see `boot_script`), so the first screen needs no IPC round trip. It
/// reads the lock's session, not the vault's mutex, so it answers at once
/// even while a command still holds the vault.
pub fn app_status(vault_dir: &std::path::Path, lock: &Locker) -> CmdResult<AppStatus> {
    let s = Vault::status(vault_dir);
    Ok(AppStatus {
        exists: s.exists,
        unlocked: lock.is_unlocked(),
        path: vault_dir.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        retry_after_secs: s.retry_after_secs,
        sealed: s.sealed,
        min_passphrase_chars: vekil::secret::MIN_PASSPHRASE_CHARS,
        locked_by: lock.last_reason(),
    })
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> CmdResult<AppStatus> {
    let lock = Arc::clone(&state.lock);
    let dir = state.vault_dir.clone();
    blocking(move || app_status(&dir, &lock)).await
}

#[tauri::command]
pub async fn vault_create(
    state: State<'_, AppState>,
    passphrase: String,
) -> CmdResult<CreatedVault> {
    let passphrase = Passphrase::new(passphrase);
    let (dir, installer) = (state.vault_dir.clone(), state.installer());
    let opts = VaultOptions {
        kdf_log_n: state.kdf_log_n,
    };
    blocking(move || {
        let (vault, code) = Vault::create_with(&dir, &passphrase, &opts)?;
        installer.install(vault);
        Ok(CreatedVault {
            recovery_code: code.expose_secret().to_owned(),
        })
    })
    .await
}

/// How the window unlocks: as the CLI does, with this computer's record of
/// the vaults it opened, so both warn alike about an older copy. A state
/// made for tests (a KDF lowered through `AppState::with_test_kdf`) keeps
/// that record beside its own settings file, never in the tester's home,
/// and may re-wrap keys at the test factor.
pub(crate) fn unlock_options(state: &AppState) -> UnlockOptions {
    if state.kdf_log_n < DEFAULT_KDF_LOG_N {
        return UnlockOptions {
            seen_record: Some(state.settings_file.with_file_name("seen-vaults.json")),
            test_only_low_kdf: true,
            ..UnlockOptions::default()
        };
    }
    UnlockOptions::on_this_computer()
}

/// Unlocks; answers with what the unlock found (codes the window words).
#[tauri::command]
pub async fn vault_unlock(
    state: State<'_, AppState>,
    passphrase: String,
) -> CmdResult<UnlockReport> {
    let passphrase = Passphrase::new(passphrase);
    let (dir, installer, opts) = (
        state.vault_dir.clone(),
        state.installer(),
        unlock_options(&state),
    );
    blocking(move || {
        let vault = Vault::unlock_with(&dir, &passphrase, &opts)?;
        let report = vault.unlock_report().clone();
        installer.install(vault);
        Ok(report)
    })
    .await
}

#[tauri::command]
pub async fn vault_recover(
    state: State<'_, AppState>,
    recovery_code: String,
    new_passphrase: String,
) -> CmdResult<UnlockReport> {
    let new_passphrase = Passphrase::new(new_passphrase);
    let code = RecoveryCode::parse(&recovery_code).map_err(|_| {
        CommandError::new("bad_recovery_code", "That recovery code is not correct.")
    })?;
    drop(recovery_code);
    let (dir, installer, opts) = (
        state.vault_dir.clone(),
        state.installer(),
        unlock_options(&state),
    );
    blocking(move || {
        let vault = Vault::recover_with(&dir, &code, &new_passphrase, &opts)?;
        let report = vault.unlock_report().clone();
        installer.install(vault);
        Ok(report)
    })
    .await
}

/// Locks (the one lock path, `lock::lock`): keeps the window's unsaved
/// form (if any) encrypted in the vault, drops the vault and reloads the
/// page. "Lock now", the panic chord, and the page's answer to a lock the
/// backend asked for all come here. Locking a locked vault is not an error,
/// and a lock is never refused.
#[tauri::command]
pub async fn vault_lock<R: Runtime>(app: AppHandle<R>, draft: Option<String>) -> CmdResult<()> {
    let draft = draft.map(zeroize::Zeroizing::new);
    crate::lock::lock(&app, draft, None).await;
    Ok(())
}

/// The page saw input: the auto-lock timer starts again. The page calls
/// this at most once every few seconds; it costs one timestamp.
#[tauri::command]
pub fn activity(state: State<'_, AppState>) {
    state.idle.touch();
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

/// The full check `vekil verify-vault` runs: every page, the history
/// chain, every record against its history, every attachment.
#[tauri::command]
pub async fn vault_verify(state: State<'_, AppState>) -> CmdResult<VerifyReport> {
    with_vault(&state, |v| Ok(v.verify()?)).await
}

/// Returns (and forgets) the form kept at the last lock.
#[tauri::command]
pub async fn draft_take(state: State<'_, AppState>) -> CmdResult<Option<String>> {
    with_vault(&state, |v| Ok(v.take_draft(UI_DRAFT)?)).await
}
