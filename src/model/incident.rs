//! Denied-access incidents: the record a lawyer logs at the facility gate.
//!
//! Only four things are needed to save one (client, facility, moment,
//! type), so it can be logged in under a minute; everything else is
//! completed later. Field names are the export format's (docs/formats).

use super::common::{Confidentiality, EventTime, RecordStatus};
use super::standards::LegalStandard;
use super::validate::{self, Result, Validate, ValidationError};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IncidentType {
    /// The lawyer was refused a meeting with the client.
    AccessDenied,
    /// The meeting was allowed only after an unjustified delay.
    AccessDelayed,
    /// The meeting was overheard, watched or recorded.
    MeetingWithoutConfidentiality,
    /// The meeting was cut short or limited in time.
    MeetingTimeLimited,
    /// A permit or authorisation to visit was refused.
    PermitRefused,
    /// The authorities would not say where the client is held.
    WhereaboutsWithheld,
    /// A state-appointed lawyer was put in the chosen lawyer's place.
    StateLawyerSubstituted,
    /// The client was questioned without their lawyer.
    QuestioningWithoutCounsel,
    /// The lawyer was searched or their papers or devices seized.
    LawyerSearched,
    /// The lawyer was threatened.
    LawyerThreatened,
    /// The lawyer was summoned as a witness in the client's case.
    LawyerSummonedAsWitness,
    /// Disciplinary or criminal action against the lawyer.
    ActionAgainstLawyer,
    /// Anything else.
    #[default]
    Other,
}

impl IncidentType {
    /// Every type, in display order.
    pub const ALL: [IncidentType; 13] = [
        Self::AccessDenied,
        Self::AccessDelayed,
        Self::MeetingWithoutConfidentiality,
        Self::MeetingTimeLimited,
        Self::PermitRefused,
        Self::WhereaboutsWithheld,
        Self::StateLawyerSubstituted,
        Self::QuestioningWithoutCounsel,
        Self::LawyerSearched,
        Self::LawyerThreatened,
        Self::LawyerSummonedAsWitness,
        Self::ActionAgainstLawyer,
        Self::Other,
    ];

    /// The serialised name, e.g. `access_denied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::AccessDelayed => "access_delayed",
            Self::MeetingWithoutConfidentiality => "meeting_without_confidentiality",
            Self::MeetingTimeLimited => "meeting_time_limited",
            Self::PermitRefused => "permit_refused",
            Self::WhereaboutsWithheld => "whereabouts_withheld",
            Self::StateLawyerSubstituted => "state_lawyer_substituted",
            Self::QuestioningWithoutCounsel => "questioning_without_counsel",
            Self::LawyerSearched => "lawyer_searched",
            Self::LawyerThreatened => "lawyer_threatened",
            Self::LawyerSummonedAsWitness => "lawyer_summoned_as_witness",
            Self::ActionAgainstLawyer => "action_against_lawyer",
            Self::Other => "other",
        }
    }

    /// English label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::AccessDenied => "Access denied",
            Self::AccessDelayed => "Access delayed",
            Self::MeetingWithoutConfidentiality => "Meeting without confidentiality",
            Self::MeetingTimeLimited => "Meeting time-limited",
            Self::PermitRefused => "Permit refused",
            Self::WhereaboutsWithheld => "Whereabouts withheld",
            Self::StateLawyerSubstituted => "State-appointed lawyer substituted",
            Self::QuestioningWithoutCounsel => "Questioning without counsel",
            Self::LawyerSearched => "Lawyer searched / seized",
            Self::LawyerThreatened => "Lawyer threatened",
            Self::LawyerSummonedAsWitness => "Lawyer summoned as witness",
            Self::ActionAgainstLawyer => "Action against lawyer",
            Self::Other => "Other",
        }
    }
}

impl std::str::FromStr for IncidentType {
    type Err = ValidationError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == norm)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|t| t.as_str()).collect();
                ValidationError::new(
                    "type",
                    format!("unknown type {s:?}; one of: {}", names.join(", ")),
                )
            })
    }
}

