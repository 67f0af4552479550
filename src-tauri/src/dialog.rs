//! Native open and save dialogs, run by the backend, never by the page.
//!
//! The page asks for a dialog ("choose where to export"); the backend runs
//! GTK's own file chooser (through `tauri-plugin-dialog`, on the main
//! thread, parented to the window), keeps the chosen path, and answers with
//! a [`ChosenFile`]: a token (`picked.rs`) and the file's name, never its
//! folder. The save dialog asks before replacing a file; only that
//! confirmation lets an export replace one.
//!
//! GTK's file chooser adds what it opens or saves to the desktop's list of
//! recently used files (`~/.local/share/recently-used.xbel`), which other
//! programs show and which survives the vault: evidence file names, the
//! folder holding a client's papers. Turning GTK's `gtk-recent-files-
//! enabled` off is not enough: with it off, GTK's recent-files manager
//! rewrites that file *empty* the first time it is used, wiping the list
//! every other program keeps there (the E2E test seeds one and caught
//! this). So [`keep_recent_files_private`] also points GLib's user data
//! folder, for this process only, away from the user's: to a private
//! folder in `$XDG_RUNTIME_DIR` (memory, owner-only), or to a path that
//! cannot exist. The user's own file and settings are never touched.

use crate::error::{CmdResult, CommandError};
use crate::picked::{Picks, Purpose};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath};
use ts_rs::TS;

/// A file the lawyer chose in a dialog (or dropped), as the page sees it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChosenFile {
    /// Hand this back to the command that uses the file; good once.
    pub token: String,
    /// The file's name, without its folder, to show what was chosen.
    pub name: String,
    /// Save dialogs: a file of that name was there, and the lawyer
    /// confirmed replacing it.
    pub replaces: bool,
    /// Save dialogs: desktop search (GNOME Tracker, KDE Baloo) reads the
    /// chosen folder and keeps its own copy of a plain file's text.
    pub indexed: bool,
}

/// Where GTK's recent-files manager may write instead of the user's
/// folder: `$XDG_RUNTIME_DIR/vekil-gtk` (created owner-only), or else a
/// path under `/dev/null`, which cannot be created, so nothing is written.
#[cfg(target_os = "linux")]
fn private_data_dir() -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|run| run.is_absolute() && run.is_dir())
        .map(|run| run.join("vekil-gtk"))
        .filter(|dir| dir.is_dir() || std::fs::DirBuilder::new().mode(0o700).create(dir).is_ok())
        .unwrap_or_else(|| PathBuf::from("/dev/null/vekil-gtk"))
}

/// Part one of keeping chosen files out of `recently-used.xbel`: GLib
/// reads `$XDG_DATA_HOME` once, on first use, and keeps the answer for
/// the life of the process. This sets it to a private folder, makes GLib
/// read it, and puts the variable back as it was, so Vekil's own folders
/// (found through the variable) and child processes are unchanged. Call
/// first thing in `main`, before GTK or anything else uses GLib.
pub fn keep_recent_files_private() {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "XDG_DATA_HOME";
        let real = std::env::var_os(VAR);
        std::env::set_var(VAR, private_data_dir());
        let _cached = gtk::glib::user_data_dir();
        match real {
            Some(v) => std::env::set_var(VAR, v),
            None => std::env::remove_var(VAR),
        }
    }
}

/// Part two: GTK records nothing, even in the private folder. Call once
/// GTK is up (in `setup`), before any dialog. An application-set value
/// outranks the desktop's XSETTINGS and the user's `settings.ini`, which
/// stay as they are.
pub fn forget_recent_files() {
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::GtkSettingsExt;
        if let Some(settings) = gtk::Settings::default() {
            settings.set_gtk_recent_files_enabled(false);
        }
    }
}

/// Dialog titles come from the page, already translated; only plain text,
/// and not so long that it hides the dialog's own words.
fn clean_title(title: &str) -> String {
    let t: String = title
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if t.trim().is_empty() {
        "Vekil".into()
    } else {
        t
    }
}

