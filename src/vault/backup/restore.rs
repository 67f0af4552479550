//! Restoring a backup into a new, empty folder.
//!
//! The file is read once, as a stream: age authenticates every 64 KiB
//! chunk and the end of the stream, the archive's entries must come in the
//! order the writer puts them (manifest, header, tables with `meta` first,
//! evidence files, end), and every count and hash the manifest and the
//! end entry announce is checked. The database is rebuilt with the
//! backup's own key; evidence files are encrypted into the new vault as
//! they stream past, their SHA-256 computed on the way. Only when all of
//! that holds, and the whole history verifies under the key, are the key
//! files and then `vault.json` written: the header is the commit point.
//! Any refusal before it removes everything the restore wrote.

use super::format::{self, ChunkHead, End, Manifest, SealedTo, Unreadable};
use super::write::{quote, table_list};
use super::{BackupError, Phase, Progress, Reporter, Result};
use crate::secret::{self, DbKey, Passphrase, RecoveryCode};
use crate::store::revisions;
use crate::vault::access::{self, Access};
use crate::vault::header::{ChangeMark, Header, UnlockState};
use crate::vault::keyfile;
use crate::vault::lock::VaultLock;
use crate::vault::seen::{Lookup, SeenRecord};
use crate::vault::{
    migrations, UnlockOptions, Vault, VaultError, ATTACHMENTS_DIR, DB_FILE, HEADER_FILE, LOCK_FILE,
    PASSPHRASE_KEY_FILE, RECOVERY_KEY_FILE, SCHEMA_VERSION,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use ts_rs::TS;
use zeroize::Zeroizing;

/// What opens the backup.
pub enum Opener {
    /// The passphrase or the recovery code it was sealed to, as typed.
    Secret(Passphrase),
    /// An age identity file of one of its recipients.
    Identity(PathBuf),
}

/// What a restore brought back.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreSummary {
    /// The vault's id (unchanged by the restore).
    pub vault_id: String,
    /// When the backup was made (RFC 3339).
    pub backup_made_at: String,
    /// When the vault last changed before the backup, and where.
    pub last_change_at: Option<String>,
    /// The computer of that change.
    pub last_change_on: Option<String>,
    /// What the backup was sealed to.
    pub sealed_to: SealedTo,
    /// The restored vault opens with the passphrase the backup was sealed
    /// to (otherwise with the new one given).
    pub passphrase_kept: bool,
    /// Records (every kind).
    #[ts(type = "number")]
    pub records: u64,
    /// History entries.
    #[ts(type = "number")]
    pub revisions: u64,
    /// Evidence files restored.
    #[ts(type = "number")]
    pub attachments: u64,
    /// Their size.
    #[ts(type = "number")]
    pub attachment_bytes: u64,
    /// Evidence files the original vault could not give whole when the
    /// backup was made; they are missing here too.
    pub unreadable: Vec<Unreadable>,
}

/// The restored vault, open, with its new recovery code (show it once).
pub struct Restored {
    /// The vault, unlocked, as after an unlock (its report included).
    pub vault: Vault,
    /// The new recovery code.
    pub recovery_code: RecoveryCode,
    /// What was restored.
    pub summary: RestoreSummary,
}

impl std::fmt::Debug for Restored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Restored")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// How the file was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// With the secret exactly as typed.
    AsTyped,
    /// With the typed text read as a recovery code.
    AsRecoveryCode,
    /// With an identity file.
    Identity,
}

type Stream = age::stream::StreamReader<std::io::BufReader<std::fs::File>>;

