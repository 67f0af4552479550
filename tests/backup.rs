//! Encrypted backup and restore, as a lawyer relies on them: the restored
//! vault *is* the vault (every table row, every revision, every evidence
//! file, the signing key), a bad backup restores nothing, a lock stops a
//! backup and leaves no file, and a restore is not mistaken for a
//! rollback on the computer that made it.

mod common;
use common::{all_files, contains, new_vault, pass, PASS};
use std::io::Read;
use std::path::{Path, PathBuf};
use vekil::export::signing::SigningKey;
use vekil::model::{
    Case, Client, Deadline, DeadlineKind, EvidenceNote, Hearing, HearingKind, Incident,
    IncidentType, Record,
};
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::store::ListFilter;
use vekil::vault::backup::{self, BackupError, Opener, Phase, Progress, Seal, SealedTo};
use vekil::vault::{UnlockNotice, UnlockOptions, Vault, VaultError};

const NEW_PASS: &str = "yeni parol: Şəki yolunda qar yağır";
const CANARY: &str = "Rəşad Məmmədov";

fn opts(root: &Path) -> UnlockOptions {
    UnlockOptions {
        seen_record: Some(root.join("state/vekil/seen-vaults.json")),
        test_only_low_kdf: true,
        ..Default::default()
    }
}

fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

/// A vault with every kind of record in three scripts, NFD text, a
/// day-only date, edits and a deletion (so the history has more than one
/// revision per record), two evidence files, a draft, an address-book
/// entry, a trusted signer and the vault's own signing key.
fn filled_vault() -> (tempfile::TempDir, PathBuf, Vault, String) {
    let (t, dir, v, code) = new_vault();
    let c = v.insert(Client::new(CANARY, "C-001")).unwrap();
    let other = v.insert(Client::new("Иван Петров", "C-002")).unwrap();
    let case = v.insert(Case::new(c.id, "1(101)-123/2025")).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2025-03-11T10:00:00+04:00").unwrap();
    let mut i = Incident::quick(
        c.id,
        "Bakı İstintaq Təcridxanası",
        at,
        IncidentType::AccessDenied,
    );
    i.case_id = Some(case.id);
    i.reason_given = "Свидание не разрешено следователем; Mu\u{0308}stəntiq".into();
    let i = v.insert(i).unwrap();
    let mut changed = i.data.clone();
    changed.notes = "İkinci dəfə: ğ ş ı İ ə".into();
    v.update(i.id, i.revision, changed).unwrap();
    v.insert(Hearing::new(case.id, at, HearingKind::default()))
        .unwrap();
    v.insert(Deadline {
        case_id: case.id,
        due: chrono::DateTime::parse_from_rfc3339("2025-04-01T18:00:00+04:00").unwrap(),
        kind: DeadlineKind::Appeal,
        source_rule: "CPC 384".into(),
        done: false,
        notes: "Apellyasiya şikayəti".into(),
    })
    .unwrap();
    let mut e = EvidenceNote::new("Yazılı imtina");
    e.incident_ids = vec![i.id];
    let e = v.insert(e).unwrap();
    v.attach(
        e.id,
        "imtina.txt",
        "Капитан Петров: icazə yoxdur".as_bytes(),
    )
    .unwrap();
    let big: Vec<u8> = (0..300_000u32).map(|n| (n * 7 % 251) as u8).collect();
    v.attach(e.id, "şəkil.jpg", &big).unwrap();
    v.delete::<Client>(other.id).unwrap();
    v.put_draft("desktop-form", "{\"notes\":\"yarımçıq\"}")
        .unwrap();
    let colleague = t.path().join("colleague.key");
    let public = vekil::import::keygen(&colleague).unwrap();
    vekil::export::recipients::add(&v, "Leyla Həsənova", &public).unwrap();
    SigningKey::load_or_create(&v).unwrap();
    let (_t2, _d2, lawyer, _) = new_vault();
    let lawyer_key = SigningKey::load_or_create(&lawyer).unwrap().public;
    vekil::import::signers::trust(
        &v,
        "Vəkil Əliyev",
        &vekil::export::signing::public_key_line(&lawyer_key),
    )
    .unwrap();
    // Reopened as the tests' "this computer", at the test work factor,
    // so that sealing a backup costs milliseconds, not a second.
    v.close().unwrap();
    let v = Vault::unlock_with(&dir, &pass(), &opts(t.path())).unwrap();
    (t, dir, v, code)
}

