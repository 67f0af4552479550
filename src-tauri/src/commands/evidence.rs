//! Evidence notes and their encrypted attachments.
//!
//! A file on disk reaches the vault by token only: the lawyer picks it in
//! the backend's open dialog (`evidence_choose_file`) or drops it on the
//! window (`dropped.rs`), and `evidence_attach_file` streams that file
//! into the core's `attach_file`, the same function the CLI uses; the page
//! never names a path and never holds the file's bytes. Bytes the page
//! already holds arrive as the raw IPC body (not a JSON number array).
//! Previews are sent back as raw bytes for a `blob:` URL. Plaintext never
//! touches disk.

use crate::dialog::{self, ChosenFile};
use crate::error::{CmdResult, CommandError};
use crate::picked::Purpose;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::{AppHandle, Runtime, State};
use vekil::model::{AttachmentRef, EvidenceNote, Stored};
use vekil::store::ListFilter;

/// Largest file accepted from the window (the core allows more from the CLI).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024 * 1024;

#[tauri::command]
pub async fn evidence_list(state: State<'_, AppState>) -> CmdResult<Vec<Stored<EvidenceNote>>> {
    with_vault(&state, |v| {
        Ok(v.list::<EvidenceNote>(&ListFilter {
            limit: Some(100_000),
            ..Default::default()
        })?)
    })
    .await
}

#[tauri::command]
pub async fn evidence_create(
    state: State<'_, AppState>,
    evidence: serde_json::Value,
) -> CmdResult<Stored<EvidenceNote>> {
    let note: EvidenceNote = parse_record("evidence", evidence)?;
    with_vault(&state, move |v| Ok(v.insert(note)?)).await
}

#[tauri::command]
pub async fn evidence_get(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Stored<EvidenceNote>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<EvidenceNote>(id)?)).await
}

/// The notes that document incident `id`, whatever else they document
/// (the incident page's evidence list).
#[tauri::command]
pub async fn evidence_of_incident(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Vec<Stored<EvidenceNote>>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.evidence_of_incidents(&[id])?)).await
}

#[tauri::command]
pub async fn evidence_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    evidence: serde_json::Value,
) -> CmdResult<Stored<EvidenceNote>> {
    let id = parse_id("id", &id)?;
    let note: EvidenceNote = parse_record("evidence", evidence)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, note)?)).await
}

fn header(request: &Request<'_>, name: &str) -> CmdResult<String> {
    request
        .headers()
        .get(name)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| CommandError::invalid(name, format!("The {name} header is missing.")))
}

/// Percent-decoding for the file name header (names may be Azerbaijani or Russian).
fn percent_decode(s: &str) -> CmdResult<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| CommandError::invalid("file_name", "The file name is garbled."))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| CommandError::invalid("file_name", "The file name is garbled."))
}

/// Attaches the raw request body to an evidence note. Headers:
/// `x-evidence-id` and `x-file-name` (percent-encoded).
#[tauri::command]
pub async fn evidence_attach(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> CmdResult<AttachmentRef> {
    let id = parse_id("evidence_id", &header(&request, "x-evidence-id")?)?;
    let name = percent_decode(&header(&request, "x-file-name")?)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\']) {
        return Err(CommandError::invalid(
            "file_name",
            "The file name is not usable.",
        ));
    }
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::invalid(
            "body",
            "The file's content was not sent.",
        ));
    };
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CommandError::new(
            "too_large",
            "This file is too large to attach.",
        ));
    }
    // One copy, moved into the blocking task and dropped right after encryption.
    let bytes = zeroize::Zeroizing::new(bytes.clone());
    with_vault(&state, move |v| Ok(v.attach(id, &name, &bytes)?)).await
}

/// Runs the open dialog for a file to attach; `null` if the lawyer
/// cancelled. `title` is the dialog's title, in the window's language.
#[tauri::command]
pub async fn evidence_choose_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
) -> CmdResult<Option<ChosenFile>> {
    dialog::choose_file(&app, &state.picks, &title).await
}

/// Encrypts the file behind `file` (a token from `evidence_choose_file` or
/// a drop) into the vault as an attachment of evidence note
/// `evidence_id`, streaming it from disk. The token is spent when the file
/// is attached; a failure gives it back for another try.
#[tauri::command]
pub async fn evidence_attach_file(
    state: State<'_, AppState>,
    evidence_id: String,
    file: String,
) -> CmdResult<AttachmentRef> {
    let id = parse_id("evidence_id", &evidence_id)?;
    let taken = state.picks.take(&file, Purpose::Attach)?;
    let path = taken.path().to_path_buf();
    let attached = with_vault(&state, move |v| {
        // Only a regular file that can be read: a folder, a FIFO (which
        // would block) or a file gone since the choice is refused here,
        // so a failure further on is the vault's.
        let readable = std::fs::metadata(&path).is_ok_and(|m| m.is_file())
            && std::fs::File::open(&path).is_ok();
        if !readable {
            return Err(CommandError {
                field: Some("file".into()),
                ..CommandError::new(
                    "file_unreadable",
                    "The chosen file could not be read. Check that it is still there and that you may open it, then choose it again.",
                )
            });
        }
        Ok(v.attach_file(id, &path)?)
    })
    .await;
    if attached.is_err() {
        state.picks.give_back(taken);
    }
    attached
}

/// Decrypted attachment bytes for an in-memory preview.
#[tauri::command]
pub async fn attachment_read(state: State<'_, AppState>, sha256: String) -> CmdResult<Response> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CommandError::invalid(
            "sha256",
            "That is not an attachment fingerprint.",
        ));
    }
    with_vault(&state, move |v| {
        let bytes = v.read_attachment(&sha256)?;
        Ok(Response::new(bytes.to_vec()))
    })
    .await
}
