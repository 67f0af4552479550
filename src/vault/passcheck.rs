//! Recognising the vault's passphrase again without scrypt.
//!
//! A backup asks for the passphrase once more, so that a window left
//! unlocked on a desk is not enough to carry the whole case file away.
//! Checking it against the passphrase key file costs a scrypt at the
//! vault's work factor: at 2^19 that is 512 MiB and about a second, which
//! made every backup's peak memory 500+ MiB even when the backup itself
//! streams in under 100 MiB (docs/benchmarks.md, backup).
//!
//! So whenever this process learns the passphrase (at unlock, creation,
//! recovery or a change of passphrase), the vault keeps a keyed tag of it:
//! HMAC-SHA256 under a key derived from the database key. A typed
//! passphrase is the vault's when its tag matches (compared in constant
//! time). The tag lives only in this process's memory, beside the database
//! key it is derived from, and is wiped when the vault is locked: whoever
//! can read it already holds the key to every record. When no tag is
//! known (the vault was opened without the passphrase), the check falls
//! back to the key file.

use crate::secret::{self, Passphrase};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use std::cell::RefCell;

/// The keyed tag of the passphrase this process last saw open the vault.
pub(crate) struct PassphraseCheck {
    key: SecretBox<[u8; 32]>,
    tag: RefCell<Option<SecretBox<[u8; 32]>>>,
}

impl PassphraseCheck {
    /// A check keyed from the database key, knowing no passphrase yet.
    pub(crate) fn new(db_key: &[u8; 32]) -> Self {
        Self {
            key: secret::derive_from(db_key, secret::PASSPHRASE_CHECK_LABEL),
            tag: RefCell::new(None),
        }
    }

    /// Remembers `p` as the vault's passphrase (it just opened or was set).
    pub(crate) fn remember(&self, p: &Passphrase) {
        *self.tag.borrow_mut() = Some(self.tag_of(p));
    }

    /// `Some(true)` when `p` is the passphrase remembered, `Some(false)`
    /// when it is not, `None` when none is remembered.
    pub(crate) fn matches(&self, p: &Passphrase) -> Option<bool> {
        let known = self.tag.borrow();
        let known = known.as_ref()?;
        let mut mac = self.mac();
        mac.update(p.expose_secret().as_bytes());
        Some(mac.verify_slice(known.expose_secret()).is_ok())
    }

    fn tag_of(&self, p: &Passphrase) -> SecretBox<[u8; 32]> {
        let mut mac = self.mac();
        mac.update(p.expose_secret().as_bytes());
        let tag = zeroize::Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        let mut out = SecretBox::new(Box::new([0u8; 32]));
        secrecy::ExposeSecretMut::expose_secret_mut(&mut out).copy_from_slice(&tag[..]);
        out
    }

    fn mac(&self) -> Hmac<sha2::Sha256> {
        // HMAC takes keys of any length, so a 32-byte key is never refused;
        // were it, the empty-key MAC would still never match a stored tag
        // made with the real key.
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.key.expose_secret())
            .unwrap_or_else(|_| <Hmac<sha2::Sha256> as Mac>::new(&Default::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_only_the_passphrase_it_was_told() {
        let check = PassphraseCheck::new(&[7u8; 32]);
        let p = Passphrase::new("Qasımlı gözləyir 2025".into());
        assert_eq!(check.matches(&p), None, "nothing remembered yet");
        check.remember(&p);
        assert_eq!(check.matches(&p), Some(true));
        assert_eq!(
            check.matches(&Passphrase::new("Qasimli gozleyir 2025".into())),
            Some(false)
        );
        let other_vault = PassphraseCheck::new(&[8u8; 32]);
        other_vault.remember(&Passphrase::new("another".into()));
        assert_eq!(other_vault.matches(&p), Some(false));
    }
}
