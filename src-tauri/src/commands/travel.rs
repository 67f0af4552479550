//! Travel mode and quick erase in the window: seal, request, open, erase,
//! the opt-in wipe. Each command hands its arguments to `vekil::vault::
//! travel` / `erase`, the same functions the CLI uses. The release request
//! is written where the lawyer chose in the backend's save dialog (a
//! token, as for exports), never at a path the page names.

use crate::dialog::{self, ChosenFile};
use crate::error::{CmdResult, CommandError};
use crate::picked::Purpose;
use crate::state::{blocking, with_vault, AppState};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;
use vekil::secret::Passphrase;
use vekil::vault::erase::{self, EraseReport};
use vekil::vault::travel::{self, PendingRelease, Release, TravelError, TravelStatus};

/// A release file the lawyer picked in the window: its name and contents.
#[derive(Debug, serde::Deserialize, TS)]
#[ts(export)]
pub struct PickedRelease {
    /// The file name, for messages.
    pub name: String,
    /// Its text (a release is a small JSON file).
    pub text: String,
}

/// What "Open with releases" returns: the new recovery code, shown once.
#[derive(Serialize, TS)]
#[ts(export)]
pub struct TravelOpened {
    /// Eight groups of four characters.
    pub recovery_code: String,
}

impl From<TravelError> for CommandError {
    fn from(e: TravelError) -> Self {
        use TravelError as T;
        let (kind, message) = match e {
            T::Vault(v) => return v.into(),
            T::NoCustodian => ("no_custodian", "Choose at least one custodian."),
            T::UnknownCustodian(_) | T::BadCustodianKey { .. } => (
                "unknown_custodian",
                "That custodian is not in the address book with a valid key.",
            ),
            T::DuplicateCustodian(_) => ("duplicate_custodian", "Each custodian can be chosen once."),
            T::BadThreshold { .. } | T::ThresholdRequired(_) | T::TooManyCustodians => (
                "bad_threshold",
                "Choose how many custodians must release the vault: from 1 to the number chosen.",
            ),
            T::AlreadySealed => ("already_sealed", "This vault is already sealed for travel."),
            T::NotSealed => ("not_sealed", "This vault is not sealed for travel."),
            T::NoRequest => (
                "no_request",
                "Make a release request first and send it to your custodians.",
            ),
            T::NotTravelFile { .. } => (
                "not_release",
                "One of the files is not a Vekil release, or it is damaged.",
            ),
            T::ReleaseForAnotherVault(_) => (
                "release_other_vault",
                "One of the releases was made for another vault.",
            ),
            T::ReleaseReplayed(_) => (
                "release_replayed",
                "One of the releases was made for an earlier request. Ask for a release of the current request.",
            ),
            T::ReleaseTampered(_) | T::KeyMismatch => (
                "release_tampered",
                "One of the releases was altered or forged. Ask that custodian to release again.",
            ),
            T::TooFewReleases { .. } => (
                "too_few_releases",
                "Not enough custodians have released the vault yet.",
            ),
            T::Io { .. } => (
                "travel_write_failed",
                "The file could not be written. Check the folder and the free disk space.",
            ),
            _ => ("travel_failed", "This travel step failed. Nothing was changed."),
        };
        CommandError::new(kind, message)
    }
}

/// The sealed state, or `null` when the vault is not sealed.
#[tauri::command]
pub async fn travel_status(state: State<'_, AppState>) -> CmdResult<Option<TravelStatus>> {
    let dir = state.vault_dir.clone();
    blocking(move || Ok(travel::status(&dir)?)).await
}

/// Seals the open vault and locks the window.
#[tauri::command]
pub async fn travel_seal(
    state: State<'_, AppState>,
    passphrase: String,
    custodians: Vec<String>,
    threshold: Option<u8>,
) -> CmdResult<TravelStatus> {
    let passphrase = Passphrase::new(passphrase);
    let (slot, locker) = (state.vault.clone(), std::sync::Arc::clone(&state.lock));
    blocking(move || {
        let sealed = crate::lock::with_unlocked(&slot, |vault| {
            Ok(travel::seal(vault, &passphrase, &custodians, threshold)?)
        })?;
        // Sealed: the session ends and the key leaves memory through the
        // one lock path (the window then shows its "sealed" screen).
        locker.drop_key(
            None,
            crate::lock::LockReason::Manual,
            std::time::Duration::from_secs(3),
        );
        Ok(sealed)
    })
    .await
}

