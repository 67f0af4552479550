//! The checks every unlock runs once the key is known. Quick by design
//! (one HMAC and a couple of reads); the full check of every entry and
//! file stays `verify-vault`.
//!
//! At unlock, in order:
//! 1. **The header's seal.** A header whose MAC fails (or whose MAC was
//!    removed) was changed outside Vekil: it is reported with the fields
//!    that differ from the copy kept inside the encrypted database, and
//!    put back from that copy. A header from before seals existed is
//!    sealed now.
//! 2. **Wrong passphrases since the last unlock**, from the unsealed
//!    failure total against the sealed one (see `header.rs` for what this
//!    can and cannot prove).
//!
//! Each finding is reported once: afterwards the header describes the
//! vault as it now is, so the next unlock is quiet.

use super::header::{self, Header, Seal};
use super::report::{UnlockNotice, UnlockReport};
use super::{Result, Vault};

impl Vault {
    /// Runs the unlock checks on a vault just opened with `header` as read
    /// from disk; fills in [`Vault::unlock_report`].
    pub(super) fn check_after_unlock(&mut self, mut header: Header) -> Result<()> {
        let mut notices = Vec::new();
        let mut rewrite = false;

        // 1. The seal.
        let copy = self.header_copy()?;
        match (header.check_seal(&self.header_key), &copy) {
            (Seal::Valid, copy) => {
                rewrite |= copy.as_ref() != Some(&header.sealed_value());
            }
            (Seal::Legacy, None) => rewrite = true,
            (_, copy) => {
                let found = header.sealed_value();
                let restored = copy
                    .as_ref()
                    .and_then(|c| Header::from_sealed(c, header.unlock.clone()).map(|h| (c, h)));
                let (fields, restored) = match restored {
                    Some((c, trusted)) => {
                        let fields = header::changed_fields(c, &found);
                        header = trusted;
                        (fields, true)
                    }
                    None => (Vec::new(), false),
                };
                notices.push(UnlockNotice::HeaderAltered {
                    fields,
                    restored: restored && !self.access.is_read_only(),
                });
                rewrite = true;
            }
        }

        // 2. Wrong passphrases since the last unlock.
        let total = header.unlock.failed_total;
        let sealed = header.failed_unlocks_seen;
        if total > sealed {
            notices.push(UnlockNotice::FailedUnlocks {
                count: total - sealed,
                last_at: header.unlock.last_failure.map(|t| t.to_rfc3339()),
            });
        } else if total < sealed {
            notices.push(UnlockNotice::FailureCounterLowered {
                sealed,
                found: total,
            });
        }
        rewrite |= total != sealed || header.unlock.failed_attempts > 0;
        header.failed_unlocks_seen = total.max(sealed);
        header.unlock.failed_total = total.max(sealed);
        header.unlock.reset_wait();

        if rewrite && !self.access.is_read_only() {
            self.write_header(&mut header)?;
        }
        self.report = UnlockReport {
            read_only: self.access.reason().cloned(),
            notices,
        };
        Ok(())
    }
}
