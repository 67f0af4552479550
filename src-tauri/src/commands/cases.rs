//! Cases and their timeline.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::State;
use vekil::model::{Case, Stored};
use vekil::store::ListFilter;
use vekil::timeline::TimelineEntry;

#[tauri::command]
pub async fn case_list(state: State<'_, AppState>) -> CmdResult<Vec<Stored<Case>>> {
    with_vault(&state, |v| {
        Ok(v.list::<Case>(&ListFilter {
            limit: Some(100_000),
            ..Default::default()
        })?)
    })
    .await
}

#[tauri::command]
pub async fn case_create(
    state: State<'_, AppState>,
    record: serde_json::Value,
) -> CmdResult<Stored<Case>> {
    let record: Case = parse_record("case", record)?;
    with_vault(&state, move |v| Ok(v.insert(record)?)).await
}

/// Saves an edited case, if nobody saved it since `revision`.
#[tauri::command]
pub async fn case_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    record: serde_json::Value,
) -> CmdResult<Stored<Case>> {
    let id = parse_id("id", &id)?;
    let record: Case = parse_record("case", record)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, record)?)).await
}

#[tauri::command]
pub async fn case_get(state: State<'_, AppState>, id: String) -> CmdResult<Stored<Case>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<Case>(id)?)).await
}

#[tauri::command]
pub async fn case_timeline(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Vec<TimelineEntry>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.case_timeline(id)?)).await
}
