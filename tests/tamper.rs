//! Damage and tampering are detected and reported naming the file at
//! fault; nothing panics and nothing altered is silently accepted. That
//! includes a header changed outside Vekil (sealed with a MAC), a history
//! rewritten with plain SHA-256 (the chain is keyed), and an older copy of
//! the vault put back in place (change counter, header mirror and this
//! computer's record).

mod common;
use common::{fast, new_vault, pass};
use std::io::Read;
use std::path::{Path, PathBuf};
use vekil::model::{Client, EvidenceNote, Incident, IncidentType};
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::vault::{UnlockNotice, UnlockOptions, Vault, VaultError, DEFAULT_KDF_LOG_N};
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

// ------------------------------------------------------------------
// The sealed header (issue 10, point 3 of "what to build").

/// A copy of the vault written by the first release (before seals), in a
/// fresh temporary directory.
fn legacy_vault() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("vault");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-vault-v1"),
        &dir,
    );
    std::fs::remove_file(dir.join("README.md")).unwrap();
    (t, dir)
}
const LEGACY_CODE: &str = "TPWW-VFXM-N8E3-B09J-0C22-2AD9-EN22-EZKQ";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn header(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("vault.json")).unwrap()).unwrap()
}

fn edit_header(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut h = header(dir);
    f(&mut h);
    std::fs::write(
        dir.join("vault.json"),
        serde_json::to_vec_pretty(&h).unwrap(),
    )
    .unwrap();
}

fn notices(v: &Vault) -> Vec<UnlockNotice> {
    v.unlock_report().notices.clone()
}

