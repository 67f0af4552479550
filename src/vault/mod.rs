//! The vault: one directory holding an encrypted case file.
//!
//! ```text
//! vault.json          plaintext header, sealed with a MAC: ids, KDF cost,
//!                     key-file digests, change counter; back-off (unsealed)
//! key.passphrase.age  database key wrapped to the passphrase (age, scrypt)
//! key.recovery.age    database key wrapped to the recovery code (age, scrypt)
//! vekil.db            SQLCipher database (+ -wal/-shm while open)
//! attachments/        age-encrypted files, named by a keyed hash of their SHA-256
//! vault.lock          advisory lock held by the process that has it open
//! ```
//!
//! The database key is 256 random bits that exist on disk only inside the
//! key files, so changing the passphrase rewrites one small file and never
//! re-encrypts data. See docs/design/storage.md for the reasoning and the
//! measurements behind each choice.

mod access;
pub mod backup;
mod checks;
pub mod erase;
mod error;
pub(crate) mod fsutil;
mod header;
mod keyfile;
mod lock;
pub mod migrations;
mod passcheck;
mod report;
mod seen;
pub mod travel;

pub use error::{Result, VaultError};
pub use keyfile::DEFAULT_KDF_LOG_N;
pub use migrations::SCHEMA_VERSION;
pub use report::{LastChange, ReadOnlyReason, UnlockNotice, UnlockReport};
pub use seen::default_path as default_seen_record;

use crate::secret::{self, DbKey, Passphrase, RecoveryCode};
use crate::store::revisions::{self, Chain};
use access::Access;
use chrono::Utc;
use header::{Header, KeyDigests, UnlockState};
use keyfile::Unwrap;
use lock::VaultLock;
use rusqlite::Connection;
use secrecy::{ExposeSecret, SecretBox};
use seen::SeenRecord;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use uuid::Uuid;

pub(crate) const HEADER_FILE: &str = "vault.json";
pub(crate) const PASSPHRASE_KEY_FILE: &str = "key.passphrase.age";
pub(crate) const RECOVERY_KEY_FILE: &str = "key.recovery.age";
pub(crate) const DB_FILE: &str = "vekil.db";
pub(crate) const LOCK_FILE: &str = "vault.lock";
pub(crate) const ATTACHMENTS_DIR: &str = "attachments";

/// Tunables for creating a vault.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    /// scrypt work factor (log2 N) of the key files. Lower values are for
    /// tests only: they make guessing the passphrase cheaper.
    pub kdf_log_n: u8,
}

impl Default for VaultOptions {
    fn default() -> Self {
        Self {
            kdf_log_n: DEFAULT_KDF_LOG_N,
        }
    }
}

/// How to unlock a vault.
#[derive(Debug, Clone, Default)]
pub struct UnlockOptions {
    /// Open read-only even if the folder can be written. (A folder that
    /// cannot be written is opened read-only anyway.)
    pub read_only: bool,
    /// This computer's record of the vaults it has opened, used to notice
    /// an older copy of the vault (see `seen.rs`); `None`: not consulted.
    pub seen_record: Option<PathBuf>,
    /// **Tests only.** Lets re-wrapping a key file (`passwd`, `recover`)
    /// use the test work factor (2^10) instead of raising it to the
    /// default. Nothing in the CLI or the app sets it from user input;
    /// the desktop shell sets it only when its own test-only
    /// `with_test_kdf` was used.
    pub test_only_low_kdf: bool,
}

impl UnlockOptions {
    /// What the CLI and the desktop app use: this computer's record of
    /// the vaults it opened, under the user's state directory.
    pub fn on_this_computer() -> Self {
        Self {
            seen_record: default_seen_record(),
            ..Self::default()
        }
    }
}

