//! The shape of every kind, published as a JSON Schema per kind under
//! `docs/schema/` (issue 11, point 1 and "Done means"): what `list --json`
//! and `show --json` print must match it, its enums must be the model's,
//! and it must refuse what `add --json` refuses (an unknown field or
//! value), so a change to a record's shape that forgets the schema fails
//! here. (`tests/load_roundtrip.rs` also checks every generated record.)

mod common;

use common::{fast, pass, Cli};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::path::Path;
use vekil::model::*;
use vekil::vault::Vault;

const KINDS: [&str; 7] = [
    "client", "case", "hearing", "deadline", "incident", "evidence", "facility",
];

fn schema(kind: &str) -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/schema/{kind}.v1.schema.json"));
    serde_json::from_slice(&std::fs::read(&path).expect("schema file")).expect("schema is JSON")
}

fn errors(kind: &str, v: &Value) -> Vec<String> {
    let s = schema(kind);
    let validator = jsonschema::draft202012::new(&s).expect("schema compiles");
    validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Every variant serde knows, by the list it gives refusing another.
fn variant_names<T: DeserializeOwned>() -> Vec<String> {
    let err = serde_json::from_value::<T>(Value::String("\u{1}".into()))
        .err()
        .expect("refused")
        .to_string();
    err.split('`')
        .skip(3)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn what_list_and_show_print_matches_each_kinds_schema() {
    let t = tempfile::tempdir().expect("temp dir");
    let cli = Cli::new(t.path());
    Vault::create_with(&cli.vault, &pass(), &fast()).expect("vault");
    let client = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01";
    let case = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d02";
    let incident = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d03";
    let facility = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d04";
    let doc = json!({
        "clients": [{"id": client, "full_name": "Rəşad Məmmədov", "pseudonym": "C-001",
            "arrested_at": {"at": "2025-03-10T00:00:00+04:00", "precision": "day"},
            "contacts": [{"label": "anası", "value": "+994501234567"}], "risk_flags": ["health"]}],
        "cases": [{"id": case, "client_ids": [client], "case_number": "1(101)-234/2025",
            "opened_on": "2025-03-10", "status": "trial"}],
        "hearings": [{"case_id": case, "at": "2025-04-02T10:00:00+04:00", "kind": "detention_extension"}],
        "deadlines": [{"case_id": case, "due": "2025-07-12T18:00:00+04:00", "kind": "ecthr_application"}],
        "incidents": [{"id": incident, "client_id": client, "case_id": case, "type": "access_delayed",
            "occurred": {"at": "2025-03-14T09:30:00+04:00"},
            "facility": {"id": facility, "name": "Следственный изолятор № 1", "type": "pretrial_detention"},
            "minutes_waited": 150, "standards": ["echr_6_3_c"],
            "witnesses": [{"name": "Anar", "kind": "lawyer"}],
            "remedies": [{"complaint_to": "Prokurorluq", "filed_on": "2025-03-15"}],
            "consent": [{"recipient": "Hüquq Müdafiə Mərkəzi", "granted": true}]}],
        "facilities": [{"id": facility, "name": "Bakı 1 saylı İstintaq Təcridxanası",
            "type": "pretrial_detention", "region": "Bakı",
            "spellings": ["Следственный изолятор № 1", "Baku SIZO No. 1"], "notes": "Növbətçi: 09:00–18:00"}],
        "evidence": [{"incident_id": incident, "kind": "medical_report", "description": "Справка",
            "custody": [{"who": "vəkil", "at": "2025-03-15T12:00:00+04:00", "action": "aldı"}]}]
    });
    let file = t.path().join("all.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    cli.ok(&["load", &file.to_string_lossy()]);
    for kind in KINDS {
        let listed: Value =
            serde_json::from_str(&cli.ok(&[kind, "list", "--json"])).expect("list --json");
        let listed = listed.as_array().expect("array");
        assert_eq!(listed.len(), 1, "{kind}");
        let e = errors(kind, &listed[0]);
        assert!(e.is_empty(), "{kind} list --json: {e:#?}");
        let id = listed[0]["id"].as_str().expect("id");
        let shown: Value =
            serde_json::from_str(&cli.ok(&[kind, "show", id, "--json"])).expect("show --json");
        let e = errors(kind, &shown);
        assert!(e.is_empty(), "{kind} show --json: {e:#?}");

        // The schema refuses what the loader refuses.
        let mut odd = listed[0].clone();
        odd["reson_given"] = "typo".into();
        assert!(
            !errors(kind, &odd).is_empty(),
            "{kind}: an unknown field passed"
        );
    }
}

#[test]
fn the_schemas_enums_are_the_models() {
    let defs: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "client",
            "ProceduralStatus",
            variant_names::<ProceduralStatus>(),
        ),
        ("client", "RiskFlag", variant_names::<RiskFlag>()),
        ("client", "DatePrecision", variant_names::<DatePrecision>()),
        ("case", "CaseStatus", variant_names::<CaseStatus>()),
        ("hearing", "HearingKind", variant_names::<HearingKind>()),
        ("deadline", "DeadlineKind", variant_names::<DeadlineKind>()),
        ("evidence", "EvidenceKind", variant_names::<EvidenceKind>()),
        ("incident", "IncidentType", variant_names::<IncidentType>()),
        ("incident", "FacilityType", variant_names::<FacilityType>()),
        ("facility", "FacilityType", variant_names::<FacilityType>()),
        ("incident", "WitnessKind", variant_names::<WitnessKind>()),
        (
            "incident",
            "LegalStandard",
            variant_names::<LegalStandard>(),
        ),
        (
            "incident",
            "Confidentiality",
            variant_names::<Confidentiality>(),
        ),
        ("incident", "RecordStatus", variant_names::<RecordStatus>()),
        (
            "incident",
            "DatePrecision",
            variant_names::<DatePrecision>(),
        ),
    ];
    for (kind, name, model) in defs {
        assert!(model.len() > 1, "{name}");
        let s = schema(kind);
        let published: Vec<String> = s["$defs"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{kind}: no $defs.{name}"))
            .iter()
            .map(|v| v.as_str().expect("a name").to_owned())
            .collect();
        assert_eq!(published, model, "{kind} schema: {name}");
    }
    // And a value outside them is refused.
    let bogus = json!({"case_id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d02",
                       "at": "2025-04-02T10:00:00+04:00", "kind": "bogus_kind"});
    assert!(!errors("hearing", &bogus).is_empty());
}
