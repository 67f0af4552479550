//! The domain model: what a defense lawyer records.
//!
//! Each record kind is a plain serde type whose JSON form *is* the export
//! format (docs/formats), validated by [`Validate`] before anything is
//! stored. [`Record`] tells the store how to index, title and link a kind;
//! the store itself is generic over it, so every kind gets revisions,
//! search and tamper checks the same way.

mod case;
mod client;
mod common;
mod evidence;
mod facility;
mod hearing;
mod incident;
mod standards;
mod title;
mod validate;

pub use case::{Case, CaseStatus};
pub use client::{Client, ProceduralStatus, RiskFlag};
pub use common::{Confidentiality, Contact, DatePrecision, EventTime, RecordStatus};
pub use evidence::{AttachmentRef, CustodyEntry, EvidenceKind, EvidenceNote};
pub use facility::FacilityEntry;
pub use hearing::{Deadline, DeadlineKind, Hearing, HearingKind};
pub use incident::{
    Consent, Facility, FacilityType, Incident, IncidentType, Official, Remedy, Witness, WitnessKind,
};
pub use standards::LegalStandard;
pub use title::Title;
pub use validate::{Validate, ValidationError, LIST_MAX, LONG_MAX, SHORT_MAX};

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// The kinds of record a vault holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Kind {
    /// [`Client`]
    Client,
    /// [`Case`]
    Case,
    /// [`Hearing`]
    Hearing,
    /// [`Deadline`]
    Deadline,
    /// [`Incident`]
    Incident,
    /// [`EvidenceNote`]
    Evidence,
    /// [`FacilityEntry`]: the facility register.
    Facility,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 7] = [
        Self::Client,
        Self::Case,
        Self::Hearing,
        Self::Deadline,
        Self::Incident,
        Self::Evidence,
        Self::Facility,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Case => "case",
            Self::Hearing => "hearing",
            Self::Deadline => "deadline",
            Self::Incident => "incident",
            Self::Evidence => "evidence",
            Self::Facility => "facility",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Columns the store keeps beside a record's JSON for lists and filters.
#[derive(Debug, Default, Clone)]
pub struct IndexFields {
    /// The client it belongs to.
    pub client_id: Option<Uuid>,
    /// The case it belongs to.
    pub case_id: Option<Uuid>,
    /// The moment it sorts by.
    pub at: Option<DateTime<FixedOffset>>,
    /// Which facility (incidents): its register entry's id, or, for an
    /// incident not linked to one, `=` and its folded name
    /// (`store::facilities::name_key`), so that spellings differing only
    /// in case, marks or Unicode form are one place.
    pub facility: Option<String>,
    /// Folded names the record is found by (register entries: the name and
    /// every other spelling).
    pub names: Vec<String>,
    /// Type within the kind (incident type, hearing kind…).
    pub subtype: Option<String>,
    /// Draft/final, done/open.
    pub status: Option<String>,
}

/// A link from one record to another that must exist.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Field holding the link, for error messages.
    pub field: &'static str,
    /// Kind of the target.
    pub kind: Kind,
    /// Target id.
    pub id: Uuid,
}

/// What the store needs to know about a record kind.
pub trait Record:
    Serialize + DeserializeOwned + Validate + Clone + PartialEq + TS + Send + Sync + 'static
{
    /// The kind.
    const KIND: Kind;
    /// JSON path of the [`EventTime`] the `at` column comes from
    /// (`$.occurred`), when the kind sorts by one: periods then compare a
    /// value known only to the day, month or year by its date
    /// (`crate::dates`), not by its midnight in some offset.
    const EVENT_TIME: Option<&'static str> = None;
    /// Columns for lists and filters.
    fn index(&self) -> IndexFields;
    /// What the record is, in typed parts for lists, search results and
    /// timelines; the window words them in its language.
    fn title(&self) -> Title;
    /// Free text for full-text search.
    fn search_text(&self) -> String;
    /// Links that must point at existing records.
    fn references(&self) -> Vec<Reference>;
    /// Checks a new record (`stored` is `None`) or an edit of `stored`
    /// for changes only the core may make, such as adding an attachment.
    /// Records merged from a verified bundle skip this check.
    fn check_edit(&self, _stored: Option<&Self>) -> validate::Result {
        Ok(())
    }
    /// The facility the record names, which the store links to the
    /// register on every local save (incidents).
    fn facility_mut(&mut self) -> Option<&mut Facility> {
        None
    }
}