/// An unlocked vault. Holds the write lock until dropped.
///
/// `Send` but not `Sync`: the desktop shell keeps it behind a mutex.
pub struct Vault {
    dir: PathBuf,
    pub(crate) conn: Connection,
    /// Device, computer name and key that every revision is chained with.
    pub(crate) chain: Chain,
    pub(crate) attachment_identity: age::x25519::Identity,
    pub(crate) name_key: SecretBox<[u8; 32]>,
    /// Seals `vault.json`.
    header_key: SecretBox<[u8; 32]>,
    /// Recognises the passphrase again without scrypt (see `passcheck`).
    pub(crate) passphrase_check: passcheck::PassphraseCheck,
    seen: Option<SeenRecord>,
    access: Access,
    /// Lowest scrypt factor a key file is re-wrapped with.
    kdf_floor: u8,
    report: UnlockReport,
    /// The change counter when the vault was opened (or last recorded),
    /// so closing writes the header and this computer's record only when
    /// something changed.
    counter_at_open: u64,
    /// `close` ran (explicitly, or from `Drop`).
    finished: bool,
    unlock_timing: UnlockTiming,
    pub(crate) cancel: crate::cancel::Cancel,
    _lock: VaultLock,
}

/// How long the last unlock took, split at the key derivation, so the
/// benchmark can report the database open cost on its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnlockTiming {
    /// Unwrapping the key file (scrypt).
    pub kdf: std::time::Duration,
    /// Everything else: keying, smoke query, pragmas, migrations check.
    pub open: std::time::Duration,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// The vault directory the desktop app and the CLI use when none is given:
/// `$VEKIL_VAULT`, else the platform data directory (on Linux
/// `~/.local/share/vekil/vault`).
pub fn default_vault_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VEKIL_VAULT").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("org", "Vekil", "vekil").map(|d| d.data_dir().join("vault"))
}

/// What the unlock screen needs to know before a passphrase is typed.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct VaultStatus {
    /// A vault header exists in the directory.
    pub exists: bool,
    /// Seconds before another unlock attempt is allowed.
    pub retry_after_secs: u64,
    /// Consecutive failed attempts so far.
    pub failed_attempts: u32,
    /// Sealed for travel: only custodians can release it (see `travel`).
    pub sealed: bool,
}

impl Vault {
    /// Creates a new vault in `dir` (which must not exist or be empty) and
    /// returns it unlocked with its recovery code, to be shown once.
    pub fn create(dir: &Path, passphrase: &Passphrase) -> Result<(Self, RecoveryCode)> {
        Self::create_with(dir, passphrase, &VaultOptions::default())
    }

