//! Procedural deadlines of a case.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::State;
use vekil::model::{Deadline, Stored};

#[tauri::command]
pub async fn deadline_create(
    state: State<'_, AppState>,
    deadline: serde_json::Value,
) -> CmdResult<Stored<Deadline>> {
    let deadline: Deadline = parse_record("deadline", deadline)?;
    with_vault(&state, move |v| Ok(v.insert(deadline)?)).await
}

#[tauri::command]
pub async fn deadline_get(state: State<'_, AppState>, id: String) -> CmdResult<Stored<Deadline>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<Deadline>(id)?)).await
}

/// Saves an edited deadline (including marking it done or open again), if
/// nobody saved it since `revision`.
#[tauri::command]
pub async fn deadline_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    deadline: serde_json::Value,
) -> CmdResult<Stored<Deadline>> {
    let id = parse_id("id", &id)?;
    let deadline: Deadline = parse_record("deadline", deadline)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, deadline)?)).await
}
