//! Why a backup or a restore was refused. A refused backup leaves no file;
//! a refused restore leaves the target folder as it was (or absent).

use super::super::VaultError;
use std::path::PathBuf;

/// A backup or restore that could not be done; each says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// Opening, unlocking or writing the vault.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Reading the vault's records failed.
    #[error(transparent)]
    Core(Box<crate::Error>),
    /// The passphrase given to seal (or confirm) a backup is not this vault's.
    #[error("that is not this vault's passphrase; type the passphrase you unlock it with")]
    WrongPassphrase,
    /// The recovery code given to seal a backup is not this vault's.
    #[error("that is not this vault's recovery code; type the code shown when the vault was made (or last released)")]
    WrongRecoveryCode,
    /// A backup to age recipients without any.
    #[error("name at least one recipient to seal the backup to: a name from the address book or an age public key (age1…)")]
    NoRecipient,
    /// A recipient that is neither in the address book nor an age key.
    #[error("{given:?} is neither a name in the address book nor an age public key (age1…): {reason}; add it with `vekil recipient add` or check the key")]
    BadRecipient {
        /// As given.
        given: String,
        /// What is wrong.
        reason: String,
    },
    /// The backup file exists already.
    #[error("{0} already exists; choose a new file name for the backup")]
    OutputExists(PathBuf),
    /// The output names a folder or nothing.
    #[error("{0} is not a file name; choose a file to write the backup to")]
    NotAFile(PathBuf),
    /// Writing the backup file failed.
    #[error("cannot write the backup {path}: {source}; check the folder and the free disk space")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The vault was locked while the backup ran; no file was left.
    #[error(transparent)]
    Cancelled(#[from] crate::cancel::CancelError),
    /// Reading the backup file failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The backup file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an age file at all.
    #[error("{0} is not a Vekil backup (it is not an age-encrypted file); choose the file `vekil backup` wrote")]
    NotABackup(PathBuf),
    /// The passphrase or recovery code does not open the backup.
    #[error("the passphrase or recovery code does not open the backup {0}; type the one it was sealed to")]
    WrongSecret(PathBuf),
    /// The identity does not open the backup.
    #[error("the identity does not open the backup {0}: it was sealed to other age keys; use the key file of a recipient it was made for")]
    WrongIdentity(PathBuf),
    /// A backup sealed to age keys was given a passphrase.
    #[error("{0} is sealed to age keys, not to a passphrase; give the identity file of one of its recipients (--identity KEY)")]
    NeedsIdentity(PathBuf),
    /// A backup sealed to a passphrase or code was given an identity.
    #[error("{0} is sealed to a passphrase or recovery code, not to age keys; type the passphrase or recovery code it was sealed to")]
    NeedsSecret(PathBuf),
    /// An identity file that holds no age identity.
    #[error("{0} holds no age identity (AGE-SECRET-KEY-1…); give the key file made by `vekil keygen` or `age-keygen`")]
    BadIdentity(PathBuf),
    /// The file decrypts but is not a complete, consistent backup.
    #[error("the backup {path} is damaged or was altered ({reason}); nothing was restored; use another copy of the backup")]
    Damaged {
        /// The backup file.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },
    /// Made by a newer Vekil.
    #[error("the backup {path} was made by a newer Vekil ({what}); update Vekil to restore it")]
    FromFuture {
        /// The backup file.
        path: PathBuf,
        /// What is newer.
        what: String,
    },
    /// The restored vault needs a passphrase of its own.
    #[error("this backup was not sealed to the vault's passphrase, so the restored vault needs a new passphrase; give one")]
    NewPassphraseNeeded,
}

impl From<crate::Error> for BackupError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Vault(v) => Self::Vault(v),
            crate::Error::Cancelled(c) => Self::Cancelled(c),
            other => Self::Core(Box::new(other)),
        }
    }
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Vault(VaultError::Db(e))
    }
}

impl From<crate::model::ValidationError> for BackupError {
    fn from(e: crate::model::ValidationError) -> Self {
        Self::Vault(VaultError::Invalid(e))
    }
}
