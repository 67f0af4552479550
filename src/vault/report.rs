//! What an unlock found beyond the open vault itself: whether it is open
//! read-only, and anything the lawyer should know (a header changed
//! outside Vekil, wrong passphrases typed since the last unlock).
//!
//! Codes with parameters, never English: the CLI words them in English
//! (`cli::notices`), the window in the lawyer's language.

use serde::Serialize;
use ts_rs::TS;

/// The outcome of an unlock, beyond the open vault itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnlockReport {
    /// Why the vault is open read-only; `None` when it can be changed.
    pub read_only: Option<ReadOnlyReason>,
    /// Things to tell the lawyer, most serious first.
    pub notices: Vec<UnlockNotice>,
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
}

impl UnlockNotice {
    /// Whether this calls for the lawyer's attention (as opposed to news).
    pub fn is_warning(&self) -> bool {
        true
    }
}
