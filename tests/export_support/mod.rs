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
    ev.incident_ids = vec![i1.id];
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

/// The schema of the log this build writes (version 2).
pub fn schema_validator() -> jsonschema::Validator {
    log_schema(2)
}

/// The published schema of log version `n`.
pub fn log_schema(n: u32) -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("docs/schema/incident-log.v{n}.schema.json")),
    )
    .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

pub fn assert_valid(v: &serde_json::Value) {
    assert_valid_as(&schema_validator(), v);
}

/// `v` against one version's schema.
pub fn assert_valid_as(validator: &jsonschema::Validator, v: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
}

/// The set most tests export: the NGO profile, for the recipient NGO.
pub fn select_for_ngo(vault: &Vault) -> vekil::export::ExportSet<'_> {
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

/// Every incident a set exports, redacted, in order.
pub fn incidents_of(set: &vekil::export::ExportSet<'_>) -> Vec<vekil::export::Out<Incident>> {
    let mut out = vec![];
    set.each_incident(&mut |o| {
        out.push(o.clone());
        Ok(())
    })
    .expect("incidents");
    out
}

/// Every evidence note a set exports, redacted, in order.
pub fn evidence_of(set: &vekil::export::ExportSet<'_>) -> Vec<vekil::export::Out<EvidenceNote>> {
    let mut out = vec![];
    set.each_evidence(&mut |o| {
        out.push(o.clone());
        Ok(())
    })
    .expect("evidence");
    out
}

/// A PNG of one pixel with correct CRCs and, when `text` is given, a
/// `tEXt` chunk (metadata that an NGO export strips).
pub fn png(text: Option<&str>) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut p, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    if let Some(t) = text {
        let mut data = b"Comment\0".to_vec();
        data.extend_from_slice(t.as_bytes());
        chunk(&mut p, b"tEXt", &data);
    }
    let raw = [0u8, 0x80];
    let mut z = vec![0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF];
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    chunk(&mut p, b"IDAT", &z);
    chunk(&mut p, b"IEND", &[]);
    p
}

/// What [`generated_vault`] made.
pub struct Generated {
    pub vault: Vault,
    pub incidents: usize,
    /// An incident that leaves in the NGO profile.
    pub consented_incident: Uuid,
}

