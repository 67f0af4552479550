//! Files dragged from a file manager and dropped on the window, received by
//! the backend.
//!
//! Tauri's own drop handler would send the dropped files' full paths to
//! the page (as `tauri://drag-drop` events), and WebKit's would give the
//! page the files' bytes. Instead the backend catches the drop on the GTK
//! widget itself: the paths stay in `picked.rs`, and the page receives a
//! [`FILES_DROPPED_EVENT`] with where the drop landed and, per file, a
//! token and its name. The page decides whether the drop landed on its
//! evidence zone; only then does it hand a token to `evidence_attach_file`.
//!
//! WebKit still sees the drag move over the page (so the zone lights up
//! and accepts it), but never the drop itself: a file dropped anywhere
//! else in the window is neither opened nor shown.

use crate::dialog::{display_name, ChosenFile};
use crate::picked::Purpose;
use crate::state::AppState;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

/// The event that tells the page files were dropped on the window.
pub const FILES_DROPPED_EVENT: &str = "files-dropped";

/// What the page learns about a drop.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FilesDropped {
    /// Where the drop landed, in the page's CSS pixels.
    pub x: f64,
    /// Where the drop landed, in the page's CSS pixels.
    pub y: f64,
    /// The dropped files, each as a token for `evidence_attach_file`.
    pub files: Vec<ChosenFile>,
    /// Dropped items that are not files (folders, devices), left alone.
    #[ts(type = "number")]
    pub skipped: usize,
}

/// Turns dropped paths into tokens and tells the page.
fn deliver<R: Runtime>(app: &AppHandle<R>, paths: Vec<PathBuf>, x: f64, y: f64) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let since = state.picks.generation();
    let mut files = vec![];
    let mut skipped = 0;
    for path in paths {
        // Only regular files: a folder, a FIFO or a device is not evidence
        // (and a FIFO would block the attach).
        let regular = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
        if !regular {
            skipped += 1;
            continue;
        }
        let name = display_name(&path);
        if let Some(token) = state.picks.add(since, path, Purpose::Attach, false) {
            files.push(ChosenFile {
                token,
                name,
                replaces: false,
                indexed: false,
            });
        }
    }
    let _ = app.emit_to(
        "main",
        FILES_DROPPED_EVENT,
        FilesDropped {
            x,
            y,
            files,
            skipped,
        },
    );
}

/// Catches file drops on the main window's webview (Linux, WebKitGTK).
#[cfg(target_os = "linux")]
pub fn watch<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    let app = window.app_handle().clone();
    window.with_webview(move |webview| connect(&webview.inner(), app))
}

/// Other platforms: not yet; the window's drop zone stays inert there.
#[cfg(not(target_os = "linux"))]
pub fn watch<R: Runtime>(_window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    Ok(())
}

/// The local paths behind a `text/uri-list`, or `None` if any item is not
/// a local file (a link dragged inside the page, a web address).
#[cfg(target_os = "linux")]
fn local_paths(uris: &[gtk::glib::GString]) -> Option<Vec<PathBuf>> {
    if uris.is_empty() {
        return None;
    }
    uris.iter()
        .map(|u| gtk::glib::filename_from_uri(u).ok().map(|(p, _)| p))
        .collect()
}

#[cfg(target_os = "linux")]
fn connect<R: Runtime>(view: &webkit2gtk::WebView, app: AppHandle<R>) {
    use gtk::prelude::{DragContextExtManual, WidgetExt};
    use std::cell::RefCell;
    use std::rc::Rc;

    // WebKit asks for the drag's data as soon as it enters the window; the
    // file list is kept here until the drop, or dropped when the drag
    // leaves without one. GTK signals "drag-leave" just before
    // "drag-drop", so forgetting waits for the main loop to go idle.
    let held: Rc<RefCell<Option<Vec<PathBuf>>>> = Rc::default();

    let h = Rc::clone(&held);
    view.connect_drag_data_received(move |_, _, _, _, data, _, _| {
        if let Some(paths) = local_paths(&data.uris()) {
            *h.borrow_mut() = Some(paths);
        }
    });

    let h = Rc::clone(&held);
    view.connect_drag_leave(move |_, _, _| {
        let h = Rc::clone(&h);
        gtk::glib::idle_add_local_once(move || {
            h.borrow_mut().take();
        });
    });

    let h = held;
    view.connect_drag_drop(move |_, ctx, x, y, time| {
        let Some(paths) = h.borrow_mut().take() else {
            // Not files from outside (text dragged within the page): WebKit's.
            return false;
        };
        ctx.drag_finish(true, false, time);
        deliver(&app, paths, f64::from(x), f64::from(y));
        // Handled: WebKit's own drop (bytes to the page) never runs.
        true
    });
}
