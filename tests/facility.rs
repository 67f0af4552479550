//! The facility register (issue 11, point 5): one place is one row in the
//! statistics and one answer to `--at-facility`, however its name was
//! typed, and all text is stored in NFC.

mod common;
use chrono::TimeZone;
use common::new_vault;
use unicode_normalization::UnicodeNormalization;
use vekil::model::*;
use vekil::store::ListFilter;
use vekil::Vault;

const KURDEXANI: &str = "Kürdəxanı İstintaq Təcridxanası";

fn nfd(s: &str) -> String {
    s.nfd().collect()
}

/// A day in Baku (UTC+4).
fn at(day: u32) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::FixedOffset::east_opt(4 * 3600)
        .unwrap()
        .with_ymd_and_hms(2025, 3, day, 10, 0, 0)
        .unwrap()
}

fn client(v: &Vault, pseudonym: &str) -> uuid::Uuid {
    v.insert(Client::new("Rəşad Məmmədov", pseudonym))
        .unwrap()
        .id
}

fn incident_at(v: &Vault, c: uuid::Uuid, facility: &str, day: u32) -> Stored<Incident> {
    v.insert(Incident::quick(
        c,
        facility,
        at(day),
        IncidentType::AccessDenied,
    ))
    .unwrap()
}

// ------------------------------------------------- regressions (fail on main)

#[test]
fn one_facility_typed_composed_and_decomposed_is_one_row_in_stats() {
    let (_t, _d, v, _) = new_vault();
    let c = client(&v, "C-001");
    let nfd_name = nfd(KURDEXANI);
    assert_ne!(nfd_name, KURDEXANI, "the test needs two encodings");
    incident_at(&v, c, KURDEXANI, 3);
    incident_at(&v, c, &nfd_name, 4);
    incident_at(&v, c, "Bakı İVS", 5);
    let s = vekil::stats::stats(&v).unwrap();
    assert_eq!(s.by_facility.len(), 2, "{:?}", s.by_facility);
    assert_eq!(
        s.by_facility.get(KURDEXANI),
        Some(&2),
        "{:?}",
        s.by_facility
    );
}

#[test]
fn at_facility_finds_the_record_typed_decomposed() {
    let (_t, _d, v, _) = new_vault();
    let c = client(&v, "C-001");
    let a = incident_at(&v, c, KURDEXANI, 3);
    let b = incident_at(&v, c, &nfd(KURDEXANI), 4);
    incident_at(&v, c, "Bakı İVS", 5);
    for typed in [KURDEXANI.to_owned(), nfd(KURDEXANI)] {
        let f = ListFilter {
            facility: Some(typed.clone()),
            ..Default::default()
        };
        let mut found: Vec<_> = v
            .list::<Incident>(&f)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        found.sort();
        let mut want = vec![a.id, b.id];
        want.sort();
        assert_eq!(found, want, "--at-facility {typed:?}");
    }
}

#[test]
fn decomposed_text_is_stored_composed_in_every_kind() {
    let (_t, _d, v, _) = new_vault();
    let mut c = Client::new(nfd("Rəşad Məmmədov"), "C-001");
    c.notes = nfd("Qardaşı İlqar; адвокат Журавлёв");
    let c = v.insert(c).unwrap();
    let got = v.get::<Client>(c.id).unwrap();
    assert_eq!(got.data.full_name, "Rəşad Məmmədov");
    assert_eq!(got.data.notes, "Qardaşı İlqar; адвокат Журавлёв");
    let mut i = Incident::quick(c.id, nfd(KURDEXANI), at(3), IncidentType::AccessDenied);
    i.reason_given = nfd("Müstəntiqin icazəsi yoxdur");
    let i = v.insert(i).unwrap();
    let got = v.get::<Incident>(i.id).unwrap();
    assert_eq!(got.data.facility.name, KURDEXANI);
    assert_eq!(got.data.reason_given, "Müstəntiqin icazəsi yoxdur");
    // An edit typed decomposed is composed too, and its history says so.
    let mut d = got.data.clone();
    d.notes = nfd("Növbətçi: Şəmsəddin");
    let u = v.update(i.id, got.revision, d).unwrap();
    assert_eq!(u.data.notes, "Növbətçi: Şəmsəddin");
    let h = v.history(Kind::Incident, i.id).unwrap();
    assert_eq!(
        h.last().unwrap().changes["notes"]["new"],
        "Növbətçi: Şəmsəddin"
    );
}

