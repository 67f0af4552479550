//! Errors of opening, unlocking and keeping a vault on disk.

use std::path::PathBuf;

/// Why a vault could not be created, opened, unlocked or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No vault at that place.
    #[error("no vault found at {0}")]
    NotFound(PathBuf),
    /// `create` was pointed at a directory that already holds files.
    #[error("{0} already exists and is not empty; choose a new folder for the vault")]
    AlreadyExists(PathBuf),
    /// Another process holds the vault's write lock.
    #[error("the vault at {0} is in use by another Vekil window or command; close it first")]
    InUse(PathBuf),
    /// The passphrase did not unwrap the key.
    #[error("wrong passphrase ({failed_attempts} failed attempt(s) in a row)")]
    WrongPassphrase {
        /// Consecutive failures, including this one.
        failed_attempts: u32,
    },
    /// The passphrase did not unwrap the key, and the failure could not be
    /// recorded: the vault folder is read-only, so no back-off follows.
    #[error("wrong passphrase (the vault folder is read-only, so the attempt could not be counted and no waiting applies)")]
    WrongPassphraseUncounted,
    /// The recovery code did not unwrap the key.
    #[error("wrong recovery code")]
    WrongRecoveryCode,
    /// The vault is sealed for travel: neither the passphrase nor the
    /// recovery code opens it until custodians release the key.
    #[error("This vault is sealed for travel. Ask your custodian to release it.")]
    Sealed,
    /// The opt-in limit of failed unlocks was reached and the vault erased.
    #[error("{failed_attempts} failed unlocks in a row: this vault was erased, as its settings asked; restore it from a backup or your travel custodians")]
    Wiped {
        /// Failures that triggered it.
        failed_attempts: u32,
    },
    /// Too many recent failures: the vault refuses to try for a while.
    #[error("too many wrong passphrases; try again in {retry_after_secs} second(s)")]
    BackOff {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// A file of the vault is damaged or was altered.
    #[error("{path} is damaged or was altered: {reason}")]
    Corrupt {
        /// The file at fault.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },
    /// The vault was written by a newer Vekil.
    #[error("this vault was written by a newer Vekil (schema {found}, this build knows up to {supported}); update Vekil")]
    FromFuture {
        /// Schema version on disk.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// Reading or writing a file failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The database engine failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// Encryption with age failed (not a wrong key; those have their own variants).
    #[error("encryption failed: {0}")]
    Crypto(String),
    /// A write was asked of a vault open read-only.
    #[error("{0}")]
    ReadOnly(super::report::ReadOnlyReason),
    /// A read-only vault that was not closed cleanly: its last saves are
    /// in the `-wal` file, which SQLite cannot read without its `-shm`.
    #[error("{0} was not closed cleanly and its folder is read-only, so its last saves cannot be read; copy the whole vault folder to a writable place and open it there")]
    UncleanReadOnly(PathBuf),
    /// A read-only vault written by an older Vekil: it must be upgraded
    /// before this build can read it, which needs a writable folder.
    #[error("{0} was written by an older Vekil and must be upgraded before it can be opened, which needs a writable folder; copy the whole vault folder to a writable place and open it there")]
    UpgradeNeedsWrite(PathBuf),
    /// A new passphrase or code was refused.
    #[error(transparent)]
    Invalid(#[from] crate::model::ValidationError),
}

impl VaultError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Result of vault operations.
pub type Result<T> = std::result::Result<T, VaultError>;