/// Every record of every kind, with its history and origin, as JSON.
fn records(v: &Vault) -> serde_json::Value {
    fn kind<T: Record>(v: &Vault) -> Vec<serde_json::Value> {
        let f = ListFilter {
            limit: Some(u32::MAX),
            ..Default::default()
        };
        v.list::<T>(&f)
            .unwrap()
            .into_iter()
            .map(|r| {
                serde_json::json!({
                    "record": r,
                    "history": v.history(T::KIND, r.id).unwrap(),
                })
            })
            .collect()
    }
    serde_json::json!({
        "clients": kind::<Client>(v),
        "cases": kind::<Case>(v),
        "hearings": kind::<Hearing>(v),
        "deadlines": kind::<Deadline>(v),
        "incidents": kind::<Incident>(v),
        "evidence": kind::<EvidenceNote>(v),
        "recipients": vekil::export::recipients::list(v).unwrap(),
        "signers": vekil::import::signers::list(v).unwrap(),
        "signing_key": SigningKey::load_or_create(v).unwrap().key_id(),
    })
}

/// Opens the database with the key unwrapped from the recovery key file
/// by the age crate, outside Vekil.
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

/// Every row of every table, in rowid order, as text; `meta`'s
/// `last_change` and `header` (which a restore advances) aside.
fn dump(conn: &rusqlite::Connection) -> Vec<(String, Vec<String>)> {
    let tables: Vec<(String, bool)> = conn
        .prepare("SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|(t, without_rowid)| {
            // A table without rowid (facility_names) in its key's order.
            let order = if without_rowid { "1, 2" } else { "rowid" };
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY {order}"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    let vals: Vec<String> = (0..n)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect();
                    Ok(vals.join("|"))
                })
                .unwrap()
                .collect::<Result<Vec<String>, _>>()
                .unwrap()
                .into_iter()
                .filter(|row| {
                    t != "meta"
                        || !(row
                            .contains("Text([108, 97, 115, 116, 95, 99, 104, 97, 110, 103, 101])")
                            || row.starts_with("Text([104, 101, 97, 100, 101, 114])"))
                })
                .collect();
            (t, rows)
        })
        .collect()
}

fn attachment_bytes(v: &Vault) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for n in v.list::<EvidenceNote>(&ListFilter::default()).unwrap() {
        for a in &n.data.attachments {
            let mut b = Vec::new();
            v.copy_attachment(&a.sha256, &mut b).unwrap();
            out.push((a.file_name.clone(), b));
        }
    }
    out.sort();
    out
}

fn secret(s: &str) -> Opener {
    Opener::Secret(Passphrase::new(s.into()))
}

