//! HURIDOCS mapping: incidents as ESF events with acts, victims and
//! perpetrators (`docs/formats/huridocs.md`).
//!
//! NGOs that document violations with HURIDOCS tools (OpenEvSys, Uwazi
//! templates built on the Events Standard Formats) code acts, rights and
//! instruments with the ESF micro-thesauri. Every code below was copied
//! from HURIDOCS' own micro-thesauri as shipped in OpenEvSys
//! (`schema/mysql-dbpopulate-mt.sql`, commit 2f734af9); the list number is
//! the micro-thesaurus (3 Rights typology, 4 Types of acts, 6
//! International instruments, 10 Occupation, 24 Types of perpetrators,
//! 30 Whereabouts, 31 Legal counsel). Where no term fits, the value is
//! `null`: no code is invented.

use super::{ExportError, ExportSet, Result};
use crate::model::{FacilityType, Incident, IncidentType, LegalStandard, Stored};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::Write;

/// A micro-thesaurus term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// Micro-thesaurus number.
    pub list: u8,
    /// The 12-digit HURIDOCS code.
    pub huri_code: &'static str,
    /// The English term, as in the thesaurus.
    pub term: &'static str,
}

const fn t(list: u8, huri_code: &'static str, term: &'static str) -> Term {
    Term {
        list,
        huri_code,
        term,
    }
}

// List 4, Types of acts.
const LEGAL_ASSISTANCE_DENIED: Term =
    t(4, "350109000000", "Denial of the right to legal assistance");
const DEFENCE_COMMUNICATION_DENIED: Term = t(
    4,
    "350113000000",
    "Denial of the right to communication with defence",
);
const TIME_FACILITIES_DENIED: Term = t(
    4,
    "350102000000",
    "Denial of the right to adequate times and facilities",
);
const ILLEGAL_SEARCH: Term = t(4, "040101000000", "Illegal search / raid");
const THREATS: Term = t(4, "020103010000", "Threats (not including death threats)");
// List 31, Legal counsel.
const NO_CONSULTATION: Term = t(
    31,
    "120000000000",
    "No consultation with legal counsel permitted",
);
const CONSULTATION_OTHERS_PRESENT: Term = t(
    31,
    "110000000000",
    "Consultation with legal counsel permitted with others present",
);
const STATE_COUNSEL: Term = t(31, "510000000000", "Counsel appointed by the state");
// List 30, Whereabouts.
const LOCATION_NOT_DISCLOSED: Term = t(30, "010200000000", "Location is not disclosed");
// List 10, Occupation.
const LAWYERS: Term = t(10, "029002010000", "Lawyers");

/// Types of acts (list 4) for an incident type; empty where none fits.
pub fn acts(t: IncidentType) -> &'static [Term] {
    match t {
        IncidentType::AccessDenied | IncidentType::PermitRefused => {
            &[LEGAL_ASSISTANCE_DENIED, DEFENCE_COMMUNICATION_DENIED]
        }
        IncidentType::AccessDelayed
        | IncidentType::MeetingWithoutConfidentiality
        | IncidentType::WhereaboutsWithheld => &[DEFENCE_COMMUNICATION_DENIED],
        IncidentType::MeetingTimeLimited => &[TIME_FACILITIES_DENIED],
        IncidentType::StateLawyerSubstituted | IncidentType::QuestioningWithoutCounsel => {
            &[LEGAL_ASSISTANCE_DENIED]
        }
        IncidentType::LawyerSearched => &[ILLEGAL_SEARCH],
        IncidentType::LawyerThreatened => &[THREATS],
        IncidentType::LawyerSummonedAsWitness
        | IncidentType::ActionAgainstLawyer
        | IncidentType::Other => &[],
    }
}

/// Legal counsel (list 31) or whereabouts (list 30) term, where one fits.
pub fn detention_term(t: IncidentType) -> Option<Term> {
    match t {
        IncidentType::AccessDenied | IncidentType::PermitRefused => Some(NO_CONSULTATION),
        IncidentType::MeetingWithoutConfidentiality => Some(CONSULTATION_OTHERS_PRESENT),
        IncidentType::StateLawyerSubstituted => Some(STATE_COUNSEL),
        IncidentType::WhereaboutsWithheld => Some(LOCATION_NOT_DISCLOSED),
        _ => None,
    }
}

