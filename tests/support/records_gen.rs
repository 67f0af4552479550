//! Generators of maximal records for round-trip properties: every kind,
//! a non-default value in every field, every enum variant reachable,
//! Azerbaijani, Russian and NFD text, offsets other than UTC. Shared by
//! `tests/load_roundtrip.rs` (core, CLI) and
//! `src-tauri/tests/records_roundtrip.rs` (desktop commands), which include
//! it by path.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;
use vekil::model::*;

/// Every variant of a unit enum, as serde knows them: the list serde
/// gives when refusing an unknown one. A variant added later is covered
/// without touching this test.
pub fn variants<T: DeserializeOwned>() -> Vec<T> {
    let err = serde_json::from_value::<T>(Value::String("\u{1}".into()))
        .err()
        .expect("no enum accepts that")
        .to_string();
    err.split('`')
        .skip(3)
        .step_by(2)
        .map(|name| serde_json::from_value(Value::String(name.into())).expect("a variant"))
        .collect()
}

pub fn one_of<T: DeserializeOwned + Clone + std::fmt::Debug + 'static>() -> BoxedStrategy<T> {
    let all = variants::<T>();
    assert!(all.len() > 1, "{}", std::any::type_name::<T>());
    proptest::sample::select(all).boxed()
}

pub fn some_of<T: DeserializeOwned + Clone + std::fmt::Debug + PartialEq + 'static>(
) -> BoxedStrategy<Vec<T>> {
    let all = variants::<T>();
    proptest::sample::subsequence(all.clone(), 1..=all.len()).boxed()
}

/// Text a lawyer in Baku types: Azerbaijani Latin, Russian Cyrillic, a
/// decomposed (NFD) accent, punctuation; never blank.
pub fn text() -> BoxedStrategy<String> {
    "[A-Za-zƏəİıŞşĞğÇçÖöÜüА-Яа-яЁё№][A-Za-zƏəİıŞşĞğÇçÖöÜüА-Яа-яЁё0-9 .,()/№\u{0301}-]{0,30}"
        .prop_map(|s| s.trim_end().to_owned())
        .boxed()
}

pub fn moment() -> BoxedStrategy<DateTime<FixedOffset>> {
    (
        946_684_800i64..1_893_456_000,
        prop_oneof![
            Just(4 * 3600),
            Just(3 * 3600),
            Just(0),
            Just(-5 * 3600),
            Just(20700)
        ],
        prop_oneof![Just(0u32), 0u32..1000],
    )
        .prop_map(|(secs, off, ms)| {
            let off = FixedOffset::east_opt(off).expect("offset");
            off.timestamp_opt(secs, ms * 1_000_000)
                .single()
                .expect("moment")
        })
        .boxed()
}

pub fn event_time() -> BoxedStrategy<EventTime> {
    (moment(), one_of::<DatePrecision>())
        .prop_map(|(at, precision)| EventTime { at, precision })
        .boxed()
}

pub fn day() -> BoxedStrategy<NaiveDate> {
    (0i64..10_000)
        .prop_map(|d| {
            NaiveDate::from_ymd_opt(2000, 1, 1).expect("day") + chrono::Days::new(d as u64)
        })
        .boxed()
}

pub fn texts() -> BoxedStrategy<Vec<String>> {
    prop::collection::vec(text(), 1..4).boxed()
}

/// The envelope a copy brings: its own id, a revision past 1, and
/// timestamps of its own.
pub fn envelope() -> BoxedStrategy<(u32, DateTime<Utc>, DateTime<Utc>)> {
    (2u32..9, 1_600_000_000i64..1_700_000_000, 0i64..50_000_000)
        .prop_map(|(rev, c, d)| {
            let created = Utc.timestamp_opt(c, 0).single().expect("created");
            (rev, created, created + chrono::Duration::seconds(d))
        })
        .boxed()
}

#[derive(Debug, Clone)]
pub struct Set {
    pub client: Client,
    pub case: Case,
    pub hearing: Hearing,
    pub deadline: Deadline,
    pub incident: Incident,
    pub evidence: EvidenceNote,
    pub facility: FacilityEntry,
    pub envelopes: Vec<(u32, DateTime<Utc>, DateTime<Utc>)>,
}

pub fn client() -> BoxedStrategy<Client> {
    (
        (
            text(),
            text(),
            one_of::<ProceduralStatus>(),
            event_time(),
            text(),
        ),
        (
            texts(),
            texts(),
            prop::collection::vec((text(), text()), 1..3),
        ),
        (some_of::<RiskFlag>(), text()),
    )
        .prop_map(
            |(
                (name, pseudo, status, arrested, place),
                (charges, numbers, contacts),
                (risks, notes),
            )| {
                let mut c = Client::new(name, pseudo);
                c.procedural_status = status;
                c.arrested_at = Some(arrested);
                c.place_of_detention = place;
                c.charges = charges;
                c.case_numbers = numbers;
                c.contacts = contacts
                    .into_iter()
                    .map(|(label, value)| Contact { label, value })
                    .collect();
                c.risk_flags = risks;
                c.notes = notes;
                c
            },
        )
        .boxed()
}

pub fn case() -> BoxedStrategy<Case> {
    (
        (text(), text(), text(), text(), text()),
        (texts(), one_of::<CaseStatus>(), day(), 0u64..2000, text()),
    )
        .prop_map(
            |(
                (number, court, authority, judge, prosecutor),
                (charges, status, opened, len, notes),
            )| {
                serde_json::from_value(serde_json::json!({
                    "client_ids": [Uuid::nil()], "case_number": number, "court": court,
                    "investigating_authority": authority, "judge": judge, "prosecutor": prosecutor,
                    "charges": charges, "status": status, "opened_on": opened,
                    "closed_on": opened + chrono::Days::new(len), "notes": notes
                }))
                .expect("case")
            },
        )
        .boxed()
}

