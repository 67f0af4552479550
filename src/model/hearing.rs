//! Hearings and procedural deadlines of a case.

use super::validate::{self, Result, Validate};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What a hearing decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HearingKind {
    /// Choice of preventive measure (detention, house arrest…).
    PreventiveMeasure,
    /// Extension of pre-trial detention.
    DetentionExtension,
    /// Preliminary hearing.
    Preliminary,
    /// Trial session.
    #[default]
    Trial,
    /// Appeal.
    Appeal,
    /// Cassation.
    Cassation,
    /// Anything else.
    Other,
}

/// A court hearing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Hearing {
    /// The case.
    pub case_id: Uuid,
    /// When it starts, with the court's UTC offset.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// What it decides.
    #[serde(default)]
    pub kind: HearingKind,
    /// Court.
    #[serde(default)]
    pub court: String,
    /// Courtroom.
    #[serde(default)]
    pub courtroom: String,
    /// Judge.
    #[serde(default)]
    pub judge: String,
    /// Outcome, once known.
    #[serde(default)]
    pub outcome: String,
    /// What the lawyer does next.
    #[serde(default)]
    pub next_step: String,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

impl Hearing {
    /// A hearing with only case, time and kind.
    pub fn new(case_id: Uuid, at: DateTime<FixedOffset>, kind: HearingKind) -> Self {
        Self {
            case_id,
            at,
            kind,
            court: String::new(),
            courtroom: String::new(),
            judge: String::new(),
            outcome: String::new(),
            next_step: String::new(),
            notes: String::new(),
        }
    }
}

impl Validate for Hearing {
    fn validate_at(&self, p: &str) -> Result {
        validate::moment(p, "at", &self.at)?;
        for (f, v) in [
            ("court", &self.court),
            ("courtroom", &self.courtroom),
            ("judge", &self.judge),
        ] {
            validate::short(p, f, v)?;
        }
        validate::long(p, "outcome", &self.outcome)?;
        validate::long(p, "next_step", &self.next_step)?;
        validate::long(p, "notes", &self.notes)
    }
}

/// What kind of deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeadlineKind {
    /// Lodge an appeal.
    Appeal,
    /// Lodge a cassation appeal.
    Cassation,
    /// File a complaint (to a prosecutor, court, bar association…).
    Complaint,
    /// Apply to the European Court of Human Rights (four months).
    EcthrApplication,
    /// Submit a document or motion.
    #[default]
    Submission,
    /// Anything else.
    Other,
}

/// A procedural deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Deadline {
    /// The case.
    pub case_id: Uuid,
    /// When it falls due.
    #[ts(type = "string")]
    pub due: DateTime<FixedOffset>,
    /// What kind.
    #[serde(default)]
    pub kind: DeadlineKind,
    /// The rule that sets it, as text (e.g. "CPC art. 384.1: 20 days").
    #[serde(default)]
    pub source_rule: String,
    /// Whether it has been met.
    #[serde(default)]
    pub done: bool,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

impl Validate for Deadline {
    fn validate_at(&self, p: &str) -> Result {
        validate::moment(p, "due", &self.due)?;
        validate::short(p, "source_rule", &self.source_rule)?;
        validate::long(p, "notes", &self.notes)
    }
}
