//! What leaves, checked against the documentation (issue 9, point 2).
//!
//! A maximal record of every kind is built with every text field set to a
//! unique marker, exported through the CLI under every profile in every
//! format (JSON, CSV, PDF read back with stock `pdftotext`, ICS, HURIDOCS,
//! and the bundle opened with stock `age` and `tar`: manifest, every file,
//! every entry name). Each marker must then be found, or not found, as the
//! per-profile table in `docs/formats/profiles.md` says; fields that are
//! not text are checked by their presence in the JSON log. Every row of
//! the table must be checked by one of the two, so a field added to a
//! record without a test and a documentation row fails here.

mod export_support;

use export_support::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use uuid::Uuid;
use vekil::model::*;

/// Which of the two incidents a marker belongs to: `A` has health consent
/// and shareable notes for every recipient, `B` has neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Variant {
    Any,
    A,
    B,
}

#[derive(Default)]
struct Markers {
    by_marker: BTreeMap<String, (String, String, Variant)>,
}

impl Markers {
    fn mk(&mut self, record: &str, path: &str, v: Variant) -> String {
        let m = format!("QZ{:03}X", self.by_marker.len() + 1);
        self.by_marker
            .insert(m.clone(), (record.into(), path.into(), v));
        m
    }
}

/// One row of the documented table.
#[derive(Debug, Clone)]
struct Row {
    record: String,
    path: String,
    /// backup, full, ngo, public.
    rules: [String; 4],
}

fn documented_rows() -> Vec<Row> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/formats/profiles.md"),
    )
    .expect("docs/formats/profiles.md");
    let mut rows = vec![];
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() != 6 || !cells[1].starts_with('`') {
            continue;
        }
        rows.push(Row {
            record: cells[0].to_string(),
            path: cells[1].trim_matches('`').to_string(),
            rules: [2, 3, 4, 5].map(|i| cells[i].to_string()),
        });
    }
    assert!(
        rows.len() > 50,
        "the field table in docs/formats/profiles.md was not found"
    );
    rows
}

/// One way an export can go.
#[derive(Debug, Clone, Copy)]
struct Export {
    name: &'static str,
    profile: &'static str,
    /// Column of the table.
    column: usize,
    to_ngo: bool,
}

const EXPORTS: [Export; 4] = [
    Export {
        name: "backup",
        profile: "full",
        column: 0,
        to_ngo: false,
    },
    Export {
        name: "full to NGO",
        profile: "full",
        column: 1,
        to_ngo: true,
    },
    Export {
        name: "ngo",
        profile: "ngo",
        column: 2,
        to_ngo: true,
    },
    Export {
        name: "public",
        profile: "public",
        column: 3,
        to_ngo: false,
    },
];

/// Whether a value of this field must be found, must not be, or cannot be
/// checked by a marker (links are ids, which leave by design).
#[derive(Debug, PartialEq)]
enum Expect {
    Present,
    Absent,
    Unchecked,
}

fn expect(rule: &str, v: Variant) -> Expect {
    let r = rule.to_ascii_lowercase();
    if r == "leaves" {
        Expect::Present
    } else if r.contains("removed") || r.contains("replaced") || r == "—" {
        Expect::Absent
    } else if r.contains("health consent") || r.contains("shareable") {
        match v {
            Variant::A => Expect::Present,
            Variant::B => Expect::Absent,
            Variant::Any => Expect::Unchecked,
        }
    } else if r.contains("linked record") {
        Expect::Unchecked
    } else {
        panic!("unknown rule in docs/formats/profiles.md: {rule:?}")
    }
}

struct Built {
    tmp: tempfile::TempDir,
    vault_dir: PathBuf,
    ngo_key: PathBuf,
    markers: Markers,
    incident_a: Uuid,
    incident_b: Uuid,
}

