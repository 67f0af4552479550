//! JSON incident log, profiles, consent and preview.

mod export_support;

use export_support::*;
use vekil::export::{self, ExportOptions, HeldBack, PreviewTitle, Profile};

fn log<'f>(
    f: &'f Fixture,
    profile: Profile,
    recipients: &[&str],
) -> (export::ExportSet<'f>, serde_json::Value) {
    let set = export::select(
        &f.vault,
        &ExportOptions {
            profile,
            recipients: recipients.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        },
    )
    .expect("select");
    let mut out = vec![];
    export::json::write(&set, None, &mut out).expect("write");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    (set, v)
}

fn ids(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn full_backup_has_everything_and_validates() {
    let f = fixture();
    let (_, v) = log(&f, Profile::Full, &[]);
    assert_valid(&v);
    assert_eq!(v["format"], "vekil-incident-log");
    assert_eq!(v["version"], 2);
    assert_eq!(ids(&v, "incidents").len(), 5);
    assert_eq!(ids(&v, "clients").len(), 2);
    let text = v.to_string();
    for needle in [
        "Əli Həsənov",
        "PRIVATE-CLIENT-NOTE",
        "HEALTH-DETAIL",
        "WITNESS-CONTACT",
    ] {
        assert!(text.contains(needle), "full backup lacks {needle}");
    }
    // Stable ids and revisions: the vault's.
    let inc = v["incidents"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == f.inc_consented.to_string()))
        .expect("incident present");
    assert_eq!(inc["revision"], 1);
}

#[test]
fn ngo_profile_honours_consent_and_redacts() {
    let f = fixture();
    let (set, v) = log(&f, Profile::Ngo, &[NGO]);
    assert_valid(&v);
    let incidents = ids(&v, "incidents");
    assert!(incidents.contains(&f.inc_consented.to_string()));
    assert!(incidents.contains(&f.inc_health.to_string()));
    assert!(
        !incidents.contains(&f.inc_no_consent.to_string()),
        "no consent must not leave"
    );
    assert!(
        !incidents.contains(&f.inc_restricted.to_string()),
        "restricted must not leave"
    );
    assert!(
        !incidents.contains(&f.inc_public.to_string()),
        "consent for public only"
    );
    assert_eq!(incidents.len(), 2);
    let text = v.to_string();
    for leak in [
        "Əli Həsənov",
        "Иван Петров",
        "+994 50 123 45 67",
        "PRIVATE-CLIENT-NOTE",
        "PRIVATE-CASE-NOTE",
        "WITNESS-CONTACT",
        "HEALTH-DETAIL",
        "\"health\"",
    ] {
        assert!(!text.contains(leak), "NGO export leaks {leak}");
    }
    // Health consented for incident 2: kept there.
    assert!(text.contains("Следы побоев"));
    assert!(text.contains("Client A-17"));
    // Excluded list names why.
    let why = set
        .excluded
        .iter()
        .find(|e| e.id == f.inc_no_consent)
        .expect("excluded listed");
    assert_eq!(
        why.reason,
        HeldBack::NoConsent {
            recipient: NGO.to_lowercase()
        }
    );
    let restricted = set
        .excluded
        .iter()
        .find(|e| e.id == f.inc_restricted)
        .expect("restricted listed");
    assert_eq!(restricted.reason, HeldBack::Restricted);
    // The CLI still says it in English.
    assert!(vekil::cli::export::held_back_text(&why.reason).contains("no consent"));
}

#[test]
fn ngo_profile_without_recipient_is_refused() {
    let f = fixture();
    let err = export::select(
        &f.vault,
        &ExportOptions {
            profile: Profile::Ngo,
            ..Default::default()
        },
    )
    .expect_err("needs a recipient");
    assert!(err.to_string().contains("--to"), "{err}");
}

#[test]
fn consent_for_one_recipient_does_not_cover_another() {
    let f = fixture();
    let (_, v) = log(&f, Profile::Ngo, &[NGO, "Other Org"]);
    assert_valid(&v);
    assert!(ids(&v, "incidents").is_empty());
}

#[test]
fn public_profile_uses_regions_and_drops_private_notes() {
    let f = fixture();
    let (_, v) = log(&f, Profile::Public, &[]);
    assert_valid(&v);
    assert_eq!(ids(&v, "incidents"), vec![f.inc_public.to_string()]);
    assert!(v.to_string().contains("Shareable note"));
    assert!(ids(&v, "cases").is_empty());
    assert!(ids(&v, "evidence").is_empty());
    // With the NGO as recipient, the identifying facility becomes its region.
    let (_, v) = log(&f, Profile::Public, &[NGO]);
    assert_valid(&v);
    let text = v.to_string();
    assert!(
        !text.contains("İstintaq Təcridxanası"),
        "identifying facility leaked"
    );
    assert!(!text.contains("LAWYER-PRIVATE-NOTE"));
    assert!(
        !text.contains("Rəşad Quliyev"),
        "witness names stay out of public reports"
    );
    let inc = &v["incidents"][0];
    assert_eq!(inc["facility"]["name"], "Bakı");
}