fn join_text(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

impl Record for Client {
    const KIND: Kind = Kind::Client;
    const EVENT_TIME: Option<&'static str> = Some("$.arrested_at");
    fn index(&self) -> IndexFields {
        IndexFields {
            at: self.arrested_at.as_ref().map(|e| e.at),
            subtype: Some(serde_plain(&self.procedural_status)),
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        Title::Client {
            full_name: self.full_name.clone(),
            pseudonym: self.pseudonym.clone(),
        }
    }
    fn search_text(&self) -> String {
        let mut parts = vec![self.place_of_detention.as_str(), self.notes.as_str()];
        parts.extend(self.charges.iter().map(String::as_str));
        parts.extend(self.case_numbers.iter().map(String::as_str));
        join_text(&parts)
    }
    fn references(&self) -> Vec<Reference> {
        vec![]
    }
}

impl Record for Case {
    const KIND: Kind = Kind::Case;
    fn index(&self) -> IndexFields {
        IndexFields {
            client_id: self.client_ids.first().copied(),
            at: self
                .opened_on
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().fixed_offset()),
            subtype: Some(serde_plain(&self.status)),
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        Title::Case {
            case_number: self.case_number.clone(),
            court: self.court.clone(),
        }
    }
    fn search_text(&self) -> String {
        let mut parts = vec![
            self.investigating_authority.as_str(),
            self.judge.as_str(),
            self.prosecutor.as_str(),
            self.notes.as_str(),
        ];
        parts.extend(self.charges.iter().map(String::as_str));
        join_text(&parts)
    }
    fn references(&self) -> Vec<Reference> {
        self.client_ids
            .iter()
            .map(|id| Reference {
                field: "client_ids",
                kind: Kind::Client,
                id: *id,
            })
            .collect()
    }
}

impl Record for Hearing {
    const KIND: Kind = Kind::Hearing;
    fn index(&self) -> IndexFields {
        IndexFields {
            case_id: Some(self.case_id),
            at: Some(self.at),
            subtype: Some(serde_plain(&self.kind)),
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        Title::Hearing {
            hearing_kind: self.kind,
            court: self.court.clone(),
        }
    }
    fn search_text(&self) -> String {
        join_text(&[
            &self.courtroom,
            &self.judge,
            &self.outcome,
            &self.next_step,
            &self.notes,
        ])
    }
    fn references(&self) -> Vec<Reference> {
        vec![Reference {
            field: "case_id",
            kind: Kind::Case,
            id: self.case_id,
        }]
    }
}

impl Record for Deadline {
    const KIND: Kind = Kind::Deadline;
    fn index(&self) -> IndexFields {
        IndexFields {
            case_id: Some(self.case_id),
            at: Some(self.due),
            subtype: Some(serde_plain(&self.kind)),
            status: Some(if self.done { "done" } else { "open" }.into()),
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        Title::Deadline {
            deadline_kind: self.kind,
        }
    }
    fn search_text(&self) -> String {
        join_text(&[&self.source_rule, &self.notes])
    }
    fn references(&self) -> Vec<Reference> {
        vec![Reference {
            field: "case_id",
            kind: Kind::Case,
            id: self.case_id,
        }]
    }
}

impl Record for Incident {
    const KIND: Kind = Kind::Incident;
    const EVENT_TIME: Option<&'static str> = Some("$.occurred");
    fn index(&self) -> IndexFields {
        IndexFields {
            client_id: Some(self.client_id),
            case_id: self.case_id,
            at: Some(self.occurred.at),
            facility: Some(crate::store::facility_index_key(&self.facility)),
            subtype: Some(self.incident_type.as_str().into()),
            status: Some(self.status.as_str().into()),
            names: vec![],
        }
    }
    fn title(&self) -> Title {
        Title::Incident {
            incident_type: self.incident_type,
            facility: self.facility.name.clone(),
        }
    }
    fn search_text(&self) -> String {
        let officials: Vec<String> = self
            .officials
            .iter()
            .map(|o| join_text(&[&o.name, &o.rank, &o.unit, &o.badge]))
            .collect();
        let witnesses: Vec<&str> = self.witnesses.iter().map(|w| w.name.as_str()).collect();
        let mut parts = vec![
            self.facility.region.as_str(),
            self.authority.as_str(),
            self.reason_given.as_str(),
            self.legal_basis_cited.as_str(),
            self.meeting_conditions.as_str(),
            self.client_condition.as_str(),
            self.notes.as_str(),
        ];
        parts.extend(officials.iter().map(String::as_str));
        parts.extend(witnesses);
        parts.extend(self.remedies.iter().map(|r| r.complaint_to.as_str()));
        join_text(&parts)
    }
    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference {
            field: "client_id",
            kind: Kind::Client,
            id: self.client_id,
        }];
        if let Some(c) = self.case_id {
            refs.push(Reference {
                field: "case_id",
                kind: Kind::Case,
                id: c,
            });
        }
        if let Some(f) = self.facility.id {
            refs.push(Reference {
                field: "facility.id",
                kind: Kind::Facility,
                id: f,
            });
        }
        refs
    }
    fn facility_mut(&mut self) -> Option<&mut Facility> {
        Some(&mut self.facility)
    }
}

impl Record for FacilityEntry {
    const KIND: Kind = Kind::Facility;
    fn index(&self) -> IndexFields {
        let mut names = vec![crate::store::name_key(&self.name)];
        for s in &self.spellings {
            let k = crate::store::name_key(s);
            if !names.contains(&k) {
                names.push(k);
            }
        }
        names.retain(|k| !k.is_empty());
        IndexFields {
            subtype: Some(serde_plain(&self.facility_type)),
            names,
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        Title::Facility {
            name: self.name.clone(),
            region: self.region.clone(),
        }
    }
    fn search_text(&self) -> String {
        let mut parts: Vec<&str> = self.spellings.iter().map(String::as_str).collect();
        parts.push(&self.notes);
        join_text(&parts)
    }
    fn references(&self) -> Vec<Reference> {
        vec![]
    }
}

impl Record for EvidenceNote {
    const KIND: Kind = Kind::Evidence;
    const EVENT_TIME: Option<&'static str> = Some("$.obtained_at");
    fn check_edit(&self, stored: Option<&Self>) -> validate::Result {
        self.check_attachment_edit(stored)
    }
    fn index(&self) -> IndexFields {
        IndexFields {
            client_id: self.client_id,
            case_id: self.case_id,
            at: self.obtained_at.as_ref().map(|e| e.at),
            subtype: Some(serde_plain(&self.kind)),
            ..Default::default()
        }
    }
    fn title(&self) -> Title {
        let first_line = self.description.lines().next().unwrap_or_default();
        Title::Evidence {
            evidence_kind: self.kind,
            description: first_line.chars().take(80).collect(),
        }
    }
    fn search_text(&self) -> String {
        let names: Vec<&str> = self
            .attachments
            .iter()
            .map(|a| a.file_name.as_str())
            .collect();
        let mut parts = vec![self.source.as_str()];
        parts.extend(names);
        join_text(&parts)
    }
    fn references(&self) -> Vec<Reference> {
        let mut refs: Vec<Reference> = self
            .incident_ids
            .iter()
            .map(|id| Reference {
                field: "incident_ids",
                kind: Kind::Incident,
                id: *id,
            })
            .collect();
        if let Some(id) = self.case_id {
            refs.push(Reference {
                field: "case_id",
                kind: Kind::Case,
                id,
            });
        }
        if let Some(id) = self.client_id {
            refs.push(Reference {
                field: "client_id",
                kind: Kind::Client,
                id,
            });
        }
        refs
    }
}

/// The serialised name of a unit enum variant (`"access_denied"`).
pub(crate) fn serde_plain<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A record as stored: its identity and history position around the data.
/// Serialises flat (`{"id": …, "revision": 3, …, "full_name": …}`), the
/// shape of one record in the JSON export. In TypeScript it is
/// `T & RecordMeta`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(bound = "")]
pub struct Stored<T: Record> {
    /// Stable id, kept across exports and imports.
    pub id: Uuid,
    /// Counts updates from 1; an import keeps the higher revision.
    pub revision: u32,
    /// When first saved.
    pub created_at: DateTime<Utc>,
    /// When last saved.
    pub updated_at: DateTime<Utc>,
    /// The record.
    #[serde(flatten)]
    pub data: T,
}

/// Written by hand because serde's `flatten` silently stops the record's
/// `deny_unknown_fields` from working: an imported record with a misspelt
/// field must be refused, not quietly lose that field.
///
/// The record's fields go straight to `T`'s own deserializer, the four
/// around it are taken out on the way ([`StoredFields`]): no map of JSON
/// values is built and read again, which was a third of reading a
/// bundle's log (docs/benchmarks.md, section 2).
impl<'de, T: Record> Deserialize<'de> for Stored<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(StoredVisitor(std::marker::PhantomData))
    }
}

struct StoredVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Record> serde::de::Visitor<'de> for StoredVisitor<T> {
    type Value = Stored<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Stored<T>, A::Error> {
        use serde::de::Error as _;
        let mut around = Around::default();
        let data = T::deserialize(serde::de::value::MapAccessDeserializer::new(StoredFields {
            map,
            around: &mut around,
        }))?;
        let missing = |k: &'static str| A::Error::custom(format!("missing field `{k}`"));
        Ok(Stored {
            id: around.id.ok_or_else(|| missing("id"))?,
            revision: around.revision.ok_or_else(|| missing("revision"))?,
            created_at: around.created_at.ok_or_else(|| missing("created_at"))?,
            updated_at: around.updated_at.ok_or_else(|| missing("updated_at"))?,
            data,
        })
    }
}

