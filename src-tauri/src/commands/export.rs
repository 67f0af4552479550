//! Exports for partner organisations, the recipient address book, the
//! vault's signing key and the incident statistics. The core does the work
//! (`vekil::export`, `vekil::import::stats`); these commands only parse what
//! the window sends, check the output path, and run the core off the main
//! thread. `export_write` reports its progress to the window as
//! [`PROGRESS_EVENT`] events carrying a [`Progress`].

use crate::error::{CmdResult, CommandError};
use crate::state::{parse_id, parse_record, with_vault, AppState};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;
use vekil::export::{self, Excluded, ExportOptions, Phase, Preview, Profile, Progress, Recipient};
use vekil::import::Stats;

/// Output formats offered by the Export screen (the CLI's `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// Encrypted, signed bundle for organisations.
    Bundle,
    /// JSON incident log.
    Json,
    /// CSV table.
    Csv,
    /// PDF incident log.
    Pdf,
    /// iCalendar of hearings and deadlines.
    Ics,
    /// HURIDOCS events layout.
    Huridocs,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Bundle => "age",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Pdf => "pdf",
            Self::Ics => "ics",
            Self::Huridocs => "huridocs.json",
        }
    }
}

/// What to export, as the window chooses it.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    /// Output format.
    pub format: ExportFormat,
    /// Redaction profile.
    pub profile: Profile,
    /// Organisation names from the address book.
    pub recipients: Vec<String>,
    /// First day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// Only this client's records (id).
    pub client: Option<String>,
    /// Bundles: leave the PDF report out (the CLI's `--no-pdf`).
    #[serde(default)]
    pub without_pdf: bool,
    /// Leave every attachment out; evidence notes still leave (`--no-attachments`).
    #[serde(default)]
    pub without_attachments: bool,
    /// PDF only: a report of this one incident (id) instead of the log (`--incident`).
    #[serde(default)]
    pub incident: Option<String>,
}

/// The event `export_write` emits while it works.
pub const PROGRESS_EVENT: &str = "export-progress";

/// The vault's signing public key, to send to organisations separately.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SigningPublicKey {
    /// minisign key id (16 hex digits).
    pub key_id: String,
    /// The one-line public key for `minisign -P`.
    pub public_key: String,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportDone {
    /// The file written.
    pub path: String,
    /// Incidents in the export.
    #[ts(type = "number")]
    pub incidents: usize,
    /// Records held back (consent, confidentiality, profile).
    #[ts(type = "number")]
    pub held_back: usize,
    /// Bundles only: SHA-256 of manifest.json.
    pub manifest_sha256: Option<String>,
    /// Bundles only: evidence whose attachments were left out, and why.
    pub skipped_attachments: Vec<Excluded>,
}

fn parse_day(
    field: &str,
    s: &Option<String>,
    end: bool,
) -> CmdResult<Option<DateTime<FixedOffset>>> {
    let Some(s) = s.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CommandError::invalid(field, "That is not a date."))?;
    let time = if end {
        NaiveTime::from_hms_opt(23, 59, 59)
    } else {
        NaiveTime::from_hms_opt(0, 0, 0)
    }
    .unwrap_or_default();
    Ok(Some(day.and_time(time).and_utc().fixed_offset()))
}

/// Options for the core, plus the address-book entries of the recipients.
fn options(v: &vekil::Vault, r: &ExportRequest) -> CmdResult<(ExportOptions, Vec<Recipient>)> {
    let from = parse_day("from", &r.from, false)?;
    let to = parse_day("to", &r.to, true)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(CommandError::invalid(
                "to",
                "The period ends before it starts.",
            ));
        }
    }
    let client = match r.client.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(parse_id("client", c)?),
        None => None,
    };
    let recipients = r
        .recipients
        .iter()
        .map(|name| export::recipients::get(v, name))
        .collect::<export::Result<Vec<_>>>()?;
    let opts = ExportOptions {
        profile: r.profile,
        recipients: recipients.iter().map(|x| x.name.clone()).collect(),
        from,
        to,
        client,
        without_attachments: r.without_attachments,
    };
    Ok((opts, recipients))
}

