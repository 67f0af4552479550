//! Exports: getting a lawyer's records to the organisations that use them.
//!
//! Every export starts with [`select`], which applies the chosen
//! [`Profile`] and each incident's consent per recipient and produces an
//! [`ExportSet`]: what leaves, redacted, plus a list of what was held back
//! and why. The format writers (JSON log, CSV, ICS, HURIDOCS, PDF, bundle)
//! only ever see an `ExportSet`, so no writer can leak a field the profile
//! removed. [`preview`] shows the same set to the lawyer before anything is
//! written.
//!
//! Exports stream: a set of any size is written one record at a time
//! (incidents and evidence notes are read again from the vault for each
//! pass unless the set is small, see [`select`]), into a [`spill`] that
//! keeps it in memory, or encrypted on disk past a few MiB, until the
//! re-identification check has seen every record; only then is the file
//! written. Memory does not grow with the number of records.
//!
//! This module does not decide *where* files go and never touches the
//! network; the CLI and the desktop shell pass it writers.

pub mod bundle;
pub mod csv;
pub mod fields;
pub mod file;
pub mod huridocs;
pub mod ics;
pub mod json;
pub mod lang;
pub mod metadata;
pub mod pdf;
mod preview;
pub mod recipients;
mod redact;
pub mod reid;
pub mod request;
mod rows;
mod select;
pub mod signing;
pub(crate) mod spill;

pub use lang::Lang;
pub use metadata::{AttachmentOutcome, AttachmentStatus, MetadataHold};
pub use preview::{Preview, PreviewRecord, PreviewTitle};
pub use recipients::Recipient;
pub use redact::{neutral_file_name, witness_label, Excluded, HeldBack, Out};
pub use request::{ExportDone, ExportFormat, ExportRequest};
pub use select::{select, select_keeping, ExportSet, ExportedFile, KEEP_BYTES};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;
use uuid::Uuid;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the vault failed.
    #[error(transparent)]
    Vault(#[from] Box<crate::Error>),
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A profile that needs a recipient was used without one.
    #[error("the {0} profile shares records with an organisation: name it with --to RECIPIENT")]
    RecipientRequired(Profile),
    /// A recipient name not in the address book.
    #[error("no recipient named {0:?} in the address book; add it with `vekil recipient add`")]
    UnknownRecipient(String),
    /// A recipient's public key is not an age X25519 key.
    #[error("recipient {name:?}: {reason}")]
    BadRecipient {
        /// Organisation name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Signing or encryption failed.
    #[error("{0}")]
    Crypto(String),
    /// Serialising a record failed.
    #[error("cannot serialise {what}: {reason}")]
    Serialise {
        /// What was being written.
        what: String,
        /// Why.
        reason: String,
    },
    /// The PDF could not be laid out.
    #[error("cannot build the PDF: {0}")]
    Pdf(String),
    /// The output path names a folder, or nothing.
    #[error("{0} is not a file name; choose a file to write")]
    NotAFile(PathBuf),
    /// The output file exists and replacing it was not asked for.
    #[error("{0} already exists; choose another name or confirm replacing it")]
    FileExists(PathBuf),
    /// A period bound is not a date, or the period ends before it starts.
    #[error(transparent)]
    Date(#[from] crate::dates::DateError),
    /// A one-incident report of an incident that does not leave.
    #[error("incident {0} does not leave with this profile and these recipients (see the preview for why)")]
    IncidentNotExported(uuid::Uuid),
    /// Names the profile removes appear in text that would leave.
    #[error("{} name(s) that this export removes appear in text that would leave; review them with --preview, then edit the text or confirm them with --accept-hits", .0.len())]
    NamesInText(Vec<reid::Hit>),
    /// The vault was locked while the export ran; no file was left.
    #[error(transparent)]
    Cancelled(#[from] crate::cancel::CancelError),
}

impl From<crate::Error> for ExportError {
    fn from(e: crate::Error) -> Self {
        Self::Vault(Box::new(e))
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Vault(Box::new(e.into()))
    }
}

/// Result of export operations.
pub type Result<T> = std::result::Result<T, ExportError>;

/// The non-empty parts joined with ", " (an official's rank, name, unit
/// and badge; a court and courtroom…), as every format writes them.
pub(crate) fn join_present(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ExportError {
    let path = path.into();
    move |source| ExportError::Io { path, source }
}

/// How much of each record leaves the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Profile {
    /// Everything, for the lawyer's own backup.
    #[default]
    Full,
    /// NGO confidential: clients by pseudonym, no contacts, no health
    /// details unless consented.
    Ngo,
    /// Public report: pseudonyms, regions instead of identifying
    /// facilities, notes only when marked shareable.
    Public,
}

impl Profile {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Ngo => "ngo",
            Self::Public => "public",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "full" => Ok(Self::Full),
            "ngo" => Ok(Self::Ngo),
            "public" => Ok(Self::Public),
            _ => Err(format!("unknown profile {s:?}; one of: full, ngo, public")),
        }
    }
}

/// What an export is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Phase {
    /// Applying the profile and consent to the vault's records.
    Selecting,
    /// Writing the incident log and table.
    Log,
    /// Laying out the PDF report.
    Pdf,
    /// Copying attachments into the archive.
    Attachments,
    /// Encrypting and saving the file.
    Finishing,
    /// Written.
    Done,
}