/// Recreates the vault in the backup `file` in `dir`, a folder that does
/// not exist or is empty, and returns it unlocked.
///
/// **Passphrase.** A backup sealed to the passphrase restores with that
/// passphrase, unless `new_passphrase` is given; one sealed to the
/// recovery code or to an age key needs `new_passphrase`. The recovery
/// code is always new: the old one never opens the restored vault's key
/// files (it still opens the backup itself if that was sealed to it).
///
/// **This computer's record (rollback detection).** A restore is a
/// deliberate step back, taken by someone who holds the backup's secret.
/// So that it is not then reported as a rollback, and so that it hides
/// none: the restored vault's change counter is set above both the
/// backup's and this computer's record of the vault, and the record is
/// set to the restored vault. From then on, on this computer, any copy of
/// the vault older than the restore — the vault it replaced included — is
/// reported as older at unlock, exactly as a copy put back by someone
/// else would be. On another computer that saw a later state, the
/// restored vault lacks history that computer saw and is reported there
/// as older: it is. The history itself is restored entry for entry and
/// re-chained nowhere.
pub fn restore(
    file: &Path,
    dir: &Path,
    opener: &Opener,
    new_passphrase: Option<&Passphrase>,
    opts: &UnlockOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Restored> {
    let mut report = Reporter::new(progress);
    report.start(Phase::Sealing, 1);
    if let Some(p) = new_passphrase {
        p.check_strength()?;
    }
    let existed = match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(VaultError::AlreadyExists(dir.into()).into());
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(VaultError::io(dir, e).into()),
    };
    let (stream, opened) = open(file, opener)?;
    let damaged = |reason: String| BackupError::Damaged {
        path: file.into(),
        reason,
    };
    let cut = |e: std::io::Error| {
        damaged(format!(
            "its encrypted data is truncated or does not authenticate: {e}"
        ))
    };

    let mut archive = tar::Archive::new(stream);
    let mut entries = archive.entries().map_err(cut)?;
    let manifest: Manifest = next_small(&mut entries, format::MANIFEST, &damaged, &cut)?;
    if manifest.format != format::FORMAT {
        return Err(damaged("its manifest is not a Vekil backup's".into()));
    }
    if manifest.version > format::VERSION {
        return Err(BackupError::FromFuture {
            path: file.into(),
            what: format!("backup format {}", manifest.version),
        });
    }
    if manifest.schema_version > SCHEMA_VERSION {
        return Err(BackupError::FromFuture {
            path: file.into(),
            what: format!("database schema {}", manifest.schema_version),
        });
    }
    if manifest.schema_version < 1 {
        return Err(damaged("its manifest names no database schema".into()));
    }
    let passphrase_kept = new_passphrase.is_none()
        && opened == Opened::AsTyped
        && manifest.sealed_to == SealedTo::Passphrase;
    let new_pass = match (new_passphrase, opener) {
        (Some(p), _) => Passphrase::new(p.expose_secret().to_owned()),
        (None, Opener::Secret(typed)) if passphrase_kept => {
            Passphrase::new(typed.expose_secret().to_owned())
        }
        _ => return Err(BackupError::NewPassphraseNeeded),
    };
    let header_value: Value = next_small(&mut entries, format::HEADER, &damaged, &cut)?;

    // From here on files are written: `target` removes them on any refusal.
    let mut target = Target {
        dir: dir.to_path_buf(),
        created: !existed,
        committed: false,
    };
    crate::vault::fsutil::create_private_dir(dir)?;
    crate::vault::fsutil::create_private_dir(&dir.join(ATTACHMENTS_DIR))?;
    let lock = VaultLock::acquire(dir)?;

    report.start(Phase::Records, manifest.tables.values().sum());
    let mut build: Option<Build> = None;
    let mut vault: Option<(Vault, DbKey, Header)> = None;
    let mut lock = Some(lock);
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    let mut whole = format::AttachmentCount::default();
    let mut mismatched: BTreeSet<String> = BTreeSet::new();
    let mut seen_shas: BTreeSet<String> = BTreeSet::new();
    let mut end: Option<End> = None;

    let result = (|| -> Result<()> {
        for entry in entries {
            let mut entry = entry.map_err(cut)?;
            if end.is_some() {
                return Err(damaged("something follows its end".into()));
            }
            if entry.header().entry_type() != tar::EntryType::Regular {
                return Err(damaged("it holds an entry that is not a file".into()));
            }
            let name = String::from_utf8(entry.path_bytes().into_owned())
                .map_err(|_| damaged("it holds an entry with an unreadable name".into()))?;
            let size = entry.header().size().map_err(cut)?;
            if let Some(table) = format::chunk_table(&name) {
                if vault.is_some() {
                    return Err(damaged(format!(
                        "table {table} comes after the evidence files"
                    )));
                }
                if size > format::MAX_CHUNK_BYTES {
                    return Err(damaged(format!("a part of table {table} is too large")));
                }
                let chunk = read_all(&mut entry, size).map_err(cut)?;
                let mut lines = chunk.split(|b| *b == b'\n').filter(|l| !l.is_empty());
                let head: ChunkHead = lines
                    .next()
                    .and_then(|l| serde_json::from_slice(l).ok())
                    .ok_or_else(|| {
                        damaged(format!("a part of table {table} has no column list"))
                    })?;
                if head.table != table {
                    return Err(damaged(format!(
                        "a part of table {table} names another table"
                    )));
                }
                let parsed: Vec<Vec<Value>> = lines
                    .map(serde_json::from_slice::<Vec<Value>>)
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|_| damaged(format!("a row of table {table} is not JSON")))?;
                match &mut build {
                    None if table == "meta" => {
                        let b = Build::create(dir, &manifest, &header_value, &head, &parsed)
                            .map_err(|e| match e {
                                BuildError::Bad(why) => damaged(why),
                                BuildError::Other(e) => e,
                            })?;
                        build = Some(b);
                    }
                    None => return Err(damaged("its first table is not `meta`".into())),
                    Some(_) if table == "meta" => {
                        return Err(damaged("table meta comes in more than one part".into()))
                    }
                    Some(_) => {}
                }
                let Some(b) = build.as_mut() else {
                    return Err(damaged("its first table is not `meta`".into()));
                };
                let n = b.insert(&head, parsed).map_err(|e| match e {
                    BuildError::Bad(why) => damaged(why),
                    BuildError::Other(e) => e,
                })?;
                *rows.entry(table.to_owned()).or_default() += n;
                report.add(n);
                continue;
            }
            // The tables are complete: open the new vault on them.
            if vault.is_none() {
                let b = build
                    .take()
                    .ok_or_else(|| damaged("it holds no tables".into()))?;
                let (key, header) = b.finish()?;
                let lock = lock
                    .take()
                    .ok_or_else(|| damaged("it was read twice".into()))?;
                let v = Vault::open_db(dir, Some(&key), &header, lock, false, Access::ReadWrite)?;
                vault = Some((v, key, header));
                report.start(Phase::Attachments, manifest.attachments.bytes);
            }
            let Some((v, _, _)) = vault.as_ref() else {
                return Err(damaged("it holds no tables".into()));
            };
            if let Some(sha) = format::attachment_sha(&name) {
                if !seen_shas.insert(sha.to_owned()) {
                    return Err(damaged(format!("evidence file {sha} appears twice")));
                }
                if size > crate::store::MAX_ATTACHMENT_BYTES {
                    return Err(damaged(format!("evidence file {sha} is too large")));
                }
                let counted = Counted {
                    inner: &mut entry,
                    report: &mut report,
                };
                let (tmp, got, n, _) = v
                    .encrypt_blob(&v.attachments_dir(), counted, file, 0)
                    .map_err(|e| attachment_error(e, &damaged))?;
                if got == sha {
                    v.place_blob(&tmp, sha)?;
                    whole.files += 1;
                    whole.bytes += n;
                } else {
                    let _ = std::fs::remove_file(&tmp);
                    mismatched.insert(sha.to_owned());
                }
            } else if name == format::END {
                if size > format::MAX_SMALL_BYTES {
                    return Err(damaged("its end part is too large".into()));
                }
                let bytes = read_all(&mut entry, size).map_err(cut)?;
                end = Some(
                    serde_json::from_slice(&bytes)
                        .map_err(|_| damaged("its end part is unreadable".into()))?,
                );
            } else {
                return Err(damaged(format!("it holds an unexpected entry {name:?}")));
            }
        }
        Ok(())
    })();
    // Whatever happened, the builder's connection closes before cleanup.
    drop(build);
    let finished = result.and_then(|()| {
        let end = end
            .take()
            .ok_or_else(|| damaged("it ends before its last part".into()))?;
        // age authenticates the end of the stream only when it is reached.
        let mut rest = archive.into_inner();
        std::io::copy(&mut rest, &mut std::io::sink()).map_err(cut)?;
        if end.format != format::FORMAT {
            return Err(damaged("its end part is not a Vekil backup's".into()));
        }
        let nonzero = |m: &BTreeMap<String, u64>| -> BTreeMap<String, u64> {
            m.iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| (k.clone(), *n))
                .collect()
        };
        if nonzero(&end.tables) != rows || nonzero(&manifest.tables) != rows {
            return Err(damaged(
                "its tables do not hold the rows it announces".into(),
            ));
        }
        let damaged_in_archive: BTreeSet<String> = end
            .unreadable
            .iter()
            .filter(|u| u.in_archive)
            .map(|u| u.sha256.clone())
            .collect();
        if end.attachments != whole
            || damaged_in_archive != mismatched
            || manifest.attachments.files != whole.files + end.unreadable.len() as u64
        {
            return Err(damaged(
                "its evidence files do not match what it announces".into(),
            ));
        }
        Ok(end)
    });
    let (end, (mut v, key, header)) = match (finished, vault) {
        (Ok(end), Some(v)) => (end, v),
        (Ok(_), None) => {
            return Err(damaged("it holds no evidence list and no end".into()));
        }
        (Err(e), v) => {
            if let Some((mut v, _, _)) = v {
                v.finished = true;
            }
            return Err(e);
        }
    };
    report.start(Phase::Checking, 1);
    match commit(
        &mut v,
        &key,
        header,
        &new_pass,
        opts,
        &manifest,
        file,
        &mut target,
    ) {
        Ok(code) => {
            report.add(1);
            report.start(Phase::Done, 1);
            report.add(1);
            Ok(Restored {
                vault: v,
                recovery_code: code,
                summary: RestoreSummary {
                    vault_id: manifest.vault_id.to_string(),
                    backup_made_at: manifest.created_at.clone(),
                    last_change_at: manifest.last_change.at.clone(),
                    last_change_on: manifest.last_change.device_name.clone(),
                    sealed_to: manifest.sealed_to,
                    passphrase_kept,
                    records: rows.get("records").copied().unwrap_or(0),
                    revisions: rows.get("revisions").copied().unwrap_or(0),
                    attachments: whole.files,
                    attachment_bytes: whole.bytes,
                    unreadable: end.unreadable,
                },
            })
        }
        Err(e) => {
            if !target.committed {
                v.finished = true;
            }
            drop(v);
            drop(target);
            Err(e)
        }
    }
}

