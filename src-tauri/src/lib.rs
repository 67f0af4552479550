//! Vekil desktop shell: the Tauri window over the `vekil` core.
//!
//! This crate only adapts the core to IPC: commands (one module per area),
//! one error type, the managed state holding the unlocked vault, and the
//! window set-up. It holds no case logic, and it exposes no filesystem,
//! shell or network capability to the webview: files are chosen in the
//! backend's own dialogs or dropped on the window, and the page holds
//! only tokens for them (`picked.rs`).

#![forbid(unsafe_code)]

pub mod commands;
pub mod dialog;
pub mod dropped;
pub mod error;
pub mod idle;
pub mod lock;
pub mod picked;
pub mod sleep;
pub mod state;

use state::AppState;
use std::path::PathBuf;
use tauri::{Builder, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Registers every command on a builder (the real app and the tests share this).
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    use commands::*;
    builder.invoke_handler(tauri::generate_handler![
        vault::vault_status,
        vault::vault_create,
        vault::vault_unlock,
        vault::vault_recover,
        vault::vault_lock,
        vault::activity,
        vault::vault_change_passphrase,
        vault::vault_verify,
        vault::draft_take,
        clients::client_list,
        clients::client_create,
        clients::client_overview,
        clients::client_incidents,
        cases::case_list,
        cases::case_create,
        cases::case_get,
        cases::case_timeline,
        hearings::hearing_create,
        hearings::agenda,
        incidents::incident_quick,
        incidents::incident_list,
        incidents::incident_get,
        incidents::incident_update,
        facilities::facility_suggest,
        facilities::facility_get,
        facilities::facility_update,
        evidence::evidence_list,
        evidence::evidence_create,
        evidence::evidence_get,
        evidence::evidence_of_incident,
        evidence::evidence_update,
        evidence::evidence_attach,
        evidence::evidence_choose_file,
        evidence::evidence_attach_file,
        evidence::attachment_read,
        search::search,
        settings::settings_get,
        settings::settings_set,
        settings::time_zone_get,
        settings::time_zone_set,
        settings::time_zone_names,
        export::recipient_list,
        export::recipient_add,
        export::recipient_remove,
        export::recipient_choice_get,
        export::recipient_choice_set,
        export::signing_public_key,
        export::export_preview,
        export::export_destination,
        export::export_write,
        export::export_stats,
        clients::client_update,
        cases::case_update,
        hearings::hearing_get,
        hearings::hearing_update,
        deadlines::deadline_create,
        deadlines::deadline_get,
        deadlines::deadline_update,
        travel::travel_status,
        travel::travel_seal,
        travel::travel_request_destination,
        travel::travel_request,
        travel::travel_check,
        travel::travel_open,
        travel::vault_erase,
        travel::wipe_after_get,
        travel::wipe_after_set,
        backup::backup_write,
        backup::backup_destination,
        backup::backup_choose,
        backup::backup_choose_identity,
        backup::backup_choose_folder,
        backup::backup_restore,
    ])
}

/// Builds the main window: ephemeral (incognito) webview, so WebKit keeps
/// no cookies, local storage, IndexedDB or caches on disk, with its data
/// directory pinned under the app's own data dir (never inside the vault).
fn main_window<R: Runtime, M: Manager<R>>(
    manager: &M,
    webview_data: PathBuf,
    boot: &str,
) -> tauri::Result<()> {
    // wry gives an incognito webview its own ephemeral WebKit context with
    // automation disabled, so WebDriver cannot attach to it. Debug builds
    // driven by the E2E suite (TAURI_WEBVIEW_AUTOMATION=true) therefore use a
    // normal context in `webview_data`, which the suite then scans for case
    // data: a stricter check than the ephemeral context shipped in release.
    let automation = cfg!(debug_assertions)
        && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    let window = WebviewWindowBuilder::new(manager, "main", WebviewUrl::App("index.html".into()))
        .title("Vekil")
        .inner_size(1280.0, 800.0)
        // The smallest laptop screen the app supports (issue 12.5): every
        // screen is checked at this size by the E2E suite.
        .min_inner_size(1024.0, 600.0)
        .incognito(!automation)
        // Tauri's drop handler would send dropped files' full paths to the
        // page; `dropped.rs` catches drops itself and sends tokens.
        .disable_drag_drop_handler()
        .data_directory(webview_data)
        .initialization_script(boot)
        .build()?;
    dropped::watch(&window)?;
    // On a screen smaller than the default size (a 1024×600 netbook), a
    // 1280×800 window would put "Lock now" and the export screen's buttons
    // off-screen: fill the screen instead.
    if let Ok(Some(monitor)) = window.current_monitor() {
        let screen = monitor.size().to_logical::<f64>(monitor.scale_factor());
        if screen.width < 1280.0 || screen.height < 800.0 {
            let _ = window.maximize();
        }
    }
    Ok(())
}