/// The fields [`Stored`] puts around a record, as read.
#[derive(Default)]
struct Around {
    id: Option<Uuid>,
    revision: Option<u32>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
}

/// Which of [`Around`]'s fields a key names.
#[derive(Clone, Copy)]
enum AroundField {
    Id,
    Revision,
    CreatedAt,
    UpdatedAt,
}

/// A record's map with [`Around`]'s fields taken out as they pass.
struct StoredFields<'a, A> {
    map: A,
    around: &'a mut Around,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for StoredFields<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut seed = Some(seed);
        loop {
            let mut around = None;
            let key = self.map.next_key_seed(KeySeed {
                seed: &mut seed,
                around: &mut around,
            })?;
            match (key, around) {
                (None, _) => return Ok(None),
                (Some(Some(k)), _) => return Ok(Some(k)),
                (Some(None), Some(AroundField::Id)) => {
                    self.around.id = Some(self.map.next_value()?)
                }
                (Some(None), Some(AroundField::Revision)) => {
                    self.around.revision = Some(self.map.next_value()?)
                }
                (Some(None), Some(AroundField::CreatedAt)) => {
                    self.around.created_at = Some(self.map.next_value()?)
                }
                (Some(None), Some(AroundField::UpdatedAt)) => {
                    self.around.updated_at = Some(self.map.next_value()?)
                }
                (Some(None), None) => {
                    return Err(serde::de::Error::custom("a field name was read twice"))
                }
            }
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Reads one key: one of [`Around`]'s (noted in `around`, `Ok(None)`), or
/// the record's, handed to its field visitor (`seed`).
struct KeySeed<'s, K> {
    seed: &'s mut Option<K>,
    around: &'s mut Option<AroundField>,
}

