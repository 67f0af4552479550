//! One export path for the CLI and the desktop app.
//!
//! `vekil export …` and the Export screen both build an [`ExportRequest`]
//! and call [`preview`] or [`write`]; nothing about choosing recipients,
//! reading the period, the re-identification gate, progress or how files
//! are written exists anywhere else, so the two cannot drift.

use super::file::write_new;
use super::lang::Lang;
use super::reid::Hit;
use super::spill::Spill;
use super::{
    bundle, csv, huridocs, ics, json, pdf, recipients, select, Excluded, ExportError,
    ExportOptions, ExportSet, Meter, Phase, Preview, Profile, Progress, Recipient, Result,
};
use crate::dates::Period;
use crate::model::{Client, Incident};
use crate::Vault;
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;
use uuid::Uuid;

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// Encrypted, signed bundle for organisations (needs recipients).
    Bundle,
    /// JSON incident log (docs/formats/incident-log.md).
    Json,
    /// CSV table, one row per incident.
    Csv,
    /// PDF report (the log for the period, or one incident).
    Pdf,
    /// iCalendar of hearings and deadlines.
    Ics,
    /// HURIDOCS events layout (docs/formats/huridocs.md).
    Huridocs,
}

impl ExportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
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

/// Everything an export needs to know, as the lawyer chose it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ExportRequest {
    /// What to write.
    pub format: ExportFormat,
    /// How much of each record leaves.
    pub profile: Profile,
    /// Organisations from the address book (consent is checked for each).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// From the start of this day, month or year (or this moment), in the
    /// vault's time zone; any form `crate::dates::parse` reads.
    #[serde(default)]
    pub from: Option<String>,
    /// Until the end of this day, month or year (or this moment), inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// Only this client's records (id or unique id prefix).
    #[serde(default)]
    pub client: Option<String>,
    /// PDF only: a report of this one incident (id or prefix).
    #[serde(default)]
    pub incident: Option<String>,
    /// Bundles: leave the PDF report out.
    #[serde(default)]
    pub without_pdf: bool,
    /// Leave every attachment out; evidence notes still leave.
    #[serde(default)]
    pub without_attachments: bool,
    /// Let incidents still marked draft leave.
    #[serde(default)]
    pub include_drafts: bool,
    /// Re-identification hits the lawyer reviewed and confirmed, by id.
    #[serde(default)]
    pub accept_hits: Vec<String>,
    /// Confirm every hit (the CLI's `--accept-hits`, after `--preview`).
    #[serde(default)]
    pub accept_all_hits: bool,
    /// Language of the PDF report and the CSV's label columns.
    #[serde(default)]
    pub lang: Lang,
}

impl ExportRequest {
    /// A request for `format` and `profile` with every option at its default.
    pub fn new(format: ExportFormat, profile: Profile) -> Self {
        Self {
            format,
            profile,
            recipients: vec![],
            from: None,
            to: None,
            client: None,
            incident: None,
            without_pdf: false,
            without_attachments: false,
            include_drafts: false,
            accept_hits: vec![],
            accept_all_hits: false,
            lang: Lang::default(),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportDone {
    /// Incidents in the export.
    #[ts(type = "number")]
    pub incidents: usize,
    /// Records held back (consent, drafts, confidentiality, profile).
    #[ts(type = "number")]
    pub held_back: usize,
    /// Bundles only: SHA-256 of manifest.json.
    pub manifest_sha256: Option<String>,
    /// Bundles only: minisign key id of the signature.
    pub signing_key_id: Option<String>,
    /// Evidence whose attachments were left out, and why.
    pub skipped_attachments: Vec<Excluded>,
}

/// A request resolved against the vault: what leaves, and to whom.
pub struct Prepared<'v> {
    /// The redacted records.
    pub set: ExportSet<'v>,
    /// The address-book entries of the recipients.
    pub recipients: Vec<Recipient>,
    /// PDF of one incident: its id.
    pub incident: Option<Uuid>,
}

/// Resolves recipients, client, incident and period, and selects.
pub fn prepare<'v>(vault: &'v Vault, req: &ExportRequest) -> Result<Prepared<'v>> {
    let period = Period::parse(
        ("from", req.from.as_deref()),
        ("to", req.to.as_deref()),
        vault.time_zone()?,
        chrono::Utc::now(),
    )?;
    let client = match req
        .client
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => Some(vault.resolve::<Client>(c)?),
        None => None,
    };
    let incident = match (req.format, req.incident.as_deref().map(str::trim)) {
        (ExportFormat::Pdf, Some(id)) if !id.is_empty() => Some(vault.resolve::<Incident>(id)?),
        _ => None,
    };
    let recipients = req
        .recipients
        .iter()
        .map(|name| recipients::get(vault, name))
        .collect::<Result<Vec<_>>>()?;
    let opts = ExportOptions {
        profile: req.profile,
        recipients: recipients.iter().map(|r| r.name.clone()).collect(),
        from: period.from,
        to: period.to,
        client,
        without_attachments: req.without_attachments,
        include_drafts: req.include_drafts,
    };
    let set = select(vault, &opts)?;
    if let Some(id) = incident {
        if !set.has_incident(id) {
            return Err(ExportError::IncidentNotExported(id));
        }
    }
    Ok(Prepared {
        set,
        recipients,
        incident,
    })
}

