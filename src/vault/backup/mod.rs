//! Encrypted backup and restore of a whole vault.
//!
//! Until now the only complete copy a lawyer could take was the `full`
//! export written as plain files, readable by whoever finds the stick. A
//! backup is instead **one age file** holding everything the vault is:
//! every table of the database (records with their origins, the keyed
//! history, the address book, trusted signers, the signing key, the
//! attachment key, drafts, the header's sealed fields) and every evidence
//! file. It is sealed to one of:
//!
//! * the vault's **passphrase** (age scrypt, at the vault's own work
//!   factor, never below the default) — the usual choice;
//! * its **recovery code** (age scrypt) — for a copy kept with the paper
//!   code, e.g. in a safe;
//! * one or more **age public keys** — a second device, or a trusted
//!   colleague abroad, from the address book or given as `age1…`.
//!
//! An age scrypt recipient must be alone in its file, so these never mix.
//! Every backup asks for the passphrase (or, sealed to it, the recovery
//! code) and checks it against the vault's key file first: an unlocked
//! window left on a desk is not enough to carry the whole case file away.
//!
//! **Streaming.** The archive is written row by row and file by file
//! through age into a temporary file beside the target (owner-only,
//! renamed into place only when complete: `export::file::write_new`). No
//! plaintext reaches the disk and memory stays bounded (one table chunk of
//! at most 4 MiB, one 64 KiB attachment buffer). A lock (the vault's cancel
//! flag) stops it between rows and chunks and leaves no file.
//!
//! **Restore** ([`restore`]) recreates the vault in a new, empty folder
//! with the *same* database key, so the keyed history, the header's seal
//! and the attachment names verify unchanged: the restored vault is the
//! vault. Its passphrase is the one the backup was sealed to, or a new one
//! when it was sealed to the recovery code or an age key; its recovery
//! code is always new, shown once. What it does to this computer's record
//! of the vault (rollback detection) is explained on [`restore`].
//!
//! Format: [`format`] and docs/formats/backup.md; threat model:
//! docs/design/threat-model.md.

mod error;
mod format;
mod restore;
mod write;

pub use error::BackupError;
pub use format::{SealedTo, Unreadable};
pub use restore::{restore, Opener, RestoreSummary, Restored};
pub use write::{write, BackupSummary};

use crate::secret::{Passphrase, RecoveryCode};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// Result of backup and restore.
pub type Result<T> = std::result::Result<T, BackupError>;

/// What a backup is sealed to, with the secret that proves the lawyer may
/// take it.
pub enum Seal {
    /// The vault's passphrase: it opens the backup, and the restored vault.
    Passphrase(Passphrase),
    /// The vault's recovery code: it opens the backup; the restored vault
    /// gets a new passphrase.
    RecoveryCode(RecoveryCode),
    /// age public keys: names from the address book or `age1…` keys. The
    /// vault's passphrase confirms the backup.
    Recipients {
        /// The vault's passphrase.
        passphrase: Passphrase,
        /// Address-book names or `age1…` keys.
        to: Vec<String>,
    },
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Passphrase(_) => f.write_str("Seal::Passphrase"),
            Self::RecoveryCode(_) => f.write_str("Seal::RecoveryCode"),
            Self::Recipients { to, .. } => write!(f, "Seal::Recipients({to:?})"),
        }
    }
}

/// What a backup or restore is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "BackupPhase")]
pub enum Phase {
    /// Checking the secret (one key derivation, about a second).
    Sealing,
    /// Tables: `done`/`total` are rows.
    Records,
    /// Evidence files: `done`/`total` are bytes.
    Attachments,
    /// Restore only: checking the history and writing the key files.
    Checking,
    /// Finished.
    Done,
}

/// One progress report. Within a phase `done` only grows; the last report
/// is [`Phase::Done`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "BackupProgress")]
pub struct Progress {
    /// What is being done.
    pub phase: Phase,
    /// Done so far in this phase.
    #[ts(type = "number")]
    pub done: u64,
    /// In all, in this phase (0 when not known).
    #[ts(type = "number")]
    pub total: u64,
}

/// Sends a report at most every 1/200 of a phase, so a window is not
/// flooded with events.
pub(super) struct Reporter<'a> {
    sink: &'a mut dyn FnMut(Progress),
    phase: Phase,
    done: u64,
    total: u64,
    sent: u64,
}

impl<'a> Reporter<'a> {
    pub(super) fn new(sink: &'a mut dyn FnMut(Progress)) -> Self {
        Self {
            sink,
            phase: Phase::Sealing,
            done: 0,
            total: 0,
            sent: 0,
        }
    }

    pub(super) fn start(&mut self, phase: Phase, total: u64) {
        self.phase = phase;
        self.done = 0;
        self.total = total;
        self.sent = 0;
        self.send();
    }

    pub(super) fn add(&mut self, n: u64) {
        self.done += n;
        if self.done - self.sent >= (self.total / 200).max(1) {
            self.send();
        }
    }

    fn send(&mut self) {
        self.sent = self.done;
        (self.sink)(Progress {
            phase: self.phase,
            done: self.done,
            total: self.total,
        });
    }
}

/// What opens a backup file, read from its age header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "BackupNeeds")]
pub enum Needs {
    /// The passphrase or the recovery code it was sealed to.
    Secret,
    /// The identity file of one of its age recipients.
    Identity,
}

/// Which secret opens the backup at `file`, without trying any: lets the
/// CLI and the window ask for the right one.
pub fn probe(file: &Path) -> Result<Needs> {
    let f = std::fs::File::open(file).map_err(|source| BackupError::Read {
        path: file.into(),
        source,
    })?;
    let d = age::Decryptor::new_buffered(std::io::BufReader::new(f))
        .map_err(|_| BackupError::NotABackup(file.into()))?;
    Ok(if d.is_scrypt() {
        Needs::Secret
    } else {
        Needs::Identity
    })
}
