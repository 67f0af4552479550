//! Formats frozen by fixtures (issue 11, point 8): a vault, a bundle and
//! the NGO key that opens it, all written by the first release (commit
//! 0e48fdf; `tests/fixtures/v1/README.md` says how). Today's build must
//! open, verify and upgrade the vault, and import the bundle once the
//! organisation trusts its signer, so that a change that strands a
//! lawyer's old vault or an NGO's old bundle fails here first.

mod common;

use common::{fast, pass};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use vekil::import::{self, signers, ImportError, ImportOptions, SignedBy};
use vekil::load::{self, Mode, Outcome};
use vekil::model::{
    Case, Client, Deadline, EvidenceNote, FacilityEntry, Hearing, Incident, Kind, Record,
};
use vekil::store::{ListFilter, Origin};
use vekil::vault::Vault;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1")
}

/// A copy of the v1 vault: opening upgrades it, and the fixture must stay
/// as the first release wrote it.
fn v1_vault() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("temp dir");
    let dir = t.path().join("vault");
    std::fs::create_dir_all(&dir).expect("dir");
    for e in std::fs::read_dir(fixtures().join("vault")).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.join(e.file_name())).expect("copy");
    }
    (t, dir)
}

fn header(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("vault.json")).expect("header")).expect("json")
}

/// What the first release's `list --json` printed, per kind.
fn listed_by_v1() -> Value {
    serde_json::from_slice(&std::fs::read(fixtures().join("listed.json")).expect("listed"))
        .expect("json")
}

fn listed_now<T: Record>(v: &Vault) -> Vec<Value> {
    let all = v
        .list::<T>(&ListFilter {
            limit: Some(u32::MAX),
            ..Default::default()
        })
        .expect("list");
    all.iter()
        .map(|s| serde_json::to_value(s).expect("json"))
        .collect()
}

/// Every field the first release wrote is still there with its value
/// (today's build may add fields; it may not drop or change one).
fn assert_kept(kind: &str, then: &Value, now: &[Value]) {
    let then = then.as_array().expect("a list");
    assert_eq!(then.len(), now.len(), "{kind}: records lost or gained");
    for old in then {
        let id = &old["id"];
        let new = now
            .iter()
            .find(|n| n["id"] == *id)
            .unwrap_or_else(|| panic!("{kind} {id} is gone"));
        for (field, value) in old.as_object().expect("object") {
            assert_eq!(&new[field], value, "{kind} {id}: {field} changed");
        }
    }
}

