//! One module of `#[tauri::command]`s per area. Each command is a thin
//! adapter: parse ids/records, call the core on the blocking pool, map the
//! error. No logic lives here that the core could test without a window.

pub mod backup;
pub mod cases;
pub mod clients;
pub mod deadlines;
pub mod evidence;
pub mod export;
pub mod facilities;
pub mod hearings;
pub mod incidents;
pub mod search;
pub mod settings;
pub mod travel;
pub mod vault;