/// Whether the lawyer, not the client, is the victim of the act.
pub fn lawyer_is_victim(t: IncidentType) -> bool {
    matches!(
        t,
        IncidentType::LawyerSearched
            | IncidentType::LawyerThreatened
            | IncidentType::LawyerSummonedAsWitness
            | IncidentType::ActionAgainstLawyer
    )
}

/// International instrument (list 6) of a standard.
pub fn instrument(s: LegalStandard) -> Term {
    const BPRL: Term = t(
        6,
        "170600000000",
        "Basic Principles on the Role of Lawyers (1990)",
    );
    const ICCPR: Term = t(
        6,
        "010400000000",
        "International Covenant on Civil and Political Rights (1966)",
    );
    const ECHR: Term = t(
        6,
        "020100000000",
        "European Convention on Human Rights (ECHR) (1950)",
    );
    const ECPT: Term = t(
        6,
        "040600000000",
        "European Convention for the Prevention of Torture and Inhuman or Degrading Treatment or Punishment (1987)",
    );
    match s {
        LegalStandard::UnBprl8
        | LegalStandard::UnBprl16
        | LegalStandard::UnBprl17
        | LegalStandard::UnBprl18
        | LegalStandard::UnBprl21 => BPRL,
        LegalStandard::Iccpr9 | LegalStandard::Iccpr14_3b | LegalStandard::Iccpr14_3d => ICCPR,
        LegalStandard::Echr5
        | LegalStandard::Echr6_3b
        | LegalStandard::Echr6_3c
        | LegalStandard::Echr8
        | LegalStandard::Echr34 => ECHR,
        LegalStandard::Cpt => ECPT,
    }
}

/// Right affected (list 3) of a standard, where one fits.
pub fn right(s: LegalStandard) -> Option<Term> {
    const COMMUNICATION: Term = t(3, "031013000000", "Communication with defence (Right to)");
    const TIME: Term = t(3, "031002000000", "Adequate time and facilities (Right to)");
    const LEGAL_ASSISTANCE: Term = t(3, "031009000000", "Legal assistance (Right to)");
    const LIBERTY: Term = t(3, "010800000000", "Liberty of person (Right to)");
    const PRIVACY: Term = t(3, "012800000000", "Privacy (Right to)");
    match s {
        LegalStandard::UnBprl8 => Some(COMMUNICATION),
        LegalStandard::UnBprl21 | LegalStandard::Iccpr14_3b | LegalStandard::Echr6_3b => Some(TIME),
        LegalStandard::Iccpr14_3d | LegalStandard::Echr6_3c => Some(LEGAL_ASSISTANCE),
        LegalStandard::Iccpr9 | LegalStandard::Echr5 => Some(LIBERTY),
        LegalStandard::Echr8 => Some(PRIVACY),
        LegalStandard::UnBprl16
        | LegalStandard::UnBprl17
        | LegalStandard::UnBprl18
        | LegalStandard::Echr34
        | LegalStandard::Cpt => None,
    }
}

/// Type of perpetrator (list 24), inferred from the facility type.
pub fn perpetrator_type(f: FacilityType) -> Option<Term> {
    match f {
        FacilityType::PoliceStation | FacilityType::TemporaryDetention => {
            Some(t(24, "010104000000", "Police"))
        }
        FacilityType::PretrialDetention | FacilityType::PrisonColony => {
            Some(t(24, "010105000000", "Prison officials"))
        }
        FacilityType::Court => Some(t(24, "010300000000", "Judiciary")),
        FacilityType::SecurityService => {
            Some(t(24, "010106000000", "Intelligence agency; secret service"))
        }
        FacilityType::Hospital | FacilityType::Other => None,
    }
}

