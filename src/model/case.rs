//! Cases: criminal proceedings the lawyer is engaged in.

use super::validate::{self, Result, Validate, ValidationError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Stage of the proceedings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseStatus {
    /// Pre-trial investigation.
    #[default]
    Investigation,
    /// Before the first-instance court.
    Trial,
    /// Appeal.
    Appeal,
    /// Cassation (Supreme Court).
    Cassation,
    /// Application before the European Court of Human Rights.
    Ecthr,
    /// Closed.
    Closed,
}

/// A case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Case {
    /// The client(s) defended in this case.
    pub client_ids: Vec<Uuid>,
    /// The case number as the authorities write it.
    pub case_number: String,
    /// Court seized of the case.
    #[serde(default)]
    pub court: String,
    /// Investigating authority (police, prosecutor's office, security service).
    #[serde(default)]
    pub investigating_authority: String,
    /// Judge.
    #[serde(default)]
    pub judge: String,
    /// Prosecutor.
    #[serde(default)]
    pub prosecutor: String,
    /// Charges as article numbers.
    #[serde(default)]
    pub charges: Vec<String>,
    /// Stage.
    #[serde(default)]
    pub status: CaseStatus,
    /// When the lawyer took the case or it was opened.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub opened_on: Option<NaiveDate>,
    /// When it closed.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub closed_on: Option<NaiveDate>,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

impl Case {
    /// A case for one client.
    pub fn new(client_id: Uuid, case_number: impl Into<String>) -> Self {
        Self {
            client_ids: vec![client_id],
            case_number: case_number.into(),
            court: String::new(),
            investigating_authority: String::new(),
            judge: String::new(),
            prosecutor: String::new(),
            charges: vec![],
            status: CaseStatus::default(),
            opened_on: None,
            closed_on: None,
            notes: String::new(),
        }
    }
}

impl Validate for Case {
    fn validate_at(&self, p: &str) -> Result {
        if self.client_ids.is_empty() {
            return Err(ValidationError::new(
                validate::join(p, "client_ids"),
                "needs at least one client",
            ));
        }
        validate::list_len(p, "client_ids", self.client_ids.len())?;
        validate::required(p, "case_number", &self.case_number)?;
        for (f, v) in [
            ("court", &self.court),
            ("investigating_authority", &self.investigating_authority),
            ("judge", &self.judge),
            ("prosecutor", &self.prosecutor),
        ] {
            validate::short(p, f, v)?;
        }
        validate::short_list(p, "charges", &self.charges)?;
        validate::day_opt(p, "opened_on", self.opened_on.as_ref())?;
        validate::day_opt(p, "closed_on", self.closed_on.as_ref())?;
        validate::ordered(
            p,
            "closed_on",
            self.opened_on.as_ref(),
            self.closed_on.as_ref(),
            "opened_on",
        )?;
        validate::long(p, "notes", &self.notes)
    }
}