/// The first mounted removable drive (a USB stick), if any: where plain
/// exports are best written, away from the laptop's indexed folders.
fn removable_media() -> Option<PathBuf> {
    let user = std::env::var_os("USER")?;
    ["/run/media", "/media"]
        .iter()
        .filter_map(|base| std::fs::read_dir(Path::new(base).join(&user)).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .min()
}

/// Where a dialog opens: the last folder chosen since the unlock, else a
/// USB stick, else the home folder (not Documents, which indexers read).
fn start_folder<R: Runtime>(app: &AppHandle<R>, picks: &Picks) -> Option<PathBuf> {
    picks
        .last_folder()
        .filter(|p| p.is_dir())
        .or_else(removable_media)
        .or_else(|| app.path().home_dir().ok())
}

/// Whether desktop search reads `folder`: the home folder itself, or one
/// of the standard folders in it (Desktop, Documents, Downloads, Music,
/// Pictures, Videos, Public), at any depth.
pub fn indexed_folder<R: Runtime>(app: &AppHandle<R>, folder: &Path) -> bool {
    let p = app.path();
    let home = p.home_dir().ok();
    if home.as_deref() == Some(folder) {
        return true;
    }
    [
        p.desktop_dir(),
        p.document_dir(),
        p.download_dir(),
        p.audio_dir(),
        p.picture_dir(),
        p.video_dir(),
        p.public_dir(),
    ]
    .into_iter()
    .flatten()
    .filter(|d| home.as_deref() != Some(d.as_path()))
    .any(|d| folder.starts_with(d))
}

fn local(path: Option<FilePath>) -> Option<PathBuf> {
    path.and_then(|p| p.into_path().ok())
}

/// Runs the save dialog (it asks before replacing a file) and waits for
/// the lawyer; `None` if they cancelled.
async fn run_save<R: Runtime>(
    app: &AppHandle<R>,
    picks: &Picks,
    title: &str,
    file_name: &str,
) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut d = app
        .dialog()
        .file()
        .set_title(clean_title(title))
        .set_file_name(file_name)
        .set_can_create_directories(true);
    if let Some(folder) = start_folder(app, picks) {
        d = d.set_directory(folder);
    }
    if let Some(w) = app.get_webview_window("main") {
        d = d.set_parent(&w);
    }
    d.save_file(move |p| {
        let _ = tx.send(local(p));
    });
    rx.await.ok().flatten()
}

/// Runs the open dialog (one existing file) and waits; `None` if cancelled.
async fn run_open<R: Runtime>(app: &AppHandle<R>, picks: &Picks, title: &str) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut d = app.dialog().file().set_title(clean_title(title));
    if let Some(folder) = start_folder(app, picks) {
        d = d.set_directory(folder);
    }
    if let Some(w) = app.get_webview_window("main") {
        d = d.set_parent(&w);
    }
    d.pick_file(move |p| {
        let _ = tx.send(local(p));
    });
    rx.await.ok().flatten()
}

/// The name the page may show: the file's own name, never its folder.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn locked_meanwhile() -> CommandError {
    CommandError::new(
        "locked",
        "The vault was locked while the dialog was open. Unlock it and choose the file again.",
    )
}

/// Asks where to write a new file for `purpose`, suggesting `file_name`.
/// `Ok(None)`: the lawyer cancelled.
pub async fn choose_destination<R: Runtime>(
    app: &AppHandle<R>,
    picks: &Picks,
    purpose: Purpose,
    title: &str,
    file_name: &str,
) -> CmdResult<Option<ChosenFile>> {
    let since = picks.generation();
    let Some(path) = run_save(app, picks, title, file_name).await else {
        return Ok(None);
    };
    // GTK confirmed replacing whatever was there when the dialog closed.
    let replaces = std::fs::symlink_metadata(&path).is_ok();
    if path.is_dir() {
        return Err(CommandError::invalid(
            "destination",
            "That is a folder. Choose a file name inside it.",
        ));
    }
    let indexed = path
        .parent()
        .is_some_and(|folder| indexed_folder(app, folder));
    let name = display_name(&path);
    let token = picks
        .add(since, path, purpose, replaces)
        .ok_or_else(locked_meanwhile)?;
    Ok(Some(ChosenFile {
        token,
        name,
        replaces,
        indexed,
    }))
}

/// Asks for an existing file to attach. `Ok(None)`: the lawyer cancelled.
pub async fn choose_file<R: Runtime>(
    app: &AppHandle<R>,
    picks: &Picks,
    title: &str,
) -> CmdResult<Option<ChosenFile>> {
    let since = picks.generation();
    let Some(path) = run_open(app, picks, title).await else {
        return Ok(None);
    };
    let name = display_name(&path);
    let token = picks
        .add(since, path, Purpose::Attach, false)
        .ok_or_else(locked_meanwhile)?;
    Ok(Some(ChosenFile {
        token,
        name,
        replaces: false,
        indexed: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_and_short() {
        assert_eq!(
            clean_title("İxrac faylını\nharada saxlayım?"),
            "İxrac faylınıharada saxlayım?"
        );
        assert_eq!(clean_title("  \u{7}"), "Vekil");
        assert_eq!(clean_title(&"я".repeat(500)).chars().count(), 120);
    }

    #[test]
    fn the_page_sees_the_name_not_the_folder() {
        assert_eq!(
            display_name(Path::new("/media/v/Rəşad Məmmədov/rədd-cavabı.png")),
            "rədd-cavabı.png"
        );
    }
}