#[test]
fn a_backup_sealed_to_the_passphrase_restores_the_vault_row_for_row() {
    let (t, dir, v, code) = filled_vault();
    let before = records(&v);
    let before_files = attachment_bytes(&v);
    let file = t.path().join("ehtiyat.vekil-backup");
    let mut phases = Vec::new();
    let s = backup::write(&v, &Seal::Passphrase(pass()), &file, &mut |p| {
        phases.push(p.phase)
    })
    .unwrap();
    assert_eq!(s.sealed_to, SealedTo::Passphrase);
    assert_eq!((s.attachments, s.unreadable.len()), (2, 0));
    assert_eq!(phases.last(), Some(&Phase::Done));
    assert!(phases.contains(&Phase::Attachments));
    drop(v);

    // Owner-only, and no plaintext in it.
    use std::os::unix::fs::PermissionsExt;
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!contains(&bytes, CANARY.as_bytes()));
    assert!(!contains(&bytes, "Капитан Петров".as_bytes()));
    assert!(!contains(&bytes, b"\"table\""));

    let new_dir = t.path().join("bərpa");
    let r = backup::restore(
        &file,
        &new_dir,
        &secret(PASS),
        None,
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap();
    assert!(r.summary.passphrase_kept);
    assert_eq!(r.summary.attachments, 2);
    let restored = r.vault;
    assert_eq!(records(&restored), before);
    assert_eq!(attachment_bytes(&restored), before_files);
    let report = restored.verify().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(report.revisions > 8, "{}", report.revisions);
    // The whole database, table by table and row by row.
    let new_code = r.recovery_code.expose_secret().to_owned();
    drop(restored);
    assert_eq!(
        dump(&raw_db(&new_dir, &new_code)),
        dump(&raw_db(&dir, &code))
    );

    // The same passphrase opens it; the recovery code is new.
    let again = Vault::unlock_with(&new_dir, &pass(), &opts(t.path())).unwrap();
    assert!(again.verify().unwrap().is_ok());
    drop(again);
    let old_code = RecoveryCode::parse(&code).unwrap();
    assert!(matches!(
        Vault::recover(&new_dir, &old_code, &Passphrase::new(NEW_PASS.into())),
        Err(VaultError::WrongRecoveryCode)
    ));
    let fresh = RecoveryCode::parse(&new_code).unwrap();
    Vault::recover(&new_dir, &fresh, &Passphrase::new(NEW_PASS.into())).unwrap();
}

