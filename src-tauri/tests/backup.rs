//! Settings → Backup and Restore, through the same IPC path the page uses.
//! The page names no file: the backup, the backup to restore, its key
//! file and the folder to restore into are each a one-use token from the
//! backend's own dialog (here: the harness's stand-in for it), good only
//! for its purpose, given back when the secret was wrong so the lawyer
//! can retry without choosing again.

mod support;
use serde_json::{json, Value};
use std::path::Path;
use support::{harness, Harness};
use vekil::model::Client;
use vekil::secret::Passphrase;
use vekil::store::ListFilter;
use vekil::vault::{UnlockOptions, Vault};
use vekil_desktop::picked::Purpose;

const PASS: &str = "correct horse battery staple";
const WRONG: &str = "river lantern copper meadoW";

/// A vault with clients in Azerbaijani Latin (NFD too) and Russian.
/// Locked and unlocked once: a vault only just created keeps the real
/// scrypt floor (2^19, 512 MiB per backup seal) even at the test factor,
/// which on a shared machine costs seconds and gigabytes per test.
fn filled() -> Harness {
    let h = harness().unlocked();
    h.ok("vault_lock", json!({"draft": null}));
    h.ok("vault_unlock", json!({"passphrase": PASS}));
    h.client();
    h.ok(
        "client_create",
        json!({"client": {"full_name": "Иван Петров", "pseudonym": "C-002"}}),
    );
    h.ok(
        "client_create",
        json!({"client": {"full_name": "Gu\u{308}lnar İsmayılova", "pseudonym": "C-003"}}),
    );
    h
}

