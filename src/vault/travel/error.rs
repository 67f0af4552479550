//! Why a travel step was refused. Every refusal leaves the vault as it was.

use super::super::VaultError;
use std::path::PathBuf;

/// A travel step that could not be done; each says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TravelError {
    /// Opening, unlocking, writing the vault.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// `seal` on a sealed vault.
    #[error("this vault is already sealed for travel; release it before sealing it again")]
    AlreadySealed,
    /// `request` or `open` on a vault that is not sealed.
    #[error("this vault is not sealed for travel; unlock it with its passphrase")]
    NotSealed,
    /// No `--custodian` given.
    #[error("name at least one custodian from the address book (`vekil recipient list`) with --custodian NAME")]
    NoCustodian,
    /// A custodian name that is not in the address book.
    #[error("no recipient named {0:?} in the address book; add the custodian with `vekil recipient add` first")]
    UnknownCustodian(String),
    /// A custodian whose address-book key is not an age X25519 key.
    #[error("custodian {name:?}: {reason}; correct it with `vekil recipient add`")]
    BadCustodianKey {
        /// Name in the address book.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A custodian key file that holds no age identity.
    #[error("{0} holds no age identity (AGE-SECRET-KEY-1…); pass the key file made by `vekil keygen` or `age-keygen`")]
    BadIdentity(PathBuf),
    /// The same person (name or key) named twice.
    #[error(
        "custodian {0:?} is named twice (or shares a key with another); name each custodian once"
    )]
    DuplicateCustodian(String),
    /// A threshold that is not between 1 and the number of custodians.
    #[error("the threshold must be between 1 and the number of custodians ({custodians}); it is {threshold}")]
    BadThreshold {
        /// As given.
        threshold: u8,
        /// Custodians named.
        custodians: usize,
    },
    /// Several custodians but no threshold.
    #[error(
        "with {0} custodians, say how many must release the vault together with --threshold K"
    )]
    ThresholdRequired(usize),
    /// More custodians than shares can be made for.
    #[error("at most 255 custodians can share a vault key; name fewer")]
    TooManyCustodians,
    /// `open` before `request`.
    #[error("no release request is pending for this vault; make one with `vekil travel request` and send it to your custodians")]
    NoRequest,
    /// A file that is not the expected travel file, or is malformed.
    #[error("{path} is not a Vekil travel {what}, or it is damaged; ask for a new one")]
    NotTravelFile {
        /// The file.
        path: PathBuf,
        /// "request" or "release".
        what: &'static str,
    },
    /// The custodian's key opens none of the shares in a request.
    #[error("the key in {0} opens none of the shares in this request: you are not one of this vault's custodians, or this is not your key file")]
    NotACustodian(PathBuf),
    /// A share inside a request belongs to a different vault or seal.
    #[error("the share in {0} belongs to another vault or an earlier seal than the request says; do not release it, and call the lawyer")]
    ShareMismatch(PathBuf),
    /// The confirmation code typed by the custodian differs.
    #[error("the confirmation code does not match this request; do not release it: the request may have been replaced in transit. Call the lawyer and compare again")]
    CodeMismatch,
    /// A release made for another vault.
    #[error("{0} was made for another vault; ask the custodian to release this vault's request")]
    ReleaseForAnotherVault(PathBuf),
    /// A release made for an earlier request or seal of this vault.
    #[error("{0} was made for an earlier request of this vault and cannot be used again; ask the custodian to release the current request")]
    ReleaseReplayed(PathBuf),
    /// A release that does not decrypt, or whose contents were altered.
    #[error("{0} was altered or damaged (it does not decrypt to a share of this vault's key); ask the custodian to send it again")]
    ReleaseTampered(PathBuf),
    /// Fewer distinct releases than the threshold.
    #[error("this vault needs releases from {need} different custodians; {have} given")]
    TooFewReleases {
        /// Distinct custodians whose releases were given.
        have: usize,
        /// The threshold.
        need: u8,
    },
    /// The shares combined to a key that is not the vault's.
    #[error("the releases do not combine to this vault's key; one of them was forged. Ask each custodian to release the current request again")]
    KeyMismatch,
    /// Encryption failed (not a wrong key).
    #[error("encryption failed: {0}")]
    Crypto(String),
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl From<crate::export::ExportError> for TravelError {
    /// Only the address book is read through the export module.
    fn from(e: crate::export::ExportError) -> Self {
        use crate::export::ExportError as E;
        match e {
            E::UnknownRecipient(name) => Self::UnknownCustodian(name),
            E::BadRecipient { name, reason } => Self::BadCustodianKey { name, reason },
            E::Vault(inner) => match *inner {
                crate::Error::Vault(v) => Self::Vault(v),
                other => Self::Crypto(other.to_string()),
            },
            other => Self::Crypto(other.to_string()),
        }
    }
}