/// The checks after the data is in, and the commit: history verified,
/// counter raised, key files, header (the commit point), this computer's
/// record, the unlock checks. Returns the new recovery code. Marks
/// `target` committed once the header is written: from then on the vault
/// stays, whatever fails.
#[allow(clippy::too_many_arguments)]
fn commit(
    v: &mut Vault,
    key: &DbKey,
    mut header: Header,
    new_pass: &Passphrase,
    opts: &UnlockOptions,
    manifest: &Manifest,
    file: &Path,
    target: &mut Target,
) -> Result<RecoveryCode> {
    let damaged = |reason: String| BackupError::Damaged {
        path: file.into(),
        reason,
    };
    let history = v.verify_history()?;
    if let Some(p) = history.problems.first() {
        return Err(damaged(format!("its history does not verify: {p}")));
    }
    let (head_seq, head_hash) = revisions::head(&v.conn).map_err(|e| v.db_error(e))?;
    if head_seq != manifest.chain_head.seq || head_hash != manifest.chain_head.hash {
        return Err(damaged(
            "its history does not end where its manifest says".into(),
        ));
    }
    if opts.test_only_low_kdf {
        v.kdf_floor = keyfile::TEST_KDF_LOG_N;
    }
    v.seen = opts
        .seen_record
        .clone()
        .map(|path| SeenRecord::new(path, header.vault_id, key.derive(secret::SEEN_RECORD_LABEL)));

    // The counter goes above everything seen, so that older copies are
    // recognised as older from now on (see `restore`).
    let restored = revisions::change_state(&v.conn).map_err(|e| v.db_error(e))?;
    let seen_counter = match v.seen.as_ref().map(SeenRecord::lookup) {
        Some(Lookup::Seen(e)) => e.counter,
        _ => 0,
    };
    let counter = restored.counter.max(seen_counter) + 1;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    v.conn
        .execute(
            "INSERT INTO meta (key, value)
             VALUES ('last_change', json_object('counter', ?1, 'at', ?2, 'device', ?3))
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rusqlite::params![
                i64::try_from(counter).unwrap_or(i64::MAX),
                at,
                v.chain.device_name
            ],
        )
        .map_err(|e| v.db_error(e))?;

    let code = RecoveryCode::generate();
    let log_n = keyfile::rewrap_factor(header.kdf_log_n, v.kdf_floor);
    header.key_files.passphrase_sha256 = keyfile::wrap(
        &v.dir.join(PASSPHRASE_KEY_FILE),
        key,
        new_pass.to_secret_string(),
        log_n,
    )?;
    header.key_files.recovery_sha256 = keyfile::wrap(
        &v.dir.join(RECOVERY_KEY_FILE),
        key,
        code.to_secret_string(),
        log_n.min(keyfile::RECOVERY_KDF_LOG_N),
    )?;
    header.kdf_log_n = log_n;
    header.sealed = None;
    header.last_change = Some(ChangeMark {
        counter,
        at: Some(at.clone()),
    });
    // No wrong passphrase was typed at this vault since it was restored.
    header.unlock = UnlockState {
        failed_total: header.failed_unlocks_seen,
        ..UnlockState::default()
    };
    // The commit point.
    v.write_header(&mut header)?;
    target.committed = true;

    if let Some(seen) = &v.seen {
        // Best effort, as at unlock: a home that cannot be written must
        // not undo a restore that is complete.
        let _ = seen.store(counter, Some(at), head_seq, head_hash);
    }
    v.check_after_unlock(header)?;
    Ok(code)
}

