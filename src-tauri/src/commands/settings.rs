//! Window preferences (language, auto-lock), kept in a small plain JSON file
//! next to the app's config. They are not case data and need no vault.
//! The vault's time zone is the exception: it decides which day a record
//! falls on, so it lives in the vault (`vekil::dates`) and travels with it.

use crate::error::{CmdResult, CommandError};
use crate::state::{blocking, with_vault, AppState};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use vekil::dates::{Zone, ZoneSetting};

/// The preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    /// `en`, `az` or `ru`.
    pub language: String,
    /// Minutes of inactivity before the vault locks (1–60).
    pub auto_lock_minutes: u32,
    /// How lists (agenda, case header) name a client: `pseudonym` (the
    /// default, safer on a screen others can see) or `full_name`.
    pub client_names: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: "en".into(),
            auto_lock_minutes: 5,
            client_names: "pseudonym".into(),
        }
    }
}

impl Settings {
    fn check(&self) -> CmdResult<()> {
        if !["en", "az", "ru"].contains(&self.language.as_str()) {
            return Err(CommandError::invalid(
                "language",
                "That language is not available.",
            ));
        }
        if !(1..=60).contains(&self.auto_lock_minutes) {
            return Err(CommandError::invalid(
                "auto_lock_minutes",
                "Choose between 1 and 60 minutes.",
            ));
        }
        if !["pseudonym", "full_name"].contains(&self.client_names.as_str()) {
            return Err(CommandError::invalid(
                "client_names",
                "Choose the pseudonym or the full name.",
            ));
        }
        Ok(())
    }
}

/// Reads the settings; a missing or unreadable file gives the defaults.
pub fn load(path: &std::path::Path) -> Settings {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
        .filter(|s| s.check().is_ok())
        .unwrap_or_default()
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> CmdResult<Settings> {
    let path = state.settings_file.clone();
    blocking(move || Ok(load(&path))).await
}

#[tauri::command]
pub async fn settings_set(
    state: State<'_, AppState>,
    settings: serde_json::Value,
) -> CmdResult<Settings> {
    let settings: Settings = crate::state::parse_record("settings", settings)?;
    settings.check()?;
    let path = state.settings_file.clone();
    let saved = blocking(move || {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|_| CommandError::new("storage", "The settings could not be saved."))?;
        }
        let body = serde_json::to_vec_pretty(&settings).map_err(|_| CommandError::internal())?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, body)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|_| CommandError::new("storage", "The settings could not be saved."))?;
        Ok(settings)
    })
    .await?;
    // The backend's auto-lock timer follows the new setting at once.
    state.idle.set_timeout(std::time::Duration::from_secs(
        u64::from(saved.auto_lock_minutes) * 60,
    ));
    Ok(saved)
}

/// The vault's time zone, whether it follows this computer, and this
/// computer's zone.
#[tauri::command]
pub async fn time_zone_get(state: State<'_, AppState>) -> CmdResult<ZoneSetting> {
    with_vault(&state, |v| Ok(v.time_zone_setting()?)).await
}

/// Chooses the vault's time zone (an IANA name such as `Asia/Baku`), or
/// with `None` follows this computer's again.
#[tauri::command]
pub async fn time_zone_set(
    state: State<'_, AppState>,
    zone: Option<String>,
) -> CmdResult<ZoneSetting> {
    let zone = zone
        .map(|z| Zone::named(&z))
        .transpose()
        .map_err(|e| CommandError::invalid("zone", e.to_string()))?;
    with_vault(&state, move |v| Ok(v.set_time_zone(zone)?)).await
}

/// Every time zone name Vekil knows, for the Settings picker.
#[tauri::command]
pub fn time_zone_names() -> Vec<&'static str> {
    Zone::all_names()
}