/// What the first screen needs (vault status and preferences, nothing
/// from inside the vault), handed to the page before its scripts run. On a
/// cold start the unlock screen is then drawn without waiting for an IPC
/// round trip; the page still asks `vault_status` afterwards and follows
/// its answer, so a reloaded page is never left with stale data.
fn boot_script(state: &AppState) -> String {
    #[derive(serde::Serialize)]
    struct Boot {
        status: Option<commands::vault::AppStatus>,
        settings: commands::settings::Settings,
    }
    let boot = Boot {
        status: commands::vault::app_status(&state.vault_dir, &state.lock).ok(),
        settings: commands::settings::load(&state.settings_file),
    };
    let json = serde_json::to_string(&boot).unwrap_or_else(|_| "null".into());
    format!("window.__VEKIL_BOOT__ = {json};")
}

/// Debug builds only: `VEKIL_DEBUG_KDF_LOG_N` lowers the scrypt cost of new
/// vaults so the E2E suite does not spend minutes in an unoptimised KDF.
/// Release builds ignore it.
fn test_kdf(state: AppState) -> AppState {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("VEKIL_DEBUG_KDF_LOG_N")
        .ok()
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|n| (10..=18).contains(n))
    {
        return state.with_test_kdf(n);
    }
    state
}

/// Starts what locks the vault without the page: the idle timer (with its
/// suspend check) and the logind watcher. Both end with the app.
fn start_lock_triggers<R: Runtime>(app: &tauri::AppHandle<R>, state: &AppState) {
    let handle = app.clone();
    tauri::async_runtime::spawn(idle::run(
        state.idle.clone(),
        state.lock.watch_unlocked(),
        move |reason| {
            let app = handle.clone();
            async move { lock::request(&app, reason).await }
        },
    ));
    let handle = app.clone();
    let keyed = state.lock.watch_keyed();
    tauri::async_runtime::spawn(async move {
        // No system bus (containers, CI) or no logind: nothing to watch,
        // and nothing to say; the idle timer's clock check remains.
        let Ok(conn) = zbus::Connection::system().await else {
            return;
        };
        let lock = |reason| {
            let app = handle.clone();
            async move { lock::request(&app, reason).await }
        };
        let timed = |took, dropped| {
            let how = if dropped {
                lock::Dropped::Now(took)
            } else {
                lock::Dropped::WhenReleased
            };
            lock::record(
                lock::LockReason::Sleep,
                "sleep_signal_to_key_dropped",
                took,
                how,
            );
        };
        let _ = sleep::watch(&conn, keyed, lock, timed).await;
    });
}

/// Starts the desktop app.
pub fn run() {
    let app = with_commands(tauri::Builder::default())
        // Native dialogs, run from the backend only: none of the plugin's
        // own commands is granted to the window (capabilities/default.json).
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // Before any dialog: chosen files leave no trace in the
            // desktop's recently-used list.
            dialog::forget_recent_files();
            let paths = app.path();
            let data = paths.app_local_data_dir()?;
            let vault_dir = vekil::vault::default_vault_dir().unwrap_or_else(|| data.join("vault"));
            let settings_file = paths.app_config_dir()?.join("settings.json");
            let state = test_kdf(AppState::new(vault_dir, settings_file));
            let boot = boot_script(&state);
            start_lock_triggers(app.handle(), &state);
            app.manage(state);
            main_window(app, data.join("webview"), &boot)?;
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window locks the vault (checkpoint + close) before exit.
            if let tauri::WindowEvent::Destroyed = event {
                if let Some(state) = window.try_state::<AppState>() {
                    state
                        .lock
                        .drop_key(None, lock::LockReason::Manual, lock::RELEASE_WAIT);
                }
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => eprintln!("Vekil could not start: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page reads this object before any IPC: it must be valid JSON
    /// with the status and preferences, and nothing else.
    #[test]
    fn boot_script_hands_over_status_and_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = AppState::new(dir.path().join("vault"), dir.path().join("settings.json"));
        let script = boot_script(&state);
        let json = script
            .strip_prefix("window.__VEKIL_BOOT__ = ")
            .and_then(|s| s.strip_suffix(';'))
            .expect("assignment");
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        assert_eq!(v["status"]["exists"], false);
        assert_eq!(v["status"]["unlocked"], false);
        assert_eq!(
            v["status"]["min_passphrase_chars"],
            vekil::secret::MIN_PASSPHRASE_CHARS
        );
        assert_eq!(v["settings"]["language"], "en");
        let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["settings", "status"]);
    }
}
