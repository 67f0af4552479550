//! Encrypted backup and restore in the window: the same core functions as
//! `vekil backup` / `vekil restore` (`vekil::vault::backup`).
//!
//! **No path from the page.** Every file these commands write or read is
//! one the lawyer chose in the backend's own dialog (`crate::dialog`, the
//! one dialog path every export and attachment uses: removable media
//! first, nothing recorded in `recently-used.xbel`). The page holds only
//! one-use tokens (`crate::picked`), each good for its own purpose: the
//! backup to write ([`backup_destination`]), the backup to restore
//! ([`backup_choose`]), the key file that opens it
//! ([`backup_choose_identity`]) and the new folder to restore into
//! ([`backup_choose_folder`]). A backup or restore that fails before it
//! wrote anything (a mistyped passphrase) gives its tokens back, so the
//! lawyer can retry without choosing again.
//!
//! Progress goes to the window as [`PROGRESS_EVENT`] events carrying a
//! [`Progress`]. A lock stops a backup through the vault's cancel flag and
//! leaves no file.

use crate::dialog::{self, ChosenFile};
use crate::error::{CmdResult, CommandError};
use crate::picked::{Purpose, Taken};
use crate::state::{blocking, parse_record, with_vault, AppState};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::vault::backup::{
    self, BackupError, BackupSummary, Needs, Opener, Progress, RestoreSummary, Seal,
};
use vekil::vault::Vault;

/// The event backup and restore emit while they work.
pub const PROGRESS_EVENT: &str = "backup-progress";

/// What the window asks a backup to be sealed to.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BackupSealTo {
    /// The passphrase typed in `secret`.
    Passphrase,
    /// The recovery code typed in `secret`.
    RecoveryCode,
    /// The address-book names in `recipients`; `secret` is the passphrase.
    Recipients,
}

/// A backup request from the window (no path: the destination is a token
/// from [`backup_destination`]).
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct BackupRequest {
    /// What to seal it to.
    pub seal_to: BackupSealTo,
    /// The passphrase or recovery code, as typed.
    pub secret: String,
    /// Address-book names, for `recipients`.
    pub recipients: Vec<String>,
}

/// A backup file the lawyer picked in the backend's dialog.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PickedBackup {
    /// Opaque, good once: names the file in the backend for
    /// `backup_restore`.
    pub token: String,
    /// The file's name (no folder), to show.
    pub name: String,
    /// What opens it.
    pub needs: Needs,
}

/// Where to restore.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RestoreInto {
    /// The app's own vault location, which must hold no vault; the
    /// restored vault is then the open one.
    AppVault,
    /// A new, empty folder chosen in a dialog (to check a backup, or keep
    /// a second copy), given in `folder`; the restored vault is closed
    /// again.
    NewFolder,
}

/// A restore request from the window: tokens, never paths.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct RestoreRequest {
    /// The backup, from [`backup_choose`].
    pub token: String,
    /// The passphrase or recovery code, for a backup that needs a secret.
    pub secret: Option<String>,
    /// The key file, from [`backup_choose_identity`], for a backup sealed
    /// to age recipients.
    pub identity: Option<String>,
    /// The restored vault's passphrase, when the backup was not sealed to
    /// the passphrase (or to change it).
    pub new_passphrase: Option<String>,
    /// Where to.
    pub into: RestoreInto,
    /// For `new_folder`: the folder, from [`backup_choose_folder`].
    pub folder: Option<String>,
}

/// What a restore brought back, with the new recovery code (show once).
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct RestoreDone {
    /// Eight groups of four characters.
    pub recovery_code: String,
    /// What was restored.
    pub summary: RestoreSummary,
    /// The restored vault is now the app's open vault.
    pub opened: bool,
}

impl From<BackupError> for CommandError {
    fn from(e: BackupError) -> Self {
        use BackupError as B;
        let (kind, message) = match e {
            B::Vault(v) => return v.into(),
            B::Core(c) => return (*c).into(),
            B::Cancelled(_) => return CommandError::cancelled(),
            B::WrongPassphrase => ("wrong_passphrase", "That passphrase is not correct."),
            B::WrongRecoveryCode => ("bad_recovery_code", "That recovery code is not correct."),
            B::NoRecipient => (
                "backup_no_recipient",
                "Choose at least one person or device from the address book.",
            ),
            B::BadRecipient { .. } => (
                "backup_unknown_recipient",
                "That name is not in the address book with a valid key.",
            ),
            B::OutputExists(_) => (
                "backup_file_exists",
                "A file with this name already exists. Choose a new name for the backup.",
            ),
            B::NotAFile(_) | B::Write { .. } => (
                "backup_write_failed",
                "The backup file could not be written. Check the folder and the free disk space.",
            ),
            B::Read { .. } | B::NotABackup(_) => (
                "not_a_backup",
                "That file is not a Vekil backup, or it cannot be read.",
            ),
            B::WrongSecret(_) => (
                "backup_wrong_secret",
                "That passphrase or recovery code does not open this backup.",
            ),
            B::WrongIdentity(_) | B::BadIdentity(_) => (
                "backup_wrong_identity",
                "That key file does not open this backup.",
            ),
            B::NeedsIdentity(_) => (
                "backup_needs_identity",
                "This backup opens with a key file, not a passphrase.",
            ),
            B::NeedsSecret(_) => (
                "backup_needs_secret",
                "This backup opens with a passphrase or recovery code.",
            ),
            B::Damaged { .. } => (
                "backup_damaged",
                "This backup is damaged or was altered. Nothing was restored; use another copy.",
            ),
            B::FromFuture { .. } => (
                "backup_from_future",
                "This backup was made by a newer version of Vekil. Update Vekil to restore it.",
            ),
            B::NewPassphraseNeeded => (
                "backup_new_passphrase",
                "Choose a passphrase for the restored vault.",
            ),
            _ => return CommandError::internal(),
        };
        CommandError::new(kind, message)
    }
}

