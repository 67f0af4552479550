//! Damage and tampering are detected and reported naming the file at
//! fault; nothing panics and nothing altered is silently accepted.

mod common;
use common::{fast, new_vault, pass};
use std::io::Read;
use std::path::Path;
use vekil::model::{Client, EvidenceNote, Incident, IncidentType};
use vekil::vault::{Vault, VaultError};
use vekil::Error;

fn flip(path: &Path, at: usize) {
    let mut b = std::fs::read(path).unwrap();
    let i = at % b.len();
    b[i] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

fn truncate(path: &Path, keep: usize) {
    let b = std::fs::read(path).unwrap();
    std::fs::write(path, &b[..keep.min(b.len())]).unwrap();
}

/// Opens the database directly with the key unwrapped from the recovery
/// key file by the age crate: the attacker's (or auditor's) view.
fn raw_db(dir: &Path, code: &str) -> rusqlite::Connection {
    let bytes = std::fs::read(dir.join("key.recovery.age")).unwrap();
    let dec = age::Decryptor::new_buffered(&bytes[..]).unwrap();
    let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(code.to_owned()));
    let mut hex_key = String::new();
    dec.decrypt(std::iter::once(&id as _))
        .unwrap()
        .read_to_string(&mut hex_key)
        .unwrap();
    let conn = rusqlite::Connection::open(dir.join("vekil.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex_key.trim()))
        .unwrap();
    conn
}

fn populated() -> (tempfile::TempDir, std::path::PathBuf, String, uuid::Uuid) {
    let (tmp, dir, v, code) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-1")).unwrap();
    for i in 0..200 {
        let mut inc = Incident::quick(
            c.id,
            format!("Facility {i}"),
            chrono::Utc::now().fixed_offset(),
            IncidentType::AccessDenied,
        );
        inc.notes = "filler text to spread over pages ".repeat(20);
        v.insert(inc).unwrap();
    }
    let mut ev = EvidenceNote::new("scan");
    ev.client_id = Some(c.id);
    let ev = v.insert(ev).unwrap();
    v.attach(ev.id, "scan.jpg", &vec![7u8; 200_000]).unwrap();
    v.close().unwrap();
    (tmp, dir, code, c.id)
}

fn names(e: &Error, file: &str) -> bool {
    e.to_string().contains(file)
}

#[test]
fn damaged_key_file_is_named_not_mistaken_for_success() {
    let (_t, dir, _code, _) = populated();
    let key = dir.join("key.passphrase.age");
    let original = std::fs::read(&key).unwrap();
    for at in [0, 10, 40, 80, 120, original.len() / 2, original.len() - 1] {
        std::fs::write(&key, &original).unwrap();
        flip(&key, at);
        match Vault::unlock(&dir, &pass()) {
            Ok(_) => panic!("unlocked with a key file flipped at byte {at}"),
            Err(e) => assert!(
                matches!(e, VaultError::Corrupt { .. })
                    && e.to_string().contains("key.passphrase.age"),
                "flip at {at}: {e}"
            ),
        }
    }
    std::fs::write(&key, &original).unwrap();
    truncate(&key, original.len() / 2);
    let e = Vault::unlock(&dir, &pass()).unwrap_err();
    assert!(e.to_string().contains("key.passphrase.age"), "{e}");
    std::fs::remove_file(&key).unwrap();
    let e = Vault::unlock(&dir, &pass()).unwrap_err();
    assert!(
        e.to_string().contains("key.passphrase.age") && e.to_string().contains("missing"),
        "{e}"
    );
}

#[test]
fn damaged_database_is_named_by_unlock_or_verify() {
    for (what, damage) in [
        (
            "flip header page",
            Box::new(|p: &Path| flip(p, 100)) as Box<dyn Fn(&Path)>,
        ),
        (
            "flip middle page",
            Box::new(|p: &Path| {
                let n = std::fs::metadata(p).unwrap().len() as usize;
                flip(p, n / 2)
            }),
        ),
        (
            "flip last page",
            Box::new(|p: &Path| {
                let n = std::fs::metadata(p).unwrap().len() as usize;
                flip(p, n - 100)
            }),
        ),
        (
            "truncate to half",
            Box::new(|p: &Path| {
                let n = std::fs::metadata(p).unwrap().len() as usize;
                truncate(p, n / 2)
            }),
        ),
        (
            "truncate mid-page",
            Box::new(|p: &Path| truncate(p, 4096 * 3 + 77)),
        ),
    ] {
        let (_t, dir, _code, _) = populated();
        damage(&dir.join("vekil.db"));
        match Vault::unlock(&dir, &pass()) {
            Err(e) => assert!(e.to_string().contains("vekil.db"), "{what}: {e}"),
            Ok(v) => match v.verify() {
                Err(e) => assert!(names(&e, "vekil.db"), "{what}: {e}"),
                Ok(r) => {
                    assert!(!r.is_ok(), "{what}: damage went unnoticed");
                    assert!(
                        r.problems.iter().any(|p| p.contains("vekil.db")),
                        "{what}: {:?}",
                        r.problems
                    );
                }
            },
        }
    }
}

#[test]
fn damaged_attachment_is_named() {
    let (_t, dir, _code, _) = populated();
    let att = std::fs::read_dir(dir.join("attachments"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let v = Vault::unlock(&dir, &pass()).unwrap();
    let ok = v.verify().unwrap();
    assert!(ok.is_ok(), "{:?}", ok.problems);
    let sha = v.list::<EvidenceNote>(&Default::default()).unwrap()[0]
        .data
        .attachments[0]
        .sha256
        .clone();
    for at in [20, 5000, 150_000] {
        let original = std::fs::read(&att).unwrap();
        flip(&att, at);
        let e = v.read_attachment(&sha).unwrap_err();
        assert!(names(&e, att.file_name().unwrap().to_str().unwrap()), "{e}");
        let r = v.verify().unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        std::fs::write(&att, original).unwrap();
    }
    truncate(&att, 1000);
    assert!(v.read_attachment(&sha).is_err());
    std::fs::remove_file(&att).unwrap();
    let e = v.read_attachment(&sha).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn altered_history_or_records_fail_verification() {
    type Edit = fn(&rusqlite::Connection);
    let edits: [(&str, Edit, &str); 5] = [
        (
            "edit a revision",
            |c| {
                c.execute("UPDATE revisions SET changes = '{}' WHERE seq = 3", [])
                    .unwrap();
            },
            "altered after it was written",
        ),
        (
            "remove a revision",
            |c| {
                c.execute("DELETE FROM revisions WHERE seq = 5", [])
                    .unwrap();
            },
            "entry 5 is missing",
        ),
        (
            "drop the newest revisions",
            |c| {
                c.execute("DELETE FROM revisions WHERE seq > 190", [])
                    .unwrap();
            },
            "newest entries were removed",
        ),
        (
            "edit a record behind Vekil's back",
            |c| {
                c.execute("UPDATE records SET data = replace(data, 'Facility 7', 'Facility 8') WHERE data LIKE '%Facility 7\"%'", []).unwrap();
            },
            "it was altered",
        ),
        (
            "delete a record behind Vekil's back",
            |c| {
                c.execute("DELETE FROM records WHERE kind = 'client'", [])
                    .unwrap();
            },
            "removed without a trace",
        ),
    ];
    for (what, edit, expect) in edits {
        let (_t, dir, code, _) = populated();
        {
            let conn = raw_db(&dir, &code);
            edit(&conn);
        }
        let v = Vault::unlock(&dir, &pass()).unwrap();
        let r = v.verify().unwrap();
        assert!(
            r.problems.iter().any(|p| p.contains(expect)),
            "{what}: {:?}",
            r.problems
        );
    }
}

#[test]
fn vault_from_a_newer_version_is_refused() {
    let (_t, dir, code, _) = populated();
    raw_db(&dir, &code)
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    match Vault::unlock(&dir, &pass()) {
        Err(VaultError::FromFuture { found: 99, .. }) => {}
        other => panic!("expected FromFuture, got {other:?}"),
    }
    let _ = fast();
}

#[test]
fn cli_reports_a_damaged_database_in_one_sentence() {
    let t = tempfile::tempdir().unwrap();
    let cli = common::Cli::new(t.path());
    cli.init();
    let notes = "x".repeat(3000);
    for i in 0..30 {
        cli.ok(&[
            "client",
            "add",
            "--name",
            &format!("N{i}"),
            "--pseudonym",
            &format!("P{i}"),
            "--notes",
            &notes,
        ]);
    }
    let db = cli.vault.join("vekil.db");
    let n = std::fs::metadata(&db).unwrap().len() as usize;
    // One byte in each page of the middle fifth of the file: the records
    // and their full-text rows interleave, and a later migration shifts
    // which of them sits where (issue 5 added a table; issue 12's search
    // index stores each record's keys beside its text), so a narrower
    // window can miss every page that `client list` reads.
    for offset in (n * 2 / 5..n * 3 / 5).step_by(4096) {
        flip(&db, offset);
    }
    for args in [&["client", "list"][..], &["verify-vault"][..]] {
        let err = cli.fails(args, 3);
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?} printed more than one line: {err}"
        );
        assert!(err.contains("vekil.db") && err.contains("damaged"), "{err}");
    }
}