/// Decrypts the backup's header with `opener`; returns the plaintext
/// stream and how it was opened. Nothing is written.
fn open(file: &Path, opener: &Opener) -> Result<(Stream, Opened)> {
    let attempt = |identity: &dyn age::Identity| -> Result<Option<Stream>> {
        let f = std::fs::File::open(file).map_err(|source| BackupError::Read {
            path: file.into(),
            source,
        })?;
        let d = age::Decryptor::new_buffered(std::io::BufReader::new(f))
            .map_err(|_| BackupError::NotABackup(file.into()))?;
        match (opener, d.is_scrypt()) {
            (Opener::Secret(_), false) => return Err(BackupError::NeedsIdentity(file.into())),
            (Opener::Identity(_), true) => return Err(BackupError::NeedsSecret(file.into())),
            _ => {}
        }
        match d.decrypt(std::iter::once(identity)) {
            Ok(r) => Ok(Some(r)),
            Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed) => {
                Ok(None)
            }
            Err(age::DecryptError::ExcessiveWork { .. }) => Err(BackupError::Damaged {
                path: file.into(),
                reason: "it asks for an unreasonable amount of key-derivation work".into(),
            }),
            Err(age::DecryptError::UnknownFormat) => Err(BackupError::NotABackup(file.into())),
            Err(e) => Err(BackupError::Damaged {
                path: file.into(),
                reason: format!("its header was altered ({e})"),
            }),
        }
    };
    match opener {
        Opener::Secret(typed) => {
            let scrypt = |s: age::secrecy::SecretString| {
                let mut id = age::scrypt::Identity::new(s);
                id.set_max_work_factor(keyfile::MAX_KDF_LOG_N);
                id
            };
            if let Some(r) = attempt(&scrypt(typed.to_secret_string()))? {
                return Ok((r, Opened::AsTyped));
            }
            if let Ok(code) = RecoveryCode::parse(typed.expose_secret()) {
                if code.expose_secret() != typed.expose_secret() {
                    if let Some(r) = attempt(&scrypt(code.to_secret_string()))? {
                        return Ok((r, Opened::AsRecoveryCode));
                    }
                }
            }
            Err(BackupError::WrongSecret(file.into()))
        }
        Opener::Identity(path) => {
            let id = crate::import::read_identity(path).map_err(|e| match e {
                crate::import::ImportError::Io { path, source } => {
                    BackupError::Read { path, source }
                }
                _ => BackupError::BadIdentity(path.clone()),
            })?;
            match attempt(&id)? {
                Some(r) => Ok((r, Opened::Identity)),
                None => Err(BackupError::WrongIdentity(file.into())),
            }
        }
    }
}

