//! The signers an organisation trusts: lawyers' minisign public keys.
//!
//! The organisation's age key is public, so anyone can send it a bundle;
//! what proves who made one is its signature, and only against a key the
//! organisation obtained from the lawyer by another channel. So a key is
//! trusted only by a deliberate act (`vekil signer trust NAME KEY`, after
//! comparing its fingerprint with the lawyer in person or by phone), never
//! because a bundle carried it or named a source vault. The list lives in
//! the encrypted vault.
//!
//! The fingerprint covers the whole key line. The 16-digit key id that
//! minisign prints is chosen by whoever makes the key, so an impostor can
//! copy it; it is shown, never relied on.

use super::{ImportError, Result};
use crate::export::signing::{key_id, public_key_line};
use crate::store::Origin;
use crate::Vault;
use rusqlite::OptionalExtension;
use serde::Serialize;

/// One trusted signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedSigner {
    /// The organisation's name for the lawyer.
    pub name: String,
    /// minisign key id (16 hex digits), as minisign prints it.
    pub key_id: String,
    /// For out-of-band comparison: [`fingerprint`] of the key.
    pub fingerprint: String,
    /// The minisign public key line (base64), as `minisign -P` takes it.
    pub public_key: String,
    /// When it was trusted (UTC).
    pub added_at: String,
    /// Records in this vault that came from this signer.
    pub records: u64,
}

/// The fingerprint of a signing key, to read aloud: SHA-256 of its public
/// key line, first 10 bytes, in groups of four hex digits (the same
/// digest the address book shows for organisations' keys). The lawyer's
/// `vekil signing-key` prints the same.
pub fn fingerprint(pk: &minisign::PublicKey) -> String {
    crate::export::recipients::fingerprint(&public_key_line(pk))
}

/// Parses a minisign public key: the base64 line, or a `.pub` file's text
/// (an `untrusted comment:` line, then the key).
pub fn parse_key(text: &str) -> Result<minisign::PublicKey> {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .unwrap_or_default();
    minisign::PublicKey::from_base64(line).map_err(|e| ImportError::BadSignerKey(e.to_string()))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TrustedSigner> {
    let public_key: String = r.get(1)?;
    let fingerprint = crate::export::recipients::fingerprint(&public_key);
    Ok(TrustedSigner {
        name: r.get(0)?,
        key_id: r.get(2)?,
        fingerprint,
        public_key,
        added_at: r.get(3)?,
        records: r.get::<_, i64>(4)?.max(0) as u64,
    })
}

const SELECT: &str = "SELECT s.name, s.public_key, s.key_id, s.added_at,
        (SELECT count(*) FROM records WHERE origin = 'signer:' || s.public_key)
   FROM signers s";

/// Trusts `key` (a minisign public key line or `.pub` text) as `name`.
/// Trusting the same key under the same name again changes nothing; a
/// name already used for another key, or a key already trusted under
/// another name, is refused, so a key is never swapped silently.
pub fn trust(vault: &Vault, name: &str, key: &str) -> Result<TrustedSigner> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ImportError::BadSignerName(name.into()));
    }
    let pk = parse_key(key)?;
    let line = public_key_line(&pk);
    if let Some(existing) = find_by_key(vault, &line)? {
        if same_name(&existing.name, name) {
            return Ok(existing);
        }
        return Err(ImportError::KeyAlreadyTrusted {
            name: existing.name,
        });
    }
    if let Some(existing) = get(vault, name)? {
        return Err(ImportError::SignerNameTaken {
            name: existing.name,
            key_id: existing.key_id,
        });
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    vault.conn.execute(
        "INSERT INTO signers (name, public_key, key_id, added_at) VALUES (?1, ?2, ?3, ?4)",
        [name, line.as_str(), key_id(&pk).as_str(), now.as_str()],
    )?;
    get(vault, name)?.ok_or_else(|| ImportError::UnknownSigner(name.into()))
}

/// Stops trusting a signer; false if no signer had that name. Records
/// already imported stay, still marked as that key's: bundles from it are
/// refused until it is trusted again.
pub fn remove(vault: &Vault, name: &str) -> Result<bool> {
    let Some(s) = get(vault, name)? else {
        return Ok(false);
    };
    Ok(vault
        .conn
        .execute("DELETE FROM signers WHERE name = ?1", [s.name])?
        > 0)
}

/// Names are matched as the consent list matches organisations: trimmed
/// and case-folded by Unicode rules, so "ƏLİYEV" finds "Əliyev" (SQLite's
/// NOCASE folds only ASCII).
fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Every trusted signer, by name.
pub fn list(vault: &Vault) -> Result<Vec<TrustedSigner>> {
    let mut stmt = vault.conn.prepare(&format!("{SELECT} ORDER BY s.name"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One signer by name (case-insensitive).
pub fn get(vault: &Vault, name: &str) -> Result<Option<TrustedSigner>> {
    Ok(list(vault)?.into_iter().find(|s| same_name(&s.name, name)))
}

fn find_by_key(vault: &Vault, line: &str) -> Result<Option<TrustedSigner>> {
    Ok(vault
        .conn
        .query_row(&format!("{SELECT} WHERE s.public_key = ?1"), [line], row)
        .optional()?)
}

/// Trusted keys whose key id is `id`: the candidates to check a signature
/// with. Usually one; an impostor copying a key id is caught because the
/// signature does not verify with the trusted key.
pub(crate) fn with_key_id(vault: &Vault, id: &str) -> Result<Vec<(String, minisign::PublicKey)>> {
    let mut stmt = vault
        .conn
        .prepare_cached("SELECT name, public_key FROM signers WHERE key_id = ?1 ORDER BY name")?;
    let rows = stmt.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = vec![];
    for r in rows {
        let (name, line) = r?;
        // A row that does not parse cannot verify anything; skip it.
        if let Ok(pk) = minisign::PublicKey::from_base64(&line) {
            out.push((name, pk));
        }
    }
    Ok(out)
}

/// The origin records imported from `pk`'s bundles carry.
pub fn origin(pk: &minisign::PublicKey) -> Origin {
    Origin::Signer(public_key_line(pk))
}