/// Kind of place where the client is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FacilityType {
    /// Police station.
    PoliceStation,
    /// Temporary detention facility (IVS).
    TemporaryDetention,
    /// Pre-trial detention centre (SIZO).
    PretrialDetention,
    /// Prison or colony.
    PrisonColony,
    /// Court building.
    Court,
    /// Security-service facility.
    SecurityService,
    /// Hospital.
    Hospital,
    /// Anything else, or not known yet.
    #[default]
    Other,
}

/// The place, as the incident records it: a copy of its entry in the
/// facility register ([`super::FacilityEntry`]), made by the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Facility {
    /// The register entry. When set, the store copies the entry's name,
    /// type, region and `identifying` flag over the fields below on every
    /// save; when absent (an incident typed with a name only), the store
    /// finds the entry by name, or adds one, and sets it. Records imported
    /// from another vault keep it absent: it names an entry of the vault
    /// that made them. Never exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<Uuid>,
    /// Name as commonly used, e.g. "Baku Pre-trial Detention Centre No. 1".
    pub name: String,
    /// Kind of place.
    #[serde(default, rename = "type")]
    pub facility_type: FacilityType,
    /// Region or city.
    #[serde(default)]
    pub region: String,
    /// The facility would identify the client; public exports show the region only.
    #[serde(default)]
    pub identifying: bool,
}

impl Validate for Facility {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "name", &self.name)?;
        validate::short(p, "region", &self.region)
    }
}

/// An official involved.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Official {
    /// Name, if known.
    #[serde(default)]
    pub name: String,
    /// Rank.
    #[serde(default)]
    pub rank: String,
    /// Unit or office.
    #[serde(default)]
    pub unit: String,
    /// Badge number.
    #[serde(default)]
    pub badge: String,
}

impl Validate for Official {
    fn validate_at(&self, p: &str) -> Result {
        if [&self.name, &self.rank, &self.unit, &self.badge]
            .iter()
            .all(|s| s.trim().is_empty())
        {
            return Err(ValidationError::new(
                p,
                "needs at least a name, rank, unit or badge",
            ));
        }
        for (f, v) in [
            ("name", &self.name),
            ("rank", &self.rank),
            ("unit", &self.unit),
            ("badge", &self.badge),
        ] {
            validate::short(p, f, v)?;
        }
        Ok(())
    }
}

/// What kind of person a witness is. In NGO exports a witness leaves only
/// as this kind and a number ("relative 1"), because a name or a
/// relationship to a named client ("the client's father") identifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WitnessKind {
    /// A member of the client's family.
    Relative,
    /// Another lawyer.
    Lawyer,
    /// Another detainee.
    Detainee,
    /// An official (guard, investigator) who saw it.
    Official,
    /// Anyone else.
    #[default]
    Other,
}

impl WitnessKind {
    /// The word NGO exports use for a witness of this kind, in English
    /// (the JSON log and CSV); reports word it in their own language.
    pub fn label(self) -> &'static str {
        match self {
            Self::Relative => "relative",
            Self::Lawyer => "lawyer",
            Self::Detainee => "detainee",
            Self::Official => "official",
            Self::Other => "witness",
        }
    }
}

/// A witness to the incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Witness {
    /// Name.
    pub name: String,
    /// What kind of person they are (what NGO exports show instead of the name).
    #[serde(default)]
    pub kind: WitnessKind,
    /// Who they are: "client's brother", "other lawyer".
    #[serde(default)]
    pub role: String,
    /// How to reach them (never in NGO or public exports).
    #[serde(default)]
    pub contact: String,
}

impl Validate for Witness {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "name", &self.name)?;
        validate::short(p, "role", &self.role)?;
        validate::short(p, "contact", &self.contact)
    }
}

