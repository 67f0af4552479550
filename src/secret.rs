//! Secret values: passphrases, recovery codes and raw keys.
//!
//! Each type keeps its bytes in `secrecy`/`zeroize` containers so they are
//! wiped when dropped, prints as `[redacted]` in `Debug`, and hands out its
//! contents only through a method named `expose_secret`, which makes every
//! place that touches a secret easy to find in review.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::fmt;

/// Shortest passphrase accepted when a vault is created or re-keyed: the
/// one rule for the CLI and the desktop app, which reads it from the core
/// (`AppStatus`) rather than keeping its own number. Twelve characters of
/// several words is the least that resists an offline guessing attack on a
/// seized laptop at the scrypt cost we use.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// A passphrase typed by the lawyer.
pub struct Passphrase(SecretString);

impl Passphrase {
    /// Wraps a passphrase; the `String` is moved into a zeroizing container.
    pub fn new(s: String) -> Self {
        Self(SecretString::from(s))
    }

    /// The passphrase text.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// A copy as `SecretString`, the type the age crate takes.
    pub(crate) fn to_secret_string(&self) -> SecretString {
        SecretString::from(self.0.expose_secret().to_owned())
    }

    /// Refuses passphrases too short to protect a seized laptop.
    pub fn check_strength(&self) -> Result<(), crate::model::ValidationError> {
        let n = self.expose_secret().chars().count();
        if n < MIN_PASSPHRASE_CHARS {
            return Err(crate::model::ValidationError::new(
                "passphrase",
                format!("must be at least {MIN_PASSPHRASE_CHARS} characters long (it has {n})"),
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

/// Alphabet of recovery codes: Crockford base32, which has no I, L, O or U
/// so that a code copied by hand from paper cannot be misread.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The recovery code shown once at vault creation: 160 random bits written
/// as eight groups of four characters, e.g. `7K2M-…`. It is an independent
/// second wrapping of the database key, usable with the stock `age` CLI.
pub struct RecoveryCode(SecretString);

impl RecoveryCode {
    /// A fresh random code.
    pub(crate) fn generate() -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 20]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        let mut bits: u64 = 0;
        let mut nbits = 0;
        let mut out = String::with_capacity(39);
        for b in bytes.iter() {
            bits = (bits << 8) | u64::from(*b);
            nbits += 8;
            while nbits >= 5 {
                nbits -= 5;
                let idx = ((bits >> nbits) & 31) as usize;
                if !out.is_empty() && out.len() % 5 == 4 {
                    out.push('-');
                }
                out.push(char::from(CROCKFORD[idx]));
            }
        }
        Self(SecretString::from(out))
    }

    /// Parses a code as a person would type it: any case, spaces or dashes
    /// anywhere, and the look-alikes O→0 and I/L→1 forgiven.
    pub fn parse(input: &str) -> Result<Self, crate::model::ValidationError> {
        let mut clean = zeroize::Zeroizing::new(String::with_capacity(32));
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' | '\n' | '\r' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return Err(crate::model::ValidationError::new(
                    "recovery_code",
                    "contains a character that is not part of any recovery code",
                ));
            }
            clean.push(c);
        }
        if clean.len() != 32 {
            return Err(crate::model::ValidationError::new(
                "recovery_code",
                format!(
                    "must have 32 characters (8 groups of 4); it has {}",
                    clean.len()
                ),
            ));
        }
        let mut grouped = String::with_capacity(39);
        for (i, c) in clean.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                grouped.push('-');
            }
            grouped.push(c);
        }
        Ok(Self(SecretString::from(grouped)))
    }

    /// The code in its canonical `XXXX-XXXX-…` form, to show the user once.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    pub(crate) fn to_secret_string(&self) -> SecretString {
        SecretString::from(self.0.expose_secret().to_owned())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

/// The random 256-bit key of the SQLCipher database.
pub(crate) struct DbKey(SecretBox<[u8; 32]>);

impl DbKey {
    pub(crate) fn generate() -> Self {
        let mut key = SecretBox::new(Box::new([0u8; 32]));
        rand::rngs::OsRng.fill_bytes(secrecy::ExposeSecretMut::expose_secret_mut(&mut key));
        Self(key)
    }

    /// Parses the 64 hex characters stored (encrypted) in a key file.
    pub(crate) fn from_hex(hex_text: &[u8]) -> Option<Self> {
        let trimmed = hex_text.trim_ascii();
        if trimmed.len() != 64 {
            return None;
        }
        let mut key = SecretBox::new(Box::new([0u8; 32]));
        hex::decode_to_slice(
            trimmed,
            secrecy::ExposeSecretMut::expose_secret_mut(&mut key),
        )
        .ok()?;
        Some(Self(key))
    }

    /// Lower-case hex, as written inside the key files.
    pub(crate) fn to_hex(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(hex::encode(self.0.expose_secret()))
    }

