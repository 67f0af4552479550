//! The checks every unlock runs once the key is known, and what closing
//! records. Quick by design (a handful of indexed reads and one HMAC per
//! check); the full check of every entry and file stays `verify-vault`.
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
//! 3. **The history's upgrade** to the keyed chain, once (see
//!    `store::revisions`); a plain chain that already fails is not
//!    re-chained and the vault opens read-only. Then, once, the facility
//!    register of a vault made before it existed (`store::facilities`).
//! 4. **The history's head**: the newest entry is the recorded head and
//!    its MAC holds.
//! 5. **The change counter** against the header's mirror (an older
//!    `vekil.db` put back beside a newer header) and against this
//!    computer's record (an older copy of the whole vault, or a copy that
//!    was changed separately).
//!
//! Each finding is reported once: afterwards the header and this
//! computer's record describe the vault as it now is, so the next unlock
//! is quiet. A reader who did not see the notice is not told again; the
//! app shows it on the first screen after unlock, the CLI on stderr.

use super::header::{self, ChangeMark, Header, Seal};
use super::report::{LastChange, ReadOnlyReason, UnlockNotice, UnlockReport};
use super::seen::Lookup;
use super::{access::Access, Result, Vault, VaultError};
use crate::store::revisions::{self, Scheme, Upgrade};

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

        // 3. The history's upgrade to the keyed chain.
        if !self.access.is_read_only() {
            match revisions::upgrade_chain(&self.conn, &self.chain).map_err(|e| self.db_error(e))? {
                Upgrade::AlreadyKeyed => {}
                Upgrade::Sealed(0) => {}
                Upgrade::Sealed(entries) => notices.push(UnlockNotice::HistorySealed { entries }),
                Upgrade::Refused(problem) => {
                    self.go_read_only(ReadOnlyReason::HistoryBroken {
                        problem: problem.to_string(),
                    })?;
                }
            }
        }

        // 3b. The facility register of a vault made before it existed
        // (migration 0006 marks one), once the history is keyed: building
        // it writes revisions.
        // A record it cannot place leaves the register pending, to be
        // tried again at the next unlock, rather than locking the lawyer
        // out; damage to the database stops the unlock as it would anyway.
        if !self.access.is_read_only() {
            let built = match self.write(crate::store::build_register) {
                Ok(b) => b,
                Err(crate::Error::Vault(v)) => return Err(v),
                Err(_) => crate::store::RegisterBuilt::default(),
            };
            if built.facilities > 0 {
                notices.push(UnlockNotice::FacilityRegisterBuilt {
                    facilities: built.facilities,
                    linked: built.linked,
                });
            }
        }

        // 4. The history's head.
        let scheme = revisions::scheme(&self.conn).map_err(|e| self.db_error(e))?;
        if scheme == Scheme::HmacV2
            && !revisions::head_is_sound(&self.conn, &self.chain).map_err(|e| self.db_error(e))?
        {
            notices.push(UnlockNotice::HistoryHeadMismatch);
        }

        // 5. The change counter: against the header, then this computer.
        let state = revisions::change_state(&self.conn).map_err(|e| self.db_error(e))?;
        if let Some(mark) = &header.last_change {
            if mark.counter > state.counter {
                notices.push(UnlockNotice::DatabaseOlderThanHeader {
                    header_counter: mark.counter,
                    vault_counter: state.counter,
                });
            }
        }
        let mark = ChangeMark {
            counter: state.counter,
            at: state.at.clone(),
        };
        rewrite |= header.last_change.as_ref() != Some(&mark);
        header.last_change = Some(mark);
        if let Some(seen) = &self.seen {
            let (head_seq, head_hash) =
                revisions::head(&self.conn).map_err(|e| self.db_error(e))?;
            match seen.lookup() {
                Lookup::Unknown => {}
                Lookup::Altered => notices.push(UnlockNotice::SeenRecordAltered),
                Lookup::Seen(e) => {
                    let at_seen = revisions::hash_at(&self.conn, e.chain_seq)
                        .map_err(|e| self.db_error(e))?;
                    let older = state.counter < e.counter || (at_seen.is_none() && e.chain_seq > 0);
                    if older {
                        notices.push(UnlockNotice::OlderThanSeen {
                            seen_counter: e.counter,
                            seen_at: e.at.clone(),
                            vault_counter: state.counter,
                        });
                    } else if at_seen.is_some_and(|h| h != e.chain_hash) {
                        notices.push(UnlockNotice::DivergedFromSeen {
                            at_entry: e.chain_seq,
                        });
                    }
                }
            }
            // Best effort: a home directory that cannot be written must not
            // keep the lawyer out of the vault; the record then stays as it
            // was, which can only make a later warning less likely.
            let _ = seen.store(state.counter, state.at.clone(), head_seq, head_hash);
        }

        if rewrite && !self.access.is_read_only() {
            self.write_header(&mut header)?;
        }
        self.counter_at_open = state.counter;
        self.report = self.report_now(notices)?;
        Ok(())
    }

    /// The report as of now, with `notices` (warnings first).
    pub(super) fn report_now(&self, mut notices: Vec<UnlockNotice>) -> Result<UnlockReport> {
        notices.sort_by_key(|n| !n.is_warning());
        let state = revisions::change_state(&self.conn).map_err(|e| self.db_error(e))?;
        Ok(UnlockReport {
            last_change: (state.counter > 0).then(|| LastChange {
                counter: state.counter,
                at: state.at,
                on_another_computer: state
                    .device_name
                    .as_deref()
                    .is_some_and(|d| d != self.chain.device_name),
                device_name: state.device_name,
            }),
            read_only: self.access.reason().cloned(),
            notices,
        })
    }

    /// Stops all writes from here on: the connection refuses them
    /// (`query_only`) and every write path gives the reason.
    fn go_read_only(&mut self, reason: ReadOnlyReason) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA query_only = ON;")
            .map_err(VaultError::from)?;
        self.access = Access::ReadOnly(reason);
        Ok(())
    }

    /// At close: if the vault changed while open, mirror the change counter
    /// in the (resealed) header and in this computer's record.
    pub(super) fn record_close(&mut self) -> Result<()> {
        if self.access.is_read_only() {
            return Ok(());
        }
        let state = revisions::change_state(&self.conn).map_err(|e| self.db_error(e))?;
        if state.counter == self.counter_at_open {
            return Ok(());
        }
        let mut header = self.trusted_header()?;
        header.last_change = Some(ChangeMark {
            counter: state.counter,
            at: state.at.clone(),
        });
        self.write_header(&mut header)?;
        if let Some(seen) = &self.seen {
            let (seq, hash) = revisions::head(&self.conn).map_err(|e| self.db_error(e))?;
            let _ = seen.store(state.counter, state.at, seq, hash);
        }
        self.counter_at_open = state.counter;
        Ok(())
    }
}