// ------------------------------------------------------------- the register

/// A copy of the schema-4 vault (tests/fixtures/vault-v4-facilities).
fn v4_vault() -> (tempfile::TempDir, std::path::PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("vault");
    std::fs::create_dir_all(&dir).unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vault-v4-facilities");
    for f in [
        "vault.json",
        "key.passphrase.age",
        "key.recovery.age",
        "vekil.db",
    ] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap();
    }
    (t, dir)
}

fn at_facility(v: &Vault, text: &str) -> usize {
    v.list::<Incident>(&ListFilter {
        facility: Some(text.into()),
        ..Default::default()
    })
    .unwrap()
    .len()
}

#[test]
fn a_vault_from_before_the_register_groups_its_names_and_keeps_its_history() {
    let (_t, dir) = v4_vault();
    let v = Vault::unlock(&dir, &common::pass()).unwrap();
    // Kürdəxanı (composed, decomposed, in capitals), Kurdakhany SIZO and
    // Кюрдаханы СИЗО are one place by search's keys (issue 11.5); "Polis
    // bölməsi 3" in Şəki and in Gəncə are two.
    assert_eq!(
        v.unlock_report().notices,
        [vekil::vault::UnlockNotice::FacilityRegisterBuilt {
            facilities: 3,
            linked: 9
        }]
    );
    let incidents = v.list::<Incident>(&ListFilter::default()).unwrap();
    assert_eq!(incidents.len(), 9);
    for i in &incidents {
        assert!(i.data.facility.id.is_some(), "{:?}", i.data.facility);
        assert!(i.revision >= 2, "linking is a revision");
    }
    let kurdexani: Vec<_> = incidents
        .iter()
        .filter(|i| i.data.facility.name == KURDEXANI)
        .collect();
    assert_eq!(
        kurdexani.len(),
        6,
        "named by the spelling used most, in NFC"
    );
    assert!(kurdexani
        .iter()
        .all(|i| i.data.facility.id == kurdexani[0].data.facility.id
            && i.data.facility.region == "Bakı"
            && i.data.facility.facility_type == FacilityType::PretrialDetention));
    let into = kurdexani[0].data.facility.id.unwrap();
    assert_eq!(
        v.get::<FacilityEntry>(into).unwrap().data.spellings,
        ["Kurdakhany SIZO", "Кюрдаханы СИЗО"],
        "the other ways the incidents wrote it are kept for documents"
    );

    let s = vekil::stats::stats(&v).unwrap();
    assert_eq!(s.by_facility.len(), 3, "{:?}", s.by_facility);
    assert_eq!(s.by_facility[KURDEXANI], 6);
    assert_eq!(s.by_facility["Polis bölməsi 3 (Şəki)"], 2);
    assert_eq!(s.by_facility["Polis bölməsi 3 (Gəncə)"], 1);

    let r = v.verify().unwrap();
    assert!(r.is_ok(), "{:?}", r.problems);
    assert_eq!(r.revisions, 12 + 3 + 9, "twelve old entries kept");
    drop(v);
    let v = Vault::unlock(&dir, &common::pass()).unwrap();
    assert!(v.unlock_report().notices.is_empty(), "once only");

    // An entry the lawyer added by hand for the same place is merged: its
    // incident is relinked with a revision, and the entry merged away
    // keeps its history.
    let mut old = FacilityEntry::new("Qaradağ rayonu, 7 nömrəli təcridxana");
    old.region = "Bakı".into();
    let dup = v.insert(old).unwrap().id;
    let c = v.list::<Client>(&ListFilter::default()).unwrap()[0].id;
    let mut i = Incident::quick(c, "", at(12), IncidentType::AccessDenied);
    i.facility.id = Some(dup);
    let moved = v.insert(i).unwrap();
    assert_eq!(resolve_all(&v, "qaradag rayonu 7 nomreli tecridxana"), dup);
    assert_eq!(v.merge_facilities(dup, into).unwrap().relinked, 1);
    let after = v.get::<Incident>(moved.id).unwrap();
    assert_eq!(after.revision, moved.revision + 1);
    assert_eq!(after.data.facility.id, Some(into));
    assert_eq!(after.data.facility.name, KURDEXANI);
    let h = v.history(Kind::Incident, moved.id).unwrap();
    assert_eq!(
        h.last().unwrap().changes["facility"]["old"]["name"],
        "Qaradağ rayonu, 7 nömrəli təcridxana"
    );
    let gone = v.history(Kind::Facility, dup).unwrap();
    assert_eq!(gone.last().unwrap().op, "delete");
    assert!(v.get::<FacilityEntry>(dup).is_err());
    let kept = v.get::<FacilityEntry>(into).unwrap();
    assert_eq!(
        kept.data.spellings,
        [
            "Kurdakhany SIZO",
            "Кюрдаханы СИЗО",
            "Qaradağ rayonu, 7 nömrəli təcridxana"
        ]
    );

    let s = vekil::stats::stats(&v).unwrap();
    assert_eq!(s.by_facility.len(), 3, "{:?}", s.by_facility);
    assert_eq!(s.by_facility[KURDEXANI], 7);
    for spelling in [
        KURDEXANI,
        "кюрдаханы сизо",
        "KURDAKHANY SIZO",
        "Kurdakhany pre-trial detention centre",
        &nfd(KURDEXANI),
        "Qaradag rayonu 7 nomreli tecridxana",
    ] {
        assert_eq!(at_facility(&v, spelling), 7, "--at-facility {spelling:?}");
    }
    assert!(v.verify().unwrap().is_ok());
}

