//! Declares the app's commands to Tauri's ACL, so the webview can call only
//! those granted in capabilities/default.json (and nothing from core plugins
//! beyond what is listed there).

const COMMANDS: &[&str] = &[
    "vault_status",
    "vault_create",
    "vault_unlock",
    "vault_recover",
    "vault_lock",
    "activity",
    "vault_change_passphrase",
    "vault_verify",
    "draft_take",
    "client_list",
    "client_create",
    "client_overview",
    "case_list",
    "case_create",
    "case_get",
    "case_timeline",
    "hearing_create",
    "agenda",
    "incident_quick",
    "incident_list",
    "incident_get",
    "incident_update",
    "facility_suggest",
    "facility_get",
    "facility_update",
    "evidence_list",
    "evidence_create",
    "evidence_get",
    "evidence_update",
    "evidence_attach",
    "attachment_read",
    "search",
    "settings_get",
    "settings_set",
    "recipient_list",
    "recipient_add",
    "recipient_remove",
    "signing_public_key",
    "export_preview",
    "export_suggest_path",
    "export_write",
    "export_stats",
    "client_update",
    "case_update",
    "hearing_get",
    "hearing_update",
    "deadline_create",
    "deadline_get",
    "deadline_update",
    "travel_status",
    "travel_seal",
    "travel_suggest_path",
    "travel_request",
    "travel_check",
    "travel_open",
    "vault_erase",
    "wipe_after_get",
    "wipe_after_set",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
