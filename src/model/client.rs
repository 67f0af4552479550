//! Clients: the people the lawyer defends.

use super::common::{Contact, EventTime};
use super::validate::{self, Result, Validate, ValidationError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the client stands in the proceedings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProceduralStatus {
    /// Detained or questioned, not yet charged.
    #[default]
    Suspect,
    /// Formally charged.
    Accused,
    /// On trial.
    Defendant,
    /// Convicted (appeal possible).
    Convicted,
    /// Released or acquitted.
    Released,
    /// Witness in someone else's case.
    Witness,
    /// Anything else.
    Other,
}

/// Risks the lawyer must keep in mind about a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RiskFlag {
    /// Health problems, medical needs in custody.
    Health,
    /// Signs or reports of ill-treatment.
    IllTreatment,
    /// Held incommunicado or whereabouts unknown.
    Incommunicado,
    /// Threats against the client or family.
    Threats,
    /// A minor.
    Minor,
    /// Foreign national (consular access).
    ForeignNational,
    /// On hunger strike.
    HungerStrike,
    /// Anything else (see notes).
    Other,
}

/// A client. `pseudonym` is what leaves the vault in NGO and public exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Client {
    /// Full legal name.
    pub full_name: String,
    /// Code used instead of the name in exports, e.g. `C-017`.
    pub pseudonym: String,
    /// Procedural status.
    #[serde(default)]
    pub procedural_status: ProceduralStatus,
    /// When the client was arrested, if at all.
    #[serde(default)]
    pub arrested_at: Option<EventTime>,
    /// Where the client is held now.
    #[serde(default)]
    pub place_of_detention: String,
    /// Charges as article numbers, e.g. `206.3.2`.
    #[serde(default)]
    pub charges: Vec<String>,
    /// Case numbers, as the authorities write them.
    #[serde(default)]
    pub case_numbers: Vec<String>,
    /// Ways to reach the client or family.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Risks to keep in mind.
    #[serde(default)]
    pub risk_flags: Vec<RiskFlag>,
    /// Free notes (never in public exports unless marked shareable).
    #[serde(default)]
    pub notes: String,
}

impl Client {
    /// A client with only a name and pseudonym.
    pub fn new(full_name: impl Into<String>, pseudonym: impl Into<String>) -> Self {
        Self {
            full_name: full_name.into(),
            pseudonym: pseudonym.into(),
            procedural_status: ProceduralStatus::default(),
            arrested_at: None,
            place_of_detention: String::new(),
            charges: vec![],
            case_numbers: vec![],
            contacts: vec![],
            risk_flags: vec![],
            notes: String::new(),
        }
    }
}

impl Validate for Client {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "full_name", &self.full_name)?;
        validate::required(p, "pseudonym", &self.pseudonym)?;
        if self.pseudonym.trim() == self.full_name.trim() {
            return Err(ValidationError::new(
                validate::join(p, "pseudonym"),
                "must differ from the full name, since it replaces the name in exports",
            ));
        }
        if let Some(t) = &self.arrested_at {
            t.validate_at(&validate::join(p, "arrested_at"))?;
        }
        validate::short(p, "place_of_detention", &self.place_of_detention)?;
        validate::short_list(p, "charges", &self.charges)?;
        validate::short_list(p, "case_numbers", &self.case_numbers)?;
        validate::each(p, "contacts", &self.contacts)?;
        validate::list_len(p, "risk_flags", self.risk_flags.len())?;
        validate::long(p, "notes", &self.notes)
    }
}