fn names(h: &Harness) -> Vec<String> {
    let list = h.ok("client_list", json!({}));
    let mut names: Vec<String> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["full_name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

fn seal(to: &str, secret: &str, recipients: &[&str]) -> Value {
    json!({"seal_to": to, "secret": secret, "recipients": recipients})
}

/// Writes a backup sealed to the passphrase at `file`; its summary.
fn backup(h: &Harness, file: &Path) -> Value {
    let destination = h.chosen_for(file, Purpose::Backup);
    h.ok(
        "backup_write",
        json!({"request": seal("passphrase", PASS, &[]), "destination": destination}),
    )
}

fn restore(token: &str, secret: &str, into: &str, folder: Option<&str>) -> Value {
    json!({"request": {"token": token, "secret": secret, "identity": null,
                       "new_passphrase": null, "into": into, "folder": folder}})
}

fn empty_or_missing(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

#[test]
fn a_backup_is_written_and_restored_through_tokens_only() {
    let h = filled();
    let before = names(&h);
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("ehtiyat-nüsxə.age");

    // A path from the page, or a token chosen for another use, is refused.
    for destination in [
        file.to_string_lossy().into_owned(),
        h.chosen(&file),
        h.chosen_for(&file, Purpose::Attach),
    ] {
        let args = json!({"request": seal("passphrase", PASS, &[]), "destination": destination});
        assert_eq!(h.err_kind("backup_write", args), "choice_expired");
    }
    assert!(!file.exists());

    // A wrong passphrase writes nothing and gives the choice back.
    let destination = h.chosen_for(&file, Purpose::Backup);
    let wrong = json!({"request": seal("passphrase", WRONG, &[]), "destination": destination});
    assert_eq!(h.err_kind("backup_write", wrong), "wrong_passphrase");
    assert!(!file.exists());
    let right = json!({"request": seal("passphrase", PASS, &[]), "destination": destination});
    let summary = h.ok("backup_write", right.clone());
    assert!(summary["records"].as_u64() >= Some(3), "{summary}");
    assert_eq!(h.err_kind("backup_write", right), "choice_expired");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let bytes = std::fs::read(&file).expect("backup");
    for plain in ["Məmmədov", "Петров", "İsmayılova", "C-002"] {
        let needle = plain.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{plain} is readable in the backup file"
        );
    }

    // Restore into a new folder: a wrong passphrase restores nothing and
    // keeps both choices for the retry.
    let folder = out.path().join("bərpa");
    let token = h.chosen_for(&file, Purpose::Restore);
    let into = h.chosen_for(&folder, Purpose::RestoreFolder);
    assert_eq!(
        h.err_kind(
            "backup_restore",
            restore(&token, WRONG, "new_folder", Some(&into))
        ),
        "backup_wrong_secret"
    );
    assert!(empty_or_missing(&folder));
    // The backup's token is not a folder's, nor the other way round.
    assert_eq!(
        h.err_kind(
            "backup_restore",
            restore(&into, PASS, "new_folder", Some(&token))
        ),
        "choice_expired"
    );
    let token = h.chosen_for(&file, Purpose::Restore);
    let into = h.chosen_for(&folder, Purpose::RestoreFolder);
    assert_eq!(
        h.err_kind("backup_restore", restore(&token, PASS, "new_folder", None)),
        "invalid_input"
    );
    let done = h.ok(
        "backup_restore",
        restore(&token, PASS, "new_folder", Some(&into)),
    );
    assert_eq!(done["opened"], false);
    assert_eq!(
        done["recovery_code"].as_str().map(|c| c.split('-').count()),
        Some(8),
        "{done}"
    );
    assert_eq!(
        h.err_kind(
            "backup_restore",
            restore(&token, PASS, "new_folder", Some(&into))
        ),
        "choice_expired"
    );

    // The restored vault opens with the same passphrase and holds the
    // same clients; the window's own vault is still the open one.
    let seen = tempfile::tempdir().expect("temp dir");
    let opts = UnlockOptions {
        seen_record: Some(seen.path().join("seen-vaults.json")),
        test_only_low_kdf: true,
        ..Default::default()
    };
    let v = Vault::unlock_with(&folder, &Passphrase::new(PASS.into()), &opts).expect("restored");
    let mut restored: Vec<String> = v
        .list::<Client>(&ListFilter::default())
        .expect("clients")
        .into_iter()
        .map(|c| c.data.full_name)
        .collect();
    restored.sort();
    assert_eq!(restored, before);
    assert_eq!(names(&h), before);
}

#[test]
fn an_altered_backup_restores_nothing() {
    let h = filled();
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("backup.age");
    backup(&h, &file);
    let mut bytes = std::fs::read(&file).expect("backup");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&file, &bytes).expect("alter");
    let folder = out.path().join("restored");
    let token = h.chosen_for(&file, Purpose::Restore);
    let into = h.chosen_for(&folder, Purpose::RestoreFolder);
    assert_eq!(
        h.err_kind(
            "backup_restore",
            restore(&token, PASS, "new_folder", Some(&into))
        ),
        "backup_damaged"
    );
    assert!(empty_or_missing(&folder));
}

#[test]
fn the_unlock_screen_restores_into_the_apps_vault_and_opens_it() {
    let made = filled();
    let before = names(&made);
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("backup.age");
    backup(&made, &file);
    // The computer that made it still has its vault: no restore over it.
    let token = made.chosen_for(&file, Purpose::Restore);
    assert_eq!(
        made.err_kind("backup_restore", restore(&token, PASS, "app_vault", None)),
        "vault_exists"
    );

    // A new laptop: no vault, locked. A file chosen to attach is not a
    // backup to restore.
    let fresh = harness();
    assert_eq!(fresh.err_kind("client_list", json!({})), "locked");
    let attach = fresh.chosen_for(&file, Purpose::Attach);
    assert_eq!(
        fresh.err_kind("backup_restore", restore(&attach, PASS, "app_vault", None)),
        "choice_expired"
    );
    let token = fresh.chosen_for(&file, Purpose::Restore);
    let done = fresh.ok("backup_restore", restore(&token, PASS, "app_vault", None));
    assert_eq!(done["opened"], true);
    assert_eq!(names(&fresh), before);
}

#[test]
fn a_backup_sealed_to_a_colleague_needs_their_key_file_and_a_new_passphrase() {
    let h = filled();
    let before = names(&h);
    let out = tempfile::tempdir().expect("temp dir");
    let key = out.path().join("həmkar.key");
    let public = vekil::import::keygen(&key).expect("keygen");
    h.ok(
        "recipient_add",
        json!({"name": "Leyla Həsənova", "agePublicKey": public}),
    );
    let file = out.path().join("backup.age");
    let destination = h.chosen_for(&file, Purpose::Backup);
    h.ok(
        "backup_write",
        json!({"request": seal("recipients", PASS, &["Leyla Həsənova"]),
               "destination": destination}),
    );

    let fresh = harness();
    let request = |token: &str, identity: Option<&str>, new: Option<&str>| {
        json!({"request": {"token": token, "secret": null, "identity": identity,
                           "new_passphrase": new, "into": "app_vault", "folder": null}})
    };
    let token = fresh.chosen_for(&file, Purpose::Restore);
    assert_eq!(
        fresh.err_kind("backup_restore", request(&token, None, Some(PASS))),
        "backup_needs_identity"
    );
    let identity = fresh.chosen_for(&key, Purpose::Identity);
    assert_eq!(
        fresh.err_kind("backup_restore", request(&token, Some(&identity), None)),
        "backup_new_passphrase"
    );
    let new = "Yeni parol: Şəki yolunda qar yağır";
    let done = fresh.ok(
        "backup_restore",
        request(&token, Some(&identity), Some(new)),
    );
    assert_eq!(done["opened"], true);
    assert_eq!(names(&fresh), before);
    fresh.ok("vault_lock", json!({}));
    fresh.ok("vault_unlock", json!({"passphrase": new}));
    assert_eq!(names(&fresh), before);
}