/// One progress report: `done` of `total` steps, now in `phase`. Within
/// one export `total` does not change and `done` only grows; the last
/// report is [`Phase::Done`] with `done == total`. `total` is 0 while it
/// is not yet known (before the records are chosen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Progress {
    /// What is being done now.
    pub phase: Phase,
    /// Steps finished.
    #[ts(type = "number")]
    pub done: u64,
    /// Steps in all.
    #[ts(type = "number")]
    pub total: u64,
}

/// Counts an export's steps and reports them as [`Progress`]: at every
/// change of phase and about 200 times in all, however many records there
/// are (a window repaints on each report, a terminal redraws its line).
pub(crate) struct Meter<'p> {
    report: &'p mut dyn FnMut(Progress),
    phase: Phase,
    done: u64,
    total: u64,
    next: u64,
}

impl<'p> Meter<'p> {
    pub(crate) fn new(report: &'p mut dyn FnMut(Progress), total: u64) -> Self {
        Self {
            report,
            phase: Phase::Selecting,
            done: 0,
            total,
            next: 0,
        }
    }

    /// Sets the number of steps (known once the records are chosen) and
    /// reports the first phase.
    pub(crate) fn start(&mut self, total: u64, phase: Phase) {
        self.total = total;
        self.phase = phase;
        self.emit();
    }

    /// A new phase, reported at once.
    pub(crate) fn phase(&mut self, phase: Phase) {
        if phase != self.phase {
            self.phase = phase;
            self.emit();
        }
    }

    /// One step done (never past the total).
    pub(crate) fn step(&mut self) {
        if self.done < self.total {
            self.done += 1;
        }
        if self.done >= self.next {
            self.emit();
        }
    }

    /// The file is in place: [`Phase::Done`] with `done == total`.
    pub(crate) fn done(&mut self) {
        self.phase = Phase::Done;
        self.done = self.total;
        self.emit();
    }

    fn emit(&mut self) {
        (self.report)(Progress {
            phase: self.phase,
            done: self.done,
            total: self.total,
        });
        self.next = self.done + (self.total / 200).max(1);
    }
}

/// The recipient name that stands for "anyone": consent granted to
/// `public` allows an incident into public reports written without `--to`.
pub const PUBLIC_RECIPIENT: &str = "public";

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Redaction profile.
    pub profile: Profile,
    /// Organisations the export is for (consent is checked for every one).
    pub recipients: Vec<String>,
    /// Incidents, hearings and deadlines from this moment.
    pub from: Option<DateTime<FixedOffset>>,
    /// …until this moment.
    pub to: Option<DateTime<FixedOffset>>,
    /// Only this client's records.
    pub client: Option<Uuid>,
    /// Leave every attachment out (evidence records then list none).
    pub without_attachments: bool,
    /// Let incidents still marked draft leave (they are held back otherwise,
    /// except in the lawyer's own backup).
    pub include_drafts: bool,
}