/// Checks the output path the user typed: absolute, in an existing folder,
/// and not an existing file unless `replace`.
fn check_out(path: &str, replace: bool) -> CmdResult<PathBuf> {
    let bad = |m: &str| CommandError::invalid("path", m);
    let p = PathBuf::from(path.trim());
    if path.trim().is_empty() || !p.is_absolute() || p.file_name().is_none() {
        return Err(bad("Write the full path of the file, starting with /."));
    }
    if !p.parent().is_some_and(Path::is_dir) {
        return Err(bad("The folder for this file does not exist."));
    }
    if p.is_dir() {
        return Err(bad("That path is a folder. Add a file name."));
    }
    if p.exists() && !replace {
        return Err(CommandError {
            field: Some("path".into()),
            ..CommandError::new("file_exists", "A file with this name already exists.")
        });
    }
    Ok(p)
}

/// Writes a plain export to a temporary file beside `path`, renamed into
/// place only when complete: a failed export, or one stopped by a lock
/// (every write checks the vault's cancel flag), leaves no file behind and
/// does not destroy a file it was about to replace.
fn write_file(
    path: &Path,
    cancel: &vekil::cancel::Cancel,
    f: impl FnOnce(
        &mut std::io::BufWriter<vekil::cancel::CancelWrite<std::fs::File>>,
    ) -> export::Result<()>,
) -> CmdResult<()> {
    let io = |source| export::ExportError::Io {
        path: path.to_owned(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.partial-{}", uuid::Uuid::new_v4()));
    let result = (|| -> export::Result<()> {
        let file = std::fs::File::create(&tmp).map_err(io)?;
        let mut w = std::io::BufWriter::new(cancel.writer(file));
        f(&mut w)?;
        w.flush().map_err(io)?;
        cancel.check()?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        cancel.check().map_err(|_| CommandError::cancelled())?;
        return Err(e.into());
    }
    Ok(())
}

/// The organisations in the address book.
#[tauri::command]
pub async fn recipient_list(state: State<'_, AppState>) -> CmdResult<Vec<Recipient>> {
    with_vault(&state, |v| Ok(export::recipients::list(v)?)).await
}

/// Adds (or replaces) an organisation and its age public key.
#[tauri::command]
pub async fn recipient_add(
    state: State<'_, AppState>,
    name: String,
    age_public_key: String,
) -> CmdResult<Recipient> {
    with_vault(&state, move |v| {
        Ok(export::recipients::add(v, &name, &age_public_key)?)
    })
    .await
}

/// Removes an organisation; false if it was not there.
#[tauri::command]
pub async fn recipient_remove(state: State<'_, AppState>, name: String) -> CmdResult<bool> {
    with_vault(&state, move |v| Ok(export::recipients::remove(v, &name)?)).await
}

/// The vault's signing public key (created on first use).
#[tauri::command]
pub async fn signing_public_key(state: State<'_, AppState>) -> CmdResult<SigningPublicKey> {
    with_vault(&state, |v| {
        let k = export::signing::SigningKey::load_or_create(v)?;
        Ok(SigningPublicKey {
            key_id: k.key_id(),
            public_key: export::signing::public_key_line(&k.public),
        })
    })
    .await
}

/// Exactly which records and fields an export would send; writes nothing.
#[tauri::command]
pub async fn export_preview(
    state: State<'_, AppState>,
    request: serde_json::Value,
) -> CmdResult<Preview> {
    let request: ExportRequest = parse_record("request", request)?;
    with_vault(&state, move |v| {
        let (opts, _) = options(v, &request)?;
        Ok(export::select(v, &opts)?.preview()?)
    })
    .await
}

/// A suggested output file: `~/Documents/vekil-export-<date>.<ext>`, or the
/// home folder when there is no Documents folder.
#[tauri::command]
pub fn export_suggest_path(format: ExportFormat) -> CmdResult<String> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_dir())
        .ok_or_else(|| CommandError::new("no_home", "Your home folder was not found."))?;
    let docs = home.join("Documents");
    let dir = if docs.is_dir() { docs } else { home };
    let day = chrono::Local::now().format("%Y-%m-%d");
    let name = format!("vekil-export-{day}.{}", format.extension());
    Ok(dir.join(name).to_string_lossy().into_owned())
}

/// Writes the export to `path` (refusing to overwrite unless `replace`),
/// emitting [`PROGRESS_EVENT`] as it goes: `selecting` first, then the
/// core's steps, and `done` (with `done == total`) once the file is written.
/// A failed export ends without `done`; the command's error says why.
#[tauri::command]
pub async fn export_write<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: serde_json::Value,
    path: String,
    replace: bool,
) -> CmdResult<ExportDone> {
    let request: ExportRequest = parse_record("request", request)?;
    let out = check_out(&path, replace)?;
    let incident = match (request.format, request.incident.as_deref()) {
        (ExportFormat::Pdf, Some(id)) if !id.trim().is_empty() => Some(parse_id("incident", id)?),
        _ => None,
    };
    // Progress is only shown, never needed: a failed emit is ignored.
    let report = move |p: Progress| {
        let _ = app.emit(PROGRESS_EVENT, p);
    };
    with_vault(&state, move |v| {
        let mut report = report;
        report(Progress {
            phase: Phase::Selecting,
            done: 0,
            total: 0,
        });
        let (opts, recipients) = options(v, &request)?;
        let set = export::select(v, &opts)?;
        if let Some(id) = incident {
            if !set.incidents.iter().any(|i| i.record.id == id) {
                return Err(CommandError {
                    field: Some("incident".into()),
                    ..CommandError::new(
                        "incident_not_exported",
                        "This incident does not leave with this profile and these recipients.",
                    )
                });
            }
        }
        // A plain file is one step: the log (or the PDF).
        let one = |phase: Phase, done: u64| Progress {
            phase,
            done,
            total: 1,
        };
        if request.format != ExportFormat::Bundle {
            let phase = if request.format == ExportFormat::Pdf {
                Phase::Pdf
            } else {
                Phase::Log
            };
            report(one(phase, 0));
        }
        let mut done = ExportDone {
            path: out.to_string_lossy().into_owned(),
            incidents: set.incidents.len(),
            held_back: set.excluded.len(),
            manifest_sha256: None,
            skipped_attachments: vec![],
        };
        let c = v.cancel_handle();
        match request.format {
            ExportFormat::Json => write_file(&out, &c, |w| export::json::write(&set, None, w))?,
            ExportFormat::Csv => write_file(&out, &c, |w| export::csv::write(&set, w))?,
            ExportFormat::Ics => write_file(&out, &c, |w| export::ics::write(&set, w))?,
            ExportFormat::Huridocs => write_file(&out, &c, |w| export::huridocs::write(&set, w))?,
            ExportFormat::Pdf => match incident {
                Some(id) => {
                    write_file(&out, &c, |w| export::pdf::write_incident(&set, id, None, w))?
                }
                None => write_file(&out, &c, |w| export::pdf::write_log(&set, None, w))?,
            },
            ExportFormat::Bundle => {
                if recipients.is_empty() {
                    return Err(CommandError::new(
                        "recipient_required",
                        "Choose at least one organisation to encrypt the bundle to.",
                    ));
                }
                let s = export::bundle::write(
                    v,
                    &set,
                    &recipients,
                    !request.without_pdf,
                    &out,
                    &mut report,
                )?;
                done.manifest_sha256 = Some(s.manifest_sha256);
                done.skipped_attachments = s.skipped_attachments;
                return Ok(done);
            }
        }
        report(one(Phase::Done, 1));
        Ok(done)
    })
    .await
}