fn resolve_all(v: &Vault, text: &str) -> uuid::Uuid {
    v.resolve_facility(text).unwrap()
}

/// Issue 11.1 (point 5): "Kürdəxanı", "Kurdakhany", "Кюрдаханы" and the
/// same letters decomposed are one facility, by the keys search matches
/// by: an incident typed with any of them links to the one entry, the
/// quick log offers it, and `--at-facility` finds them all.
#[test]
fn spellings_in_three_alphabets_and_nfd_resolve_to_one_facility() {
    let (_t, _d, v, _) = new_vault();
    let c = client(&v, "C-001");
    let spellings = ["Kürdəxanı", "Kurdakhany", "Кюрдаханы", &nfd("Kürdəxanı")];
    let first = incident_at(&v, c, spellings[0], 1)
        .data
        .facility
        .id
        .unwrap();
    for (day, s) in spellings.iter().enumerate() {
        let i = incident_at(&v, c, s, day as u32 + 2);
        assert_eq!(i.data.facility.id, Some(first), "{s:?}");
        assert_eq!(i.data.facility.name, "Kürdəxanı", "the entry's own name");
        assert_eq!(v.resolve_facility(s).unwrap(), first, "{s:?}");
        let offered = v.facility_suggest(s, 10).unwrap();
        assert_eq!(offered.len(), 1, "{s:?}: {offered:?}");
        assert_eq!(offered[0].id, first);
    }
    for s in spellings {
        assert_eq!(at_facility(&v, s), 5, "--at-facility {s:?}");
    }
    assert_eq!(v.count(Kind::Facility).unwrap(), 1);
    let s = vekil::stats::stats(&v).unwrap();
    assert_eq!(s.by_facility.len(), 1, "{:?}", s.by_facility);
    assert_eq!(s.by_facility["Kürdəxanı"], 5);
}

#[test]
fn the_quick_log_finds_an_entry_by_any_spelling_and_links_to_it() {
    let (_t, _d, v, _) = new_vault();
    let c = client(&v, "C-001");
    let mut e = FacilityEntry::new(KURDEXANI);
    e.facility_type = FacilityType::PretrialDetention;
    e.region = "Bakı".into();
    e.spellings = vec![
        "Кюрдаханы СИЗО".into(),
        "Kurdakhany SIZO".into(),
        "Qaradağ təcridxanası".into(),
    ];
    let e = v.insert(e).unwrap();

    for typed in ["кюрд", "Kurdak", "kürdəx", "TƏCRİDXANASI kür", "СИЗО"] {
        let offered = v.facility_suggest(typed, 10).unwrap();
        assert_eq!(offered.len(), 1, "{typed:?}: {offered:?}");
        assert_eq!(offered[0].id, e.id);
    }
    // "кюрд" is the name's own sound; "Qaradağ" only another spelling's.
    assert_eq!(v.facility_suggest("кюрд", 10).unwrap()[0].matched, None);
    assert_eq!(
        v.facility_suggest("Гарадаг", 10).unwrap()[0]
            .matched
            .as_deref(),
        Some("Qaradağ təcridxanası")
    );
    assert!(v.facility_suggest("Gəncə", 10).unwrap().is_empty());

    // Typed by another spelling, the incident is linked and carries the
    // entry's own name, type and region.
    let i = incident_at(&v, c, "Kurdakhany SIZO", 3);
    assert_eq!(i.data.facility.id, Some(e.id));
    assert_eq!(i.data.facility.name, KURDEXANI);
    assert_eq!(i.data.facility.region, "Bakı");
    assert_eq!(v.facility_suggest("", 10).unwrap()[0].incidents, 1);

    // A new name adds an entry.
    let j = incident_at(&v, c, "Gəncə İVS", 4);
    let added = v.get::<FacilityEntry>(j.data.facility.id.unwrap()).unwrap();
    assert_eq!(added.data.name, "Gəncə İVS");

    // Renaming the entry renames it in its incidents, each with a revision.
    let mut renamed = e.data.clone();
    renamed.name = "Kürdəxanı İstintaq Təcridxanası №1".into();
    v.update(e.id, e.revision, renamed).unwrap();
    let i2 = v.get::<Incident>(i.id).unwrap();
    assert_eq!(i2.data.facility.name, "Kürdəxanı İstintaq Təcridxanası №1");
    assert_eq!(i2.revision, i.revision + 1);
}