/// Runs the save dialog for the release request (suggesting
/// `vekil-release-request-<date>.json`); `null` if the lawyer cancelled.
#[tauri::command]
pub async fn travel_request_destination<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    let day = chrono::Local::now().format("%Y-%m-%d");
    let name = format!("vekil-release-request-{day}.json");
    dialog::choose_destination(&app, &state.picks, Purpose::TravelRequest, &title, &name).await
}

/// Writes a release request where `destination` (a token from
/// `travel_request_destination`) points; returns the code to read out. A
/// file there is replaced only if the dialog asked and the lawyer agreed.
#[tauri::command]
pub async fn travel_request(
    state: State<'_, AppState>,
    destination: String,
) -> CmdResult<PendingRelease> {
    let taken = state.picks.take(&destination, Purpose::TravelRequest)?;
    let (dir, out, replace) = (
        state.vault_dir.clone(),
        taken.path().to_path_buf(),
        taken.replace(),
    );
    let written = blocking(move || {
        if !replace && std::fs::symlink_metadata(&out).is_ok() {
            return Err(CommandError {
                field: Some("destination".into()),
                ..CommandError::new(
                    "file_exists",
                    "A file with this name appeared after you chose it. Choose the file again.",
                )
            });
        }
        Ok(travel::request(&dir, &out)?)
    })
    .await;
    if written.is_err() {
        state.picks.give_back(taken);
    }
    written
}

/// Checks the picked releases without changing anything.
#[tauri::command]
pub async fn travel_check(
    state: State<'_, AppState>,
    releases: Vec<PickedRelease>,
) -> CmdResult<()> {
    let dir = state.vault_dir.clone();
    blocking(move || Ok(travel::check_releases(&dir, &to_releases(releases))?)).await
}

/// Opens the sealed vault with the releases and a new passphrase.
#[tauri::command]
pub async fn travel_open(
    state: State<'_, AppState>,
    releases: Vec<PickedRelease>,
    new_passphrase: String,
) -> CmdResult<TravelOpened> {
    let new_passphrase = Passphrase::new(new_passphrase);
    let (installer, dir) = (state.installer(), state.vault_dir.clone());
    blocking(move || {
        let (vault, code) = travel::open(&dir, &to_releases(releases), &new_passphrase)?;
        // The session starts as after any unlock (idle timer, lock state).
        installer.install(vault);
        Ok(TravelOpened {
            recovery_code: code.expose_secret().to_owned(),
        })
    })
    .await
}

fn to_releases(picked: Vec<PickedRelease>) -> Vec<Release> {
    picked
        .into_iter()
        .map(|p| Release {
            source: p.name.into(),
            bytes: p.text.into_bytes(),
        })
        .collect()
}

/// Closes the vault if it is open, then erases it. Needs no passphrase.
#[tauri::command]
pub async fn vault_erase(state: State<'_, AppState>) -> CmdResult<EraseReport> {
    let (locker, dir) = (std::sync::Arc::clone(&state.lock), state.vault_dir.clone());
    blocking(move || {
        // The one lock path ends the session and drops the key (a poisoned
        // mutex included); erase does not wait for it, since the data goes
        // either way and erase works on a vault open elsewhere too.
        locker.drop_key(
            None,
            crate::lock::LockReason::Manual,
            std::time::Duration::from_secs(1),
        );
        Ok(erase::erase(&dir)?)
    })
    .await
}

/// The wipe limit (failed unlocks in a row), or `null` when off.
#[tauri::command]
pub async fn wipe_after_get(state: State<'_, AppState>) -> CmdResult<Option<u32>> {
    with_vault(&state, |v| Ok(v.wipe_after_failures()?)).await
}

/// Sets (`Some(n)`, n ≥ 5) or clears the wipe limit; asks the passphrase.
#[tauri::command]
pub async fn wipe_after_set(
    state: State<'_, AppState>,
    passphrase: String,
    limit: Option<u32>,
) -> CmdResult<()> {
    let passphrase = Passphrase::new(passphrase);
    with_vault(&state, move |v| {
        Ok(v.set_wipe_after_failures(&passphrase, limit)?)
    })
    .await
}
