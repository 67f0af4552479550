//! The vault: one directory holding an encrypted case file.
//!
//! ```text
//! vault.json          plaintext header: ids, KDF cost, key-file digests, back-off
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

pub mod erase;
mod error;
pub(crate) mod fsutil;
mod header;
mod keyfile;
mod lock;
pub mod migrations;
pub mod travel;

pub use error::{Result, VaultError};
pub use keyfile::DEFAULT_KDF_LOG_N;
pub use migrations::SCHEMA_VERSION;

use crate::secret::{DbKey, Passphrase, RecoveryCode};
use chrono::Utc;
use header::{Header, KeyDigests, UnlockState};
use hmac::{Hmac, Mac};
use keyfile::Unwrap;
use lock::VaultLock;
use rusqlite::{Connection, OpenFlags};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;
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

/// An unlocked vault. Holds the write lock until dropped.
///
/// `Send` but not `Sync`: the desktop shell keeps it behind a mutex.
pub struct Vault {
    dir: PathBuf,
    pub(crate) conn: Connection,
    pub(crate) device_id: String,
    pub(crate) attachment_identity: age::x25519::Identity,
    pub(crate) name_key: SecretBox<[u8; 32]>,
    unlock_timing: UnlockTiming,
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
        let header = Header {
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
            unlock: UnlockState::default(),
            sealed: None,
            wipe_after_failures: None,
        };
        let vault = Self::open_db(dir, Some(&key), &header, lock, true)?;
        // The header goes last: until it exists the folder is not a vault,
        // so a crash during creation leaves nothing half-usable behind.
        header.store(&dir.join(HEADER_FILE))?;
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
    pub fn unlock(dir: &Path, passphrase: &Passphrase) -> Result<Self> {
        Self::unlock_inner(
            dir,
            PASSPHRASE_KEY_FILE,
            passphrase.to_secret_string(),
            false,
        )
    }

    /// Unlocks with the recovery code and sets a new passphrase.
    pub fn recover(dir: &Path, code: &RecoveryCode, new_passphrase: &Passphrase) -> Result<Self> {
        new_passphrase.check_strength()?;
        let vault = Self::unlock_inner(dir, RECOVERY_KEY_FILE, code.to_secret_string(), true)?;
        vault.rewrap_passphrase(new_passphrase)?;
        Ok(vault)
    }

