//! Redacting one record for an export.
//!
//! Each record that leaves is redacted field by field through the
//! allow-list in [`super::fields`]: every record struct is destructured
//! here without `..`, so a new field does not compile until it is
//! classified there. While redacting, every value that leaves is handed to
//! the re-identification check ([`super::reid`]), so no text can leave
//! unchecked. Which records leave is decided in [`super::select`], which
//! calls these functions one record at a time. The rules are documented
//! in `docs/formats/profiles.md` (generated from the table) and
//! `docs/formats/incident-log.md` ("Profiles and consent").

use super::fields::{Field, Rule};
use super::reid::{Hit, Names};
use super::{ExportError, Profile, Result};
use crate::model::{
    AttachmentRef, Case, CaseStatus, Client, Confidentiality, Consent, Contact, CustodyEntry,
    DatePrecision, Deadline, DeadlineKind, EventTime, EvidenceKind, EvidenceNote, Facility,
    FacilityType, Hearing, HearingKind, Incident, IncidentType, Kind, LegalStandard, Official,
    ProceduralStatus, Record, RecordStatus, Remedy, RiskFlag, Stored, Witness, WitnessKind,
};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;
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

/// Removes `path` (`a.b`, `list[].field`) from a JSON record. A list whose
/// items are left with no field at all is removed whole, so that nothing
/// (not even how many witnesses there were) is told by empty objects.
fn remove_path(v: &mut Value, path: &str) {
    match path.split_once('.') {
        None => {
            let key = path.strip_suffix("[]").unwrap_or(path);
            if let Value::Object(m) = v {
                m.remove(key);
            }
        }
        Some((head, rest)) => {
            if let Some(array_field) = head.strip_suffix("[]") {
                let mut emptied = false;
                if let Some(Value::Array(items)) = v.get_mut(array_field) {
                    for item in items.iter_mut() {
                        remove_path(item, rest);
                    }
                    emptied = items
                        .iter()
                        .all(|i| i.as_object().is_some_and(|m| m.is_empty()));
                }
                if emptied {
                    if let Value::Object(m) = v {
                        m.remove(array_field);
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
    /// The incident is still a draft; drafts leave only when the export
    /// says so (`--include-drafts`).
    Draft,
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

/// Values the re-identification check reads: text is scanned, everything
/// else has no text to scan.
trait Scan {
    fn scan(&self, each: &mut dyn FnMut(&str));
}

impl Scan for String {
    fn scan(&self, each: &mut dyn FnMut(&str)) {
        each(self)
    }
}

impl<T: Scan> Scan for Vec<T> {
    fn scan(&self, each: &mut dyn FnMut(&str)) {
        for v in self {
            v.scan(each)
        }
    }
}

impl<T: Scan> Scan for Option<T> {
    fn scan(&self, each: &mut dyn FnMut(&str)) {
        if let Some(v) = self {
            v.scan(each)
        }
    }
}

macro_rules! no_text {
    ($($t:ty),*) => { $(impl Scan for $t { fn scan(&self, _: &mut dyn FnMut(&str)) {} })* };
}
no_text!(
    bool,
    u32,
    u64,
    Uuid,
    DateTime<Utc>,
    DateTime<FixedOffset>,
    NaiveDate,
    DatePrecision,
    EventTime,
    IncidentType,
    FacilityType,
    WitnessKind,
    LegalStandard,
    Confidentiality,
    RecordStatus,
    ProceduralStatus,
    RiskFlag,
    CaseStatus,
    EvidenceKind,
    HearingKind,
    DeadlineKind
);

/// What the export is, for every record's redaction.
pub(super) struct Cx<'a> {
    pub(super) profile: Profile,
    pub(super) backup: bool,
    /// The names to look for; empty when the record was already scanned.
    pub(super) names: &'a Names,
}

/// Redacts one record: applies the table to each field it is handed and
/// scans each value that leaves.
struct Redactor<'a> {
    cx: &'a Cx<'a>,
    kind: Kind,
    id: Uuid,
    revision: u32,
    /// The client consented to health details for every recipient.
    health_ok: bool,
    /// The incident's notes are marked shareable.
    shareable: bool,
    removed: Vec<&'static str>,
    replaced: Vec<&'static str>,
    hits: &'a mut Vec<Hit>,
}

impl<'a> Redactor<'a> {
    fn new<T: Record>(cx: &'a Cx<'a>, s: &Stored<T>, hits: &'a mut Vec<Hit>) -> Self {
        Self {
            cx,
            kind: T::KIND,
            id: s.id,
            revision: s.revision,
            health_ok: cx.backup,
            shareable: false,
            removed: vec![],
            replaced: vec![],
            hits,
        }
    }

    fn rule(&self, f: Field) -> Rule {
        f.row().rule(self.cx.profile, self.cx.backup)
    }

    fn leaves(&self, f: Field) -> bool {
        match self.rule(f) {
            Rule::Leaves | Rule::Link => true,
            Rule::HealthConsent => self.health_ok,
            Rule::Shareable => self.shareable,
            Rule::Removed | Rule::NoRecord | Rule::Replaced(_) => false,
        }
    }

    fn scan(&mut self, f: Field, v: &impl Scan) {
        let (names, kind, id, revision) = (self.cx.names, self.kind, self.id, self.revision);
        let path = f.row().path;
        let hits = &mut *self.hits;
        v.scan(&mut |text| names.scan(kind, id, revision, path, text, hits));
    }

    /// The value if the field leaves, else its default (and the field is
    /// noted as removed). A field whose rule is a replacement is removed
    /// here: only [`Self::replace`] may rewrite it.
    fn keep<T: Default + Scan>(&mut self, f: Field, v: T) -> T {
        if self.leaves(f) {
            self.scan(f, &v);
            v
        } else {
            let path = f.row().path;
            if !self.removed.contains(&path) {
                self.removed.push(path);
            }
            T::default()
        }
    }

    /// For a field whose rule is a replacement: `with` gives the new value
    /// (`None`: the value leaves as it is). Other rules apply as in `keep`.
    fn replace<T: Default + Scan>(
        &mut self,
        f: Field,
        v: T,
        with: impl FnOnce(T) -> (T, bool),
    ) -> T {
        if !matches!(self.rule(f), Rule::Replaced(_)) {
            return self.keep(f, v);
        }
        let (new, changed) = with(v);
        if changed {
            let path = f.row().path;
            if !self.replaced.contains(&path) {
                self.replaced.push(path);
            }
        }
        self.scan(f, &new);
        new
    }

    fn finish<T: Record>(self, record: Stored<T>) -> Out<T> {
        Out {
            record,
            removed: self.removed,
            replaced: self.replaced,
        }
    }
}

/// The record's own fields (id, revision, times) and its data, redacted by `f`.
fn redact<T: Record>(
    s: Stored<T>,
    cx: &Cx<'_>,
    hits: &mut Vec<Hit>,
    setup: impl FnOnce(&mut Redactor<'_>),
    f: impl FnOnce(&mut Redactor<'_>, T) -> T,
) -> Out<T> {
    let mut r = Redactor::new(cx, &s, hits);
    setup(&mut r);
    let Stored {
        id,
        revision,
        created_at,
        updated_at,
        data,
    } = s;
    let record = Stored {
        id: r.keep(Field::RecordId, id),
        revision: r.keep(Field::RecordRevision, revision),
        created_at: r.keep(Field::RecordCreatedAt, created_at),
        updated_at: r.keep(Field::RecordUpdatedAt, updated_at),
        data: f(&mut r, data),
    };
    r.finish(record)
}

pub(super) fn redact_client(s: Stored<Client>, cx: &Cx<'_>, hits: &mut Vec<Hit>) -> Out<Client> {
    redact(
        s,
        cx,
        hits,
        |_| {},
        |r, d| {
            let Client {
                full_name,
                pseudonym,
                procedural_status,
                arrested_at,
                place_of_detention,
                charges,
                case_numbers,
                contacts,
                risk_flags,
                notes,
            } = d;
            Client {
                full_name: r.keep(Field::ClientFullName, full_name),
                pseudonym: r.keep(Field::ClientPseudonym, pseudonym),
                procedural_status: r.keep(Field::ClientProceduralStatus, procedural_status),
                arrested_at: r.keep(Field::ClientArrestedAt, arrested_at),
                place_of_detention: r.keep(Field::ClientPlaceOfDetention, place_of_detention),
                charges: r.keep(Field::ClientCharges, charges),
                case_numbers: r.keep(Field::ClientCaseNumbers, case_numbers),
                contacts: contacts
                    .into_iter()
                    .map(|Contact { label, value }| Contact {
                        label: r.keep(Field::ClientContactLabel, label),
                        value: r.keep(Field::ClientContactValue, value),
                    })
                    .collect(),
                risk_flags: r.replace(Field::ClientRiskFlags, risk_flags, |mut flags| {
                    let before = flags.len();
                    flags.retain(|f| *f != RiskFlag::Health);
                    let changed = flags.len() != before;
                    (flags, changed)
                }),
                notes: r.keep(Field::ClientNotes, notes),
            }
        },
    )
}

pub(super) fn redact_case(
    s: Stored<Case>,
    cx: &Cx<'_>,
    hits: &mut Vec<Hit>,
    exported_clients: &HashSet<Uuid>,
) -> Out<Case> {
    redact(
        s,
        cx,
        hits,
        |_| {},
        |r, d| {
            let Case {
                client_ids,
                case_number,
                court,
                investigating_authority,
                judge,
                prosecutor,
                charges,
                status,
                opened_on,
                closed_on,
                notes,
            } = d;
            Case {
                client_ids: r.replace(Field::CaseClientIds, client_ids, |mut ids| {
                    let before = ids.len();
                    ids.retain(|id| exported_clients.contains(id));
                    let changed = ids.len() != before;
                    (ids, changed)
                }),
                case_number: r.keep(Field::CaseNumber, case_number),
                court: r.keep(Field::CaseCourt, court),
                investigating_authority: r
                    .keep(Field::CaseInvestigatingAuthority, investigating_authority),
                judge: r.keep(Field::CaseJudge, judge),
                prosecutor: r.keep(Field::CaseProsecutor, prosecutor),
                charges: r.keep(Field::CaseCharges, charges),
                status: r.keep(Field::CaseStatus, status),
                opened_on: r.keep(Field::CaseOpenedOn, opened_on),
                closed_on: r.keep(Field::CaseClosedOn, closed_on),
                notes: r.keep(Field::CaseNotes, notes),
            }
        },
    )
}

pub(super) fn redact_incident(
    s: Stored<Incident>,
    cx: &Cx<'_>,
    hits: &mut Vec<Hit>,
    health_ok: bool,
) -> Out<Incident> {
    let shareable = s.data.notes_shareable;
    redact(
        s,
        cx,
        hits,
        |r| {
            r.health_ok = health_ok;
            r.shareable = shareable;
        },
        |r, d| {
            let Incident {
                client_id,
                case_id,
                incident_type,
                occurred,
                facility,
                requested_at,
                refused_at,
                meeting_at,
                minutes_waited,
                meeting_minutes,
                authority,
                officials,
                reason_given,
                written_refusal,
                legal_basis_cited,
                meeting_conditions,
                client_condition,
                visible_injuries,
                witnesses,
                remedies,
                standards,
                domestic_articles,
                confidentiality,
                consent,
                status,
                notes,
                notes_shareable,
            } = d;
            let EventTime { at, precision } = occurred;
            let Facility {
                id: facility_id,
                name,
                facility_type,
                region,
                identifying,
            } = facility;
            let region = r.keep(Field::IncidentFacilityRegion, region);
            let name = r.replace(Field::IncidentFacilityName, name, |name| {
                if !identifying {
                    return (name, false);
                }
                let shown = if region.trim().is_empty() {
                    "(facility withheld)".to_owned()
                } else {
                    region.clone()
                };
                (shown, true)
            });
            Incident {
                client_id: r.keep(Field::IncidentClientId, client_id),
                case_id: r.keep(Field::IncidentCaseId, case_id),
                incident_type: r.keep(Field::IncidentType, incident_type),
                occurred: EventTime {
                    at: r.keep(Field::IncidentOccurredAt, at),
                    precision: r.keep(Field::IncidentOccurredPrecision, precision),
                },
                facility: Facility {
                    id: r.keep(Field::IncidentFacilityId, facility_id),
                    name,
                    facility_type: r.keep(Field::IncidentFacilityType, facility_type),
                    region,
                    identifying: r.keep(Field::IncidentFacilityIdentifying, identifying),
                },
                requested_at: r.keep(Field::IncidentRequestedAt, requested_at),
                refused_at: r.keep(Field::IncidentRefusedAt, refused_at),
                meeting_at: r.keep(Field::IncidentMeetingAt, meeting_at),
                minutes_waited: r.keep(Field::IncidentMinutesWaited, minutes_waited),
                meeting_minutes: r.keep(Field::IncidentMeetingMinutes, meeting_minutes),
                authority: r.keep(Field::IncidentAuthority, authority),
                officials: officials
                    .into_iter()
                    .map(
                        |Official {
                             name,
                             rank,
                             unit,
                             badge,
                         }| Official {
                            name: r.keep(Field::IncidentOfficialName, name),
                            rank: r.keep(Field::IncidentOfficialRank, rank),
                            unit: r.keep(Field::IncidentOfficialUnit, unit),
                            badge: r.keep(Field::IncidentOfficialBadge, badge),
                        },
                    )
                    .collect(),
                reason_given: r.keep(Field::IncidentReasonGiven, reason_given),
                written_refusal: r.keep(Field::IncidentWrittenRefusal, written_refusal),
                legal_basis_cited: r.keep(Field::IncidentLegalBasisCited, legal_basis_cited),
                meeting_conditions: r.keep(Field::IncidentMeetingConditions, meeting_conditions),
                client_condition: r.keep(Field::IncidentClientCondition, client_condition),
                visible_injuries: r.keep(Field::IncidentVisibleInjuries, visible_injuries),
                witnesses: witnesses
                    .into_iter()
                    .enumerate()
                    .map(
                        |(
                            n,
                            Witness {
                                name,
                                kind,
                                role,
                                contact,
                            },
                        )| Witness {
                            name: r.replace(Field::IncidentWitnessName, name, |_| {
                                (witness_label(kind, n + 1), true)
                            }),
                            kind: r.keep(Field::IncidentWitnessKind, kind),
                            role: r.keep(Field::IncidentWitnessRole, role),
                            contact: r.keep(Field::IncidentWitnessContact, contact),
                        },
                    )
                    .collect(),
                remedies: remedies
                    .into_iter()
                    .map(
                        |Remedy {
                             complaint_to,
                             filed_on,
                             reference,
                             response,
                             response_on,
                         }| Remedy {
                            complaint_to: r.keep(Field::IncidentRemedyComplaintTo, complaint_to),
                            filed_on: r.keep(Field::IncidentRemedyFiledOn, filed_on),
                            reference: r.keep(Field::IncidentRemedyReference, reference),
                            response: r.keep(Field::IncidentRemedyResponse, response),
                            response_on: r.keep(Field::IncidentRemedyResponseOn, response_on),
                        },
                    )
                    .collect(),
                standards: r.keep(Field::IncidentStandards, standards),
                domestic_articles: r.keep(Field::IncidentDomesticArticles, domestic_articles),
                confidentiality: r.keep(Field::IncidentConfidentiality, confidentiality),
                consent: consent
                    .into_iter()
                    .map(
                        |Consent {
                             recipient,
                             granted,
                             include_health,
                             recorded_on,
                         }| Consent {
                            recipient: r.keep(Field::IncidentConsentRecipient, recipient),
                            granted: r.keep(Field::IncidentConsentGranted, granted),
                            include_health: r.keep(Field::IncidentConsentHealth, include_health),
                            recorded_on: r.keep(Field::IncidentConsentRecordedOn, recorded_on),
                        },
                    )
                    .filter(|c| !c.recipient.is_empty())
                    .collect(),
                status: r.keep(Field::IncidentStatus, status),
                notes: r.keep(Field::IncidentNotes, notes),
                notes_shareable: r.keep(Field::IncidentNotesShareable, notes_shareable),
            }
        },
    )
}

/// How an NGO export names a witness: their kind and their place in the
/// incident's list ("relative 1", "witness 2"), never a name.
pub fn witness_label(kind: WitnessKind, n: usize) -> String {
    format!("{} {n}", kind.label())
}

/// A custodian's label in a note's chain of custody: `custodian <n>`,
/// numbered by first appearance, so a hand-over from one person to another
/// still shows while neither is named (the field is required, so it is
/// replaced rather than removed). Names are compared after case and
/// accent folding, so "Əliyev" and "ƏLİYEV" are one person.
fn custodian_label(seen: &mut Vec<String>, who: &str) -> String {
    let key = crate::text::fold(who);
    let n = match seen.iter().position(|k| *k == key) {
        Some(i) => i + 1,
        None => {
            seen.push(key);
            seen.len()
        }
    };
    format!("custodian {n}")
}

/// The neutral name an attachment leaves under outside the own backup.
pub fn neutral_file_name(n: usize, media_type: &str) -> String {
    let ext = match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/ogg" => "ogg",
        "audio/wav" => "wav",
        _ => "bin",
    };
    format!("evidence-{n}.{ext}")
}

/// Attachments as they leave: the caller has already chosen which (and
/// replaced hashes and sizes of cleaned copies); this applies the table.
fn redact_attachments(
    r: &mut Redactor<'_>,
    attachments: Vec<AttachmentRef>,
    numbered: &mut usize,
) -> Vec<AttachmentRef> {
    attachments
        .into_iter()
        .map(
            |AttachmentRef {
                 sha256,
                 file_name,
                 size,
                 media_type,
             }| {
                *numbered += 1;
                let n = *numbered;
                let media_type = r.keep(Field::EvidenceAttachmentMediaType, media_type);
                AttachmentRef {
                    // Cleaned copies were substituted by `select`; here the
                    // hash and size only need noting as replaced.
                    sha256: r.replace(Field::EvidenceAttachmentSha256, sha256, |s| (s, false)),
                    file_name: r.replace(Field::EvidenceAttachmentFileName, file_name, |_| {
                        (neutral_file_name(n, &media_type), true)
                    }),
                    size: r.replace(Field::EvidenceAttachmentSize, size, |s| (s, false)),
                    media_type,
                }
            },
        )
        .collect()
}

pub(super) fn redact_evidence(
    s: Stored<EvidenceNote>,
    cx: &Cx<'_>,
    hits: &mut Vec<Hit>,
    numbered: &mut usize,
    cleaned: bool,
) -> Out<EvidenceNote> {
    redact(
        s,
        cx,
        hits,
        |_| {},
        |r, d| {
            let EvidenceNote {
                incident_ids,
                case_id,
                client_id,
                kind,
                description,
                source,
                obtained_at,
                attachments,
                custody,
            } = d;
            let attachments = redact_attachments(r, attachments, numbered);
            let mut custodians = Vec::new();
            if cleaned {
                for f in [
                    Field::EvidenceAttachmentSha256,
                    Field::EvidenceAttachmentSize,
                ] {
                    if matches!(r.rule(f), Rule::Replaced(_)) && !r.replaced.contains(&f.row().path)
                    {
                        r.replaced.push(f.row().path);
                    }
                }
            }
            EvidenceNote {
                // Which incidents leave is the export's choice, known to
                // `select`, which drops the others (`Plan::evidence_out`).
                incident_ids: r
                    .replace(Field::EvidenceIncidentIds, incident_ids, |ids| (ids, false)),
                case_id: r.keep(Field::EvidenceCaseId, case_id),
                client_id: r.keep(Field::EvidenceClientId, client_id),
                kind: r.keep(Field::EvidenceKind, kind),
                description: r.keep(Field::EvidenceDescription, description),
                source: r.keep(Field::EvidenceSource, source),
                obtained_at: r.keep(Field::EvidenceObtainedAt, obtained_at),
                attachments,
                custody: custody
                    .into_iter()
                    .map(|CustodyEntry { who, at, action }| CustodyEntry {
                        who: r.replace(Field::EvidenceCustodyWho, who, |who| {
                            (custodian_label(&mut custodians, &who), true)
                        }),
                        at: r.keep(Field::EvidenceCustodyAt, at),
                        action: r.keep(Field::EvidenceCustodyAction, action),
                    })
                    .collect(),
            }
        },
    )
}

pub(super) fn redact_hearing(s: Stored<Hearing>, cx: &Cx<'_>, hits: &mut Vec<Hit>) -> Out<Hearing> {
    redact(
        s,
        cx,
        hits,
        |_| {},
        |r, d| {
            let Hearing {
                case_id,
                at,
                kind,
                court,
                courtroom,
                judge,
                outcome,
                next_step,
                notes,
            } = d;
            Hearing {
                case_id: r.keep(Field::HearingCaseId, case_id),
                at: r.keep(Field::HearingAt, at),
                kind: r.keep(Field::HearingKind, kind),
                court: r.keep(Field::HearingCourt, court),
                courtroom: r.keep(Field::HearingCourtroom, courtroom),
                judge: r.keep(Field::HearingJudge, judge),
                outcome: r.keep(Field::HearingOutcome, outcome),
                next_step: r.keep(Field::HearingNextStep, next_step),
                notes: r.keep(Field::HearingNotes, notes),
            }
        },
    )
}

pub(super) fn redact_deadline(
    s: Stored<Deadline>,
    cx: &Cx<'_>,
    hits: &mut Vec<Hit>,
) -> Out<Deadline> {
    redact(
        s,
        cx,
        hits,
        |_| {},
        |r, d| {
            let Deadline {
                case_id,
                due,
                kind,
                source_rule,
                done,
                notes,
            } = d;
            Deadline {
                case_id: r.keep(Field::DeadlineCaseId, case_id),
                due: r.keep(Field::DeadlineDue, due),
                kind: r.keep(Field::DeadlineKind, kind),
                source_rule: r.keep(Field::DeadlineSourceRule, source_rule),
                done: r.keep(Field::DeadlineDone, done),
                notes: r.keep(Field::DeadlineNotes, notes),
            }
        },
    )
}

/// Whether field `f` leaves as it is from every record in this kind of
/// export (its rule does not depend on the record): the choice of what
/// leaves uses it to read links before redacting.
pub(super) fn always_leaves(f: Field, profile: Profile, backup: bool) -> bool {
    matches!(f.row().rule(profile, backup), Rule::Leaves | Rule::Link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lists_leave_no_trace() {
        let mut v = serde_json::json!({"witnesses": [{"contact": "x"}, {"contact": "y"}], "a": 1});
        remove_path(&mut v, "witnesses[].contact");
        assert_eq!(v, serde_json::json!({"a": 1}));
        let mut v = serde_json::json!({"witnesses": [{"name": "relative 1", "contact": "x"}]});
        remove_path(&mut v, "witnesses[].contact");
        assert_eq!(
            v,
            serde_json::json!({"witnesses": [{"name": "relative 1"}]})
        );
    }
}
