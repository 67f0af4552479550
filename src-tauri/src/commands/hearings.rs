//! Hearings and the agenda of the coming days.

use crate::error::{CmdResult, CommandError};
use crate::state::{parse_id, parse_record, with_vault, AppState};
use chrono::{Duration, Local, TimeZone};
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

/// How far back the agenda looks for deadlines still open.
const OVERDUE_DAYS: i64 = 366;

/// Hearings and open deadlines from the start of today (local time) for
/// `days` days, preceded by open deadlines of the past year that are
/// already overdue: a missed deadline must not drop off the agenda.
#[tauri::command]
pub async fn agenda(state: State<'_, AppState>, days: u32) -> CmdResult<Vec<TimelineEntry>> {
    if days == 0 || days > 366 {
        return Err(CommandError::invalid(
            "days",
            "Choose between 1 and 366 days.",
        ));
    }
    let midnight = Local::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|d| Local.from_local_datetime(&d).earliest())
        .map(|d| d.fixed_offset())
        .ok_or_else(CommandError::internal)?;
    with_vault(&state, move |v| {
        // `open_deadlines`' `to` is inclusive; the agenda itself starts at
        // midnight.
        let mut out = v.open_deadlines(
            midnight - Duration::days(OVERDUE_DAYS),
            midnight - Duration::seconds(1),
        )?;
        out.extend(v.agenda(midnight, days)?);
        Ok(out)
    })
    .await
}