    fn unlock_inner(
        dir: &Path,
        key_file: &str,
        secret: age::secrecy::SecretString,
        recovery: bool,
    ) -> Result<Self> {
        let header_path = dir.join(HEADER_FILE);
        Header::load(&header_path)?;
        let lock = VaultLock::acquire(dir)?;
        // Read again under the lock: a travel release may have just ended.
        let mut header = Header::load(&header_path)?;
        if header.sealed.is_some() {
            // Key files left by an interrupted seal or release must go; if
            // that fails the unlock is refused all the same.
            let _ = travel::finish_seal(dir);
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
                header.unlock.failed_attempts = header.unlock.failed_attempts.saturating_add(1);
                header.unlock.last_failure = Some(Utc::now());
                header.store(&header_path)?;
                if erase::wipe_is_due(&header) {
                    drop(lock);
                    erase::erase(dir)?;
                    return Err(VaultError::Wiped {
                        failed_attempts: header.unlock.failed_attempts,
                    });
                }
                return Err(if recovery {
                    VaultError::WrongRecoveryCode
                } else {
                    VaultError::WrongPassphrase {
                        failed_attempts: header.unlock.failed_attempts,
                    }
                });
            }
        };
        let kdf = kdf_start.elapsed();
        let open_start = std::time::Instant::now();
        let mut vault = Self::open_db(dir, Some(&key), &header, lock, false)?;
        vault.unlock_timing = UnlockTiming {
            kdf,
            open: open_start.elapsed(),
        };
        if header.unlock.failed_attempts > 0 {
            header.unlock = UnlockState::default();
            header.store(&header_path)?;
        }
        Ok(vault)
    }

    /// Replaces the passphrase after checking the current one. Only the
    /// passphrase key file is rewritten; the data is not re-encrypted.
    pub fn change_passphrase(&self, current: &Passphrase, new: &Passphrase) -> Result<()> {
        new.check_strength()?;
        let header = Header::load(&self.dir.join(HEADER_FILE))?;
        match keyfile::unwrap(
            &self.dir.join(PASSPHRASE_KEY_FILE),
            current.to_secret_string(),
            &header.key_files.passphrase_sha256,
        )? {
            Unwrap::Key(_) => self.rewrap_passphrase(new),
            Unwrap::WrongSecret => Err(VaultError::WrongPassphrase { failed_attempts: 0 }),
        }
    }

    fn rewrap_passphrase(&self, new: &Passphrase) -> Result<()> {
        let header_path = self.dir.join(HEADER_FILE);
        let mut header = Header::load(&header_path)?;
        let key = self.db_key_from_meta()?;
        header.key_files.passphrase_sha256 = keyfile::wrap(
            &self.dir.join(PASSPHRASE_KEY_FILE),
            &key,
            new.to_secret_string(),
            header.kdf_log_n,
        )?;
        header.unlock = UnlockState::default();
        header.store(&header_path)
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
            unlock: UnlockState::default(),
            sealed: None,
            wipe_after_failures: None,
        };
        let fresh = !dir.join(DB_FILE).exists();
        let start = std::time::Instant::now();
        let mut v = Self::open_db(dir, None, &header, lock, fresh)?;
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
    ) -> Result<Self> {
        let path = dir.join(DB_FILE);
        if !fresh && !path.exists() {
            return Err(VaultError::corrupt(&path, "the database file is missing"));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags)?;
        // SQLCipher logs decryption failures to stderr itself; Vekil reports
        // them once, as a sentence naming the file.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        if let Some(key) = key {
            let pragma = zeroize::Zeroizing::new(format!(
                "PRAGMA key = \"{}\";",
                key.sqlcipher_pragma().as_str()
            ));
            conn.execute_batch(&pragma)?;
        }
        let zero = [0u8; 32];
        let key_bytes = key.map_or(&zero, |k| k.bytes());
        // A wrong key or a damaged first page only shows at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| corrupt_db(&path, e))?;
        configure(&conn).map_err(|e| corrupt_db(&path, e))?;
        migrations::migrate_to(&mut conn, SCHEMA_VERSION).map_err(|e| match e {
            VaultError::Db(e) => corrupt_db(&path, e),
            other => other,
        })?;
        restrict_permissions(dir);

        let mac_key = {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key_bytes)
                .map_err(|e| VaultError::Crypto(e.to_string()))?;
            mac.update(b"vekil/attachment-names/v1");
            let out: [u8; 32] = mac.finalize().into_bytes().into();
            SecretBox::new(Box::new(out))
        };
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
        Ok(Self {
            dir: dir.to_path_buf(),
            conn,
            device_id: header.device_id.to_string(),
            attachment_identity: identity,
            name_key: mac_key,
            unlock_timing: UnlockTiming::default(),
            _lock: lock,
        })
    }

    /// The vault directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the database file, for error messages.
    pub(crate) fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Maps a database error, naming the database file when it is damage.
    pub(crate) fn db_error(&self, e: rusqlite::Error) -> VaultError {
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

    /// Writes everything in the WAL into the database file and closes it.
    /// Dropping a `Vault` does the same implicitly; this reports errors.
    pub fn close(self) -> Result<()> {
        let Self { conn, .. } = self;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        conn.close().map_err(|(_, e)| VaultError::Db(e))
    }
}

/// Pragmas applied to every connection: durability first (WAL with an
/// fsync per commit), nothing in temp files, freed pages zeroed.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
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
