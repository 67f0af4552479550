//! Encrypted backup and restore in the window: the same core functions as
//! `vekil backup` / `vekil restore` (`vekil::vault::backup`).
//!
//! **No path from the page.** Every file these commands write or read is
//! one the lawyer chose in a native GTK dialog the backend runs itself,
//! parented to the window; the page sends only the dialog's title (in its
//! language) and, for a restore, the opaque token of the backup it picked.
//! (Branch `paths` brings the same rule to every export with a shared
//! dialog module; these commands should move onto it when it is merged.)
//! The dialogs record nothing in `recently-used.xbel`.
//!
//! Progress goes to the window as [`PROGRESS_EVENT`] events carrying a
//! [`Progress`]. A lock stops a backup through the vault's cancel flag and
//! leaves no file.

use crate::error::{CmdResult, CommandError};
use crate::state::{blocking, parse_record, with_vault, AppState};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
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

/// A backup request from the window (no path: the backend asks for it).
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct BackupRequest {
    /// What to seal it to.
    pub seal_to: BackupSealTo,
    /// The passphrase or recovery code, as typed.
    pub secret: String,
    /// Address-book names, for `recipients`.
    pub recipients: Vec<String>,
    /// The save dialog's title, in the window's language.
    pub dialog_title: String,
}

/// A backup file the lawyer picked in the backend's dialog.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PickedBackup {
    /// Opaque: names the file in the backend for `backup_restore`.
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
    /// a second copy); the restored vault is closed again.
    NewFolder,
}

/// A restore request from the window.
#[derive(Debug, Deserialize, TS)]
#[ts(export)]
pub struct RestoreRequest {
    /// From [`backup_pick`].
    pub token: String,
    /// The passphrase or recovery code, for a backup that needs a secret.
    pub secret: Option<String>,
    /// The restored vault's passphrase, when the backup was not sealed to
    /// the passphrase (or to change it).
    pub new_passphrase: Option<String>,
    /// Where to.
    pub into: RestoreInto,
    /// The title of the dialog that asks for the identity file or the
    /// folder, in the window's language.
    pub dialog_title: String,
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

/// The backup the lawyer picked last: token and path. One at a time.
static PICKED: Mutex<Option<(String, PathBuf)>> = Mutex::new(None);

/// Asks for a new backup file in a save dialog, then writes the backup
/// there; `null` when the dialog was cancelled.
#[tauri::command]
pub async fn backup_write<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> CmdResult<Option<BackupSummary>> {
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
    let name = format!(
        "vekil-backup-{}.age",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let (title, dialog_app) = (request.dialog_title, app.clone());
    let Some(out) =
        blocking(move || dialog::ask(&dialog_app, dialog::Ask::Save(name), &title)).await?
    else {
        return Ok(None);
    };
    let mut report = move |p: Progress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    with_vault(&state, move |v| {
        Ok(Some(backup::write(v, &seal, &out, &mut report)?))
    })
    .await
}

/// Asks for a backup file in an open dialog; returns a token for it and
/// what opens it, or `null` when the dialog was cancelled.
#[tauri::command]
pub async fn backup_pick<R: Runtime>(
    app: AppHandle<R>,
    dialog_title: String,
) -> CmdResult<Option<PickedBackup>> {
    blocking(move || {
        let Some(path) = dialog::ask(&app, dialog::Ask::Open, &dialog_title)? else {
            return Ok(None);
        };
        let needs = backup::probe(&path)?;
        let token = uuid::Uuid::new_v4().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        *PICKED.lock().unwrap_or_else(|p| p.into_inner()) = Some((token.clone(), path));
        Ok(Some(PickedBackup { token, name, needs }))
    })
    .await
}

/// Restores the picked backup: into the app's vault location when it
/// holds no vault (the restored vault is then open), or into a new folder
/// chosen in a dialog. `null` when a dialog was cancelled.
#[tauri::command]
pub async fn backup_restore<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> CmdResult<Option<RestoreDone>> {
    let request: RestoreRequest = parse_record("request", request)?;
    let file = PICKED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .filter(|(t, _)| *t == request.token)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| CommandError::invalid("token", "Pick the backup file again."))?;
    let (installer, app_dir) = (state.installer(), state.vault_dir.clone());
    let opts = super::vault::unlock_options(&state);
    let opened_now = state.vault.lock().map(|g| g.is_some()).unwrap_or(true);
    blocking(move || {
        let opener = match (backup::probe(&file)?, request.secret) {
            (Needs::Secret, Some(s)) => Opener::Secret(Passphrase::new(s)),
            (Needs::Secret, None) => return Err(BackupError::NeedsSecret(file).into()),
            (Needs::Identity, _) => {
                match dialog::ask(&app, dialog::Ask::Open, &request.dialog_title)? {
                    Some(key) => Opener::Identity(key),
                    None => return Ok(None),
                }
            }
        };
        let dir = match request.into {
            RestoreInto::AppVault => {
                if opened_now || Vault::status(&app_dir).exists {
                    return Err(CommandError::new(
                        "vault_exists",
                        "A vault already exists at this location.",
                    ));
                }
                app_dir
            }
            RestoreInto::NewFolder => {
                match dialog::ask(&app, dialog::Ask::Folder, &request.dialog_title)? {
                    Some(d) => d,
                    None => return Ok(None),
                }
            }
        };
        let new_pass = request
            .new_passphrase
            .filter(|p| !p.is_empty())
            .map(Passphrase::new);
        let emitter = app.clone();
        let mut report = move |p: Progress| {
            let _ = emitter.emit(PROGRESS_EVENT, p);
        };
        let r = backup::restore(&file, &dir, &opener, new_pass.as_ref(), &opts, &mut report)?;
        let recovery_code = r.recovery_code.expose_secret().to_owned();
        let opened = matches!(request.into, RestoreInto::AppVault);
        if opened {
            installer.install(r.vault);
        } else {
            r.vault.close()?;
        }
        *PICKED.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(Some(RestoreDone {
            recovery_code,
            summary: r.summary,
            opened,
        }))
    })
    .await
}

/// The native dialogs, run by the backend on the main thread.
mod dialog {
    use super::*;