fn event(set: &ExportSet, inc: &Stored<Incident>) -> Value {
    let d = &inc.data;
    let id = inc.id.to_string();
    let client_victim = json!({
        "person_record_number": d.client_id.to_string(),
        "name": set.client(d.client_id).map(|c| c.data.pseudonym.clone()),
        "role": "detained client",
        "occupation": Value::Null,
    });
    let lawyer_victim = json!({
        "person_record_number": format!("{id}-lawyer"),
        "name": Value::Null,
        "role": "defence lawyer (the reporter)",
        "occupation": LAWYERS,
    });
    let victim_id = if lawyer_is_victim(d.incident_type) {
        format!("{id}-lawyer")
    } else {
        d.client_id.to_string()
    };
    let perp_type = perpetrator_type(d.facility.facility_type);
    let perpetrators: Vec<Value> = d
        .officials
        .iter()
        .enumerate()
        .map(|(n, o)| {
            json!({
                "person_record_number": format!("{id}-official-{}", n + 1),
                "name": o.name,
                "rank": o.rank,
                "unit": o.unit,
                "badge": o.badge,
                "type_of_perpetrator": perp_type,
            })
        })
        .collect();
    let perp_ids: Vec<Value> = perpetrators
        .iter()
        .map(|p| p["person_record_number"].clone())
        .collect();
    let act_list: Vec<Value> = acts(d.incident_type)
        .iter()
        .enumerate()
        .map(|(n, term)| {
            json!({
                "act_record_number": format!("{id}-act-{}", n + 1),
                "type_of_act": term,
                "victim": victim_id,
                "perpetrators": perp_ids,
                "initial_date": d.occurred.at.to_rfc3339(),
                "date_precision": crate::model::serde_plain(&d.occurred.precision),
                "detention_detail": detention_term(d.incident_type),
            })
        })
        .collect();
    let mut rights: Vec<Term> = vec![];
    let mut instruments: Vec<Term> = vec![];
    for s in &d.standards {
        if let Some(r) = right(*s) {
            if !rights.contains(&r) {
                rights.push(r);
            }
        }
        let i = instrument(*s);
        if !instruments.contains(&i) {
            instruments.push(i);
        }
    }
    let mut victims = vec![client_victim];
    if lawyer_is_victim(d.incident_type) {
        victims.push(lawyer_victim);
    }
    json!({
        "event_record_number": id,
        "revision": inc.revision,
        "event_title": format!("{} — {}", d.incident_type.label(), d.facility.name),
        "initial_date": d.occurred.at.to_rfc3339(),
        "date_precision": crate::model::serde_plain(&d.occurred.precision),
        "geographical_term": d.facility.region,
        "location": d.facility.name,
        "event_description": d.reason_given,
        "remarks": d.notes,
        "acts": act_list,
        "victims": victims,
        "perpetrators": perpetrators,
        "rights_affected": rights,
        "international_instruments": instruments,
        "national_legislation": d.domestic_articles,
        "vekil": {
            "type": d.incident_type.as_str(),
            "standards": d.standards,
            "authority": d.authority,
            "status": d.status.as_str(),
        },
    })
}

/// Writes the events document, one event at a time.
pub fn write(set: &ExportSet, out: impl Write) -> Result<()> {
    write_with(set, out, &mut || {})
}

/// [`write`], calling `step` for each event written.
pub(crate) fn write_with(set: &ExportSet, out: impl Write, step: &mut dyn FnMut()) -> Result<()> {
    use serde::ser::{SerializeStruct, Serializer as _};
    let failure = std::cell::RefCell::new(None);
    let mut out = std::io::BufWriter::new(out);
    // The keys in the order the document has always had them (sorted,
    // as a JSON object built in memory sorts them).
    let written = (|| -> std::result::Result<(), serde_json::Error> {
        let mut ser = serde_json::Serializer::pretty(&mut out);
        let mut doc = (&mut ser).serialize_struct("Events", 6)?;
        doc.serialize_field(
            "events",
            &super::json::Streamed {
                each: std::cell::RefCell::new(|emit: super::json::Emit<'_>| {
                    set.each_incident(&mut |o| {
                        step();
                        emit(&event(set, &o.record))
                    })
                }),
                failure: &failure,
            },
        )?;
        doc.serialize_field("format", "vekil-huridocs-events")?;
        doc.serialize_field(
            "generated_at",
            &set.generated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )?;
        doc.serialize_field("profile", set.profile.as_str())?;
        doc.serialize_field("thesauri", "HURIDOCS Events Standard Formats micro-thesauri, as shipped in HURIDOCS OpenEvSys (schema/mysql-dbpopulate-mt.sql)")?;
        doc.serialize_field("version", &1u32)?;
        SerializeStruct::end(doc)
    })();
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    written.map_err(|e| ExportError::Serialise {
        what: "the HURIDOCS events".into(),
        reason: e.to_string(),
    })?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .map_err(super::io_err("HURIDOCS events"))
}