#[test]
fn preview_lists_exactly_what_leaves() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let p = set.preview().expect("preview");
    let mut out = vec![];
    export::json::write(&set, None, &mut out).expect("write");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    // Every record in the log is in the preview, with the same fields.
    for key in ["clients", "cases", "incidents", "evidence"] {
        for rec in v[key].as_array().expect("array") {
            let id = rec["id"].as_str().expect("id");
            let line = p
                .records
                .iter()
                .find(|r| r.id.to_string() == id)
                .unwrap_or_else(|| panic!("{key} {id} missing from preview"));
            let mut fields: Vec<&str> = rec
                .as_object()
                .expect("obj")
                .keys()
                .map(|k| k.as_str())
                .collect();
            fields.sort();
            let mut listed: Vec<&str> = line.fields.iter().map(|s| s.as_str()).collect();
            listed.sort();
            assert_eq!(fields, listed);
        }
    }
    let total: usize = ["clients", "cases", "incidents", "evidence"]
        .iter()
        .map(|k| v[k].as_array().map_or(0, |a| a.len()))
        .sum();
    assert_eq!(p.records.len(), total);
    let client = p
        .records
        .iter()
        .find(|r| r.id == f.client_a)
        .expect("client a");
    assert!(client.removed.contains(&"full_name".to_string()));
    // Titles are data: an NGO sees the pseudonym, never the full name.
    assert_eq!(
        client.title,
        PreviewTitle::Client {
            full_name: String::new(),
            pseudonym: "Client A-17".into()
        }
    );
    let incident = p
        .records
        .iter()
        .find(|r| r.id == f.inc_consented)
        .expect("incident");
    assert!(matches!(incident.title, PreviewTitle::Incident { .. }));
    assert!(!client.fields.contains(&"full_name".to_string()));
    assert!(p.excluded.iter().any(|e| e.id == f.inc_restricted));
}

#[test]
fn date_and_client_filters() {
    let f = fixture();
    let set = export::select(
        &f.vault,
        &ExportOptions {
            client: Some(f.client_a),
            from: Some(t("2025-03-15T00:00:00+04:00")),
            to: Some(t("2025-03-31T00:00:00+04:00")),
            ..Default::default()
        },
    )
    .expect("select");
    let ids: Vec<_> = incidents_of(&set).iter().map(|i| i.record.id).collect();
    assert_eq!(ids, vec![f.inc_no_consent, f.inc_restricted]);
    assert_eq!(set.clients.len(), 1);
}

#[test]
fn schema_rejects_what_it_should() {
    let f = fixture();
    let (_, v) = log(&f, Profile::Full, &[]);
    let validator = schema_validator();
    let mut bad = v.clone();
    bad["incidents"][0]["secret_extra"] = serde_json::json!("x");
    assert!(!validator.is_valid(&bad), "unknown incident field accepted");
    let mut bad = v.clone();
    bad["incidents"][0]["type"] = serde_json::json!("made_up");
    assert!(!validator.is_valid(&bad), "unknown type accepted");
    let mut bad = v.clone();
    bad["version"] = serde_json::json!(3);
    assert!(!validator.is_valid(&bad), "version 3 accepted");
    // Version 2 names a note's incidents as a list, each once; the older
    // single `incident_id` is version 1's.
    let mut bad = v.clone();
    bad["evidence"][0]["incident_id"] = bad["evidence"][0]["incident_ids"][0].clone();
    assert!(
        !validator.is_valid(&bad),
        "incident_id accepted in version 2"
    );
    let mut bad = v;
    let first = bad["evidence"][0]["incident_ids"][0].clone();
    bad["evidence"][0]["incident_ids"] = serde_json::json!([first.clone(), first]);
    assert!(
        !validator.is_valid(&bad),
        "an incident listed twice accepted"
    );
}

/// Frozen v1 log (tests/fixtures/incident-log.v1.json, written by the NGO
/// profile of a build before issue 12 and committed). Do not modify: this
/// build writes version 2, and must still read version 1, whose evidence
/// names its one incident as `incident_id`.
#[test]
fn frozen_v1_log_still_validates_and_imports() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/incident-log.v1.json");
    let bytes = std::fs::read(&path).expect("golden log");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_valid_as(&log_schema(1), &v);
    let parsed = vekil::import::parse_log(&bytes).expect("v1 log parses");
    assert_eq!(parsed.incidents.len(), 2);
    assert_eq!(parsed.clients.len(), 2);
    // Its note's one incident, read as a list of that incident.
    let linked: uuid::Uuid = v["evidence"][0]["incident_id"]
        .as_str()
        .expect("a v1 note names its incident")
        .parse()
        .expect("uuid");
    assert_eq!(parsed.evidence.len(), 1);
    assert_eq!(parsed.evidence[0].data.incident_ids, vec![linked]);
    let tmp = tempfile::tempdir().expect("tmp");
    let ngo = new_vault(&tmp.path().join("ngo"));
    let from = vekil::store::Origin::Signer(
        "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into(),
    );
    ngo.write(|w| {
        for r in &parsed.clients {
            w.put_stored(r, &from)?;
        }
        for r in &parsed.cases {
            w.put_stored(r, &from)?;
        }
        for r in &parsed.incidents {
            w.put_stored(r, &from)?;
        }
        for r in &parsed.evidence {
            w.put_stored(r, &from)?;
        }
        Ok(())
    })
    .expect("merge");
    assert_eq!(ngo.count(vekil::model::Kind::Incident).expect("count"), 2);
}