/// A remedy the lawyer pursued (complaint, motion, appeal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Remedy {
    /// To whom: prosecutor, court, bar association, ombudsperson…
    pub complaint_to: String,
    /// When filed.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub filed_on: Option<NaiveDate>,
    /// Registration or reference number.
    #[serde(default)]
    pub reference: String,
    /// The response, if any.
    #[serde(default)]
    pub response: String,
    /// When the response came.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub response_on: Option<NaiveDate>,
}

impl Validate for Remedy {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "complaint_to", &self.complaint_to)?;
        validate::short(p, "reference", &self.reference)?;
        validate::long(p, "response", &self.response)?;
        validate::day_opt(p, "filed_on", self.filed_on.as_ref())?;
        validate::day_opt(p, "response_on", self.response_on.as_ref())?;
        validate::ordered(
            p,
            "response_on",
            self.filed_on.as_ref(),
            self.response_on.as_ref(),
            "filed_on",
        )
    }
}

/// Consent of the client to share this incident with one organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Consent {
    /// Organisation name, as in the recipient address book.
    pub recipient: String,
    /// Whether sharing is allowed.
    pub granted: bool,
    /// Health details may be shared with this organisation.
    #[serde(default)]
    pub include_health: bool,
    /// When consent was given or refused.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub recorded_on: Option<NaiveDate>,
}

impl Validate for Consent {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "recipient", &self.recipient)?;
        validate::day_opt(p, "recorded_on", self.recorded_on.as_ref())
    }
}

/// A denied-access incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Incident {
    /// The client concerned.
    pub client_id: Uuid,
    /// The case, if known.
    #[serde(default)]
    pub case_id: Option<Uuid>,
    /// What happened.
    #[serde(rename = "type")]
    pub incident_type: IncidentType,
    /// When it happened, with precision.
    pub occurred: EventTime,
    /// Where.
    pub facility: Facility,
    /// When the lawyer asked to see the client.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub requested_at: Option<DateTime<FixedOffset>>,
    /// When the refusal was given.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub refused_at: Option<DateTime<FixedOffset>>,
    /// When a meeting finally started, if it did.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub meeting_at: Option<DateTime<FixedOffset>>,
    /// Minutes the lawyer waited.
    #[serde(default)]
    pub minutes_waited: Option<u32>,
    /// Length of the meeting, in minutes.
    #[serde(default)]
    pub meeting_minutes: Option<u32>,
    /// Authority responsible (police, prosecutor, penitentiary service…).
    #[serde(default)]
    pub authority: String,
    /// Officials involved.
    #[serde(default)]
    pub officials: Vec<Official>,
    /// The reason given, verbatim.
    #[serde(default)]
    pub reason_given: String,
    /// Whether the refusal was given in writing.
    #[serde(default)]
    pub written_refusal: bool,
    /// Legal basis cited by the authorities, if any.
    #[serde(default)]
    pub legal_basis_cited: String,
    /// Conditions of the meeting (glass partition, guard present…).
    #[serde(default)]
    pub meeting_conditions: String,
    /// Client's condition, including visible injuries (health data).
    #[serde(default)]
    pub client_condition: String,
    /// Injuries were visible.
    #[serde(default)]
    pub visible_injuries: bool,
    /// Witnesses.
    #[serde(default)]
    pub witnesses: Vec<Witness>,
    /// Remedies taken.
    #[serde(default)]
    pub remedies: Vec<Remedy>,
    /// International standards engaged.
    #[serde(default)]
    pub standards: Vec<LegalStandard>,
    /// Domestic provisions engaged, as free text (e.g. "CPC art. 91.5.9").
    #[serde(default)]
    pub domestic_articles: Vec<String>,
    /// How carefully to handle it.
    #[serde(default)]
    pub confidentiality: Confidentiality,
    /// Consent to share, per organisation.
    #[serde(default)]
    pub consent: Vec<Consent>,
    /// Draft until the lawyer completes it.
    #[serde(default)]
    pub status: RecordStatus,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
    /// Notes may appear in public reports.
    #[serde(default)]
    pub notes_shareable: bool,
}

