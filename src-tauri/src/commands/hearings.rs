//! Hearings and the agenda of the coming days.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::State;
use vekil::model::{Hearing, Stored};
use vekil::timeline::TimelineEntry;

#[tauri::command]
pub async fn hearing_create(
    state: State<'_, AppState>,
    hearing: serde_json::Value,
) -> CmdResult<Stored<Hearing>> {
    let hearing: Hearing = parse_record("hearing", hearing)?;
    with_vault(&state, move |v| Ok(v.insert(hearing)?)).await
}

#[tauri::command]
pub async fn hearing_get(state: State<'_, AppState>, id: String) -> CmdResult<Stored<Hearing>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<Hearing>(id)?)).await
}

/// Saves an edited hearing (rescheduled, or its outcome and next step once
/// it took place), if nobody saved it since `revision`.
#[tauri::command]
pub async fn hearing_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    hearing: serde_json::Value,
) -> CmdResult<Stored<Hearing>> {
    let id = parse_id("id", &id)?;
    let hearing: Hearing = parse_record("hearing", hearing)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, hearing)?)).await
}

/// The agenda (`vekil::timeline`, the one `vekil agenda` prints): missed
/// open deadlines first, then the coming `days` days from the start of
/// today in the vault's time zone.
#[tauri::command]
pub async fn agenda(state: State<'_, AppState>, days: u32) -> CmdResult<Vec<TimelineEntry>> {
    with_vault(&state, move |v| Ok(v.agenda(chrono::Utc::now(), days)?)).await
}