    /// [`Vault::create`] with explicit options.
    pub fn create_with(
        dir: &Path,
        passphrase: &Passphrase,
        opts: &VaultOptions,
    ) -> Result<(Self, RecoveryCode)> {
        passphrase.check_strength()?;
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(|e| VaultError::io(dir, e))?;
            if entries.next().is_some() {
                return Err(VaultError::AlreadyExists(dir.into()));
            }
        }
        fsutil::create_private_dir(dir)?;
        fsutil::create_private_dir(&dir.join(ATTACHMENTS_DIR))?;
        let lock = VaultLock::acquire(dir)?;
        let key = DbKey::generate();
        let code = RecoveryCode::generate();
        let passphrase_sha256 = keyfile::wrap(
            &dir.join(PASSPHRASE_KEY_FILE),
            &key,
            passphrase.to_secret_string(),
            opts.kdf_log_n,
        )?;
        let recovery_sha256 = keyfile::wrap(
            &dir.join(RECOVERY_KEY_FILE),
            &key,
            code.to_secret_string(),
            opts.kdf_log_n.min(keyfile::RECOVERY_KDF_LOG_N),
        )?;
        let mut header = Header {
            format: header::FORMAT.into(),
            version: header::HEADER_VERSION,
            vault_id: Uuid::new_v4(),
            device_id: Uuid::new_v4(),
            created_at: Utc::now(),
            kdf_log_n: opts.kdf_log_n,
            key_files: KeyDigests {
                passphrase_sha256,
                recovery_sha256,
            },
            failed_unlocks_seen: 0,
            last_change: None,
            unlock: UnlockState::default(),
            mac: None,
            extra: Default::default(),
            sealed: None,
            wipe_after_failures: None,
        };
        let mut vault = Self::open_db(dir, Some(&key), &header, lock, true, Access::ReadWrite)?;
        vault.passphrase_check.remember(passphrase);
        revisions::upgrade_chain(&vault.conn, &vault.chain)?;
        header.last_change = Some(vault.change_mark()?);
        // The header goes last: until it exists the folder is not a vault,
        // so a crash during creation leaves nothing half-usable behind.
        vault.write_header(&mut header)?;
        vault.report = vault.report_now(Vec::new())?;
        Ok((vault, code))
    }

    /// Whether `dir` holds a vault, and the current back-off.
    pub fn status(dir: &Path) -> VaultStatus {
        match Header::load(&dir.join(HEADER_FILE)) {
            Ok(h) => VaultStatus {
                exists: true,
                retry_after_secs: h.unlock.wait_secs(Utc::now()),
                failed_attempts: h.unlock.failed_attempts,
                sealed: h.sealed.is_some(),
            },
            Err(_) => VaultStatus {
                exists: false,
                retry_after_secs: 0,
                failed_attempts: 0,
                sealed: false,
            },
        }
    }

    /// Unlocks the vault in `dir` with the passphrase.
    ///
    /// A wrong passphrase is counted in the header; after three in a row,
    /// each further attempt must wait twice as long as the one before.
    /// Library callers and tests use this; the CLI and the app use
    /// [`Vault::unlock_with`] and [`UnlockOptions::on_this_computer`].
    pub fn unlock(dir: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::unlock_with(dir, passphrase, &UnlockOptions::default())
    }

    /// Unlocks with options. Whatever the unlock found (a header changed
    /// outside Vekil, an older copy of the vault, wrong passphrases typed
    /// since the last unlock, a read-only folder) is in
    /// [`Vault::unlock_report`].
    pub fn unlock_with(dir: &Path, passphrase: &Passphrase, opts: &UnlockOptions) -> Result<Self> {
        let vault = Self::unlock_inner(
            dir,
            PASSPHRASE_KEY_FILE,
            passphrase.to_secret_string(),
            false,
            opts,
        )?;
        vault.passphrase_check.remember(passphrase);
        Ok(vault)
    }

    /// Unlocks with the recovery code and sets a new passphrase.
    pub fn recover(dir: &Path, code: &RecoveryCode, new_passphrase: &Passphrase) -> Result<Self> {
        Self::recover_with(dir, code, new_passphrase, &UnlockOptions::default())
    }

    /// [`Vault::recover`] with options.
    pub fn recover_with(
        dir: &Path,
        code: &RecoveryCode,
        new_passphrase: &Passphrase,
        opts: &UnlockOptions,
    ) -> Result<Self> {
        new_passphrase.check_strength()?;
        let vault =
            Self::unlock_inner(dir, RECOVERY_KEY_FILE, code.to_secret_string(), true, opts)?;
        vault.rewrap_passphrase(new_passphrase)?;
        Ok(vault)
    }

    fn unlock_inner(
        dir: &Path,
        key_file: &str,
        secret: age::secrecy::SecretString,
        recovery: bool,
        opts: &UnlockOptions,
    ) -> Result<Self> {
        let header_path = dir.join(HEADER_FILE);
        Header::load(&header_path)?;
        let access = access::decide(dir, &dir.join(DB_FILE), opts.read_only);
        if let (true, Some(reason)) = (recovery, access.reason()) {
            // Recovering sets a new passphrase: a write.
            return Err(VaultError::ReadOnly(reason.clone()));
        }
        let lock = if access.is_read_only() {
            VaultLock::acquire_shared(dir)?
        } else {
            VaultLock::acquire(dir)?
        };
        // Read again under the lock: a travel release may have just ended.
        let mut header = Header::load(&header_path)?;
        if header.sealed.is_some() {
            // Key files left by an interrupted seal or release must go; if
            // that fails the unlock is refused all the same.
            if !access.is_read_only() {
                let _ = travel::finish_seal(dir);
            }
            return Err(VaultError::Sealed);
        }
        let wait = header.unlock.wait_secs(Utc::now());
        if wait > 0 {
            return Err(VaultError::BackOff {
                retry_after_secs: wait,
            });
        }
        let expected = if recovery {
            &header.key_files.recovery_sha256
        } else {
            &header.key_files.passphrase_sha256
        };
        let kdf_start = std::time::Instant::now();
        let key = match keyfile::unwrap(&dir.join(key_file), secret, expected)? {
            Unwrap::Key(k) => k,
            Unwrap::WrongSecret => {
                // In a read-only folder the failure cannot be written down,
                // so it is not counted and no back-off follows; scrypt's
                // cost per guess is then the only brake (docs/design/storage.md).
                // A read-only open of a writable folder still counts it, so
                // asking for read-only is no way around the back-off.
                let counted = !access::decide(dir, &dir.join(DB_FILE), false).is_read_only();
                if counted {
                    header.unlock.record_failure(Utc::now());
                    header.store(&header_path)?;
                    if erase::wipe_is_due(&header) {
                        drop(lock);
                        erase::erase(dir)?;
                        return Err(VaultError::Wiped {
                            failed_attempts: header.unlock.failed_attempts,
                        });
                    }
                }
                return Err(if recovery {
                    VaultError::WrongRecoveryCode
                } else if counted {
                    VaultError::WrongPassphrase {
                        failed_attempts: header.unlock.failed_attempts,
                    }
                } else {
                    VaultError::WrongPassphraseUncounted
                });
            }
        };
        let kdf = kdf_start.elapsed();
        let open_start = std::time::Instant::now();
        let mut vault = Self::open_db(dir, Some(&key), &header, lock, false, access)?;
        if opts.test_only_low_kdf {
            vault.kdf_floor = keyfile::TEST_KDF_LOG_N;
        }
        vault.seen = opts.seen_record.clone().map(|path| {
            SeenRecord::new(path, header.vault_id, key.derive(secret::SEEN_RECORD_LABEL))
        });
        vault.check_after_unlock(header)?;
        vault.unlock_timing = UnlockTiming {
            kdf,
            open: open_start.elapsed(),
        };
        Ok(vault)
    }

    /// What the unlock found: the last change, whether the vault is
    /// read-only, and notices for the lawyer.
    pub fn unlock_report(&self) -> &UnlockReport {
        &self.report
    }

    /// Why the vault is open read-only, or `None`.
    pub fn read_only(&self) -> Option<&ReadOnlyReason> {
        self.access.reason()
    }

    /// Refuses a write to a vault open read-only, with the sentence that
    /// says why and what to do.
    pub(crate) fn ensure_writable(&self) -> Result<()> {
        match self.access.reason() {
            Some(r) => Err(VaultError::ReadOnly(r.clone())),
            None => Ok(()),
        }
    }

    /// Replaces the passphrase after checking the current one. Only the
    /// passphrase key file is rewritten; the data is not re-encrypted.
    pub fn change_passphrase(&self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        self.ensure_writable()?;
        new.check_strength()?;
        if !self.is_passphrase(current)? {
            return Err(VaultError::WrongPassphrase { failed_attempts: 0 });
        }
        self.rewrap_passphrase(new)
    }

    /// Whether `p` is this vault's passphrase, for actions that ask for it
    /// again (backup, a new passphrase, the wipe setting). Uses the keyed
    /// tag remembered since unlock when there is one, so the check costs
    /// no scrypt (see `passcheck`); otherwise unwraps the key file.
    pub(crate) fn is_passphrase(&self, p: &Passphrase) -> Result<bool> {
        if let Some(known) = self.passphrase_check.matches(p) {
            return Ok(known);
        }
        let header = self.trusted_header()?;
        Ok(matches!(
            keyfile::unwrap(
                &self.dir.join(PASSPHRASE_KEY_FILE),
                p.to_secret_string(),
                &header.key_files.passphrase_sha256,
            )?,
            Unwrap::Key(_)
        ))
    }

    /// Wraps the key to a new passphrase with at least the default work
    /// factor (see [`keyfile::rewrap_factor`]), whatever the header says,
    /// and reseals the header.
    fn rewrap_passphrase(&self, new: &Passphrase) -> Result<()> {
        self.ensure_writable()?;
        let mut header = self.trusted_header()?;
        let key = self.db_key_from_meta()?;
        let log_n = keyfile::rewrap_factor(header.kdf_log_n, self.kdf_floor);
        header.key_files.passphrase_sha256 = keyfile::wrap(
            &self.dir.join(PASSPHRASE_KEY_FILE),
            &key,
            new.to_secret_string(),
            log_n,
        )?;
        header.kdf_log_n = log_n;
        header.unlock.reset_wait();
        self.write_header(&mut header)?;
        self.passphrase_check.remember(new);
        Ok(())
    }

    /// The header as Vekil last sealed it: the file if its seal holds,
    /// else the copy inside the database (with the file's unsealed
    /// back-off state). Anything that rewrites the header starts from
    /// this, so a header changed while the vault was open is never sealed.
    fn trusted_header(&self) -> Result<Header> {
        let on_disk = Header::load(&self.dir.join(HEADER_FILE))?;
        if on_disk.check_seal(&self.header_key) == header::Seal::Valid {
            return Ok(on_disk);
        }
        Ok(self
            .header_copy()?
            .and_then(|copy| Header::from_sealed(&copy, on_disk.unlock.clone()))
            .unwrap_or(on_disk))
    }

    /// The database's copy of the sealed header fields, if it has one.
    fn header_copy(&self) -> Result<Option<serde_json::Value>> {
        use rusqlite::OptionalExtension;
        let text: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'header'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.db_error(e))?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Seals `header` and writes it: first its copy into the database,
    /// then `vault.json` (atomically). A crash in between leaves a file
    /// whose seal still holds, only older than the copy.
    fn write_header(&self, header: &mut Header) -> Result<()> {
        self.ensure_writable()?;
        header.seal(&self.header_key);
        let copy = String::from_utf8(header::canonical(&header.sealed_value()))
            .map_err(|e| VaultError::Crypto(e.to_string()))?;
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('header', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [copy],
            )
            .map_err(|e| self.db_error(e))?;
        header.store(&self.dir.join(HEADER_FILE))
    }

    /// The change counter as the header mirrors it.
    fn change_mark(&self) -> Result<header::ChangeMark> {
        let s = revisions::change_state(&self.conn).map_err(|e| self.db_error(e))?;
        Ok(header::ChangeMark {
            counter: s.counter,
            at: s.at,
        })
    }

    /// The database key, read back from the open database's own key pragma
    /// is not possible, so it is kept (encrypted, inside the database) in
    /// `meta` for re-wrapping.
    fn db_key_from_meta(&self) -> Result<DbKey> {
        let hex_text: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
            self.conn
                .query_row("SELECT value FROM meta WHERE key = 'db_key'", [], |r| {
                    r.get(0)
                })
                .map_err(|e| self.db_error(e))?,
        );
        DbKey::from_hex(hex_text.as_bytes())
            .ok_or_else(|| VaultError::corrupt(self.dir.join(DB_FILE), "stored key is invalid"))
    }

    /// A vault whose database is NOT encrypted, for the benchmark's
    /// plain-SQLite baseline only: the same store code, no SQLCipher key.
    #[cfg(feature = "bench-baseline")]
    #[doc(hidden)]
    pub fn open_plaintext_baseline(dir: &Path) -> Result<Self> {
        fsutil::create_private_dir(dir)?;
        let lock = VaultLock::acquire(dir)?;
        let header = Header {
            format: header::FORMAT.into(),
            version: header::HEADER_VERSION,
            vault_id: Uuid::new_v4(),
            device_id: Uuid::new_v4(),
            created_at: Utc::now(),
            kdf_log_n: 0,
            key_files: KeyDigests {
                passphrase_sha256: String::new(),
                recovery_sha256: String::new(),
            },
            failed_unlocks_seen: 0,
            last_change: None,
            unlock: UnlockState::default(),
            mac: None,
            extra: Default::default(),
            sealed: None,
            wipe_after_failures: None,
        };
        let fresh = !dir.join(DB_FILE).exists();
        let start = std::time::Instant::now();
        let mut v = Self::open_db(dir, None, &header, lock, fresh, Access::ReadWrite)?;
        revisions::upgrade_chain(&v.conn, &v.chain)?;
        if fresh {
            // A header like a real vault's, so closing does the same work.
            let mut header = header;
            v.write_header(&mut header)?;
        }
        v.unlock_timing = UnlockTiming {
            kdf: Default::default(),
            open: start.elapsed(),
        };
        Ok(v)
    }

    /// How long the unlock that opened this vault took.
    pub fn unlock_timing(&self) -> UnlockTiming {
        self.unlock_timing
    }

    fn open_db(
        dir: &Path,
        key: Option<&DbKey>,
        header: &Header,
        lock: VaultLock,
        fresh: bool,
        access: Access,
    ) -> Result<Self> {
        let path = dir.join(DB_FILE);
        if !fresh && !path.exists() {
            return Err(VaultError::corrupt(&path, "the database file is missing"));
        }
        let mut conn = access::open(&path, &access, fresh)?;
        // SQLCipher logs decryption failures to stderr itself; Vekil reports
        // them once, as a sentence naming the file. Memory security goes on
        // before the key: from then on every allocation SQLite frees (the
        // keying statement's copies, decrypted pages leaving the cache) is
        // wiped first. It is process-wide and cannot be turned off again.
        conn.execute_batch(
            "PRAGMA cipher_log_level = NONE;
             PRAGMA cipher_memory_security = ON;",
        )?;
        if let Some(key) = key {
            key.with_key_statement(|sql| conn.execute_batch(sql))?;
        }
        // A wrong key or a damaged first page only shows at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| corrupt_db(&path, e))?;
        configure(&conn, access.is_read_only()).map_err(|e| corrupt_db(&path, e))?;
        if access.is_read_only() {
            // A read-only folder cannot take a migration: the schema must
            // already be this build's.
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| corrupt_db(&path, e))?;
            if version > SCHEMA_VERSION {
                return Err(VaultError::FromFuture {
                    found: version,
                    supported: SCHEMA_VERSION,
                });
            }
            if version < SCHEMA_VERSION {
                return Err(VaultError::UpgradeNeedsWrite(dir.to_path_buf()));
            }
        } else {
            migrations::migrate_to(&mut conn, SCHEMA_VERSION).map_err(|e| match e {
                VaultError::Db(e) => corrupt_db(&path, e),
                other => other,
            })?;
            restrict_permissions(dir);
        }

        let zero = [0u8; 32];
        let key_bytes = key.map_or(&zero, |k| k.bytes());
        let identity = if fresh {
            let id = age::x25519::Identity::generate();
            let tx = conn.unchecked_transaction()?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('attachment_identity', ?1)",
                [id.to_string().expose_secret()],
            )?;
            if let Some(key) = key {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('db_key', ?1)",
                    [key.to_hex().as_str()],
                )?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('vault_id', ?1)",
                [header.vault_id.to_string()],
            )?;
            tx.commit()?;
            id
        } else {
            let text: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
                conn.query_row(
                    "SELECT value FROM meta WHERE key = 'attachment_identity'",
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| corrupt_db(&path, e))?,
            );
            age::x25519::Identity::from_str(&text)
                .map_err(|_| VaultError::corrupt(&path, "attachment key is invalid"))?
        };
        let counter_at_open = revisions::change_state(&conn)
            .map_err(|e| corrupt_db(&path, e))?
            .counter;
        Ok(Self {
            dir: dir.to_path_buf(),
            chain: Chain::new(
                header.device_id.to_string(),
                this_computer_name(),
                secret::derive_from(key_bytes, secret::REVISION_CHAIN_LABEL),
            ),
            conn,
            attachment_identity: identity,
            name_key: secret::derive_from(key_bytes, secret::ATTACHMENT_NAMES_LABEL),
            header_key: secret::derive_from(key_bytes, secret::HEADER_MAC_LABEL),
            passphrase_check: passcheck::PassphraseCheck::new(key_bytes),
            seen: None,
            access,
            kdf_floor: DEFAULT_KDF_LOG_N,
            report: UnlockReport::default(),
            counter_at_open,
            finished: false,
            unlock_timing: UnlockTiming::default(),
            cancel: crate::cancel::Cancel::new(),
            _lock: lock,
        })
    }

    /// A handle that stops this vault's long operations (bundle export,
    /// import, attachment streaming) at their next check; see
    /// [`crate::cancel`]. The desktop shell sets it when it locks.
    pub fn cancel_handle(&self) -> crate::cancel::Cancel {
        self.cancel.clone()
    }

    /// `Err(Cancelled)` once [`Vault::cancel_handle`] was cancelled.
    pub fn check_cancel(&self) -> std::result::Result<(), crate::cancel::CancelError> {
        self.cancel.check()
    }

    /// The vault directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the database file, for error messages.
    pub(crate) fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Maps a database error, naming the database file when it is damage,
    /// and saying why when a write met a vault open read-only.
    pub(crate) fn db_error(&self, e: rusqlite::Error) -> VaultError {
        if let (Some(reason), Some(rusqlite::ErrorCode::ReadOnly)) =
            (self.access.reason(), e.sqlite_error_code())
        {
            return VaultError::ReadOnly(reason.clone());
        }
        corrupt_db(&self.db_path(), e)
    }

    /// Names the database file in errors that are damage to it, wherever
    /// in a larger operation the damaged page was met.
    pub(crate) fn name_damage<R>(&self, r: crate::Result<R>) -> crate::Result<R> {
        r.map_err(|e| match e {
            crate::Error::Vault(VaultError::Db(e)) => crate::Error::Vault(self.db_error(e)),
            other => other,
        })
    }

    /// Records the change counter in the header and in this computer's
    /// record (if anything changed), writes everything in the WAL into the
    /// database file and closes it. Dropping a `Vault` does the same
    /// implicitly; this reports errors.
    pub fn close(mut self) -> Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> Result<()> {
        if std::mem::replace(&mut self.finished, true) {
            return Ok(());
        }
        let recorded = self.record_close();
        let checkpoint = if self.access.is_read_only() {
            Ok(())
        } else {
            self.conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(VaultError::from)
        };
        recorded.and(checkpoint)
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// This computer's host name, recorded with each change so the lawyer can
/// see where the vault last changed. Read with `uname`, not from the
/// environment, which anyone starting the process controls.
fn this_computer_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Pragmas applied to every connection: durability first (WAL with an
/// fsync per commit), nothing in temp files, freed pages zeroed. A
/// read-only connection keeps the journal mode it was written with.
fn configure(conn: &Connection, read_only: bool) -> rusqlite::Result<()> {
    if !read_only {
        conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -65536;",
    )
}

/// Owner-only permissions on the database files, whatever the umask.
fn restrict_permissions(dir: &Path) {
    #[cfg(unix)]
    for name in [DB_FILE, "vekil.db-wal", "vekil.db-shm", LOCK_FILE] {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o600));
    }
}