impl<'de, K: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = Option<K::Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, K: serde::de::DeserializeSeed<'de>> serde::de::Visitor<'de> for KeySeed<'_, K> {
    type Value = Option<K::Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        *self.around = match v {
            "id" => Some(AroundField::Id),
            "revision" => Some(AroundField::Revision),
            "created_at" => Some(AroundField::CreatedAt),
            "updated_at" => Some(AroundField::UpdatedAt),
            _ => None,
        };
        if self.around.is_some() {
            return Ok(None);
        }
        let seed = self
            .seed
            .take()
            .ok_or_else(|| E::custom("a field name was read twice"))?;
        seed.deserialize(serde::de::IntoDeserializer::<E>::into_deserializer(v))
            .map(Some)
    }
}

/// The fields [`Stored`] adds around a record, for the TypeScript side.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RecordMeta {
    /// Stable id, kept across exports and imports.
    pub id: Uuid,
    /// Counts updates from 1; an import keeps the higher revision.
    pub revision: u32,
    /// When first saved (RFC 3339, UTC).
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// When last saved (RFC 3339, UTC).
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
}

/// Sortable UTC text for the `at` column (RFC 3339, second precision).
pub(crate) fn sort_key(at: &DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The export shape reads back, and a typo inside it is still refused.
    #[test]
    fn stored_round_trips_through_the_export_shape() {
        let at = DateTime::parse_from_rfc3339("2025-03-11T10:00:00+04:00").unwrap();
        let s = Stored {
            id: Uuid::new_v4(),
            revision: 3,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            data: Incident::quick(Uuid::new_v4(), "IVS", at, IncidentType::AccessDenied),
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["revision"], 3);
        assert_eq!(json["type"], "access_denied");
        let back: Stored<Incident> = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, s);
        let mut typo = json;
        typo["reson_given"] = "x".into();
        assert!(serde_json::from_value::<Stored<Incident>>(typo).is_err());
    }

    /// The four fields around a record may come anywhere in it, and each
    /// is required. A field given twice is refused, not settled by
    /// whichever came last: two readers of the same bundle must not see
    /// two records.
    #[test]
    fn stored_fields_come_in_any_order_each_once() {
        let text = |extra: &str| {
            format!(
                r#"{{"client_id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01", "type": "access_denied",
                    "updated_at": "2025-03-12T06:00:00Z", "occurred": {{"at": "2025-03-11"}},
                    "facility": {{"name": "Kürdəxanı İstintaq Təcridxanası"}},
                    "id": "0b7e3c1a-9d2f-4e5b-8a6c-1f2e3d4c5b6a", "created_at": "2025-03-11T06:00:00Z",
                    "reason_given": "Следователь запретил свидание"{extra}}}"#
            )
        };
        let s: Stored<Incident> = serde_json::from_str(&text(r#", "revision": 2"#)).unwrap();
        assert_eq!(s.revision, 2);
        assert_eq!(s.id.to_string(), "0b7e3c1a-9d2f-4e5b-8a6c-1f2e3d4c5b6a");
        assert_eq!(s.data.reason_given, "Следователь запретил свидание");
        assert_eq!(s.data.occurred.precision, DatePrecision::Day);
        let e = serde_json::from_str::<Stored<Incident>>(&text("")).unwrap_err();
        assert!(e.to_string().contains("missing field `revision`"), "{e}");
        let twice = text(r#", "revision": 2, "reason_given": "Müstəntiq icazə vermədi""#);
        assert!(serde_json::from_str::<Stored<Incident>>(&twice).is_err());
    }
}
