//! Clients and the client overview page.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use tauri::State;
use vekil::model::{Client, Incident, Stored};
use vekil::overview::ClientOverview;
use vekil::store::ListFilter;

#[tauri::command]
pub async fn client_list(state: State<'_, AppState>) -> CmdResult<Vec<Stored<Client>>> {
    with_vault(&state, |v| {
        let mut all = v.list::<Client>(&ListFilter {
            limit: Some(100_000),
            ..Default::default()
        })?;
        all.sort_by_key(|c| c.data.full_name.to_lowercase());
        Ok(all)
    })
    .await
}

#[tauri::command]
pub async fn client_create(
    state: State<'_, AppState>,
    client: serde_json::Value,
) -> CmdResult<Stored<Client>> {
    let client: Client = parse_record("client", client)?;
    with_vault(&state, move |v| Ok(v.insert(client)?)).await
}

/// Saves an edited client, if nobody saved it since `revision`.
#[tauri::command]
pub async fn client_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    client: serde_json::Value,
) -> CmdResult<Stored<Client>> {
    let id = parse_id("id", &id)?;
    let client: Client = parse_record("client", client)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, client)?)).await
}

/// Everything recorded about one client (the core's `ClientOverview`;
/// typed by hand in ui/src/lib/model.ts because ts-rs exports `Stored<T>`
/// for one concrete `T` only).
#[tauri::command]
pub async fn client_overview(state: State<'_, AppState>, id: String) -> CmdResult<ClientOverview> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.client_overview(id)?)).await
}

/// The next page of a client's incidents, newest first, after `offset`.
#[tauri::command]
pub async fn client_incidents(
    state: State<'_, AppState>,
    id: String,
    offset: u32,
) -> CmdResult<Vec<Stored<Incident>>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.client_incidents(id, offset)?)).await
}
