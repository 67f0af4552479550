//! Denied-access incidents: the four-field quick log and the full record.

use crate::error::CmdResult;
use crate::state::{parse_id, parse_record, with_vault, AppState};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;
use uuid::Uuid;
use vekil::model::{Incident, IncidentType, Stored};
use vekil::store::ListFilter;

/// The quick form: only what can be typed at the facility gate.
#[derive(Debug, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct QuickIncident {
    /// Client id.
    pub client_id: Uuid,
    /// Facility name, as typed or as picked.
    pub facility: String,
    /// The register entry picked, if one was; without it the core finds
    /// the entry by name, or adds one.
    #[serde(default)]
    #[ts(optional)]
    pub facility_id: Option<Uuid>,
    /// When, RFC 3339 with offset.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// What happened.
    pub incident_type: IncidentType,
    /// The client's case it belongs to: the window preselects the client's
    /// one open case, or asks which when there are several.
    #[serde(default)]
    pub case_id: Option<Uuid>,
}

#[tauri::command]
pub async fn incident_quick(
    state: State<'_, AppState>,
    quick: serde_json::Value,
) -> CmdResult<Stored<Incident>> {
    let q: QuickIncident = parse_record("incident", quick)?;
    let mut incident = Incident::quick(q.client_id, q.facility.trim(), q.at, q.incident_type);
    incident.facility.id = q.facility_id;
    incident.case_id = q.case_id;
    with_vault(&state, move |v| Ok(v.insert(incident)?)).await
}

#[tauri::command]
pub async fn incident_list(state: State<'_, AppState>) -> CmdResult<Vec<Stored<Incident>>> {
    with_vault(&state, |v| {
        Ok(v.list::<Incident>(&ListFilter {
            limit: Some(100_000),
            ..Default::default()
        })?)
    })
    .await
}

#[tauri::command]
pub async fn incident_get(state: State<'_, AppState>, id: String) -> CmdResult<Stored<Incident>> {
    let id = parse_id("id", &id)?;
    with_vault(&state, move |v| Ok(v.get::<Incident>(id)?)).await
}

#[tauri::command]
pub async fn incident_update(
    state: State<'_, AppState>,
    id: String,
    revision: u32,
    incident: serde_json::Value,
) -> CmdResult<Stored<Incident>> {
    let id = parse_id("id", &id)?;
    let incident: Incident = parse_record("incident", incident)?;
    with_vault(&state, move |v| Ok(v.update(id, revision, incident)?)).await
}