#[test]
fn a_backup_sealed_to_the_recovery_code_restores_with_a_new_passphrase() {
    let (t, _dir, v, code) = filled_vault();
    let before = records(&v);
    let file = t.path().join("seyf.age");
    let seal = Seal::RecoveryCode(RecoveryCode::parse(&code).unwrap());
    backup::write(&v, &seal, &file, &mut no_progress()).unwrap();
    drop(v);
    let new_dir = t.path().join("new");
    // The code alone does not say what the new vault opens with.
    let err = backup::restore(
        &file,
        &new_dir,
        &secret(&code),
        None,
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(matches!(err, BackupError::NewPassphraseNeeded), "{err}");
    assert!(!new_dir.exists());
    // Typed in lower case without dashes: the code still opens it.
    let typed = code.replace('-', "").to_lowercase();
    let r = backup::restore(
        &file,
        &new_dir,
        &secret(&typed),
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap();
    assert!(!r.summary.passphrase_kept);
    assert_eq!(records(&r.vault), before);
    drop(r);
    assert!(Vault::unlock_with(&new_dir, &pass(), &opts(t.path())).is_err());
    Vault::unlock_with(&new_dir, &Passphrase::new(NEW_PASS.into()), &opts(t.path())).unwrap();
}

#[test]
fn a_backup_to_a_colleagues_key_opens_with_stock_age_and_restores_with_her_identity() {
    let (t, _dir, v, _) = filled_vault();
    let before = records(&v);
    let file = t.path().join("leyla.age");
    let seal = Seal::Recipients {
        passphrase: pass(),
        to: vec!["leyla həsənova".into()],
    };
    let s = backup::write(&v, &seal, &file, &mut no_progress()).unwrap();
    assert_eq!(s.sealed_to, SealedTo::Recipients);
    drop(v);
    let key = t.path().join("colleague.key");

    // Stock age and tar read it without Vekil.
    let out = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg(&file)
        .output();
    if let Ok(out) = out {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(contains(&out.stdout, b"vekil-backup"));
        assert!(contains(&out.stdout, CANARY.as_bytes()));
    }

    let new_dir = t.path().join("new");
    let wrong_key = t.path().join("stranger.key");
    vekil::import::keygen(&wrong_key).unwrap();
    let err = backup::restore(
        &file,
        &new_dir,
        &Opener::Identity(wrong_key),
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(matches!(err, BackupError::WrongIdentity(_)), "{err}");
    assert!(!new_dir.exists());
    let err = backup::restore(
        &file,
        &new_dir,
        &secret(PASS),
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(matches!(err, BackupError::NeedsIdentity(_)), "{err}");

    let r = backup::restore(
        &file,
        &new_dir,
        &Opener::Identity(key),
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(records(&r.vault), before);
    assert!(r.vault.verify().unwrap().is_ok());
}

#[test]
fn a_backup_needs_the_vaults_own_secret_and_a_new_file() {
    let (t, _dir, v, code) = filled_vault();
    let file = t.path().join("b.age");
    let wrong = Passphrase::new("Bakı 2025 yanlış parol".into());
    for seal in [
        Seal::Passphrase(wrong),
        Seal::Recipients {
            passphrase: Passphrase::new("Bakı 2025 yanlış parol".into()),
            to: vec!["Leyla Həsənova".into()],
        },
    ] {
        let err = backup::write(&v, &seal, &file, &mut no_progress()).unwrap_err();
        assert!(matches!(err, BackupError::WrongPassphrase), "{err}");
        assert!(!file.exists());
    }
    let mut wrong_code = code.clone().into_bytes();
    wrong_code[0] = if wrong_code[0] == b'A' { b'B' } else { b'A' };
    if let Ok(c) = RecoveryCode::parse(&String::from_utf8(wrong_code).unwrap()) {
        let err = backup::write(&v, &Seal::RecoveryCode(c), &file, &mut no_progress()).unwrap_err();
        assert!(matches!(err, BackupError::WrongRecoveryCode), "{err}");
    }
    for to in [vec![], vec!["Nobody Known".to_string()]] {
        let seal = Seal::Recipients {
            passphrase: pass(),
            to,
        };
        assert!(backup::write(&v, &seal, &file, &mut no_progress()).is_err());
        assert!(!file.exists());
    }
    std::fs::write(&file, b"keep me").unwrap();
    let err = backup::write(&v, &Seal::Passphrase(pass()), &file, &mut no_progress()).unwrap_err();
    assert!(matches!(err, BackupError::OutputExists(_)), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

#[test]
fn a_lock_stops_a_backup_and_leaves_no_file() {
    for at in [Phase::Records, Phase::Attachments] {
        let (t, _dir, v, _) = filled_vault();
        let out_dir = t.path().join("out");
        std::fs::create_dir(&out_dir).unwrap();
        let file = out_dir.join("b.age");
        let cancel = v.cancel_handle();
        let err = backup::write(&v, &Seal::Passphrase(pass()), &file, &mut |p| {
            if p.phase == at {
                cancel.cancel();
            }
        })
        .unwrap_err();
        assert!(matches!(err, BackupError::Cancelled(_)), "{at:?}: {err}");
        assert!(
            std::fs::read_dir(&out_dir).unwrap().next().is_none(),
            "{at:?}: a file was left"
        );
    }
}

/// Every refusal: nothing is created, an empty target folder stays empty.
fn refused(file: &Path, opener: &Opener, root: &Path) -> BackupError {
    let absent = root.join("absent");
    let err = backup::restore(
        file,
        &absent,
        opener,
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(root),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(!absent.exists(), "{err}: the folder was left");
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let again = backup::restore(
        file,
        &empty,
        opener,
        Some(&Passphrase::new(NEW_PASS.into())),
        &opts(root),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(all_files(&empty).is_empty(), "{again}: files were left");
    assert!(std::fs::read_dir(&empty).unwrap().next().is_none());
    assert!(!err.to_string().contains('\n'), "{err}");
    err
}

#[test]
fn a_truncated_altered_or_wrongly_opened_backup_restores_nothing() {
    let (t, _dir, v, _) = filled_vault();
    let file = t.path().join("b.age");
    backup::write(&v, &Seal::Passphrase(pass()), &file, &mut no_progress()).unwrap();
    drop(v);
    let good = std::fs::read(&file).unwrap();
    let bad = t.path().join("bad.age");

    let err = refused(&file, &secret("Bakı 2025 yanlış parol"), t.path());
    assert!(matches!(err, BackupError::WrongSecret(_)), "{err}");

    // Cut at the end (the last chunk), in the middle of the evidence, and
    // in the header.
    for keep in [good.len() - 1, good.len() - 20_000, good.len() / 2, 100] {
        std::fs::write(&bad, &good[..keep]).unwrap();
        let err = refused(&bad, &secret(PASS), t.path());
        assert!(
            matches!(
                err,
                BackupError::Damaged { .. } | BackupError::NotABackup(_)
            ),
            "cut at {keep}: {err}"
        );
    }
    // One bit flipped in the body.
    for at in [good.len() / 3, good.len() - 10] {
        let mut b = good.clone();
        b[at] ^= 0x04;
        std::fs::write(&bad, &b).unwrap();
        let err = refused(&bad, &secret(PASS), t.path());
        assert!(
            matches!(err, BackupError::Damaged { .. }),
            "flip at {at}: {err}"
        );
    }
    std::fs::write(&bad, "age-encryption.org/v1\nnot really").unwrap();
    assert!(matches!(
        refused(&bad, &secret(PASS), t.path()),
        BackupError::NotABackup(_) | BackupError::Damaged { .. }
    ));
    std::fs::write(&bad, CANARY).unwrap();
    assert!(matches!(
        refused(&bad, &secret(PASS), t.path()),
        BackupError::NotABackup(_)
    ));
}

/// Decrypts a backup, lets `edit` change the tar entries, and seals the
/// result again with the same passphrase: a well-formed file made by
/// someone who knows the secret but not the vault key.
fn reseal(file: &Path, out: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let bytes = std::fs::read(file).unwrap();
    let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(PASS.to_owned()));
    let dec = age::Decryptor::new_buffered(&bytes[..]).unwrap();
    let plain = dec.decrypt(std::iter::once(&id as _)).unwrap();
    let mut archive = tar::Archive::new(plain);
    let mut builder = tar::Builder::new(Vec::new());
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if let Some(data) = edit(&name, data) {
            let mut h = e.header().clone();
            h.set_size(data.len() as u64);
            h.set_cksum();
            builder.append(&h, &data[..]).unwrap();
        }
    }
    let tarball = builder.into_inner().unwrap();
    let mut r = age::scrypt::Recipient::new(age::secrecy::SecretString::from(PASS.to_owned()));
    r.set_work_factor(10);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as _)).unwrap();
    let mut sealed = Vec::new();
    let mut w = enc.wrap_output(&mut sealed).unwrap();
    std::io::Write::write_all(&mut w, &tarball).unwrap();
    w.finish().unwrap();
    std::fs::write(out, sealed).unwrap();
}

/// A change to one archive entry (`None` drops it).
type Edit<'a> = dyn Fn(&str, Vec<u8>) -> Option<Vec<u8>> + 'a;

#[test]
fn a_resealed_backup_with_another_vaults_parts_or_an_edited_row_restores_nothing() {
    let (t, _dir, v, _) = filled_vault();
    let file = t.path().join("b.age");
    backup::write(&v, &Seal::Passphrase(pass()), &file, &mut no_progress()).unwrap();
    drop(v);
    // Another vault, same passphrase (a colleague's, or a forgery's base).
    let (t2, _d2, other, _) = new_vault();
    other.insert(Client::new("Başqa vəkil", "X-1")).unwrap();
    let other_file = t2.path().join("other.age");
    backup::write(
        &other,
        &Seal::Passphrase(pass()),
        &other_file,
        &mut no_progress(),
    )
    .unwrap();
    drop(other);
    let other_manifest = std::sync::Mutex::new(None);
    reseal(&other_file, &t2.path().join("copy.age"), |name, data| {
        if name == "manifest.json" {
            *other_manifest.lock().unwrap() = Some(data.clone());
        }
        Some(data)
    });
    let other_manifest = other_manifest.into_inner().unwrap().unwrap();

    // Untouched, resealed: it restores (the reseal itself is sound).
    let same = t.path().join("same.age");
    reseal(&file, &same, |_, d| Some(d));
    let ok_dir = t.path().join("ok");
    backup::restore(
        &same,
        &ok_dir,
        &secret(PASS),
        None,
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap();

    let bad = t.path().join("bad.age");
    let cases: Vec<(&str, Box<Edit<'_>>)> = vec![
        (
            "another vault's manifest",
            Box::new(|n, d| {
                Some(if n == "manifest.json" {
                    other_manifest.clone()
                } else {
                    d
                })
            }),
        ),
        (
            "a record's text changed",
            Box::new(|n, d| {
                Some(if n.starts_with("tables/records/") {
                    String::from_utf8(d)
                        .unwrap()
                        .replace("Bakı İstintaq", "Qaradağ İstintaq")
                        .into_bytes()
                } else {
                    d
                })
            }),
        ),
        (
            "a history entry dropped",
            Box::new(|n, d| {
                Some(if n.starts_with("tables/revisions/") {
                    let text = String::from_utf8(d).unwrap();
                    let mut lines: Vec<&str> = text.lines().collect();
                    lines.remove(3);
                    (lines.join("\n") + "\n").into_bytes()
                } else {
                    d
                })
            }),
        ),
        (
            "an evidence file replaced",
            Box::new(|n, d| {
                Some(if n.starts_with("attachments/") && d.len() < 1000 {
                    "Капитан Сидоров".as_bytes().to_vec()
                } else {
                    d
                })
            }),
        ),
        (
            "the end left off",
            Box::new(|n, d| (n != "end.json").then_some(d)),
        ),
    ];
    for (what, edit) in &cases {
        reseal(&file, &bad, edit);
        let err = refused(&bad, &secret(PASS), t.path());
        assert!(matches!(err, BackupError::Damaged { .. }), "{what}: {err}");
    }
}

#[test]
fn a_restore_is_not_taken_for_a_rollback_but_the_vault_it_replaced_is() {
    let (t, dir, v, _) = filled_vault();
    v.close().unwrap();
    let here = opts(t.path());
    // This computer knows the vault.
    let v = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    let file = t.path().join("b.age");
    backup::write(&v, &Seal::Passphrase(pass()), &file, &mut no_progress()).unwrap();
    // Changes after the backup.
    let c = v.insert(Client::new("Leyla Yunus", "C-9")).unwrap();
    v.close().unwrap();
    drop(Vault::unlock_with(&dir, &pass(), &here).unwrap());

    // Restoring the older backup on the same computer: no warning.
    let new_dir = t.path().join("restored");
    let r = backup::restore(
        &file,
        &new_dir,
        &secret(PASS),
        None,
        &here,
        &mut no_progress(),
    )
    .unwrap();
    let warnings: Vec<_> = r
        .vault
        .unlock_report()
        .notices
        .iter()
        .filter(|n| n.is_warning())
        .cloned()
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(r.vault.get::<Client>(c.id).is_err());
    drop(r);
    let again = Vault::unlock_with(&new_dir, &pass(), &here).unwrap();
    assert!(again
        .unlock_report()
        .notices
        .iter()
        .all(|n| !n.is_warning()));
    drop(again);

    // The vault it replaced is now older than what this computer saw.
    let old = Vault::unlock_with(&dir, &pass(), &here).unwrap();
    assert!(
        old.unlock_report()
            .notices
            .iter()
            .any(|n| matches!(n, UnlockNotice::OlderThanSeen { .. })),
        "{:?}",
        old.unlock_report().notices
    );
}

#[test]
fn a_restore_needs_a_new_or_empty_folder_and_a_strong_new_passphrase() {
    let (t, dir, v, _) = filled_vault();
    let file = t.path().join("b.age");
    backup::write(&v, &Seal::Passphrase(pass()), &file, &mut no_progress()).unwrap();
    drop(v);
    let before = all_files(&dir);
    let err = backup::restore(
        &file,
        &dir,
        &secret(PASS),
        None,
        &opts(t.path()),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(
        matches!(err, BackupError::Vault(VaultError::AlreadyExists(_))),
        "{err}"
    );
    assert_eq!(all_files(&dir), before);
    let weak = Passphrase::new("123".into());
    let target = t.path().join("n");
    assert!(backup::restore(
        &file,
        &target,
        &secret(PASS),
        Some(&weak),
        &opts(t.path()),
        &mut no_progress()
    )
    .is_err());
    assert!(!target.exists());
}

#[test]
fn the_cli_backs_up_and_restores_and_refuses_a_damaged_file_in_one_line() {
    let t = tempfile::tempdir().unwrap();
    let cli = common::Cli::new(t.path());
    let first_code = cli.init();
    cli.ok(&["client", "add", "--name", CANARY, "--pseudonym", "C-001"]);
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Иван Петров",
        "--pseudonym",
        "C-002",
    ]);
    let file = t.path().join("ehtiyat.age");
    let f = file.to_str().unwrap();
    let said = cli.ok(&["backup", "--out", f]);
    assert!(said.contains("2 records"), "{said}");
    // Never replaced.
    let err = cli.fails(&["backup", "--out", f], 1);
    assert!(err.contains("already exists"), "{err}");

    // A damaged copy: one sentence, exit 3, nothing created.
    let good = std::fs::read(&file).unwrap();
    let bad = t.path().join("bad.age");
    std::fs::write(&bad, &good[..good.len() - 100]).unwrap();
    let target = t.path().join("new-vault");
    let tgt = target.to_str().unwrap();
    let err = cli.fails(&["restore", bad.to_str().unwrap(), "--vault", tgt], 3);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert!(!target.exists());
    // The live vault is not an empty folder.
    let live = cli.vault.to_str().unwrap().to_owned();
    cli.fails(&["restore", f, "--vault", &live], 3);

    let out = cli.ok(&["restore", f, "--vault", tgt]);
    let code = common::recovery_code(&out);
    assert!(out.contains("2 records"), "{out}");
    let listed = cli.ok(&["--vault", tgt, "client", "list"]);
    assert!(listed.contains(CANARY), "{listed}");
    assert!(cli.ok(&["--vault", tgt, "verify-vault"]).contains("intact"));
    // The printed code is the new vault's.
    let v = Vault::recover(
        &target,
        &RecoveryCode::parse(&code).unwrap(),
        &Passphrase::new(NEW_PASS.into()),
    );
    assert!(v.is_ok());

    // Sealed to the recovery code: a script that sets both the passphrase
    // (to unlock) and the code finds the one that opens it, and the new
    // passphrase comes from its variable.
    let code_file = t.path().join("kod.age");
    let o = cli
        .cmd(&[
            "backup",
            "--out",
            code_file.to_str().unwrap(),
            "--to-recovery-code",
        ])
        .env("VEKIL_RECOVERY_CODE", &first_code)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let third = t.path().join("third");
    let o = cli
        .cmd(&[
            "restore",
            code_file.to_str().unwrap(),
            "--vault",
            third.to_str().unwrap(),
        ])
        .env("VEKIL_RECOVERY_CODE", &first_code)
        .env("VEKIL_NEW_PASSPHRASE", NEW_PASS)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(Vault::unlock(&third, &Passphrase::new(NEW_PASS.into())).is_ok());
}