/// Reads the next entry, which must be the small JSON entry `name`.
fn next_small<T: serde::de::DeserializeOwned, R: Read>(
    entries: &mut tar::Entries<'_, R>,
    name: &str,
    damaged: &dyn Fn(String) -> BackupError,
    cut: &dyn Fn(std::io::Error) -> BackupError,
) -> Result<T> {
    let mut entry = entries
        .next()
        .ok_or_else(|| damaged(format!("it ends before its {name}")))?
        .map_err(cut)?;
    if entry.path_bytes().as_ref() != name.as_bytes()
        || entry.header().entry_type() != tar::EntryType::Regular
    {
        return Err(damaged(format!("it does not start with its {name}")));
    }
    let size = entry.header().size().map_err(cut)?;
    if size > format::MAX_SMALL_BYTES {
        return Err(damaged(format!("its {name} is too large")));
    }
    let bytes = read_all(&mut entry, size).map_err(cut)?;
    serde_json::from_slice(&bytes).map_err(|_| damaged(format!("its {name} is unreadable")))
}

/// Reads an entry of `size` bytes (already checked against a limit).
fn read_all(r: &mut impl Read, size: u64) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    r.read_to_end(&mut buf)?;
    Ok(buf)
}

/// An evidence file being restored: counts its bytes for the progress.
struct Counted<'a, 'r, R> {
    inner: R,
    report: &'a mut Reporter<'r>,
}