fn build() -> Built {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vault_dir = tmp.path().join("lawyer");
    let vault = new_vault(&vault_dir);
    let ngo_key = tmp.path().join("ngo-key.txt");
    let ngo_public = vekil::import::keygen(&ngo_key).expect("keygen");
    vekil::export::recipients::add(&vault, NGO, &ngo_public).expect("recipient");
    let mut m = Markers::default();
    use Variant::Any;

    let mut client = Client::new(
        m.mk("client", "full_name", Any),
        m.mk("client", "pseudonym", Any),
    );
    client.procedural_status = ProceduralStatus::Accused;
    client.arrested_at = Some(EventTime::exact(t("2025-03-10T06:00:00+04:00")));
    client.place_of_detention = m.mk("client", "place_of_detention", Any);
    client.charges = vec![m.mk("client", "charges", Any)];
    client.case_numbers = vec![m.mk("client", "case_numbers", Any)];
    client.contacts = vec![Contact {
        label: m.mk("client", "contacts[].label", Any),
        value: m.mk("client", "contacts[].value", Any),
    }];
    client.risk_flags = vec![RiskFlag::Health, RiskFlag::Threats];
    client.notes = m.mk("client", "notes", Any);
    let client = vault.insert(client).expect("client");

    let mut case = Case::new(client.id, m.mk("case", "case_number", Any));
    case.court = m.mk("case", "court", Any);
    case.investigating_authority = m.mk("case", "investigating_authority", Any);
    case.judge = m.mk("case", "judge", Any);
    case.prosecutor = m.mk("case", "prosecutor", Any);
    case.charges = vec![m.mk("case", "charges", Any)];
    case.status = CaseStatus::Trial;
    case.opened_on = chrono::NaiveDate::from_ymd_opt(2025, 3, 10);
    case.closed_on = chrono::NaiveDate::from_ymd_opt(2025, 12, 1);
    case.notes = m.mk("case", "notes", Any);
    let case = vault.insert(case).expect("case");

    let mut incident = |v: Variant, at: &str| {
        let r = "incident";
        let mut i = Incident::quick(
            client.id,
            m.mk(r, "facility.name", v),
            t(at),
            IncidentType::AccessDenied,
        );
        i.case_id = Some(case.id);
        i.occurred.precision = DatePrecision::Minute;
        i.facility.facility_type = FacilityType::PretrialDetention;
        i.facility.region = m.mk(r, "facility.region", v);
        i.facility.identifying = true;
        i.requested_at = Some(t(at) - chrono::Duration::hours(2));
        i.refused_at = Some(t(at) - chrono::Duration::hours(1));
        i.meeting_at = Some(t(at) + chrono::Duration::hours(5));
        i.minutes_waited = Some(95);
        i.meeting_minutes = Some(20);
        i.authority = m.mk(r, "authority", v);
        i.officials = vec![Official {
            name: m.mk(r, "officials[].name", v),
            rank: m.mk(r, "officials[].rank", v),
            unit: m.mk(r, "officials[].unit", v),
            badge: m.mk(r, "officials[].badge", v),
        }];
        i.reason_given = m.mk(r, "reason_given", v);
        i.written_refusal = true;
        i.legal_basis_cited = m.mk(r, "legal_basis_cited", v);
        i.meeting_conditions = m.mk(r, "meeting_conditions", v);
        i.client_condition = m.mk(r, "client_condition", v);
        i.visible_injuries = true;
        i.witnesses = vec![Witness {
            name: m.mk(r, "witnesses[].name", v),
            kind: WitnessKind::Relative,
            role: m.mk(r, "witnesses[].role", v),
            contact: m.mk(r, "witnesses[].contact", v),
        }];
        i.remedies = vec![Remedy {
            complaint_to: m.mk(r, "remedies[].complaint_to", v),
            filed_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 12),
            reference: m.mk(r, "remedies[].reference", v),
            response: m.mk(r, "remedies[].response", v),
            response_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 20),
        }];
        i.standards = vec![LegalStandard::UnBprl8];
        i.domestic_articles = vec![m.mk(r, "domestic_articles", v)];
        i.confidentiality = Confidentiality::Normal;
        let health = v == Variant::A;
        i.consent = [NGO, "public"]
            .into_iter()
            .map(|org| Consent {
                recipient: org.into(),
                granted: true,
                include_health: health,
                recorded_on: chrono::NaiveDate::from_ymd_opt(2025, 3, 11),
            })
            .collect();
        i.status = RecordStatus::Final;
        i.notes = m.mk(r, "notes", v);
        i.notes_shareable = health;
        i
    };
    let a = incident(Variant::A, "2025-03-11T09:30:00+04:00");
    let b = incident(Variant::B, "2025-03-12T09:30:00+04:00");
    let a = vault.insert(a).expect("incident a");
    let b = vault.insert(b).expect("incident b");

    let mut ev = EvidenceNote::new(m.mk("evidence", "description", Any));
    ev.incident_ids = vec![a.id];
    ev.case_id = Some(case.id);
    ev.client_id = Some(client.id);
    ev.kind = EvidenceKind::Photo;
    ev.source = m.mk("evidence", "source", Any);
    ev.obtained_at = Some(EventTime::exact(t("2025-03-11T11:00:00+04:00")));
    ev.custody = vec![CustodyEntry {
        who: m.mk("evidence", "custody[].who", Any),
        at: t("2025-03-11T12:00:00+04:00"),
        action: m.mk("evidence", "custody[].action", Any),
    }];
    let ev = vault.insert(ev).expect("evidence");
    let file_name = format!("{}.png", m.mk("evidence", "attachments[].file_name", Any));
    vault.attach(ev.id, &file_name, &png(None)).expect("attach");

    let mut h = Hearing::new(
        case.id,
        t("2025-06-01T10:00:00+04:00"),
        HearingKind::DetentionExtension,
    );
    let hr = "hearing (calendar only)";
    h.court = m.mk(hr, "court", Any);
    h.courtroom = m.mk(hr, "courtroom", Any);
    h.judge = m.mk(hr, "judge", Any);
    h.outcome = m.mk(hr, "outcome", Any);
    h.next_step = m.mk(hr, "next_step", Any);
    h.notes = m.mk(hr, "notes", Any);
    vault.insert(h).expect("hearing");
    let dr = "deadline (calendar only)";
    vault
        .insert(Deadline {
            case_id: case.id,
            due: t("2025-06-05T18:00:00+04:00"),
            kind: DeadlineKind::Appeal,
            source_rule: m.mk(dr, "source_rule", Any),
            done: false,
            notes: m.mk(dr, "notes", Any),
        })
        .expect("deadline");
    vault.close().expect("close");
    Built {
        tmp,
        vault_dir,
        ngo_key,
        markers: m,
        incident_a: a.id,
        incident_b: b.id,
    }
}

