//! Shared fixture for the export/import tests: a lawyer's vault with
//! Azerbaijani and Russian records, consent set per organisation, and an
//! NGO identity.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;
use vekil::model::*;
use vekil::secret::Passphrase;
use vekil::vault::VaultOptions;
use vekil::Vault;

pub const NGO: &str = "Human Rights Centre";
pub const PASS: &str = "correct horse battery staple 42";

pub fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test time")
}

pub fn new_vault(dir: &Path) -> Vault {
    Vault::create_with(
        dir,
        &Passphrase::new(PASS.into()),
        &VaultOptions { kdf_log_n: 10 },
    )
    .expect("create vault")
    .0
}

pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub vault: Vault,
    pub ngo_key: PathBuf,
    pub ngo_public: String,
    pub client_a: Uuid,
    pub client_b: Uuid,
    pub case_a: Uuid,
    /// Consent for NGO, no health consent, identifying facility.
    pub inc_consented: Uuid,
    /// Consent for NGO with health.
    pub inc_health: Uuid,
    /// No consent at all.
    pub inc_no_consent: Uuid,
    /// Consent for NGO but restricted.
    pub inc_restricted: Uuid,
    /// Consent for "public" only.
    pub inc_public: Uuid,
    pub evidence: Uuid,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vault = new_vault(&tmp.path().join("lawyer"));
    let ngo_key = tmp.path().join("ngo-key.txt");
    let ngo_public = vekil::import::keygen(&ngo_key).expect("keygen");
    vekil::export::recipients::add(&vault, NGO, &ngo_public).expect("add recipient");

    let mut a = Client::new("Əli Həsənov", "Client A-17");
    a.arrested_at = Some(EventTime::exact(t("2025-03-10T08:00:00+04:00")));
    a.contacts = vec![Contact {
        label: "mother".into(),
        value: "+994 50 123 45 67".into(),
    }];
    a.notes = "PRIVATE-CLIENT-NOTE".into();
    a.risk_flags = vec![RiskFlag::Health, RiskFlag::Threats];
    let a = vault.insert(a).expect("client a");
    let mut b = Client::new("Иван Петров", "Client B-02");
    b.arrested_at = Some(EventTime::exact(t("2025-04-01T10:00:00+04:00")));
    let b = vault.insert(b).expect("client b");
    let mut case = Case::new(a.id, "1-2025/0117");
    case.court = "Bakı Ağır Cinayətlər Məhkəməsi".into();
    case.notes = "PRIVATE-CASE-NOTE".into();
    let case = vault.insert(case).expect("case");

    let consent = |health: bool| Consent {
        recipient: NGO.into(),
        granted: true,
        include_health: health,
        recorded_on: None,
    };

    let mut i1 = Incident::quick(
        a.id,
        "Bakı şəhəri 1 saylı İstintaq Təcridxanası",
        t("2025-03-11T09:30:00+04:00"),
        IncidentType::AccessDenied,
    );
    i1.case_id = Some(case.id);
    i1.facility.region = "Bakı".into();
    i1.facility.identifying = true;
    i1.facility.facility_type = FacilityType::PretrialDetention;
    i1.authority = "Baş Prokurorluq".into();
    i1.reason_given = "Müstəntiq icazə vermədi; ğ ı ö ş ç ü İ Ə".into();
    i1.client_condition = "HEALTH-DETAIL bruise on the left arm".into();
    i1.visible_injuries = true;
    i1.witnesses = vec![Witness {
        name: "Rəşad Quliyev".into(),
        kind: WitnessKind::Lawyer,
        role: "other lawyer".into(),
        contact: "WITNESS-CONTACT +994 55 000".into(),
    }];
    i1.officials = vec![Official {
        name: "Məmmədov".into(),
        rank: "major".into(),
        ..Default::default()
    }];
    i1.standards = vec![LegalStandard::UnBprl8, LegalStandard::Echr6_3c];
    i1.requested_at = Some(t("2025-03-11T09:00:00+04:00"));
    i1.meeting_at = Some(t("2025-03-12T14:00:00+04:00"));
    i1.notes = "LAWYER-PRIVATE-NOTE".into();
    i1.consent = vec![consent(false)];
    i1.status = RecordStatus::Final;
    let i1 = vault.insert(i1).expect("i1");

    let mut i2 = Incident::quick(
        b.id,
        "ИВС ГУВД города Баку",
        t("2025-04-02T11:00:00+04:00"),
        IncidentType::MeetingWithoutConfidentiality,
    );
    i2.reason_given = "Следователь запретил свидание, сославшись на «тайну следствия»".into();
    i2.client_condition = "Следы побоев на лице".into();
    i2.meeting_at = Some(t("2025-04-03T10:00:00+04:00"));
    i2.authority = "Полиция".into();
    i2.consent = vec![consent(true)];
    i2.standards = vec![LegalStandard::Iccpr14_3b];
    i2.status = RecordStatus::Final;
    let i2 = vault.insert(i2).expect("i2");

    let i3 = vault
        .insert(Incident::quick(
            a.id,
            "Polis şöbəsi 22",
            t("2025-03-20T10:00:00+04:00"),
            IncidentType::AccessDelayed,
        ))
        .expect("i3");

    let mut i4 = Incident::quick(
        a.id,
        "DTX istintaq təcridxanası",
        t("2025-03-21T10:00:00+04:00"),
        IncidentType::WhereaboutsWithheld,
    );
    i4.confidentiality = Confidentiality::Restricted;
    i4.consent = vec![consent(true)];
    let i4 = vault.insert(i4).expect("i4");

    let mut i5 = Incident::quick(
        b.id,
        "Qaradağ polis şöbəsi",
        t("2025-05-01T10:00:00+04:00"),
        IncidentType::LawyerThreatened,
    );
    i5.notes = "Shareable note".into();
    i5.notes_shareable = true;
    i5.status = RecordStatus::Final;
    i5.consent = vec![Consent {
        recipient: "public".into(),
        granted: true,
        include_health: false,
        recorded_on: None,
    }];
    let i5 = vault.insert(i5).expect("i5");

    let mut ev = EvidenceNote::new("Written refusal from the investigator");
    ev.incident_id = Some(i1.id);
    let ev = vault.insert(ev).expect("evidence");
    vault
        .attach(ev.id, "refusal.txt", "Rədd cavabı / Отказ\n".as_bytes())
        .expect("attach text");
    vault
        .attach(ev.id, "photo.jpg", b"\xff\xd8\xff\xe0 fake jpeg with GPS")
        .expect("attach image");

    let mut h = Hearing::new(
        case.id,
        t("2025-06-01T10:00:00+04:00"),
        HearingKind::DetentionExtension,
    );
    h.court = "Bakı, Nəsimi rayon məhkəməsi; zal 3".into();
    vault.insert(h).expect("hearing");
    vault
        .insert(Deadline {
            case_id: case.id,
            due: t("2025-06-05T18:00:00+04:00"),
            kind: DeadlineKind::Appeal,
            source_rule: "CPC art. 449, 3 days".into(),
            done: false,
            notes: String::new(),
        })
        .expect("deadline");

    Fixture {
        tmp,
        vault,
        ngo_key,
        ngo_public,
        client_a: a.id,
        client_b: b.id,
        case_a: case.id,
        inc_consented: i1.id,
        inc_health: i2.id,
        inc_no_consent: i3.id,
        inc_restricted: i4.id,
        inc_public: i5.id,
        evidence: ev.id,
    }
}

/// Runs a system tool; fails the test, naming the Debian package, if the
/// tool is missing.
pub fn tool(bin: &str, package: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(bin).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{bin}` is not installed; install the Debian package `{package}` (apt-get install {package})"
    );
    Command::new(bin)
}

pub fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema/incident-log.v1.schema.json"),
    )
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

pub fn assert_valid(v: &serde_json::Value) {
    let validator = schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

/// The set most tests export: the NGO profile, for the recipient NGO.
pub fn select_for_ngo(vault: &Vault) -> vekil::export::ExportSet {
    vekil::export::select(
        vault,
        &vekil::export::ExportOptions {
            profile: vekil::export::Profile::Ngo,
            recipients: vec![NGO.into()],
            ..Default::default()
        },
    )
    .expect("select")
}
