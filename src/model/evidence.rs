//! Evidence notes, their encrypted attachments and chain of custody.

use super::common::EventTime;
use super::validate::{self, Result, Validate, ValidationError};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What the evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EvidenceKind {
    /// A document.
    #[default]
    Document,
    /// A photograph.
    Photo,
    /// An audio recording.
    Audio,
    /// A video recording.
    Video,
    /// A medical report.
    MedicalReport,
    /// A witness statement.
    WitnessStatement,
    /// An official reply or decision.
    OfficialReply,
    /// Anything else.
    Other,
}

/// A file stored encrypted in the vault. `sha256` is computed over the
/// plaintext at intake, so a copy handed to a court can be checked
/// against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct AttachmentRef {
    /// SHA-256 of the original bytes, lower-case hex.
    pub sha256: String,
    /// Original file name.
    pub file_name: String,
    /// Size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Media type guessed from the name, e.g. `image/jpeg`.
    pub media_type: String,
}

impl Validate for AttachmentRef {
    fn validate_at(&self, p: &str) -> Result {
        if self.sha256.len() != 64 || !self.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ValidationError::new(
                validate::join(p, "sha256"),
                "must be 64 hex digits",
            ));
        }
        validate::required(p, "file_name", &self.file_name)?;
        validate::short(p, "media_type", &self.media_type)
    }
}

/// One step in the chain of custody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CustodyEntry {
    /// Who handled it.
    pub who: String,
    /// When.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// What was done: received, copied, handed to court…
    pub action: String,
}

impl Validate for CustodyEntry {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "who", &self.who)?;
        validate::required(p, "action", &self.action)
    }
}

/// An evidence note, linked to at least one incident, case or client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct EvidenceNote {
    /// The incident it documents.
    #[serde(default)]
    pub incident_id: Option<Uuid>,
    /// The case it belongs to.
    #[serde(default)]
    pub case_id: Option<Uuid>,
    /// The client it concerns.
    #[serde(default)]
    pub client_id: Option<Uuid>,
    /// What it is.
    #[serde(default)]
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// Where it came from.
    #[serde(default)]
    pub source: String,
    /// When it was obtained.
    #[serde(default)]
    pub obtained_at: Option<EventTime>,
    /// Encrypted files.
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// Chain of custody.
    #[serde(default)]
    pub custody: Vec<CustodyEntry>,
}

impl EvidenceNote {
    /// A note with only a description, linked to nothing yet.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            incident_id: None,
            case_id: None,
            client_id: None,
            kind: EvidenceKind::default(),
            description: description.into(),
            source: String::new(),
            obtained_at: None,
            attachments: vec![],
            custody: vec![],
        }
    }
}

impl Validate for EvidenceNote {
    fn validate_at(&self, p: &str) -> Result {
        if self.incident_id.is_none() && self.case_id.is_none() && self.client_id.is_none() {
            return Err(ValidationError::new(
                validate::join(p, "incident_id"),
                "link the note to an incident, a case or a client",
            ));
        }
        if self.description.trim().is_empty() {
            return Err(ValidationError::new(
                validate::join(p, "description"),
                "is required",
            ));
        }
        validate::long(p, "description", &self.description)?;
        validate::short(p, "source", &self.source)?;
        validate::each(p, "attachments", &self.attachments)?;
        validate::each(p, "custody", &self.custody)
    }
}
