//! Key files: the database key wrapped with age, once per unlock method.
//!
//! `key.passphrase.age` and `key.recovery.age` each hold the same 64 hex
//! characters of the database key, encrypted with an age scrypt recipient
//! (age allows a passphrase recipient only alone in its file). Both are
//! ordinary age files: `age -d key.recovery.age` with the recovery code as
//! the passphrase prints the key, which is the documented last resort if
//! Vekil itself is gone.

use super::error::{Result, VaultError};
use super::fsutil;
use crate::secret::DbKey;
use age::secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// scrypt work factor (log2 N) of the passphrase key file: 2^19 takes
/// ~1.1 s on the reference machine (2^18, the `age` CLI default, ~0.55 s);
/// see docs/design/storage.md for the measurement.
pub const DEFAULT_KDF_LOG_N: u8 = 19;
/// Work factor of the recovery key file. The code carries 160 random bits,
/// so guessing it is infeasible at any KDF cost; 2^16 keeps vault creation
/// quick while staying an ordinary age passphrase file.
pub const RECOVERY_KDF_LOG_N: u8 = 16;
/// Highest work factor accepted when unwrapping, so a tampered file cannot
/// make an unlock take minutes; also the highest ever written, so Vekil
/// never writes a key file it would refuse to open.
pub(crate) const MAX_KDF_LOG_N: u8 = 22;
/// The lowest work factor a test may ask re-wrapping to use
/// ([`super::UnlockOptions::test_only_low_kdf`]); never used otherwise.
pub(crate) const TEST_KDF_LOG_N: u8 = 10;

/// The work factor a key file is re-wrapped with: the one recorded in the
/// (sealed) header, raised to at least `floor` and capped at the unwrap
/// limit. `floor` is [`DEFAULT_KDF_LOG_N`] for everyone; only a test can
/// lower it, to [`TEST_KDF_LOG_N`].
///
/// Why a floor even though the header is sealed: the seal is checked only
/// after the key is unwrapped, and a vault created by a build that did not
/// seal its header cannot prove its factor was never lowered. The floor
/// makes the answer not matter: whatever the header says, a passphrase is
/// never re-wrapped more cheaply than a new vault's.
pub(crate) fn rewrap_factor(recorded: u8, floor: u8) -> u8 {
    recorded.max(floor).min(MAX_KDF_LOG_N)
}

/// Outcome of trying a passphrase on a key file.
pub(crate) enum Unwrap {
    Key(DbKey),
    WrongSecret,
}

/// Encrypts the key to `secret` and writes it durably to `path`;
/// returns the SHA-256 (hex) of the file written.
pub(crate) fn wrap(path: &Path, key: &DbKey, secret: SecretString, log_n: u8) -> Result<String> {
    let mut recipient = age::scrypt::Recipient::new(secret);
    recipient.set_work_factor(log_n);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    let mut out = Vec::new();
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    w.write_all(key.to_hex().as_bytes())
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| VaultError::Crypto(e.to_string()))?;
    fsutil::write_atomic(path, &out)?;
    Ok(hex::encode(Sha256::digest(&out)))
}

/// Tries `secret` on the key file at `path`. A file whose digest differs
/// from `expected_sha256` is reported as damaged rather than as a wrong
/// passphrase, since some bit flips are indistinguishable from one.
pub(crate) fn unwrap(path: &Path, secret: SecretString, expected_sha256: &str) -> Result<Unwrap> {
    let bytes = fsutil::read(path)?;
    let digest_ok = hex::encode(Sha256::digest(&bytes)) == expected_sha256;
    let damaged = |why: &str| VaultError::corrupt(path, why.to_owned());
    let decryptor = match age::Decryptor::new_buffered(&bytes[..]) {
        Ok(d) => d,
        Err(_) => return Err(damaged("not a readable age key file")),
    };
    if !decryptor.is_scrypt() {
        return Err(damaged("not a passphrase-protected key file"));
    }
    let mut identity = age::scrypt::Identity::new(secret);
    identity.set_max_work_factor(MAX_KDF_LOG_N);
    let mut reader = match decryptor.decrypt(std::iter::once(&identity as _)) {
        Ok(r) => r,
        Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed)
            if digest_ok =>
        {
            return Ok(Unwrap::WrongSecret)
        }
        Err(age::DecryptError::ExcessiveWork { .. }) => {
            return Err(damaged(
                "asks for an unreasonable amount of key-derivation work",
            ))
        }
        Err(_) => return Err(damaged("its contents do not match the vault header")),
    };
    let mut hex_text = zeroize::Zeroizing::new(Vec::with_capacity(64));
    reader
        .read_to_end(&mut hex_text)
        .map_err(|_| damaged("the encrypted key is truncated or altered"))?;
    DbKey::from_hex(&hex_text)
        .map(Unwrap::Key)
        .ok_or_else(|| damaged("does not contain a database key"))
}

/// The scrypt work factor (log2 N) an age passphrase file asks for, read
/// from its stanza without trying any passphrase.
#[cfg(test)]
pub(crate) fn work_factor(path: &Path) -> Result<u8> {
    let bytes = fsutil::read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .find_map(|l| l.strip_prefix("-> scrypt "))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| VaultError::corrupt(path, "not a passphrase-protected key file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrap_never_goes_below_the_floor_or_above_the_cap() {
        assert_eq!(rewrap_factor(1, DEFAULT_KDF_LOG_N), DEFAULT_KDF_LOG_N);
        assert_eq!(rewrap_factor(10, DEFAULT_KDF_LOG_N), DEFAULT_KDF_LOG_N);
        assert_eq!(rewrap_factor(20, DEFAULT_KDF_LOG_N), 20);
        assert_eq!(rewrap_factor(40, DEFAULT_KDF_LOG_N), MAX_KDF_LOG_N);
        assert_eq!(rewrap_factor(1, TEST_KDF_LOG_N), TEST_KDF_LOG_N);
    }

    #[test]
    fn the_work_factor_is_read_from_the_stanza() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.age");
        let key = DbKey::generate();
        wrap(
            &p,
            &key,
            SecretString::from("Şifrə üçün söz".to_owned()),
            11,
        )
        .unwrap();
        assert_eq!(work_factor(&p).unwrap(), 11);
    }
}
