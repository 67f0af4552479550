//! Full-text search over the whole vault.

use crate::error::{CmdResult, CommandError};
use crate::state::{with_vault, AppState};
use tauri::State;
use vekil::search::{SearchHit, SearchQuery};

#[tauri::command]
pub async fn search(state: State<'_, AppState>, text: String) -> CmdResult<Vec<SearchHit>> {
    if text.chars().count() > 500 {
        return Err(CommandError::invalid(
            "text",
            "The search text is too long.",
        ));
    }
    with_vault(&state, move |v| {
        Ok(v.search(&SearchQuery {
            text,
            limit: Some(200),
            ..Default::default()
        })?)
    })
    .await
}
