//! Exports for partner organisations, the recipient address book, the
//! vault's signing key and the incident statistics. The core does the work
//! (`vekil::export`, `vekil::stats`); these commands only parse what
//! the window sends and run the core off the main thread.
//!
//! The window never names the export file: `export_destination` runs the
//! save dialog in the backend and hands the page a token, and
//! `export_write` writes only where that token points, replacing a file
//! only if the dialog's own "Replace?" question was answered yes.
//! `export_write` reports its progress to the window as [`PROGRESS_EVENT`]
//! events carrying a [`Progress`].

use crate::dialog::{self, ChosenFile};
use crate::error::CmdResult;
use crate::picked::Purpose;
use crate::state::{parse_record, with_vault, AppState};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;
use vekil::export::{self, ExportDone, ExportFormat, ExportRequest, Preview, Progress, Recipient};
use vekil::stats::Stats;

/// The event `export_write` emits while it works.
pub const PROGRESS_EVENT: &str = "export-progress";

/// The vault's signing public key, to send to organisations separately.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SigningPublicKey {
    /// minisign key id (16 hex digits).
    pub key_id: String,
    /// The one-line public key for `minisign -P`.
    pub public_key: String,
}

/// The organisations in the address book.
#[tauri::command]
pub async fn recipient_list(state: State<'_, AppState>) -> CmdResult<Vec<Recipient>> {
    with_vault(&state, |v| Ok(export::recipients::list(v)?)).await
}

/// Adds (or replaces) an organisation and its age public key.
#[tauri::command]
pub async fn recipient_add(
    state: State<'_, AppState>,
    name: String,
    age_public_key: String,
) -> CmdResult<Recipient> {
    with_vault(&state, move |v| {
        Ok(export::recipients::add(v, &name, &age_public_key)?)
    })
    .await
}

/// Removes an organisation; false if it was not there.
#[tauri::command]
pub async fn recipient_remove(state: State<'_, AppState>, name: String) -> CmdResult<bool> {
    with_vault(&state, move |v| Ok(export::recipients::remove(v, &name)?)).await
}

/// The organisations ticked on the Export screen last time (kept in the
/// vault, so a lock or a restart does not clear them).
#[tauri::command]
pub async fn recipient_choice_get(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    with_vault(&state, |v| Ok(export::recipients::chosen(v)?)).await
}

/// Remembers the ticked organisations; an unknown name changes nothing.
#[tauri::command]
pub async fn recipient_choice_set(
    state: State<'_, AppState>,
    names: Vec<String>,
) -> CmdResult<Vec<String>> {
    with_vault(&state, move |v| {
        Ok(export::recipients::set_chosen(v, &names)?)
    })
    .await
}

/// The vault's signing public key (created on first use).
#[tauri::command]
pub async fn signing_public_key(state: State<'_, AppState>) -> CmdResult<SigningPublicKey> {
    with_vault(&state, |v| {
        let k = export::signing::SigningKey::load_or_create(v)?;
        Ok(SigningPublicKey {
            key_id: k.key_id(),
            public_key: export::signing::public_key_line(&k.public),
        })
    })
    .await
}

/// Exactly which records and fields an export would send, and the removed
/// names found in text that leaves; writes nothing.
#[tauri::command]
pub async fn export_preview(
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> CmdResult<Preview> {
    let request: ExportRequest = parse_record("request", request)?;
    with_vault(&state, move |v| Ok(export::request::preview(v, &request)?)).await
}

/// Runs the save dialog for an export file of `format` (suggesting
/// `vekil-export-<date>.<ext>`); `null` if the lawyer cancelled. `title`
/// is the dialog's title, in the window's language.
#[tauri::command]
pub async fn export_destination<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    format: ExportFormat,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    let day = chrono::Local::now().format("%Y-%m-%d");
    let name = format!("vekil-export-{day}.{}", format.extension());
    dialog::choose_destination(&app, &state.picks, Purpose::Export, &title, &name).await
}

/// Writes the export where `destination` (a token from
/// `export_destination`) points, through the core's one export path,
/// emitting [`PROGRESS_EVENT`] as it goes: `selecting` first, then the
/// core's steps, and `done` (with `done == total`) once the file is
/// written. The token is spent by a written file; a failed export gives it
/// back (and writes nothing), so the lawyer can fix the request and retry.
#[tauri::command]
pub async fn export_write<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
    destination: String,
) -> CmdResult<ExportDone> {
    let request: ExportRequest = parse_record("request", request)?;
    let taken = state.picks.take(&destination, Purpose::Export)?;
    let (out, replace) = (taken.path().to_path_buf(), taken.replace());
    // Progress is only shown, never needed: a failed emit is ignored.
    let mut report = move |p: Progress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    let written = with_vault(&state, move |v| {
        Ok(export::request::write(
            v,
            &request,
            &out,
            replace,
            &mut report,
        )?)
    })
    .await;
    if written.is_err() {
        state.picks.give_back(taken);
    }
    written
}

/// The statistics `vekil stats` prints (`vekil::stats`, one definition).
#[tauri::command]
pub async fn export_stats(state: State<'_, AppState>) -> CmdResult<Stats> {
    with_vault(&state, |v| Ok(vekil::stats::stats(v)?)).await
}
