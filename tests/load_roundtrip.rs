//! Lossless round trip (issue 11, point 1), as a property: records of
//! every kind with a non-default value in every field (every enum variant
//! reachable, Azerbaijani, Russian and NFD text, offsets other than UTC)
//! (the facility register's entries and the incident's link to one
//! included) are listed as `list --json` lists them, read back through a JSON file
//! and through JSON Lines into a second vault, and listed again: every
//! field of every record, envelope included, must come out as it went in.
//!
//! The same file and stream also go through the `vekil` binary (`load
//! FILE`, `load -`), the path a user takes: before the fix `add --json`
//! dropped `kind` of hearings, deadlines and evidence and made ids,
//! revisions and timestamps afresh (`tests/cli_records.rs` pins those
//! defects one by one).

mod common;
#[path = "support/records_gen.rs"]
mod records_gen;

use chrono::{DateTime, Utc};
use common::{fast, pass, Cli};
use proptest::prelude::*;
use records_gen::{set, variants, Set};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;
use vekil::load::{self, Incoming, Item, Mode, Outcome};
use vekil::model::*;
use vekil::store::ListFilter;
use vekil::vault::Vault;

fn incoming<T>(data: T, id: Uuid, env: (u32, DateTime<Utc>, DateTime<Utc>)) -> Incoming<T> {
    Incoming {
        id: Some(id),
        revision: Some(env.0),
        created_at: Some(env.1),
        updated_at: Some(env.2),
        data,
    }
}

/// The ids of a loaded set: one record of each kind, and the incidents
/// beyond the first that the evidence note documents.
struct Ids {
    one: [Uuid; 7],
    more_incidents: Vec<Uuid>,
}

/// The set, linked, as one load (ids of its own), in an order links do
/// not like: evidence first. The note documents as many incidents as the
/// generator gave it (0 to 3): the set's incident and copies of it, in an
/// order that is not theirs.
fn items(mut s: Set) -> (Vec<Item>, Ids) {
    let ids = [(); 7].map(|_| Uuid::new_v4());
    let [client, case, hearing, deadline, incident, evidence, facility] = ids;
    s.case.client_ids = vec![client];
    s.hearing.case_id = case;
    s.deadline.case_id = case;
    s.incident.client_id = client;
    s.incident.case_id = Some(case);
    s.incident.facility.id = Some(facility);
    // Linked by id and written by one of the entry's names (another name
    // would name another place).
    s.incident.facility.name = s.facility.name.clone();
    let wanted = s.evidence.incident_ids.len();
    let more_incidents: Vec<Uuid> = (1..wanted).map(|_| Uuid::new_v4()).collect();
    let mut linked: Vec<Uuid> = std::iter::once(incident)
        .chain(more_incidents.iter().copied())
        .take(wanted)
        .collect();
    linked.reverse();
    s.evidence.incident_ids = linked;
    s.evidence.case_id = Some(case);
    s.evidence.client_id = Some(client);
    let e = &s.envelopes;
    let item = |at: &str, record| Item {
        at: at.into(),
        record,
    };
    use load::AnyIncoming as A;
    let mut items: Vec<Item> = more_incidents
        .iter()
        .map(|id| {
            item(
                "incident",
                A::Incident(incoming(s.incident.clone(), *id, e[4])),
            )
        })
        .collect();
    items.extend([
        item(
            "evidence",
            A::Evidence(incoming(s.evidence, evidence, e[5])),
        ),
        item(
            "incident",
            A::Incident(incoming(s.incident, incident, e[4])),
        ),
        item(
            "deadline",
            A::Deadline(incoming(s.deadline, deadline, e[3])),
        ),
        item("hearing", A::Hearing(incoming(s.hearing, hearing, e[2]))),
        item("case", A::Case(incoming(s.case, case, e[1]))),
        item("client", A::Client(incoming(s.client, client, e[0]))),
        item(
            "facility",
            A::Facility(incoming(s.facility, facility, e[6])),
        ),
    ]);
    (
        items,
        Ids {
            one: ids,
            more_incidents,
        },
    )
}

fn listed<T: Record + Serialize>(v: &Vault, id: Uuid) -> Value {
    serde_json::to_value(v.get::<T>(id).expect("get")).expect("json")
}

/// Each record as `list --json` prints it (the same serialisation of
/// `Stored`), tagged with its kind.
/// In link order (a JSON Lines stream is saved line by line).
fn listing(v: &Vault, ids: &Ids) -> Vec<(Kind, Value)> {
    let one = &ids.one;
    let mut out = vec![
        (Kind::Client, listed::<Client>(v, one[0])),
        (Kind::Facility, listed::<FacilityEntry>(v, one[6])),
        (Kind::Case, listed::<Case>(v, one[1])),
        (Kind::Hearing, listed::<Hearing>(v, one[2])),
        (Kind::Deadline, listed::<Deadline>(v, one[3])),
        (Kind::Incident, listed::<Incident>(v, one[4])),
    ];
    for id in &ids.more_incidents {
        out.push((Kind::Incident, listed::<Incident>(v, *id)));
    }
    out.push((Kind::Evidence, listed::<EvidenceNote>(v, one[5])));
    out
}

