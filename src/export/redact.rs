//! Choosing and redacting what leaves the vault.
//!
//! The rules live in one place so that every format applies the same ones
//! and the preview can list them. They are documented for lawyers and
//! NGOs in `docs/formats/incident-log.md` ("Profiles and consent"); keep
//! the two in step.

use super::metadata::AttachmentStatus;
use super::{ExportError, ExportOptions, Profile, Result, PUBLIC_RECIPIENT};
use crate::model::{
    Case, Client, Confidentiality, Deadline, EvidenceKind, EvidenceNote, Hearing, Incident,
    IncidentType, Kind, Record, RiskFlag, Stored,
};
use crate::store::ListFilter;
use crate::Vault;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;
use uuid::Uuid;

/// One record that leaves, already redacted, with the fields removed.
#[derive(Debug, Clone)]
pub struct Out<T: Record> {
    /// The record with removed fields blanked and replaced fields rewritten.
    pub record: Stored<T>,
    /// Field paths removed from the record (`witnesses[].contact`).
    pub removed: Vec<&'static str>,
    /// Field paths whose value was replaced (`facility.name`).
    pub replaced: Vec<&'static str>,
}

impl<T: Record> Out<T> {
    fn keep(record: Stored<T>) -> Self {
        Self {
            record,
            removed: vec![],
            replaced: vec![],
        }
    }

    /// The record as it appears in the JSON log: removed fields are absent.
    pub fn to_value(&self) -> Result<Value> {
        let mut v = serde_json::to_value(&self.record).map_err(|e| ExportError::Serialise {
            what: format!("{} {}", T::KIND, self.record.id),
            reason: e.to_string(),
        })?;
        for path in &self.removed {
            remove_path(&mut v, path);
        }
        Ok(v)
    }
}

fn remove_path(v: &mut Value, path: &str) {
    match path.split_once('.') {
        None => {
            if let Value::Object(m) = v {
                m.remove(path);
            }
        }
        Some((head, rest)) => {
            if let Some(array_field) = head.strip_suffix("[]") {
                if let Some(Value::Array(items)) = v.get_mut(array_field) {
                    for item in items {
                        remove_path(item, rest);
                    }
                }
            } else if let Some(inner) = v.get_mut(head) {
                remove_path(inner, rest);
            }
        }
    }
}

/// Why a record, or some of its attachments, does not leave: a code with
/// its parameters, so that the window can say it in the lawyer's language
/// (the CLI renders it in English, `cli::export::held_back_text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum HeldBack {
    /// The incident is marked restricted: it leaves only in the lawyer's
    /// own full backup.
    Restricted,
    /// The incident is marked confidential: not in public reports.
    ConfidentialNotPublic,
    /// The client's consent to share with this recipient is not recorded.
    NoConsent {
        /// The recipient (as named in the export, lower-cased).
        recipient: String,
    },
    /// Evidence not linked to an incident that leaves.
    NotLinkedToIncident,
    /// Attachments that may carry metadata (EXIF, GPS, document
    /// properties) this build cannot remove or prove absent; they leave
    /// only in the full backup. The preview's `attachments` says why for
    /// each file.
    AttachmentsKeepMetadata {
        /// How many of the record's attachments are held back.
        count: u32,
    },
}

impl HeldBack {
    /// Whether this concerns attachments only (the record itself leaves).
    pub fn is_attachments(&self) -> bool {
        matches!(self, Self::AttachmentsKeepMetadata { .. })
    }
}

/// A record held back, and why.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Excluded {
    /// Kind.
    pub kind: Kind,
    /// Id.
    pub id: Uuid,
    /// Why it does not leave.
    pub reason: HeldBack,
}

