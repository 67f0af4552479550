//! Per-kind flags for `add`/`edit`, and the columns `list` prints.
//!
//! One flag set per kind serves both commands: `add` requires what the
//! model requires, `edit` changes only the flags given. Anything the flags
//! do not cover is set with `--json`, in the export format's shape.

use super::input::{choice, date, exact, when, TextSlot};
use super::output::{moment, short_id};
use super::CliError;
use crate::model::*;
use crate::vault::Vault;
use clap::Args;
use uuid::Uuid;

/// A record kind the CLI can build from flags.
pub trait Form: Args {
    /// The record kind.
    type R: Record;
    /// A new record; `Err` names the first missing required flag.
    fn build(self, v: &Vault) -> Result<Self::R, CliError>;
    /// Changes `r` by the flags given.
    fn apply(self, v: &Vault, r: &mut Self::R) -> Result<(), CliError>;
    /// The free-text flags, any of which may be `-` (read from standard
    /// input, so case text stays out of shell history and `ps`).
    fn text_slots(&mut self) -> Vec<TextSlot<'_>>;
}

/// How a kind prints in `list`.
pub trait Columns: Record {
    /// Column names.
    const HEADER: &'static [&'static str];
    /// One row.
    fn row(s: &Stored<Self>) -> Vec<String>;
    /// Values computed from this and other records, shown by `show` under
    /// `derived` (and ignored when fed back to `add --json`).
    fn derived(_s: &Stored<Self>, _v: &Vault) -> Option<serde_json::Value> {
        None
    }
}

fn missing(flag: &str, kind: &str) -> CliError {
    CliError::usage(format!(
        "--{flag} is required to add a {kind} (or give the whole record with --json FILE)"
    ))
}

fn invalid(e: ValidationError) -> CliError {
    CliError::from(crate::Error::Invalid(e))
}

/// A client given as id, id prefix or pseudonym.
pub fn client_ref(v: &Vault, s: &str) -> Result<Uuid, CliError> {
    if let Ok(id) = v.resolve::<Client>(s) {
        return Ok(id);
    }
    let all = v.list::<Client>(&crate::store::ListFilter {
        limit: Some(u32::MAX),
        ..Default::default()
    })?;
    let hits: Vec<_> = all
        .iter()
        .filter(|c| c.data.pseudonym.eq_ignore_ascii_case(s.trim()))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one.id),
        _ => Err(crate::Error::NotFound {
            kind: Kind::Client,
            id: s.into(),
        }
        .into()),
    }
}

fn set<T>(slot: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *slot = v;
    }
}

fn set_list(slot: &mut Vec<String>, v: Vec<String>) {
    if !v.is_empty() {
        *slot = v;
    }
}

// ---------------------------------------------------------------- client

