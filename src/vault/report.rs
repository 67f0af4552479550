//! What an unlock found: the vault's last change, whether it is open
//! read-only, and anything the lawyer should know (a header changed
//! outside Vekil, wrong passphrases typed since the last unlock, an older
//! copy of the vault than the one this computer last saw).
//!
//! Codes with parameters, never English: the CLI words them in English
//! (`cli::notices`), the window in the lawyer's language.

use serde::Serialize;
use ts_rs::TS;

/// The outcome of an unlock, beyond the open vault itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnlockReport {
    /// When, and on which computer, the vault's records last changed.
    /// `None` for a vault nothing was ever saved in.
    pub last_change: Option<LastChange>,
    /// Why the vault is open read-only; `None` when it can be changed.
    pub read_only: Option<ReadOnlyReason>,
    /// Things to tell the lawyer, most serious first.
    pub notices: Vec<UnlockNotice>,
}

/// The change counter kept inside the encrypted database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LastChange {
    /// How many changes the vault has recorded; grows by one per change.
    #[ts(type = "number")]
    pub counter: u64,
    /// When the last change was saved (RFC 3339, UTC).
    pub at: Option<String>,
    /// The name of the computer that saved it (its host name), when known.
    pub device_name: Option<String>,
    /// That computer is not this one: worth telling the lawyer.
    pub on_another_computer: bool,
}

/// Why a vault is open read-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[ts(export)]
pub enum ReadOnlyReason {
    /// The vault folder or its database cannot be written (a
    /// write-protected stick, a read-only copy).
    FolderNotWritable,
    /// The caller asked for a read-only open.
    Requested,
    /// The history written by an earlier Vekil failed its check, so it
    /// was not sealed with the vault key; nothing is written until someone
    /// has looked (`verify-vault` lists what is wrong).
    HistoryBroken {
        /// The first problem found, as `verify-vault` words it.
        problem: String,
    },
}

impl std::fmt::Display for ReadOnlyReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FolderNotWritable => f.write_str(
                "this vault is open read-only because its folder cannot be written \
                 (a write-protected stick or a read-only copy); copy the whole vault \
                 folder to a writable place to change it",
            ),
            Self::Requested => {
                f.write_str("this vault was opened read-only; open it again normally to change it")
            }
            Self::HistoryBroken { problem } => write!(
                f,
                "this vault is open read-only because its history failed its check \
                 ({problem}); run `vekil verify-vault` to see every problem, and keep \
                 a copy of the vault folder as it is"
            ),
        }
    }
}

/// One thing an unlock found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum UnlockNotice {
    /// `vault.json` was changed outside Vekil: its seal does not match.
    HeaderAltered {
        /// The sealed fields found changed (e.g. `kdf_log_n`); empty when
        /// the database holds no copy to compare with.
        fields: Vec<String>,
        /// Whether the header was put back from the copy inside the
        /// encrypted database.
        restored: bool,
    },
    /// Wrong passphrases or recovery codes were typed since the last
    /// successful unlock.
    FailedUnlocks {
        /// How many.
        #[ts(type = "number")]
        count: u64,
        /// When the last one was typed (RFC 3339, UTC), when known.
        last_at: Option<String>,
    },
    /// The count of failed unlocks in `vault.json` is lower than what the
    /// last unlock sealed: someone reset it outside Vekil.
    FailureCounterLowered {
        /// What the last unlock sealed.
        #[ts(type = "number")]
        sealed: u64,
        /// What the file says now.
        #[ts(type = "number")]
        found: u64,
    },
    /// The vault is older than the one last opened on this computer: an
    /// older copy was put in its place (or a backup was restored).
    OlderThanSeen {
        /// The change counter this computer last saw.
        #[ts(type = "number")]
        seen_counter: u64,
        /// When that change was saved.
        seen_at: Option<String>,
        /// The change counter of the vault opened now.
        #[ts(type = "number")]
        vault_counter: u64,
    },
    /// The vault's history splits from the one this computer last saw: it
    /// is another copy that was changed separately.
    DivergedFromSeen {
        /// The history entry at which the two copies differ.
        #[ts(type = "number")]
        at_entry: i64,
    },
    /// This computer's record of the vault was changed outside Vekil.
    SeenRecordAltered,
    /// The database is older than its own header: an older `vekil.db` was
    /// put back beside a newer `vault.json`.
    DatabaseOlderThanHeader {
        /// The change counter the header recorded at the last close.
        #[ts(type = "number")]
        header_counter: u64,
        /// The change counter of the database.
        #[ts(type = "number")]
        vault_counter: u64,
    },
    /// The quick check of the history's newest entry failed; the full
    /// check (`verify-vault`) says what is wrong.
    HistoryHeadMismatch,
    /// The history written by an earlier Vekil was checked and sealed with
    /// the vault key (once, at the first unlock by this version).
    HistorySealed {
        /// How many history entries were sealed.
        #[ts(type = "number")]
        entries: u64,
    },
    /// The facility register was built from the facility names of a vault
    /// made before it existed (once, at the first unlock by this version).
    FacilityRegisterBuilt {
        /// Entries added to the register.
        #[ts(type = "number")]
        facilities: u64,
        /// Incidents linked to their entry, each with a revision.
        #[ts(type = "number")]
        linked: u64,
    },
}

impl UnlockNotice {
    /// Whether this calls for the lawyer's attention (as opposed to news).
    pub fn is_warning(&self) -> bool {
        !matches!(
            self,
            Self::HistorySealed { .. } | Self::FacilityRegisterBuilt { .. }
        )
    }
}