#[test]
fn the_first_release_vault_opens_verifies_and_upgrades() {
    let (_t, dir) = v1_vault();
    assert_eq!(header(&dir)["version"], 1);
    assert_eq!(
        header(&dir)["kdf_log_n"],
        10,
        "the fixture is a cheap test vault"
    );

    let v = Vault::unlock(&dir, &pass()).expect("today's build opens a v1 vault");
    // Its two facility names become the register (issue 11.5), each
    // incident linked with a revision of its own.
    assert!(
        v.unlock_report()
            .notices
            .contains(&vekil::vault::UnlockNotice::FacilityRegisterBuilt {
                facilities: 2,
                linked: 2
            }),
        "{:?}",
        v.unlock_report().notices
    );
    let r = v.verify().expect("verify");
    assert!(r.is_ok(), "{:?}", r.problems);
    assert_eq!((r.records, r.revisions), (8 + 2, 11 + 2 + 2));

    let then = listed_by_v1();
    let entries = listed_now::<FacilityEntry>(&v);
    for i in listed_now::<Incident>(&v) {
        let linked = &i["facility"]["id"];
        let entry = entries
            .iter()
            .find(|e| e["id"] == *linked)
            .unwrap_or_else(|| panic!("incident {} is not linked: {linked}", i["id"]));
        assert_eq!(entry["name"], i["facility"]["name"]);
    }
    assert_kept("client", &then["client"], &listed_now::<Client>(&v));
    assert_kept("case", &then["case"], &listed_now::<Case>(&v));
    assert_kept("hearing", &then["hearing"], &listed_now::<Hearing>(&v));
    assert_kept("deadline", &then["deadline"], &listed_now::<Deadline>(&v));
    // Kept as written: linking to the register is one revision, which
    // adds the link and nothing else.
    let mut incidents = listed_now::<Incident>(&v);
    for i in &mut incidents {
        let old = then["incident"]
            .as_array()
            .expect("list")
            .iter()
            .find(|o| o["id"] == i["id"])
            .expect("listed by v1");
        assert_eq!(i["revision"], old["revision"].as_u64().expect("rev") + 1);
        i["revision"] = old["revision"].clone();
        i["updated_at"] = old["updated_at"].clone();
        i["facility"]
            .as_object_mut()
            .expect("facility")
            .remove("id");
    }
    assert_kept("incident", &then["incident"], &incidents);
    // A note named one incident (`incident_id`, an id or null) before it
    // could document several: it is read, as it was stored, as the list
    // of that one incident (`incident_ids`), and nothing else changes.
    let mut notes_then = then["evidence"].clone();
    for n in notes_then.as_array_mut().expect("list") {
        let n = n.as_object_mut().expect("object");
        let one = n.remove("incident_id").expect("a v1 note has incident_id");
        let ids: Vec<Value> = one.is_string().then_some(one).into_iter().collect();
        n.insert("incident_ids".into(), Value::Array(ids));
    }
    assert_kept("evidence", &notes_then, &listed_now::<EvidenceNote>(&v));
    // The incident page finds it by its incident, stored as it was.
    let note = &then["evidence"][0];
    let incident: uuid::Uuid = note["incident_id"]
        .as_str()
        .expect("linked")
        .parse()
        .expect("uuid");
    let found = v.evidence_of_incidents(&[incident]).expect("query");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.to_string(), note["id"].as_str().expect("id"));

    // Saving works on the upgraded vault, and the upgrade is for good.
    let mut c = Client::new("Nigar Əhmədova", "C-004");
    c.notes = "Перевод из ИВС".into();
    v.insert(c).expect("save");
    assert!(v.verify().expect("verify").is_ok());
    drop(v);
    let h = header(&dir);
    assert_eq!(h["version"], 2);
    assert!(h["mac"].is_string());
    let v = Vault::unlock(&dir, &pass()).expect("reopen");
    assert_eq!(v.count(Kind::Client).expect("count"), 3);
    assert!(v.verify().expect("verify").is_ok());
}

