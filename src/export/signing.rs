//! The vault's Ed25519 signing key, in minisign format.
//!
//! Bundles carry a `manifest.json.minisig` made with this key, so an NGO
//! can check with the stock `minisign -Vm manifest.json -P <pubkey>` that a
//! bundle came from this lawyer's vault and was not altered. The secret key
//! is created on first use and kept in the encrypted database's `meta`
//! table (never in a file); the public key is printed by
//! `vekil signing-key` for the lawyer to give the NGO out of band.

use super::{ExportError, Result};
use crate::Vault;
use rusqlite::OptionalExtension;
use zeroize::Zeroizing;

const META_KEY: &str = "signing_secret_key";

/// The untrusted comment of every Vekil signature. minisign does not sign
/// this line, so readers insist on this exact text: then no byte of a
/// bundle can change without being refused.
pub const UNTRUSTED_COMMENT: &str = "signature from vekil export key";

/// The signing key pair of a vault.
pub struct SigningKey {
    pub(crate) secret: minisign::SecretKey,
    /// The public half.
    pub public: minisign::PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &key_id(&self.public))
            .finish_non_exhaustive()
    }
}

/// The key id minisign prints: 16 upper-case hex digits.
pub fn key_id(pk: &minisign::PublicKey) -> String {
    let mut b = [0u8; 8];
    let n = pk.keynum().len().min(8);
    b[..n].copy_from_slice(&pk.keynum()[..n]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// The one-line public key that `minisign -P` takes.
pub fn public_key_line(pk: &minisign::PublicKey) -> String {
    pk.to_base64()
}

fn crypto(e: minisign::PError) -> ExportError {
    ExportError::Crypto(format!("signing key: {e}"))
}

impl SigningKey {
    /// Loads the vault's key, creating it on first use.
    pub fn load_or_create(vault: &Vault) -> Result<Self> {
        let stored: Option<String> = vault
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [META_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        let secret = match stored {
            Some(hex_text) => {
                let hex_text = Zeroizing::new(hex_text);
                let bytes = Zeroizing::new(hex::decode(hex_text.as_str()).map_err(|_| {
                    ExportError::Crypto("the stored signing key is damaged".into())
                })?);
                minisign::SecretKey::from_bytes(&bytes).map_err(crypto)?
            }
            None => {
                // A read-only vault cannot keep a new key: say so, rather
                // than sign with a key that is then lost.
                vault.ensure_writable().map_err(crate::Error::from)?;
                let kp = minisign::KeyPair::generate_unencrypted_keypair().map_err(crypto)?;
                let bytes = Zeroizing::new(kp.sk.to_bytes());
                let hex_text = Zeroizing::new(hex::encode(bytes.as_slice()));
                vault.conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                    [META_KEY, hex_text.as_str()],
                )?;
                kp.sk
            }
        };
        let public = minisign::PublicKey::from_secret_key(&secret).map_err(crypto)?;
        Ok(Self { secret, public })
    }

    /// Signs `data`; returns the `.minisig` file's text.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        self.sign_reader(data, trusted_comment)
    }

    /// Signs what `data` reads (minisign hashes it as it reads, so a large
    /// report is never held whole).
    pub fn sign_reader(&self, data: impl std::io::Read, trusted_comment: &str) -> Result<String> {
        let sig = minisign::sign(
            Some(&self.public),
            &self.secret,
            data,
            Some(trusted_comment),
            Some(UNTRUSTED_COMMENT),
        )
        .map_err(crypto)?;
        Ok(sig.into_string())
    }

    /// Key id (16 hex digits).
    pub fn key_id(&self) -> String {
        key_id(&self.public)
    }
}

/// Checks a minisign signature over `data` with a public key line.
pub fn verify(
    public_key: &minisign::PublicKey,
    data: &[u8],
    sig_text: &str,
) -> std::result::Result<(), String> {
    let expected = format!("untrusted comment: {UNTRUSTED_COMMENT}");
    if sig_text.lines().next() != Some(expected.as_str()) {
        return Err("the signature's comment line was altered".into());
    }
    let sig = minisign::SignatureBox::from_string(sig_text)
        .map_err(|e| format!("the signature file is not a minisign signature ({e})"))?;
    minisign::verify(
        public_key,
        &sig,
        std::io::Cursor::new(data),
        true,
        false,
        false,
    )
    .map_err(|e| e.to_string())
}