/// Everything one export writes.
#[derive(Debug, Clone)]
pub struct ExportSet {
    /// Profile applied.
    pub profile: Profile,
    /// Organisations it is for.
    pub recipients: Vec<String>,
    /// When the set was chosen.
    pub generated_at: DateTime<Utc>,
    /// The exporting vault.
    pub vault_id: String,
    /// Clients.
    pub clients: Vec<Out<Client>>,
    /// Cases.
    pub cases: Vec<Out<Case>>,
    /// Incidents, oldest first.
    pub incidents: Vec<Out<Incident>>,
    /// Evidence notes.
    pub evidence: Vec<Out<EvidenceNote>>,
    /// Hearings (calendar exports).
    pub hearings: Vec<Stored<Hearing>>,
    /// Deadlines (calendar exports).
    pub deadlines: Vec<Stored<Deadline>>,
    /// What was held back.
    pub excluded: Vec<Excluded>,
    /// The period asked for, if any.
    pub from: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// …until.
    pub to: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Exported attachment hash → stored original's hash, for image
    /// copies whose metadata was stripped.
    pub stripped: HashMap<String, String>,
    /// Per attachment of an exported evidence note: stripped, as is, or
    /// held back and why (none in the lawyer's own full backup, which
    /// carries every original).
    pub attachments: Vec<AttachmentStatus>,
}

impl ExportSet {
    /// The exported client with this id.
    pub fn client(&self, id: Uuid) -> Option<&Stored<Client>> {
        self.clients.iter().map(|c| &c.record).find(|c| c.id == id)
    }

    /// The name an incident's client goes by in this export: the full
    /// name in the full profile, the pseudonym otherwise.
    pub fn client_label(&self, id: Uuid) -> String {
        match self.client(id) {
            Some(c) if self.profile == Profile::Full && self.recipients.is_empty() => {
                format!("{} ({})", c.data.full_name, c.data.pseudonym)
            }
            Some(c) => c.data.pseudonym.clone(),
            None => String::new(),
        }
    }
}

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
}

impl ExportSet {
    /// Exactly which records and fields leave.
    pub fn preview(&self) -> Result<Preview> {
        let mut records = vec![];
        fn push<T: Titled>(out: &mut Vec<PreviewRecord>, items: &[Out<T>]) -> Result<()> {
            for o in items {
                let v = o.to_value()?;
                let fields = v
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                out.push(PreviewRecord {
                    kind: T::KIND,
                    id: o.record.id,
                    revision: o.record.revision,
                    title: o.record.data.preview_title(),
                    fields,
                    removed: o.removed.iter().map(|s| s.to_string()).collect(),
                    replaced: o.replaced.iter().map(|s| s.to_string()).collect(),
                });
            }
            Ok(())
        }
        push(&mut records, &self.clients)?;
        push(&mut records, &self.cases)?;
        push(&mut records, &self.incidents)?;
        push(&mut records, &self.evidence)?;
        // The full name shows only where `client_label` would show it.
        let backup = self.profile == Profile::Full && self.recipients.is_empty();
        for r in records.iter_mut() {
            if let PreviewTitle::Client { full_name, .. } = &mut r.title {
                if !backup {
                    full_name.clear();
                }
            }
        }
        Ok(Preview {
            profile: self.profile,
            recipients: self.recipients.clone(),
            records,
            excluded: self.excluded.clone(),
            attachments: self.attachments.clone(),
        })
    }
}

fn all<T: Record>(vault: &Vault, f: ListFilter) -> Result<Vec<Stored<T>>> {
    // Page through so that no list limit silently truncates an export.
    let mut out = vec![];
    let page = 5000u32;
    loop {
        let items = vault.list::<T>(&ListFilter {
            oldest_first: true,
            limit: Some(page),
            offset: Some(out.len() as u32),
            ..f.clone()
        })?;
        let n = items.len();
        out.extend(items);
        if n < page as usize {
            return Ok(out);
        }
    }
}