pub fn hearing() -> BoxedStrategy<Hearing> {
    (
        moment(),
        one_of::<HearingKind>(),
        (text(), text(), text(), text(), text(), text()),
    )
        .prop_map(
            |(at, kind, (court, room, judge, outcome, next, notes))| Hearing {
                case_id: Uuid::nil(),
                at,
                kind,
                court,
                courtroom: room,
                judge,
                outcome,
                next_step: next,
                notes,
            },
        )
        .boxed()
}

pub fn deadline() -> BoxedStrategy<Deadline> {
    (moment(), one_of::<DeadlineKind>(), text(), text())
        .prop_map(|(due, kind, rule, notes)| Deadline {
            case_id: Uuid::nil(),
            due,
            kind,
            source_rule: rule,
            done: true,
            notes,
        })
        .boxed()
}

pub fn incident() -> BoxedStrategy<Incident> {
    (
        (one_of::<IncidentType>(), event_time(), text(), one_of::<FacilityType>(), text()),
        (moment(), 1u32..600, 1u32..240, text()),
        (prop::collection::vec((text(), text(), text(), text()), 1..3), text(), text(), text(), text()),
        (
            prop::collection::vec((text(), one_of::<WitnessKind>(), text(), text()), 1..3),
            prop::collection::vec((text(), day(), text(), text(), 0u64..300), 1..3),
        ),
        (some_of::<LegalStandard>(), texts(), one_of::<Confidentiality>(), text(), day()),
        (one_of::<RecordStatus>(), text()),
    )
        .prop_map(
            |(
                (kind, occurred, facility, ftype, region),
                (requested, waited, minutes, authority),
                (officials, reason, basis, conditions, condition),
                (witnesses, remedies),
                (standards, articles, confidentiality, recipient, consent_on),
                (status, notes),
            )| {
                let v = serde_json::json!({
                    "client_id": Uuid::nil(), "case_id": Uuid::nil(), "type": kind,
                    "occurred": occurred,
                    "facility": {"name": facility, "type": ftype, "region": region, "identifying": true},
                    "requested_at": requested,
                    "refused_at": requested + chrono::Duration::minutes(5),
                    "meeting_at": requested + chrono::Duration::minutes(i64::from(waited)),
                    "minutes_waited": waited, "meeting_minutes": minutes, "authority": authority,
                    "officials": officials.into_iter().map(|(rank, name, unit, badge)|
                        serde_json::json!({"rank": rank, "name": name, "unit": unit, "badge": badge}))
                        .collect::<Vec<_>>(),
                    "reason_given": reason, "written_refusal": true, "legal_basis_cited": basis,
                    "meeting_conditions": conditions, "client_condition": condition,
                    "visible_injuries": true,
                    "witnesses": witnesses.into_iter().map(|(name, kind, role, contact)|
                        serde_json::json!({"name": name, "kind": kind, "role": role, "contact": contact}))
                        .collect::<Vec<_>>(),
                    "remedies": remedies.into_iter().map(|(to, filed, reference, response, after)|
                        serde_json::json!({"complaint_to": to, "filed_on": filed, "reference": reference,
                            "response": response, "response_on": filed + chrono::Days::new(after)}))
                        .collect::<Vec<_>>(),
                    "standards": standards, "domestic_articles": articles,
                    "confidentiality": confidentiality,
                    "consent": [{"recipient": recipient, "granted": true, "include_health": true,
                                 "recorded_on": consent_on}],
                    "status": status, "notes": notes, "notes_shareable": true
                });
                serde_json::from_value(v).expect("incident")
            },
        )
        .boxed()
}

/// A note of 0 to 3 incidents: `incident_ids` holds distinct stand-ins
/// (`Uuid::from_u128(1)`, `2`, …) for the caller to replace with the ids
/// of real incidents, one per entry.
pub fn evidence() -> BoxedStrategy<EvidenceNote> {
    (
        one_of::<EvidenceKind>(),
        text(),
        text(),
        event_time(),
        prop::collection::vec((text(), moment(), text()), 1..3),
        0..=3u128,
    )
        .prop_map(
            |(kind, description, source, obtained, custody, incidents)| {
                let mut e = EvidenceNote::new(description);
                e.incident_ids = (1..=incidents).map(Uuid::from_u128).collect();
                e.case_id = Some(Uuid::nil());
                e.client_id = Some(Uuid::nil());
                e.kind = kind;
                e.source = source;
                e.obtained_at = Some(obtained);
                e.custody = custody
                    .into_iter()
                    .map(|(who, at, action)| CustodyEntry { who, at, action })
                    .collect();
                e
            },
        )
        .boxed()
}

/// A facility register entry, every field set.
pub fn facility() -> BoxedStrategy<FacilityEntry> {
    (text(), one_of::<FacilityType>(), text(), texts(), text())
        .prop_map(|(name, ftype, region, spellings, notes)| FacilityEntry {
            name,
            facility_type: ftype,
            region,
            identifying: true,
            spellings,
            notes,
        })
        .boxed()
}

pub fn set() -> impl Strategy<Value = Set> {
    (
        client(),
        case(),
        hearing(),
        deadline(),
        incident(),
        evidence(),
        facility(),
        prop::collection::vec(envelope(), 7),
    )
        .prop_map(
            |(client, case, hearing, deadline, incident, evidence, facility, envelopes)| Set {
                client,
                case,
                hearing,
                deadline,
                incident,
                evidence,
                facility,
                envelopes,
            },
        )
}