#[test]
fn the_first_release_bundle_imports_after_trusting_its_signer() {
    let t = tempfile::tempdir().expect("temp dir");
    let (ngo, _) = Vault::create_with(&t.path().join("ngo"), &pass(), &fast()).expect("ngo");
    let bundle = fixtures().join("bundle.age");
    let identity = import::read_identity(&fixtures().join("ngo.key")).expect("identity");
    let signer = std::fs::read_to_string(fixtures().join("signer.pub")).expect("signer.pub");

    // Checked against the key given for once: the signature still holds.
    let key = signers::parse_key(&signer).expect("the v1 signing key parses");
    let checked = import::verify(&bundle, &identity, SignedBy::Key(&key)).expect("verify");
    assert!(!checked.has_report, "made with --no-pdf");

    // Not trusted yet: refused, nothing written.
    let err = import::import(&ngo, &bundle, &identity, &ImportOptions::default())
        .expect_err("an untrusted signer's bundle was imported");
    assert!(matches!(err, ImportError::UntrustedSigner { .. }), "{err}");
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 0);

    signers::trust(&ngo, "Vəkil Məmmədova", &signer).expect("trust");
    let r = import::import(&ngo, &bundle, &identity, &ImportOptions::default()).expect("import");
    assert_eq!(r.signer, "Vəkil Məmmədova");
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    // The places its incidents name are in the organisation's register,
    // and the incidents, signed by their lawyer, are left as sent.
    let places: Vec<String> = listed_now::<FacilityEntry>(&ngo)
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(places.len(), 2, "{places:?}");
    for i in listed_now::<Incident>(&ngo) {
        assert!(i["facility"].get("id").is_none(), "{i}");
        let name = i["facility"]["name"].as_str().expect("name");
        assert!(places.iter().any(|p| p == name), "{name} not registered");
        let at = ngo
            .list::<Incident>(&ListFilter {
                facility: Some(name.into()),
                ..Default::default()
            })
            .expect("at facility");
        assert_eq!(at.len(), 1, "--at-facility {name}");
    }

    // The NGO profile's incidents, as the first release wrote them.
    let then = listed_by_v1();
    let now = listed_now::<Incident>(&ngo);
    for old in then["incident"].as_array().expect("list") {
        let new = now
            .iter()
            .find(|n| n["id"] == old["id"])
            .expect("an incident of the bundle is missing");
        for field in ["type", "occurred", "revision", "status", "reason_given"] {
            assert_eq!(new[field], old[field], "{field}");
        }
        assert_eq!(new["facility"]["name"], old["facility"]["name"]);
    }
    // Its note, which named its incident as `incident_id`, documents it.
    let notes = listed_now::<EvidenceNote>(&ngo);
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["incident_ids"],
        then["evidence"][0]["incident_id"]
            .as_str()
            .map(|id| json!([id]))
            .expect("the v1 note is linked")
    );
    assert!(ngo.verify().expect("verify").is_ok());

    // A load never changes another lawyer's record, even with --upsert;
    // the same content loads back as no change.
    let theirs = now[0].clone();
    let id: uuid::Uuid = theirs["id"].as_str().expect("id").parse().expect("uuid");
    let same = load::json::items(json!({ "incidents": [theirs.clone()] }), "file").expect("items");
    let r = ngo
        .load(same, Mode::Upsert)
        .expect("an unchanged copy loads");
    assert_eq!(r[0].outcome, Outcome::Unchanged);
    let mut changed = theirs;
    changed["reason_given"] = "Dəyişdirilmiş səbəb".into();
    let items = load::json::items(json!({ "incidents": [changed] }), "file").expect("items");
    let err = ngo
        .load(items, Mode::Upsert)
        .expect_err("an imported record was loaded over");
    assert!(err.to_string().contains("came from"), "{err}");
    assert_eq!(listed_now::<Incident>(&ngo), now, "a refused load wrote");
    // What the organisation loads itself is its own.
    let mine = json!({"clients": [{"id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d77",
        "full_name": "Sevinc Quliyeva", "pseudonym": "N-001"}]});
    ngo.load(load::json::items(mine, "file").expect("items"), Mode::Add)
        .expect("load");
    let origin = ngo
        .write(|w| {
            w.origin_of(
                Kind::Client,
                "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d77"
                    .parse()
                    .expect("uuid"),
            )
        })
        .expect("origin");
    assert_eq!(origin, Some(Origin::Local));
    assert!(matches!(
        ngo.write(|w| w.origin_of(Kind::Incident, id))
            .expect("origin"),
        Some(Origin::Signer(_))
    ));

    // Importing it again changes nothing.
    let again = import::import(&ngo, &bundle, &identity, &ImportOptions::default()).expect("again");
    assert!(again.conflicts.is_empty());
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    // And adds no place to the register twice.
    let places: Vec<String> = listed_now::<FacilityEntry>(&ngo)
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(places.len(), 2, "{places:?}");
    for i in listed_now::<Incident>(&ngo) {
        assert!(i["facility"].get("id").is_none(), "{i}");
        let name = i["facility"]["name"].as_str().expect("name");
        assert!(places.iter().any(|p| p == name), "{name} not registered");
        let at = ngo
            .list::<Incident>(&ListFilter {
                facility: Some(name.into()),
                ..Default::default()
            })
            .expect("at facility");
        assert_eq!(at.len(), 1, "--at-facility {name}");
    }
}
