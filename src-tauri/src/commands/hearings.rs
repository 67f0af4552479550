//! Hearings and the agenda of the coming days.

use crate::error::{CmdResult, CommandError};
use crate::state::{parse_record, with_vault, AppState};
use chrono::{Local, TimeZone};
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

/// Hearings and open deadlines from the start of today (local time) for `days` days.
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
    with_vault(&state, move |v| Ok(v.agenda(midnight, days)?)).await
}