    /// Runs `f` with the statement that keys SQLCipher with this raw key,
    /// `PRAGMA key = "x'<hex>'";` (the `x'…'` form skips SQLCipher's own
    /// PBKDF2, since the key is already random).
    ///
    /// Why SQL text and not SQLCipher's `sqlite3_key()`: that C function is
    /// reachable only through rusqlite's raw FFI, which needs `unsafe`, and
    /// the core forbids it. The text is therefore kept where nothing copies
    /// it carelessly: it is built in one fixed-size buffer (no `format!`,
    /// whose growing buffer would leave freed partial copies behind) that is
    /// zeroed when `f` returns, and rusqlite hands SQLite a pointer to it
    /// without copying. SQLite itself copies the statement (the prepared
    /// statement's SQL, the parser's token for the value) and SQLCipher
    /// keeps the key in its codec context; all of those live in SQLite's
    /// allocator, which wipes memory on free once `cipher_memory_security`
    /// is on, so the caller must turn that on before keying.
    pub(crate) fn with_key_statement<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        const HEAD: &[u8] = b"PRAGMA key = \"x'";
        const TAIL: &[u8] = b"'\";";
        const LEN: usize = HEAD.len() + 64 + TAIL.len();
        let mut buf = zeroize::Zeroizing::new([0u8; LEN]);
        buf[..HEAD.len()].copy_from_slice(HEAD);
        // 32 bytes always fit 64 hex digits, so this cannot fail; were it
        // to, the statement would be refused by SQLCipher, not misread.
        let _ = hex::encode_to_slice(
            self.0.expose_secret(),
            &mut buf[HEAD.len()..HEAD.len() + 64],
        );
        buf[HEAD.len() + 64..].copy_from_slice(TAIL);
        // Hex digits and ASCII punctuation only, so always valid UTF-8.
        f(std::str::from_utf8(&buf[..]).unwrap_or_default())
    }

    /// A key for one purpose, derived from the database key:
    /// HMAC-SHA256(database key, `label`). Each label names one use (see
    /// the `*_LABEL` constants), so no two uses ever share a key, and all
    /// of them are recomputed from the one key the key files protect.
    pub(crate) fn derive(&self, label: &str) -> SecretBox<[u8; 32]> {
        derive_from(self.0.expose_secret(), label)
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

/// HMAC-SHA256(`key`, `label`) as a secret: the one derivation every
/// purpose-bound key goes through.
pub(crate) fn derive_from(key: &[u8; 32], label: &str) -> SecretBox<[u8; 32]> {
    use hmac::{Hmac, Mac};
    let mut out = SecretBox::new(Box::new([0u8; 32]));
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail on
    // a 32-byte key.
    if let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) {
        mac.update(label.as_bytes());
        let tag = zeroize::Zeroizing::new(<[u8; 32]>::from(mac.finalize().into_bytes()));
        secrecy::ExposeSecretMut::expose_secret_mut(&mut out).copy_from_slice(&tag[..]);
    }
    out
}

/// Label of the key that names attachment files (kept from the first
/// release: changing it would orphan every stored attachment).
pub(crate) const ATTACHMENT_NAMES_LABEL: &str = "vekil/attachment-names/v1";
/// Label of the key that seals `vault.json`.
pub(crate) const HEADER_MAC_LABEL: &str = "vekil/header-mac/v1";
/// Label of the key that chains the revision history.
pub(crate) const REVISION_CHAIN_LABEL: &str = "vekil/revision-chain/v2";
/// Label of the key that seals this computer's record of the vault.
pub(crate) const SEEN_RECORD_LABEL: &str = "vekil/seen-record/v1";
/// Label of the key that tags the passphrase in memory (`vault::passcheck`).
pub(crate) const PASSPHRASE_CHECK_LABEL: &str = "vekil/passphrase-check/v1";

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_code_round_trips_through_sloppy_typing() {
        let code = RecoveryCode::generate();
        let shown = code.expose_secret().to_owned();
        assert_eq!(shown.len(), 39, "{shown}");
        let typed = shown.to_lowercase().replace('-', " ").replace('0', "o");
        let parsed = RecoveryCode::parse(&typed).unwrap();
        assert_eq!(parsed.expose_secret(), shown);
    }

    #[test]
    fn recovery_code_rejects_wrong_length_and_alphabet() {
        assert_eq!(
            RecoveryCode::parse("ABCD").unwrap_err().field,
            "recovery_code"
        );
        assert!(RecoveryCode::parse(&"U".repeat(32)).is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        let p = Passphrase::new("correct horse".into());
        assert!(!format!("{p:?}").contains("horse"));
        let k = DbKey::generate();
        assert!(!format!("{k:?}").contains(&k.to_hex()[..8]));
    }

    #[test]
    fn key_statement_is_the_raw_key_pragma() {
        let k = DbKey::generate();
        let expected = format!("PRAGMA key = \"x'{}'\";", k.to_hex().as_str());
        k.with_key_statement(|sql| assert_eq!(sql, expected));
    }

    #[test]
    fn derived_keys_differ_per_label_and_are_stable() {
        let k = DbKey::generate();
        let a = k.derive(HEADER_MAC_LABEL);
        let b = k.derive(REVISION_CHAIN_LABEL);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(
            a.expose_secret(),
            k.derive(HEADER_MAC_LABEL).expose_secret()
        );
        assert_ne!(a.expose_secret(), &[0u8; 32]);
    }

    #[test]
    fn db_key_hex_round_trip() {
        let k = DbKey::generate();
        let back = DbKey::from_hex(k.to_hex().as_bytes()).unwrap();
        assert_eq!(k.bytes(), back.bytes());
        assert!(DbKey::from_hex(b"zz").is_none());
    }
}