/// Exactly what [`write`] would send; writes nothing.
pub fn preview(vault: &Vault, req: &ExportRequest) -> Result<Preview> {
    prepare(vault, req)?.set.preview()
}

/// Writes the export to `out` (refusing an existing file unless
/// `replace`), reporting progress: [`Phase::Selecting`] first, then the
/// writer's steps (one per record written), and [`Phase::Done`] with
/// `done == total` once the file is in place. The file is made first (in
/// memory, or encrypted on disk if large, see [`super::spill`]) and
/// written only once every record has been checked: refused while
/// removed names appear in text that leaves and the lawyer has not
/// confirmed them.
pub fn write(
    vault: &Vault,
    req: &ExportRequest,
    out: &Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportDone> {
    progress(Progress {
        phase: Phase::Selecting,
        done: 0,
        total: 0,
    });
    if req.format == ExportFormat::Bundle && req.recipients.is_empty() {
        return Err(ExportError::RecipientRequired(req.profile));
    }
    let Prepared {
        set,
        recipients,
        incident,
    } = prepare(vault, req)?;
    let mut confirm = |hits: &[Hit]| {
        let unconfirmed: Vec<_> = hits
            .iter()
            .filter(|h| !req.accept_all_hits && !req.accept_hits.contains(&h.id))
            .cloned()
            .collect();
        if unconfirmed.is_empty() {
            Ok(())
        } else {
            Err(ExportError::NamesInText(unconfirmed))
        }
    };
    let mut done = ExportDone {
        incidents: set.incident_count(),
        held_back: set.excluded.len(),
        manifest_sha256: None,
        signing_key_id: None,
        skipped_attachments: vec![],
    };
    if req.format == ExportFormat::Bundle {
        let s = bundle::write_checked(
            vault,
            &set,
            &recipients,
            !req.without_pdf,
            req.lang,
            out,
            replace,
            progress,
            &mut confirm,
        )?;
        done.manifest_sha256 = Some(s.manifest_sha256);
        done.signing_key_id = Some(s.signing_key_id);
        done.skipped_attachments = s.skipped_attachments;
        return Ok(done);
    }
    let incidents = set.incident_count() as u64;
    let (phase, steps) = match (req.format, incident) {
        (ExportFormat::Json, _) => (
            Phase::Log,
            (set.clients.len() + set.cases.len() + set.evidence_count()) as u64 + incidents,
        ),
        (ExportFormat::Csv | ExportFormat::Huridocs, _) => (Phase::Log, incidents),
        (ExportFormat::Pdf, None) => (Phase::Pdf, 4 * incidents),
        (ExportFormat::Pdf, Some(_)) => (Phase::Pdf, 1),
        (ExportFormat::Ics | ExportFormat::Bundle, _) => (Phase::Log, 1),
    };
    let mut meter = Meter::new(progress, 0);
    meter.start(steps + 1, phase);
    // Every reading checks the vault's cancel flag, and so does every
    // write, so a lock stops the export and `write_new` leaves no file.
    let cancel = vault.cancel_handle();
    let written = (|| {
        let mut spill = Spill::new(vault.dir());
        {
            let step = &mut || meter.step();
            match (req.format, incident) {
                (ExportFormat::Json, _) => json::write_with(&set, None, &mut spill, step, None),
                (ExportFormat::Csv, _) => {
                    let mut table = csv::Table::new(&mut spill, req.lang)?;
                    set.each_incident(&mut |o| {
                        step();
                        table.row(&set, o)
                    })?;
                    table.finish()
                }
                (ExportFormat::Huridocs, _) => huridocs::write_with(&set, &mut spill, step),
                (ExportFormat::Ics, _) => ics::write(&set, &mut spill),
                (ExportFormat::Pdf, Some(id)) => {
                    pdf::write_incident(&set, id, req.lang, None, &mut spill)
                }
                (ExportFormat::Pdf, None) => {
                    pdf::write_log_with(&set, req.lang, None, &mut spill, step)
                }
                (ExportFormat::Bundle, _) => Ok(()),
            }?;
        }
        let mut made = spill.finish()?;
        confirm(&set.hits()?)?;
        meter.phase(Phase::Finishing);
        write_new(out, replace, |w| {
            made.copy_to(&mut cancel.writer(w))?;
            Ok(vault.check_cancel()?)
        })
    })();
    if written.is_err() {
        vault.check_cancel()?;
    }
    written?;
    meter.done();
    Ok(done)
}