    /// Which dialog.
    pub enum Ask {
        /// A new file, with this suggested name.
        Save(String),
        /// An existing file.
        Open,
        /// A folder (a new one can be made in the dialog).
        Folder,
    }

    /// Runs the dialog parented to the main window and waits for the
    /// lawyer's choice; `None` when cancelled. Call off the main thread.
    pub fn ask<R: Runtime>(
        app: &AppHandle<R>,
        ask: Ask,
        title: &str,
    ) -> CmdResult<Option<PathBuf>> {
        let window = app
            .get_webview_window("main")
            .ok_or_else(CommandError::internal)?;
        let (tx, rx) = std::sync::mpsc::channel();
        let (w, title) = (window.clone(), title.to_owned());
        window
            .run_on_main_thread(move || {
                let _ = tx.send(run(&w, ask, &title));
            })
            .map_err(|_| CommandError::internal())?;
        rx.recv().map_err(|_| CommandError::internal())
    }

    #[cfg(target_os = "linux")]
    fn run<R: Runtime>(w: &tauri::WebviewWindow<R>, ask: Ask, title: &str) -> Option<PathBuf> {
        use gtk::prelude::*;
        // The chooser would add the file to recently-used.xbel: a list of
        // where the backups are, readable without the passphrase.
        if let Some(s) = gtk::Settings::default() {
            s.set_gtk_recent_files_enabled(false);
        }
        let parent = w.gtk_window().ok();
        let (action, accept) = match ask {
            Ask::Save(_) => (gtk::FileChooserAction::Save, "_Save"),
            Ask::Open => (gtk::FileChooserAction::Open, "_Open"),
            Ask::Folder => (gtk::FileChooserAction::SelectFolder, "_Select"),
        };
        let d = gtk::FileChooserDialog::with_buttons(
            Some(title),
            parent.as_ref(),
            action,
            &[
                ("_Cancel", gtk::ResponseType::Cancel),
                (accept, gtk::ResponseType::Accept),
            ],
        );
        d.set_local_only(true);
        d.set_modal(true);
        if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
            let docs = home.join("Documents");
            let _ = d.set_current_folder(if docs.is_dir() { docs } else { home });
        }
        if let Ask::Save(name) = &ask {
            // A backup never replaces a file: the core refuses an existing one.
            d.set_do_overwrite_confirmation(false);
            d.set_current_name(name);
        }
        let chosen = (d.run() == gtk::ResponseType::Accept)
            .then(|| d.filename())
            .flatten();
        d.close();
        chosen
    }

    #[cfg(not(target_os = "linux"))]
    fn run<R: Runtime>(_: &tauri::WebviewWindow<R>, _: Ask, _: &str) -> Option<PathBuf> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal a backup or restore can give reaches the window as a
    /// kind the window words in its own language, never as `internal`.
    #[test]
    fn every_backup_refusal_has_a_worded_kind() {
        let en = include_str!("../../../ui/src/lib/i18n/en.ts");
        let p = || PathBuf::from("/tmp/ehtiyat.age");
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
