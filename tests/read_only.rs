//! A vault that cannot be written (a copy on a write-protected stick)
//! opens read-only: everything that reads works, every write is refused
//! with one sentence saying why and what to do, and nothing in the vault
//! folder changes, not even a -wal or -shm file.
//!
//! These tests ask for read-only explicitly (`UnlockOptions::read_only`),
//! which takes exactly the same path as a folder found unwritable; the
//! detection itself is tested through the CLI on a folder the process
//! really cannot write (tests/cli.rs).

mod common;
use common::{all_files, new_vault, pass};
use vekil::export::{self, ExportOptions, Profile};
use vekil::model::{Case, Client, EvidenceNote, Incident, IncidentType};
use vekil::search::SearchQuery;
use vekil::secret::Passphrase;
use vekil::vault::{ReadOnlyReason, UnlockOptions, Vault, VaultError};
use vekil::Error;

fn read_only() -> UnlockOptions {
    UnlockOptions {
        read_only: true,
        ..Default::default()
    }
}

#[test]
fn a_read_only_vault_reads_searches_exports_and_refuses_writes_in_one_sentence() {
    let (_t, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    let case = v.insert(Case::new(c.id, "1(101)-123/2025")).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2025-03-11T10:00:00+04:00").unwrap();
    let mut inc = Incident::quick(
        c.id,
        "Bakı İstintaq Təcridxanası",
        at,
        IncidentType::AccessDenied,
    );
    inc.case_id = Some(case.id);
    inc.reason_given = "Müstəntiqin icazəsi yoxdur".into();
    let inc = v.insert(inc).unwrap();
    let mut ev = EvidenceNote::new("Yazılı imtina");
    ev.incident_ids = vec![inc.id];
    let ev = v.insert(ev).unwrap();
    let att = v
        .attach(ev.id, "imtina.txt", "Капитан Петров".as_bytes())
        .unwrap();
    v.put_draft("desktop-form", "{\"notes\":\"yarımçıq\"}")
        .unwrap();
    v.close().unwrap();
    let before = all_files(&dir);

    let v = Vault::unlock_with(&dir, &pass(), &read_only()).unwrap();
    assert_eq!(v.read_only(), Some(&ReadOnlyReason::Requested));
    assert_eq!(v.unlock_report().read_only, Some(ReadOnlyReason::Requested));
    // Everything that reads.
    assert_eq!(v.list::<Client>(&Default::default()).unwrap().len(), 1);
    assert_eq!(
        v.get::<Incident>(inc.id).unwrap().data.reason_given,
        "Müstəntiqin icazəsi yoxdur"
    );
    let hits = v
        .search(&SearchQuery {
            text: "icazə".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(v.case_timeline(case.id).unwrap().len(), 1);
    assert_eq!(
        v.read_attachment(&att.sha256).unwrap().as_slice(),
        "Капитан Петров".as_bytes()
    );
    let set = export::select(
        &v,
        &ExportOptions {
            profile: Profile::Full,
            ..Default::default()
        },
    )
    .unwrap();
    let mut json = vec![];
    export::json::write(&set, None, &mut json).unwrap();
    assert!(String::from_utf8(json)
        .unwrap()
        .contains("Bakı İstintaq Təcridxanası"));
    assert!(v.verify().unwrap().is_ok());
    // The kept draft is shown, and kept.
    assert!(v.take_draft("desktop-form").unwrap().is_some());
    assert!(v.take_draft("desktop-form").unwrap().is_some());

    // Every write: one sentence, saying why and what to do.
    let sentence = |e: &dyn std::fmt::Display| {
        let e = e.to_string();
        assert!(e.contains("read-only") && !e.contains('\n'), "{e}");
    };
    let e = v
        .insert(Client::new("Nigar Əhmədova", "C-002"))
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Vault(VaultError::ReadOnly(ReadOnlyReason::Requested))
        ),
        "{e}"
    );
    sentence(&e);
    sentence(&v.delete::<EvidenceNote>(ev.id).unwrap_err());
    sentence(&v.put_draft("desktop-form", "{}").unwrap_err());
    sentence(&v.attach(ev.id, "b.txt", b"b").unwrap_err());
    sentence(
        &export::recipients::add(
            &v,
            "Azərbaycan Hüquq Mərkəzi",
            &age::x25519::Identity::generate().to_public().to_string(),
        )
        .unwrap_err(),
    );
    sentence(
        &v.change_passphrase(&pass(), &Passphrase::new("yeni parol Şuşa 2025".into()))
            .unwrap_err(),
    );
    drop(v);
    assert_eq!(
        before,
        all_files(&dir),
        "a read-only open changed the vault folder"
    );
}

#[test]
fn a_wrong_passphrase_on_a_read_only_open_of_a_writable_folder_is_still_counted() {
    let (_t, dir, v, _) = new_vault();
    v.close().unwrap();
    let wrong = Passphrase::new("yanlış parol, yanlış parol".into());
    match Vault::unlock_with(&dir, &wrong, &read_only()) {
        Err(VaultError::WrongPassphrase { failed_attempts: 1 }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_read_only_vault_that_needs_an_upgrade_says_to_copy_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("vault");
    std::fs::create_dir_all(&dir).unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-vault-v1");
    for f in [
        "vault.json",
        "key.passphrase.age",
        "key.recovery.age",
        "vekil.db",
    ] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap();
    }
    let e = Vault::unlock_with(&dir, &pass(), &read_only()).unwrap_err();
    assert!(matches!(e, VaultError::UpgradeNeedsWrite(_)), "{e}");
    assert!(e.to_string().contains("copy the whole vault folder"), "{e}");
}