/// Field by field, so a failure names the field.
fn assert_same(kind: Kind, a: &Value, b: &Value) -> Result<(), TestCaseError> {
    let (a, b) = (a.as_object().expect("obj"), b.as_object().expect("obj"));
    for (k, va) in a {
        prop_assert_eq!(Some(va), b.get(k), "{} {}", kind, k);
    }
    prop_assert_eq!(a.len(), b.len(), "{}: fields added", kind);
    Ok(())
}

/// Runs `vekil` with `input` on its standard input; its stdout.
fn with_input(cli: &Cli, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = cli
        .cmd(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("send");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn vault(t: &tempfile::TempDir, name: &str) -> Vault {
    Vault::create_with(&t.path().join(name), &pass(), &fast())
        .expect("vault")
        .0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn what_is_listed_loads_back_identically_through_json_and_json_lines(s in set()) {
        let t = tempfile::tempdir().expect("temp dir");
        let a = vault(&t, "a");
        let (items, ids) = items(s);
        let loaded = a.load(items, Mode::Add).expect("load into a");
        prop_assert!(loaded.iter().all(|l| l.outcome == Outcome::Added));
        let first = listing(&a, &ids);
        // The incident is at its register entry, and carries the entry.
        let (entry, incident) = (&first[1].1, &first[5].1);
        prop_assert_eq!(&incident["facility"]["id"], &entry["id"]);
        prop_assert_eq!(&incident["facility"]["name"], &entry["name"]);
        // The envelope came in with the record, not made afresh.
        for (kind, v) in &first {
            prop_assert!(v["revision"].as_u64().unwrap_or(0) >= 2, "{} revision", kind);
        }

        // Each as published in docs/schema/<kind>.v1.schema.json.
        for (kind, v) in &first {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("docs/schema/{}.v1.schema.json", kind.as_str()));
            let schema: Value = serde_json::from_slice(&std::fs::read(path).expect("schema"))
                .expect("schema json");
            let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
            let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
            prop_assert!(errors.is_empty(), "{} against its schema: {:?}", kind, errors);
        }

        // A JSON file: one document with a list per kind, as a lawyer
        // would assemble the output of `list --json`.
        let mut doc = serde_json::Map::new();
        for (kind, v) in &first {
            let key = format!("{}s", kind.as_str())
                .replace("evidences", "evidence")
                .replace("facilitys", "facilities");
            match doc.entry(key).or_insert_with(|| Value::Array(vec![])) {
                Value::Array(list) => list.push(v.clone()),
                _ => unreachable!("each kind's value is a list"),
            }
        }
        let text = serde_json::to_string_pretty(&Value::Object(doc)).expect("text");
        let value: Value = serde_json::from_str(&text).expect("parse");
        let b = vault(&t, "b");
        b.load(load::json::items(value, "file").expect("items"), Mode::Add).expect("load into b");
        for ((kind, x), (_, y)) in first.iter().zip(listing(&b, &ids).iter()) {
            assert_same(*kind, x, y)?;
        }

        // JSON Lines: one tagged record per line, each its own load (as
        // `load -` saves them), so in link order.
        let lines: Vec<String> = first
            .iter()
            .map(|(kind, v)| serde_json::json!({ kind.as_str(): v }).to_string())
            .collect();
        let c = vault(&t, "c");
        for (n, line) in lines.iter().enumerate() {
            let value: Value = serde_json::from_str(line).expect("line");
            c.load(load::json::items(value, &format!("line {n}")).expect("items"), Mode::Add)
                .expect("load a line");
        }
        for ((kind, x), (_, y)) in first.iter().zip(listing(&c, &ids).iter()) {
            assert_same(*kind, x, y)?;
        }

        // The same through the binary: the file, then the stream.
        let cli = Cli::new(&t.path().join("d"));
        drop(vault(&t, "d/vault"));
        let file = t.path().join("all.json");
        std::fs::write(&file, &text).expect("write");
        cli.ok(&["load", &file.to_string_lossy()]);
        let d = Vault::unlock(&cli.vault, &pass()).expect("unlock d");
        for ((kind, x), (_, y)) in first.iter().zip(listing(&d, &ids).iter()) {
            assert_same(*kind, x, y)?;
        }
        drop(d);
        let cli = Cli::new(&t.path().join("e"));
        drop(vault(&t, "e/vault"));
        let out = with_input(&cli, &["load", "-"], &(lines.join("\n") + "\n"));
        prop_assert_eq!(out.lines().count(), first.len());
        let e = Vault::unlock(&cli.vault, &pass()).expect("unlock e");
        for ((kind, x), (_, y)) in first.iter().zip(listing(&e, &ids).iter()) {
            assert_same(*kind, x, y)?;
        }
        drop(e);

        // And loading it all again adds nothing.
        let value: Value = serde_json::from_str(&text).expect("parse");
        let again = b.load(load::json::items(value, "file").expect("items"), Mode::Add).expect("again");
        prop_assert!(again.iter().all(|l| l.outcome == Outcome::Unchanged));
    }
}

#[test]
fn every_enum_variant_is_reachable() {
    // The generators draw from these lists; a list serde cannot give
    // (a non-enum, or one variant) would make them silently narrow.
    assert_eq!(variants::<HearingKind>().len(), 7);
    assert_eq!(variants::<DeadlineKind>().len(), 6);
    assert_eq!(variants::<EvidenceKind>().len(), 8);
    assert_eq!(variants::<LegalStandard>().len(), LegalStandard::ALL.len());
    let _ = ListFilter::default();
}
