//! The preview: exactly which records and fields an export would send,
//! what is held back and why, and the names that would come back through
//! the text, before anything is written. The CLI prints it (`--preview`)
//! and the desktop app shows it; both word it from these codes.

use super::metadata::AttachmentStatus;
use super::redact::{Excluded, Out};
use super::reid::Hit;
use super::select::ExportSet;
use super::{Profile, Result};
use crate::model::{
    Case, Client, EvidenceKind, EvidenceNote, Incident, IncidentType, Kind, Record,
};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// One line of the preview: a record that leaves and its fields.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewRecord {
    /// Kind.
    pub kind: Kind,
    /// Id.
    pub id: Uuid,
    /// Revision.
    pub revision: u32,
    /// What the record is, as data for the window to word (no sentence).
    pub title: PreviewTitle,
    /// Fields that leave (top-level names of the JSON record).
    pub fields: Vec<String>,
    /// Fields removed by the profile or consent.
    pub removed: Vec<String>,
    /// Fields whose value was replaced.
    pub replaced: Vec<String>,
}

/// The parts of a preview line's title; the window and the CLI word them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "of", rename_all = "snake_case")]
#[ts(export)]
pub enum PreviewTitle {
    /// A client: the full name only in the lawyer's own backup, else empty.
    Client {
        /// Full name, or empty when the export shows the pseudonym only.
        full_name: String,
        /// Pseudonym.
        pseudonym: String,
    },
    /// A case.
    Case {
        /// Case number.
        case_number: String,
        /// Court, may be empty.
        court: String,
    },
    /// An incident.
    Incident {
        /// What happened.
        incident_type: IncidentType,
        /// The facility as exported (may be a region after redaction).
        facility: String,
    },
    /// An evidence note.
    Evidence {
        /// What the evidence is.
        evidence_kind: EvidenceKind,
        /// First line of the description, at most 80 characters.
        description: String,
    },
}

/// Records that appear in a preview.
pub(crate) trait Titled: Record {
    fn preview_title(&self) -> PreviewTitle;
}

impl Titled for Client {
    fn preview_title(&self) -> PreviewTitle {
        PreviewTitle::Client {
            full_name: self.full_name.clone(),
            pseudonym: self.pseudonym.clone(),
        }
    }
}

impl Titled for Case {
    fn preview_title(&self) -> PreviewTitle {
        PreviewTitle::Case {
            case_number: self.case_number.clone(),
            court: self.court.clone(),
        }
    }
}

impl Titled for Incident {
    fn preview_title(&self) -> PreviewTitle {
        PreviewTitle::Incident {
            incident_type: self.incident_type,
            facility: self.facility.name.clone(),
        }
    }
}

impl Titled for EvidenceNote {
    fn preview_title(&self) -> PreviewTitle {
        let first_line = self.description.lines().next().unwrap_or_default();
        PreviewTitle::Evidence {
            evidence_kind: self.kind,
            description: first_line.chars().take(80).collect(),
        }
    }
}

/// What an export would send, before it is written.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Preview {
    /// Profile.
    pub profile: Profile,
    /// Organisations.
    pub recipients: Vec<String>,
    /// Records that leave.
    pub records: Vec<PreviewRecord>,
    /// Records held back.
    pub excluded: Vec<Excluded>,
    /// What happens to each attachment of the evidence that leaves.
    pub attachments: Vec<AttachmentStatus>,
    /// Removed names found in text that leaves: the export is refused until
    /// each is edited away or confirmed.
    pub hits: Vec<Hit>,
}

impl ExportSet<'_> {
    /// Exactly which records and fields leave. Reads the incidents and
    /// notes (again, for a large export), so the hits are complete.
    pub fn preview(&self) -> Result<Preview> {
        fn line<T: Titled>(o: &Out<T>) -> Result<PreviewRecord> {
            let v = o.to_value()?;
            let fields = v
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            Ok(PreviewRecord {
                kind: T::KIND,
                id: o.record.id,
                revision: o.record.revision,
                title: o.record.data.preview_title(),
                fields,
                removed: o.removed.iter().map(|s| s.to_string()).collect(),
                replaced: o.replaced.iter().map(|s| s.to_string()).collect(),
            })
        }
        let mut records = vec![];
        for o in &self.clients {
            records.push(line(o)?);
        }
        for o in &self.cases {
            records.push(line(o)?);
        }
        self.each_incident(&mut |o| {
            records.push(line(o)?);
            Ok(())
        })?;
        self.each_evidence(&mut |o| {
            records.push(line(o)?);
            Ok(())
        })?;
        Ok(Preview {
            profile: self.profile,
            recipients: self.recipients.clone(),
            records,
            excluded: self.excluded.clone(),
            attachments: self.attachments.clone(),
            hits: self.hits()?,
        })
    }
}
