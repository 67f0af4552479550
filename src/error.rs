//! The crate-level error: one enum that the edges (CLI, desktop shell)
//! turn into a sentence and an exit code or UI message.

use crate::model::{Kind, ValidationError};
use crate::vault::VaultError;
use uuid::Uuid;

/// Any failure of a vault operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Opening, unlocking, keys, files.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A record was refused.
    #[error("invalid record: {0}")]
    Invalid(#[from] ValidationError),
    /// No record with that id.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// Kind looked up.
        kind: Kind,
        /// Id looked up (or the prefix typed).
        id: String,
    },
    /// An id prefix matched several records.
    #[error("{prefix} matches more than one {kind}; type more of the id")]
    Ambiguous {
        /// Kind looked up.
        kind: Kind,
        /// Prefix typed.
        prefix: String,
    },
    /// Someone else saved the record since it was read.
    #[error("the {kind} {id} was changed elsewhere (now revision {current}); reload it and apply your change again")]
    Conflict {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Uuid,
        /// Revision now stored.
        current: u32,
    },
    /// A record is still referenced and cannot be deleted.
    #[error("the {kind} {id} is still referenced by {count} other record(s); delete or relink those first")]
    InUse {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Uuid,
        /// How many records refer to it.
        count: u64,
    },
    /// An attachment could not be stored or read.
    #[error("{0}")]
    Attachment(#[from] crate::store::AttachmentError),
    /// A long operation was stopped because the vault is being locked.
    #[error(transparent)]
    Cancelled(#[from] crate::cancel::CancelError),
    /// A merge would replace, or link to, a record from another source.
    #[error(transparent)]
    Origin(#[from] crate::store::OriginError),
    /// A load (JSON, CSV) was refused as a whole.
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Vault(VaultError::Db(e))
    }
}

/// Result of vault operations.
pub type Result<T> = std::result::Result<T, Error>;