impl<R: Read> Read for Counted<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.report.add(n as u64);
        Ok(n)
    }
}

/// An error while encrypting an evidence file into the new vault: damage
/// when reading the backup failed, the error itself otherwise.
fn attachment_error(e: crate::Error, damaged: &dyn Fn(String) -> BackupError) -> BackupError {
    use crate::store::AttachmentError as A;
    match e {
        crate::Error::Attachment(A::Io { source, .. })
            if matches!(
                source.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            damaged(format!(
                "its encrypted data is truncated or does not authenticate: {source}"
            ))
        }
        crate::Error::Attachment(A::TooLarge(_)) => {
            damaged("an evidence file is larger than its announced size".into())
        }
        other => other.into(),
    }
}

/// The folder being restored into: emptied again (and removed, if the
/// restore made it) unless the restore commits.
struct Target {
    dir: PathBuf,
    created: bool,
    committed: bool,
}

impl Drop for Target {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        // Only the names a vault consists of: the folder was empty when
        // the restore began.
        for name in [
            HEADER_FILE,
            PASSPHRASE_KEY_FILE,
            RECOVERY_KEY_FILE,
            DB_FILE,
            "vekil.db-wal",
            "vekil.db-shm",
            "vekil.db-journal",
            LOCK_FILE,
            "vault.tmp",
            "key.passphrase.tmp",
            "key.recovery.tmp",
        ] {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
        let attachments = self.dir.join(ATTACHMENTS_DIR);
        if let Ok(entries) = std::fs::read_dir(&attachments) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let _ = std::fs::remove_dir(&attachments);
        if self.created {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Why building the database failed: the backup's fault, or ours.
enum BuildError {
    Bad(String),
    Other(BackupError),
}

impl<E: Into<BackupError>> From<E> for BuildError {
    fn from(e: E) -> Self {
        Self::Other(e.into())
    }
}

/// A table of the new database: its columns, and whether rows carry
/// their rowid (the full-text index).
struct Shape {
    columns: BTreeSet<String>,
}

/// The new database while the tables stream in: one open transaction.
struct Build {
    conn: rusqlite::Connection,
    key: DbKey,
    header: Header,
    shapes: HashMap<String, Shape>,
}

impl Build {
    /// Creates the database with the key from `meta`'s rows, at the
    /// backup's schema version, empty, inside an open transaction.
    fn create(
        dir: &Path,
        manifest: &Manifest,
        header_value: &Value,
        head: &ChunkHead,
        meta: &[Vec<Value>],
    ) -> std::result::Result<Self, BuildError> {
        let bad = |s: &str| BuildError::Bad(s.to_owned());
        let col = |name: &str| head.columns.iter().position(|c| c == name);
        let (Some(k), Some(v)) = (col("key"), col("value")) else {
            return Err(bad("table meta has no key and value columns"));
        };
        let lookup = |name: &str| {
            meta.iter()
                .find(|row| row.get(k).and_then(Value::as_str) == Some(name))
                .and_then(|row| row.get(v))
                .and_then(Value::as_str)
        };
        let key = lookup("db_key")
            .and_then(|hex_text| DbKey::from_hex(hex_text.as_bytes()))
            .ok_or_else(|| bad("it holds no database key"))?;
        if lookup("vault_id") != Some(manifest.vault_id.to_string().as_str()) {
            return Err(bad("its tables belong to another vault than its manifest"));
        }
        // The header: the copy the database kept, else the one beside it.
        let sealed = match lookup("header") {
            Some(text) => serde_json::from_str::<Value>(text)
                .map_err(|_| bad("its copy of the vault header is unreadable"))?,
            None => header_value.clone(),
        };
        let header = Header::from_sealed(&sealed, UnlockState::default())
            .filter(|h| h.format == crate::vault::header::FORMAT)
            .ok_or_else(|| bad("its vault header is unreadable"))?;
        if header.vault_id != manifest.vault_id {
            return Err(bad("its vault header belongs to another vault"));
        }
        if header.version > crate::vault::header::HEADER_VERSION {
            return Err(BuildError::Other(BackupError::FromFuture {
                path: dir.into(),
                what: format!("vault header {}", header.version),
            }));
        }

        let path = dir.join(DB_FILE);
        let mut conn = access::open(&path, &Access::ReadWrite, true)?;
        conn.execute_batch(
            "PRAGMA cipher_log_level = NONE;
             PRAGMA cipher_memory_security = ON;",
        )?;
        key.with_key_statement(|sql| conn.execute_batch(sql))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        crate::vault::configure(&conn, false)?;
        migrations::migrate_to(&mut conn, manifest.schema_version)?;
        crate::vault::restrict_permissions(dir);
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut shapes = HashMap::new();
        for (name, with_rowid) in table_list(&conn)? {
            let mut columns: BTreeSet<String> = {
                let mut stmt = conn.prepare("SELECT name FROM pragma_table_xinfo(?1)")?;
                let rows = stmt.query_map([&name], |r| r.get::<_, String>(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            if with_rowid {
                columns.insert("rowid".into());
            }
            // What the migrations put in (defaults) gives way to the backup.
            conn.execute(&format!("DELETE FROM {}", quote(&name)), [])?;
            shapes.insert(name, Shape { columns });
        }
        Ok(Self {
            conn,
            key,
            header,
            shapes,
        })
    }

    /// Inserts one chunk's rows; returns how many.
    fn insert(
        &mut self,
        head: &ChunkHead,
        rows: Vec<Vec<Value>>,
    ) -> std::result::Result<u64, BuildError> {
        let Some(shape) = self.shapes.get(&head.table) else {
            return Err(BuildError::Bad(format!(
                "it holds a table {:?} this vault's schema does not have",
                head.table
            )));
        };
        let mut names = BTreeSet::new();
        for c in &head.columns {
            if !shape.columns.contains(c) || !names.insert(c) {
                return Err(BuildError::Bad(format!(
                    "table {} has an unknown or repeated column {c:?}",
                    head.table
                )));
            }
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(&head.table),
            head.columns
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", "),
            (1..=head.columns.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut n = 0u64;
        for row in rows {
            if row.len() != head.columns.len() {
                return Err(BuildError::Bad(format!(
                    "a row of table {} has the wrong number of values",
                    head.table
                )));
            }
            let values = row
                .into_iter()
                .map(format::json_to_value)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    BuildError::Bad(format!("a row of table {} holds an odd value", head.table))
                })?;
            stmt.execute(rusqlite::params_from_iter(values.iter()))
                .map_err(|e| {
                    BuildError::Bad(format!("a row of table {} does not fit: {e}", head.table))
                })?;
            n += 1;
        }
        Ok(n)
    }

    /// Commits the rows and brings the schema up to this build's.
    fn finish(self) -> Result<(DbKey, Header)> {
        let Self {
            mut conn,
            key,
            header,
            ..
        } = self;
        conn.execute_batch("COMMIT")?;
        migrations::migrate_to(&mut conn, SCHEMA_VERSION)?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(conn);
        Ok((key, header))
    }
}