/// Runs the save dialog for a new backup file (suggesting
/// `vekil-backup-<date>.age`); `null` if the lawyer cancelled. `title` is
/// the dialog's title, in the window's language.
#[tauri::command]
pub async fn backup_destination<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    let name = format!(
        "vekil-backup-{}.age",
        chrono::Local::now().format("%Y-%m-%d")
    );
    dialog::choose_destination(&app, &state.picks, Purpose::Backup, &title, &name).await
}

/// Writes the backup where `destination` (a token from
/// [`backup_destination`]) points, emitting [`PROGRESS_EVENT`]. The core
/// never replaces a file, even one the lawyer agreed to replace in the
/// dialog. A failed backup writes nothing and gives the token back.
#[tauri::command]
pub async fn backup_write<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
    destination: String,
) -> CmdResult<BackupSummary> {
    let request: BackupRequest = parse_record("request", request)?;
    let secret = request.secret;
    let seal = match request.seal_to {
        BackupSealTo::Passphrase => Seal::Passphrase(Passphrase::new(secret)),
        BackupSealTo::RecoveryCode => {
            Seal::RecoveryCode(RecoveryCode::parse(&secret).map_err(|_| {
                CommandError::new("bad_recovery_code", "That recovery code is not correct.")
            })?)
        }
        BackupSealTo::Recipients => Seal::Recipients {
            passphrase: Passphrase::new(secret),
            to: request.recipients,
        },
    };
    let taken = state.picks.take(&destination, Purpose::Backup)?;
    let out = taken.path().to_path_buf();
    let mut report = move |p: Progress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    let written = with_vault(&state, move |v| {
        Ok(backup::write(v, &seal, &out, &mut report)?)
    })
    .await;
    if written.is_err() {
        state.picks.give_back(taken);
    }
    written
}

/// Runs the open dialog for a backup file; answers with its token and
/// what opens it, or `null` when the dialog was cancelled. Works while
/// the vault is locked (the unlock screen restores).
#[tauri::command]
pub async fn backup_choose<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<PickedBackup>> {
    let Some(chosen) =
        dialog::choose_existing(&app, &state.picks, Purpose::Restore, &title).await?
    else {
        return Ok(None);
    };
    let taken = state.picks.take(&chosen.token, Purpose::Restore)?;
    let path = taken.path().to_path_buf();
    // Not a backup: the choice is dropped with the refusal.
    let needs = blocking(move || Ok(backup::probe(&path)?)).await?;
    state.picks.give_back(taken);
    Ok(Some(PickedBackup {
        token: chosen.token,
        name: chosen.name,
        needs,
    }))
}

/// Runs the open dialog for the age key file that opens a backup sealed
/// to recipients; `null` if cancelled.
#[tauri::command]
pub async fn backup_choose_identity<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    dialog::choose_existing(&app, &state.picks, Purpose::Identity, &title).await
}

/// Runs the folder dialog for the new, empty folder to restore into;
/// `null` if cancelled.
#[tauri::command]
pub async fn backup_choose_folder<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    dialog::choose_folder(&app, &state.picks, Purpose::RestoreFolder, &title).await
}

/// The tokens of one restore, taken together: either all or none.
struct Chosen {
    file: Taken,
    identity: Option<Taken>,
    folder: Option<Taken>,
}