/// A lawyer's vault of `incidents` incidents that is the same, byte for
/// byte in every export, each time it is made: fixed ids and times, every
/// record written with `put_stored`. Azerbaijani Latin (ə ı İ ş ğ),
/// Russian Cyrillic and NFD text; day-only dates in UTC+4; witnesses whose
/// names come back in other incidents' text (re-identification hits);
/// drafts, restricted and confidential incidents, consent with and
/// without health, evidence with attachments (a text file, and a PNG
/// whose metadata an NGO export strips), hearings, deadlines. With
/// `custody`, evidence has a chain of custody whose custodians' names are
/// looked for in the text (an NGO log numbers them: `custodian 1`).
pub fn generated_vault(dir: &Path, incidents: usize, custody: bool) -> Generated {
    use unicode_normalization::UnicodeNormalization;
    let vault = new_vault(dir);
    let local = vekil::store::Origin::Local;
    let base = t("2024-01-01T09:00:00+04:00");
    let created = chrono::DateTime::parse_from_rfc3339("2024-01-01T05:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let id = |kind: u128, n: usize| Uuid::from_u128((kind << 96) | n as u128);
    fn stored<T: Record>(
        id: Uuid,
        revision: u32,
        at: chrono::DateTime<chrono::Utc>,
        data: T,
    ) -> Stored<T> {
        Stored {
            id,
            revision,
            created_at: at,
            updated_at: at,
            data,
        }
    }
    let surnames = [
        "Həsənov",
        "Məmmədova",
        "Quliyev",
        "Əliyev",
        "İsmayılova",
        "Şıxəliyev",
        "Ağayev",
        "Петров",
        "Смирнова",
        "Кузнецов",
        "Гусейнов",
        "Ибрагимова",
    ];
    let given = [
        "Rəşad",
        "Günel",
        "Elçin",
        "Şəbnəm",
        "Tural",
        "İlkin",
        "Айдын",
        "Наталья",
    ];
    let clients_n = 40.max(incidents / 25).min(400);
    let cases_n = clients_n / 2;
    let ngo_consent = |health: bool| Consent {
        recipient: NGO.into(),
        granted: true,
        include_health: health,
        recorded_on: Some(chrono::NaiveDate::from_ymd_opt(2024, 1, 2).expect("day")),
    };
    vault
        .write(|w| {
            for c in 0..clients_n {
                let mut name = format!(
                    "{} {}",
                    given[c % given.len()],
                    surnames[(c * 7) % surnames.len()]
                );
                if c % 5 == 0 {
                    // As macOS and some phones send it.
                    name = name.nfd().collect();
                }
                let mut cl = Client::new(name, format!("C-{c:04}"));
                cl.arrested_at = Some(EventTime {
                    at: base - chrono::Duration::days(3 + (c % 20) as i64),
                    precision: if c % 3 == 0 {
                        DatePrecision::Day
                    } else {
                        DatePrecision::Minute
                    },
                });
                cl.contacts = vec![Contact {
                    label: "ana / мать".into(),
                    value: format!("Səkinə {}", surnames[(c * 5 + 3) % surnames.len()]),
                }];
                if c % 4 == 0 {
                    cl.risk_flags = vec![RiskFlag::Health, RiskFlag::Threats];
                }
                cl.notes = format!("Şəxsi qeyd {c}; личная заметка");
                w.put_stored(&stored(id(1, c), 1, created, cl), &local)?;
            }
            for k in 0..cases_n {
                let mut case = Case::new(id(1, k * 2), format!("1-{}/{k:04}", 2024));
                if k % 3 == 0 {
                    case.client_ids.push(id(1, k * 2 + 1));
                }
                case.court = "Bakı Ağır Cinayətlər Məhkəməsi".into();
                case.notes = "Məhkəmə qeydi".into();
                w.put_stored(&stored(id(2, k), 1, created, case), &local)?;
            }
            for i in 0..incidents {
                let client = i % clients_n;
                let at = base + chrono::Duration::minutes(53 * i as i64);
                let mut inc = Incident::quick(
                    id(1, client),
                    if i % 2 == 0 {
                        format!("Bakı şəhəri {} saylı İstintaq Təcridxanası", i % 7)
                    } else {
                        format!("ИВС ГУВД города Баку № {}", i % 5)
                    },
                    at,
                    IncidentType::ALL[i % IncidentType::ALL.len()],
                );
                if i % 6 == 0 {
                    // A day-only date, at midnight in Baku.
                    inc.occurred = EventTime {
                        at: t("2024-03-01T00:00:00+04:00")
                            + chrono::Duration::days((i % 300) as i64),
                        precision: DatePrecision::Day,
                    };
                }
                if client % 2 == 0 && client / 2 < cases_n {
                    inc.case_id = Some(id(2, client / 2));
                }
                inc.facility.region = if i % 2 == 0 { "Bakı" } else { "Баку" }.into();
                inc.facility.identifying = i % 3 == 0;
                inc.facility.facility_type = FacilityType::PretrialDetention;
                inc.authority = ["Baş Prokurorluq", "DTX", "Полиция"][i % 3].into();
                let witness = format!(
                    "{} {}",
                    given[(i + 3) % given.len()],
                    surnames[(i * 11) % surnames.len()]
                );
                inc.reason_given = match i % 4 {
                    0 => "Müstəntiq icazə vermədi; Следователь запретил свидание".into(),
                    1 => format!(
                        "İstintaq sirri; {} qapıda gözləyirdi",
                        surnames[(i * 3) % surnames.len()]
                    ),
                    2 => "«Тайна следствия», без письменного отказа".into(),
                    _ => format!("Karantin elan edildi (№{i})"),
                };
                inc.officials = vec![Official {
                    name: surnames[(i + 1) % surnames.len()].into(),
                    rank: "mayor".into(),
                    unit: "İstintaq şöbəsi".into(),
                    badge: format!("{:05}", i * 13 % 99_999),
                }];
                inc.witnesses = vec![Witness {
                    name: witness,
                    kind: [
                        WitnessKind::Relative,
                        WitnessKind::Lawyer,
                        WitnessKind::Other,
                    ][i % 3],
                    role: "gözləyirdi".into(),
                    contact: format!("+994 50 {:03} {:02} {:02}", i % 1000, i % 97, i % 89),
                }];
                if i % 10 == 0 {
                    inc.remedies = vec![Remedy {
                        complaint_to: "Baş Prokurorluq".into(),
                        filed_on: chrono::NaiveDate::from_ymd_opt(2024, 2, 1 + (i % 28) as u32),
                        reference: format!("Ş-{i}"),
                        response: "Cavab verilməyib".into(),
                        response_on: None,
                    }];
                }
                inc.standards = vec![LegalStandard::UnBprl8, LegalStandard::Echr6_3c];
                inc.domestic_articles = vec!["CPM 91.5.9".into()];
                inc.requested_at = Some(at - chrono::Duration::minutes(30));
                if i % 3 != 2 {
                    inc.meeting_at = Some(at + chrono::Duration::hours(20 + (i % 50) as i64));
                }
                inc.minutes_waited = Some((i % 240) as u32);
                inc.client_condition = "Sol qolunda göyərmə; синяк".into();
                inc.visible_injuries = i % 7 == 0;
                inc.notes = format!("Qeyd {i}: vəkil qəbul edilmədi");
                inc.notes_shareable = i % 9 == 0;
                inc.consent = match i % 10 {
                    9 => vec![],
                    8 => vec![ngo_consent(true)],
                    _ => vec![ngo_consent(false)],
                };
                inc.confidentiality = match i % 23 {
                    0 => Confidentiality::Restricted,
                    1 => Confidentiality::Confidential,
                    _ => Confidentiality::Normal,
                };
                inc.status = if i % 17 == 0 {
                    RecordStatus::Draft
                } else {
                    RecordStatus::Final
                };
                w.put_stored(&stored(id(3, i), 1 + (i % 3) as u32, created, inc), &local)?;
            }
            Ok(())
        })
        .expect("generate records");
    // Evidence with custody, on every 20th incident; the first few carry
    // attachments (stored for real, then re-saved at fixed times).
    let evidence_n = incidents / 20;
    for e in 0..evidence_n {
        let mut note = EvidenceNote::new(format!(
            "Rədd cavabı № {e} / Письменный отказ; {}",
            surnames[(e * 5) % surnames.len()]
        ));
        note.incident_ids = vec![id(3, e * 20 + 1)];
        note.kind = EvidenceKind::OfficialReply;
        if custody {
            note.custody = vec![CustodyEntry {
                who: format!("Vəkil {}", surnames[(e + 4) % surnames.len()]),
                at: base + chrono::Duration::days(e as i64),
                action: "qəbul etdi".into(),
            }];
        }
        let eid = id(4, e);
        vault
            .write(|w| w.put_stored(&stored(eid, 1, created, note), &local))
            .expect("evidence");
        if e < 6 {
            vault
                .attach(
                    eid,
                    &format!("şikayət-{e}.txt"),
                    format!("Şikayət {e} / Жалоба\n").as_bytes(),
                )
                .expect("attach text");
            vault
                .attach(eid, "foto.png", &png(Some(&format!("GPS 40.4{e} 49.8{e}"))))
                .expect("attach png");
            let mut s = vault.get::<EvidenceNote>(eid).expect("evidence back");
            s.revision += 1;
            s.created_at = created;
            s.updated_at = created + chrono::Duration::days(1);
            vault
                .write(|w| w.put_stored(&s, &local))
                .expect("fixed times");
        }
    }
    vault
        .write(|w| {
            for k in 0..cases_n.min(30) {
                let mut h = Hearing::new(
                    id(2, k),
                    base + chrono::Duration::days(30 + k as i64),
                    HearingKind::DetentionExtension,
                );
                h.court = "Bakı, Nəsimi rayon məhkəməsi; zal 3".into();
                w.put_stored(&stored(id(5, k), 1, created, h), &local)?;
                let d = Deadline {
                    case_id: id(2, k),
                    due: base + chrono::Duration::days(33 + k as i64),
                    kind: DeadlineKind::Appeal,
                    source_rule: "CPM 384, 20 gün".into(),
                    done: false,
                    notes: String::new(),
                };
                w.put_stored(&stored(id(6, k), 1, created, d), &local)?;
            }
            Ok(())
        })
        .expect("calendar");
    Generated {
        vault,
        incidents,
        consented_incident: id(3, 2),
    }
}
