//! The files travel mode writes, as documented in docs/formats/travel.md.
//!
//! All three are small JSON documents; the secret parts are ordinary age
//! files (ASCII-armored, so they can sit inside JSON and be copied out):
//!
//! * a **sealed share** is encrypted to one custodian's X25519 key, and
//!   `age -d -i custodian.key` prints its JSON ([`ShareText`]);
//! * a **request** ([`RequestFile`]) carries the sealed shares and the
//!   one-time public key to release them to;
//! * a **release** ([`ReleaseFile`]) carries one share re-encrypted to that
//!   one-time key, with the ids it was made for in the clear so that a
//!   wrong file is named precisely before anything is decrypted.

use super::error::TravelError;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;
use uuid::Uuid;
use zeroize::Zeroizing;

pub(crate) const SHARE_FORMAT: &str = "vekil-travel-share";
pub(crate) const REQUEST_FORMAT: &str = "vekil-travel-request";
pub(crate) const RELEASE_FORMAT: &str = "vekil-travel-release";
pub(crate) const VERSION: u32 = 1;
/// Requests and releases are a few kilobytes; anything much larger is
/// not one, and is refused before it is parsed.
pub(crate) const MAX_FILE_BYTES: u64 = 256 * 1024;

/// What a custodian's `age -d` shows: one share of the database key and
/// the ids that say which vault and which seal it belongs to.
#[derive(Serialize, Deserialize)]
pub(crate) struct ShareText {
    pub format: String,
    pub version: u32,
    /// For a custodian who opens the file with stock `age`.
    pub note: String,
    pub vault_id: Uuid,
    pub seal_id: Uuid,
    pub custodian: String,
    /// Shamir x-coordinate, 1..=custodians.
    pub index: u8,
    pub threshold: u8,
    pub custodians: u8,
    /// The share's y-values, hex (32 bytes).
    pub share: String,
}

impl Drop for ShareText {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.share);
    }
}

pub(crate) const SHARE_NOTE: &str = "One share of a Vekil vault key, sealed for travel. \
It opens nothing by itself and holds no case data. Release it only with \
`vekil travel release`, after the lawyer has read you the confirmation code by phone.";

/// One sealed share inside a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestShare {
    pub index: u8,
    pub custodian: String,
    pub fingerprint: String,
    /// ASCII-armored age file encrypted to the custodian.
    pub sealed: String,
}

/// `vekil travel request` output, sent to the custodians.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RequestFile {
    pub format: String,
    pub version: u32,
    pub vault_id: Uuid,
    pub seal_id: Uuid,
    pub request_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub one_time_public_key: String,
    pub threshold: u8,
    pub shares: Vec<RequestShare>,
}

/// `vekil travel release` output, sent back to the lawyer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReleaseFile {
    pub format: String,
    pub version: u32,
    pub vault_id: Uuid,
    pub seal_id: Uuid,
    pub request_id: Uuid,
    pub index: u8,
    pub custodian: String,
    /// ASCII-armored age file to the one-time key, holding a [`ReleasePayload`].
    pub payload: String,
}

/// The encrypted part of a release. It repeats the ids of the envelope, so
/// that an envelope edited to point elsewhere is caught.
#[derive(Serialize, Deserialize)]
pub(crate) struct ReleasePayload {
    pub vault_id: Uuid,
    pub seal_id: Uuid,
    pub request_id: Uuid,
    pub index: u8,
    pub share: String,
}

impl Drop for ReleasePayload {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.share);
    }
}

/// The code the lawyer reads to a custodian by phone: 15 digits derived
/// from everything a custodian acts on (vault, seal, request, one-time key),
/// so a request whose one-time key was swapped in transit shows a
/// different code. About 50 bits: matching it by trying keys would take
/// hundreds of CPU-years, far longer than a release stays useful.
pub(crate) fn confirmation_code(
    vault_id: &Uuid,
    seal_id: &Uuid,
    request_id: &Uuid,
    one_time_public_key: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"vekil/travel/confirmation-code/v1\0");
    h.update(vault_id.as_bytes());
    h.update(seal_id.as_bytes());
    h.update(request_id.as_bytes());
    h.update(one_time_public_key.as_bytes());
    let d = h.finalize();
    let mut n = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    let mut digits = String::with_capacity(19);
    for i in 0..15 {
        if i > 0 && i % 3 == 0 {
            digits.push(' ');
        }
        digits.push(char::from(b'0' + (n % 10) as u8));
        n /= 10;
    }
    digits
}

/// A code as typed: digits only, so spaces, dashes and dots are forgiven.
pub(crate) fn normalize_code(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Encrypts `plain` to one X25519 recipient as an armored age file.
pub(crate) fn seal_to(
    recipient: &age::x25519::Recipient,
    plain: &[u8],
) -> Result<String, TravelError> {
    let crypto = |e: &dyn std::fmt::Display| TravelError::Crypto(e.to_string());
    let enc =
        age::Encryptor::with_recipients(std::iter::once(recipient as _)).map_err(|e| crypto(&e))?;
    let mut out = vec![];
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| crypto(&e))?;
    let mut w = enc.wrap_output(armor).map_err(|e| crypto(&e))?;
    w.write_all(plain).map_err(|e| crypto(&e))?;
    w.finish()
        .and_then(|a| a.finish())
        .map_err(|e| crypto(&e))?;
    String::from_utf8(out).map_err(|e| crypto(&e))
}

/// Why an age file did not open.
pub(crate) enum Unseal {
    /// The identity is not a recipient of the file.
    NotForThisKey,
    /// The file is not age, or was altered.
    Damaged,
}

/// Decrypts an armored or binary age file with one X25519 identity.
pub(crate) fn unseal(
    identity: &age::x25519::Identity,
    file: &str,
) -> Result<Zeroizing<Vec<u8>>, Unseal> {
    let reader = age::armor::ArmoredReader::new(file.as_bytes());
    let dec = age::Decryptor::new(reader).map_err(|_| Unseal::Damaged)?;
    if dec.is_scrypt() {
        return Err(Unseal::Damaged);
    }
    let mut r = dec
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Unseal::NotForThisKey,
            _ => Unseal::Damaged,
        })?;
    let mut out = Zeroizing::new(Vec::new());
    r.read_to_end(&mut out).map_err(|_| Unseal::Damaged)?;
    Ok(out)
}

/// Reads a small file, naming it in the error.
pub(crate) fn read_small(path: &Path) -> Result<Vec<u8>, TravelError> {
    let io = |source| TravelError::Io {
        path: path.into(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(TravelError::NotTravelFile {
            path: path.into(),
            what: "file",
        });
    }
    std::fs::read(path).map_err(io)
}

/// The age identity as text, for the one-time key file.
pub(crate) fn identity_text(id: &age::x25519::Identity) -> Zeroizing<String> {
    Zeroizing::new(format!("{}\n", id.to_string().expose_secret()))
}