impl Chosen {
    fn take(state: &AppState, request: &RestoreRequest) -> CmdResult<Self> {
        let picks = &state.picks;
        let file = picks.take(&request.token, Purpose::Restore)?;
        let rest = || -> CmdResult<(Option<Taken>, Option<Taken>)> {
            let identity = match &request.identity {
                Some(t) => Some(picks.take(t, Purpose::Identity)?),
                None => None,
            };
            let folder = match (request.into, &request.folder) {
                (RestoreInto::NewFolder, Some(t)) => match picks.take(t, Purpose::RestoreFolder) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        identity.into_iter().for_each(|i| picks.give_back(i));
                        return Err(e);
                    }
                },
                (RestoreInto::NewFolder, None) => {
                    identity.into_iter().for_each(|i| picks.give_back(i));
                    return Err(CommandError::invalid(
                        "folder",
                        "Choose the new, empty folder to restore the backup into.",
                    ));
                }
                (RestoreInto::AppVault, _) => None,
            };
            Ok((identity, folder))
        };
        match rest() {
            Ok((identity, folder)) => Ok(Self {
                file,
                identity,
                folder,
            }),
            Err(e) => {
                picks.give_back(file);
                Err(e)
            }
        }
    }

    fn give_back(self, state: &AppState) {
        let picks = &state.picks;
        picks.give_back(self.file);
        self.identity.into_iter().for_each(|t| picks.give_back(t));
        self.folder.into_iter().for_each(|t| picks.give_back(t));
    }
}

/// Restores the chosen backup: into the app's vault location when it
/// holds no vault (the restored vault is then open), or into the new
/// folder chosen for it. A restore that fails leaves nothing behind and
/// gives the tokens back for a retry.
#[tauri::command]
pub async fn backup_restore<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> CmdResult<RestoreDone> {
    let request: RestoreRequest = parse_record("request", request)?;
    let chosen = Chosen::take(&state, &request)?;
    let (file, identity, folder) = (
        chosen.file.path().to_path_buf(),
        chosen.identity.as_ref().map(|t| t.path().to_path_buf()),
        chosen.folder.as_ref().map(|t| t.path().to_path_buf()),
    );
    let (installer, app_dir) = (state.installer(), state.vault_dir.clone());
    let opts = super::vault::unlock_options(&state);
    let opened_now = state.vault.lock().map(|g| g.is_some()).unwrap_or(true);
    let restored = blocking(move || {
        let opener = match (backup::probe(&file)?, request.secret, identity) {
            (Needs::Secret, Some(s), _) => Opener::Secret(Passphrase::new(s)),
            (Needs::Secret, None, _) => return Err(BackupError::NeedsSecret(file).into()),
            (Needs::Identity, _, Some(key)) => Opener::Identity(key),
            (Needs::Identity, _, None) => return Err(BackupError::NeedsIdentity(file).into()),
        };
        let dir = match folder {
            Some(dir) => dir,
            None if opened_now || Vault::status(&app_dir).exists => {
                return Err(CommandError::new(
                    "vault_exists",
                    "A vault already exists at this location.",
                ));
            }
            None => app_dir,
        };
        let new_pass = request
            .new_passphrase
            .filter(|p| !p.is_empty())
            .map(Passphrase::new);
        let mut report = move |p: Progress| {
            let _ = app.emit(PROGRESS_EVENT, p);
        };
        let r = backup::restore(&file, &dir, &opener, new_pass.as_ref(), &opts, &mut report)?;
        let recovery_code = r.recovery_code.expose_secret().to_owned();
        let opened = matches!(request.into, RestoreInto::AppVault);
        if opened {
            installer.install(r.vault);
        } else {
            r.vault.close()?;
        }
        Ok(RestoreDone {
            recovery_code,
            summary: r.summary,
            opened,
        })
    })
    .await;
    if restored.is_err() {
        chosen.give_back(&state);
    }
    restored
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal a backup or restore can give reaches the window as a
    /// kind the window words in its own language, never as `internal`.
    #[test]
    fn every_backup_refusal_has_a_worded_kind() {
        let en = include_str!("../../../ui/src/lib/i18n/en.ts");
        let p = || std::path::PathBuf::from("/tmp/ehtiyat.age");
        let io = || std::io::Error::other("disk");
        let all = [
            BackupError::WrongPassphrase,
            BackupError::WrongRecoveryCode,
            BackupError::NoRecipient,
            BackupError::BadRecipient {
                given: "Leyla Həsənova".into(),
                reason: "unknown".into(),
            },
            BackupError::OutputExists(p()),
            BackupError::NotAFile(p()),
            BackupError::Write {
                path: p(),
                source: io(),
            },
            BackupError::Read {
                path: p(),
                source: io(),
            },
            BackupError::NotABackup(p()),
            BackupError::WrongSecret(p()),
            BackupError::WrongIdentity(p()),
            BackupError::NeedsIdentity(p()),
            BackupError::NeedsSecret(p()),
            BackupError::BadIdentity(p()),
            BackupError::Damaged {
                path: p(),
                reason: "cut".into(),
            },
            BackupError::FromFuture {
                path: p(),
                what: "format 9".into(),
            },
            BackupError::NewPassphraseNeeded,
            BackupError::Cancelled(vekil::cancel::CancelError::Cancelled),
        ];
        for e in all {
            let shown = format!("{e}");
            let c = CommandError::from(e);
            assert_ne!(c.kind, "internal", "{shown}");
            assert!(
                en.contains(&format!("\"err.{}\"", c.kind)),
                "no wording for {} ({shown})",
                c.kind
            );
            assert!(!c.message.contains("/tmp"), "{}", c.message);
        }
    }
}