fn corrupt_db(path: &Path, e: rusqlite::Error) -> VaultError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase) => {
            VaultError::corrupt(path, "it cannot be decrypted with the vault key")
        }
        Some(DatabaseCorrupt) => VaultError::corrupt(path, "the database is damaged"),
        _ => VaultError::Db(e),
    }
}

/// A new vault in `dir`, with a key derivation cheap enough for unit
/// tests (never for a real vault).
#[cfg(test)]
pub(crate) fn test_vault(dir: &Path) -> Vault {
    Vault::create_with(
        dir,
        &Passphrase::new("correct horse battery staple 42".into()),
        &VaultOptions { kdf_log_n: 10 },
    )
    .expect("a test vault")
    .0
}

/// [`test_vault`] with one client in it, Rəşad Məmmədov (C-001), for
/// tests whose records need someone to be about; returns the client's id.
#[cfg(test)]
pub(crate) fn test_vault_with_client(dir: &Path) -> (Vault, uuid::Uuid) {
    let v = test_vault(dir);
    let c = v
        .insert(crate::model::Client::new("Rəşad Məmmədov", "C-001"))
        .expect("a test client")
        .id;
    (v, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLCipher wipes what it frees only if memory security was on when
    /// the memory was used; it reports "1" only when it is on and its
    /// allocator has run, i.e. the vault's own connection is covered.
    #[test]
    fn sqlcipher_memory_security_is_on_for_an_open_vault() {
        let t = tempfile::tempdir().unwrap();
        let (v, _) = Vault::create_with(
            &t.path().join("v"),
            &Passphrase::new("Bakı, Nizami küçəsi 12".into()),
            &VaultOptions { kdf_log_n: 10 },
        )
        .unwrap();
        let on: String = v
            .conn
            .query_row("PRAGMA cipher_memory_security", [], |r| r.get(0))
            .unwrap();
        assert_eq!(on, "1");
    }
}