#[test]
fn an_unknown_facility_id_is_refused_naming_the_field_and_saves_nothing() {
    let (_t, _d, v, _) = new_vault();
    let c = client(&v, "C-001");
    let mut i = Incident::quick(c, KURDEXANI, at(3), IncidentType::AccessDenied);
    i.facility.id = Some(uuid::Uuid::new_v4());
    let e = v.insert(i).unwrap_err().to_string();
    assert!(
        e.contains("facility.id") && e.contains("vekil facility list"),
        "{e}"
    );
    assert_eq!(v.count(Kind::Incident).unwrap(), 0);
    assert_eq!(v.count(Kind::Facility).unwrap(), 0);
}

/// An import merges thousands of incidents naming a few places in one
/// transaction, and puts each place into the register (found by any
/// spelling, else added, gaps in type and region filled). The register
/// it leaves is the one the same records leave merged one at a time.
#[test]
fn an_import_in_one_transaction_leaves_the_register_that_one_record_at_a_time_leaves() {
    let origin = vekil::store::Origin::Signer(
        "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into(),
    );
    let kurdexani_nfd = nfd(KURDEXANI);
    let places = [
        (KURDEXANI, FacilityType::Other, "", false),
        (
            kurdexani_nfd.as_str(),
            FacilityType::PretrialDetention,
            "Bakı",
            false,
        ),
        ("Кюрдаханы СИЗО", FacilityType::Other, "", true),
        (KURDEXANI, FacilityType::Court, "Bakı", false),
        ("Gəncə İVS", FacilityType::Other, "", false),
        (
            "Gəncə İVS",
            FacilityType::TemporaryDetention,
            "Gəncə",
            false,
        ),
    ];
    fn stored<T: Record>(n: u128, data: T) -> Stored<T> {
        Stored {
            id: uuid::Uuid::from_u128(n),
            revision: 1,
            created_at: at(1).with_timezone(&chrono::Utc),
            updated_at: at(1).with_timezone(&chrono::Utc),
            data,
        }
    }
    let register = |one_transaction: bool| {
        let (_t, _d, v, _) = new_vault();
        let client = stored(1, Client::new("Rəşad Məmmədov", "C-001"));
        v.write(|w| w.put_stored(&client, &origin)).unwrap();
        let mut incidents = vec![];
        for round in 0..3u32 {
            for (k, (name, kind, region, identifying)) in places.iter().enumerate() {
                let mut i =
                    Incident::quick(client.id, *name, at(2 + round), IncidentType::AccessDenied);
                i.facility.facility_type = *kind;
                i.facility.region = region.to_string();
                i.facility.identifying = *identifying;
                incidents.push(stored(100 + u128::from(round) * 10 + k as u128, i));
            }
        }
        if one_transaction {
            v.write(|w| {
                for i in &incidents {
                    w.put_stored(i, &origin)?;
                }
                Ok(())
            })
            .unwrap();
        } else {
            for i in &incidents {
                v.write(|w| w.put_stored(i, &origin)).unwrap();
            }
        }
        let mut entries: Vec<String> = v
            .list::<FacilityEntry>(&ListFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| format!("{:?}", e.data))
            .collect();
        entries.sort();
        entries
    };
    let merged_at_once = register(true);
    assert!(merged_at_once.len() >= 3, "{merged_at_once:#?}");
    assert_eq!(merged_at_once, register(false));
}
