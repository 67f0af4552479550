//! `vault.json`: the plaintext header of a vault.
//!
//! It holds nothing secret: the format version, the vault and device ids,
//! the scrypt work factor, SHA-256 digests of the key files (so a damaged
//! key file is told apart from a wrong passphrase), and the unlock back-off
//! state. The back-off lives here, outside the encrypted database, because
//! it must be readable before the key is known; someone with write access
//! to the disk can reset it, which is acceptable: it protects against
//! guessing at the unlock screen, and offline guessing is what scrypt is for.

use super::error::{Result, VaultError};
use super::fsutil;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use uuid::Uuid;

/// The `format` value of every vault header.
pub const FORMAT: &str = "vekil-vault";
/// The header layout this build writes and reads.
pub const HEADER_VERSION: u32 = 1;

/// Failures allowed before waiting kicks in.
const FREE_ATTEMPTS: u32 = 3;
/// Longest enforced wait between attempts.
const MAX_BACKOFF_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Header {
    pub format: String,
    pub version: u32,
    pub vault_id: Uuid,
    pub device_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kdf_log_n: u8,
    pub key_files: KeyDigests,
    #[serde(default)]
    pub unlock: UnlockState,
    /// Present while the vault is sealed for travel: the key files are gone
    /// and only custodians can release the key (see `travel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<super::travel::Sealed>,
    /// Opt-in: erase the vault after this many failed unlocks in a row
    /// (at least [`super::erase::MIN_WIPE_AFTER`]). Off when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe_after_failures: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyDigests {
    pub passphrase_sha256: String,
    pub recovery_sha256: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct UnlockState {
    pub failed_attempts: u32,
    pub last_failure: Option<DateTime<Utc>>,
}

impl UnlockState {
    /// Seconds to wait before another attempt may be made, or 0.
    pub fn wait_secs(&self, now: DateTime<Utc>) -> u64 {
        let (Some(last), true) = (self.last_failure, self.failed_attempts >= FREE_ATTEMPTS) else {
            return 0;
        };
        let exp = (self.failed_attempts - FREE_ATTEMPTS).min(20);
        let delay = (1u64 << (exp + 1)).min(MAX_BACKOFF_SECS);
        let elapsed = (now - last).num_seconds().max(0) as u64;
        delay.saturating_sub(elapsed)
    }
}

impl Header {
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = fsutil::read(path).map_err(|e| match e {
            VaultError::Corrupt { .. } => {
                VaultError::NotFound(path.parent().map(Path::to_path_buf).unwrap_or_default())
            }
            other => other,
        })?;
        let header: Header = serde_json::from_slice(&bytes)
            .map_err(|e| VaultError::corrupt(path, format!("not a valid vault header ({e})")))?;
        if header.format != FORMAT {
            return Err(VaultError::corrupt(path, "not a Vekil vault header"));
        }
        if header.version > HEADER_VERSION {
            return Err(VaultError::FromFuture {
                found: i64::from(header.version),
                supported: i64::from(HEADER_VERSION),
            });
        }
        Ok(header)
    }

    /// The fields that decide whether an unlock may be tried and when the
    /// vault erases itself: failed attempts, the last failure, the wipe
    /// limit. Until `vault.json` carries a MAC (issue 10), someone who can
    /// write the disk can reset them; the MAC must cover exactly these
    /// bytes (and may cover more).
    #[allow(dead_code)]
    pub fn unlock_guard_fields(&self) -> Vec<u8> {
        serde_json::to_vec(&(
            self.vault_id,
            self.unlock.failed_attempts,
            self.unlock.last_failure,
            self.wipe_after_failures,
        ))
        .unwrap_or_default()
    }

    pub fn store(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| VaultError::corrupt(path, format!("cannot encode header: {e}")))?;
        fsutil::write_atomic(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_expires() {
        let now = Utc::now();
        let mut s = UnlockState {
            failed_attempts: 2,
            last_failure: Some(now),
        };
        assert_eq!(s.wait_secs(now), 0);
        s.failed_attempts = 3;
        assert_eq!(s.wait_secs(now), 2);
        s.failed_attempts = 5;
        assert_eq!(s.wait_secs(now), 8);
        assert_eq!(s.wait_secs(now + chrono::Duration::seconds(8)), 0);
        s.failed_attempts = 60;
        assert_eq!(s.wait_secs(now), MAX_BACKOFF_SECS);
    }
}
