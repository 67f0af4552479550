//! Clients and the client overview page.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use serde::Serialize;
use tauri::State;
use vekil::model::{Case, Client, EvidenceNote, Hearing, Incident, Stored};
use vekil::store::ListFilter;

/// Everything recorded about one client. (Typed by hand in ui/src/lib/model.ts:
/// ts-rs exports `Stored<T>` only for one concrete `T`.)
#[derive(Serialize)]
pub struct ClientOverview {
    /// The client.
    pub client: Stored<Client>,
    /// Cases listing the client.
    pub cases: Vec<Stored<Case>>,
    /// Hearings of those cases.
    pub hearings: Vec<Stored<Hearing>>,
    /// Incidents about the client.
    pub incidents: Vec<Stored<Incident>>,
    /// Evidence notes linked to the client.
    pub evidence: Vec<Stored<EvidenceNote>>,
}

fn everything() -> ListFilter {
    ListFilter {
        limit: Some(100_000),
        ..Default::default()
    }
}

#[tauri::command]
pub async fn client_list(state: State<'_, AppState>) -> CmdResult<Vec<Stored<Client>>> {
    with_vault(&state, |v| {
        let mut all = v.list::<Client>(&everything())?;
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

#[tauri::command]
pub async fn client_overview(state: State<'_, AppState>, id: String) -> CmdResult<ClientOverview> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| {
        let client = v.get::<Client>(id)?;
        let cases: Vec<Stored<Case>> = v
            .list::<Case>(&everything())?
            .into_iter()
            .filter(|c| c.data.client_ids.contains(&id))
            .collect();
        let mut hearings = Vec::new();
        for c in &cases {
            hearings.extend(v.list::<Hearing>(&ListFilter {
                case_id: Some(c.id),
                ..everything()
            })?);
        }
        let by_client = ListFilter {
            client_id: Some(id),
            ..everything()
        };
        Ok(ClientOverview {
            client,
            cases,
            hearings,
            incidents: v.list::<Incident>(&by_client)?,
            evidence: v.list::<EvidenceNote>(&by_client)?,
        })
    })
    .await
}