impl Incident {
    /// The four-field quick entry: a draft to complete later.
    pub fn quick(
        client_id: Uuid,
        facility_name: impl Into<String>,
        at: DateTime<FixedOffset>,
        incident_type: IncidentType,
    ) -> Self {
        Self {
            client_id,
            case_id: None,
            incident_type,
            occurred: EventTime::exact(at),
            facility: Facility {
                id: None,
                name: facility_name.into(),
                facility_type: FacilityType::default(),
                region: String::new(),
                identifying: false,
            },
            requested_at: None,
            refused_at: None,
            meeting_at: None,
            minutes_waited: None,
            meeting_minutes: None,
            authority: String::new(),
            officials: vec![],
            reason_given: String::new(),
            written_refusal: false,
            legal_basis_cited: String::new(),
            meeting_conditions: String::new(),
            client_condition: String::new(),
            visible_injuries: false,
            witnesses: vec![],
            remedies: vec![],
            standards: vec![],
            domestic_articles: vec![],
            confidentiality: Confidentiality::default(),
            consent: vec![],
            status: RecordStatus::Draft,
            notes: String::new(),
            notes_shareable: false,
        }
    }

    /// Hours from the client's arrest to this incident, when both are known
    /// at least to the hour: from a date alone the hours would be invented.
    pub fn hours_since_arrest(&self, arrested_at: Option<&EventTime>) -> Option<f64> {
        let arrest = arrested_at?;
        if crate::dates::is_calendar(arrest.precision)
            || crate::dates::is_calendar(self.occurred.precision)
        {
            return None;
        }
        let secs = (self.occurred.at - arrest.at).num_seconds();
        (secs >= 0).then(|| (secs as f64 / 3600.0 * 10.0).round() / 10.0)
    }
}

impl Validate for Incident {
    fn validate_at(&self, p: &str) -> Result {
        self.occurred.validate_at(&validate::join(p, "occurred"))?;
        for (f, v) in [
            ("requested_at", &self.requested_at),
            ("refused_at", &self.refused_at),
            ("meeting_at", &self.meeting_at),
        ] {
            validate::moment_opt(p, f, v.as_ref())?;
        }
        self.facility.validate_at(&validate::join(p, "facility"))?;
        for (f, v) in [
            ("authority", &self.authority),
            ("legal_basis_cited", &self.legal_basis_cited),
        ] {
            validate::short(p, f, v)?;
        }
        for (f, v) in [
            ("reason_given", &self.reason_given),
            ("meeting_conditions", &self.meeting_conditions),
            ("client_condition", &self.client_condition),
            ("notes", &self.notes),
        ] {
            validate::long(p, f, v)?;
        }
        validate::ordered(
            p,
            "refused_at",
            self.requested_at.as_ref(),
            self.refused_at.as_ref(),
            "requested_at",
        )?;
        validate::ordered(
            p,
            "meeting_at",
            self.requested_at.as_ref(),
            self.meeting_at.as_ref(),
            "requested_at",
        )?;
        const WEEK_MINUTES: u32 = 7 * 24 * 60;
        for (f, v) in [
            ("minutes_waited", self.minutes_waited),
            ("meeting_minutes", self.meeting_minutes),
        ] {
            if v.is_some_and(|m| m > WEEK_MINUTES) {
                return Err(ValidationError::new(
                    validate::join(p, f),
                    "is more than a week; check the number",
                ));
            }
        }
        validate::each(p, "officials", &self.officials)?;
        validate::each(p, "witnesses", &self.witnesses)?;
        validate::each(p, "remedies", &self.remedies)?;
        validate::each(p, "consent", &self.consent)?;
        validate::list_len(p, "standards", self.standards.len())?;
        validate::short_list(p, "domestic_articles", &self.domestic_articles)
    }
}
