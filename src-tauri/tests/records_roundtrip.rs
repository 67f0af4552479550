//! Lossless round trip through the desktop commands (issue 11, point 1):
//! the window's own path (IPC, argument parsing, the commands, the
//! serialisation it reads back) keeps every field of every kind, every
//! enum included. The records are the maximal ones of
//! `tests/support/records_gen.rs`, shared with the core and CLI property.

#[path = "../../tests/support/records_gen.rs"]
mod records_gen;
mod support;

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use support::*;
use unicode_normalization::UnicodeNormalization;

/// Every string in NFC, as the store keeps all text.
fn nfc(v: &mut Value) {
    match v {
        Value::String(s) => *s = s.nfc().collect(),
        Value::Array(a) => a.iter_mut().for_each(nfc),
        Value::Object(o) => o.values_mut().for_each(nfc),
        _ => {}
    }
}

/// Every field sent comes back as sent (in NFC), named when it does not.
fn same_data(kind: &str, sent: &impl Serialize, back: &Value) -> Result<(), TestCaseError> {
    let mut sent = serde_json::to_value(sent).expect("json");
    nfc(&mut sent);
    for (field, value) in sent.as_object().expect("object") {
        prop_assert_eq!(Some(value), back.get(field), "{} {}", kind, field);
    }
    Ok(())
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn what_the_window_saves_it_reads_back_identically(mut s in records_gen::set()) {
        let h = harness().unlocked();
        let client = h.ok("client_create", json!({"client": s.client}));
        let client_id = id(&client);
        let listed = h.ok("client_list", json!({}));
        let listed = listed.as_array().expect("list").iter().find(|c| c["id"] == client_id.as_str()).expect("listed");
        same_data("client", &s.client, listed)?;

        s.case.client_ids = vec![client_id.parse().expect("uuid")];
        let case_id = id(&h.ok("case_create", json!({"record": s.case})));
        same_data("case", &s.case, &h.ok("case_get", json!({"id": case_id})))?;

        s.hearing.case_id = case_id.parse().expect("uuid");
        let hearing = id(&h.ok("hearing_create", json!({"hearing": s.hearing})));
        same_data("hearing", &s.hearing, &h.ok("hearing_get", json!({"id": hearing})))?;

        s.deadline.case_id = case_id.parse().expect("uuid");
        let deadline = id(&h.ok("deadline_create", json!({"deadline": s.deadline})));
        same_data("deadline", &s.deadline, &h.ok("deadline_get", json!({"id": deadline})))?;

        // The window logs the quick form first, then completes the record.
        s.incident.client_id = client_id.parse().expect("uuid");
        s.incident.case_id = Some(case_id.parse().expect("uuid"));
        let quick = h.ok("incident_quick", json!({"quick": {
            "client_id": client_id, "facility": "İVS", "at": s.incident.occurred.at,
            "incident_type": s.incident.incident_type
        }}));
        let incident = id(&quick);
        // The quick log added "İVS" to the register; the window edits that
        // entry, and the incident, linked to it, carries the entry.
        let place = quick["facility"]["id"].as_str().expect("linked").to_owned();
        let entry = h.ok("facility_get", json!({"id": place}));
        let entry = h.ok("facility_update", json!({
            "id": place, "revision": entry["revision"], "facility": s.facility
        }));
        same_data("facility", &s.facility, &entry)?;
        same_data("facility", &s.facility, &h.ok("facility_get", json!({"id": place})))?;
        s.incident.facility.id = Some(place.parse().expect("uuid"));
        s.incident.facility.name = s.facility.name.nfc().collect();
        s.incident.facility.facility_type = s.facility.facility_type;
        s.incident.facility.region = s.facility.region.nfc().collect();
        s.incident.facility.identifying = s.facility.identifying;
        let quick = h.ok("incident_get", json!({"id": incident}));
        h.ok("incident_update", json!({
            "id": incident, "revision": quick["revision"], "incident": s.incident
        }));
        same_data("incident", &s.incident, &h.ok("incident_get", json!({"id": incident})))?;

        // The note documents 0 to 3 incidents: this one and others logged
        // quickly, newest first, as the lawyer ticked them.
        let wanted = s.evidence.incident_ids.len();
        let mut linked: Vec<String> = vec![incident.clone()];
        while linked.len() < wanted {
            let more = h.ok("incident_quick", json!({"quick": {
                "client_id": client_id, "facility": "İVS", "at": s.incident.occurred.at,
                "incident_type": s.incident.incident_type
            }}));
            linked.push(id(&more));
        }
        linked.truncate(wanted);
        linked.reverse();
        s.evidence.incident_ids = linked.iter().map(|i| i.parse().expect("uuid")).collect();
        s.evidence.case_id = Some(case_id.parse().expect("uuid"));
        s.evidence.client_id = Some(client_id.parse().expect("uuid"));
        let evidence = id(&h.ok("evidence_create", json!({"evidence": s.evidence})));
        same_data("evidence", &s.evidence, &h.ok("evidence_get", json!({"id": evidence})))?;
    }
}