fn norm(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Applies the profile, the filters and consent; returns what leaves.
pub fn select(vault: &Vault, opts: &ExportOptions) -> Result<ExportSet> {
    let profile = opts.profile;
    let backup = profile == Profile::Full && opts.recipients.is_empty();
    let mut consent_for: Vec<String> = opts.recipients.iter().map(|r| norm(r)).collect();
    if consent_for.is_empty() {
        match profile {
            Profile::Full => {}
            Profile::Ngo => return Err(ExportError::RecipientRequired(profile)),
            Profile::Public => consent_for.push(PUBLIC_RECIPIENT.into()),
        }
    }
    let vault_id: String =
        vault
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
                r.get(0)
            })?;
    let mut excluded = vec![];

    let clients: Vec<Stored<Client>> = all::<Client>(vault, ListFilter::default())?
        .into_iter()
        .filter(|c| opts.client.is_none_or(|id| id == c.id))
        .collect();
    let client_ids: HashSet<Uuid> = clients.iter().map(|c| c.id).collect();

    // Incidents.
    let raw_incidents = all::<Incident>(
        vault,
        ListFilter {
            client_id: opts.client,
            from: opts.from,
            to: opts.to,
            ..Default::default()
        },
    )?;
    let mut incidents = vec![];
    for inc in raw_incidents {
        let d = &inc.data;
        let reason = if backup {
            None
        } else if d.confidentiality == Confidentiality::Restricted {
            Some(HeldBack::Restricted)
        } else if profile == Profile::Public && d.confidentiality == Confidentiality::Confidential {
            Some(HeldBack::ConfidentialNotPublic)
        } else {
            consent_for
                .iter()
                .find(|r| {
                    !d.consent
                        .iter()
                        .any(|c| c.granted && norm(&c.recipient) == **r)
                })
                .map(|r| HeldBack::NoConsent {
                    recipient: r.clone(),
                })
        };
        if let Some(reason) = reason {
            excluded.push(Excluded {
                kind: Kind::Incident,
                id: inc.id,
                reason,
            });
            continue;
        }
        let health_ok = backup
            || consent_for.iter().all(|r| {
                d.consent
                    .iter()
                    .any(|c| c.granted && c.include_health && norm(&c.recipient) == *r)
            });
        incidents.push(redact_incident(inc, profile, health_ok));
    }

    // Clients: all in a backup, otherwise only those with an exported incident.
    let used_clients: HashSet<Uuid> = incidents.iter().map(|i| i.record.data.client_id).collect();
    let mut out_clients = vec![];
    for c in clients {
        if !backup && !used_clients.contains(&c.id) {
            continue;
        }
        out_clients.push(redact_client(c, profile));
    }
    let exported_clients: HashSet<Uuid> = out_clients.iter().map(|c| c.record.id).collect();

    // Cases.
    let used_cases: HashSet<Uuid> = incidents
        .iter()
        .filter_map(|i| i.record.data.case_id)
        .collect();
    let mut out_cases = vec![];
    if profile != Profile::Public {
        for c in all::<Case>(vault, ListFilter::default())? {
            let wanted = if backup {
                opts.client.is_none() || c.data.client_ids.iter().any(|id| client_ids.contains(id))
            } else {
                used_cases.contains(&c.id)
            };
            if !wanted {
                continue;
            }
            let mut o = Out::keep(c);
            let before = o.record.data.client_ids.len();
            o.record
                .data
                .client_ids
                .retain(|id| exported_clients.contains(id));
            if o.record.data.client_ids.len() != before {
                o.replaced.push("client_ids");
            }
            if o.record.data.client_ids.is_empty() {
                continue;
            }
            if !backup {
                o.record.data.notes.clear();
                o.removed.push("notes");
            }
            out_cases.push(o);
        }
    }
    let exported_cases: HashSet<Uuid> = out_cases.iter().map(|c| c.record.id).collect();
    for i in incidents.iter_mut() {
        if let Some(case) = i.record.data.case_id {
            if !exported_cases.contains(&case) {
                i.record.data.case_id = None;
                i.removed.push("case_id");
            }
        }
    }
    let exported_incidents: HashSet<Uuid> = incidents.iter().map(|i| i.record.id).collect();

    // Evidence.
    let mut out_evidence = vec![];
    let mut stripped = HashMap::new();
    let mut attachments = vec![];
    if profile != Profile::Public {
        for e in all::<EvidenceNote>(vault, ListFilter::default())? {
            let d = &e.data;
            let wanted = if backup {
                opts.client.is_none()
                    || d.incident_id
                        .is_some_and(|id| exported_incidents.contains(&id))
                    || d.case_id.is_some_and(|id| exported_cases.contains(&id))
                    || d.client_id.is_some_and(|id| exported_clients.contains(&id))
            } else {
                d.incident_id
                    .is_some_and(|id| exported_incidents.contains(&id))
            };
            if !wanted {
                if !backup {
                    excluded.push(Excluded {
                        kind: Kind::Evidence,
                        id: e.id,
                        reason: HeldBack::NotLinkedToIncident,
                    });
                }
                continue;
            }
            let mut o = Out::keep(e);
            let d = &mut o.record.data;
            if opts.without_attachments && !d.attachments.is_empty() {
                d.attachments.clear();
                o.removed.push("attachments");
            }
            if !backup {
                // Each file leaves stripped, as is, or stays: see metadata.
                let sorted = super::metadata::sort_attachments(
                    vault,
                    o.record.id,
                    std::mem::take(&mut d.attachments),
                    &mut stripped,
                );
                d.attachments = sorted.kept;
                attachments.extend(sorted.statuses);
                if sorted.stripped_any {
                    o.replaced.push("attachments[].sha256 (metadata stripped)");
                }
                if sorted.held > 0 {
                    o.replaced.push("attachments");
                    excluded.push(Excluded {
                        kind: Kind::Evidence,
                        id: o.record.id,
                        reason: HeldBack::AttachmentsKeepMetadata { count: sorted.held },
                    });
                }
            }
            if d.incident_id
                .is_some_and(|id| !exported_incidents.contains(&id))
            {
                d.incident_id = None;
                o.removed.push("incident_id");
            }
            if d.case_id.is_some_and(|id| !exported_cases.contains(&id)) {
                d.case_id = None;
                o.removed.push("case_id");
            }
            if d.client_id
                .is_some_and(|id| !exported_clients.contains(&id))
            {
                d.client_id = None;
                o.removed.push("client_id");
            }
            out_evidence.push(o);
        }
    }

    // Calendar items of exported cases.
    let in_range = |at: &chrono::DateTime<chrono::FixedOffset>| {
        opts.from.is_none_or(|f| *at >= f) && opts.to.is_none_or(|t| *at <= t)
    };
    let hearings = all::<Hearing>(vault, ListFilter::default())?
        .into_iter()
        .filter(|h| exported_cases.contains(&h.data.case_id) && in_range(&h.data.at))
        .collect();
    let deadlines = all::<Deadline>(vault, ListFilter::default())?
        .into_iter()
        .filter(|d| exported_cases.contains(&d.data.case_id) && in_range(&d.data.due))
        .collect();

    Ok(ExportSet {
        profile,
        recipients: opts.recipients.clone(),
        generated_at: Utc::now(),
        vault_id,
        clients: out_clients,
        cases: out_cases,
        incidents,
        evidence: out_evidence,
        hearings,
        deadlines,
        excluded,
        from: opts.from,
        to: opts.to,
        stripped,
        attachments,
    })
}

