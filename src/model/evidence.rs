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

/// A file stored encrypted in the vault. `sha256`, `size` and
/// `media_type` are recorded at intake from the content itself, so a copy
/// handed to a court can be checked against the hash, and an export knows
/// what kind of metadata the file can carry. Only the core's attach
/// functions create one; an edit of the note may rename or remove it but
/// not change those three fields (see [`EvidenceNote::check_attachment_edit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct AttachmentRef {
    /// SHA-256 of the original bytes, lower-case hex.
    pub sha256: String,
    /// File name as given at intake; the lawyer may rename it later.
    pub file_name: String,
    /// Size in bytes.
    #[ts(type = "number")]
    pub size: u64,
    /// Media type sniffed from the content's first bytes at intake (never
    /// from the file name), e.g. `image/jpeg`; `application/octet-stream`
    /// when not recognised. See `store::media_type`.
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
        validate::moment(p, "at", &self.at)?;
        validate::required(p, "action", &self.action)
    }
}

/// An evidence note, linked to at least one incident, case or client.
///
/// One note can document several incidents (the same written refusal
/// answers two visits), so `incident_ids` is a list: in the order the
/// lawyer gave, each incident once. Notes written before that (stored in
/// a vault, sent in a bundle, kept in an `add --json` file) say
/// `incident_id`, one id or null; they are read as a list of that one
/// incident or none, and everything Vekil writes says `incident_ids`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EvidenceNote {
    /// The incidents it documents, each once, in the lawyer's order.
    pub incident_ids: Vec<Uuid>,
    /// The case it belongs to.
    pub case_id: Option<Uuid>,
    /// The client it concerns.
    pub client_id: Option<Uuid>,
    /// What it is.
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// Where it came from.
    pub source: String,
    /// When it was obtained.
    pub obtained_at: Option<EventTime>,
    /// Encrypted files.
    pub attachments: Vec<AttachmentRef>,
    /// Chain of custody.
    pub custody: Vec<CustodyEntry>,
}

/// Written by hand to read both names of the incident link: `incident_ids`
/// (a list) and the older `incident_id` (one id or null). A record that
/// gives both is refused rather than one of them silently winning. Any
/// other unknown field is refused, as for every record.
impl<'de> Deserialize<'de> for EvidenceNote {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        /// `Some(None)` for a field present as `null`, `None` when absent.
        fn present<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> std::result::Result<Option<Option<Uuid>>, D::Error> {
            Option::<Uuid>::deserialize(d).map(Some)
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            #[serde(default)]
            incident_ids: Option<Vec<Uuid>>,
            #[serde(default, deserialize_with = "present")]
            incident_id: Option<Option<Uuid>>,
            #[serde(default)]
            case_id: Option<Uuid>,
            #[serde(default)]
            client_id: Option<Uuid>,
            #[serde(default)]
            kind: EvidenceKind,
            description: String,
            #[serde(default)]
            source: String,
            #[serde(default)]
            obtained_at: Option<EventTime>,
            #[serde(default)]
            attachments: Vec<AttachmentRef>,
            #[serde(default)]
            custody: Vec<CustodyEntry>,
        }
        let w = Wire::deserialize(d)?;
        let incident_ids = match (w.incident_ids, w.incident_id) {
            (Some(_), Some(_)) => {
                return Err(serde::de::Error::custom(
                    "gives both `incident_ids` and `incident_id`; keep `incident_ids` (the list of incidents) and remove `incident_id`, its older name for a single incident",
                ))
            }
            (Some(ids), None) => ids,
            (None, Some(one)) => one.into_iter().collect(),
            (None, None) => vec![],
        };
        Ok(Self {
            incident_ids,
            case_id: w.case_id,
            client_id: w.client_id,
            kind: w.kind,
            description: w.description,
            source: w.source,
            obtained_at: w.obtained_at,
            attachments: w.attachments,
            custody: w.custody,
        })
    }
}

impl EvidenceNote {
    /// A note with only a description, linked to nothing yet.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            incident_ids: vec![],
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

impl EvidenceNote {
    /// Refuses an edit (or a new note) that adds an attachment or changes
    /// the hash, size or media type of one: those are facts about a file
    /// the vault holds, recorded once by the attach functions. Removing an
    /// attachment, reordering them and renaming one (`file_name` is the
    /// lawyer's label) are allowed. Each listed attachment must match a
    /// distinct stored one, so listing a file twice counts as adding it.
    pub fn check_attachment_edit(&self, stored: Option<&Self>) -> Result {
        let before = stored.map(|s| s.attachments.as_slice()).unwrap_or_default();
        let mut used = vec![false; before.len()];
        for (i, a) in self.attachments.iter().enumerate() {
            let at = format!("attachments[{i}]");
            let same_file =
                |j: &usize| !used[*j] && before[*j].sha256.eq_ignore_ascii_case(&a.sha256);
            // Prefer the stored entry with the same name, then any.
            let found = (0..before.len())
                .filter(same_file)
                .find(|j| before[*j].file_name == a.file_name)
                .or_else(|| (0..before.len()).find(same_file));
            let Some(j) = found else {
                return Err(ValidationError::new(
                    at,
                    "is not a file of this note; attach files with `vekil evidence edit --attach FILE` or by dropping them on the note",
                ));
            };
            used[j] = true;
            let b = &before[j];
            if a.size != b.size {
                return Err(ValidationError::new(
                    validate::join(&at, "size"),
                    "was recorded when the file was attached and cannot be changed",
                ));
            }
            if a.media_type != b.media_type {
                return Err(ValidationError::new(
                    validate::join(&at, "media_type"),
                    "was read from the file when it was attached and cannot be changed",
                ));
            }
        }
        Ok(())
    }
}

impl Validate for EvidenceNote {
    fn validate_at(&self, p: &str) -> Result {
        if self.incident_ids.is_empty() && self.case_id.is_none() && self.client_id.is_none() {
            return Err(ValidationError::new(
                validate::join(p, "incident_ids"),
                "link the note to an incident, a case or a client",
            ));
        }
        validate::list_len(p, "incident_ids", self.incident_ids.len())?;
        for (i, id) in self.incident_ids.iter().enumerate() {
            if self.incident_ids[..i].contains(id) {
                return Err(ValidationError::new(
                    validate::join(p, &format!("incident_ids[{i}]")),
                    "names an incident the note already lists; list each incident once",
                ));
            }
        }
        if self.description.trim().is_empty() {
            return Err(ValidationError::new(
                validate::join(p, "description"),
                "is required",
            ));
        }
        validate::long(p, "description", &self.description)?;
        validate::short(p, "source", &self.source)?;
        if let Some(t) = &self.obtained_at {
            t.validate_at(&validate::join(p, "obtained_at"))?;
        }
        validate::each(p, "attachments", &self.attachments)?;
        validate::each(p, "custody", &self.custody)
    }
}
