//! The facility register: what the quick log and the incident form pick
//! from, and the entry those forms describe.

use crate::error::{CmdResult, CommandError};
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::State;
use vekil::model::{FacilityEntry, Stored};
use vekil::store::FacilitySuggestion;

/// Entries matching what is typed (by any spelling), most used first.
#[tauri::command]
pub async fn facility_suggest(
    state: State<'_, AppState>,
    text: String,
) -> CmdResult<Vec<FacilitySuggestion>> {
    if text.chars().count() > 200 {
        return Err(CommandError::invalid("text", "That text is too long."));
    }
    with_vault(&state, move |v| Ok(v.facility_suggest(&text, 20)?)).await
}

#[tauri::command]
pub async fn facility_get(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Stored<FacilityEntry>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<FacilityEntry>(id)?)).await
}

/// Saves a changed entry; the core copies it into every incident there.
#[tauri::command]
pub async fn facility_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    facility: serde_json::Value,
) -> CmdResult<Stored<FacilityEntry>> {
    let id = parse_id("id", &id)?;
    let facility: FacilityEntry = parse_record("facility", facility)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, facility)?)).await
}
