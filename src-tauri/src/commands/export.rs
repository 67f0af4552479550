//! Exports for partner organisations, the recipient address book, the
//! vault's signing key and the incident statistics. The core does the work
//! (`vekil::export`, `vekil::stats`); these commands only parse what
//! the window sends, check the output path, and run the core off the main
//! thread. `export_write` reports its progress to the window as
//! [`PROGRESS_EVENT`] events carrying a [`Progress`].

use crate::error::{CmdResult, CommandError};
use crate::state::{parse_record, with_vault, AppState};
use serde::Serialize;
use std::path::{Path, PathBuf};
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

/// Checks the output path the user typed: absolute, in an existing folder,
/// and not an existing file unless `replace`.
fn check_out(path: &str, replace: bool) -> CmdResult<PathBuf> {
    let bad = |m: &str| CommandError::invalid("path", m);
    let p = PathBuf::from(path.trim());
    if path.trim().is_empty() || !p.is_absolute() || p.file_name().is_none() {
        return Err(bad("Write the full path of the file, starting with /."));
    }
    if !p.parent().is_some_and(Path::is_dir) {
        return Err(bad("The folder for this file does not exist."));
    }
    if p.is_dir() {
        return Err(bad("That path is a folder. Add a file name."));
    }
    if p.exists() && !replace {
        return Err(CommandError {
            field: Some("path".into()),
            ..CommandError::new("file_exists", "A file with this name already exists.")
        });
    }
    Ok(p)
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

/// A suggested output file: `~/Documents/vekil-export-<date>.<ext>`, or the
/// home folder when there is no Documents folder.
#[tauri::command]
pub fn export_suggest_path(format: ExportFormat) -> CmdResult<String> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_dir())
        .ok_or_else(|| CommandError::new("no_home", "Your home folder was not found."))?;
    let docs = home.join("Documents");
    let dir = if docs.is_dir() { docs } else { home };
    let day = chrono::Local::now().format("%Y-%m-%d");
    let name = format!("vekil-export-{day}.{}", format.extension());
    Ok(dir.join(name).to_string_lossy().into_owned())
}

/// Writes the export to `path` (refusing to overwrite unless `replace`)
/// through the core's one export path, emitting [`PROGRESS_EVENT`] as it
/// goes: `selecting` first, then the core's steps, and `done` (with
/// `done == total`) once the file is written. A failed export ends
/// without `done`; the command's error says why.
#[tauri::command]
pub async fn export_write<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
    path: String,
    replace: bool,
) -> CmdResult<ExportDone> {
    let request: ExportRequest = parse_record("request", request)?;
    let out = check_out(&path, replace)?;
    // Progress is only shown, never needed: a failed emit is ignored.
    let mut report = move |p: Progress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    with_vault(&state, move |v| {
        Ok(export::request::write(
            v,
            &request,
            &out,
            replace,
            &mut report,
        )?)
    })
    .await
}

/// The statistics `vekil stats` prints (`vekil::stats`, one definition).
#[tauri::command]
pub async fn export_stats(state: State<'_, AppState>) -> CmdResult<Stats> {
    with_vault(&state, |v| Ok(vekil::stats::stats(v)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_path_is_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("out.json");
        let p = file.to_string_lossy().into_owned();
        assert!(check_out(&p, false).is_ok());
        assert_eq!(
            check_out("relative.json", false)
                .map_err(|e| e.kind)
                .err()
                .as_deref(),
            Some("invalid_input")
        );
        let missing = dir.path().join("nope/out.json");
        assert!(check_out(&missing.to_string_lossy(), false).is_err());
        std::fs::write(&file, b"x").expect("write");
        assert_eq!(
            check_out(&p, false).map_err(|e| e.kind).err().as_deref(),
            Some("file_exists")
        );
        assert!(check_out(&p, true).is_ok());
        assert!(check_out(&dir.path().to_string_lossy(), true).is_err());
    }
}