/// Incident counts by month, type, facility and authority, and the median
/// hours from arrest to first access.
#[tauri::command]
pub async fn export_stats(state: State<'_, AppState>) -> CmdResult<Stats> {
    with_vault(&state, |v| Ok(vekil::import::stats(v)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_path_is_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("out.json");
        let p = file.to_string_lossy().into_owned();
        assert!(check_out(&p, false).is_ok());
        assert_eq!(
            check_out("relative.json", false)
                .map_err(|e| e.kind)
                .err()
                .as_deref(),
            Some("invalid_input")
        );
        let missing = dir.path().join("nope/out.json");
        assert!(check_out(&missing.to_string_lossy(), false).is_err());
        std::fs::write(&file, b"x").expect("write");
        assert_eq!(
            check_out(&p, false).map_err(|e| e.kind).err().as_deref(),
            Some("file_exists")
        );
        assert!(check_out(&p, true).is_ok());
        assert!(check_out(&dir.path().to_string_lossy(), true).is_err());
    }

    #[test]
    fn dates_are_days() {
        assert!(parse_day("from", &Some("2026-02-30".into()), false).is_err());
        let end = parse_day("to", &Some("2026-03-01".into()), true)
            .ok()
            .flatten();
        assert_eq!(
            end.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-03-01T23:59:59+00:00")
        );
        assert_eq!(
            parse_day("from", &Some("  ".into()), false).ok(),
            Some(None)
        );
    }
}