fn redact_client(c: Stored<Client>, profile: Profile) -> Out<Client> {
    let mut o = Out::keep(c);
    if profile == Profile::Full {
        return o;
    }
    let d = &mut o.record.data;
    d.full_name.clear();
    d.contacts.clear();
    d.notes.clear();
    o.removed.extend(["full_name", "contacts", "notes"]);
    let before = d.risk_flags.len();
    d.risk_flags.retain(|f| *f != RiskFlag::Health);
    if d.risk_flags.len() != before {
        o.replaced.push("risk_flags");
    }
    if profile == Profile::Public {
        d.place_of_detention.clear();
        d.case_numbers.clear();
        o.removed.extend(["place_of_detention", "case_numbers"]);
    }
    o
}

fn redact_incident(i: Stored<Incident>, profile: Profile, health_ok: bool) -> Out<Incident> {
    let mut o = Out::keep(i);
    if profile == Profile::Full && health_ok {
        return o;
    }
    let d = &mut o.record.data;
    if !health_ok {
        d.client_condition.clear();
        d.visible_injuries = false;
        o.removed.extend(["client_condition", "visible_injuries"]);
    }
    if profile == Profile::Full {
        return o;
    }
    // Who else the client consented to is nobody else's business.
    d.consent.clear();
    o.removed.push("consent");
    if profile == Profile::Ngo {
        for w in d.witnesses.iter_mut() {
            w.contact.clear();
        }
        o.removed.push("witnesses[].contact");
        return o;
    }
    // Public report.
    d.witnesses.clear();
    o.removed.push("witnesses");
    if d.facility.identifying {
        d.facility.name = if d.facility.region.trim().is_empty() {
            "(facility withheld)".into()
        } else {
            d.facility.region.clone()
        };
        o.replaced.push("facility.name");
    }
    if !d.notes_shareable {
        d.notes.clear();
        o.removed.push("notes");
    }
    o
}