/// Flags of a client.
#[derive(Debug, Args, Default)]
pub struct ClientFields {
    /// Full legal name.
    #[arg(long)]
    pub name: Option<String>,
    /// Code used instead of the name in exports (default: C-<first 4 of id>).
    #[arg(long)]
    pub pseudonym: Option<String>,
    /// suspect, accused, defendant, convicted, released, witness, other.
    #[arg(long, value_name = "STATUS")]
    pub procedural_status: Option<String>,
    /// Arrest date-time, e.g. "2025-03-14 06:00" or 2025-03-14.
    #[arg(long, value_name = "WHEN")]
    pub arrested_at: Option<String>,
    /// Where the client is held.
    #[arg(long, value_name = "PLACE")]
    pub detention: Option<String>,
    /// A charge as article number (repeatable).
    #[arg(long = "charge", value_name = "ARTICLE")]
    pub charges: Vec<String>,
    /// A case number (repeatable).
    #[arg(long = "case-number", value_name = "NUMBER")]
    pub case_numbers: Vec<String>,
    /// A contact as LABEL=VALUE (repeatable), e.g. mother=+994501234567.
    #[arg(long = "contact", value_name = "LABEL=VALUE")]
    pub contacts: Vec<String>,
    /// A risk flag (repeatable): health, ill_treatment, incommunicado, threats, minor, foreign_national, hunger_strike, other.
    #[arg(long = "risk", value_name = "FLAG")]
    pub risks: Vec<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for ClientFields {
    type R = Client;
    fn build(self, v: &Vault) -> Result<Client, CliError> {
        let name = self.name.clone().ok_or_else(|| missing("name", "client"))?;
        let pseudonym = self.pseudonym.clone().unwrap_or_else(|| {
            format!(
                "C-{}",
                &Uuid::new_v4().simple().to_string()[..4].to_uppercase()
            )
        });
        let mut c = Client::new(name, pseudonym);
        self.apply(v, &mut c)?;
        Ok(c)
    }
    fn apply(self, v: &Vault, c: &mut Client) -> Result<(), CliError> {
        set(&mut c.full_name, self.name);
        set(&mut c.pseudonym, self.pseudonym);
        if let Some(s) = &self.procedural_status {
            c.procedural_status = choice("procedural_status", s).map_err(invalid)?;
        }
        if let Some(s) = &self.arrested_at {
            c.arrested_at = Some(when(v, "arrested_at", s)?);
        }
        set(&mut c.place_of_detention, self.detention);
        set_list(&mut c.charges, self.charges);
        set_list(&mut c.case_numbers, self.case_numbers);
        if !self.contacts.is_empty() {
            c.contacts = self
                .contacts
                .iter()
                .map(|s| {
                    let (l, val) = s.split_once('=').ok_or_else(|| {
                        invalid(ValidationError::new(
                            "contacts",
                            format!("{s:?} is not LABEL=VALUE"),
                        ))
                    })?;
                    Ok(Contact {
                        label: l.trim().into(),
                        value: val.trim().into(),
                    })
                })
                .collect::<Result<_, CliError>>()?;
        }
        if !self.risks.is_empty() {
            c.risk_flags = self
                .risks
                .iter()
                .map(|r| choice("risk_flags", r).map_err(invalid))
                .collect::<Result<_, _>>()?;
        }
        set(&mut c.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("name", &mut self.name),
            TextSlot::One("pseudonym", &mut self.pseudonym),
            TextSlot::One("detention", &mut self.detention),
            TextSlot::Many("charge", &mut self.charges),
            TextSlot::Many("case-number", &mut self.case_numbers),
            TextSlot::Many("contact", &mut self.contacts),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for Client {
    const HEADER: &'static [&'static str] = &["ID", "PSEUDONYM", "NAME", "STATUS", "DETENTION"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            s.data.pseudonym.clone(),
            s.data.full_name.clone(),
            serde_plain(&s.data.procedural_status),
            s.data.place_of_detention.clone(),
        ]
    }
}

// ---------------------------------------------------------------- case

/// Flags of a case.
#[derive(Debug, Args, Default)]
pub struct CaseFields {
    /// A client (id, id prefix or pseudonym; repeatable).
    #[arg(long = "client", value_name = "CLIENT")]
    pub clients: Vec<String>,
    /// Case number.
    #[arg(long, value_name = "NUMBER")]
    pub number: Option<String>,
    /// Court.
    #[arg(long)]
    pub court: Option<String>,
    /// Investigating authority.
    #[arg(long)]
    pub authority: Option<String>,
    /// Judge.
    #[arg(long)]
    pub judge: Option<String>,
    /// Prosecutor.
    #[arg(long)]
    pub prosecutor: Option<String>,
    /// A charge (repeatable).
    #[arg(long = "charge", value_name = "ARTICLE")]
    pub charges: Vec<String>,
    /// investigation, trial, appeal, cassation, ecthr, closed.
    #[arg(long)]
    pub status: Option<String>,
    /// Opened on (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub opened: Option<String>,
    /// Closed on (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub closed: Option<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for CaseFields {
    type R = Case;
    fn build(self, v: &Vault) -> Result<Case, CliError> {
        let first = self
            .clients
            .first()
            .ok_or_else(|| missing("client", "case"))?;
        let number = self
            .number
            .clone()
            .ok_or_else(|| missing("number", "case"))?;
        let mut c = Case::new(client_ref(v, first)?, number);
        self.apply(v, &mut c)?;
        Ok(c)
    }
    fn apply(self, v: &Vault, c: &mut Case) -> Result<(), CliError> {
        if !self.clients.is_empty() {
            c.client_ids = self
                .clients
                .iter()
                .map(|s| client_ref(v, s))
                .collect::<Result<_, _>>()?;
        }
        set(&mut c.case_number, self.number);
        set(&mut c.court, self.court);
        set(&mut c.investigating_authority, self.authority);
        set(&mut c.judge, self.judge);
        set(&mut c.prosecutor, self.prosecutor);
        set_list(&mut c.charges, self.charges);
        if let Some(s) = &self.status {
            c.status = choice("status", s).map_err(invalid)?;
        }
        if let Some(s) = &self.opened {
            c.opened_on = Some(date(v, "opened_on", s)?);
        }
        if let Some(s) = &self.closed {
            c.closed_on = Some(date(v, "closed_on", s)?);
        }
        set(&mut c.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("number", &mut self.number),
            TextSlot::One("court", &mut self.court),
            TextSlot::One("authority", &mut self.authority),
            TextSlot::One("judge", &mut self.judge),
            TextSlot::One("prosecutor", &mut self.prosecutor),
            TextSlot::Many("charge", &mut self.charges),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for Case {
    const HEADER: &'static [&'static str] = &["ID", "NUMBER", "COURT", "STATUS", "OPENED"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            s.data.case_number.clone(),
            s.data.court.clone(),
            serde_plain(&s.data.status),
            s.data.opened_on.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
}

// ---------------------------------------------------------------- hearing

/// Flags of a hearing.
#[derive(Debug, Args, Default)]
pub struct HearingFields {
    /// The case (id or id prefix).
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// When, e.g. "2025-04-02 10:00".
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// preventive_measure, detention_extension, preliminary, trial, appeal, cassation, other.
    #[arg(long)]
    pub kind: Option<String>,
    /// Court.
    #[arg(long)]
    pub court: Option<String>,
    /// Courtroom.
    #[arg(long)]
    pub courtroom: Option<String>,
    /// Judge.
    #[arg(long)]
    pub judge: Option<String>,
    /// Outcome.
    #[arg(long)]
    pub outcome: Option<String>,
    /// Next step.
    #[arg(long)]
    pub next_step: Option<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for HearingFields {
    type R = Hearing;
    fn build(self, v: &Vault) -> Result<Hearing, CliError> {
        let case = self
            .case
            .as_deref()
            .ok_or_else(|| missing("case", "hearing"))?;
        let at = self.at.as_deref().ok_or_else(|| missing("at", "hearing"))?;
        let case = v.resolve::<Case>(case)?;
        let at = exact(v, "at", at)?;
        let mut h = Hearing::new(case, at, HearingKind::default());
        self.apply(v, &mut h)?;
        Ok(h)
    }
    fn apply(self, v: &Vault, h: &mut Hearing) -> Result<(), CliError> {
        if let Some(c) = &self.case {
            h.case_id = v.resolve::<Case>(c)?;
        }
        if let Some(s) = &self.at {
            h.at = exact(v, "at", s)?;
        }
        if let Some(s) = &self.kind {
            h.kind = choice("kind", s).map_err(invalid)?;
        }
        set(&mut h.court, self.court);
        set(&mut h.courtroom, self.courtroom);
        set(&mut h.judge, self.judge);
        set(&mut h.outcome, self.outcome);
        set(&mut h.next_step, self.next_step);
        set(&mut h.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("court", &mut self.court),
            TextSlot::One("courtroom", &mut self.courtroom),
            TextSlot::One("judge", &mut self.judge),
            TextSlot::One("outcome", &mut self.outcome),
            TextSlot::One("next-step", &mut self.next_step),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for Hearing {
    const HEADER: &'static [&'static str] = &["ID", "WHEN", "KIND", "COURT", "OUTCOME"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            moment(&s.data.at),
            serde_plain(&s.data.kind),
            s.data.court.clone(),
            s.data.outcome.clone(),
        ]
    }
}

// ---------------------------------------------------------------- deadline

/// Flags of a deadline.
#[derive(Debug, Args, Default)]
pub struct DeadlineFields {
    /// The case (id or id prefix).
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// When it falls due.
    #[arg(long, value_name = "WHEN")]
    pub due: Option<String>,
    /// appeal, cassation, complaint, ecthr_application, submission, other.
    #[arg(long)]
    pub kind: Option<String>,
    /// The rule that sets it, as text.
    #[arg(long, value_name = "TEXT")]
    pub rule: Option<String>,
    /// Mark it met (or not: --done=false).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub done: Option<bool>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for DeadlineFields {
    type R = Deadline;
    fn build(self, v: &Vault) -> Result<Deadline, CliError> {
        let case = self
            .case
            .as_deref()
            .ok_or_else(|| missing("case", "deadline"))?;
        let due = self
            .due
            .as_deref()
            .ok_or_else(|| missing("due", "deadline"))?;
        let case_id = v.resolve::<Case>(case)?;
        let due = exact(v, "due", due)?;
        let mut d = Deadline {
            case_id,
            due,
            kind: DeadlineKind::default(),
            source_rule: String::new(),
            done: false,
            notes: String::new(),
        };
        self.apply(v, &mut d)?;
        Ok(d)
    }
    fn apply(self, v: &Vault, d: &mut Deadline) -> Result<(), CliError> {
        if let Some(c) = &self.case {
            d.case_id = v.resolve::<Case>(c)?;
        }
        if let Some(s) = &self.due {
            d.due = exact(v, "due", s)?;
        }
        if let Some(s) = &self.kind {
            d.kind = choice("kind", s).map_err(invalid)?;
        }
        set(&mut d.source_rule, self.rule);
        set(&mut d.done, self.done);
        set(&mut d.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("rule", &mut self.rule),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for Deadline {
    const HEADER: &'static [&'static str] = &["ID", "DUE", "KIND", "RULE", "DONE"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            moment(&s.data.due),
            serde_plain(&s.data.kind),
            s.data.source_rule.clone(),
            if s.data.done { "yes" } else { "" }.into(),
        ]
    }
}

// ---------------------------------------------------------------- incident

/// Flags of a denied-access incident. Quick entry needs only --client,
/// --facility and --type (--at defaults to now).
#[derive(Debug, Args, Default)]
pub struct IncidentFields {
    /// The client (id, id prefix or pseudonym).
    #[arg(long, value_name = "CLIENT")]
    pub client: Option<String>,
    /// The facility: a register entry's id (or prefix), or a name, found
    /// among the register's spellings or added to it (`vekil facility`).
    #[arg(long, value_name = "NAME|ID")]
    pub facility: Option<String>,
    /// When it happened (default: now). Partial dates set the precision.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// What happened: access_denied, access_delayed, meeting_without_confidentiality, meeting_time_limited, permit_refused, whereabouts_withheld, state_lawyer_substituted, questioning_without_counsel, lawyer_searched, lawyer_threatened, lawyer_summoned_as_witness, action_against_lawyer, other.
    #[arg(long = "type", value_name = "TYPE")]
    pub incident_type: Option<String>,
    /// The case (id or id prefix).
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// The facility's type, when it is new to the register or has none there: police_station, temporary_detention, pretrial_detention, prison_colony, court, security_service, hospital, other.
    #[arg(long, value_name = "TYPE")]
    pub facility_type: Option<String>,
    /// The facility's region or city: a place of the same name elsewhere is another register entry.
    #[arg(long)]
    pub region: Option<String>,
    /// Authority responsible.
    #[arg(long)]
    pub authority: Option<String>,
    /// An official's name (repeatable).
    #[arg(long = "official", value_name = "NAME")]
    pub officials: Vec<String>,
    /// The reason given, verbatim.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The refusal was given in writing.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub written_refusal: Option<bool>,
    /// Legal basis cited by the authorities.
    #[arg(long, value_name = "TEXT")]
    pub legal_basis: Option<String>,
    /// When the lawyer asked to see the client.
    #[arg(long, value_name = "WHEN")]
    pub requested_at: Option<String>,
    /// When the refusal was given.
    #[arg(long, value_name = "WHEN")]
    pub refused_at: Option<String>,
    /// Minutes waited.
    #[arg(long, value_name = "N")]
    pub minutes_waited: Option<u32>,
    /// Meeting length in minutes.
    #[arg(long, value_name = "N")]
    pub meeting_minutes: Option<u32>,
    /// A legal standard engaged (repeatable): un_bprl_8, un_bprl_16, un_bprl_17, un_bprl_18, un_bprl_21, iccpr_9, iccpr_14_3_b, iccpr_14_3_d, echr_5, echr_6_3_b, echr_6_3_c, echr_8, echr_34, cpt.
    #[arg(long = "standard", value_name = "TAG")]
    pub standards: Vec<String>,
    /// An organisation the client consents to share this with (repeatable).
    #[arg(long = "consent", value_name = "ORGANISATION")]
    pub consents: Vec<String>,
    /// draft or final.
    #[arg(long)]
    pub status: Option<String>,
    /// Notes.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for IncidentFields {
    type R = Incident;
    fn build(self, v: &Vault) -> Result<Incident, CliError> {
        // Every missing flag is a usage error, reported before any lookup.
        let client = self
            .client
            .as_deref()
            .ok_or_else(|| missing("client", "incident"))?;
        let facility = self
            .facility
            .clone()
            .ok_or_else(|| missing("facility", "incident"))?;
        let t = self
            .incident_type
            .as_deref()
            .ok_or_else(|| missing("type", "incident"))?;
        let t: IncidentType = t.parse().map_err(invalid)?;
        let client = client_ref(v, client)?;
        let at = when(v, "occurred", self.at.as_deref().unwrap_or("now"))?;
        let mut i = Incident::quick(client, facility, at.at, t);
        i.occurred = at;
        self.apply(v, &mut i)?;
        Ok(i)
    }
    fn apply(self, v: &Vault, i: &mut Incident) -> Result<(), CliError> {
        if let Some(c) = &self.client {
            i.client_id = client_ref(v, c)?;
        }
        // The facility is a register entry: an id names one; a name, type
        // or region is resolved by the store (found, or added).
        if let Some(f) = &self.facility {
            i.facility.id = facility_id(v, f);
            i.facility.name = f.trim().to_owned();
        }
        if self.facility_type.is_some() || self.region.is_some() {
            i.facility.id = None;
        }
        if let Some(s) = &self.at {
            i.occurred = when(v, "occurred", s)?;
        }
        if let Some(s) = &self.incident_type {
            i.incident_type = s.parse().map_err(invalid)?;
        }
        if let Some(c) = &self.case {
            i.case_id = Some(v.resolve::<Case>(c)?);
        }
        if let Some(s) = &self.facility_type {
            i.facility.facility_type = choice("facility.type", s).map_err(invalid)?;
        }
        set(&mut i.facility.region, self.region);
        set(&mut i.authority, self.authority);
        if !self.officials.is_empty() {
            i.officials = self
                .officials
                .into_iter()
                .map(|name| Official {
                    name,
                    ..Default::default()
                })
                .collect();
        }
        set(&mut i.reason_given, self.reason);
        set(&mut i.written_refusal, self.written_refusal);
        set(&mut i.legal_basis_cited, self.legal_basis);
        if let Some(s) = &self.requested_at {
            i.requested_at = Some(exact(v, "requested_at", s)?);
        }
        if let Some(s) = &self.refused_at {
            i.refused_at = Some(exact(v, "refused_at", s)?);
        }
        if self.minutes_waited.is_some() {
            i.minutes_waited = self.minutes_waited;
        }
        if self.meeting_minutes.is_some() {
            i.meeting_minutes = self.meeting_minutes;
        }
        if !self.standards.is_empty() {
            i.standards = self
                .standards
                .iter()
                .map(|s| choice("standards", s).map_err(invalid))
                .collect::<Result<_, _>>()?;
        }
        if !self.consents.is_empty() {
            let today = v.time_zone()?.today(chrono::Utc::now());
            i.consent = self
                .consents
                .into_iter()
                .map(|recipient| Consent {
                    recipient,
                    granted: true,
                    include_health: false,
                    recorded_on: Some(today),
                })
                .collect();
        }
        if let Some(s) = &self.status {
            i.status = choice("status", s).map_err(invalid)?;
        }
        set(&mut i.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("facility", &mut self.facility),
            TextSlot::One("region", &mut self.region),
            TextSlot::One("authority", &mut self.authority),
            TextSlot::Many("official", &mut self.officials),
            TextSlot::One("reason", &mut self.reason),
            TextSlot::One("legal-basis", &mut self.legal_basis),
            TextSlot::Many("consent", &mut self.consents),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for Incident {
    const HEADER: &'static [&'static str] =
        &["ID", "WHEN", "TYPE", "FACILITY", "STATUS", "REASON GIVEN"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            crate::dates::show(&s.data.occurred),
            s.data.incident_type.as_str().into(),
            s.data.facility.name.clone(),
            s.data.status.as_str().into(),
            s.data.reason_given.clone(),
        ]
    }
    fn derived(s: &Stored<Self>, v: &Vault) -> Option<serde_json::Value> {
        let client = v.get::<Client>(s.data.client_id).ok()?;
        let hours = s
            .data
            .hours_since_arrest(client.data.arrested_at.as_ref())?;
        Some(serde_json::json!({ "hours_since_arrest": hours }))
    }
}

/// The register entry `text` names by id or id prefix, if any (a name is
/// left to the store, which finds the entry among every spelling).
fn facility_id(v: &Vault, text: &str) -> Option<Uuid> {
    let id = v.resolve::<FacilityEntry>(text).ok()?;
    v.get::<FacilityEntry>(id).ok().map(|e| e.id)
}

// ---------------------------------------------------------------- facility

/// Flags of a facility register entry.
#[derive(Debug, Args, Default)]
pub struct FacilityFields {
    /// The name you use for the place.
    #[arg(long)]
    pub name: Option<String>,
    /// police_station, temporary_detention, pretrial_detention, prison_colony, court, security_service, hospital, other.
    #[arg(long = "type", value_name = "TYPE")]
    pub facility_type: Option<String>,
    /// Region or city.
    #[arg(long)]
    pub region: Option<String>,
    /// Naming the place would identify the client: public exports show the region instead (--identifying=false to undo).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub identifying: Option<bool>,
    /// Another spelling documents use, e.g. in Cyrillic or English (repeatable; added to those kept).
    #[arg(long = "spelling", value_name = "NAME")]
    pub spellings: Vec<String>,
    /// A spelling to remove (repeatable).
    #[arg(long = "drop-spelling", value_name = "NAME")]
    pub drop_spellings: Vec<String>,
    /// Notes: address, visiting hours.
    #[arg(long)]
    pub notes: Option<String>,
}

impl Form for FacilityFields {
    type R = FacilityEntry;
    fn build(self, v: &Vault) -> Result<FacilityEntry, CliError> {
        let name = self
            .name
            .clone()
            .ok_or_else(|| missing("name", "facility"))?;
        let mut f = FacilityEntry::new(name);
        self.apply(v, &mut f)?;
        Ok(f)
    }
    fn apply(self, _v: &Vault, f: &mut FacilityEntry) -> Result<(), CliError> {
        set(&mut f.name, self.name);
        if let Some(s) = &self.facility_type {
            f.facility_type = choice("type", s).map_err(invalid)?;
        }
        set(&mut f.region, self.region);
        set(&mut f.identifying, self.identifying);
        let key = crate::store::name_key;
        for d in &self.drop_spellings {
            let before = f.spellings.len();
            f.spellings.retain(|s| key(s) != key(d));
            if f.spellings.len() == before {
                return Err(invalid(ValidationError::new(
                    "spellings",
                    format!("{d:?} is not one of this facility's spellings"),
                )));
            }
        }
        for s in self.spellings {
            if !f.spellings.iter().any(|k| key(k) == key(&s)) {
                f.spellings.push(s);
            }
        }
        set(&mut f.notes, self.notes);
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("name", &mut self.name),
            TextSlot::One("region", &mut self.region),
            TextSlot::Many("spelling", &mut self.spellings),
            TextSlot::Many("drop-spelling", &mut self.drop_spellings),
            TextSlot::One("notes", &mut self.notes),
        ]
    }
}

impl Columns for FacilityEntry {
    const HEADER: &'static [&'static str] = &["ID", "NAME", "TYPE", "REGION", "OTHER SPELLINGS"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            s.data.name.clone(),
            serde_plain(&s.data.facility_type),
            s.data.region.clone(),
            s.data.spellings.join("; "),
        ]
    }
    fn derived(s: &Stored<Self>, v: &Vault) -> Option<serde_json::Value> {
        let n = v.count_at_facility(s.id).ok()?;
        Some(serde_json::json!({ "incidents": n }))
    }
}

// ---------------------------------------------------------------- evidence

/// Flags of an evidence note.
#[derive(Debug, Args, Default)]
pub struct EvidenceFields {
    /// An incident it documents (id or id prefix; repeatable, in the order
    /// given). On `edit` the incidents given replace those linked.
    #[arg(long = "incident", value_name = "INCIDENT")]
    pub incidents: Vec<String>,
    /// On `edit`: unlink every incident (the note keeps its case or client).
    #[arg(long, conflicts_with = "incidents")]
    pub no_incident: bool,
    /// The case (id or id prefix).
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// The client (id, id prefix or pseudonym).
    #[arg(long, value_name = "CLIENT")]
    pub client: Option<String>,
    /// document, photo, audio, video, medical_report, witness_statement, official_reply, other.
    #[arg(long)]
    pub kind: Option<String>,
    /// What it shows.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Where it came from.
    #[arg(long)]
    pub source: Option<String>,
    /// When it was obtained.
    #[arg(long, value_name = "WHEN")]
    pub obtained_at: Option<String>,
    /// A chain-of-custody step as "WHO: ACTION", dated now (repeatable).
    #[arg(long = "custody", value_name = "WHO: ACTION")]
    pub custody: Vec<String>,
}

impl Form for EvidenceFields {
    type R = EvidenceNote;
    fn build(self, v: &Vault) -> Result<EvidenceNote, CliError> {
        let d = self
            .description
            .clone()
            .ok_or_else(|| missing("description", "evidence note"))?;
        let mut e = EvidenceNote::new(d);
        self.apply(v, &mut e)?;
        Ok(e)
    }
    fn apply(self, v: &Vault, e: &mut EvidenceNote) -> Result<(), CliError> {
        if self.no_incident {
            e.incident_ids.clear();
        }
        if !self.incidents.is_empty() {
            e.incident_ids = self
                .incidents
                .iter()
                .map(|s| v.resolve::<Incident>(s))
                .collect::<Result<_, _>>()?;
        }
        if let Some(s) = &self.case {
            e.case_id = Some(v.resolve::<Case>(s)?);
        }
        if let Some(s) = &self.client {
            e.client_id = Some(client_ref(v, s)?);
        }
        if let Some(s) = &self.kind {
            e.kind = choice("kind", s).map_err(invalid)?;
        }
        set(&mut e.description, self.description);
        set(&mut e.source, self.source);
        if let Some(s) = &self.obtained_at {
            e.obtained_at = Some(when(v, "obtained_at", s)?);
        }
        let now = v.time_zone()?.moment(chrono::Utc::now());
        for c in &self.custody {
            let (who, action) = c.split_once(':').ok_or_else(|| {
                invalid(ValidationError::new(
                    "custody",
                    format!("{c:?} is not \"WHO: ACTION\""),
                ))
            })?;
            e.custody.push(CustodyEntry {
                who: who.trim().into(),
                at: now,
                action: action.trim().into(),
            });
        }
        Ok(())
    }
    fn text_slots(&mut self) -> Vec<TextSlot<'_>> {
        vec![
            TextSlot::One("description", &mut self.description),
            TextSlot::One("source", &mut self.source),
            TextSlot::Many("custody", &mut self.custody),
        ]
    }
}

impl Columns for EvidenceNote {
    const HEADER: &'static [&'static str] = &["ID", "KIND", "DESCRIPTION", "FILES"];
    fn row(s: &Stored<Self>) -> Vec<String> {
        vec![
            short_id(&s.id),
            serde_plain(&s.data.kind),
            s.data.description.clone(),
            s.data.attachments.len().to_string(),
        ]
    }
}
