//! Vekil desktop shell (placeholder while the window is wired up).
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| eprintln!("vekil-desktop failed to start: {e}"));
}
