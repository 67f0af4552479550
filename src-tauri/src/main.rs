// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before anything else, as the CLI does: no core dumps, no ptrace.
    if let Err(e) = vekil::process::harden() {
        eprintln!("Vekil: {e}");
    }
    // Before GTK starts: its recent-files list stays out of the user's.
    vekil_desktop::dialog::keep_recent_files_private();
    vekil_desktop::run();
}