/// The scrypt factor an age passphrase file asks for (its stanza).
fn work_factor(path: &Path) -> u8 {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let line = text.lines().find(|l| l.starts_with("-> scrypt ")).unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

#[test]
fn a_raised_or_lowered_work_factor_in_the_header_is_reported_and_put_back() {
    for factor in [1, 30] {
        let (_t, dir, v, _) = new_vault();
        v.close().unwrap();
        edit_header(&dir, |h| h["kdf_log_n"] = factor.into());
        let v = Vault::unlock(&dir, &pass()).unwrap();
        assert_eq!(
            notices(&v),
            [UnlockNotice::HeaderAltered {
                fields: vec!["kdf_log_n".into()],
                restored: true
            }],
            "kdf_log_n set to {factor}"
        );
        drop(v);
        assert_eq!(header(&dir)["kdf_log_n"], fast().kdf_log_n);
        let v = Vault::unlock(&dir, &pass()).unwrap();
        assert!(notices(&v).is_empty(), "{:?}", notices(&v));
    }
}

#[test]
fn removing_the_seal_does_not_pass_for_a_vault_from_before_seals() {
    let (_t, dir, v, _) = new_vault();
    v.close().unwrap();
    edit_header(&dir, |h| {
        let o = h.as_object_mut().unwrap();
        o.remove("mac");
        o.insert("version".into(), 1.into());
        o.insert("kdf_log_n".into(), 1.into());
    });
    let v = Vault::unlock(&dir, &pass()).unwrap();
    assert_eq!(
        notices(&v),
        [UnlockNotice::HeaderAltered {
            fields: vec!["kdf_log_n".into(), "version".into()],
            restored: true
        }]
    );
    drop(v);
    let h = header(&dir);
    assert_eq!(
        (h["version"].as_u64(), h["kdf_log_n"].as_u64()),
        (Some(2), Some(10))
    );
    assert!(h["mac"].is_string());
}

#[test]
fn a_vault_from_the_first_release_is_sealed_and_its_history_keyed_at_first_unlock() {
    let (_t, dir) = legacy_vault();
    let before = header(&dir);
    assert_eq!(before["version"], 1);
    assert!(before.get("mac").is_none());

    let v = Vault::unlock(&dir, &pass()).unwrap();
    // The register is built after the history is keyed: one place, its
    // one incident linked (two more entries, issue 11).
    assert_eq!(
        notices(&v),
        [
            UnlockNotice::HistorySealed { entries: 6 },
            UnlockNotice::FacilityRegisterBuilt {
                facilities: 1,
                linked: 1
            }
        ]
    );
    assert_eq!(v.unlock_report().last_change.as_ref().unwrap().counter, 8);
    let clients = v.list::<Client>(&Default::default()).unwrap();
    assert!(clients.iter().any(|c| c.data.full_name == "Rəşad Məmmədov"));
    assert!(clients.iter().any(|c| c.data.full_name == "Лейла Гасанова"));
    let r = v.verify().unwrap();
    assert!(r.is_ok() && r.revisions == 8, "{:?}", r.problems);
    // Saving works on the upgraded history.
    v.insert(Client::new("Nigar Əhmədova", "C-004")).unwrap();
    assert!(v.verify().unwrap().is_ok());
    drop(v);

    let after = header(&dir);
    assert_eq!(after["version"], 2);
    assert!(after["mac"].is_string());
    assert_eq!(after["vault_id"], before["vault_id"]);
    assert_eq!(after["last_change"]["counter"], 9);
    let v = Vault::unlock(&dir, &pass()).unwrap();
    assert!(notices(&v).is_empty(), "{:?}", notices(&v));
}

#[test]
fn re_wrapping_never_lowers_the_work_factor() {
    // A first-release header cannot prove its factor was never lowered: it
    // is sealed as found, and the next passphrase still gets the default.
    let (_t, dir) = legacy_vault();
    edit_header(&dir, |h| h["kdf_log_n"] = 1.into());
    let v = Vault::unlock(&dir, &pass()).unwrap();
    let new = Passphrase::new("Şuşa, 8 noyabr 2020-ci il".into());
    v.change_passphrase(&pass(), &new).unwrap();
    assert_eq!(
        work_factor(&dir.join("key.passphrase.age")),
        DEFAULT_KDF_LOG_N
    );
    drop(v);
    assert_eq!(header(&dir)["kdf_log_n"], DEFAULT_KDF_LOG_N);

    // Recovery re-wraps the same way. A test vault made at 2^10 is raised
    // too, unless the test-only option says otherwise.
    let (_t2, dir2, v2, code) = new_vault();
    drop(v2);
    let code = RecoveryCode::parse(&code).unwrap();
    drop(Vault::recover(&dir2, &code, &new).unwrap());
    assert_eq!(
        work_factor(&dir2.join("key.passphrase.age")),
        DEFAULT_KDF_LOG_N
    );
    let (_t3, dir3, v3, code3) = new_vault();
    drop(v3);
    let opts = UnlockOptions {
        test_only_low_kdf: true,
        ..Default::default()
    };
    let code3 = RecoveryCode::parse(&code3).unwrap();
    drop(Vault::recover_with(&dir3, &code3, &new, &opts).unwrap());
    assert_eq!(work_factor(&dir3.join("key.passphrase.age")), 10);
    let _ = LEGACY_CODE;
}

#[test]
fn wrong_passphrases_since_the_last_unlock_are_reported_and_cannot_be_hidden_below_the_seal() {
    let (_t, dir, v, _) = new_vault();
    v.close().unwrap();
    let wrong = Passphrase::new("yanlış parol, yanlış parol".into());
    for n in 1..=2 {
        assert!(matches!(
            Vault::unlock(&dir, &wrong),
            Err(VaultError::WrongPassphrase { failed_attempts }) if failed_attempts == n
        ));
    }
    let v = Vault::unlock(&dir, &pass()).unwrap();
    match notices(&v).as_slice() {
        [UnlockNotice::FailedUnlocks {
            count: 2,
            last_at: Some(_),
        }] => {}
        other => panic!("{other:?}"),
    }
    drop(v);
    assert!(notices(&Vault::unlock(&dir, &pass()).unwrap()).is_empty());
    // Resetting the unsealed total below what the last unlock sealed.
    edit_header(&dir, |h| h["unlock"]["failed_total"] = 0.into());
    let v = Vault::unlock(&dir, &pass()).unwrap();
    assert_eq!(
        notices(&v),
        [UnlockNotice::FailureCounterLowered {
            sealed: 2,
            found: 0
        }]
    );
}

// ------------------------------------------------------------------
// The keyed history.

/// The first release's row hash: what anyone can recompute with SQLite
/// and SHA-256 alone.
fn plain_sha256_row(prev: &str, r: &rusqlite::Row<'_>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let seq: i64 = r.get(0).unwrap();
    let rev: u32 = r.get(3).unwrap();
    let text = |i: usize| r.get::<_, Option<String>>(i).unwrap().unwrap_or("-".into());
    for part in [
        "vekil-revision-v1".to_owned(),
        prev.to_owned(),
        seq.to_string(),
        text(1),
        text(2),
        rev.to_string(),
        text(4),
        text(5),
        text(6),
        text(7),
        text(8),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Edits entry 3 and re-chains everything after it with plain SHA-256,
/// head included: a complete forgery under the first release's scheme.
fn forge_with_plain_sha256(conn: &rusqlite::Connection) {
    conn.execute(
        "UPDATE revisions SET changes = '{\"facility\":{\"new\":{\"name\":\"Başqa yer\"}}}' WHERE seq = 3",
        [],
    )
    .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT seq, kind, record_id, record_revision, op, at, device, changes, snapshot_sha256
             FROM revisions ORDER BY seq",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut prev = "0".repeat(64);
    let mut fixed = vec![];
    while let Some(r) = rows.next().unwrap() {
        let seq: i64 = r.get(0).unwrap();
        let hash = plain_sha256_row(&prev, r);
        fixed.push((seq, prev.clone(), hash.clone()));
        prev = hash;
    }
    drop(rows);
    for (seq, p, h) in &fixed {
        conn.execute(
            "UPDATE revisions SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![p, h, seq],
        )
        .unwrap();
    }
    let (seq, _, h) = fixed.last().unwrap();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'chain_head'",
        [format!("{seq}:{h}")],
    )
    .unwrap();
}

#[test]
fn a_revision_rewritten_with_plain_sha256_is_caught_by_the_keyed_chain() {
    let (_t, dir, code, _) = populated();
    forge_with_plain_sha256(&raw_db(&dir, &code));
    let v = Vault::unlock(&dir, &pass()).unwrap();
    // The quick check at unlock already sees the newest entry is not sealed.
    assert_eq!(notices(&v), [UnlockNotice::HistoryHeadMismatch]);
    let r = v.verify().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("entry 3") && p.contains("altered")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_first_release_history_that_already_fails_is_not_sealed_and_opens_read_only() {
    let (_t, dir) = legacy_vault();
    raw_db(&dir, LEGACY_CODE)
        .execute("UPDATE revisions SET changes = '{}' WHERE seq = 2", [])
        .unwrap();
    let v = Vault::unlock(&dir, &pass()).unwrap();
    let reason = v.read_only().cloned().expect("read-only");
    assert!(
        reason.to_string().contains("entry 2") && reason.to_string().contains("verify-vault"),
        "{reason}"
    );
    // Reading works; writing says why it cannot.
    assert_eq!(v.list::<Client>(&Default::default()).unwrap().len(), 2);
    let e = v
        .insert(Client::new("Nigar Əhmədova", "C-004"))
        .unwrap_err();
    assert!(e.to_string().contains("history failed its check"), "{e}");
    let r = v.verify().unwrap();
    assert!(
        r.problems.iter().any(|p| p.contains("entry 2")),
        "{:?}",
        r.problems
    );
    drop(v);
    // Nothing was re-chained: the first release's scheme is still there.
    let scheme: String = raw_db(&dir, LEGACY_CODE)
        .query_row(
            "SELECT value FROM meta WHERE key = 'chain_scheme'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(scheme, "sha256-v1");
}

// ------------------------------------------------------------------
// Rollback: an older copy put in place of the vault.

fn this_computer(t: &Path) -> UnlockOptions {
    UnlockOptions {
        seen_record: Some(t.join("state/vekil/seen-vaults.json")),
        ..Default::default()
    }
}

fn incident(v: &Vault, client: uuid::Uuid, facility: &str) {
    let at = chrono::DateTime::parse_from_rfc3339("2025-03-14T09:30:00+04:00").unwrap();
    v.insert(Incident::quick(
        client,
        facility,
        at,
        IncidentType::AccessDenied,
    ))
    .unwrap();
}

fn put_back(copy: &Path, dir: &Path) {
    std::fs::remove_dir_all(dir).unwrap();
    copy_dir(copy, dir);
}

#[test]
fn an_older_copy_of_the_vault_is_reported_on_the_computer_that_saw_the_newer_one() {
    let (t, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-1")).unwrap().id;
    v.close().unwrap();
    let here = this_computer(t.path());
    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    assert!(notices(&v).is_empty());
    drop(v);
    let copy = t.path().join("copy");
    copy_dir(&dir, &copy);

    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    incident(&v, c, "Bakı İstintaq Təcridxanası");
    incident(&v, c, "Qaradağ rayon polis şöbəsi");
    v.close().unwrap();

    put_back(&copy, &dir);
    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    match notices(&v).as_slice() {
        // Two changes per incident: each names a new place, added to
        // the facility register.
        [UnlockNotice::OlderThanSeen {
            seen_counter: 5,
            vault_counter: 1,
            seen_at: Some(_),
        }] => {}
        other => panic!("{other:?}"),
    }
    drop(v);
    // Reported once; after that this copy is the one this computer knows.
    assert!(notices(&Vault::unlock_with(&dir, &pass(), &here).unwrap()).is_empty());
    // The documented limit: a computer that never saw the newer copy
    // cannot tell.
    let elsewhere = this_computer(&t.path().join("other-computer"));
    assert!(notices(&Vault::unlock_with(&dir, &pass(), &elsewhere).unwrap()).is_empty());
}

#[test]
fn a_copy_changed_separately_is_reported_even_when_it_has_more_changes() {
    let (t, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Leyla Həsənova", "C-7")).unwrap().id;
    v.close().unwrap();
    let here = this_computer(t.path());
    drop(Vault::unlock_with(&dir, &pass(), &here).unwrap());
    let copy = t.path().join("copy");
    copy_dir(&dir, &copy);
    // Here: one change.
    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    incident(&v, c, "IVS No. 1");
    v.close().unwrap();
    // Elsewhere, on the copy: three changes, so its counter is higher.
    let v = Vault::unlock(&copy, &pass()).unwrap();
    for f in ["A", "B", "C"] {
        incident(&v, c, f);
    }
    v.close().unwrap();
    put_back(&copy, &dir);
    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    // The last entry this computer saw: the incident, after the place it
    // added to the facility register.
    assert_eq!(
        notices(&v),
        [UnlockNotice::DivergedFromSeen { at_entry: 3 }]
    );
}

#[test]
fn an_older_database_beside_a_newer_header_is_reported() {
    let (t, dir, v, _) = new_vault();
    let c = v.insert(Client::new("Əli Quliyev", "C-2")).unwrap().id;
    v.close().unwrap();
    let old_db = t.path().join("old.db");
    std::fs::copy(dir.join("vekil.db"), &old_db).unwrap();
    let v = Vault::unlock(&dir, &pass()).unwrap();
    incident(&v, c, "Sabunçu");
    incident(&v, c, "Xətai");
    v.close().unwrap();
    std::fs::copy(&old_db, dir.join("vekil.db")).unwrap();
    let v = Vault::unlock(&dir, &pass()).unwrap();
    assert_eq!(
        notices(&v),
        // The two incidents and the two places they added to the register.
        [UnlockNotice::DatabaseOlderThanHeader {
            header_counter: 5,
            vault_counter: 1
        }]
    );
}