fn vekil(b: &Built, args: &[&str]) -> std::process::Output {
    let home = b.tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    Command::new(env!("CARGO_BIN_EXE_vekil"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("TMPDIR", &home)
        .env("VEKIL_VAULT", &b.vault_dir)
        .env("VEKIL_PASSPHRASE", PASS)
        .output()
        .expect("run vekil")
}

/// Every output of one export, as text, by where it was found.
fn outputs(b: &Built, e: Export) -> Vec<(String, String)> {
    let dir = b.tmp.path().join(e.name.replace(' ', "-"));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut found = vec![];
    let mut base = vec!["export", "--profile", e.profile];
    if e.to_ngo {
        base.extend(["--to", NGO]);
    }
    for format in ["json", "csv", "pdf", "ics", "huridocs", "bundle"] {
        if format == "bundle" && !e.to_ngo {
            continue;
        }
        let out = dir.join(format!("out.{format}"));
        let out_s = out.to_string_lossy().into_owned();
        let mut args = base.clone();
        args.extend(["--format", format, "--out", &out_s]);
        let o = vekil(b, &args);
        assert!(
            o.status.success(),
            "{} {format}: {}",
            e.name,
            String::from_utf8_lossy(&o.stderr)
        );
        match format {
            "pdf" => found.push((format!("{} PDF", e.name), pdf_text(&out))),
            "bundle" => found.extend(bundle_texts(b, &out, &dir, e.name)),
            "ics" => {
                let text = std::fs::read_to_string(&out).expect("ics");
                found.push((format!("{} ICS", e.name), text.replace("\r\n ", "")));
            }
            _ => found.push((
                format!("{} {format}", e.name),
                std::fs::read_to_string(&out).expect("output"),
            )),
        }
    }
    found
}

fn pdf_text(path: &Path) -> String {
    let o = tool("pdftotext", "poppler-utils")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(o.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The bundle opened with the stock tools: entry names, and each file.
fn bundle_texts(b: &Built, bundle: &Path, dir: &Path, name: &str) -> Vec<(String, String)> {
    let tar = dir.join("bundle.tar");
    let o = tool("age", "age")
        .arg("-d")
        .arg("-i")
        .arg(&b.ngo_key)
        .arg("-o")
        .arg(&tar)
        .arg(bundle)
        .output()
        .expect("age");
    assert!(
        o.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let names = Command::new("tar")
        .arg("tf")
        .arg(&tar)
        .output()
        .expect("tar tf");
    let x = dir.join("x");
    std::fs::create_dir_all(&x).expect("x");
    let o = Command::new("tar")
        .arg("xf")
        .arg(&tar)
        .arg("-C")
        .arg(&x)
        .output()
        .expect("tar x");
    assert!(o.status.success());
    let mut out = vec![(
        format!("{name} bundle entry names"),
        String::from_utf8_lossy(&names.stdout).into_owned(),
    )];
    for (path, bytes) in walk(&x) {
        let shown = path.strip_prefix(&x).unwrap_or(&path).display().to_string();
        let text = if shown.ends_with(".pdf") {
            pdf_text(&path)
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        out.push((format!("{name} bundle {shown}"), text));
    }
    out
}

fn walk(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            let bytes = std::fs::read(&p).expect("read");
            out.push((p, bytes));
        }
    }
    out
}

/// The value at a documented path (`facility.name`, `witnesses[].kind`)
/// in a record of the JSON log, if the key is there.
fn json_at<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match part.strip_suffix("[]") {
            Some(list) => cur.get(list)?.as_array()?.first()?,
            None => cur.get(part)?,
        };
    }
    Some(cur)
}

#[test]
fn every_field_leaves_exactly_as_documented() {
    let b = build();
    let rows = documented_rows();
    let mut checked: HashMap<(String, String), usize> = HashMap::new();
    let mut wrong = vec![];

    // Every marker must belong to a documented field.
    for (marker, (record, path, _)) in &b.markers.by_marker {
        if !rows.iter().any(|r| &r.record == record && &r.path == path) {
            wrong.push(format!(
                "{marker}: {record} `{path}` is not in docs/formats/profiles.md"
            ));
        }
    }

    for e in EXPORTS {
        let outs = outputs(&b, e);
        // Markers: found where the table says, nowhere else.
        for (marker, (record, path, v)) in &b.markers.by_marker {
            let Some(row) = rows.iter().find(|r| &r.record == record && &r.path == path) else {
                continue;
            };
            let rule = &row.rules[e.column];
            let places: Vec<&str> = outs
                .iter()
                .filter(|(_, text)| text.contains(marker.as_str()))
                .map(|(w, _)| w.as_str())
                .collect();
            match expect(rule, *v) {
                Expect::Present if places.is_empty() => wrong.push(format!(
                    "{}: {record} `{path}` ({v:?}) should leave ({rule}) but is in no output",
                    e.name
                )),
                Expect::Absent if !places.is_empty() => wrong.push(format!(
                    "{}: {record} `{path}` ({v:?}) must not leave ({rule}) but is in: {}",
                    e.name,
                    places.join(", ")
                )),
                _ => {}
            }
            *checked.entry((record.clone(), path.clone())).or_default() += 1;
        }
        // Other fields: their key in the JSON log.
        let json_text = &outs
            .iter()
            .find(|(w, _)| w.ends_with(" json"))
            .expect("json output")
            .1;
        let log: serde_json::Value = serde_json::from_str(json_text).expect("log is JSON");
        for row in &rows {
            let list = match row.record.as_str() {
                "client" => "clients",
                "case" => "cases",
                "incident" | "every record" => "incidents",
                "evidence" => "evidence",
                _ => continue,
            };
            if b.markers
                .by_marker
                .values()
                .any(|(r, p, _)| r == &row.record && p == &row.path)
            {
                continue;
            }
            let rule = &row.rules[e.column];
            for (v, id) in [(Variant::A, b.incident_a), (Variant::B, b.incident_b)] {
                let records = log[list].as_array().cloned().unwrap_or_default();
                // Incidents are told apart by id; other lists have one record.
                let record = if list == "incidents" {
                    records.iter().find(|r| r["id"] == id.to_string()).cloned()
                } else {
                    records.first().cloned()
                };
                let present = record
                    .as_ref()
                    .and_then(|r| json_at(r, &row.path))
                    .is_some();
                let v = if list == "incidents" { v } else { Variant::Any };
                // A replaced value keeps its key; its marker (if text) is
                // what shows the replacement.
                let want = if rule.contains("replaced") {
                    Expect::Unchecked
                } else {
                    expect(rule, v)
                };
                match want {
                    Expect::Present if !present => wrong.push(format!(
                        "{}: {} `{}` ({v:?}) should be in the JSON log ({rule})",
                        e.name, row.record, row.path
                    )),
                    Expect::Absent if present && record.is_some() => wrong.push(format!(
                        "{}: {} `{}` ({v:?}) must not be in the JSON log ({rule})",
                        e.name, row.record, row.path
                    )),
                    _ => {}
                }
                if list != "incidents" {
                    break;
                }
            }
            *checked
                .entry((row.record.clone(), row.path.clone()))
                .or_default() += 1;
        }
    }

    // Every documented row was checked by one of the two ways (calendar
    // rows that are not text are dates, kinds and flags of the ICS event).
    for row in &rows {
        let calendar_non_text = row.record.contains("calendar")
            && !b
                .markers
                .by_marker
                .values()
                .any(|(r, p, _)| r == &row.record && p == &row.path);
        if !calendar_non_text && !checked.contains_key(&(row.record.clone(), row.path.clone())) {
            wrong.push(format!(
                "{} `{}` is documented but not checked by this test",
                row.record, row.path
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} problem(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
