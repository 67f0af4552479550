// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before anything else, as the CLI does: no core dumps, no ptrace.
    if let Err(e) = vekil::process::harden() {
        eprintln!("Vekil: {e}");
    }
    vekil_desktop::run();
}
